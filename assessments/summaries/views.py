"""Summary pages and downloads: one mechanism's summary, the round's compendium, the job."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.access import round_for, secretariat_page, visible_summaries
from assessments.jobs.models import Job
from assessments.rounds.models import SurveyRound
from assessments.summaries.files import (
    compendium_file_path,
    stored_or_rendered,
    summary_file_path,
)
from assessments.summaries.render import (
    document,
    skipped_note,
    to_docx,
    to_html,
    to_markdown,
    to_pdf,
)
from assessments.summaries.selectors import (
    compendium_languages,
    round_summaries_with_newer_answers,
    summarised_and_skipped,
)
from assessments.summaries.services import summaries_job_start
from config.throttling import throttled

CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def requested_language(request: HttpRequest) -> str:
    language = request.GET.get("lang") or (translation.get_language() or "en")[:2]
    return language if language in {"en", "fr", "es"} else "en"


def summary_view(request: HttpRequest, slug: str, acronym: str) -> HttpResponse:
    language = requested_language(request)
    summaries = visible_summaries(request.user).filter(
        round__slug=slug, mechanism__acronym=acronym.upper()
    )
    summary = summaries.filter(language=language).first()
    if summary is None:
        raise Http404(_("No summary of this mechanism is available in this language."))
    available = sorted(summaries.values_list("language", flat=True))
    with translation.override(language):
        return render(
            request,
            "assessments/summary_page.html",
            {
                "doc": document(summary),
                "summary": summary,
                "summary_languages": available,
                "language": language,
            },
        )


@throttled
def summary_download(
    request: HttpRequest, slug: str, acronym: str, language: str, fmt: str
) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    summary = get_object_or_404(
        visible_summaries(request.user).select_related("round", "mechanism"),
        round__slug=slug,
        mechanism__acronym=acronym.upper(),
        language=language,
    )
    render = {
        "md": lambda: to_markdown(summary).encode("utf-8"),
        "html": lambda: to_html([summary]).encode("utf-8"),
        "docx": lambda: to_docx([summary]),
        "pdf": lambda: to_pdf([summary]),
    }[fmt]
    content = stored_or_rendered(summary_file_path(summary, fmt), render)
    return attachment(content, fmt, f"{slug}-{summary.mechanism.acronym}-{language}.{fmt}")


@throttled
def compendium_download(request: HttpRequest, slug: str, language: str, fmt: str) -> HttpResponse:
    if fmt not in {"docx", "pdf"}:
        raise Http404
    survey_round = get_object_or_404(SurveyRound, slug=slug)
    summaries = list(
        visible_summaries(request.user)
        .filter(round=survey_round, language=language)
        .order_by("mechanism__acronym")
    )
    if not summaries:
        raise Http404(_("No summaries are available for this round in this language."))
    _summarised, skipped = summarised_and_skipped(survey_round)
    with translation.override(language):
        title = _("Summaries of findings per ISCM — %(round)s") % {"round": survey_round.name}
        note = skipped_note(skipped, language)
    writer = to_docx if fmt == "docx" else to_pdf
    path = compendium_file_path(
        summaries, slug=slug, language=language, fmt=fmt, title=title, note=note
    )
    content = stored_or_rendered(path, lambda: writer(summaries, compendium_title=title, note=note))
    return attachment(content, fmt, f"{slug}-summaries-{language}.{fmt}")


def attachment(content: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@secretariat_page
def round_summaries_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The secretariat's summaries page of a round: generate all, follow the job, open each."""
    survey_round = round_for(request, slug, "view_summary")
    job = survey_round.jobs.filter(kind=Job.Kind.SUMMARIES).first()
    _summarised, skipped = summarised_and_skipped(survey_round)
    context = {
        "round": survey_round,
        "summaries": round_summaries_with_newer_answers(survey_round),
        "compendium_languages": compendium_languages(survey_round),
        "job": job,
        "skipped": skipped,
    }
    return render(request, "assessments/round_summaries.html", context)


@secretariat_page
@require_POST
def round_summaries_generate(request: HttpRequest, slug: str) -> HttpResponse:
    survey_round = round_for(request, slug, "generate_summaries")
    job = summaries_job_start(
        survey_round=survey_round,
        languages=request.POST.getlist("languages") or None,
        force=request.POST.get("force") == "on",
        user=request.user,
    )
    return redirect("assessments:job", job.pk)
