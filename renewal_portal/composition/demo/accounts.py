"""Demo accounts for every role (password renew-demo-2026), the demo holders'
credentials and renewals. Idempotent."""

import datetime as dt

from django.contrib.auth.models import Group

from credentials import roles, rules
from credentials.models import ContactProfile, Credential, CredentialType, User
from credentials.services.renewals import issue_renewal_for, lapse_overdue_credentials
from renewal_portal.infra.history import save_with_history

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


# email, code, number, earned on, valid through
CREDENTIALS = [
    ("holder@example.org", "CAM", "CAM-104522", dt.date(2019, 6, 14), dt.date(2026, 12, 31)),
    ("holder@example.org", "CALP", "CALP-208811", dt.date(2021, 3, 2), dt.date(2026, 12, 31)),
    # Renewed last for 2024 and never again: in grace until 31 March 2025, lapsed after.
    ("lapsed@example.org", "CALP", "CALP-199407", dt.date(2018, 5, 10), dt.date(2024, 12, 31)),
]
DEMO_RENEWAL_YEAR = 2027


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
    _load_credentials_and_renewals()


def _load_credentials_and_renewals():
    for email, code, number, earned_on, valid_through in CREDENTIALS:
        credential = Credential.objects.filter(number=number).first()
        if credential is None:
            credential = Credential(
                holder=demo_user(email),
                credential_type=CredentialType.objects.get(code=code),
                number=number,
                earned_on=earned_on,
                valid_through=valid_through,
            )
            save_with_history(credential, by=None, why="Entered from the AASC office's records")
    # The lapse is recorded the way the daily task records it, the day after grace ended,
    # so the credential's history shows when and why.
    lapsed = demo_user("lapsed@example.org")
    lapse_overdue_credentials(on=dt.date(2025, 4, 1), holder_ids=[lapsed.pk])
    # The 2027 renewals, as issued when the season opened on 1 November 2026: CAM + CALP
    # owe 8 CECs; the lapsed CALP is reinstated, so its invoice adds the reinstatement fee.
    season_opens = rules.renewal_calendar(DEMO_RENEWAL_YEAR).opens_on
    for email in ("holder@example.org", "lapsed@example.org"):
        issue_renewal_for(demo_user(email), DEMO_RENEWAL_YEAR, on=season_opens)


def _verify_email(user):
    # allauth requires a verified address to sign in; demo addresses are verified.
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
