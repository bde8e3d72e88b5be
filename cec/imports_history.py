"""The CEC history import: CECs holders earned before the portal, from the office's records.

One row per CEC activity: the holder (email or member ID), the date, the title, the hours,
the kind (AASC class, in-network, other, participation), where it came from, and the
evidence reference the office holds. Rows are matched to entries imported before by
holder, date and title, so importing the same file again changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from import_export import fields

from cec.models import EntryState, LedgerEntry, Source, Submission
from cec.services.imported_history import save_imported_entries
from credentials import rules
from credentials.imports import registry
from credentials.imports.base import RowProblems, SpreadsheetResource, changed_values
from credentials.imports.files import parse_date, parse_hours, text
from credentials.imports.records import HOLDER_COLUMNS, HolderLookup
from credentials.models import ImportBatch

CEC_COLUMNS = {
    "email": HOLDER_COLUMNS["email"],
    "member_id": HOLDER_COLUMNS["member_id"],
    "earned_on": (
        "Date",
        "earned on",
        "date earned",
        "completed",
        "date completed",
        "completion date",
        "class date",
        "activity date",
    ),
    "title": ("Title", "course", "class", "course title", "class title", "activity", "description"),
    "hours": ("Hours", "cec", "cecs", "cec hours", "credits", "credit hours", "ceus", "ceu"),
    "kind": ("Kind", "type", "cec type", "credit type", "category"),
    "provider": ("Source", "provider", "sponsor", "offered by"),
    "evidence_reference": (
        "Evidence",
        "evidence reference",
        "certificate",
        "certificate number",
        "reference",
        "ref",
    ),
    "verified": ("Verified", "status", "verified by office"),
}

# kind as the office writes it -> (in_network, participation)
KINDS = {
    "aasc class": (True, False),
    "aasc": (True, False),
    "class": (True, False),
    "in network": (True, False),
    "in-network": (True, False),
    "network": (True, False),
    "other": (False, False),
    "out of network": (False, False),
    "out-of-network": (False, False),
    "participation": (False, True),
    "committee": (False, True),
    "volunteering": (False, True),
}

VERIFIED_WORDS = {"", "yes", "y", "true", "1", "verified", "approved", "x"}
PENDING_WORDS = {"no", "n", "false", "0", "pending", "unverified", "not verified"}
LOCKED = rules.LOCKED_STATES


class CecHistoryResource(HolderLookup, SpreadsheetResource):
    """One ledger entry per row; the holder is named as in the credentials import."""

    COLUMNS = CEC_COLUMNS
    REQUIRED = (("email", "member_id"), ("earned_on",), ("title",), ("hours",), ("kind",))

    email = fields.Field(attribute="holder__email", column_name="Email")
    member_id = fields.Field(attribute="holder__profile__member_id", column_name="Member ID")
    earned_on = fields.Field(attribute="earned_on", column_name="Date")
    title = fields.Field(attribute="title", column_name="Title")
    hours = fields.Field(attribute="hours", column_name="Hours")
    kind = fields.Field(column_name="Kind")
    provider = fields.Field(attribute="provider", column_name="Source")
    evidence_reference = fields.Field(attribute="evidence_reference", column_name="Evidence")
    verified = fields.Field(column_name="Verified")

    class Meta(SpreadsheetResource.Meta):
        model = LedgerEntry
        fields = (
            "email",
            "member_id",
            "earned_on",
            "title",
            "hours",
            "kind",
            "provider",
            "evidence_reference",
            "verified",
        )
        export_order = fields

    def get_queryset(self):
        return LedgerEntry.objects.filter(source=Source.IMPORTED).select_related("holder__profile")

    def dehydrate_kind(self, entry):
        return entry.credit_kind.label

    def dehydrate_verified(self, entry):
        return "No" if entry.state == EntryState.PENDING_VERIFICATION else "Yes"

    def preload(self, rows):
        self.preload_holders(rows)
        self.entries = {
            (e.holder_id, e.earned_on, e.title.casefold()): e
            for e in LedgerEntry.objects.filter(
                holder_id__in=self.holder_ids, source=Source.IMPORTED
            )
        }

    def build(self, row, line):
        problems: dict[str, list[str]] = {}
        holder = self.holder_of(row, problems)
        earned_on = hours = None
        try:
            earned_on = parse_date(self.cell(row, "earned_on"))
        except ValueError as exc:
            problems["earned_on"] = [
                "The date is missing." if not text(self.cell(row, "earned_on")) else str(exc)
            ]
        title = text(self.cell(row, "title"))
        if not title:
            problems["title"] = ["The title is missing."]
        elif len(title) > 200:
            problems["title"] = ["The title is longer than 200 characters."]
        try:
            hours = parse_hours(self.cell(row, "hours"))
        except ValueError as exc:
            problems["hours"] = [
                "The hours are missing." if not text(self.cell(row, "hours")) else str(exc)
            ]
        kind_text = " ".join(text(self.cell(row, "kind")).lower().split())
        kind = KINDS.get(kind_text)
        if kind is None:
            problems["kind"] = [
                f"Unknown kind '{kind_text}': use AASC class, In-network, Other or Participation."
                if kind_text
                else "The kind is missing (AASC class, In-network, Other or Participation)."
            ]
        verified = text(self.cell(row, "verified")).lower()
        if verified not in VERIFIED_WORDS | PENDING_WORDS:
            problems["verified"] = [f"'{verified}' is not yes or no."]
        if problems:
            raise RowProblems(problems)
        key = (holder.pk, earned_on, title.casefold())
        earlier = self.first_seen(key, line)
        if earlier:
            raise RowProblems(
                {
                    NON_FIELD_ERRORS: [
                        f"Two rows for one CEC: '{title}' on {earned_on:%m/%d/%Y} "
                        f"for {holder.email} is also on row {earlier}."
                    ]
                }
            )
        values = {
            "hours": hours,
            "in_network": kind[0],
            "participation": kind[1],
            "state": EntryState.PENDING_VERIFICATION
            if verified in PENDING_WORDS
            else EntryState.VERIFIED,
            "provider": text(self.cell(row, "provider"))[:200],
            "evidence_reference": text(self.cell(row, "evidence_reference"))[:200],
        }
        existing = self.entries.get(key)
        if existing is None:
            entry = LedgerEntry(
                holder=holder, earned_on=earned_on, title=title, source=Source.IMPORTED, **values
            )
            return entry, True, None
        if existing.state in LOCKED:
            values.pop("state")
        elif existing.state not in (EntryState.VERIFIED, EntryState.PENDING_VERIFICATION):
            values.pop("state")  # withdrawn or rejected by the office since: kept
        previous = changed_values(existing, values)
        if previous and existing.state in LOCKED:
            raise RowProblems(
                {
                    NON_FIELD_ERRORS: [
                        f"'{title}' on {earned_on:%m/%d/%Y} is already "
                        "submitted to NAAEI and cannot change."
                    ]
                }
            )
        return existing, False, previous

    def write(self, creates, updates):
        save_imported_entries(self.batch, self.by, creates, updates)


# --- Registration with the core's imports (credentials.imports.registry) -----------------


def _entries_of_holders(user_ids):
    return [
        ("ledgerentry", pk)
        for pk in LedgerEntry.objects.filter(holder_id__in=user_ids).values_list("pk", flat=True)
    ]


def _entries_in_use(by_model, user_ids, since) -> str:
    """Why an import's CEC entries cannot be taken back: changed since, or submitted."""
    entry_ids = [row.object_id for row in by_model.get("ledgerentry", [])]
    if not entry_ids:
        return ""
    changed = LedgerEntry.history.filter(id__in=entry_ids, history_date__gt=since).first()
    if changed:
        return f"The CEC entry '{changed.title}' has changed since the import."
    if Submission.entries.through.objects.filter(ledgerentry_id__in=entry_ids).exists():
        return "A CEC entry of this import is part of a submission to NAAEI."
    locked = LedgerEntry.objects.filter(pk__in=entry_ids, state__in=rules.LOCKED_STATES).first()
    if locked:
        return f"The CEC entry '{locked.title}' is part of a submission to NAAEI."
    return ""


def register() -> None:
    """CEC history as a kind of import: its resource, the entries it writes (undone before
    the accounts they belong to) and the checks before an undo."""
    registry.register_kind(ImportBatch.Kind.CEC_HISTORY, CecHistoryResource)
    registry.register_model("ledgerentry", LedgerEntry, undo_order=10)
    registry.register_holder_records(_entries_of_holders)
    registry.register_undo_guard(_entries_in_use)
