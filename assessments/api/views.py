"""REST API of rounds, questionnaires and responses: thin views over the same services and
validation as the web pages."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from assessments import access
from assessments.access import accessible_participants
from assessments.api.permissions import Allows, ReadsResponses, WritesResponse
from assessments.api.serializers import (
    QuestionnaireDetailSerializer,
    QuestionnaireListSerializer,
    ReminderResultSerializer,
    ResponseCreateSerializer,
    ResponseListSerializer,
    ResponsePatchSerializer,
    ResponseSerializer,
    ResponseSubmitSerializer,
    RoundSerializer,
    questionnaire_in_language,
)
from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses import services as response_services
from assessments.responses.models import Response
from assessments.rounds.models import SurveyRound
from assessments.rounds.services import rounds as round_services
from assessments.rounds.services.invitations import round_send_reminders_now
from config.api_errors import ConflictError, ConflictSerializer, ErrorSerializer
from config.parsers import LimitedJSONParser as JSONParser
from mechanisms.models import Mechanism

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


# --- rounds --------------------------------------------------------------------------------


class RoundFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SurveyRound.Status.choices)
    year = django_filters.NumberFilter()

    class Meta:
        model = SurveyRound
        fields = ["status", "year"]


@extend_schema_view(
    list=extend_schema(summary="List the rounds you can see", responses={200: RoundSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="One round", responses={200: RoundSerializer, **ERRORS}),
    create=extend_schema(summary="Create a round (secretariat)", responses={201: RoundSerializer, **ERRORS}),
    partial_update=extend_schema(summary="Change a round (secretariat)", responses={200: RoundSerializer, **ERRORS}),
    update=extend_schema(summary="Replace a round's fields (secretariat)", responses={200: RoundSerializer, **ERRORS}),
)  # fmt: skip
class RoundViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):  # fmt: skip
    """Rounds: the secretariat sees all, a respondent the rounds it takes part in, a viewer the
    published ones."""

    serializer_class = RoundSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]  # reminder_days is a JSON list: no form encodings
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"  # a slug: anything else is a 404 without a query
    filterset_class = RoundFilter
    ordering_fields = ["year", "name", "opens_on", "closes_on"]
    ordering = ["-year", "name"]
    search_fields = ["name", "slug"]

    ACTION_PERMISSIONS = {
        "create": "add_surveyround",
        "update": "change_surveyround",
        "partial_update": "change_surveyround",
        "open": "change_surveyround",
        "close": "change_surveyround",
        "publish": "change_surveyround",
        "send_reminders": "send_reminders",
    }

    def get_permissions(self) -> list:
        codename = self.ACTION_PERMISSIONS.get(self.action or "")
        if codename:
            return [IsAuthenticated(), Allows(codename)()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[SurveyRound]:
        if getattr(self, "swagger_fake_view", False):
            return SurveyRound.objects.none()
        user = self.request.user
        visible = Q(pk__in=access.rounds_for(user, "view_surveyround"))
        visible |= Q(participants__in=accessible_participants(self.request))
        if access.user_is_viewer(user):
            visible |= Q(status=SurveyRound.Status.PUBLISHED)
        return SurveyRound.objects.filter(visible).distinct()

    def perform_create(self, serializer: RoundSerializer) -> None:
        data = dict(serializer.validated_data)
        questionnaires = {
            "mechanism": data.pop("questionnaire_mechanism"),
            "state": data.pop("questionnaire_state"),
            "organization": data.pop("questionnaire_organization"),
        }
        serializer.instance = round_services.round_create(questionnaires=questionnaires, **data)
        if not access.works_on_every_round(self.request.user):
            serializer.instance.team.add(self.request.user)  # or its maker could not see it

    def perform_update(self, serializer: RoundSerializer) -> None:
        serializer.instance = round_services.round_update(
            survey_round=serializer.instance, **serializer.validated_data
        )

    def transition(self, service) -> ApiResponse:
        survey_round = service(survey_round=self.get_object())
        return ApiResponse(RoundSerializer(survey_round).data)

    @extend_schema(
        summary="Open the round and send the invitations",
        request=None,
        responses={200: RoundSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def open(self, request: Request, slug: str) -> ApiResponse:
        return self.transition(round_services.round_open)

    @extend_schema(
        summary="Close the round (drafts stay drafts)",
        request=None,
        responses={200: RoundSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, slug: str) -> ApiResponse:
        return self.transition(round_services.round_close)

    @extend_schema(
        summary="Publish a closed round", request=None, responses={200: RoundSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, slug: str) -> ApiResponse:
        return self.transition(round_services.round_publish)

    @extend_schema(
        summary="Send a reminder now to every participant who has not submitted",
        request=None,
        responses={202: ReminderResultSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="send-reminders")
    def send_reminders(self, request: Request, slug: str) -> ApiResponse:
        queued = round_send_reminders_now(survey_round=self.get_object())
        return ApiResponse({"queued": queued}, status=status.HTTP_202_ACCEPTED)


# --- questionnaires ------------------------------------------------------------------------

LANG_PARAMETER = OpenApiParameter(
    "lang", OpenApiTypes.STR, enum=["en", "fr", "es"], required=False,
    description="Language of the texts (default: from Accept-Language, else English).",
)  # fmt: skip


@extend_schema_view(
    list=extend_schema(summary="List questionnaire versions", responses={200: QuestionnaireListSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="One questionnaire version with its sections, questions and choices", parameters=[LANG_PARAMETER], responses={200: QuestionnaireDetailSerializer, **ERRORS}),
)  # fmt: skip
class QuestionnaireViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = QuestionnaireListSerializer
    filterset_fields = ["audience", "status", "key"]
    ordering_fields = ["key", "version"]
    ordering = ["key", "-version"]

    def get_queryset(self) -> QuerySet[Questionnaire]:
        if access.can(self.request.user, "view_questionnaire"):
            return Questionnaire.objects.all()
        return Questionnaire.objects.exclude(status=Questionnaire.Status.DRAFT)

    def retrieve(self, request: Request, pk: str | None = None) -> ApiResponse:
        questionnaire = self.get_object()
        language = request.query_params.get("lang") or (translation.get_language() or "en")[:2]
        if language not in {"en", "fr", "es"}:
            raise ValidationError({"lang": ["Use en, fr or es."]})
        schema = questionnaire_schema(questionnaire)
        with translation.override(language):
            return ApiResponse(questionnaire_in_language(questionnaire, schema, language))


# --- responses -----------------------------------------------------------------------------


class ResponseFilter(django_filters.FilterSet):
    round = django_filters.CharFilter(field_name="round__slug")
    mechanism = django_filters.CharFilter(field_name="mechanism__acronym", lookup_expr="iexact")
    status = django_filters.ChoiceFilter(choices=Response.Status.choices)
    participant = django_filters.NumberFilter(field_name="participant_id")

    class Meta:
        model = Response
        fields = ["round", "mechanism", "status", "participant"]


@extend_schema_view(
    list=extend_schema(summary="List your responses", responses={200: ResponseListSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="One response with its answers keyed by question code", responses={200: ResponseSerializer, **ERRORS}),
)  # fmt: skip
class ResponseViewSet(viewsets.ReadOnlyModelViewSet):
    """Responses of the participants you answer for, and those of your rounds if you read
    responses (analysts). Only respondents, or someone entering answers on a participant's
    behalf, write them."""

    permission_classes = [IsAuthenticated]
    WRITES = {"partial_update", "submit"}
    parser_classes = [JSONParser]  # answers are a JSON object: no form encodings
    filterset_class = ResponseFilter
    ordering_fields = ["id", "updated_at", "submitted_at"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Response]:
        if getattr(self, "swagger_fake_view", False):
            return Response.objects.none()
        if self.action == "reopen":
            base = Response.objects.filter(
                round__in=access.rounds_for(self.request.user, "reopen_response")
            )
        else:
            base = access.readable_responses(self.request)
        return base.select_related(
            "round", "mechanism", "participant__mechanism", "participant__state",
            "participant__organization", "questionnaire",
        )  # fmt: skip

    def get_permissions(self) -> list:
        if self.action in self.WRITES:
            return [IsAuthenticated(), WritesResponse()]
        if self.action == "list":
            return [IsAuthenticated(), ReadsResponses()]
        return super().get_permissions()

    def get_serializer_class(self) -> type:
        return ResponseListSerializer if self.action == "list" else ResponseSerializer

    def detail_response(
        self, response: Response, http_status: int = status.HTTP_200_OK
    ) -> ApiResponse:
        """The response as re-read after a write (services return it without its joins)."""
        return self.render(self.get_queryset().get(pk=response.pk), http_status)

    def render(self, response: Response, http_status: int = status.HTTP_200_OK) -> ApiResponse:
        schema = questionnaire_schema(response.questionnaire)
        answers = {response.pk: response_services.stored_answers(response, schema)}
        return ApiResponse(
            ResponseSerializer(response, context={"answers": answers}).data, status=http_status
        )

    def retrieve(self, request: Request, pk: str | None = None) -> ApiResponse:
        return self.render(self.get_object())

    @extend_schema(
        summary="Create (or get) the draft response of a participant",
        request=ResponseCreateSerializer,
        responses={201: ResponseSerializer, 200: ResponseSerializer, **ERRORS},
    )
    def create(self, request: Request) -> ApiResponse:
        serializer = ResponseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        participant = self.participant_for(data)
        mechanism = None
        if data.get("mechanism"):
            mechanism = Mechanism.objects.filter(acronym=data["mechanism"].upper()).first()
            if mechanism is None:
                raise ValidationError({"mechanism": ["Unknown mechanism."]})
        existed = Response.objects.filter(participant=participant, mechanism=mechanism).exists()
        response = response_services.response_get_or_create(
            participant=participant, mechanism=mechanism
        )
        return self.detail_response(
            response, status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )

    def participant_for(self, data: dict):
        participants = accessible_participants(self.request)
        participant = (
            participants.filter(pk=data["participant"], round__slug=data["round"])
            .select_related("round")
            .first()
        )
        if participant is None:
            raise ValidationError(
                {"participant": ["No such participant in that round among those you answer for."]}
            )
        expected = participant.round.questionnaire_id_for(participant.kind)
        if data.get("questionnaire") not in (None, expected):
            raise ValidationError(
                {"questionnaire": [f"This round asks this participant questionnaire {expected}."]}
            )
        return participant

    @extend_schema(
        summary="Change some answers (carry the version you read)",
        request=ResponsePatchSerializer,
        responses={200: ResponseSerializer, 409: ConflictSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> ApiResponse:
        response = self.get_object()
        serializer = ResponsePatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            saved, _result = response_services.response_save_answers(
                response=response,
                answers=serializer.validated_data["answers"],
                expected_version=serializer.validated_data["version"],
                entered_by=access.entered_by(request, response),
            )
        except response_services.StaleVersion as exc:
            raise ConflictError(
                "The response changed since you read it: read it again.", version=exc.current
            ) from exc
        return self.detail_response(saved)

    @extend_schema(
        summary="Validate everything and submit",
        request=ResponseSubmitSerializer,
        responses={200: ResponseSerializer, 409: ConflictSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> ApiResponse:
        response = self.get_object()
        serializer = ResponseSubmitSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        try:
            submitted = response_services.response_submit(
                response=response,
                user=request.user,
                expected_version=serializer.validated_data.get("version"),
            )
        except response_services.StaleVersion as exc:
            raise ConflictError(
                "The response changed since you read it: read it again.", version=exc.current
            ) from exc
        return self.detail_response(submitted)

    @extend_schema(
        summary="Reopen a submitted response (secretariat)",
        request=None,
        responses={200: ResponseSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated, Allows("reopen_response")],
    )
    def reopen(self, request: Request, pk: str | None = None) -> ApiResponse:
        return self.detail_response(response_services.response_reopen(response=self.get_object()))
