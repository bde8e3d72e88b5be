from django.urls import path

from cec.views import submission as views

app_name = "cec_submission"

urlpatterns = [
    path("", views.start, name="start"),
]
