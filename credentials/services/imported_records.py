"""Writing what an import confirmed: holders (account + contact details) and credentials,
in bulk, each with its history record, and each linked to the import's batch (with the
values an update replaced) so the batch can be undone in one step."""

from __future__ import annotations

from credentials.models import ContactProfile, Credential, ImportBatch, ImportedRow, User
from renewal_portal.infra.history import bulk_create_with_history, bulk_update_with_history

BATCH_SIZE = 1000


def reason_for(batch: ImportBatch) -> str:
    return f"Imported from {batch.file_name}"[:100]


def record_rows(batch: ImportBatch, model: str, objects, created: bool, previous=None) -> None:
    """Link the records an import created or updated to its batch."""
    previous = previous or {}
    ImportedRow.objects.bulk_create(
        [
            ImportedRow(
                batch=batch,
                model=model,
                object_id=obj.pk,
                created=created,
                previous=previous.get(obj.pk, {}),
            )
            for obj in objects
        ],
        batch_size=BATCH_SIZE,
    )


def save_holders(batch: ImportBatch, by, creates: list[User], updates: list[User]) -> None:
    """New holders (accounts without a usable password, with their contact details) and
    changes to existing ones. Runs inside the import's transaction."""
    reason = reason_for(batch)
    if creates:
        # Accounts keep no history of their own; their contact details do.
        User.objects.bulk_create(creates, batch_size=BATCH_SIZE)
        _ensure_pks(creates, User, "email")
        profiles = []
        for user in creates:
            profile = user._import_profile
            profile.user_id = user.pk
            profiles.append(profile)
        bulk_create_with_history(
            profiles,
            ContactProfile,
            batch_size=BATCH_SIZE,
            by=by,
            why=reason,
        )
        record_rows(batch, "user", creates, created=True)
    if updates:
        user_changes = [u for u in updates if u._import_previous.get("user")]
        if user_changes:
            User.objects.bulk_update(
                user_changes, ["email", "first_name", "last_name"], batch_size=BATCH_SIZE
            )
            record_rows(
                batch,
                "user",
                user_changes,
                created=False,
                previous={u.pk: u._import_previous["user"] for u in user_changes},
            )
        new_profiles, changed_profiles = [], []
        for user in updates:
            profile = user._import_profile
            if "contactprofile" not in user._import_previous:
                continue
            if profile.pk is None:
                profile.user_id = user.pk
                new_profiles.append(profile)
            else:
                changed_profiles.append(profile)
        if new_profiles:
            bulk_create_with_history(
                new_profiles,
                ContactProfile,
                batch_size=BATCH_SIZE,
                by=by,
                why=reason,
            )
            record_rows(batch, "contactprofile", new_profiles, created=True)
        if changed_profiles:
            bulk_update_with_history(
                changed_profiles,
                ContactProfile,
                [
                    "phone",
                    "address_line1",
                    "address_line2",
                    "city",
                    "state",
                    "postal_code",
                    "employer",
                    "job_title",
                    "member_id",
                ],
                batch_size=BATCH_SIZE,
                by=by,
                why=reason,
            )
            record_rows(
                batch,
                "contactprofile",
                changed_profiles,
                created=False,
                previous={
                    p.pk: p.user._import_previous["contactprofile"] for p in changed_profiles
                },
            )


def save_credentials(batch: ImportBatch, by, creates, updates, update_fields) -> None:
    reason = reason_for(batch)
    if creates:
        bulk_create_with_history(
            creates,
            Credential,
            batch_size=BATCH_SIZE,
            by=by,
            why=reason,
        )
        _ensure_pks(creates, Credential, "number")
        record_rows(batch, "credential", creates, created=True)
    if updates:
        bulk_update_with_history(
            updates,
            Credential,
            list(update_fields),
            batch_size=BATCH_SIZE,
            by=by,
            why=reason,
        )
        record_rows(
            batch,
            "credential",
            updates,
            created=False,
            previous={c.pk: c._import_previous for c in updates},
        )


def _ensure_pks(objects, model, unique_field: str) -> None:
    """Databases that do not return ids from a bulk insert: look them up by a unique field."""
    missing = [obj for obj in objects if obj.pk is None]
    if not missing:
        return
    ids = dict(
        model.objects.filter(
            **{f"{unique_field}__in": [getattr(o, unique_field) for o in missing]}
        ).values_list(unique_field, "pk")
    )
    for obj in missing:
        obj.pk = ids[getattr(obj, unique_field)]
