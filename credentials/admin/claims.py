"""The claims queue and merging two holder records, in admin (issue 18).

A claim shows its evidence side by side: what the claimant typed against the record the
office keeps, and both accounts. Staff confirm (the record moves to the claimant) or
refuse; both are services with history. Merging two records is its own page ("Merges of
holder records" → Add), refused with the reason when the two cannot be one.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from credentials import selectors
from credentials.models import Claim, ClaimState, ContactProfile, HolderMerge
from credentials.permissions import DECIDE_CLAIM
from credentials.services import claims as claim_services
from credentials.services import merges
from renewal_portal.infra.admin_display import short_datetime
from renewal_portal.infra.admin_history import HistoryAdmin


class WaitingFilter(admin.SimpleListFilter):
    """Opens on the claims waiting for the office; the others are a click away."""

    title = "state"
    parameter_name = "queue"
    DEFAULT = ClaimState.WAITING

    def lookups(self, request, model_admin):
        return [*ClaimState.choices, ("all", "All")]

    def choices(self, changelist):
        current = self.value() or self.DEFAULT
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.DEFAULT
        if value == "all":
            return queryset
        if value not in ClaimState.values:
            return queryset.none()
        return queryset.filter(state=value)


def _account_lines(user):
    if user is None:
        return "–"
    profile = ContactProfile.objects.filter(user=user).first()
    address = ", ".join(profile.mailing_address_lines) if profile else ""
    credentials = ", ".join(
        f"{c.credential_type.code} {c.number}" for c in selectors.credentials_held_by(user)
    )
    rows = [
        ("Name", user.get_full_name() or "–"),
        ("Email", user.email),
        ("Account made", short_datetime(user.date_joined)),
        ("Last sign-in", short_datetime(user.last_login) if user.last_login else "never"),
        ("Password chosen", "yes" if user.has_usable_password() else "no"),
        ("Phone", profile.phone if profile and profile.phone else "–"),
        ("Address", address or "–"),
        ("Credentials", credentials or "none"),
    ]
    return format_html(
        "<table><tbody>{}</tbody></table>",
        format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", rows),
    )


@admin.register(Claim)
class ClaimAdmin(HistoryAdmin):
    list_display = ["created", "claimant", "typed_number", "record", "state", "staff_note"]
    list_filter = [WaitingFilter]
    list_select_related = ["claimant", "record"]
    search_fields = ["claimant__email", "typed_number", "typed_last_name", "record__email"]
    fields = readonly_fields = [
        "state",
        "evidence",
        "claimant_account",
        "record_account",
        "staff_note",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    actions = ["confirm_claims", "refuse_claims"]
    change_form_template = "admin/credentials/claim/change_form.html"

    def has_add_permission(self, request):
        return False  # holders send claims from their own page

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(require_POST(self.decide_view)),
                name="credentials_claim_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # self.get_object turns an id that is not a number into "doesn't exist", not a 500.
        claim = self.get_object(request, object_id)
        can_decide = (
            claim is not None
            and self.has_decide_permission(request)
            and claim.state in (ClaimState.WAITING, ClaimState.NO_MATCH)
        )
        extra_context = {
            **(extra_context or {}),
            "can_decide": can_decide,
            "can_confirm": can_decide and claim.state == ClaimState.WAITING,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, pk):
        """Confirm or refuse one claim from its page, with the office's note."""
        if not self.has_decide_permission(request):
            raise PermissionDenied
        claim = get_object_or_404(Claim, pk=pk)
        note = request.POST.get("note", "")[:300]
        try:
            if "confirm" in request.POST:
                claim_services.confirm_claim(claim, by=request.user, note=note)
                self.message_user(request, "Claim confirmed: the record moved.", messages.SUCCESS)
            else:
                note = note.strip() or "Refused by the AASC office: the evidence does not match."
                claim_services.refuse_claim(claim, by=request.user, note=note)
                self.message_user(request, "Claim refused.", messages.SUCCESS)
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(getattr(exc, "messages", [str(exc)]))
            self.message_user(request, text, messages.ERROR)
        return redirect(reverse("admin:credentials_claim_change", args=[claim.pk]))

    def has_change_permission(self, request, obj=None):
        return False  # decided by the actions below, through the services

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm(DECIDE_CLAIM)

    @admin.display(description="sent", ordering="created_at")
    def created(self, obj):
        return short_datetime(obj.created_at)

    @admin.display(description="typed vs the record")
    def evidence(self, obj):
        record = obj.record or (obj.credential.holder if obj.credential else None)
        profile = ContactProfile.objects.filter(user=record).first() if record else None
        number = obj.credential.number if obj.credential else "–"
        rows = [
            ("Credential number", obj.typed_number, number),
            ("Last name", obj.typed_last_name, record.last_name if record else "–"),
            ("ZIP code", obj.typed_postal_code, profile.postal_code if profile else "–"),
        ]
        return format_html(
            "<table><thead><tr><th></th><th scope='col'>Typed by the claimant</th>"
            "<th scope='col'>On the record</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description="claimant's account")
    def claimant_account(self, obj):
        return _account_lines(obj.claimant)

    @admin.display(description="the record claimed")
    def record_account(self, obj):
        return _account_lines(obj.record)

    @admin.action(
        description="Confirm the selected claims (the records move to the claimants)",
        permissions=["decide"],
    )
    def confirm_claims(self, request, queryset):
        self._decide(request, queryset, claim_services.confirm_claim, "confirmed", {})

    @admin.action(
        description="Refuse the selected claims (the evidence does not match)",
        permissions=["decide"],
    )
    def refuse_claims(self, request, queryset):
        note = f"Refused by the AASC office ({request.user.email}): the evidence does not match."
        self._decide(request, queryset, claim_services.refuse_claim, "refused", {"note": note})

    def _decide(self, request, queryset, service, verb, kwargs):
        done = 0
        for claim in queryset:
            try:
                service(claim, by=request.user, **kwargs)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", [str(exc)]))
                self.message_user(request, f"Claim {claim.pk}: {text}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} claim(s) {verb}.", messages.SUCCESS)


class HolderMergeForm(forms.ModelForm):
    class Meta:
        model = HolderMerge
        fields = ["source", "into", "reason"]
        help_texts = {
            "source": "Its credentials, renewals, CEC ledger and forms move; then it is closed.",
            "into": "The account the person keeps using.",
            "reason": "Why they are one person (goes into the history of every row moved).",
        }

    def clean(self):
        data = super().clean()
        source, into = data.get("source"), data.get("into")
        if source and into:
            refusal = merges.merge_refusal(source, into)
            if refusal:
                raise ValidationError(refusal)
        return data


@admin.register(HolderMerge)
class HolderMergeAdmin(admin.ModelAdmin):
    form = HolderMergeForm
    list_display = ["merged_at", "source", "into", "reason", "moved", "merged_by", "claim_link"]
    autocomplete_fields = ["source", "into"]
    search_fields = ["source__email", "into__email", "reason"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["source", "into", "reason"]
        return ["source", "into", "reason", "moved", "claim_link", "merged_by", "merged_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False  # a merge is a record of what happened

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="claim")
    def claim_link(self, obj):
        if obj.claim_id is None:
            return "–"
        url = reverse("admin:credentials_claim_change", args=[obj.claim_id])
        return format_html('<a href="{}">Claim {}</a>', url, obj.claim_id)

    def save_model(self, request, obj, form, change):
        """The merge service does the work (and refuses, with the reason, what it must)."""
        merge = merges.merge_holders(obj.source, obj.into, by=request.user, reason=obj.reason)
        obj.pk = merge.pk
        obj.merged_at = merge.merged_at
        obj.moved = merge.moved
        obj._state.adding = False
