"""Ids that come from outside (URL, POST, query string) never reach the database as
something it cannot hold (issue 15 item 15).

SQLite stores integers in 64 bits: Django already answers "no such row" for an `exact`
lookup with a bigger number, but `pk__in=[99999999999999999999]` (a multiple-choice
field, an admin action's selection, an admin list filter, the admin's autocomplete
widget re-showing a posted value) raised OverflowError, a 500. Two layers:

- `IntegerIn`, registered for every integer field (ids included): an `in` lookup drops
  values no integer column can hold (too big, too small, not a whole number), as the
  `exact` lookup already does, so such a query simply matches nothing;
- `IdChoiceMixin` for the project's own choice fields: only plain positive ids in range
  are looked up at all; anything else is the field's "not a valid choice" error.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import models
from django.db.models import lookups

# The largest id any of our databases can store (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """`value` as an id if it is one (ASCII digits, 1 to MAX_ID), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


class IntegerIn(lookups.In):
    """`in` on an integer column, without the values the column cannot hold."""

    def get_prep_lookup(self):
        if self.rhs_is_direct_value() and not isinstance(self.rhs, (str, bytes)):
            field = self.lhs.output_field
            kept = []
            for value in self.rhs:
                if value is None or hasattr(value, "resolve_expression"):
                    kept.append(value)
                    continue
                try:
                    field.get_prep_value(value)
                except (TypeError, ValueError, ValidationError):
                    continue  # no integer row matches "abc"
                kept.append(value)
            self.rhs = kept
        return super().get_prep_lookup()

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            internal_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(internal_type)
            low = -MAX_ID - 1 if low is None else low
            high = MAX_ID if high is None else high
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or isinstance(value, bool) or low <= value <= high
            ]
            if not self.rhs:
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def register_lookups() -> None:
    models.IntegerField.register_lookup(IntegerIn)


class IdChoiceMixin:
    """For ModelChoiceField and ModelMultipleChoiceField keyed by id: a value that is not
    a plain id in range is an invalid choice before any query, and is not shown back."""

    def _safe(self, value):
        return value in self.empty_values or parse_id(value) is not None

    def to_python(self, value):
        if not self._safe(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def _check_values(self, value):
        if isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                if parse_id(item) is None:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": str(item)[:20]},
                    )
        return super()._check_values(value)

    def bound_data(self, data, initial):
        # A posted value that is not an id is not re-shown (nor looked up by a widget).
        if isinstance(data, (list, tuple)):
            return [item for item in data if parse_id(item) is not None]
        return data if self._safe(data) else initial


class IdModelChoiceField(IdChoiceMixin, forms.ModelChoiceField):
    pass


class IdModelMultipleChoiceField(IdChoiceMixin, forms.ModelMultipleChoiceField):
    pass
