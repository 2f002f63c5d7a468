"""The round-wide summaries job: one summary per (mechanism, language), progress on a Job."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from assessments.models import Audience, Job, SurveyRound
from assessments.services import jobs
from mechanisms.models import Mechanism

logger = logging.getLogger(__name__)


def round_mechanisms(survey_round: SurveyRound) -> list[Mechanism]:
    ids = survey_round.participants.filter(kind=Audience.MECHANISM).values("mechanism_id")
    return list(Mechanism.objects.filter(pk__in=ids).order_by("acronym"))


@transaction.atomic
def summaries_job_start(
    *,
    survey_round: SurveyRound,
    languages: list[str] | None = None,
    force: bool = False,
    user=None,
) -> Job:
    """Create the job and enqueue it after commit."""
    languages = languages or [code for code, _name in settings.LANGUAGES]
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
    if not jobs.job_claim(job_id=job_id):
        return
    job = Job.objects.select_related("round").get(pk=job_id)
    from assessments.services.summaries import summary_generate

    languages = job.parameters.get("languages") or ["en"]
    force = bool(job.parameters.get("force"))
    units = [(m, lang) for m in round_mechanisms(job.round) for lang in languages]
    failures = []
    for done, (mechanism, language) in enumerate(units, start=1):
        try:
            summary_generate(
                survey_round=job.round, mechanism=mechanism, language=language, force=force
            )
        except Exception as exc:  # one broken summary must not stop the others
            logger.exception("Summary %s/%s failed", mechanism.acronym, language)
            failures.append(f"{mechanism.acronym} ({language}): {exc}")
        jobs.job_progress(
            job_id=job_id, done=done, total=len(units), message=f"{mechanism.acronym} ({language})"
        )
    if failures:
        jobs.job_fail(job_id=job_id, error="\n".join(failures))
    else:
        jobs.job_succeed(job_id=job_id, message=f"{len(units)} summaries generated")
