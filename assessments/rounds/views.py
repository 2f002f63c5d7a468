"""The secretariat's round page: response rates, who has not submitted, and the round's actions."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_POST

from assessments.access import can, round_for, secretariat_page
from assessments.rounds.models import SurveyRound
from assessments.rounds.selectors import round_dashboard
from assessments.rounds.services.invitations import (
    last_manual_reminder_at,
    manual_reminder_held_back,
    round_send_reminders_now,
    unsubmitted_invitations,
)
from assessments.rounds.services.rounds import round_close, round_open, round_publish, round_reopen


@secretariat_page
def round_dashboard_view(request: HttpRequest, slug: str) -> HttpResponse:
    survey_round = round_for(request, slug, "view_surveyround")
    context = {
        "round": survey_round,
        "dashboard": round_dashboard(survey_round),
        # Replies that came by e-mail or in Word are entered through the respondents' pages.
        "on_behalf": survey_round.status == SurveyRound.Status.OPEN
        and can(request.user, "enter_answers_on_behalf"),
    }
    return render(request, "assessments/round_dashboard.html", context)


def remind(survey_round: SurveyRound) -> str:
    queued = round_send_reminders_now(survey_round=survey_round)
    if not queued and (held_back := manual_reminder_held_back(survey_round)):
        return held_back
    return ngettext(
        "%(count)d reminder queued: it is being sent to the focal points.",
        "%(count)d reminders queued: they are being sent to the focal points.",
        queued,
    ) % {"count": queued}


def transition(service: Callable[..., SurveyRound], message: str) -> Callable[[SurveyRound], str]:
    def run(survey_round: SurveyRound) -> str:
        service(survey_round=survey_round)
        return _(message) % {"round": survey_round.name}

    return run


ROUND_ACTIONS: dict[str, Callable[[SurveyRound], str]] = {
    "open": transition(
        round_open, gettext_noop("“%(round)s” is open: the invitations are being sent.")
    ),
    "close": transition(
        round_close, gettext_noop("“%(round)s” is closed. Drafts are kept as drafts.")
    ),
    "reopen": transition(round_reopen, gettext_noop("“%(round)s” is open again.")),
    "publish": transition(round_publish, gettext_noop("“%(round)s” is published.")),
    "remind": remind,
}


# What each action needs: reminders are a permission of their own.
ACTION_PERMISSIONS = {action: "change_surveyround" for action in ROUND_ACTIONS} | {
    "remind": "send_reminders"
}


@secretariat_page
@require_POST
def round_action_view(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    """Run one of the round's actions (a service, which checks its preconditions)."""
    if action not in ROUND_ACTIONS:
        raise Http404
    survey_round = round_for(request, slug, ACTION_PERMISSIONS[action])
    if action in CONFIRMED_ACTIONS and request.POST.get("confirm") != "yes":
        return redirect("assessments:round_confirm", slug=survey_round.slug, action=action)
    try:
        messages.success(request, ROUND_ACTIONS[action](survey_round))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("assessments:round_dashboard", slug=survey_round.slug)


# Actions that mail many people: the dashboard's button leads to a page that says how many.
CONFIRMED_ACTIONS = {"remind"}


@secretariat_page
def round_confirm_view(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    if action not in CONFIRMED_ACTIONS:
        raise Http404
    survey_round = round_for(request, slug, ACTION_PERMISSIONS[action])
    context = {
        "round": survey_round,
        "action": action,
        "recipients": len(unsubmitted_invitations(survey_round)),
        "last_reminder_at": last_manual_reminder_at(survey_round),
    }
    return render(request, "assessments/round_confirm.html", context)
