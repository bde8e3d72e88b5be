"""Hostile ids (issue 15 item 15): an id too big for the database, negative, not a number
or another holder's, in any choice field, URL or admin parameter, answers a form error,
a 404 or a message, never a server error (it was a 500 on SQLite: integer overflow)."""

import datetime as dt

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cec.models import LedgerEntry, Submission, SubmissionState
from cec.services.ledger import record_attendance
from tests.factories import StaffFactory
from tests.security.world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.clock(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC))]

HUGE = "99999999999999999999"
HOSTILE = [
    HUGE,
    "-" + HUGE,
    "9223372036854775808",  # one past the largest 64-bit integer
    "-1",
    "0",
    "abc",
    "1e5",
    "1.0",
    "0x10",
    "٣",  # an Arabic-Indic digit: int() reads it as 3
    " 7",
    "1 OR 1=1",
    "",
]


@pytest.fixture
def world():
    return build_world()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


# --- The holder's submission ------------------------------------------------------------------


@pytest.fixture
def holder_b_client(world):
    # Holder B has an entry of their own to submit, so the choice field has a queryset.
    record_attendance(world.session, world.holder_b, by=world.staff)
    return client_for(world.holder_b)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_entry_id_in_the_submission_is_a_form_error(world, holder_b_client, hostile):
    response = holder_b_client.post(reverse("cec_submission:start"), {"entries": [hostile]})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Submission.objects.filter(renewal__holder=world.holder_b).exists()


def test_another_holders_entry_cannot_be_submitted(world, holder_b_client):
    url = reverse("cec_submission:start")
    response = holder_b_client.post(url, {"entries": [str(world.entry.pk)]})
    assert response.status_code == 200
    assert "cannot be submitted" in response.content.decode()
    assert LedgerEntry.objects.get(pk=world.entry.pk).holder == world.holder_a


# --- The reviewer's queue ---------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_submission_id_in_bulk_approval_changes_nothing(world, hostile):
    client = client_for(world.reviewer)
    response = client.post(
        reverse("review:approve_several"), {"submissions": [hostile], "confirm": "on"}
    )
    assert response.status_code in (200, 302)
    world.submission.refresh_from_db()
    assert world.submission.state == SubmissionState.SUBMITTED


# --- Admin ----------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_session_or_holder_id_in_the_attendance_form_is_a_form_error(world, hostile):
    client = client_for(world.staff)
    response = client.post(
        reverse("admin:cec_attendance_add"),
        {"session": hostile, "holder": str(world.holder_b.pk)},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    response = client.post(
        reverse("admin:cec_attendance_add"),
        {"session": str(world.session.pk), "holder": hostile},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors


@pytest.mark.parametrize("hostile", [HUGE, "-" + HUGE, "abc", "٣"])
def test_a_hostile_session_id_in_the_roster_import_is_a_form_error(world, hostile):
    client = client_for(world.staff)
    response = client.get(reverse("admin:cec_attendance_import") + f"?session={hostile}")
    assert response.status_code == 200
    response = client.post(
        reverse("admin:cec_attendance_process_import"),
        {"session": hostile, "import_file_name": "x.csv", "original_file_name": "x.csv"},
    )
    assert response.status_code in (200, 302)


def _admin_models():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_every_admin_list_takes_a_hostile_id_filter_and_selection(world):
    client = client_for(StaffFactory(email="root@example.org", is_superuser=True))
    for model, _model_admin in _admin_models():
        info = model._meta.app_label, model._meta.model_name
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        for hostile in (HUGE, "-" + HUGE, "abc"):
            response = client.get(changelist, {"id__in": hostile})
            assert response.status_code in (200, 302), (model, hostile)
            response = client.get(changelist, {"id__exact": hostile})
            assert response.status_code in (200, 302), (model, hostile)
            response = client.post(
                changelist,
                {"action": "delete_selected", "_selected_action": [hostile], "index": "0"},
            )
            assert response.status_code in (200, 302), (model, hostile)
            change = reverse("admin:{}_{}_change".format(*info), args=[hostile])
            response = client.get(change)
            assert response.status_code in (302, 404), (model, hostile)


# --- Ids in URLs ------------------------------------------------------------------------------


def _int_urls(resolver=None, prefix=""):
    """Every portal URL with an integer in it (outside admin), the integer made huge."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin"):
                continue
            yield from _int_urls(pattern, prefix + route)
        elif isinstance(pattern, URLPattern) and "<int:" in route:
            path = prefix + route
            while "<" in path:
                start, end = path.index("<"), path.index(">")
                kind = path[start + 1 : end].split(":")[0]
                path = path[:start] + (HUGE if kind == "int" else "X-1") + path[end + 1 :]
            yield "/" + path.lstrip("^").rstrip("$")


def test_the_url_list_covers_the_portals_id_urls():
    urls = list(_int_urls())
    assert any("/forms/" in url for url in urls)
    assert any("/review/" in url for url in urls)
    assert any("/checkin/" in url for url in urls)
    assert any("transcript" in url for url in urls)


@pytest.mark.parametrize("role", ["holder_a", "staff", "reviewer"])
def test_a_huge_id_in_any_url_is_not_found(world, role):
    client = client_for(getattr(world, role))
    for url in _int_urls():
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 400, 403, 404, 405), (role, url, response)


# --- The field class and the lookup -----------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_id_choice_field_refuses_anything_but_a_plain_id(world, hostile):
    from renewal_portal.infra.ids import IdModelChoiceField, IdModelMultipleChoiceField

    single = IdModelChoiceField(queryset=LedgerEntry.objects.all(), required=False)
    several = IdModelMultipleChoiceField(queryset=LedgerEntry.objects.all(), required=False)
    if hostile == "":
        assert single.clean(hostile) is None
        return
    for field, value in ((single, hostile), (several, [hostile])):
        with pytest.raises(ValidationError):
            field.clean(value)
    assert single.clean(str(world.entry.pk)) == world.entry


def test_an_in_query_with_values_no_column_holds_matches_nothing(world):
    assert not LedgerEntry.objects.filter(pk__in=[HUGE, "-" + HUGE, "abc"]).exists()
    assert list(LedgerEntry.objects.filter(pk__in=[HUGE, world.entry.pk])) == [world.entry]
