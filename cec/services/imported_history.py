"""Writing CEC history imported from the office's records into the ledger.

Imported entries are ordinary ledger entries with the source "imported": they count for
a renewal by the same rules as any other (credentials/rules.py, through
cec.selectors.ledger): earned in the renewal's window, in an earning state (verified when
the office's records say so; pending verification otherwise, which earns nothing yet).
"""

from __future__ import annotations

from cec.models import LedgerEntry
from credentials.services.imported_records import BATCH_SIZE, reason_for, record_rows
from renewal_portal.infra.history import bulk_create_with_history, bulk_update_with_history

UPDATE_FIELDS = ("hours", "in_network", "participation", "state", "provider", "evidence_reference")


def save_imported_entries(batch, by, creates: list[LedgerEntry], updates: list[LedgerEntry]):
    """Create and update imported ledger entries, each linked to `batch` (inside the
    import's transaction)."""
    reason = reason_for(batch)
    if creates:
        bulk_create_with_history(
            creates,
            LedgerEntry,
            batch_size=BATCH_SIZE,
            by=by,
            why=reason,
        )
        missing = [e for e in creates if e.pk is None]
        if missing:
            ids = dict(
                LedgerEntry.objects.filter(
                    verification_token__in=[e.verification_token for e in missing]
                ).values_list("verification_token", "pk")
            )
            for entry in missing:
                entry.pk = ids[entry.verification_token]
        record_rows(batch, "ledgerentry", creates, created=True)
    if updates:
        bulk_update_with_history(
            updates,
            LedgerEntry,
            list(UPDATE_FIELDS),
            batch_size=BATCH_SIZE,
            by=by,
            why=reason,
        )
        record_rows(
            batch,
            "ledgerentry",
            updates,
            created=False,
            previous={e.pk: e._import_previous for e in updates},
        )
