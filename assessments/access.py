"""Who may see what: the one policy module used by the admin, the pages, the API and downloads.

Everything the secretariat does is a Django permission, and the roles it hands out are groups
of them (`ROLES`, kept in step by `roles_ensure` after every migrate):

- *secretariat administrator*: every permission, every round;
- *round manager*: rounds, participants, focal points, invitations, reminders, reopening;
- *summary editor*: generates, edits and publishes summaries (reads drafts);
- *analyst*: reads responses, runs round reports and exports;
- *viewer*: reads published summaries and the reports of published rounds.

`is_staff` only lets a user into the admin: it grants nothing by itself. Superusers hold every
permission (Django's rule). Secretariat work is scoped to rounds: a user works on every round
only with `access_all_rounds` (administrators), otherwise on the rounds whose team they are on,
as a mechanism's own secretariat running a survey of its members would be.

A respondent sees only its own participant's work. It reaches it either through an invitation
link (remembered in the session as invitation id -> nonce, re-checked on every request so that
revoking or rotating a link ends access at once) or by signing in with a user account linked to
a focal point. Someone with `enter_answers_on_behalf` may also open, answer and submit for the
participants of their rounds (States often reply by e-mail or in Word); the response records
who entered the answers. Nobody else writes a participant's answers, whatever else they may do.
Published summaries are public; drafts, job results and responses are not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.jobs.models import Job
from assessments.responses.models import Response
from assessments.rounds.models import FocalPoint, Invitation, RoundParticipant, SurveyRound
from assessments.summaries.models import Summary

SESSION_KEY = "assessments_invitations"

# --- roles ----------------------------------------------------------------------------------

ADMINISTRATOR = "Secretariat administrators"
ROUND_MANAGER = "Round managers"
SUMMARY_EDITOR = "Summary editors"
ANALYST = "Analysts"
VIEWER = "Viewers"
VIEWER_GROUP = VIEWER

# Group names are stored in English (they are identifiers); these are their names on screen.
ROLE_LABELS = {
    ADMINISTRATOR: _("Secretariat administrators"),
    ROUND_MANAGER: _("Round managers"),
    SUMMARY_EDITOR: _("Summary editors"),
    ANALYST: _("Analysts"),
    VIEWER: _("Viewers"),
}

ADMINISTRATOR_APPS = ("assessments", "mechanisms", "auth", "authtoken")
READ_REGISTRY = ("mechanisms.view_mechanism", "mechanisms.view_state",
                 "mechanisms.view_organization")  # fmt: skip
READ_QUESTIONNAIRES = ("assessments.view_questionnaire", "assessments.view_section",
                       "assessments.view_question", "assessments.view_choice")  # fmt: skip
ROLES: dict[str, tuple[str, ...]] = {
    ROUND_MANAGER: (
        "assessments.view_surveyround", "assessments.add_surveyround",
        "assessments.change_surveyround", "assessments.send_reminders",
        "assessments.view_roundparticipant", "assessments.add_roundparticipant",
        "assessments.change_roundparticipant", "assessments.delete_roundparticipant",
        "assessments.view_focalpoint", "assessments.add_focalpoint",
        "assessments.change_focalpoint", "assessments.delete_focalpoint",
        "assessments.view_invitation", "assessments.change_invitation",
        "assessments.view_notification", "assessments.reopen_response",
        *READ_QUESTIONNAIRES, *READ_REGISTRY,
    ),
    SUMMARY_EDITOR: (
        "assessments.view_surveyround", "assessments.view_summary",
        "assessments.change_summary", "assessments.publish_summary",
        "assessments.generate_summaries", "assessments.view_published_outputs",
        *READ_REGISTRY,
    ),
    ANALYST: (
        "assessments.view_surveyround", "assessments.view_roundparticipant",
        "assessments.view_response", "assessments.view_answer", "assessments.view_job",
        "assessments.run_export", "assessments.run_report",
        "assessments.view_published_outputs", *READ_QUESTIONNAIRES, *READ_REGISTRY,
    ),
    VIEWER: ("assessments.view_published_outputs",),
}  # fmt: skip


def roles_ensure(**_kwargs: Any) -> None:
    """Create the role groups and set their permissions (a post_migrate handler, so that new
    permissions reach the roles on the next migrate)."""
    from django.contrib.auth.models import Group, Permission

    every = Permission.objects.filter(content_type__app_label__in=ADMINISTRATOR_APPS)
    Group.objects.get_or_create(name=ADMINISTRATOR)[0].permissions.set(every)
    for name, perms in ROLES.items():
        wanted = Q(pk__in=[])
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        Group.objects.get_or_create(name=name)[0].permissions.set(every.filter(wanted))


def role_label(group_name: str) -> str:
    return str(ROLE_LABELS.get(group_name, group_name))


# --- permissions and round scope ------------------------------------------------------------


def can(user: Any, codename: str) -> bool:
    """The user holds the permission `assessments.<codename>` (by a role or directly)."""
    return bool(user and user.is_authenticated and user.has_perm(f"assessments.{codename}"))


def works_on_every_round(user: Any) -> bool:
    return can(user, "access_all_rounds")


def rounds_in_scope(user: Any) -> QuerySet[SurveyRound]:
    """The rounds this user does secretariat work on: all, or those whose team they are on."""
    if works_on_every_round(user):
        return SurveyRound.objects.all()
    if not (user and user.is_authenticated):
        return SurveyRound.objects.none()
    return SurveyRound.objects.filter(team=user)


def rounds_for(user: Any, codename: str) -> QuerySet[SurveyRound]:
    """The rounds on which the user may do what `codename` allows."""
    return rounds_in_scope(user) if can(user, codename) else SurveyRound.objects.none()


def can_on_round(user: Any, survey_round: SurveyRound | None, codename: str) -> bool:
    if survey_round is None or not can(user, codename):
        return False
    return works_on_every_round(user) or survey_round.team.filter(pk=user.pk).exists()


def user_is_viewer(user: Any) -> bool:
    """Readers of published outputs: viewers, and every role that reads more."""
    return can(user, "view_published_outputs")


# --- respondents ------------------------------------------------------------------------------


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
    """Participants whose party has a focal point linked to the signed-in user (read once per
    request: several checks of one request ask)."""
    user = request.user
    if not user.is_authenticated:
        return None
    cached = getattr(request, "_focal_point_filter", None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    condition = focal_points_of(user)
    request._focal_point_filter = (user.pk, condition)  # type: ignore[attr-defined]
    return condition


def focal_points_of(user: Any) -> Q:
    parties = FocalPoint.objects.filter(user=user).values_list(
        "kind", "mechanism_id", "state_id", "organization_id"
    )
    condition = Q(pk__in=[])
    for kind, mechanism_id, state_id, organization_id in parties:
        condition |= Q(
            kind=kind, mechanism_id=mechanism_id, state_id=state_id, organization_id=organization_id
        )
    return condition


def own_participants(request: HttpRequest) -> QuerySet[RoundParticipant]:
    """The participants this request answers for as a respondent (link or focal point)."""
    condition = Q(pk__in=invitation_participant_ids(request))
    by_account = focal_point_filter(request)
    if by_account is not None:
        condition |= by_account
    return RoundParticipant.objects.filter(condition)


def accessible_participants(request: HttpRequest) -> QuerySet[RoundParticipant]:
    """The round participants whose work this request may see and change: its own, and for
    someone entering answers on participants' behalf, those of their rounds."""
    own = own_participants(request)
    on_behalf = rounds_for(request.user, "enter_answers_on_behalf")
    return RoundParticipant.objects.filter(Q(pk__in=own) | Q(round__in=on_behalf))


