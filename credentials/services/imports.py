"""Importing what the office already has: check a spreadsheet (a dry run that writes
nothing but the record of the check), confirm it (written in the background, in chunks,
with progress), undo it while nothing has happened to its rows since, and invite the
holders it brought in to set a password.
"""

from __future__ import annotations

import datetime as dt

import tablib
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from import_export.results import RowResult

from credentials.imports import registry
from credentials.imports.base import SpreadsheetResource
from credentials.imports.files import ROW_COLUMN, ImportFileError, read_spreadsheet
from credentials.imports.records import CredentialResource, HolderResource
from credentials.models import (
    ContactProfile,
    Credential,
    ImportBatch,
    ImportedRow,
    OutboxMessage,
    RenewalCredential,
    User,
)
from credentials.notifications import queue_messages
from renewal_portal.infra.history import bulk_record_deletions, bulk_update_with_history

# The kinds of import: the core's here, the others registered by their apps (cec's CEC
# history in cec/apps.py), so the core never imports the apps above it.
registry.register_kind(ImportBatch.Kind.HOLDERS, HolderResource)
registry.register_kind(ImportBatch.Kind.CREDENTIALS, CredentialResource)
registry.register_model("credential", Credential, undo_order=20)
registry.register_model("contactprofile", ContactProfile, undo_order=30)
registry.register_model("user", User, undo_order=40)
RESOURCES: dict[str, type[SpreadsheetResource]] = registry.RESOURCES
# Rows written per transaction when confirming: progress shows between chunks.
CHUNK_ROWS = 5000
# Errors kept on the batch for the preview (the count is always complete).
MAX_ERRORS_SHOWN = 500
UNDO_CHUNK = 2000
ABANDONED_AFTER = dt.timedelta(minutes=30)
BATCH_ROWS = 1000


def resource_for(batch: ImportBatch, by=None) -> SpreadsheetResource:
    return RESOURCES[batch.kind](batch=batch, by=by)


def check_columns(kind: str, data: bytes, file_name: str) -> tablib.Dataset:
    """The file's rows, or ImportFileError in one sentence (not a spreadsheet, too large,
    a needed column missing)."""
    dataset = read_spreadsheet(data, file_name)
    RESOURCES[kind]().check_columns(dataset.headers)
    return dataset


def check_upload(kind: str, file_name: str, data: bytes, by) -> ImportBatch:
    """A dry run of the file: every row read and checked, nothing written but the batch
    (which keeps the file for the confirmation). ImportFileError for a file that cannot
    be an import at all."""
    if kind not in RESOURCES:
        raise ImportFileError("Choose what the file holds: holders, credentials or CEC history.")
    dataset = check_columns(kind, data, file_name)
    batch = ImportBatch(kind=kind, file_name=file_name[:255], file_data=data, uploaded_by=by)
    resource = resource_for(batch, by)
    result = resource.import_data(dataset, dry_run=True, use_transactions=True)
    _count(batch, result, resource, dataset)
    batch.rows_total = len(dataset)
    batch.status = ImportBatch.Status.REFUSED if batch.error_count else ImportBatch.Status.CHECKED
    batch.save()
    return batch


def _count(batch: ImportBatch, result, resource: SpreadsheetResource, dataset) -> None:
    totals = result.totals
    batch.created_count += totals[RowResult.IMPORT_TYPE_NEW]
    batch.updated_count += totals[RowResult.IMPORT_TYPE_UPDATE]
    batch.unchanged_count += totals[RowResult.IMPORT_TYPE_SKIP]
    problems = list(resource.problems)
    resource.problems.clear()
    for error in result.base_errors:
        problems.append({"row": None, "column": "", "message": _plain(error.error)})
    lines = [row[-1] for row in dataset] if len(dataset) else []
    for number, errors in result.row_errors():
        line = lines[number - 1] if 0 < number <= len(lines) else None
        for error in errors:
            problems.append({"row": line, "column": "", "message": _plain(error.error)})
    batch.error_count += totals[RowResult.IMPORT_TYPE_INVALID] + totals[RowResult.IMPORT_TYPE_ERROR]
    if result.base_errors and not batch.error_count:
        batch.error_count = len(result.base_errors)
    room = MAX_ERRORS_SHOWN - len(batch.errors)
    batch.errors = [*batch.errors, *problems[: max(room, 0)]]


def _plain(error) -> str:
    if isinstance(error, ImportFileError):
        return str(error)
    return f"This row could not be read ({error.__class__.__name__}); check its cells."


# --- Confirming: the background run ------------------------------------------------------


