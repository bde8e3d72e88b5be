"""Which content version counters (credentials.content_versions, issue 19) a write to
the payments tables moves: each belongs to the holder of the invoice's renewal."""

from credentials.content_versions import (
    HISTORY_ONLY_IN_ADMIN,
    HOLDER,
    HOLDER_ID,
    REGISTRY,
    THROUGH_RENEWAL,
)
from renewal_portal.infra.content_versions import Bump, NotShown

THROUGH_INVOICE = (("invoice_id", "payments_invoice"), *THROUGH_RENEWAL)


def declare(registry=REGISTRY):
    registry.declare(
        Bump("payments_invoice", HOLDER, HOLDER_ID, through=THROUGH_RENEWAL),
        Bump("payments_invoiceline", HOLDER, HOLDER_ID, through=THROUGH_INVOICE),
        Bump("payments_payment", HOLDER, HOLDER_ID, through=THROUGH_INVOICE),
        NotShown("payments_historicalinvoice", HISTORY_ONLY_IN_ADMIN),
        NotShown("payments_historicalpayment", HISTORY_ONLY_IN_ADMIN),
        NotShown("payments_webhookevent", "Stripe's webhook deliveries, read in admin"),
        NotShown("payments_invoicenumbersequence", "the next invoice number, shown nowhere"),
        NotShown("payments_receiptnumbersequence", "the next receipt number, shown nowhere"),
    )