def accessible_responses(request: HttpRequest) -> QuerySet[Response]:
    """The responses this request may change (and read)."""
    return Response.objects.filter(participant__in=accessible_participants(request))


def readable_responses(request: HttpRequest) -> QuerySet[Response]:
    """What it may change, and for analysts every response of their rounds."""
    return Response.objects.filter(
        Q(participant__in=accessible_participants(request))
        | Q(round__in=rounds_for(request.user, "view_response"))
    )


def reads_responses(request: HttpRequest) -> bool:
    """Whether the responses API is for this request at all: respondents, analysts and those
    entering answers on participants' behalf (anyone else gets 403, not an empty list)."""
    user = request.user
    return (
        can(user, "view_response")
        or can(user, "enter_answers_on_behalf")
        or own_participants(request).exists()
    )


def entered_by(request: HttpRequest, response: Response) -> Any:
    """The user to record as having entered answers on the participant's behalf, or None when
    the request answers for the participant itself (a respondent never costs a query here)."""
    if not can(request.user, "enter_answers_on_behalf"):
        return None
    if own_participants(request).filter(pk=response.participant_id).exists():
        return None
    return request.user


# --- documents ----------------------------------------------------------------------------------


def visible_summaries(user: Any) -> QuerySet[Summary]:
    """Published summaries for everyone; drafts (generated or edited) for those who read
    summaries (`view_summary`) on their rounds."""
    return Summary.objects.select_related("round", "mechanism").filter(
        Q(status=Summary.Status.PUBLISHED) | Q(round__in=rounds_for(user, "view_summary"))
    )


JOB_PERMISSIONS = {
    Job.Kind.EXPORT: "run_export",
    Job.Kind.ROUND_REPORT: "run_report",
    Job.Kind.SUMMARIES: "generate_summaries",
}


def visible_jobs(user: Any) -> QuerySet[Job]:
    """Anyone signed in follows the jobs they asked for; those who may run a kind of job follow
    that kind on their rounds; a viewer the finished reports of published rounds. A job's result
    files follow its job (an export holds focal points' names and e-mails)."""
    if not (user and user.is_authenticated):
        return Job.objects.none()
    if user.is_superuser:
        return Job.objects.all()
    visible = Q(requested_by=user)
    for kind, codename in JOB_PERMISSIONS.items():
        visible |= Q(kind=kind, round__in=rounds_for(user, codename))
    if user_is_viewer(user):
        visible |= Q(
            kind=Job.Kind.ROUND_REPORT,
            status=Job.Status.SUCCEEDED,
            round__status=SurveyRound.Status.PUBLISHED,
        )
    return Job.objects.filter(visible)


def can_start_job(user: Any, kind: str, survey_round: SurveyRound) -> bool:
    return can_on_round(user, survey_round, JOB_PERMISSIONS[kind])


# --- pages ------------------------------------------------------------------------------------


def round_for(request: HttpRequest, slug: str, codename: str) -> SurveyRound:
    """The round of a secretariat page: 403 without the permission, 404 outside the user's
    rounds (as if it did not exist)."""
    if not can(request.user, codename):
        raise PermissionDenied
    survey_round = rounds_in_scope(request.user).filter(slug=slug).first()
    if survey_round is None:
        raise Http404
    return survey_round


def secretariat_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for signed-in users (anonymous ones go to the sign-in page); what they may do
    there is decided by `round_for`, never by `is_staff`."""
    return login_required(view)


def in_scope(user: Any, queryset: QuerySet, round_path: str = "round") -> QuerySet:
    """`queryset` cut to the user's rounds (`round_path` leads from its rows to their round):
    the admin's lists and forms show nothing of other rounds."""
    if works_on_every_round(user):
        return queryset
    return queryset.filter(**{f"{round_path}__in": rounds_in_scope(user)})
