"""Money typed by people: dollars and cents in every form, integer cents in the database.

`DollarsField` shows 5000 cents as "50.00" and reads "50", "50.00", "$1,250.5" back as
cents; `DollarsAdminMixin` gives every `*_cents` model field of an admin form (and its
inlines) this field, so nobody types cents.
"""

import re
from decimal import Decimal

from django import forms
from django.db import models

# Whole dollars, or dollars and one or two digits of cents ("50", "50.5", "50.00", ".99").
DOLLARS = re.compile(r"(\d+(\.\d{0,2})?|\.\d{1,2})")


def dollars_text(cents) -> str:
    """5000 -> '50.00' (what a money input shows; no symbol, no thousands separator)."""
    if cents in (None, ""):
        return ""
    return f"{Decimal(int(cents)) / 100:.2f}"


class DollarsField(forms.Field):
    """An amount in dollars and cents, cleaned to integer cents."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": "Enter an amount in dollars and cents, such as 50 or 50.00.",
        "negative": "The amount cannot be negative.",
        "too_large": "The amount cannot be more than %(most)s.",
    }

    def __init__(self, *, max_cents=100_000_00, **kwargs):
        self.max_cents = max_cents
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "inputmode": "decimal",
            "size": "10",
            "class": "dollars-input",
            "placeholder": "0.00",
        }

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return dollars_text(value)
        return value

    def to_python(self, value):
        text = str(value or "").strip().replace("$", "").replace(",", "").strip()
        if not text:
            return None
        if text.startswith("-") and DOLLARS.fullmatch(text[1:].strip()):
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if not DOLLARS.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        amount = Decimal(text)
        cents = int(amount * 100)
        if cents > self.max_cents:
            raise forms.ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"most": f"${Decimal(self.max_cents) / 100:,.2f}"},
            )
        return cents

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (None if initial in (None, "") else int(initial))
        except (forms.ValidationError, ValueError, TypeError):
            return True


def dollars_label(verbose_name: str) -> str:
    """'annual renewal fee (cents)' -> 'Annual renewal fee ($)'."""
    name = str(verbose_name).replace("(cents)", "").replace("cents", "").strip()
    return f"{name[:1].upper()}{name[1:]} ($)"


class DollarsAdminMixin:
    """For ModelAdmin and inline classes: `*_cents` integer fields are typed in dollars."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.IntegerField) and db_field.name.endswith("_cents"):
            return DollarsField(
                label=dollars_label(db_field.verbose_name),
                required=not db_field.blank,
                help_text=db_field.help_text,
                initial=db_field.default if db_field.has_default() else None,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
