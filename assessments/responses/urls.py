"""The respondent's pages: invitation link, sign-in, participants, pages, autosave, submit."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from assessments.responses import views

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
]
