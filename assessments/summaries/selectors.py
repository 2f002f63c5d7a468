"""Reads of the summaries domain: which mechanisms of a round have answers to summarise."""

from __future__ import annotations

from assessments.questionnaires.models import Audience
from assessments.responses.models import Response
from assessments.rounds.models import SurveyRound
from mechanisms.models import Mechanism


def answered_mechanism_ids(survey_round: SurveyRound) -> set[int]:
    """Mechanisms with a submitted answer about them: the mechanism's own response, or a
    State's or organization's block about it (two queries)."""
    submitted = Response.objects.filter(round=survey_round, status=Response.Status.SUBMITTED)
    own = submitted.filter(participant__kind=Audience.MECHANISM).values_list(
        "participant__mechanism_id", flat=True
    )
    about = submitted.exclude(mechanism=None).values_list("mechanism_id", flat=True)
    return set(own.order_by()) | set(about.order_by())


def round_mechanisms(survey_round: SurveyRound) -> list[Mechanism]:
    """The round's mechanisms (those taking part as participants), by acronym."""
    ids = survey_round.participants.filter(kind=Audience.MECHANISM).values("mechanism_id")
    return list(Mechanism.objects.filter(pk__in=ids).order_by("acronym"))


def summarised_and_skipped(survey_round: SurveyRound) -> tuple[list[Mechanism], list[Mechanism]]:
    """The round's mechanisms that get a summary, and those skipped because nobody submitted
    an answer about them (a summary of five "no information" sections helps no reader)."""
    answered = answered_mechanism_ids(survey_round)
    mechanisms = round_mechanisms(survey_round)
    return (
        [m for m in mechanisms if m.pk in answered],
        [m for m in mechanisms if m.pk not in answered],
    )