def confirm(batch: ImportBatch, by) -> ImportBatch:
    """Staff confirm a clean, checked file: it becomes a run for run_batch (the caller
    starts it on the workers, credentials.tasks.run_import_batch, or runs it at once)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.CHECKED:
            raise ValidationError(
                f"This import is '{batch.get_status_display()}': only a checked file without "
                "errors can be confirmed."
            )
        batch.status = ImportBatch.Status.RUNNING
        batch.confirmed_at = timezone.now()
        batch.uploaded_by = batch.uploaded_by or by
        batch.save(update_fields=["status", "confirmed_at", "uploaded_by"])
    return batch


def run_batch(batch_id) -> ImportBatch | None:
    """Write a confirmed file, one chunk of rows per transaction, counting as it goes.
    A row that has become wrong since the check (someone changed a record meanwhile)
    stops the run: its chunk is not written; the chunks before it can be undone."""
    # Claimed by one worker: a second delivery of the task finds it taken and stops (one
    # left behind by a worker that died is taken over after a while).
    now = timezone.now()
    claimed = (
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.RUNNING)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - ABANDONED_AFTER))
        .update(started_at=now)
    )
    if not claimed:
        return None
    batch = ImportBatch.objects.get(pk=batch_id)
    by = batch.uploaded_by
    dataset = read_spreadsheet(bytes(batch.file_data), batch.file_name)
    resource = resource_for(batch, by)
    resource.preload_file(dataset)
    batch.created_count = batch.updated_count = batch.unchanged_count = batch.error_count = 0
    batch.errors, batch.rows_done, batch.rows_total = [], 0, len(dataset)
    batch.save()
    for start in range(0, len(dataset), CHUNK_ROWS):
        chunk = tablib.Dataset(*dataset[start : start + CHUNK_ROWS], headers=dataset.headers)
        result = resource.import_data(
            chunk, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )
        _count(batch, result, resource, chunk)
        if batch.error_count:
            batch.status = ImportBatch.Status.FAILED
            batch.message = (
                f"Stopped at row {chunk[0][-1]} or after: a row has become wrong since the "
                f"check. {batch.rows_done} rows before it were written; undo this import to "
                "take them back, then check the file again."
            )
            batch.finished_at = timezone.now()
            batch.save()
            return batch
        batch.rows_done = min(start + CHUNK_ROWS, len(dataset))
        batch.save(
            update_fields=[
                "rows_done",
                "created_count",
                "updated_count",
                "unchanged_count",
            ]
        )
    batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "finished_at"])
    return batch


def progress(batch: ImportBatch) -> int:
    """Percent of the rows written."""
    if batch.status == ImportBatch.Status.DONE:
        return 100
    return int(100 * batch.rows_done / batch.rows_total) if batch.rows_total else 0


# --- Undo ---------------------------------------------------------------------------------


def undo_refusal(batch: ImportBatch) -> str:
    """Why the batch cannot be undone now, in one sentence; empty when it can."""
    if batch.status not in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED):
        return f"Only a finished import can be undone; this one is '{batch.get_status_display()}'."
    since = batch.finished_at or batch.confirmed_at
    rows = list(batch.rows.all())
    by_model: dict[str, list[ImportedRow]] = {}
    for row in rows:
        by_model.setdefault(row.model, []).append(row)
    later = ImportedRow.objects.filter(batch__id__gt=batch.pk).exclude(
        batch__status=ImportBatch.Status.UNDONE
    )
    for model, items in by_model.items():
        ids = [r.object_id for r in items]
        if later.filter(model=model, object_id__in=ids).exists():
            return "A later import changed the same records: undo that import first."
    user_ids = [r.object_id for r in by_model.get("user", []) if r.created]
    if user_ids:
        signed_in = User.objects.filter(pk__in=user_ids, last_login__isnull=False).first()
        if signed_in:
            return f"{signed_in.email} has signed in since the import."
        own = {(r.model, r.object_id) for r in rows}
        added = [
            ("credential", pk)
            for pk in Credential.objects.filter(holder_id__in=user_ids).values_list("pk", flat=True)
        ]
        for records in registry.HOLDER_RECORDS:
            added.extend(records(user_ids))
        if any(item not in own for item in added):
            return (
                "Credentials or CEC history were added for these holders since: undo that "
                "import (or remove them) first."
            )
    credential_ids = [r.object_id for r in by_model.get("credential", [])]
    if credential_ids:
        renewed = (
            RenewalCredential.objects.filter(credential_id__in=credential_ids)
            .select_related("credential")
            .first()
        )
        if renewed:
            return (
                f"A renewal was issued for credential {renewed.credential.number} since the import."
            )
        changed = Credential.history.filter(
            id__in=credential_ids, history_date__gt=since
        ).select_related(None)
        first = changed.first()
        if first:
            return f"Credential {first.number} has changed since the import."
    for guard in registry.UNDO_GUARDS:
        reason = guard(by_model, user_ids, since)
        if reason:
            return reason
    profile_rows = by_model.get("contactprofile", [])
    if profile_rows or user_ids:
        profile_ids = [r.object_id for r in profile_rows]
        changed = ContactProfile.history.filter(
            Q(id__in=profile_ids) | Q(user_id__in=user_ids), history_date__gt=since
        ).first()
        if changed:
            return "A holder's contact details have changed since the import."
    return ""


@transaction.atomic
def undo_batch(batch: ImportBatch, by) -> ImportBatch:
    """Take an import back in one step: what it created is deleted, what it updated gets
    its previous values again (with a history record). Refused, with the reason, once
    anything has happened to its rows since."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    reason = undo_refusal(batch)
    if reason:
        raise ValidationError(f"This import cannot be undone: {reason}")
    change_reason = f"Import of {batch.file_name} undone"[:100]
    rows = list(batch.rows.all())
    # Later models first: entries and credentials before the holders they belong to.
    for record_model in registry.models_in_undo_order():
        model_name, model = record_model.name, record_model.model
        items = [r for r in rows if r.model == model_name]
        created_ids = [r.object_id for r in items if r.created]
        updated = {r.object_id: r.previous for r in items if not r.created}
        if updated:
            objects = list(model.objects.filter(pk__in=updated))
            fields = set()
            for obj in objects:
                for name, value in updated[obj.pk].items():
                    field = model._meta.get_field(name)
                    setattr(obj, field.attname, field.to_python(value))
                    fields.add(field.attname)
            if fields:
                if hasattr(model, "history"):
                    bulk_update_with_history(
                        objects, model, sorted(fields), by=by, why=change_reason
                    )
                else:
                    model.objects.bulk_update(objects, sorted(fields))
        if model_name == "user" and created_ids:
            # Their contact details were created with them (recorded with the account).
            profile_ids = list(
                ContactProfile.objects.filter(user_id__in=created_ids).values_list("pk", flat=True)
            )
            _delete_with_history(ContactProfile, profile_ids, by, change_reason)
        _delete_with_history(model, created_ids, by, change_reason)
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_by = by
    batch.undone_at = timezone.now()
    batch.save(update_fields=["status", "undone_by", "undone_at"])
    return batch


