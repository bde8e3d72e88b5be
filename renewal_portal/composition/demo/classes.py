"""Demo classes across 2025 and 2026 (idempotent).

holder@example.org attended AASC classes in 2026, which count toward their 2027
renewal, and in 2025, which do not; December 2026 sessions are still open to close the
gap. Attendance goes through the ledger service, so entries and certificates are real.
"""

import datetime as dt

from django.utils import timezone

from cec.models import Category, ClassSession, Course
from cec.services.ledger import record_attendance
from credentials.models import User

T = dt.time

COURSES = {
    # title: (category, in_network, description)
    "Fair Housing Essentials": (
        Category.AASC_CLASS,
        True,
        "Federal, state and local fair housing law for leasing and management teams.",
    ),
    "Resident Retention Strategies": (
        Category.AASC_CLASS,
        True,
        "Keeping good residents: service, renewals and communication.",
    ),
    "Maintenance Safety First": (
        Category.AASC_CLASS,
        True,
        "OSHA basics, lockout/tagout and safe work orders for service teams.",
    ),
    "Financial Management for Apartment Communities": (
        Category.AASC_CLASS,
        True,
        "Budgets, variance reports and the owner's statement.",
    ),
    "Leasing Legal Update": (
        Category.AASC_CLASS,
        True,
        "What changed this year in Colorado landlord-tenant law.",
    ),
    "Expo: Marketing Trends": (
        Category.EXPO_CLASS,
        False,
        "An Expo class; holders report it on a CEC Reporting Form.",
    ),
    "NAAEI Online: Risk Management": (
        Category.NAAEI_COURSE,
        True,
        "NAAEI-approved online course.",
    ),
}

LOCATION = "AASC Training Center, 2150 Garden of the Gods Rd, Colorado Springs"

SESSIONS = [
    # course, date, start, end, break minutes, instructor
    ("Fair Housing Essentials", dt.date(2025, 3, 13), T(9), T(12), 30, "Dana Ortiz"),
    ("Resident Retention Strategies", dt.date(2025, 6, 10), T(13), T(16), 0, "Lee Chen"),
    ("Maintenance Safety First", dt.date(2025, 9, 18), T(8, 30), T(12), 15, "Sam Patel"),
    ("Fair Housing Essentials", dt.date(2026, 3, 12), T(9), T(12), 30, "Dana Ortiz"),
    ("Leasing Legal Update", dt.date(2026, 5, 14), T(9), T(11), 0, "Jordan Reyes, Esq."),
    (
        "Financial Management for Apartment Communities",
        dt.date(2026, 8, 20),
        T(8, 30),
        T(16, 30),
        60,
        "Morgan Blake",
    ),
    ("Expo: Marketing Trends", dt.date(2026, 9, 24), T(10), T(11), 0, "Expo faculty"),
    ("Resident Retention Strategies", dt.date(2026, 10, 8), T(13), T(14, 30), 0, "Lee Chen"),
    ("Maintenance Safety First", dt.date(2026, 12, 3), T(9), T(12), 15, "Sam Patel"),
    ("Fair Housing Essentials", dt.date(2026, 12, 10), T(13), T(16), 0, "Dana Ortiz"),
    ("Leasing Legal Update", dt.date(2027, 2, 11), T(9), T(11), 0, "Jordan Reyes, Esq."),
]

ATTENDED = {
    "holder@example.org": [
        ("Fair Housing Essentials", dt.date(2025, 3, 13)),
        ("Resident Retention Strategies", dt.date(2025, 6, 10)),
        ("Fair Housing Essentials", dt.date(2026, 3, 12)),
        ("Leasing Legal Update", dt.date(2026, 5, 14)),
        ("Resident Retention Strategies", dt.date(2026, 10, 8)),
    ],
    "lapsed@example.org": [
        ("Maintenance Safety First", dt.date(2025, 9, 18)),
    ],
}


def load(stdout=None):
    courses = {}
    for title, (category, in_network, description) in COURSES.items():
        courses[title], _ = Course.objects.get_or_create(
            title=title,
            defaults={"category": category, "in_network": in_network, "description": description},
        )
    sessions = {}
    for title, date, start, end, breaks, instructor in SESSIONS:
        session = ClassSession.objects.filter(course=courses[title], date=date).first()
        if session is None:
            session = ClassSession.objects.create(
                course=courses[title],
                date=date,
                start_time=start,
                end_time=end,
                break_minutes=breaks,
                instructor=instructor,
                location=LOCATION,
                capacity=40,
            )
        sessions[title, date] = session
    clerk = User.objects.filter(email="staff@example.org").first()
    credited = 0
    for email, attended in ATTENDED.items():
        holder = User.objects.filter(email=email).first()
        if holder is None:
            continue
        for key in attended:
            session = sessions[key]
            if session.date <= timezone.localdate():
                record_attendance(session, holder, by=clerk)
                credited += 1
    if stdout is not None:
        stdout.write(
            f"Classes: {len(courses)} courses, {len(sessions)} sessions, "
            f"{credited} attendances on record."
        )
