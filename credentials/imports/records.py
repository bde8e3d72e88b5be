"""The holders and credentials imports (the office's member list and credential list).

Holders are matched by member ID, else by email (case-insensitive); a new holder is an
ordinary account with contact details and no usable password until invited. Credentials
are matched by number; the holder is named by email or member ID; NALP is read as CALP.
A blank cell leaves the value on file as it is, so a partial file never erases details.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower, Upper
from import_export import fields

from credentials import roles
from credentials.models import ContactProfile, Credential, CredentialType, User
from credentials.services import imported_records as import_services

from .base import RowProblems, SpreadsheetResource, changed_values
from .files import parse_date, text

# --- Column names as people write them --------------------------------------------------

HOLDER_COLUMNS = {
    "member_id": (
        "Member ID",
        "member",
        "member number",
        "member id number",
        "memberid",
        "customer id",
        "constituent id",
        "record id",
        "id",
    ),
    "email": ("Email", "e-mail", "email address", "e-mail address", "primary email", "mail"),
    "first_name": ("First Name", "first", "firstname", "given name", "fname"),
    "last_name": ("Last Name", "last", "lastname", "surname", "family name", "lname"),
    "name": ("Name", "full name", "member name", "holder", "holder name"),
    "phone": (
        "Phone",
        "phone number",
        "telephone",
        "mobile",
        "cell",
        "work phone",
        "primary phone",
    ),
    "address_line1": (
        "Address",
        "address 1",
        "address line 1",
        "address1",
        "street",
        "street address",
        "mailing address",
    ),
    "address_line2": ("Address 2", "address line 2", "address2", "suite", "apt"),
    "city": ("City", "town"),
    "state": ("State", "st", "province", "state province"),
    "postal_code": ("ZIP", "zip code", "zipcode", "postal code", "postcode", "zip postal code"),
    "employer": (
        "Employer",
        "company",
        "company name",
        "organization",
        "organisation",
        "management company",
    ),
    "job_title": ("Job Title", "title", "position"),
}

HOLDER_FIELDS = ("email", "first_name", "last_name")
PROFILE_FIELDS = (*ContactProfile.CONTACT_FIELDS, "member_id")

CREDENTIAL_COLUMNS = {
    "email": HOLDER_COLUMNS["email"],
    "member_id": HOLDER_COLUMNS["member_id"],
    "credential_type": (
        "Type",
        "credential",
        "credential type",
        "designation",
        "type code",
        "code",
        "credential code",
    ),
    "number": (
        "Credential Number",
        "credential number",
        "credential id",
        "certificate number",
        "cert number",
        "number",
    ),
    "earned_on": (
        "Earned On",
        "earned",
        "date earned",
        "earned date",
        "awarded",
        "date awarded",
        "issue date",
        "issued",
        "certified on",
        "original date",
    ),
    "valid_through": (
        "Valid Through",
        "valid thru",
        "valid until",
        "expires",
        "expiration",
        "expiration date",
        "expiry",
        "expiry date",
        "expires on",
        "paid through",
    ),
    "status": ("Status", "credential status"),
}

ACTIVE_WORDS = {"active", "current", "renewal due", "due", "in grace", "grace", "good standing"}
LAPSED_WORDS = {"lapsed", "expired", "inactive", "not current"}
IMPORTED_LAPSE_REASON = "Lapsed in the office's records before the portal (imported)."


def split_name(full: str) -> tuple[str, str]:
    """'Jane Q. Smith' -> ('Jane Q.', 'Smith'); 'Smith, Jane' -> ('Jane', 'Smith')."""
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    first, _, last = full.rpartition(" ")
    return first.strip(), last.strip()


class HolderResource(SpreadsheetResource):
    COLUMNS = HOLDER_COLUMNS
    REQUIRED = (("email",),)

    member_id = fields.Field(attribute="profile__member_id", column_name="Member ID")
    email = fields.Field(attribute="email", column_name="Email")
    first_name = fields.Field(attribute="first_name", column_name="First Name")
    last_name = fields.Field(attribute="last_name", column_name="Last Name")
    phone = fields.Field(attribute="profile__phone", column_name="Phone")
    address_line1 = fields.Field(attribute="profile__address_line1", column_name="Address")
    address_line2 = fields.Field(attribute="profile__address_line2", column_name="Address 2")
    city = fields.Field(attribute="profile__city", column_name="City")
    state = fields.Field(attribute="profile__state", column_name="State")
    postal_code = fields.Field(attribute="profile__postal_code", column_name="ZIP")
    employer = fields.Field(attribute="profile__employer", column_name="Employer")
    job_title = fields.Field(attribute="profile__job_title", column_name="Job Title")

    class Meta(SpreadsheetResource.Meta):
        model = User
        fields = ("member_id", *HOLDER_FIELDS, *ContactProfile.CONTACT_FIELDS)
        export_order = fields

    def get_queryset(self):
        return roles.holder_accounts(User.objects.all()).select_related("profile")

    def preload(self, rows):
        emails = {text(self.cell(r, "email")).lower() for r in rows} - {""}
        member_ids = {text(self.cell(r, "member_id")) for r in rows} - {""}
        users = (
            User.objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=emails)
            .select_related("profile")
        )
        self.by_email = {u.email_key: u for u in users}
        self.by_member_id = {
            p.member_id: p.user
            for p in ContactProfile.objects.filter(member_id__in=member_ids).select_related("user")
        }
        for profile_user in self.by_member_id.values():
            self.by_email.setdefault(profile_user.email.lower(), profile_user)
        office = roles.office_accounts_q()
        self.office_ids = set(
            User.objects.filter(office, pk__in=[u.pk for u in self.by_email.values()]).values_list(
                "pk", flat=True
            )
        )

    def build(self, row, line):
        problems: dict[str, list[str]] = {}
        email = text(self.cell(row, "email"))
        member_id = text(self.cell(row, "member_id"))[:30]
        if not email:
            problems["email"] = ["The email is missing: every holder needs one to sign in."]
        else:
            try:
                validate_email(email)
            except ValidationError:
                problems["email"] = [f"'{email}' is not an email address."]
        first, last = text(self.cell(row, "first_name")), text(self.cell(row, "last_name"))
        full = text(self.cell(row, "name"))
        if full and not (first or last):
            first, last = split_name(full)
        if problems:
            raise RowProblems(problems)
        key = email.lower()
        earlier = self.first_seen(("email", key), line)
        if earlier:
            raise RowProblems(
                {"email": [f"Two rows for one holder: {email} is also on row {earlier}."]}
            )
        if member_id:
            earlier = self.first_seen(("member", member_id), line)
            if earlier:
                raise RowProblems(
                    {
                        "member_id": [
                            "Two rows for one holder: member ID "
                            f"{member_id} is also on row {earlier}."
                        ]
                    }
                )
        by_member = self.by_member_id.get(member_id) if member_id else None
        by_email = self.by_email.get(key)
        user = by_member or by_email
        if by_member and by_email and by_member.pk != by_email.pk:
            raise RowProblems(
                {
                    "email": [
                        f"The email {email} belongs to another holder ({by_email.display_name}), "
                        f"not to member ID {member_id}."
                    ]
                }
            )
        if user is not None and user.pk in self.office_ids:
            raise RowProblems(
                {"email": [f"{email} is an AASC staff or NAAEI reviewer account, not a holder."]}
            )
        profile = getattr(user, "profile", None) if user is not None else None
        if by_email and not by_member and member_id and profile and profile.member_id:
            raise RowProblems(
                {
                    "email": [
                        f"The email {email} belongs to another holder (member ID "
                        f"{profile.member_id}), not to member ID {member_id}."
                    ]
                }
            )
        if user is None and not last:
            raise RowProblems(
                {"last_name": ["The name is missing: a new holder needs a last name."]}
            )

        # A change of case alone is not a change of address.
        same_address = user is not None and email.lower() == user.email.lower()
        values = {"email": user.email if same_address else email}
        if first:
            values["first_name"] = first[:150]
        if last:
            values["last_name"] = last[:150]
        profile_values = {"member_id": member_id or None}
        for name in (
            "phone",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "employer",
            "job_title",
        ):
            value = text(self.cell(row, name))
            if value:
                limit = ContactProfile._meta.get_field(name).max_length
                profile_values[name] = value[:limit]
        if not member_id:
            profile_values.pop("member_id")

        if user is None:
            user = User(is_active=True, **values)
            user.set_unusable_password()
            user._import_profile = ContactProfile(**profile_values)
            return user, True, None
        if profile is None:
            profile = ContactProfile(user=user)
        previous = {
            "user": changed_values(user, values),
            "contactprofile": changed_values(profile, profile_values),
        }
        if profile.pk is None:
            previous["contactprofile"] = {}  # created for an account that had none
        user._import_profile = profile
        changed = {k: v for k, v in previous.items() if v is not None}
        return user, False, changed or None

    def write(self, creates, updates):
        import_services.save_holders(self.batch, self.by, creates, updates)


class HolderLookup:
    """Rows that name a holder by email or member ID (credentials, CEC history)."""

    def preload_holders(self, rows):
        emails = {text(self.cell(r, "email")).lower() for r in rows} - {""}
        member_ids = {text(self.cell(r, "member_id")) for r in rows} - {""}
        self.by_email = {
            u.email_key: u
            for u in roles.holder_accounts(User.objects.all())
            .annotate(email_key=Lower("email"))
            .filter(email_key__in=emails)
        }
        self.by_member_id = {
            p.member_id: p.user
            for p in ContactProfile.objects.filter(member_id__in=member_ids).select_related("user")
        }
        self.holder_ids = {u.pk for u in self.by_email.values()} | {
            u.pk for u in self.by_member_id.values()
        }

    def holder_of(self, row, problems):
        email = text(self.cell(row, "email"))
        member_id = text(self.cell(row, "member_id"))
        if not email and not member_id:
            problems[NON_FIELD_ERRORS] = ["The holder is missing: give an email or a member ID."]
            return None
        by_email = self.by_email.get(email.lower()) if email else None
        by_member = self.by_member_id.get(member_id) if member_id else None
        if email and by_email is None:
            problems["email"] = [
                f"Unknown holder: no holder has the email {email} (import the holders first)."
            ]
        if member_id and by_member is None:
            problems["member_id"] = [f"Unknown holder: no holder has the member ID {member_id}."]
        if by_email and by_member and by_email.pk != by_member.pk:
            problems["email"] = [
                f"The email {email} belongs to another holder, not to member ID {member_id}."
            ]
        return None if problems else (by_email or by_member)


class CredentialResource(HolderLookup, SpreadsheetResource):
    COLUMNS = CREDENTIAL_COLUMNS
    REQUIRED = (("email", "member_id"), ("credential_type",), ("number",), ("earned_on",))
    UPDATE_FIELDS = ("earned_on", "valid_through", "lapsed_on", "lapse_reason")

    email = fields.Field(attribute="holder__email", column_name="Email")
    member_id = fields.Field(attribute="holder__profile__member_id", column_name="Member ID")
    credential_type = fields.Field(attribute="credential_type__code", column_name="Type")
    number = fields.Field(attribute="number", column_name="Credential Number")
    earned_on = fields.Field(attribute="earned_on", column_name="Earned On")
    valid_through = fields.Field(attribute="valid_through", column_name="Valid Through")
    status = fields.Field(column_name="Status")

    class Meta(SpreadsheetResource.Meta):
        model = Credential
        fields = (
            "email",
            "member_id",
            "credential_type",
            "number",
            "earned_on",
            "valid_through",
            "status",
        )
        export_order = fields

    def get_queryset(self):
        return Credential.objects.select_related("holder__profile", "credential_type")

    def dehydrate_status(self, credential):
        return "Lapsed" if credential.lapsed_on else "Active"

    def preload(self, rows):
        self.preload_holders(rows)
        numbers = {text(self.cell(r, "number")).upper() for r in rows} - {""}
        self.by_number = {
            c.number_key: c
            for c in Credential.objects.annotate(number_key=Upper("number"))
            .filter(number_key__in=numbers)
            .select_related("holder", "credential_type")
        }
        self.by_holder_type = {
            (c.holder_id, c.credential_type_id): c
            for c in Credential.objects.filter(holder_id__in=self.holder_ids).select_related(
                "credential_type"
            )
        }
        if not hasattr(self, "types"):
            self.types = {}
            for credential_type in CredentialType.objects.all():
                self.types[credential_type.code.upper()] = credential_type
                for former in credential_type.formerly.replace(";", ",").split(","):
                    if former.strip():
                        self.types.setdefault(former.strip().upper(), credential_type)

    def build(self, row, line):
        problems: dict[str, list[str]] = {}
        holder = self.holder_of(row, problems)
        code = text(self.cell(row, "credential_type")).upper()
        credential_type = self.types.get(code)
        if not code:
            problems["credential_type"] = [
                "The credential type is missing (CAM, CAPS, CALP, CAS, AIME, CAMT)."
            ]
        elif credential_type is None:
            known = ", ".join(sorted(c for c in self.types))
            problems["credential_type"] = [f"Unknown type code '{code}': use one of {known}."]
        number = text(self.cell(row, "number"))
        if not number:
            problems["number"] = ["The credential number is missing."]
        elif len(number) > 30:
            problems["number"] = [
                f"'{number[:40]}' is longer than a credential number can be (30)."
            ]
        earned_on = valid_through = None
        try:
            earned_on = parse_date(self.cell(row, "earned_on"))
        except ValueError as exc:
            problems["earned_on"] = [
                "The date earned is missing." if not text(self.cell(row, "earned_on")) else str(exc)
            ]
        raw_through = self.cell(row, "valid_through")
        if text(raw_through):
            try:
                valid_through = parse_date(raw_through)
            except ValueError as exc:
                problems["valid_through"] = [str(exc)]
        elif credential_type is not None and credential_type.renews_annually:
            problems["valid_through"] = [
                "The valid-through date is missing: a "
                f"{credential_type.code} credential renews every year."
            ]
        if earned_on and valid_through and valid_through < earned_on:
            problems["valid_through"] = [
                f"Valid through {valid_through:%m/%d/%Y} is before it was earned."
            ]
        status = text(self.cell(row, "status")).lower()
        if status and status not in ACTIVE_WORDS | LAPSED_WORDS:
            problems["status"] = [f"Unknown status '{status}': use Active or Lapsed."]
        if problems:
            raise RowProblems(problems)

        earlier = self.first_seen(("number", number.upper()), line)
        if earlier:
            raise RowProblems(
                {
                    "number": [
                        f"Two rows for one credential number: {number} is also on row {earlier}."
                    ]
                }
            )
        earlier = self.first_seen(("holder-type", holder.pk, credential_type.pk), line)
        if earlier:
            raise RowProblems(
                {
                    "credential_type": [
                        f"Two {credential_type.code} credentials for "
                        f"{holder.email}: the other is on row {earlier}."
                    ]
                }
            )
        values = {"earned_on": earned_on, "valid_through": valid_through}
        if status in LAPSED_WORDS:
            values["lapsed_on"] = valid_through or earned_on
            values["lapse_reason"] = IMPORTED_LAPSE_REASON
        elif status:
            values["lapsed_on"] = None
            values["lapse_reason"] = ""
        existing = self.by_number.get(number.upper())
        same_type = self.by_holder_type.get((holder.pk, credential_type.pk))
        if existing is not None:
            if existing.holder_id != holder.pk:
                raise RowProblems(
                    {
                        "number": [
                            f"Credential number {number} belongs to "
                            f"another holder ({existing.holder.email})."
                        ]
                    }
                )
            if existing.credential_type_id != credential_type.pk:
                raise RowProblems(
                    {
                        "credential_type": [
                            f"Credential {number} is a {existing.credential_type.code} "
                            f"credential, not {credential_type.code}."
                        ]
                    }
                )
            previous = changed_values(existing, values)
            return existing, False, previous
        if same_type is not None:
            raise RowProblems(
                {
                    "number": [
                        f"{holder.email} already has a {credential_type.code} "
                        f"credential, number {same_type.number}."
                    ]
                }
            )
        credential = Credential(
            holder=holder, credential_type=credential_type, number=number, **values
        )
        return credential, True, None

    def write(self, creates, updates):
        import_services.save_credentials(self.batch, self.by, creates, updates, self.UPDATE_FIELDS)
