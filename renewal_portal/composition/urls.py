"""The composition's pages. They keep the `credentials:` names they always had (templates
reverse them), so renewal_portal/urls.py includes these patterns together with
credentials.urls' under that one namespace: there is no app_name here."""

from django.urls import path

from renewal_portal.composition.packets import views as packet_views

urlpatterns = [
    path("renewals/<int:pk>/audit-packet.pdf", packet_views.packet_pdf_view, name="packet_pdf"),
    path("renewals/<int:pk>/audit-packet.zip", packet_views.packet_zip_view, name="packet_zip"),
    path("renewals/verify/<str:token>/", packet_views.packet_verify, name="packet_verify"),
]
