from django.urls import path

from . import views

app_name = "badges"

urlpatterns = [
    path(".well-known/did.json", views.did_document, name="did_document"),
    path("badges/status/<int:list_id>", views.status_list_credential, name="status_list"),
    path("badges/verify/", views.verify_page, name="verify"),
    path("credentials/<uuid:badge_id>/badge.json", views.download, name="download"),
    path("credentials/<uuid:badge_id>/badge.svg", views.download_svg, name="download_svg"),
]
