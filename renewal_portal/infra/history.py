"""Who changed a record and why: the one way code tells django-simple-history.

Every state change leaves a history record naming the person (`by`) and the reason
(`why`, at most 100 characters, the column's width). Services call `save_with_history`
for one row and the bulk helpers for many; the admin's own edits go through `stamp`.
With `by=None` the record names the signed-in person of the request (simple-history's
middleware) or nobody (a task, a webhook).
"""

from __future__ import annotations

from django.utils import timezone
from simple_history import utils as simple_history_utils

REASON_MAX_LENGTH = 100


def reason(why: str) -> str:
    """The reason as the history column keeps it."""
    return str(why)[:REASON_MAX_LENGTH]


def stamp(obj, *, by, why: str):
    """Mark `obj` so its next save records `by` and `why` (and nothing stale from an
    earlier save of the same instance)."""
    if not why:
        raise ValueError("A history record needs a reason.")
    obj._change_reason = reason(why)
    if by is not None:
        obj._history_user = by
    elif hasattr(obj, "_history_user"):
        del obj._history_user
    return obj


def save_with_history(obj, *, by, why: str, update_fields=None):
    """Save `obj`, recording who (`by`) and why."""
    stamp(obj, by=by, why=why)
    obj.save(update_fields=update_fields)
    return obj


def bulk_create_with_history(objs, model, *, by, why: str, **kwargs):
    """Create many rows of `model`, each with a history record naming `by` and `why`."""
    return simple_history_utils.bulk_create_with_history(
        objs, model, default_user=by, default_change_reason=reason(why), **kwargs
    )


def bulk_update_with_history(objs, model, fields, *, by, why: str, **kwargs):
    """Update many rows of `model`, each with a history record naming `by` and `why`."""
    return simple_history_utils.bulk_update_with_history(
        objs, model, fields, default_user=by, default_change_reason=reason(why), **kwargs
    )


def bulk_record_deletions(queryset, *, by, why: str, batch_size: int | None = None) -> None:
    """One "deleted" history record for each row of `queryset`, written in bulk, naming
    `by` and `why`; the caller deletes the rows (in bulk, which simple-history cannot see)."""
    history = queryset.model.history
    tracked = [f.attname for f in history.model._meta.fields if not f.name.startswith("history_")]
    now = timezone.now()
    history.model.objects.bulk_create(
        [
            history.model(
                history_date=now,
                history_type="-",
                history_user=by,
                history_change_reason=reason(why),
                **{name: getattr(obj, name) for name in tracked},
            )
            for obj in queryset
        ],
        batch_size=batch_size,
    )


def history_of(obj, *, newest_first: bool = False):
    """The history records of `obj` with who made each, oldest first (or newest first)."""
    order = ("-history_date", "-history_id") if newest_first else ("history_date", "history_id")
    return obj.history.select_related("history_user").order_by(*order)
