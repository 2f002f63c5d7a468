"""A job's page: a live progress bar, the error if any, and the result files."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from assessments.access import visible_jobs
from assessments.jobs.models import Job, JobFile


def job_state(job: Job) -> dict:
    """What the job page shows and its script polls: progress, message, error and outputs
    (the job's files, or for a summaries job the summaries written so far)."""
    from assessments.summaries.selectors import summaries_job_outputs, unit_label

    message = unit_label(job.message) if job.kind == Job.Kind.SUMMARIES else job.message
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "message": message,
        "error": job.error,
        "finished": job.is_finished,
        "files": [
            {
                "name": f.name,
                "size": f.size,
                "url": reverse("assessments:job_file", args=[job.pk, f.pk]),
            }
            for f in job.files.all()
        ]
        + summaries_job_outputs(job),
    }


@login_required
def job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(visible_jobs(request.user).select_related("round"), pk=pk)
    return render(request, "assessments/job.html", {"job": job, "state": job_state(job)})


@login_required
def job_status_view(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    return JsonResponse(job_state(job))


@login_required
def job_file_view(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    job_file = get_object_or_404(JobFile, job__in=visible_jobs(request.user), job_id=pk, pk=file_pk)
    return FileResponse(job_file.file.open("rb"), as_attachment=True, filename=job_file.name,
                        content_type=job_file.content_type)  # fmt: skip
