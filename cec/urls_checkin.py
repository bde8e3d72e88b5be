from django.urls import path

from cec.views import checkin as views

app_name = "checkin"

urlpatterns = [
    path("me/checkin/", views.my_code, name="my_code"),
    path("checkin/", views.sessions_today, name="sessions"),
    path("checkin/<int:pk>/", views.scanner, name="scanner"),
    path("checkin/<int:pk>/scan/", views.scan, name="scan"),
    path("checkin/<int:pk>/attendance.csv", views.attendance_csv, name="attendance_csv"),
]
