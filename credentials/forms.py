from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from renewal_portal.infra import long_selects

from .models import ContactProfile
from .us_states import US_STATES, state_code

PHONE_CHARACTERS = RegexValidator(
    r"^\+?[0-9 ().\-]+$",
    "Enter a phone number of digits, spaces, dashes or brackets, e.g. (719) 555-0142.",
)
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 10, 15


def phone_validator(value: str) -> None:
    """Which characters first, then how many digits: "12" is too short, not wrong."""
    PHONE_CHARACTERS(value)
    digits = sum(ch.isdigit() for ch in value)
    if digits < MIN_PHONE_DIGITS:
        raise ValidationError(
            "This phone number is too short: enter the area code and the number, "
            "e.g. (719) 555-0142."
        )
    if digits > MAX_PHONE_DIGITS:
        raise ValidationError(
            f"This phone number is too long: at most {MAX_PHONE_DIGITS} digits, "
            "e.g. (719) 555-0142."
        )


class USStateField(forms.ChoiceField):
    """A US state (or DC, a territory), chosen from the list; a code or name typed by a
    script or an old browser ("co", "Colorado") is read as its code."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": "Choose a US state from the list.", "required": "Choose a state."},
        )
        kwargs.setdefault("widget", long_selects.Select)
        super().__init__(choices=[("", "Choose a state")] + US_STATES, **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        return state_code(text) or text


postal_code_validator = RegexValidator(
    r"^[0-9]{5}(-[0-9]{4})?$", "Enter a ZIP code such as 80903 or 80903-1234."
)


class ContactDetailsForm(forms.ModelForm):
    """The holder's name and contact details in one form (SPEC: contact details form)."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    phone = forms.CharField(max_length=30, validators=[phone_validator])
    address_line1 = forms.CharField(label="Street address", max_length=200)
    city = forms.CharField(max_length=100)
    state = USStateField()
    postal_code = forms.CharField(
        label="ZIP code", max_length=10, validators=[postal_code_validator]
    )

    class Meta:
        model = ContactProfile
        fields = list(ContactProfile.CONTACT_FIELDS)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["first_name"].initial = user.first_name
        self.fields["last_name"].initial = user.last_name
        if self.instance.state:  # kept from before the list: "Colorado" shows as CO
            self.initial["state"] = state_code(self.instance.state) or self.instance.state
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                field.strip = True
            field.widget.attrs.setdefault("autocomplete", AUTOCOMPLETE.get(name, "on"))
        self.helper = FormHelper()
        # The page's own <form> holds this layout and the "Save and confirm" button: a
        # second <form> tag inside it would leave that button outside any form.
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Name",
                Row(
                    Column("first_name", css_class="col-md-6"),
                    Column("last_name", css_class="col-md-6"),
                ),
            ),
            Fieldset("Phone", "phone"),
            Fieldset(
                "Mailing address",
                "address_line1",
                "address_line2",
                Row(
                    Column("city", css_class="col-md-5"),
                    Column("state", css_class="col-md-3"),
                    Column("postal_code", css_class="col-md-4"),
                ),
            ),
            Fieldset(
                "Work",
                Row(
                    Column("employer", css_class="col-md-6"),
                    Column("job_title", css_class="col-md-6"),
                ),
            ),
            Submit("save", "Save contact details"),
        )

    def clean(self):
        cleaned = super().clean()
        refuse_control_characters(self, cleaned)
        return cleaned

    def save(self, commit=True):
        profile = super().save(commit=False)
        self.user.first_name = self.cleaned_data["first_name"]
        self.user.last_name = self.cleaned_data["last_name"]
        if commit:
            self.user.save(update_fields=["first_name", "last_name"])
            profile.save()
        return profile


# Characters no name or address has: control characters (terminal escapes, line breaks in
# a one-line field) and the bidirectional overrides that show a text in another order
# than it is stored (a name that reads differently in admin than in a CSV).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_control_characters(value: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 or ch in BIDI_CONTROLS for ch in value)


def refuse_control_characters(form, cleaned) -> None:
    """A message next to each text field of `form` that holds such characters."""
    for name, value in list(cleaned.items()):
        if isinstance(value, str) and has_control_characters(value):
            form.add_error(name, "Remove the control characters from this field.")


AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "phone": "tel",
    "address_line1": "address-line1",
    "address_line2": "address-line2",
    "city": "address-level2",
    "state": "address-level1",
    "postal_code": "postal-code",
    "employer": "organization",
    "job_title": "organization-title",
}


class SignupNameForm(forms.Form):
    """The name asked at sign-up (ACCOUNT_SIGNUP_FORM_CLASS): allauth's sign-up form
    inherits these fields, and its adapter saves them on the new user."""

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    first_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )

    def clean(self):
        cleaned = super().clean()
        refuse_control_characters(self, cleaned)
        return cleaned

    def signup(self, request, user):
        """Nothing more to do: allauth's adapter already saved the name with the user."""


class ClaimForm(forms.Form):
    """A holder's claim to a record the office keeps: what is printed on their
    certificate, and the last name and ZIP code the office has on file."""

    number = forms.CharField(
        label="Credential number",
        max_length=30,
        help_text="As printed on your NAAEI certificate or wallet card.",
    )
    last_name = forms.CharField(label="Last name", max_length=150)
    postal_code = forms.CharField(
        label="ZIP code",
        max_length=10,
        validators=[postal_code_validator],
        help_text="Of the mailing address the AASC office has for you.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Send my claim to the AASC office"))
