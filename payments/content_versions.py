"""Which content version counters (credentials.content_versions, issue 19) a write to
the payments tables moves: each belongs to the holder of the invoice's renewal."""

from credentials.content_versions import HISTORY_ONLY_IN_ADMIN, HOLDER, HOLDER_OF_RENEWAL, REGISTRY
from renewal_portal.infra.content_versions import Bump, NotShown

HOLDER_OF_INVOICE = (
    "(SELECT renewal.holder_id FROM payments_invoice AS invoice "
    "JOIN credentials_renewal AS renewal ON renewal.id = invoice.renewal_id "
    "WHERE invoice.id = {row}.invoice_id)"
)


def declare(registry=REGISTRY):
    registry.declare(
        Bump("payments_invoice", HOLDER, HOLDER_OF_RENEWAL),
        Bump("payments_invoiceline", HOLDER, HOLDER_OF_INVOICE),
        Bump("payments_payment", HOLDER, HOLDER_OF_INVOICE),
        NotShown("payments_historicalinvoice", HISTORY_ONLY_IN_ADMIN),
        NotShown("payments_historicalpayment", HISTORY_ONLY_IN_ADMIN),
        NotShown("payments_webhookevent", "Stripe's webhook deliveries, read in admin"),
        NotShown("payments_invoicenumbersequence", "the next invoice number, shown nowhere"),
        NotShown("payments_receiptnumbersequence", "the next receipt number, shown nowhere"),
    )
