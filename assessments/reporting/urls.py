"""The round report page."""

from __future__ import annotations

from django.urls import path

from assessments.reporting import views

urlpatterns = [
    path("rounds/<slug:slug>/report/", views.round_report_view, name="round_report"),
]
