from __future__ import annotations

from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("respond/<str:token>/", views.invitation_view, name="invitation"),
]
