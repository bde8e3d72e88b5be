"""Seed the NAAEI catalog, the requirement sets (SPEC.md table), the two roles and the
FAQ content of the office's page. All of it is data that staff edit in admin."""

from decimal import Decimal

from django.db import migrations

CATALOG = [
    # code, name, formerly, renews, fee (cents), (owed, min in-network) up to 2021, from 2022
    ("CAM", "Certified Apartment Manager", "", True, 15000, ("6", "0"), ("8", "5")),
    ("CAPS", "Certified Apartment Portfolio Supervisor", "", True, 10000, ("6", "0"), ("8", "5")),
    ("CALP", "Certified Apartment Leasing Professional", "NALP", True, 7500, ("3", "0"), ("5", "3")),
    ("CAS", "Certified Apartment Supplier", "", True, 7500, ("3", "0"), ("5", "3")),
    ("AIME", "AIME membership (open to CAMT holders)", "", True, 5000, ("3", "0"), ("5", "3")),
    ("CAMT", "Certificate for Apartment Maintenance Technicians", "", False, 0, None, None),
]

FAQ = [
    (
        "What do I need to do to renew my credential?",
        "Renewal has four steps, all in this portal:\n\n1. Update your contact information.\n"
        "2. Pay your renewal invoice online with a credit or debit card.\n"
        "3. Check your CEC status.\n4. Submit your outstanding CECs online for NAAEI approval.",
    ),
    (
        "What is a CEC?",
        "A continuing education credit (CEC) is one hour of continuing education, with meals "
        "and breaks excluded.",
    ),
    (
        "Which year's CECs count for my renewal?",
        "All CECs for a renewal must be earned in the previous calendar year. For example, for "
        "the 2020 renewal you report CECs earned during 2019; CECs earned in 2018 are not "
        "accepted.",
    ),
    (
        "How many CECs do I need?",
        "Your renewal invoice states the number of CECs you owe. If you hold several NAAEI "
        "credentials you may use the same CECs for all of them and for AIME: you owe the "
        "largest requirement among them, not the sum.",
    ),
    (
        "How do CECs from AASC classes get to my account?",
        "After each AASC class, the CEC is added to your personal online portal, where you can "
        "download its certificate and track it at any time.",
    ),
    (
        "What about Expo classes, committee service or volunteering?",
        "Fill in a CEC Reporting Form for them. The AASC office verifies and signs it; once it "
        "is signed, submit it online for NAAEI approval together with your other CECs.",
    ),
    (
        "Can I send my CECs in several parts?",
        "No. Please submit the entire number of CECs required in one submission so that they "
        "are recorded accurately.",
    ),
]


def seed(apps, schema_editor):
    CredentialType = apps.get_model("credentials", "CredentialType")
    RequirementSet = apps.get_model("credentials", "RequirementSet")
    Group = apps.get_model("auth", "Group")
    FaqEntry = apps.get_model("credentials", "FaqEntry")
    OfficeContact = apps.get_model("credentials", "OfficeContact")

    for code, name, formerly, renews, fee, old, new in CATALOG:
        ctype, _ = CredentialType.objects.get_or_create(
            code=code, defaults={"name": name, "formerly": formerly, "renews_annually": renews}
        )
        if not renews:
            continue
        for first, last, (owed, minimum), cap in [
            (2000, 2021, old, None),
            (2022, None, new, Decimal("2")),
        ]:
            RequirementSet.objects.get_or_create(
                credential_type=ctype,
                first_year=first,
                defaults={
                    "last_year": last,
                    "cecs_owed": Decimal(owed),
                    "in_network_min": Decimal(minimum),
                    "participation_cap": cap,
                    "annual_fee_cents": fee,
                    "reinstatement_fee_cents": 5000,
                },
            )

    for name in ("AASC staff", "NAAEI reviewer"):
        Group.objects.get_or_create(name=name)

    if not FaqEntry.objects.exists():
        for position, (question, answer) in enumerate(FAQ):
            FaqEntry.objects.create(question=question, answer=answer, position=position)

    if not OfficeContact.objects.exists():
        OfficeContact.objects.create(
            name="Apartment Association of Southern Colorado (AASC)",
            city_line="Colorado Springs, CO",
            notes="For any questions regarding the renewal process or credentials please "
            "contact the AASC Office.",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("credentials", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
