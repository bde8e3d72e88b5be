import datetime as dt
from decimal import Decimal

import factory

from cec.models import Attendance, Category, ClassSession, Course, EntryState, LedgerEntry, Source

from .credentials import HolderFactory, StaffFactory

__all__ = [
    "AttendanceFactory",
    "ClassSessionFactory",
    "CourseFactory",
    "LedgerEntryFactory",
]


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Fair Housing Essentials {n}")
    description = "What every leasing professional must know."
    category = Category.AASC_CLASS
    in_network = True


class ClassSessionFactory(factory.django.DjangoModelFactory):
    """A 9:00–12:00 class with a 30-minute break: 2.5 CECs, computed on save."""

    class Meta:
        model = ClassSession

    course = factory.SubFactory(CourseFactory)
    instructor = "Pat Instructor"
    date = dt.date(2026, 3, 12)
    start_time = dt.time(9, 0)
    end_time = dt.time(12, 0)
    break_minutes = 30
    location = "AASC Training Center, Colorado Springs"


class AttendanceFactory(factory.django.DjangoModelFactory):
    """A bare attendance row; use cec.services.ledger.record_attendance for a real one."""

    class Meta:
        model = Attendance

    session = factory.SubFactory(ClassSessionFactory)
    holder = factory.SubFactory(HolderFactory)
    recorded_by = factory.SubFactory(StaffFactory)


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    """A credited in-network entry; set participation=True, state=... as needed."""

    class Meta:
        model = LedgerEntry

    holder = factory.SubFactory(HolderFactory)
    earned_on = dt.date(2026, 4, 2)
    hours = Decimal("2.00")
    title = factory.Sequence(lambda n: f"Activity {n}")
    source = Source.AASC_CLASS
    in_network = True
    participation = False
    state = EntryState.CREDITED
