"""Which content version counters (credentials.content_versions, issue 19) a write to
the CEC tables moves, and what the NAAEI review queue shows (scope `review`): its rows
are submissions with their holder's name, the renewal and its credentials' codes."""

from credentials.content_versions import (
    CATALOG,
    GLOBAL_KEY,
    HISTORY_ONLY_IN_ADMIN,
    HOLDER,
    HOLDER_OF_RENEWAL,
    REGISTRY,
    REVIEW,
)
from renewal_portal.infra.content_versions import Bump, NotShown

_REVIEW_KEY = str(GLOBAL_KEY)


def _holder(table, key="{row}.holder_id"):
    return Bump(table, HOLDER, key)


def _catalog(table):
    return Bump(table, CATALOG, str(GLOBAL_KEY))


def _in_review_queue_when(condition):
    """The review counter, when a row the queue shows changes: `condition` (SQL over the
    row) says the row belongs to a submission; NULL (nothing moved) otherwise, so an
    invoice run inserting renewals nobody submitted yet leaves the queue's version alone."""
    return f"CASE WHEN {condition} THEN {_REVIEW_KEY} END"


def declare(registry=REGISTRY):
    registry.declare(
        _holder("cec_checkinkey"),
        _holder(
            "cec_checkincode", "(SELECT holder_id FROM cec_checkinkey WHERE id = {row}.key_id)"
        ),
        _holder(
            "cec_checkin", "(SELECT holder_id FROM cec_attendance WHERE id = {row}.attendance_id)"
        ),
        _holder("cec_attendance"),
        _holder("cec_reportingform"),
        # A Reporting Form's page shows its audit trail (cec.selectors.forms).
        _holder("cec_historicalreportingform"),
        _holder(
            "cec_evidence", "(SELECT holder_id FROM cec_reportingform WHERE id = {row}.form_id)"
        ),
        _holder("cec_ledgerentry"),
        _holder("cec_submission", HOLDER_OF_RENEWAL),
        _holder(
            "cec_submission_entries",
            "(SELECT holder_id FROM cec_ledgerentry WHERE id = {row}.ledgerentry_id)",
        ),
        _catalog("cec_course"),
        _catalog("cec_classsession"),
        _catalog("cec_event"),
        # The review queue: every submission, and the columns it shows of the renewal,
        # its holder and its credentials (cec.selectors.submissions.QUEUE_COLUMNS).
        Bump("cec_submission", REVIEW, _REVIEW_KEY),
        Bump(
            "credentials_renewal",
            REVIEW,
            _in_review_queue_when(
                "EXISTS (SELECT 1 FROM cec_submission WHERE renewal_id = {row}.id)"
            ),
        ),
        Bump(
            "credentials_user",
            REVIEW,
            _in_review_queue_when(
                "EXISTS (SELECT 1 FROM credentials_renewal AS renewal "
                "JOIN cec_submission AS submission ON submission.renewal_id = renewal.id "
                "WHERE renewal.holder_id = {row}.id)"
            ),
        ),
        Bump(
            "credentials_renewalcredential",
            REVIEW,
            _in_review_queue_when(
                "EXISTS (SELECT 1 FROM cec_submission WHERE renewal_id = {row}.renewal_id)"
            ),
        ),
        Bump(
            "credentials_credential",
            REVIEW,
            _in_review_queue_when(
                "EXISTS (SELECT 1 FROM credentials_renewalcredential AS item "
                "JOIN cec_submission AS submission ON submission.renewal_id = item.renewal_id "
                "WHERE item.credential_id = {row}.id)"
            ),
        ),
        # The queue's credential filter lists the credential types.
        Bump("credentials_credentialtype", REVIEW, _REVIEW_KEY),
        NotShown("cec_historicalledgerentry", HISTORY_ONLY_IN_ADMIN),
        NotShown(
            "cec_historicalsubmission",
            "read by the reviewer's page of one submission (not cached) and admin",
        ),
    )
