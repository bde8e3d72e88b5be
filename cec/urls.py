from django.urls import path

from cec.views import ledger as views

app_name = "cec"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("certificates/<int:pk>.pdf", views.certificate, name="certificate"),
    path("transcript/<int:year>.pdf", views.transcript_pdf, name="transcript_pdf"),
    path("transcript/<int:year>.csv", views.transcript_csv, name="transcript_csv"),
    path("verify/<str:token>/", views.verify, name="verify"),
]
