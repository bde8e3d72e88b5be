from credentials import roles


def portal(request):
    """What the base layout needs to show each role its own navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"role": {"anonymous": True}}
    return {
        "role": {
            "anonymous": False,
            "holder": roles.is_holder(user),
            "staff": roles.is_aasc_staff(user),
            "reviewer": roles.is_naaei_reviewer(user),
        }
    }
