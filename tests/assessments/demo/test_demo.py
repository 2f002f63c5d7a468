"""The demo round (load_demo) and the answer generator it uses."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command

from assessments.demo.answers import generate_answers
from assessments.demo.services import DEMO_SLUG, mechanism_contexts
from assessments.questionnaires.models import Audience
from assessments.questionnaires.selectors import published_questionnaires, questionnaire_schema
from assessments.questionnaires.shipped import load_shipped_questionnaires
from assessments.questionnaires.validation import validate_answers
from assessments.responses.models import Answer, Response
from assessments.rounds.models import Invitation, Notification, SurveyRound
from mechanisms.models import Mechanism, Membership

SEEDS = range(30)


@pytest.fixture
def shipped(reference_data) -> dict:
    """The shipped questionnaires' snapshots by audience."""
    load_shipped_questionnaires()
    return {
        audience: questionnaire_schema(published_questionnaires(audience).first())
        for audience in Audience.values
    }


def scopes(schema) -> list[str]:
    return [scope for scope in ("once", "per_mechanism") if schema.questions_in(scope)]


def test_generated_answers_are_complete_and_valid_for_every_questionnaire(shipped):
    contexts = list(mechanism_contexts(2019).values())
    for audience, schema in shipped.items():
        for scope in scopes(schema):
            for seed in SEEDS:
                context = contexts[seed % len(contexts)] if seed % 3 else None
                answers = generate_answers(
                    schema, random.Random(seed), scope=scope, context=context
                )
                result = validate_answers(schema, answers, scope=scope, complete=True)
                assert result.errors == {}, (audience, scope, seed, result.errors)
                assert result.dropped == [], (audience, scope, seed)


def test_generated_answers_are_deterministic(shipped):
    context = mechanism_contexts(2019)[Mechanism.objects.get(acronym="RCM").pk]
    for schema in shipped.values():
        for scope in scopes(schema):
            runs = [
                generate_answers(schema, random.Random(seed), scope=scope, context=context)
                for seed in SEEDS
            ]
            again = [
                generate_answers(schema, random.Random(seed), scope=scope, context=context)
                for seed in SEEDS
            ]
            assert runs == again
            assert len({repr(run) for run in runs}) > 1  # the seed matters


def test_generated_mechanism_answers_agree_with_the_registry(shipped):
    schema = shipped[Audience.MECHANISM]
    for context in mechanism_contexts(2019).values():
        for seed in range(3):
            answers = generate_answers(schema, random.Random(seed), scope="once", context=context)
            if context["thematic_areas"]:
                assert set(answers["thematic_areas_current"]) <= set(context["thematic_areas"])
            for code in ("chair_model", "secretariat_type"):
                if context[code]:
                    assert answers[code] == context[code]
            if "strategy_since" in answers and context["established"]:
                assert answers["strategy_since"] >= context["established"]
            assert context["acronym"] not in answers.get("cooperating_mechanisms", [])
            if answers.get("thematic_evolution"):
                assert context["name"] in answers["thematic_evolution"]


# --- the demo round ---------------------------------------------------------------------------


def progress(survey_round: SurveyRound) -> tuple[Counter, int, int]:
    """Participants all of whose responses are submitted (by kind), drafts, not started."""
    submitted: Counter = Counter()
    drafts = not_started = 0
    for participant in survey_round.participants.prefetch_related("responses"):
        statuses = {response.status for response in participant.responses.all()}
        if statuses == {Response.Status.SUBMITTED}:
            submitted[participant.kind] += 1
        elif statuses:
            drafts += 1
        else:
            not_started += 1
    return submitted, drafts, not_started


def party_code(participant) -> str:
    if participant.kind == Audience.STATE:
        return participant.state.country.code
    return participant.party.acronym


def answers_digest(survey_round: SurveyRound) -> str:
    rows = sorted(
        (
            party_code(a.response.participant),
            a.response.mechanism.acronym if a.response.mechanism else "",
            a.response.status,
            a.question.code,
            a.row,
            a.choice,
            a.text,
            "" if a.number is None else str(a.number.normalize()),
            str(a.date or ""),
        )
        for a in Answer.objects.filter(response__round=survey_round).select_related(
            "question", "response__mechanism", "response__participant__mechanism",
            "response__participant__state", "response__participant__organization",
        )
    )  # fmt: skip
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def assert_states_answer_about_their_own_mechanisms(survey_round: SurveyRound) -> None:
    member_of = set(
        Membership.objects.current()
        .filter(role=Membership.Role.MEMBER, state__isnull=False)
        .values_list("state_id", "mechanism_id")
    )
    about = Response.objects.filter(
        round=survey_round, participant__kind=Audience.STATE, mechanism__isnull=False
    ).values_list("participant__state_id", "mechanism_id")
    assert about and set(about) <= member_of


def load_demo_command() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_creates_a_2019_style_round_once_and_deterministically(
    reference_data, django_capture_on_commit_callbacks, mailoutbox
):
    from assessments.rounds.tasks import send_round_invitations_task

    # The invitation task that round_open queues on commit runs here, as under `make run`.
    with (
        mock.patch.object(
            send_round_invitations_task, "delay", side_effect=send_round_invitations_task
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        output = load_demo_command()

    survey_round = SurveyRound.objects.get(slug=DEMO_SLUG)
    submitted, drafts, not_started = progress(survey_round)
    assert submitted == {Audience.MECHANISM: 22, Audience.STATE: 46, Audience.ORGANIZATION: 3}
    assert drafts > 0 and not_started > 0
    assert output.startswith(
        f"Demo round '{DEMO_SLUG}' created: 22 mechanisms, 46 States and 3 organizations "
        f"submitted; {drafts} drafts; {not_started} not started."
    )
    assert survey_round.status == SurveyRound.Status.OPEN
    assert_states_answer_about_their_own_mechanisms(survey_round)
    organizations = survey_round.participants.filter(
        kind=Audience.ORGANIZATION, responses__status=Response.Status.SUBMITTED
    ).values_list("organization__acronym", flat=True)
    assert set(organizations) == {"IOM", "UNHCR", "ILO"}
    # No email went out, and every invitation is recorded as sent (or further along).
    assert mailoutbox == []
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    statuses = Counter(
        Invitation.objects.filter(participant__round=survey_round).values_list("status", flat=True)
    )
    assert statuses == {
        Invitation.Status.SUBMITTED: 71,
        Invitation.Status.IN_PROGRESS: drafts,
        Invitation.Status.SENT: not_started,
    }
    digest, answers = answers_digest(survey_round), Answer.objects.count()

    assert load_demo_command().startswith("Demo round already loaded: no change.")
    assert Answer.objects.count() == answers

    survey_round.delete()
    load_demo_command()
    assert answers_digest(SurveyRound.objects.get(slug=DEMO_SLUG)) == digest
