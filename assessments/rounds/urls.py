"""The secretariat's round dashboard and its actions."""

from __future__ import annotations

from django.urls import path

from assessments.rounds import views

urlpatterns = [
    path("rounds/<slug:slug>/dashboard/", views.round_dashboard_view, name="round_dashboard"),
    path(
        "rounds/<slug:slug>/dashboard/<str:action>/confirm/",
        views.round_confirm_view,
        name="round_confirm",
    ),
    path(
        "rounds/<slug:slug>/dashboard/<str:action>/",
        views.round_action_view,
        name="round_action",
    ),
]
