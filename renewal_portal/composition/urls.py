"""The holder pages of the top layer. They keep the names they always had in the
"credentials" namespace (credentials:home, credentials:renewal): renewal_portal/urls.py
serves these patterns and credentials.urls' under that one namespace."""

from django.urls import path

from renewal_portal.composition import views

urlpatterns = [
    path("", views.home, name="home"),
    path("renewal/", views.renewal, name="renewal"),
]
