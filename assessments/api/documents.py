"""API of generated documents: summaries (list, retrieve, download) and background jobs (start a
report, an export or the summaries of a round; follow it; download its files)."""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from assessments import access
from assessments.access import visible_jobs, visible_summaries
from assessments.api.permissions import AllowsAnyJob
from assessments.jobs.models import Job, JobFile
from assessments.responses.models import Response
from assessments.rounds.models import SurveyRound
from assessments.summaries.models import Summary
from assessments.summaries.render import to_docx, to_html, to_markdown, to_pdf
from config.api_errors import ErrorSerializer
from config.parsers import LimitedJSONParser as JSONParser

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
DOCUMENT_TYPES = {
    "md": ("text/markdown; charset=utf-8", lambda s: to_markdown(s).encode("utf-8")),
    "html": ("text/html; charset=utf-8", lambda s: to_html([s]).encode("utf-8")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda s: to_docx([s]),
    ),
    "pdf": ("application/pdf", lambda s: to_pdf([s])),
}


# --- summaries -----------------------------------------------------------------------------


class SummarySectionSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    edited = serializers.BooleanField()


class EnteredOnBehalfSerializer(serializers.Serializer):
    response = serializers.IntegerField()
    participant = serializers.CharField()
    entered_by = serializers.CharField()


class SummarySerializer(serializers.ModelSerializer):
    round = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    mechanism = serializers.SlugRelatedField(slug_field="acronym", read_only=True)

    class Meta:
        model = Summary
        fields = [
            "id",
            "round",
            "mechanism",
            "language",
            "status",
            "generated_at",
            "published_at",
            "newer_answers",
        ]


class SummaryDetailSerializer(SummarySerializer):
    title = serializers.SerializerMethodField()
    introduction = serializers.SerializerMethodField()
    name_line = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()
    responses_used = serializers.SerializerMethodField()
    entered_on_behalf = serializers.SerializerMethodField(
        help_text="The responses used whose answers someone entered for the participant."
    )

    class Meta(SummarySerializer.Meta):
        fields = [
            *SummarySerializer.Meta.fields,
            "title",
            "introduction",
            "name_line",
            "sections",
            "responses_used",
            "entered_on_behalf",
        ]

    # A published summary shows its published text: regenerating does not change it.
    def get_title(self, obj: Summary) -> str:
        return obj.shown_header.get("title", "")

    def get_introduction(self, obj: Summary) -> list[str]:
        return list(obj.shown_header.get("introduction", []))

    def get_name_line(self, obj: Summary) -> str:
        return obj.shown_header.get("name_line", "")

    @extend_schema_field(SummarySectionSerializer(many=True))
    def get_sections(self, obj: Summary) -> list[dict]:
        titles = obj.shown_header.get("section_titles", {})
        return [
            {
                "number": n,
                "title": titles.get(n, ""),
                "text": text,
                "edited": n in obj.edited_sections,
            }
            for n, text in obj.shown_sections
        ]

    def get_responses_used(self, obj: Summary) -> list[int]:
        return sorted(r.pk for r in obj.responses_used.all())

    @extend_schema_field(EnteredOnBehalfSerializer(many=True))
    def get_entered_on_behalf(self, obj: Summary) -> list[dict]:
        return [
            {"response": r.pk, "participant": r.participant.party_name,
             "entered_by": r.entered_by.get_username()}
            for r in sorted(obj.responses_used.all(), key=lambda r: r.pk)
            if r.entered_by_id
        ]  # fmt: skip


class SummaryFilter(django_filters.FilterSet):
    round = django_filters.CharFilter(field_name="round__slug")
    mechanism = django_filters.CharFilter(field_name="mechanism__acronym", lookup_expr="iexact")
    language = django_filters.ChoiceFilter(choices=settings.LANGUAGES)
    status = django_filters.ChoiceFilter(choices=Summary.Status.choices)

    class Meta:
        model = Summary
        fields = ["round", "mechanism", "language", "status"]


FORMAT_PARAMETER = OpenApiParameter(
    "output",
    OpenApiTypes.STR,
    enum=list(DOCUMENT_TYPES),
    required=True,
    description="md, html, docx or pdf",
)


