"""Who may see what: the one policy module used by pages, API and job downloads.

Roles: the secretariat (staff users) sees and does everything; a viewer (group "viewers") reads
published summaries and reports; a respondent sees only its own participant's work. Published
summaries are public to signed-in users; drafts, job results and responses are not.

A respondent reaches a participant's work either through an invitation link (remembered in the
session as invitation id -> nonce, re-checked on every request so that revoking or rotating a
link ends access at once) or by signing in with a user account linked to a focal point.
Secretariat staff are not respondents: they follow rounds in the admin, the round dashboard and
the API (which grant them everything), never by answering on a participant's behalf.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from assessments.jobs.models import Job
from assessments.responses.models import Response
from assessments.rounds.models import FocalPoint, Invitation, RoundParticipant, SurveyRound
from assessments.summaries.models import Summary

SESSION_KEY = "assessments_invitations"


def remember_invitation(request: HttpRequest, invitation: Invitation) -> None:
    granted = dict(request.session.get(SESSION_KEY, {}))
    granted[str(invitation.pk)] = invitation.nonce
    request.session[SESSION_KEY] = granted
    request.session.cycle_key()  # a new session id when access widens (session fixation)


def invitation_participant_ids(request: HttpRequest) -> set[int]:
    """Participants granted by invitation links in this session that are still valid."""
    granted = request.session.get(SESSION_KEY) or {}
    if not granted:
        return set()
    valid = Invitation.objects.filter(
        pk__in=[int(pk) for pk in granted],
        revoked_at__isnull=True,
        expires_at__gte=timezone.now(),
    ).values_list("pk", "nonce", "participant_id")
    return {participant for pk, nonce, participant in valid if granted.get(str(pk)) == nonce}


def focal_point_filter(request: HttpRequest) -> Q | None:
    """Participants whose party has a focal point linked to the signed-in user."""
    user = request.user
    if not user.is_authenticated:
        return None
    parties = FocalPoint.objects.filter(user=user).values_list(
        "kind", "mechanism_id", "state_id", "organization_id"
    )
    condition = Q(pk__in=[])
    for kind, mechanism_id, state_id, organization_id in parties:
        condition |= Q(
            kind=kind, mechanism_id=mechanism_id, state_id=state_id, organization_id=organization_id
        )
    return condition


VIEWER_GROUP = "viewers"


def user_is_secretariat(user: Any) -> bool:
    """Secretariat admins are staff users: they see and do everything."""
    return bool(user and user.is_authenticated and user.is_staff)


def user_is_viewer(user: Any) -> bool:
    """Viewers read published summaries and reports (the secretariat too)."""
    return bool(
        user
        and user.is_authenticated
        and (user.is_staff or user.groups.filter(name=VIEWER_GROUP).exists())
    )


def is_secretariat(request: HttpRequest) -> bool:
    return user_is_secretariat(request.user)


def visible_summaries(user: Any) -> QuerySet[Summary]:
    """Published summaries for everyone; drafts (generated or edited) for the secretariat only."""
    summaries = Summary.objects.select_related("round", "mechanism")
    if user_is_secretariat(user):
        return summaries
    return summaries.filter(status=Summary.Status.PUBLISHED)


def visible_jobs(user: Any) -> QuerySet[Job]:
    """The secretariat sees every job; a viewer the finished reports of published rounds; anyone
    signed in the jobs they asked for. A job's result files follow its job."""
    if user_is_secretariat(user):
        return Job.objects.all()
    if not (user and user.is_authenticated):
        return Job.objects.none()
    visible = Q(requested_by=user)
    if user_is_viewer(user):
        visible |= Q(
            kind=Job.Kind.ROUND_REPORT,
            status=Job.Status.SUCCEEDED,
            round__status=SurveyRound.Status.PUBLISHED,
        )
    return Job.objects.filter(visible)


def accessible_participants(request: HttpRequest) -> QuerySet[RoundParticipant]:
    """The round participants whose work this request may see and change."""
    condition = Q(pk__in=invitation_participant_ids(request))
    by_account = focal_point_filter(request)
    if by_account is not None:
        condition |= by_account
    return RoundParticipant.objects.filter(condition)


def accessible_responses(request: HttpRequest) -> QuerySet[Response]:
    return Response.objects.filter(participant__in=accessible_participants(request))
