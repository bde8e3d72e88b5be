"""Which content version counters (credentials.content_versions, issue 19) a write to
the CEC tables moves, and what the NAAEI review queue shows (scope `review`): its rows
are submissions with their holder's name, the renewal and its credentials' codes."""

from credentials.content_versions import (
    CATALOG,
    GLOBAL_KEY,
    HISTORY_ONLY_IN_ADMIN,
    HOLDER,
    HOLDER_ID,
    REGISTRY,
    REVIEW,
    THROUGH_RENEWAL,
)
from renewal_portal.infra.content_versions import Bump, NotShown

_GLOBAL = str(GLOBAL_KEY)


def _holder(table, through=()):
    return Bump(table, HOLDER, HOLDER_ID, through=through)


def _catalog(table):
    return Bump(table, CATALOG, _GLOBAL)


def _in_review_queue(table, when=None):
    """The review counter moves when a row the queue shows changes: `when` (SQL over the
    row) says the row is one of a submission's, so that an invoice run inserting renewals
    nobody submitted yet leaves the queue's version alone."""
    return Bump(table, REVIEW, _GLOBAL, when=when)


def declare(registry=REGISTRY):
    registry.declare(
        _holder("cec_checkinkey"),
        _holder("cec_checkincode", through=(("key_id", "cec_checkinkey"),)),
        _holder("cec_checkin", through=(("attendance_id", "cec_attendance"),)),
        _holder("cec_attendance"),
        _holder("cec_reportingform"),
        # A Reporting Form's page shows its audit trail (cec.selectors.forms).
        _holder("cec_historicalreportingform"),
        _holder("cec_evidence", through=(("form_id", "cec_reportingform"),)),
        _holder("cec_ledgerentry"),
        _holder("cec_submission", through=THROUGH_RENEWAL),
        _holder("cec_submission_entries", through=(("ledgerentry_id", "cec_ledgerentry"),)),
        _catalog("cec_course"),
        _catalog("cec_classsession"),
        _catalog("cec_event"),
        # The review queue: every submission, and the columns it shows of the renewal,
        # its holder and its credentials (cec.selectors.submissions.QUEUE_COLUMNS).
        _in_review_queue("cec_submission"),
        _in_review_queue(
            "credentials_renewal",
            "EXISTS (SELECT 1 FROM cec_submission WHERE renewal_id = {row}.id)",
        ),
        _in_review_queue(
            "credentials_user",
            "EXISTS (SELECT 1 FROM credentials_renewal AS renewal "
            "JOIN cec_submission AS submission ON submission.renewal_id = renewal.id "
            "WHERE renewal.holder_id = {row}.id)",
        ),
        _in_review_queue(
            "credentials_renewalcredential",
            "EXISTS (SELECT 1 FROM cec_submission WHERE renewal_id = {row}.renewal_id)",
        ),
        _in_review_queue(
            "credentials_credential",
            "EXISTS (SELECT 1 FROM credentials_renewalcredential AS item "
            "JOIN cec_submission AS submission ON submission.renewal_id = item.renewal_id "
            "WHERE item.credential_id = {row}.id)",
        ),
        # The queue's credential filter lists the credential types.
        _in_review_queue("credentials_credentialtype"),
        NotShown("cec_historicalledgerentry", HISTORY_ONLY_IN_ADMIN),
        NotShown(
            "cec_historicalsubmission",
            "read by the reviewer's page of one submission (not cached) and admin",
        ),
    )
