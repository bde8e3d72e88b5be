"""The audit packet of a renewal: everything an NAAEI auditor needs to check it, read
through the selectors (issue 11).

`audit_packet(renewal)` gathers the holder's contact details as they stood when the
holder confirmed them, the credentials renewed, the invoice and its receipted payments,
every CEC counted with its evidence (class attendance, signed Reporting Form, the
reviewer's decisions) and the totals against the numbers the renewal copied from its
requirement sets. pdf.py renders it; services.py builds packets in the
background. Who may open which packet is decided here too, in one place.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from cec.models import Evidence, LedgerEntry, Submission, SubmissionState
from cec.selectors.ledger import as_credits, earning_entries_in_window, renewal_requirement
from credentials import roles, rules, selectors
from credentials.models import ContactProfile, PacketToken, Renewal
from credentials.permissions import REVIEW_SUBMISSION, VIEW_RENEWAL
from payments.receipts import RECEIPTED, receipt_number
from renewal_portal.composition import renewal_steps
from renewal_portal.infra.documents import clip
from renewal_portal.infra.errors import parse_token
from renewal_portal.infra.history import history_of

PAYMENT_STEP = "payment"  # the renewal step about the invoice (renewal_steps.renewal_steps)

PHASE_LABELS = {
    "completed": "Renewal complete",
    "renewal_due": "Renewal in progress",
    "in_grace": "In grace, not completed",
    "lapsed": "Grace ended, not completed",
}


# --- Who may open a packet ---------------------------------------------------------------


def renewals_with_packets_for(user):
    """The renewals whose packet `user` may download: a holder their own; AASC staff
    every renewal; NAAEI reviewers those with a CEC submission (and their own)."""
    if not user.is_authenticated:
        return Renewal.objects.none()
    if user.has_perm(VIEW_RENEWAL):
        return Renewal.objects.all()
    if user.has_perm(REVIEW_SUBMISSION):
        submitted = Renewal.objects.filter(submissions__isnull=False).values("pk")
        return Renewal.objects.filter(pk__in=submitted) | selectors.renewals_of(user)
    return selectors.renewals_of(user)


def renewal_by_packet_token(token) -> Renewal | None:
    """The renewal a printed packet points to, for the public verification page; None for
    an unknown or malformed token."""
    token = parse_token(token)
    if token is None:
        return None
    found = (
        PacketToken.objects.select_related("renewal__holder")
        .prefetch_related("renewal__items__credential__credential_type")
        .filter(token=token)
        .first()
    )
    return found.renewal if found else None


def packet_status(renewal: Renewal, on: dt.date | None = None) -> str:
    """Where the renewal stands, in the words the packet and the public page use."""
    return PHASE_LABELS[selectors.renewal_phase(renewal, on)]


# --- What the packet holds ---------------------------------------------------------------


@dataclass(frozen=True)
class ContactAsConfirmed:
    """The holder's contact details as of the confirmation (from the profile's history);
    `confirmed_at` is None when the holder has not confirmed them for this renewal, and
    the details are then today's."""

    name: str
    email: str
    phone: str
    address_lines: tuple[str, ...]
    employer: str
    job_title: str
    confirmed_at: dt.datetime | None
    from_history: bool


@dataclass(frozen=True)
class PaymentRow:
    receipt_number: str
    method: str
    amount_cents: int
    currency: str
    paid_on: dt.date | None
    status: str
    reference: str  # cheque number, or the card payment's reference at the provider


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on a submission that held the entry."""

    submission_id: int
    state: str
    decided_by: str
    decided_at: dt.datetime | None
    note: str


def evidence_zip_name(evidence) -> str:
    """Where an evidence file sits in the packet's ZIP: its form and its own id keep names
    unique, and only safe characters of the name the holder gave it are kept."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", evidence.original_name).strip(".-")[:80] or "file"
    return f"evidence/form-{evidence.form_id}-{evidence.pk}-{stem}"


@dataclass(frozen=True)
class EvidenceFile:
    evidence: object  # cec.models.Evidence
    original_name: str
    zip_name: str


@dataclass(frozen=True)
class FormEvidence:
    form_id: int
    activity: str
    organiser: str
    started_on: dt.date
    ended_on: dt.date | None
    hours_claimed: Decimal
    signed_by: str
    signed_at: dt.datetime | None
    signature_note: str
    files: tuple[EvidenceFile, ...]


