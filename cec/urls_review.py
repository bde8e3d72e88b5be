from django.urls import path

from cec.views import review as views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("approve/", views.approve_several, name="approve_several"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
]
