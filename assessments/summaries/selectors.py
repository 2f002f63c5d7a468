"""Reads of the summaries domain: which mechanisms of a round have answers to summarise, and
what a summaries job has written."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from assessments.jobs.models import Job, JobItem
from assessments.questionnaires.models import Audience
from assessments.responses.models import Response
from assessments.rounds.models import SurveyRound
from assessments.summaries.models import Summary
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


def unit_label(key: str) -> str:
    """A summaries job's unit key ("SACM:es") as a reader says it: "SACM, Spanish"."""
    acronym, _sep, language = key.partition(":")
    if not language:
        return key
    try:
        name = translation.get_language_info(language)["name_translated"]
    except KeyError:
        return key
    return _("%(acronym)s, %(language)s") % {"acronym": acronym, "language": name}


def summaries_job_outputs(job: Job) -> list[dict]:
    """The summaries a summaries job has written so far, as links for its page (one query)."""
    if job.kind != Job.Kind.SUMMARIES or job.round_id is None:
        return []
    done = job.items.filter(status=JobItem.Status.DONE).values_list("key", flat=True)
    outputs = []
    for key in done:
        acronym, _sep, language = key.partition(":")
        url = reverse("assessments:summary", args=[job.round.slug, acronym])
        outputs.append({"name": unit_label(key), "size": None, "url": f"{url}?lang={language}"})
    return outputs


def round_summaries_with_newer_answers(survey_round: SurveyRound) -> QuerySet[Summary]:
    """The round's summaries, each with `has_newer_answers`: an edited section awaits review,
    or an answer about its mechanism was submitted after it was generated (one query)."""
    submitted_later = Response.objects.filter(
        round=survey_round,
        status=Response.Status.SUBMITTED,
        submitted_at__gt=OuterRef("generated_at"),
    ).filter(
        Q(mechanism=OuterRef("mechanism"))
        | Q(participant__kind=Audience.MECHANISM, participant__mechanism=OuterRef("mechanism"))
    )
    return (
        survey_round.summaries.select_related("mechanism")
        .annotate(has_newer_answers=Q(newer_answers=True) | Exists(submitted_later))
        .order_by("mechanism__acronym", "language")
    )


def compendium_languages(survey_round: SurveyRound) -> list[str]:
    """The languages in which the round has at least one summary: its compendia exist."""
    languages = survey_round.summaries.values_list("language", flat=True).distinct()
    order = [code for code, _name in settings.LANGUAGES]
    return sorted(set(languages.order_by()), key=order.index)