@dataclass(frozen=True)
class AttendanceEvidence:
    course: str
    instructor: str
    date: dt.date
    location: str
    certificate_number: str
    recorded_by: str
    recorded_at: dt.datetime | None


@dataclass(frozen=True)
class EntryRow:
    entry: object  # cec.models.LedgerEntry
    recorded_by: str  # who created the ledger entry (its first history record)
    recorded_at: dt.datetime | None
    attendance: AttendanceEvidence | None
    form: FormEvidence | None
    decisions: tuple[Decision, ...]

    @property
    def kind(self) -> str:
        if self.entry.participation:
            return "Participation"
        return "In-network" if self.entry.in_network else "Other"


@dataclass(frozen=True)
class AuditPacket:
    renewal: Renewal
    holder: object
    contact: ContactAsConfirmed
    items: tuple  # RenewalCredential rows with credential and type
    invoice: object | None
    invoice_lines: tuple
    payments: tuple[PaymentRow, ...]
    entries: tuple[EntryRow, ...]
    entries_basis: str  # which entries are counted, in words
    progress: rules.CecProgress
    steps: renewal_steps.RenewalSteps
    status: str
    earning_window: tuple[dt.date, dt.date]
    token: PacketToken
    generated_at: dt.datetime = field(default_factory=timezone.now)
    payments_withheld: bool = False

    @property
    def evidence_files(self):
        return [file for row in self.entries if row.form for file in row.form.files]

    @property
    def signers(self) -> list[str]:
        return sorted({row.form.signed_by for row in self.entries if row.form})


def contact_as_confirmed(renewal: Renewal) -> ContactAsConfirmed:
    holder = renewal.holder
    profile = ContactProfile.objects.filter(user=holder).first()
    confirmed_at = renewal.contact_confirmed_at
    from_history = False
    if profile is not None and confirmed_at is not None:
        try:
            profile = profile.history.as_of(confirmed_at)
            from_history = True
        except ContactProfile.DoesNotExist:
            pass  # no history before the confirmation: today's details are all there is
    if profile is None:
        profile = ContactProfile(user=holder)
    return ContactAsConfirmed(
        # The name and email live on the account, which keeps no history.
        name=holder.display_name,
        email=holder.email,
        phone=profile.phone,
        address_lines=tuple(profile.mailing_address_lines),
        employer=profile.employer,
        job_title=profile.job_title,
        confirmed_at=confirmed_at,
        from_history=from_history,
    )


def _payments_of(invoice) -> tuple[PaymentRow, ...]:

    if invoice is None:
        return ()
    rows = []
    for payment in invoice.payments.filter(status__in=RECEIPTED).order_by("created_at"):
        payment.invoice = invoice
        if payment.method == "cheque":
            paid_on, reference = payment.received_on, f"cheque no. {payment.cheque_number}"
        else:
            paid_at = invoice.paid_at or payment.updated_at
            paid_on = timezone.localtime(paid_at).date() if paid_at else None
            reference = payment.stripe_payment_intent or ""
        rows.append(
            PaymentRow(
                receipt_number=receipt_number(payment),
                method=payment.get_method_display(),
                amount_cents=payment.amount_cents,
                currency=payment.currency,
                paid_on=paid_on,
                status=payment.get_status_display(),
                reference=reference,
            )
        )
    return tuple(rows)


def counted_entries(renewal: Renewal):
    """The CEC entries the packet accounts for, and in words which they are: those of the
    approved submission; else of the one waiting for NAAEI; else the holder's earning
    entries of the renewal's window (nothing submitted yet)."""

    for state, basis in (
        (SubmissionState.APPROVED, "the CEC submission NAAEI approved"),
        (SubmissionState.SUBMITTED, "the CEC submission waiting for NAAEI review"),
    ):
        submission = (
            renewal.submissions.filter(state=state).order_by("-submitted_at", "-pk").first()
        )
        if submission is not None:
            return submission.entries.all(), f"Entries of {basis} (#{submission.pk})"
    return (
        earning_entries_in_window(renewal.holder_id, renewal.year),
        "Entries earned in the earning window; none submitted to NAAEI yet",
    )


def _name(user) -> str:
    return user.display_name if user is not None else "System"


