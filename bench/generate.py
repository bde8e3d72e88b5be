"""Fill an empty (migrated) database with a renewal season's worth of data, fast.

N holders (default 50,000), each with contact details, one to three credentials due for
the current renewal year (one in twenty lapsed, so its renewal adds reinstatement),
20 CEC ledger entries over three years, and 100,000 Reporting Forms spread over them;
a staff member, a reviewer and upcoming AASC classes. Rows go in with multi-row inserts
(SQLite) or COPY (PostgreSQL), with ids assigned here so that no row is read back; the
id sequences are reset afterwards. History tables are left empty: the pages under test
never read them.

Renewals and invoices are not generated here: `bench invoices` issues them with the
product's own service and times it (the invoice run), then `bench submissions` queues
CEC submissions for the reviewer.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from cec.models import (
    ClassSession,
    Course,
    EntryState,
    FormState,
    LedgerEntry,
    ReportingForm,
    Source,
)
from credentials import rules, selectors
from credentials.models import ContactProfile, Credential, CredentialType, User

BENCH_PASSWORD = "bench-only-password"
HOLDER_EMAIL = "holder{:06d}@bench.example.org"
STAFF_EMAIL = "staff@bench.example.org"
REVIEWER_EMAIL = "reviewer@bench.example.org"
ENTRIES_PER_HOLDER = 20
FORMS_TOTAL = 100_000
RENEWING_CODES = ["CAM", "CALP", "CAPS", "CAS", "AIME"]


def _adapter(field):
    """How a Python value of `field` goes to the database in a raw insert."""
    vendor = connection.vendor
    internal = field.get_internal_type()
    if vendor == "postgresql":
        if internal == "JSONField":
            return json.dumps
        return None
    if internal == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if internal == "DateField":
        return lambda value: value.isoformat()
    if internal == "DecimalField":
        return str
    if internal == "UUIDField":
        return lambda value: value.hex
    if internal == "JSONField":
        return json.dumps
    return None


def insert_rows(model, columns, rows, chunk=2000) -> int:
    """Insert tuples of `columns` (attnames) into `model`'s table without the ORM.

    Concrete NOT NULL columns the caller does not list get their field's default (a
    column added to a model later, e.g. a UUID or a blank text, keeps the generator
    working)."""
    fields = [model._meta.get_field(name) if name != "id" else model._meta.pk for name in columns]
    extra = [
        f
        for f in model._meta.concrete_fields
        if f not in fields
        and not f.null
        and not f.primary_key
        and (f.has_default() or f.empty_strings_allowed)
    ]
    if extra:
        fields = fields + extra
        rows = (tuple(row) + tuple(f.get_default() for f in extra) for row in rows)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            adapters = [_adapter(f) for f in fields]
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [
                            a(v) if a and v is not None else v
                            for a, v in zip(adapters, row, strict=True)
                        ]
                    )
                    count += 1
            return count
        adapters = [_adapter(f) for f in fields]
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        batch = []
        # SQLite allows 32,766 variables per statement.
        per_statement = max(1, min(chunk, 32_000 // len(fields)))

        def flush():
            sql = f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * len(batch))
            cursor.execute(sql, [value for row in batch for value in row])
            batch.clear()

        for row in rows:
            batch.append(
                [a(v) if a and v is not None else v for a, v in zip(adapters, row, strict=True)]
            )
            count += 1
            if len(batch) >= per_statement:
                flush()
        if batch:
            flush()
    return count


def reset_sequences(*models):
    for sql in connection.ops.sequence_reset_sql(no_style(), models):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def _timed(label, func, timings):
    started = time.perf_counter()
    rows = func()
    seconds = time.perf_counter() - started
    timings.append({"table": label, "rows": rows, "seconds": round(seconds, 2)})
    print(f"  {label:<16} {rows:>9,} rows in {seconds:6.1f} s", flush=True)
    return rows


def generate(holders: int = 50_000, forms: int | None = None) -> dict:
    """Fill the database; returns what was inserted and how long it took."""
    if User.objects.filter(email__endswith="@bench.example.org").exists():
        raise SystemExit("The bench database already has data: start from an empty one.")
    forms = FORMS_TOTAL if forms is None else forms
    year = selectors.current_renewal_year()
    earning_first, earning_last = rules.earning_window(year)
    now = timezone.now()
    password = make_password(BENCH_PASSWORD)
    types = {t.code: t.pk for t in CredentialType.objects.all()}
    timings: list[dict] = []
    started = time.perf_counter()

    staff = User.objects.create_user(
        STAFF_EMAIL, BENCH_PASSWORD, first_name="Sam", last_name="Clerk"
    )
    reviewer = User.objects.create_user(
        REVIEWER_EMAIL, BENCH_PASSWORD, first_name="Rae", last_name="Viewer"
    )
    from django.contrib.auth.models import Group

    from credentials import roles

    staff.groups.add(Group.objects.get(name=roles.AASC_STAFF))
    reviewer.groups.add(Group.objects.get(name=roles.NAAEI_REVIEWER))
    _enable_mfa(reviewer)
    _enable_mfa(staff)
    first_id = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    holder_ids = range(first_id, first_id + holders)

    with transaction.atomic():
        _timed(
            "users",
            lambda: insert_rows(
                User,
                [
                    "id",
                    "password",
                    "is_superuser",
                    "first_name",
                    "last_name",
                    "is_staff",
                    "is_active",
                    "date_joined",
                    "email",
                ],
                (
                    (
                        hid,
                        password,
                        False,
                        f"Holder{n}",
                        f"Bench{n % 997}",
                        False,
                        True,
                        now,
                        HOLDER_EMAIL.format(n),
                    )
                    for n, hid in enumerate(holder_ids)
                ),
            ),
            timings,
        )
        # Verified primary addresses, as every holder who signs in has (allauth refuses a
        # sign-in with an unverified address: ACCOUNT_EMAIL_VERIFICATION = "mandatory").
        _timed(
            "email addresses",
            lambda: insert_rows(
                EmailAddress,
                ["id", "user_id", "email", "verified", "primary"],
                (
                    (n + 1, hid, HOLDER_EMAIL.format(n), True, True)
                    for n, hid in enumerate(holder_ids)
                ),
            ),
            timings,
        )
        _timed(
            "contact profiles",
            lambda: insert_rows(
                ContactProfile,
                [
                    "id",
                    "user_id",
                    "phone",
                    "address_line1",
                    "address_line2",
                    "city",
                    "state",
                    "postal_code",
                    "employer",
                    "job_title",
                    "updated_at",
                ],
                (
                    (
                        n + 1,
                        hid,
                        f"719-555-{n % 10000:04d}",
                        f"{n % 9000 + 100} Main St",
                        "",
                        "Colorado Springs",
                        "CO",
                        "80903",
                        "Bench Apartments",
                        "Manager",
                        now,
                    )
                    for n, hid in enumerate(holder_ids)
                ),
            ),
            timings,
        )

        def credential_rows():
            cid = 0
            for n, hid in enumerate(holder_ids):
                # 1 to 3 renewing credentials; one holder in twenty lapsed last season.
                for k in range(1 + n % 3):
                    cid += 1
                    code = RENEWING_CODES[(n + k) % len(RENEWING_CODES)]
                    lapsed = n % 20 == 0 and k == 0
                    valid = dt.date(year - (2 if lapsed else 1), 12, 31)
                    yield (
                        cid,
                        hid,
                        types[code],
                        f"B{n:06d}-{code}",
                        dt.date(2015 + n % 8, 6, 1),
                        valid,
                        dt.date(year - 1, 4, 1) if lapsed else None,
                        "Not renewed (bench data)" if lapsed else "",
                    )

        _timed(
            "credentials",
            lambda: insert_rows(
                Credential,
                [
                    "id",
                    "holder_id",
                    "credential_type_id",
                    "number",
                    "earned_on",
                    "valid_through",
                    "lapsed_on",
                    "lapse_reason",
                ],
                credential_rows(),
            ),
            timings,
        )

        def form_rows():
            states = [FormState.VERIFIED, FormState.VERIFIED, FormState.SENT, FormState.DRAFT]
            for fid in range(1, forms + 1):
                hid = holder_ids[(fid - 1) % holders]
                state = states[fid % len(states)]
                signed = state == FormState.VERIFIED
                yield (
                    fid,
                    hid,
                    "expo_class",
                    f"Expo class {fid}",
                    "AASC Expo",
                    earning_first + dt.timedelta(days=fid % 300),
                    None,
                    Decimal("1.50"),
                    "",
                    state,
                    signed,
                    now if state != FormState.DRAFT else None,
                    staff.pk if signed else None,
                    now if signed else None,
                    "",
                    "",
                    now,
                    now,
                )

        _timed(
            "reporting forms",
            lambda: insert_rows(
                ReportingForm,
                [
                    "id",
                    "holder_id",
                    "activity_type",
                    "title",
                    "organiser",
                    "started_on",
                    "ended_on",
                    "hours_claimed",
                    "description",
                    "state",
                    "in_network",
                    "sent_at",
                    "signed_by_id",
                    "signed_at",
                    "signature_note",
                    "return_reason",
                    "created_at",
                    "updated_at",
                ],
                form_rows(),
            ),
            timings,
        )

        def entry_rows():
            eid = 0
            span = (earning_last - earning_first).days
            for n, hid in enumerate(holder_ids):
                for k in range(ENTRIES_PER_HOLDER):
                    eid += 1
                    # Half in the earning window, the rest in the two years before it.
                    back = 0 if k % 2 == 0 else 365 * (1 + k % 3 // 2)
                    earned = earning_last - dt.timedelta(days=(n * 7 + k * 17) % span + back)
                    participation = k % 10 == 9
                    # The holder's first forms (verified ones) stand behind two entries.
                    form_id = n + 1 if k == 1 and n < forms and (n + 1) % 4 in (0, 1) else None
                    source = (
                        Source.COMMITTEE
                        if participation
                        else Source.EXPO_CLASS
                        if form_id
                        else Source.AASC_CLASS
                    )
                    yield (
                        eid,
                        hid,
                        earned,
                        Decimal("1.50") if k % 3 else Decimal("0.75"),
                        f"Class {k}: fair housing update"
                        if source == Source.AASC_CLASS
                        else f"Activity {k}",
                        source,
                        not participation,
                        participation,
                        EntryState.VERIFIED if form_id else EntryState.CREDITED,
                        None,
                        form_id,
                        f"C{eid:09d}" if source == Source.AASC_CLASS else None,
                        uuid.uuid4(),
                        now,
                    )

        _timed(
            "ledger entries",
            lambda: insert_rows(
                LedgerEntry,
                [
                    "id",
                    "holder_id",
                    "earned_on",
                    "hours",
                    "title",
                    "source",
                    "in_network",
                    "participation",
                    "state",
                    "attendance_id",
                    "reporting_form_id",
                    "certificate_number",
                    "verification_token",
                    "created_at",
                ],
                entry_rows(),
            ),
            timings,
        )
        reset_sequences(User, EmailAddress, ContactProfile, Credential, ReportingForm, LedgerEntry)

    # Upcoming AASC classes still in the earning window (the ledger's "close the gap").
    course = Course.objects.create(title="Fair housing update (bench)")
    today = selectors.today()
    for day in range(0, 40, 3):
        date = min(today + dt.timedelta(days=day), earning_last)
        ClassSession.objects.create(
            course=course,
            date=date,
            start_time=dt.time(9),
            end_time=dt.time(12),
            break_minutes=30,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = time.perf_counter() - started
    rows = sum(t["rows"] for t in timings)
    print(f"  generated {rows:,} rows in {total:.1f} s ({rows / total:,.0f} rows/s)")
    return {
        "holders": holders,
        "rows": rows,
        "seconds": round(total, 1),
        "tables": timings,
        # The hash every holder's password is stored with: the production hasher (the first
        # of PASSWORD_HASHERS), so the measured sign-in checks what production checks.
        "password_algorithm": password.split("$", 1)[0],
    }


def _enable_mfa(user):
    """Office accounts must have two-factor authentication to use the portal."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
