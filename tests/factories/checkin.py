"""Factories for Expo check-in: events and their sessions."""

import datetime as dt

import factory

from cec.models import Category, Event

from .cec import ClassSessionFactory, CourseFactory

__all__ = ["EventFactory", "ExpoCourseFactory", "ExpoSessionFactory"]

EXPO_DAY = dt.date(2026, 9, 24)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"AASC Expo {n}")
    starts_on = EXPO_DAY
    ends_on = EXPO_DAY + dt.timedelta(days=1)
    location = "Broadmoor Hall, Colorado Springs"


class ExpoCourseFactory(CourseFactory):
    title = factory.Sequence(lambda n: f"Expo: Marketing Trends {n}")
    category = Category.EXPO_CLASS
    in_network = False


class ExpoSessionFactory(ClassSessionFactory):
    """A 10:00–11:30 Expo class with no break: 1.5 CECs, on the event's first day."""

    course = factory.SubFactory(ExpoCourseFactory)
    event = factory.SubFactory(EventFactory)
    date = factory.SelfAttribute("event.starts_on")
    start_time = dt.time(10, 0)
    end_time = dt.time(11, 30)
    break_minutes = 0
    instructor = "Expo faculty"
