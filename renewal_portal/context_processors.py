from credentials import roles
from renewal_portal.composition import navigation


def portal(request):
    """What the base layout needs to show each role its own navigation: the roles, and
    the addresses it links to (reversed once per process: composition/navigation.py)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"role": {"anonymous": True}, "nav": navigation.links()}
    return {
        "role": {
            "anonymous": False,
            "holder": roles.is_holder(user),
            "staff": roles.is_aasc_staff(user),
            "reviewer": roles.is_naaei_reviewer(user),
        },
        "nav": navigation.links(),
    }
