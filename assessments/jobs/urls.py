"""A job's page, its status for the progress bar, and its files."""

from __future__ import annotations

from django.urls import path

from assessments.jobs import views

urlpatterns = [
    path("jobs/<int:pk>/", views.job_view, name="job"),
    path("jobs/<int:pk>/status.json", views.job_status_view, name="job_status"),
    path("jobs/<int:pk>/files/<int:file_pk>/", views.job_file_view, name="job_file"),
]
