"""The round report and exports pages."""

from __future__ import annotations

from django.urls import path

from assessments.reporting import views

urlpatterns = [
    path("rounds/<slug:slug>/report/", views.round_report_view, name="round_report"),
    path("rounds/<slug:slug>/exports/", views.round_exports_view, name="round_exports"),
]
