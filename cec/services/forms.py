"""State changes of CEC Reporting Forms (SPEC rule 7).

draft -> sent (holder) -> verified and signed (AASC staff) | returned (AASC staff, with a
reason) -> sent again … Each transition checks it is allowed, runs in one transaction,
leaves a history record (who, when, from, to, note) and tells the holder by email.
Verifying turns the form into a ledger entry that can be submitted to NAAEI.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cec.models import (
    ActivityType,
    EntryState,
    Evidence,
    FormState,
    LedgerEntry,
    ReportingForm,
    Source,
)
from cec.models.forms import FORM_TEXT_LIMIT
from cec.selectors.forms import drafts_left, too_many_drafts_message
from cec.uploads import CheckedUpload, check_room_for
from credentials.notifications import queue_message
from credentials.permissions import VERIFY_REPORTING_FORM
from renewal_portal.infra.history import save_with_history

EDITABLE_FIELDS = (
    "activity_type",
    "title",
    "organiser",
    "started_on",
    "ended_on",
    "hours_claimed",
    "description",
)

SOURCE_FOR_ACTIVITY = {
    ActivityType.EXPO_CLASS: Source.EXPO_CLASS,
    ActivityType.COMMITTEE: Source.COMMITTEE,
    ActivityType.VOLUNTEERING: Source.VOLUNTEERING,
    ActivityType.OTHER: Source.OTHER,
}
# Committee and board service and volunteering count as participation (capped, rule 3).
PARTICIPATION_ACTIVITIES = {ActivityType.COMMITTEE, ActivityType.VOLUNTEERING}


def _locked(form) -> ReportingForm:
    return ReportingForm.objects.select_for_update().select_related("holder").get(pk=form.pk)


def _require_holder(form, by):
    if form.holder_id != by.pk:
        raise PermissionDenied("Only the holder can change their own Reporting Form.")


def _require_staff(by):
    if not by.has_perm(VERIFY_REPORTING_FORM):
        raise PermissionDenied("Only AASC staff can verify or return Reporting Forms.")


def _require_state(form, allowed, action):
    if form.state not in allowed:
        raise ValidationError(
            f"This form is “{form.get_state_display()}”: it cannot be {action} now.",
            code="transition_not_allowed",
        )


def _lock_holder(holder_id):
    # One holder's writes that count what they store (drafts, evidence bytes) wait for
    # each other, so two at once cannot both pass a limit.
    get_user_model().objects.select_for_update().filter(pk=holder_id).exists()


def _check_text(form):
    # The model's limits, checked here too: services are called by more than the page.
    errors = {}
    for name in ("title", "organiser", "description"):
        try:
            form._meta.get_field(name).clean(getattr(form, name), form)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)


def _attach(form, uploads, by):
    uploads = list(uploads)
    for upload in uploads:
        if not isinstance(upload, CheckedUpload):
            raise TypeError("Evidence must be checked with cec.uploads.check_evidence first.")
    if not uploads:
        return
    _lock_holder(form.holder_id)
    check_room_for(form.holder_id, form, uploads)
    for upload in uploads:
        evidence = Evidence(
            form=form,
            original_name=upload.original_name,
            content_type=upload.content_type,
            size_bytes=upload.size_bytes,
        )
        evidence.file.save(upload.original_name, upload.file, save=False)
        evidence.save()


@transaction.atomic
def create_form(*, holder, fields: dict, evidence=(), by=None) -> ReportingForm:
    """A holder starts a Reporting Form as a draft, with any evidence already chosen."""
    by = by or holder
    if by.pk != holder.pk:
        raise PermissionDenied("Holders file their own Reporting Forms.")
    _lock_holder(holder.pk)
    if not drafts_left(holder):
        raise ValidationError(too_many_drafts_message(), code="too_many_drafts")
    form = ReportingForm(holder=holder, state=FormState.DRAFT)
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(form, name, fields[name])
    _check_text(form)
    save_with_history(form, by=by, why="Draft created")
    _attach(form, evidence, by)
    return form


@transaction.atomic
def update_form(form, *, by, fields: dict, evidence=()) -> ReportingForm:
    """The holder edits a draft or a returned form and may add evidence."""
    form = _locked(form)
    _require_holder(form, by)
    _require_state(form, (FormState.DRAFT, FormState.RETURNED), "edited")
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(form, name, fields[name])
    _check_text(form)
    save_with_history(form, by=by, why="Edited by the holder")
    _attach(form, evidence, by)
    return form


@transaction.atomic
def remove_evidence(evidence, *, by):
    """The holder removes an evidence file from a form they can still edit."""
    form = _locked(evidence.form)
    _require_holder(form, by)
    _require_state(form, (FormState.DRAFT, FormState.RETURNED), "changed")
    stored = evidence.file.name
    storage = evidence.file.storage
    evidence.delete()
    save_with_history(form, by=by, why="Evidence removed", update_fields=["updated_at"])
    # The file goes only once the row is surely gone.
    transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def send_form(form, *, by) -> ReportingForm:
    """draft/returned -> sent: the holder sends the form with its evidence to AASC."""
    form = _locked(form)
    _require_holder(form, by)
    _require_state(form, (FormState.DRAFT, FormState.RETURNED), "sent to the AASC office")
    if not form.evidence.exists():
        raise ValidationError(
            "Attach at least one evidence file (PDF, JPEG or PNG) before sending the form.",
            code="no_evidence",
        )
    form.state = FormState.SENT
    form.sent_at = timezone.now()
    save_with_history(form, by=by, why="Sent to AASC")
    return form


@transaction.atomic
def verify_form(
    form, *, by, note: str = "", in_network: bool = False, hours: Decimal | None = None
) -> ReportingForm:
    """sent -> verified: AASC staff verify and sign the form (who, when, note), which
    credits its hours to the holder's ledger as a verified entry. Staff may correct the
    hours (`hours`), saying why in the note; history keeps what the holder claimed."""
    _require_staff(by)
    form = _locked(form)
    _require_state(form, (FormState.SENT,), "verified")
    if form.holder_id == by.pk:
        raise PermissionDenied("Nobody can verify their own Reporting Form.")
    note = (note or "").strip()
    FORM_TEXT_LIMIT(note)
    corrected = ""
    if hours is not None and hours != form.hours_claimed:
        if hours <= 0:
            raise ValidationError("The hours verified must be more than zero.")
        if not note:
            raise ValidationError("Say why the hours were changed in the note.")
        corrected = f"; hours corrected from {form.hours_claimed:.2f} to {hours:.2f}"
        form.hours_claimed = hours
    form.state = FormState.VERIFIED
    form.signed_by = by
    form.signed_at = timezone.now()
    form.signature_note = note
    form.in_network = bool(in_network)
    form.return_reason = ""
    save_with_history(
        form, by=by, why=f"Verified and signed{corrected}" + (f": {note}" if corrected else "")
    )

    entry = LedgerEntry(
        holder=form.holder,
        earned_on=form.ended_on or form.started_on,
        hours=form.hours_claimed,
        title=form.title[:200],
        source=SOURCE_FOR_ACTIVITY[form.activity_type],
        in_network=form.in_network,
        participation=form.activity_type in PARTICIPATION_ACTIVITIES,
        state=EntryState.VERIFIED,
        reporting_form=form,
    )
    save_with_history(entry, by=by, why=f"From Reporting Form #{form.pk}, verified by AASC")

    queue_message(
        holder=form.holder,
        kind="form_verified",
        dedupe_key=f"form_verified:{form.pk}",
        context={"form": form, "note": note, "entry": entry},
    )
    return form


@transaction.atomic
def return_form(form, *, by, reason: str) -> ReportingForm:
    """sent -> returned: AASC staff send the form back with a reason; the holder can edit
    and send it again."""
    _require_staff(by)
    reason = (reason or "").strip()
    FORM_TEXT_LIMIT(reason)
    if not reason:
        raise ValidationError("Tell the holder why the form is returned.", code="reason_required")
    form = _locked(form)
    _require_state(form, (FormState.SENT,), "returned")
    if form.holder_id == by.pk:
        raise PermissionDenied("Nobody can return their own Reporting Form.")
    form.state = FormState.RETURNED
    form.return_reason = reason
    save_with_history(form, by=by, why="Returned to the holder")
    # Each return is its own email: the key names this history record.
    record_id = form.history.latest().history_id
    queue_message(
        holder=form.holder,
        kind="form_returned",
        dedupe_key=f"form_returned:{form.pk}:{record_id}",
        context={"form": form, "reason": reason},
    )
    return form


@transaction.atomic
def save_form(*, by, form=None, fields: dict, evidence=(), send: bool = False) -> ReportingForm:
    """Create or edit the holder's form and, if asked, send it, all or nothing."""
    if form is None:
        form = create_form(holder=by, fields=fields, evidence=evidence, by=by)
    else:
        form = update_form(form, by=by, fields=fields, evidence=evidence)
    if send:
        form = send_form(form, by=by)
    return form
