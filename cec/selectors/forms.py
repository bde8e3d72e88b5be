"""Reads of Reporting Forms and their evidence, scoped to who is asking."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from cec.models import Evidence, FormState, ReportingForm
from credentials import rules
from credentials.permissions import REVIEW_SUBMISSION, VERIFY_REPORTING_FORM
from credentials.selectors import current_renewal_year
from renewal_portal.infra.history import history_of


def forms_of(holder):
    return ReportingForm.objects.filter(holder=holder)


def forms_visible_to(user):
    """AASC staff see every form; NAAEI reviewers see forms whose entries were submitted
    to them; a holder sees their own."""
    if not user.is_authenticated:
        return ReportingForm.objects.none()
    if user.has_perm(VERIFY_REPORTING_FORM):
        return ReportingForm.objects.all()
    own = ReportingForm.objects.filter(holder=user)
    if user.has_perm(REVIEW_SUBMISSION):
        submitted = ReportingForm.objects.filter(ledger_entries__submissions__isnull=False).values(
            "pk"
        )
        return ReportingForm.objects.filter(pk__in=submitted) | own
    return own


def evidence_visible_to(user):
    return Evidence.objects.filter(form__in=forms_visible_to(user).values("pk")).select_related(
        "form"
    )


def evidence_of(holder):
    """The evidence files of the holder's own forms (the ones they may change)."""
    return Evidence.objects.filter(form__holder=holder).select_related("form")


def signed_forms_visible_to(user):
    return forms_visible_to(user).filter(state=FormState.VERIFIED)


@dataclass(frozen=True)
class AuditStep:
    when: datetime
    who: str
    from_state: str
    to_state: str
    action: str
    note: str


STATE_LABELS = dict(FormState.choices)


def form_audit_trail(form) -> list[AuditStep]:
    """Every recorded change of a form, oldest first: who, when, from which state to which,
    and the note (the signing note or the reason for a return)."""
    steps = []
    previous = None
    records = history_of(form)
    for record in records:
        note = ""
        if record.state == FormState.VERIFIED and previous != FormState.VERIFIED:
            note = record.signature_note
        elif record.state == FormState.RETURNED and previous != FormState.RETURNED:
            note = record.return_reason
        user = record.history_user
        steps.append(
            AuditStep(
                when=record.history_date,
                who=user.display_name if user else "System",
                from_state=STATE_LABELS.get(previous, "") if previous else "",
                to_state=STATE_LABELS.get(record.state, record.state),
                action=record.history_change_reason or "",
                note=note,
            )
        )
        previous = record.state
    return steps


def drafts_left(holder) -> int:
    """How many more draft Reporting Forms the holder may start (REPORTING_FORM_MAX_DRAFTS)."""
    drafts = ReportingForm.objects.filter(holder=holder, state=FormState.DRAFT).count()
    return max(0, settings.REPORTING_FORM_MAX_DRAFTS - drafts)


def too_many_drafts_message() -> str:
    limit = settings.REPORTING_FORM_MAX_DRAFTS
    return (
        f"You have {limit} draft forms, the most one person can keep. Finish and send one "
        "of them to the AASC office before starting another."
    )


def window_note(form) -> str:
    """The hint for a form dated outside the current renewal's earning window (it is
    accepted, but will not count this year), or ''."""
    earned_on = getattr(form, "ended_on", None) or getattr(form, "started_on", None)
    if earned_on is None:
        return ""
    return rules.window_note(current_renewal_year(), earned_on)
