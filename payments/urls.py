from django.urls import path

from payments.views import checkout, invoices, webhooks

app_name = "payments"

urlpatterns = [
    path("invoices/<str:number>/", invoices.invoice_detail, name="invoice"),
    path("invoices/<str:number>/pdf/", invoices.invoice_download, name="invoice_pdf"),
    # Card payments (issue 6)
    path("pay/<str:number>/", checkout.pay, name="pay"),
    path("pay/<str:number>/card/", checkout.card_frame, name="card_frame"),
    path("pay/<str:number>/<int:payment_id>/confirm/", checkout.confirm, name="confirm"),
    path("pay/<str:number>/<int:payment_id>/", checkout.status, name="status"),
    path("receipts/<str:number>/<int:payment_id>/", checkout.receipt, name="receipt"),
    path("receipts/<str:number>/<int:payment_id>/pdf/", checkout.receipt_pdf, name="receipt_pdf"),
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
]
