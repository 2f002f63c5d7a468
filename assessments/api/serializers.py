from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.questionnaires import conditions
from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.schema import QuestionnaireSchema
from assessments.responses.models import Response
from assessments.rounds.models import RoundParticipant, SurveyRound
from assessments.rounds.services.rounds import clean_reminder_days
from mechanisms.text import text_problem


class RoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyRound
        fields = [
            "id", "name", "slug", "year", "opens_on", "closes_on", "status",
            "questionnaire_mechanism", "questionnaire_state", "questionnaire_organization",
            "reminder_days", "link_grace_days", "opened_at", "closed_at", "published_at",
        ]  # fmt: skip
        read_only_fields = ["status", "opened_at", "closed_at", "published_at"]

    def validate_reminder_days(self, value: Any) -> list[int]:
        """A JSON list ([14, 7, 2]) or the text people write ("14, 7, 2")."""
        try:
            return clean_reminder_days(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["reminder_days"]) from None

    def validate(self, attrs: dict) -> dict:
        opens = attrs.get("opens_on", getattr(self.instance, "opens_on", None))
        closes = attrs.get("closes_on", getattr(self.instance, "closes_on", None))
        if opens and closes and closes < opens:
            raise serializers.ValidationError(
                {"closes_on": ["A round cannot close before it opens."]}
            )
        for field, audience in (
            ("questionnaire_mechanism", "mechanism"),
            ("questionnaire_state", "state"),
            ("questionnaire_organization", "organization"),
        ):
            questionnaire = attrs.get(field)
            if questionnaire is not None and questionnaire.audience != audience:
                raise serializers.ValidationError(
                    {field: [f"This questionnaire is not for the {audience} audience."]}
                )
        return attrs


class ReminderResultSerializer(serializers.Serializer):
    queued = serializers.IntegerField(
        help_text="Reminders queued for participants who have not submitted."
    )


class ParticipantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="party_name", read_only=True)
    # Exactly one of the three is set, as `kind` says; the others are null.
    mechanism = serializers.SlugRelatedField(slug_field="acronym", read_only=True, allow_null=True)
    state = serializers.CharField(
        source="state.country.code", read_only=True, default=None, allow_null=True
    )
    organization = serializers.SlugRelatedField(
        slug_field="acronym", read_only=True, allow_null=True
    )

    class Meta:
        model = RoundParticipant
        fields = ["id", "kind", "name", "mechanism", "state", "organization"]


@extend_schema_field(
    {
        "type": "object",
        "description": "Answers by question code: a string, a number, an ISO date, a list of "
        "choice codes, or for a matrix an object of row code -> list of column codes. "
        "`<code>_other` holds the text of an 'other, please specify' answer.",
        "additionalProperties": True,
    }
)
class AnswersField(serializers.DictField):
    def to_representation(self, value: Any) -> dict:
        return {code: plain(v) for code, v in value.items()}


def plain(value: Any) -> Any:
    """JSON-friendly answer values: dates as ISO strings, decimals as numbers."""
    import datetime
    from decimal import Decimal

    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class ResponseSerializer(serializers.ModelSerializer):
    round = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    mechanism = serializers.SlugRelatedField(
        slug_field="acronym", read_only=True, allow_null=True,
        help_text="The mechanism a per-mechanism response is about; null for the others.",
    )  # fmt: skip
    participant = ParticipantSerializer(read_only=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = [
            "id", "round", "participant", "questionnaire", "mechanism", "status", "version",
            "created_at", "updated_at", "submitted_at", "answers",
        ]  # fmt: skip

    @extend_schema_field(AnswersField)
    def get_answers(self, obj: Response) -> dict:
        answers = self.context.get("answers", {}).get(obj.pk)
        return AnswersField().to_representation(answers) if answers is not None else {}


class ResponseListSerializer(ResponseSerializer):
    class Meta(ResponseSerializer.Meta):
        fields = [f for f in ResponseSerializer.Meta.fields if f != "answers"]


class ResponseCreateSerializer(serializers.Serializer):
    round = serializers.SlugField(help_text="The round's slug.")
    participant = serializers.IntegerField(help_text="The round participant's id.")
    questionnaire = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Optional: must be the round's questionnaire for the participant.",
    )
    mechanism = serializers.CharField(
        required=False, allow_null=True, allow_blank=True,
        help_text="Acronym of the mechanism, for the per-mechanism sections; empty for the others.",
    )  # fmt: skip


class ResponsePatchSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you read; a stale one gets 409."
    )
    answers = AnswersField(help_text="The answers to change; an empty value clears an answer.")

    def validate(self, attrs: dict) -> dict:
        # No database text column takes a NUL character (PostgreSQL refuses it outright), and
        # the validation rules check only the texts of text questions: refuse unsafe characters
        # in every code and value here, keyed by question code.
        errors = {}
        for code, value in attrs["answers"].items():
            problem = unsafe_text(code) or unsafe_text(value)
            if problem:
                errors[str(code)] = [problem]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def unsafe_text(value: Any) -> str | None:
    """The message for the first unsafe character in a JSON value's strings, or None."""
    if isinstance(value, str):
        problem = text_problem(value)
        return problem[1] if problem else None
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return None
    return next((p for p in map(unsafe_text, items) if p), None)


class ResponseSubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="Optional: the version you read."
    )


# --- questionnaires -----------------------------------------------------------------------


class QuestionnaireListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Questionnaire
        fields = ["id", "key", "version", "audience", "status", "title", "published_at"]


class QuestionnaireDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    version = serializers.IntegerField()
    audience = serializers.CharField()
    status = serializers.CharField()
    language = serializers.CharField()
    title = serializers.CharField()
    sections = serializers.ListField(child=serializers.DictField())


def questionnaire_in_language(
    questionnaire: Questionnaire, schema: QuestionnaireSchema, language: str
) -> dict:
    """One version with all sections, questions and choices in `language` (English fallback)."""

    def options(items: tuple) -> list[dict]:
        return [{"code": o.code, "label": o.label(language)} for o in items]

    sections = []
    for section in schema.sections:
        questions = []
        for code in section.question_codes:
            q = schema.questions[code]
            questions.append({
                "code": q.code, "type": q.type, "text": q.text(language), "help": q.help(language),
                "required": q.required, "min_value": plain(q.min_value), "max_value": plain(q.max_value),
                "max_choices": q.max_choices, "other_option": q.other_option,
                "choices": options(q.options), "columns": options(q.columns), "rows_from": q.rows_from,
                "condition": conditions.to_dict(q.condition),
                "summary_section": q.summary_section,
            })  # fmt: skip
        sections.append({
            "code": section.code, "title": section.title(language), "help": section.help(language),
            "per_mechanism": section.per_mechanism, "questions": questions,
        })  # fmt: skip
    return {
        "id": questionnaire.pk, "key": questionnaire.key, "version": questionnaire.version,
        "audience": questionnaire.audience, "status": questionnaire.status, "language": language,
        "title": schema.title(language), "sections": sections,
    }  # fmt: skip
