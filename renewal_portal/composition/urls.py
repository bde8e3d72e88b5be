"""The holder pages of the top layer. They keep the names they always had in the
"credentials" namespace (credentials:home, credentials:renewal, credentials:packet_pdf):
renewal_portal/urls.py serves these patterns and credentials.urls' under that one
namespace."""

from django.urls import path

from renewal_portal.composition import views
from renewal_portal.composition.packets import views as packet_views

urlpatterns = [
    path("", views.home, name="home"),
    path("renewal/", views.renewal, name="renewal"),
    path("renewals/<int:pk>/audit-packet.pdf", packet_views.packet_pdf_view, name="packet_pdf"),
    path("renewals/<int:pk>/audit-packet.zip", packet_views.packet_zip_view, name="packet_zip"),
    path("renewals/verify/<str:token>/", packet_views.packet_verify, name="packet_verify"),
]
