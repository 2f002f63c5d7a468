"""Summaries: generate (idempotent), edit a section, publish."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.jobs import services as jobs
from assessments.jobs.models import Job
from assessments.rounds.models import SurveyRound
from assessments.summaries.compose import compose_summary
from assessments.summaries.inputs import summary_inputs
from assessments.summaries.models import SECTION_NUMBERS, Summary
from assessments.summaries.selectors import summarised_and_skipped
from mechanisms.models import Mechanism
from mechanisms.text import text_problem


def header_of(content) -> dict:
    return {
        "title": content.title,
        "introduction": content.introduction,
        "name_line": content.name_line,
        "section_titles": content.section_titles,
    }


@transaction.atomic
def summary_generate(
    *, survey_round: SurveyRound, mechanism: Mechanism, language: str, force: bool = False
) -> Summary | None:
    """(Re)generate one summary from the round's submitted answers; None, and nothing
    written, when nobody submitted an answer about the mechanism.

    Re-running replaces the generated text (never a second row). Sections the secretariat
    edited are kept, and flagged when the answers changed since, unless `force`, which drops
    the edits. A published summary stays published with its published text: without `force`
    nothing changes; with it the working text is regenerated, for someone to publish.
    """
    inputs = summary_inputs(survey_round, mechanism)
    if not inputs.response_ids:
        return None
    content = compose_summary(inputs, language)
    summary, created = Summary.objects.select_for_update().get_or_create(
        round=survey_round, mechanism=mechanism, language=language
    )
    answers_changed = not created and summary.answers_fingerprint != inputs.fingerprint
    if force:
        summary.edited_sections = {}
        if summary.status != Summary.Status.PUBLISHED:
            summary.status = Summary.Status.GENERATED
        summary.newer_answers = False
    elif summary.status == Summary.Status.PUBLISHED:
        summary.newer_answers = summary.newer_answers or answers_changed
        summary.save(update_fields=["newer_answers"])
        return summary
    elif summary.edited_sections and answers_changed:
        summary.newer_answers = True
    summary.header = header_of(content)
    summary.generated_sections = content.sections
    summary.answers_fingerprint = inputs.fingerprint
    summary.generated_at = timezone.now()
    summary.save()
    summary.responses_used.set(inputs.response_ids)
    return summary


@transaction.atomic
def summary_edit_section(*, summary: Summary, number: str, text: str) -> Summary:
    """The secretariat's own wording for one section; an empty text restores the generated one."""
    if number not in SECTION_NUMBERS:
        raise ValidationError({"number": _("Sections are numbered 1 to 5.")})
    problem = text_problem(text)
    if problem:
        raise ValidationError({"text": problem[1]})
    summary = Summary.objects.select_for_update().get(pk=summary.pk)
    edited = dict(summary.edited_sections)
    if text.strip():
        edited[number] = text.strip()
    else:
        edited.pop(number, None)
    summary.edited_sections = edited
    if summary.status != Summary.Status.PUBLISHED:
        summary.status = Summary.Status.EDITED if edited else Summary.Status.GENERATED
    summary.save(update_fields=["edited_sections", "status"])
    return summary


@transaction.atomic
def summary_acknowledge_newer_answers(*, summary: Summary) -> Summary:
    summary.newer_answers = False
    summary.save(update_fields=["newer_answers"])
    return summary


@transaction.atomic
def summary_publish(*, summary: Summary) -> Summary:
    """Readers see the working text from now on, as a new published version (its files are
    rendered again); publishing an unchanged summary again does nothing."""
    summary = Summary.objects.select_for_update().get(pk=summary.pk)
    if summary.is_published and not summary.has_unpublished_changes:
        return summary
    if not summary.generated_at:
        raise ValidationError(_("Generate the summary before publishing it."))
    summary.status = Summary.Status.PUBLISHED
    summary.published_at = timezone.now()
    summary.published_text = summary.working_text()
    summary.published_version += 1
    summary.save(update_fields=["status", "published_at", "published_text", "published_version"])
    return summary


def unit_key(mechanism: Mechanism, language: str) -> str:
    return f"{mechanism.acronym}:{language}"


@transaction.atomic
def summaries_job_start(
    *,
    survey_round: SurveyRound,
    languages: list[str] | None = None,
    force: bool = False,
    user=None,
) -> Job:
    """Create the job and enqueue its fan-out after commit."""
    known = [code for code, _name in settings.LANGUAGES]
    languages = [lang for lang in (languages or known) if lang in known] or known
    job = jobs.job_create(
        kind=Job.Kind.SUMMARIES,
        survey_round=survey_round,
        parameters={"languages": languages, "force": force},
        user=user,
    )
    from assessments.summaries.tasks import generate_round_summaries_task

    transaction.on_commit(lambda: generate_round_summaries_task.delay(job.pk))
    return job


def run_summaries_job(*, job_id: int) -> None:
    """Fan out one task per (mechanism, language); each settles its own item."""
    if not jobs.job_claim(job_id=job_id):
        return
    job = Job.objects.select_related("round").get(pk=job_id)
    languages = job.parameters.get("languages") or ["en"]
    summarised, skipped = summarised_and_skipped(job.round)
    units = [(m, lang) for m in summarised for lang in languages]
    if not units:
        jobs.job_succeed(job_id=job_id, message=no_summary_message(skipped))
        return
    jobs.job_add_items(job_id=job_id, keys=[unit_key(m, lang) for m, lang in units])
    from assessments.summaries.tasks import generate_summary_task

    for mechanism, language in units:
        generate_summary_task.delay(
            job.round_id, mechanism.pk, language, bool(job.parameters.get("force")), job_id
        )


def no_summary_message(skipped: list[Mechanism]) -> str:
    if not skipped:
        return _("The round has no mechanisms.")
    return _("No mechanism of the round has submitted answers about it: no summary to write.")