def _delete_with_history(model, ids, by, reason) -> None:
    """Delete records an import created, in chunks: one "deleted" history record each,
    written in bulk, then one DELETE per chunk. Only for what undo_refusal cleared: rows
    nothing else refers to (no renewal, no submission) apart from cascades of an account."""
    tracked = hasattr(model, "history")
    for start in range(0, len(ids), UNDO_CHUNK):
        chunk = ids[start : start + UNDO_CHUNK]
        queryset = model.objects.filter(pk__in=chunk)
        if not tracked:
            queryset.delete()  # accounts: their sessions, addresses and emails go with them
            continue
        bulk_record_deletions(queryset, by=by, why=reason, batch_size=BATCH_ROWS)
        queryset._raw_delete(queryset.db)


# --- Invitations --------------------------------------------------------------------------


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Like a password-reset token (spent once the password is set or the holder signs
    in), under its own salt and with a longer life: invitations wait in inboxes."""

    key_salt = "credentials.services.imports.InvitationTokenGenerator"

    def check_token(self, user, token):
        # Django's check, with the invitation's lifetime instead of PASSWORD_RESET_TIMEOUT.
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        return self._num_seconds(self._now()) - ts <= INVITATION_DAYS * 24 * 3600


INVITATION_DAYS = 30
invitation_tokens = InvitationTokenGenerator()


def invitation_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "credentials:invitation",
        kwargs={"uidb64": uid, "token": invitation_tokens.make_token(user)},
    )
    return settings.SITE_URL.rstrip("/") + path


def invitable(users):
    """Holders who can be invited: active, not office accounts, no usable password yet,
    never signed in."""
    return [
        u
        for u in users
        if u.is_active
        and not u.is_staff
        and not u.is_superuser
        and not u.has_usable_password()
        and u.last_login is None
    ]


def invite_holders(users, by=None) -> int:
    """Queue one invitation per holder (never a second: the outbox key is per holder),
    with a link to set a password. Returns how many were queued now."""
    holders = invitable(users)
    return len(
        queue_messages(
            {
                "holder": holder,
                "kind": "invitation",
                "dedupe_key": f"invitation:{holder.pk}",
                "context": {"invitation_url": invitation_url(holder), "days": INVITATION_DAYS},
            }
            for holder in holders
        )
    )


def invited_ids(user_ids) -> set[int]:
    keys = [f"invitation:{pk}" for pk in user_ids]
    return {
        int(key.split(":", 1)[1])
        for key in OutboxMessage.objects.filter(dedupe_key__in=keys).values_list(
            "dedupe_key", flat=True
        )
    }


def holders_of(batch: ImportBatch):
    """The holders an import created or updated."""
    ids = batch.rows.filter(model="user").values_list("object_id", flat=True)
    profile_ids = batch.rows.filter(model="contactprofile").values_list("object_id", flat=True)
    return User.objects.filter(Q(pk__in=ids) | Q(profile__pk__in=profile_ids))


__all__ = [
    "ROW_COLUMN",
    "ImportFileError",
    "check_upload",
    "confirm",
    "invite_holders",
    "run_batch",
    "undo_batch",
    "undo_refusal",
]
