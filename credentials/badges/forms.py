from django import forms

from .baking import unbake

MAX_CREDENTIAL_BYTES = 64 * 1024  # a badge is a few KB; canonicalising more is wasted work


class VerifyForm(forms.Form):
    credential = forms.CharField(
        label="Paste the credential (JSON)",
        required=False,
        max_length=MAX_CREDENTIAL_BYTES,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "font-monospace"}),
    )
    upload = forms.FileField(
        label="…or upload its file (.json, or the baked .svg badge)", required=False
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is not None:
            if upload.size > MAX_CREDENTIAL_BYTES:
                raise forms.ValidationError("That file is too large to be a credential.")
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError("That file is not a JSON credential.") from exc
            cleaned["credential"] = unbake(text) or text
        if not (cleaned.get("credential") or "").strip():
            raise forms.ValidationError("Paste a credential or choose its file.")
        return cleaned
