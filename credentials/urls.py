from django.urls import path

from . import views

app_name = "credentials"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("profile/confirm/", views.confirm_contact, name="confirm_contact"),
    path("faq/", views.faq, name="faq"),
    path("contact/", views.contact, name="contact"),
]
