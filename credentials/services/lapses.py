"""The end of grace (SPEC rule 9): credentials not renewed by then lapse, with the reason
recorded, and each holder is told once.

Recording the lapse (lapsed_on, lapse_reason, the history record and the reinstatement
fee on an open invoice) is credentials.services.renewals.lapse_overdue_credentials; this
module runs it for the daily task and then emails the holders whose credentials lapsed.
The email is derived from the records, not from what this run did, so a run that died
between the two steps is made good by the next one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse

from credentials import rules, selectors
from credentials.models import Credential, OutboxMessage, Renewal
from credentials.notifications import queue_message
from credentials.services import renewals

# Lapses older than this are history (imported records, a schedule switched on late):
# nobody is told about them by email any more.
NOTICE_WINDOW = dt.timedelta(days=14)


@dataclass
class LapseSummary:
    on: dt.date
    lapsed: int = 0
    notified: list[str] = field(default_factory=list)  # dedupe keys of new notices

    def __str__(self):
        return (
            f"{self.lapsed} credential(s) lapsed, {len(self.notified)} holder(s) notified "
            f"on {self.on:%Y-%m-%d}."
        )


def lapse_notice_key(holder_id, lapsed_on: dt.date) -> str:
    return f"credential_lapsed:{holder_id}:{lapsed_on.isoformat()}"


def lapse_overdue_credentials(on: dt.date | None = None, *, by=None) -> LapseSummary:
    """Lapse every credential whose grace ended unrenewed by `on` and email each holder
    once about the credentials that lapsed on the same day."""
    on = on or selectors.today()
    summary = LapseSummary(on=on)
    summary.lapsed = renewals.lapse_overdue_credentials(on, by=by)
    summary.notified = notify_lapses(on)
    return summary


def notify_lapses(on: dt.date) -> list[str]:
    """Queue the "credential_lapsed" email for lapses of the last NOTICE_WINDOW not told yet."""
    recent = (
        Credential.objects.filter(lapsed_on__lte=on, lapsed_on__gte=on - NOTICE_WINDOW)
        .select_related("holder", "credential_type")
        .order_by("holder_id", "credential_type__code")
    )
    groups = defaultdict(list)
    for credential in recent:
        groups[(credential.holder_id, credential.lapsed_on)].append(credential)
    keys = {lapse_notice_key(*group): group for group in groups}
    already = set(
        OutboxMessage.objects.filter(dedupe_key__in=list(keys)).values_list("dedupe_key", flat=True)
    )
    queued = []
    for key, (holder_id, lapsed_on) in keys.items():
        if key in already:
            continue
        credentials = groups[(holder_id, lapsed_on)]
        if _queue_lapse_notice(key, credentials, lapsed_on):
            queued.append(key)
    return queued


@transaction.atomic
def _queue_lapse_notice(key, credentials, lapsed_on) -> bool:
    holder = credentials[0].holder
    # The renewal that would have kept it.
    renewal_year = rules.renewal_year_of_credential(credentials[0].valid_through)
    renewal = Renewal.objects.filter(holder=holder, year=renewal_year).first()
    message = queue_message(
        holder=holder,
        kind="credential_lapsed",
        dedupe_key=key,
        renewal=renewal,
        context={
            "credentials": credentials,
            "lapsed_on": lapsed_on,
            "reason": credentials[0].lapse_reason,
            "renewal_year": renewal_year,
            "renewal_url": reverse("credentials:renewal"),
            "credentials_url": reverse("credentials:credentials"),
        },
    )
    return message is not None
