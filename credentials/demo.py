"""Demo accounts for every role (password renew-demo-2026). Idempotent."""

from django.contrib.auth.models import Group

from credentials import roles
from credentials.models import ContactProfile, User

DEMO_PASSWORD = "renew-demo-2026"

ACCOUNTS = [
    # email, first, last, group, is_staff, is_superuser
    ("holder@example.org", "Harriet", "Holder", None, False, False),
    ("lapsed@example.org", "Leo", "Lapsed", None, False, False),
    ("staff@example.org", "Sam", "Staff", roles.AASC_STAFF, True, False),
    ("reviewer@example.org", "Rita", "Reviewer", roles.NAAEI_REVIEWER, False, False),
    ("admin@example.org", "Ada", "Admin", None, True, True),
]

PROFILES = {
    "holder@example.org": {
        "phone": "(719) 555-0142",
        "address_line1": "1200 Pikes Peak Ave",
        "address_line2": "Apt 4B",
        "city": "Colorado Springs",
        "state": "CO",
        "postal_code": "80903",
        "employer": "Garden of the Gods Apartments",
        "job_title": "Community Manager",
    },
    "lapsed@example.org": {
        "phone": "(719) 555-0199",
        "address_line1": "45 Academy Blvd",
        "city": "Colorado Springs",
        "state": "CO",
        "postal_code": "80910",
        "employer": "Cheyenne Mountain Residences",
        "job_title": "Leasing Professional",
    },
}


def demo_user(email) -> User:
    return User.objects.get(email=email)


def load(stdout=None):
    for email, first, last, group, is_staff, is_superuser in ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "is_staff": is_staff,
                "is_superuser": is_superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if group:
            user.groups.add(Group.objects.get(name=group))
        _verify_email(user)
        if email in PROFILES:
            ContactProfile.objects.get_or_create(user=user, defaults=PROFILES[email])


def _verify_email(user):
    # allauth requires a verified address to sign in; demo addresses are verified.
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
