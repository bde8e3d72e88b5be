import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from credentials import roles
from credentials.models import (
    ContactProfile,
    Credential,
    CredentialType,
    Renewal,
    RenewalCredential,
    RequirementSet,
    User,
)

__all__ = [
    "ContactProfileFactory",
    "CredentialFactory",
    "CredentialTypeFactory",
    "HolderFactory",
    "RenewalCredentialFactory",
    "RenewalFactory",
    "RequirementSetFactory",
    "ReviewerFactory",
    "StaffFactory",
    "SuperuserFactory",
    "UserFactory",
    "credential_type",
]

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )
            obj.save()


class HolderFactory(UserFactory):
    """A credential holder: an ordinary user with a complete contact profile."""

    profile = factory.RelatedFactory("tests.factories.credentials.ContactProfileFactory", "user")


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=roles.AASC_STAFF))


class SuperuserFactory(UserFactory):
    """The office's administrator: every permission, no group needed."""

    is_staff = True
    is_superuser = True


class ReviewerFactory(UserFactory):
    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=roles.NAAEI_REVIEWER))


class ContactProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactProfile
        django_get_or_create = ["user"]

    user = factory.SubFactory(UserFactory)
    phone = "(719) 555-0100"
    address_line1 = factory.Faker("street_address")
    city = "Colorado Springs"
    state = "CO"
    postal_code = "80903"
    employer = factory.Faker("company")
    job_title = "Community Manager"


def credential_type(code) -> CredentialType:
    """The seeded catalog entry (migrations seed CAM, CAPS, CALP, CAS, AIME, CAMT)."""
    return CredentialType.objects.get(code=code)


class CredentialTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CredentialType
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.LazyAttribute(lambda o: f"Test credential {o.code}")


class RequirementSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequirementSet

    credential_type = factory.SubFactory(CredentialTypeFactory)
    first_year = 2022
    cecs_owed = Decimal("8")
    in_network_min = Decimal("5")
    participation_cap = Decimal("2")
    annual_fee_cents = 15000


class CredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credential

    holder = factory.SubFactory(HolderFactory)
    credential_type = factory.LazyFunction(lambda: credential_type("CAM"))
    number = factory.Sequence(lambda n: f"C{100000 + n}")
    earned_on = dt.date(2019, 5, 1)
    valid_through = dt.date(2026, 12, 31)


class RenewalFactory(factory.django.DjangoModelFactory):
    """A bare renewal row; use credentials.services.renewals to issue real ones."""

    class Meta:
        model = Renewal

    holder = factory.SubFactory(HolderFactory)
    year = 2027
    cecs_owed = Decimal("8")
    in_network_min = Decimal("5")
    participation_cap = Decimal("2")
    governing_type = factory.LazyFunction(lambda: credential_type("CAM"))
    due_on = factory.LazyAttribute(lambda o: dt.date(o.year, 1, 1))
    grace_ends_on = factory.LazyAttribute(lambda o: dt.date(o.year, 3, 31))


class RenewalCredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RenewalCredential

    renewal = factory.SubFactory(RenewalFactory)
    credential = factory.SubFactory(
        CredentialFactory, holder=factory.SelfAttribute("..renewal.holder")
    )
    cecs_owed = Decimal("8")
    in_network_min = Decimal("5")
    participation_cap = Decimal("2")
    fee_cents = 15000