@extend_schema_view(
    list=extend_schema(summary="List the summaries you can read", responses={200: SummarySerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="One summary with its text by section", responses={200: SummaryDetailSerializer, **ERRORS}),
)  # fmt: skip
class SummaryViewSet(viewsets.ReadOnlyModelViewSet):
    """Published summaries for every signed-in user; drafts for those who read summaries."""

    permission_classes = [IsAuthenticated]
    filterset_class = SummaryFilter
    ordering_fields = ["id", "generated_at", "published_at"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Summary]:
        if getattr(self, "swagger_fake_view", False):
            return Summary.objects.none()
        summaries = visible_summaries(self.request.user)
        if self.action == "retrieve":
            summaries = summaries.prefetch_related(
                Prefetch(
                    "responses_used",
                    Response.objects.select_related(
                        "entered_by", "participant__mechanism", "participant__state",
                        "participant__organization",
                    ),
                )
            )  # fmt: skip
        return summaries

    def get_serializer_class(self) -> type:
        return SummaryDetailSerializer if self.action == "retrieve" else SummarySerializer

    @extend_schema(
        summary="Download a summary as Markdown, HTML, Word or PDF",
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request: Request, pk: str | None = None) -> HttpResponse:
        summary = self.get_object()
        fmt = request.query_params.get("output", "")
        if fmt not in DOCUMENT_TYPES:
            raise ValidationError({"output": ["Use md, html, docx or pdf."]})
        content_type, render = DOCUMENT_TYPES[fmt]
        response = HttpResponse(render(summary), content_type=content_type)
        name = f"{summary.round.slug}-{summary.mechanism.acronym}-{summary.language}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# --- jobs --------------------------------------------------------------------------------


class JobFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = JobFile
        fields = ["id", "name", "content_type", "size", "url"]

    def get_url(self, obj: JobFile) -> str:
        return f"/api/v1/jobs/{obj.job_id}/files/{obj.pk}/"


class JobSerializer(serializers.ModelSerializer):
    round = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    files = JobFileSerializer(many=True, read_only=True)

    class Meta:
        model = Job
        fields = [
            "id", "kind", "round", "parameters", "status", "progress_done", "progress_total",
            "percent", "message", "error", "attempts", "created_at", "started_at", "finished_at", "files",
        ]  # fmt: skip


class JobCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Job.Kind.choices)
    round = serializers.SlugField(help_text="The round's slug.")
    format = serializers.ChoiceField(
        choices=["csv", "csv-long", "xlsx", "json"],
        required=False,
        help_text="Exports: the format (default csv).",
    )
    labels = serializers.BooleanField(
        required=False, default=False, help_text="Exports: choice labels instead of codes."
    )
    choice_columns = serializers.BooleanField(
        required=False, default=False, help_text="Exports: one 0/1 column per choice."
    )
    bom = serializers.BooleanField(
        required=False, default=False, help_text="CSV exports: start with a UTF-8 BOM."
    )
    raw = serializers.BooleanField(
        required=False,
        default=False,
        help_text="CSV exports: cells exactly as answered, for programs. By default a cell "
        "starting with = + - @, a tab or a carriage return gets a leading ' so that a "
        "spreadsheet does not run it as a formula. (JSON is always raw.)",
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, default="en")
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=settings.LANGUAGES),
        required=False,
        help_text="Summaries: the languages (default all).",
    )
    force = serializers.BooleanField(
        required=False, default=False, help_text="Summaries: replace edited sections."
    )
    previous_round = serializers.SlugField(
        required=False, help_text="Report: compare with this earlier round."
    )


def round_by_slug(slug: str, user: object, field: str = "round") -> SurveyRound:
    """A round of the caller's scope (one outside it reads as unknown)."""
    survey_round = access.rounds_in_scope(user).filter(slug=slug).first()
    if survey_round is None:
        raise ValidationError({field: ["No round with this slug."]})
    return survey_round


def start_job(data: dict, user: object) -> Job:
    survey_round = round_by_slug(data["round"], user)
    if not access.can_start_job(user, data["kind"], survey_round):
        raise PermissionDenied("You do not have permission to start this kind of job.")
    if data["kind"] == Job.Kind.EXPORT:
        from assessments.reporting.services.export import export_job_start

        return export_job_start(
            survey_round=survey_round, fmt=data.get("format") or "csv", labels=data["labels"],
            choice_columns=data["choice_columns"], language=data["language"], bom=data["bom"], raw=data["raw"], user=user,
        )  # fmt: skip
    if data["kind"] == Job.Kind.ROUND_REPORT:
        from assessments.reporting.services.report import report_job_start

        previous = (
            round_by_slug(data["previous_round"], user, "previous_round")
            if data.get("previous_round")
            else None
        )
        return report_job_start(
            survey_round=survey_round, previous_round=previous, language=data["language"], user=user
        )
    from assessments.summaries.services import summaries_job_start

    return summaries_job_start(
        survey_round=survey_round, languages=data.get("languages"), force=data["force"], user=user
    )


@extend_schema_view(
    list=extend_schema(summary="List the jobs you can follow", responses={200: JobSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="Follow one job: status, progress, error, result files", responses={200: JobSerializer, **ERRORS}),
)  # fmt: skip
class JobViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Background jobs. Whoever may run a kind of job (analysts: reports and exports; summary
    editors: summaries) starts and follows it on their rounds; a viewer sees the finished
    reports of published rounds; anyone sees the jobs they asked for."""

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    filterset_fields = ["kind", "status"]
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]

    def get_permissions(self) -> list:
        if self.action == "create":
            return [IsAuthenticated(), AllowsAnyJob()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[Job]:
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        return visible_jobs(self.request.user).select_related("round").prefetch_related("files")

    @extend_schema(
        summary="Start a round report, an export or the summaries of a round (secretariat)",
        request=JobCreateSerializer,
        responses={202: JobSerializer, **ERRORS},
    )
    def create(self, request: Request) -> ApiResponse:
        serializer = JobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            job = start_job(serializer.validated_data, request.user)
        job = self.get_queryset().get(pk=job.pk)
        return ApiResponse(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download one result file of a job",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_id>\d+)")
    def file(
        self, request: Request, pk: str | None = None, file_id: str | None = None
    ) -> FileResponse:
        job = self.get_object()
        job_file = job.files.filter(pk=file_id).first()
        if job_file is None:
            raise NotFound()
        return FileResponse(
            job_file.file.open("rb"),
            as_attachment=True,
            filename=job_file.name,
            content_type=job_file.content_type,
        )
