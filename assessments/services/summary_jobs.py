"""The round-wide summaries job: one Celery task per (mechanism, language), progress on a Job."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from assessments.models import Audience, Job, SurveyRound
from assessments.services import jobs
from mechanisms.models import Mechanism


def round_mechanisms(survey_round: SurveyRound) -> list[Mechanism]:
    ids = survey_round.participants.filter(kind=Audience.MECHANISM).values("mechanism_id")
    return list(Mechanism.objects.filter(pk__in=ids).order_by("acronym"))


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
    from assessments.tasks import generate_round_summaries_task

    transaction.on_commit(lambda: generate_round_summaries_task.delay(job.pk))
    return job


def run_summaries_job(*, job_id: int) -> None:
    """Fan out one task per (mechanism, language); each settles its own item."""
    if not jobs.job_claim(job_id=job_id):
        return
    job = Job.objects.select_related("round").get(pk=job_id)
    languages = job.parameters.get("languages") or ["en"]
    units = [(m, lang) for m in round_mechanisms(job.round) for lang in languages]
    if not units:
        jobs.job_succeed(job_id=job_id, message="The round has no mechanisms.")
        return
    jobs.job_add_items(job_id=job_id, keys=[unit_key(m, lang) for m, lang in units])
    from assessments.tasks import generate_summary_task

    for mechanism, language in units:
        generate_summary_task.delay(
            job.round_id, mechanism.pk, language, bool(job.parameters.get("force")), job_id
        )
