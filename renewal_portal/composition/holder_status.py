"""Where a holder stands, in plain words, for the pages that tell them: the one next
action on the home page (or that all is done, until when), and, for a renewal that
reinstates a lapsed credential, when and why it lapsed and what reinstating it takes.

Derived from the rules and the records (selectors), never in templates. The home page
and the new-user welcome page call `next_action_for`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse

from credentials import rules, selectors
from credentials.models import Renewal
from credentials.selectors import Reinstatement, reinstatements_of
from renewal_portal.composition.renewal_steps import invoice_of, renewal_steps
from renewal_portal.infra.money import format_cents

__all__ = [
    "NextAction",
    "Reinstatement",
    "next_action_for",
    "reinstatement_cost",
    "reinstatements_of",
]

# What the holder is asked to do next (or told), one per state.
NO_CREDENTIALS = "no_credentials"
LIFETIME = "lifetime"
NOT_ISSUED = "not_issued"
CONTACT, PAYMENT, CEC_STATUS, SUBMIT = "contact", "payment", "cec_status", "cec_approval"
RESUBMIT = "resubmit"
WAITING = "waiting"
COMPLETED = "completed"
RENEWED = "renewed"


@dataclass(frozen=True)
class NextAction:
    kind: str
    headline: str
    text: str = ""
    url: str = ""
    button: str = ""
    # How the page shows it: "primary" (something to do), "warning" (in grace),
    # "danger" (lapsed), "success" (all done), "info" (nothing to do yet).
    tone: str = "primary"
    deadline: str = ""
    renewal: Renewal | None = None
    steps_done: int | None = None
    note: str = ""  # e.g. CECs waiting for NAAEI while another step is the next action
    reinstatements: list[Reinstatement] = field(default_factory=list)

    @property
    def all_done(self) -> bool:
        return self.kind in (COMPLETED, RENEWED, LIFETIME)

    @property
    def label(self) -> str:
        """'Your next step', or 'Where you stand' when there is nothing to do now."""
        nothing_to_do = self.all_done or self.kind in (WAITING, NOT_ISSUED, NO_CREDENTIALS)
        return "Where you stand" if nothing_to_do else "Your next step"


def reinstatement_cost(renewal: Renewal, reinstatements: list[Reinstatement]) -> str:
    """What reinstating takes and costs, in one paragraph."""
    fees = sum(r.fee_cents for r in reinstatements)
    invoice = invoice_of(renewal)
    total = f" (invoice total {format_cents(invoice.total_cents)})" if invoice else ""
    first, last = rules.earning_window(renewal.year)
    cecs = rules.fmt_hours(renewal.cecs_owed)
    return (
        f"To reinstate it, complete this {renewal.year} renewal: confirm your contact details, "
        f"pay the invoice, and have the {cecs} CECs owed for {renewal.year} (earned "
        f"{first:%B %-d} to {last:%B %-d, %Y}) approved by NAAEI. Reinstating costs the "
        f"{format_cents(fees)} reinstatement fee on top of the annual fee{total}. Until then "
        "the credential stays lapsed."
    )


def _deadline(renewal: Renewal, phase: str, reinstating: bool) -> str:
    due, grace_end = renewal.due_on, renewal.grace_ends_on
    if phase == rules.RENEWAL_DUE:
        text = f"Due {due:%B %-d, %Y}; grace until {grace_end:%B %-d, %Y}."
    elif phase == rules.IN_GRACE:
        text = (
            f"It was due {due:%B %-d, %Y}: you are in the grace period. Finish all four steps "
            f"by {grace_end:%B %-d, %Y}, or your credential lapses and reinstating it adds a "
            "reinstatement fee."
        )
    else:
        text = (
            f"The grace period ended {grace_end:%B %-d, %Y} before this renewal was finished: "
            "your credential lapsed. Finishing the renewal reinstates it."
        )
    if reinstating and phase != rules.LAPSED:
        text = f"Reinstating a lapsed credential. {text}"
    return text


def _step_action(renewal: Renewal, step) -> dict:
    year = renewal.year
    if step.key == "contact":
        return {
            "kind": CONTACT,
            "headline": "Confirm your contact details",
            "text": f"Step 1 of your {year} renewal: check your name, address, employer and job "
            "title, and confirm them for this year.",
            "url": reverse("credentials:profile"),
            "button": "Check and confirm my details",
        }
    if step.key == "payment":
        invoice = invoice_of(renewal)
        if invoice is None:
            return {
                "kind": PAYMENT,
                "headline": f"Your {year} invoice is being prepared",
                "text": "It appears on your renewal page as soon as the office issues it.",
                "url": reverse("credentials:renewal"),
                "button": "See my renewal",
            }
        amount = format_cents(invoice.total_cents)
        if invoice.status == "disputed":
            return {
                "kind": PAYMENT,
                "headline": f"Your bank is reviewing a dispute about your {year} payment",
                "text": f"Invoice {invoice.number} cannot be paid until the bank decides; the "
                "AASC office will be in touch.",
                "url": reverse("credentials:contact"),
                "button": "Contact the AASC office",
            }
        refunded = invoice.status == "refunded"
        return {
            "kind": PAYMENT,
            "headline": f"Pay your {year} renewal invoice"
            + (" again: your payment was refunded" if refunded else ""),
            "text": f"Invoice {invoice.number} for {amount} is open. Pay by card here, or send a "
            "cheque to the AASC office.",
            "url": reverse("payments:pay", args=[invoice.number]),
            "button": f"Pay {amount} by card",
        }
    if step.key == "cec_status":
        first, last = rules.earning_window(year)
        return {
            "kind": CEC_STATUS,
            "headline": "Check your CEC status",
            "text": f"See the CECs you earned from {first:%B %-d} to {last:%B %-d, %Y} against "
            f"the {rules.fmt_hours(renewal.cecs_owed)} owed for {year}.",
            "url": reverse("cec:ledger"),
            "button": "Check my CECs",
        }
    if step.rejected:
        return {
            "kind": RESUBMIT,
            "headline": "Fix and resubmit your CECs",
            "text": step.detail,
            "url": reverse("cec_submission:start"),
            "button": "Submit my CECs again",
        }
    owed = rules.fmt_hours(renewal.cecs_owed)
    in_network = (
        f" (at least {rules.fmt_hours(renewal.in_network_min)} in-network)"
        if renewal.in_network_min
        else ""
    )
    return {
        "kind": SUBMIT,
        "headline": "Submit your CECs for NAAEI approval",
        "text": f"Report all {owed} CECs owed{in_network} in one submission.",
        "url": reverse("cec_submission:start"),
        "button": "Submit my CECs",
    }


def next_action_for(holder, on: dt.date | None = None) -> NextAction:
    """The one thing the holder should do next, or that all is done and until when."""
    on = on or selectors.today()
    year = selectors.current_renewal_year(on)
    renewal = selectors.open_renewal_for(holder, on)
    if renewal is None:
        return _without_renewal(holder, year, on)
    if renewal.completed_at is not None:
        return _completed(renewal)
    steps = renewal_steps(renewal)
    phase = selectors.renewal_phase(renewal, on)
    reinstatements = reinstatements_of(renewal, on)
    tone = {rules.IN_GRACE: "warning", rules.LAPSED: "danger"}.get(phase, "primary")
    if reinstatements:
        tone = "danger"
    common = {
        "renewal": renewal,
        "steps_done": steps.done_count,
        "deadline": _deadline(renewal, phase, bool(reinstatements)),
        "reinstatements": reinstatements,
        "tone": tone,
    }
    # A rejection is news the holder must act on: it comes before the other open steps.
    step = steps["cec_approval"] if steps["cec_approval"].rejected else steps.next_step
    if step is None:  # only the NAAEI review is left
        waiting = steps["cec_approval"]
        return NextAction(
            kind=WAITING,
            headline="Nothing to do now: NAAEI is reviewing your CECs",
            text=f"{waiting.detail}. The other three steps are done; you will get an email "
            "when NAAEI decides, and your renewal completes if they approve.",
            url=reverse("credentials:renewal"),
            button="See my renewal",
            **{**common, "tone": "info"},
        )
    waiting = steps["cec_approval"]
    note = f"Step 4: {waiting.detail}." if waiting.waiting else ""
    return NextAction(**_step_action(renewal, step), note=note, **common)


def _completed(renewal: Renewal) -> NextAction:
    codes = " and ".join(
        item.credential.credential_type.code
        for item in renewal.items.select_related("credential__credential_type").order_by(
            "credential__credential_type__code"
        )
    )
    through = rules.valid_through_after_renewal(renewal.year)
    opens = rules.renewal_calendar(renewal.year + 1).opens_on
    return NextAction(
        kind=COMPLETED,
        headline=f"All done: your {renewal.year} renewal is complete",
        text=f"{codes} {'are' if ' and ' in codes else 'is'} renewed through "
        f"{through:%B %-d, %Y}. Nothing more to do until your {renewal.year + 1} renewal "
        f"opens on {opens:%B %-d, %Y}.",
        url=reverse("credentials:credentials"),
        button="See my credentials",
        tone="success",
        renewal=renewal,
        steps_done=4,
    )


def _without_renewal(holder, year: int, on: dt.date) -> NextAction:
    why = selectors.why_no_renewal(holder, year, on)
    credentials = list(selectors.credentials_held_by(holder))
    if not credentials:
        return NextAction(
            kind=NO_CREDENTIALS,
            headline="No credential on record yet",
            text=why,
            url=reverse("credentials:claim"),
            button="Claim my credentials",
            tone="info",
        )
    renewing = [c for c in credentials if c.credential_type.renews_annually and c.valid_through]
    if not renewing:
        return NextAction(kind=LIFETIME, headline="Nothing to renew", text=why, tone="success")
    due = [c for c in renewing if rules.due_for_renewal(year, c.valid_through)]
    if not due:
        return NextAction(
            kind=RENEWED,
            headline="All done: your credentials are renewed",
            text=why,
            url=reverse("credentials:credentials"),
            button="See my credentials",
            tone="success",
        )
    lapsed = [
        Reinstatement(
            code=row.credential.credential_type.code,
            number=row.credential.number,
            lapsed_on=row.lapsed_on,
            reason=row.lapse_reason,
            fee_cents=row.reinstatement_fee_cents,
        )
        for row in selectors.lapsed_credentials_of(holder, on)
    ]
    return NextAction(
        kind=NOT_ISSUED,
        headline=f"Your {year} renewal is not open yet",
        text=why,
        url=reverse("credentials:credentials"),
        button="See my credentials",
        tone="danger" if lapsed else "info",
        reinstatements=lapsed,
    )
