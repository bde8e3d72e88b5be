"""The reviewer queue costs the same queries with 1 submission waiting as with 50 (a page
and more), on its first page, on a later page reached by key and with filters (issue 19);
and the keyset pages visit every waiting submission once, oldest first."""

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from cec.models import Submission
from tests.perf.test_query_counts import client_for, get_ok, waiting_submissions

pytestmark = pytest.mark.django_db


def waiting(count):
    """`count` submissions waiting, all submitted at the same moment a month ago: the
    order then rests on the id alone, the hard case for pages read by key."""
    waiting_submissions(count)
    Submission.objects.update(submitted_at=timezone.now() - dt.timedelta(days=30))


# 2 the framework's (session; the user with its roles, credentials.backends), 1 the
# reviewer permission (its group's; none of its own, known with the user), 1 the
# credential choices of the filters, 1 the count, 1 the page of submissions with holder
# and renewal, 1 the page's credential codes.
REVIEW_QUEUE = 7
# After a first view the filter's credential types are kept while the catalog's version
# stays (credentials.catalog_reads): one query fewer, however many wait.
REVIEW_QUEUE_AGAIN = REVIEW_QUEUE - 1
QUEUE = reverse("review:queue")


def next_link(response):
    found = re.search(r'href="\?([^"]*)"[^>]*>Next<', response.content.decode())
    return found and found.group(1).replace("&amp;", "&")


def previous_link(response):
    found = re.search(r'href="\?([^"]*)"[^>]*>Previous<', response.content.decode())
    return found and found.group(1).replace("&amp;", "&")


@pytest.mark.parametrize("count", [1, 50, 120])
def test_the_first_page_costs_the_same_queries_however_many_wait(
    client, reviewer, django_assert_num_queries, count
):
    waiting(count)
    client_for(client, reviewer)
    with django_assert_num_queries(REVIEW_QUEUE):
        response = get_ok(client, QUEUE)
    assert response.context["page"].count == count
    assert len(response.context["submissions"]) == min(count, 50)
    first = Submission.objects.order_by("submitted_at", "pk").first()
    assert f'href="{reverse("review:detail", args=[first.pk])}"' in response.content.decode()


@pytest.mark.parametrize(
    "filters", [{}, {"age": "7"}, {"credential": "CAM"}, {"year": "2027"}, {"state": "all"}]
)
def test_a_later_page_costs_the_same_queries_as_the_first(
    client, reviewer, django_assert_num_queries, filters
):
    waiting(120)
    client_for(client, reviewer)
    first = get_ok(client, f"{QUEUE}?{urlencode(filters)}")
    link = next_link(first)
    assert link
    with django_assert_num_queries(REVIEW_QUEUE_AGAIN):
        second = get_ok(client, f"{QUEUE}?{link}")
    assert len(second.context["submissions"]) == 50
    with django_assert_num_queries(REVIEW_QUEUE_AGAIN):
        get_ok(client, f"{QUEUE}?{previous_link(second)}")


def test_next_links_visit_every_waiting_submission_once_oldest_first(client, reviewer):
    waiting(120)
    client_for(client, reviewer)
    seen, url, pages = [], QUEUE, []
    while url:
        response = get_ok(client, url)
        pages.append([s.pk for s in response.context["submissions"]])
        seen += pages[-1]
        link = next_link(response)
        url = link and f"{QUEUE}?{link}"
    expected = list(Submission.objects.order_by("submitted_at", "pk").values_list("pk", flat=True))
    assert seen == expected
    assert [len(page) for page in pages] == [50, 50, 20]
    # Previous from the third page shows the second, and from the second the first.
    second = get_ok(client, f"{QUEUE}?{next_link(get_ok(client, QUEUE))}")
    third = get_ok(client, f"{QUEUE}?{next_link(second)}")
    back = get_ok(client, f"{QUEUE}?{previous_link(third)}")
    assert [s.pk for s in back.context["submissions"]] == pages[1]
    back = get_ok(client, f"{QUEUE}?{previous_link(back)}")
    assert [s.pk for s in back.context["submissions"]] == pages[0]
    assert previous_link(back) is None


@pytest.mark.parametrize(
    "cursor", ["nonsense", "2026-01-01~x", "~5", "2026-13-01T00:00~1", "9" * 40]
)
def test_a_bad_cursor_gives_the_first_page(client, reviewer, cursor):
    waiting(3)
    client_for(client, reviewer)
    for key in ("after", "before"):
        response = get_ok(client, f"{QUEUE}?{urlencode({key: cursor})}")
        assert len(response.context["submissions"]) == 3