def _entry_rows(renewal: Renewal, entries) -> tuple[EntryRow, ...]:

    entries = (
        LedgerEntry.objects.filter(pk__in=entries.values("pk"))
        .select_related(
            "attendance__session__course",
            "attendance__recorded_by",
            "reporting_form__signed_by",
        )
        .prefetch_related(
            Prefetch("reporting_form__evidence", queryset=Evidence.objects.order_by("pk")),
            Prefetch(
                "submissions",
                queryset=Submission.objects.filter(renewal=renewal)
                .select_related("decided_by")
                .order_by("submitted_at", "pk"),
                to_attr="renewal_submissions",
            ),
        )
        .order_by("earned_on", "pk")
    )
    rows = []
    for entry in entries:
        first = history_of(entry).first()
        attendance = None
        if entry.attendance_id:
            session = entry.attendance.session
            attendance = AttendanceEvidence(
                course=session.course.title,
                instructor=session.instructor,
                date=session.date,
                location=session.location,
                certificate_number=entry.certificate_number or "",
                recorded_by=_name(entry.attendance.recorded_by),
                recorded_at=entry.attendance.recorded_at,
            )
        form = None
        if entry.reporting_form_id:
            report = entry.reporting_form
            form = FormEvidence(
                form_id=report.pk,
                activity=report.get_activity_type_display(),
                organiser=report.organiser,
                started_on=report.started_on,
                ended_on=report.ended_on,
                hours_claimed=report.hours_claimed,
                signed_by=_name(report.signed_by) if report.signed_by_id else "not signed",
                signed_at=report.signed_at,
                # Text people typed is bounded in documents (issue 15 item 8).
                signature_note=clip(report.signature_note, settings.DOCUMENT_TEXT_MAX_CHARS),
                files=tuple(
                    EvidenceFile(file, file.original_name, evidence_zip_name(file))
                    for file in report.evidence.all()
                ),
            )
        decisions = tuple(
            Decision(
                submission_id=submission.pk,
                state=submission.get_state_display(),
                decided_by=_name(submission.decided_by) if submission.decided_by_id else "",
                decided_at=submission.decided_at,
                note=clip(submission.rejection_reason, settings.DOCUMENT_TEXT_MAX_CHARS),
            )
            for submission in entry.renewal_submissions
        )
        rows.append(
            EntryRow(
                entry=entry,
                recorded_by=_name(first.history_user) if first else "",
                recorded_at=first.history_date if first else entry.created_at,
                attendance=attendance,
                form=form,
                decisions=decisions,
            )
        )
    return tuple(rows)


def for_viewer(packet: AuditPacket, user) -> AuditPacket:
    """NAAEI reviewers see nothing of payments: their copy leaves out the invoice, the
    payments and the renewal step that says whether and when the invoice was paid."""

    if (
        roles.is_naaei_reviewer(user)
        and not roles.is_aasc_staff(user)
        and (user.pk != packet.renewal.holder_id)
    ):
        steps = renewal_steps.RenewalSteps(
            tuple(step for step in packet.steps if step.key != PAYMENT_STEP)
        )
        return replace(
            packet,
            invoice=None,
            invoice_lines=(),
            payments=(),
            steps=steps,
            payments_withheld=True,
        )
    return packet


def audit_packet(renewal: Renewal, token: PacketToken) -> AuditPacket:
    """Everything the packet of `renewal` says, read once (token: services.token_for)."""

    renewal = (
        Renewal.objects.select_related("holder", "governing_type")
        .prefetch_related("items__credential__credential_type")
        .get(pk=renewal.pk)
    )
    invoice = renewal_steps.invoice_of(renewal)
    entries, basis = counted_entries(renewal)
    rows = _entry_rows(renewal, entries)
    progress = rules.cec_progress(
        renewal_requirement(renewal), as_credits(row.entry for row in rows)
    )
    return AuditPacket(
        renewal=renewal,
        holder=renewal.holder,
        contact=contact_as_confirmed(renewal),
        items=tuple(renewal.items.all()),
        invoice=invoice,
        invoice_lines=tuple(invoice.lines.all()) if invoice else (),
        payments=_payments_of(invoice),
        entries=rows,
        entries_basis=basis,
        progress=progress,
        steps=renewal_steps.renewal_steps(renewal),
        status=packet_status(renewal),
        earning_window=rules.earning_window(renewal.year),
        token=token,
    )
