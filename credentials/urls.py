from django.urls import path

from . import views, views_claims, views_invitation

app_name = "credentials"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("profile/confirm/", views.confirm_contact, name="confirm_contact"),
    path("renewal/", views.renewal, name="renewal"),
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
]
