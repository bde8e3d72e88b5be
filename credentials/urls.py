from django.urls import path

from . import views, views_claims, views_invitation, views_packets

# Served under the "credentials" namespace together with the top layer's holder pages
# (home, renewal: renewal_portal/composition/urls.py); renewal_portal/urls.py joins them.
app_name = "credentials"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/confirm/", views.confirm_contact, name="confirm_contact"),
    path("renewal/cec-status/", views.cec_status_seen, name="cec_status_seen"),
    path("credentials/", views.credentials, name="credentials"),
    path("credentials/claim/", views_claims.claim, name="claim"),
    path("faq/", views.faq, name="faq"),
    path(
        "account/invitation/<uidb64>/<token>/",
        views_invitation.AcceptInvitationView.as_view(),
        name="invitation",
    ),
    path("contact/", views.contact, name="contact"),
    path("renewals/<int:pk>/audit-packet.pdf", views_packets.packet_pdf_view, name="packet_pdf"),
    path("renewals/<int:pk>/audit-packet.zip", views_packets.packet_zip_view, name="packet_zip"),
    path("renewals/verify/<str:token>/", views_packets.packet_verify, name="packet_verify"),
]
