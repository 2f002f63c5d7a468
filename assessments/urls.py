from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from assessments import views, views_jobs, views_reports, views_secretariat, views_summaries

app_name = "assessments"
urlpatterns = [
    path("respond/<str:token>/", views.invitation_view, name="invitation"),
    path("accounts/login/", views.RespondentLoginView.as_view(), name="login"),
    path(
        "accounts/logout/",
        auth_views.LogoutView.as_view(next_page="assessments:login"),
        name="logout",
    ),
    path("my/", views.home_view, name="home"),
    path("my/participants/<int:participant_id>/", views.participant_view, name="participant"),
    path(
        "my/participants/<int:participant_id>/page/<int:number>/",
        views.page_view,
        name="page",
    ),
    path("my/participants/<int:participant_id>/submit/", views.submit_view, name="submit"),
    path("my/participants/<int:participant_id>/answers/", views.answers_view, name="answers"),
    path(
        "my/participants/<int:participant_id>/answers.pdf",
        views.answers_pdf_view,
        name="answers_pdf",
    ),
    path("my/responses/<int:response_id>/autosave/", views.autosave_view, name="autosave"),
    path(
        "rounds/<slug:slug>/dashboard/",
        views_secretariat.round_dashboard_view,
        name="round_dashboard",
    ),
    path(
        "rounds/<slug:slug>/summaries/",
        views_summaries.round_summaries_view,
        name="round_summaries",
    ),
    path(
        "rounds/<slug:slug>/summaries/generate/",
        views_summaries.round_summaries_generate,
        name="round_summaries_generate",
    ),
    path(
        "rounds/<slug:slug>/summaries/compendium-<str:language>.<str:fmt>",
        views_summaries.compendium_download,
        name="compendium",
    ),
    path(
        "rounds/<slug:slug>/summaries/<str:acronym>/", views_summaries.summary_view, name="summary"
    ),
    path(
        "rounds/<slug:slug>/summaries/<str:acronym>/<str:language>.<str:fmt>",
        views_summaries.summary_download,
        name="summary_download",
    ),
    path("jobs/<int:pk>/", views_jobs.job_view, name="job"),
    path("jobs/<int:pk>/status.json", views_jobs.job_status_view, name="job_status"),
    path("jobs/<int:pk>/files/<int:file_pk>/", views_jobs.job_file_view, name="job_file"),
    path("rounds/<slug:slug>/report/", views_reports.round_report_view, name="round_report"),
    path(
        "rounds/<slug:slug>/dashboard/<str:action>/",
        views_secretariat.round_action_view,
        name="round_action",
    ),
]
