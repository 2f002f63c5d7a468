"""A round's summaries page, each summary, its downloads and the compendium."""

from __future__ import annotations

from django.urls import path

from assessments.summaries import views

urlpatterns = [
    path("rounds/<slug:slug>/summaries/", views.round_summaries_view, name="round_summaries"),
    path(
        "rounds/<slug:slug>/summaries/generate/",
        views.round_summaries_generate,
        name="round_summaries_generate",
    ),
    path(
        "rounds/<slug:slug>/summaries/compendium-<str:language>.<str:fmt>",
        views.compendium_download,
        name="compendium",
    ),
    path("rounds/<slug:slug>/summaries/<str:acronym>/", views.summary_view, name="summary"),
    path(
        "rounds/<slug:slug>/summaries/<str:acronym>/<str:language>.<str:fmt>",
        views.summary_download,
        name="summary_download",
    ),
]
