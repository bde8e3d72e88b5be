"""A demo Expo with sessions today (idempotent), for Expo check-in by QR code.

The demo holder opens /me/checkin/ (holder@example.org); in a second browser window
staff@example.org opens /checkin/, picks a session and scans the code with a camera or
types it. Loading again on a later day stretches the event and adds that day's sessions,
so there is always something to check in to today.
"""

import datetime as dt

from django.utils import timezone

from cec.models import Category, ClassSession, Course, Event

T = dt.time

EVENT_NAME = "AASC Education Conference & Expo (demo)"
LOCATION = "Broadmoor Hall, Colorado Springs"
DEMO_MARGIN_MINUTES = 720

COURSES = {
    # title: (in_network, description)
    "Expo: Marketing Trends": (False, "An Expo class from an outside speaker."),
    "Expo: Fair Housing Update": (True, "An AASC Expo class taught by AASC faculty."),
    "Expo: Smart Home Technology": (False, "Vendor-led Expo session."),
}

# course, start, end, meals and breaks (minutes)
DAY_SESSIONS = [
    ("Expo: Fair Housing Update", T(9), T(11, 30), 30),
    ("Expo: Marketing Trends", T(13), T(14, 30), 0),
    ("Expo: Smart Home Technology", T(15), T(16), 0),
]


def load(stdout=None):
    today = timezone.localdate()
    event = Event.objects.filter(name=EVENT_NAME).first()
    if event is None:
        event = Event.objects.create(
            name=EVENT_NAME,
            starts_on=today,
            ends_on=today + dt.timedelta(days=1),
            location=LOCATION,
            description="The yearly Expo: classes, vendors and the awards lunch.",
            # The demo is tried at any hour: its sessions stay open for check-in all day.
            checkin_margin_minutes=DEMO_MARGIN_MINUTES,
        )
    elif not event.is_on(today) or event.checkin_margin_minutes != DEMO_MARGIN_MINUTES:
        event.starts_on = min(event.starts_on, today)
        event.ends_on = max(event.ends_on, today + dt.timedelta(days=1))
        event.checkin_margin_minutes = DEMO_MARGIN_MINUTES
        event.save(update_fields=["starts_on", "ends_on", "checkin_margin_minutes"])
    courses = {}
    for title, (in_network, description) in COURSES.items():
        courses[title], _ = Course.objects.get_or_create(
            title=title,
            defaults={
                "category": Category.EXPO_CLASS,
                "in_network": in_network,
                "description": description,
            },
        )
    created = 0
    for title, start, end, breaks in DAY_SESSIONS:
        _, new = ClassSession.objects.get_or_create(
            course=courses[title],
            event=event,
            date=today,
            defaults={
                "start_time": start,
                "end_time": end,
                "break_minutes": breaks,
                "instructor": "Expo faculty",
                "location": LOCATION,
                "capacity": 120,
            },
        )
        created += new
    if stdout is not None:
        stdout.write(
            f"Expo check-in: {event.name}, {created} new sessions today; "
            "check in at /checkin/ (staff), codes at /me/checkin/ (holders)."
        )
