"""One error format for the whole API: {"detail": "...", "errors": {field: ["...", ...]}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource changed since you read it."
    default_code = "conflict"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.extra = extra


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def flatten(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail as {field: [messages]} (nested fields joined with dots)."""
    if isinstance(detail, dict):
        result: dict[str, list[str]] = {}
        for field, value in detail.items():
            if isinstance(value, dict):
                for sub, messages in flatten(value).items():
                    result[f"{field}.{sub}"] = messages
            else:
                result[str(field)] = [
                    str(m) for m in (value if isinstance(value, list) else [value])
                ]
        return result
    return {
        "non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]
    }


# DRF takes the challenge of a 401 from the first authentication class, and session
# authentication (first in settings) has none, so it would answer 403 to a caller who sent no or
# bad credentials. The API answers 401 with the token challenge instead: 403 means "you are
# signed in but may not".
TOKEN_CHALLENGE = 'Token realm="api"'


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    errors: dict[str, list[str]] | None = None
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        exc.status_code = status.HTTP_401_UNAUTHORIZED
        exc.auth_header = getattr(exc, "auth_header", None) or TOKEN_CHALLENGE
    elif isinstance(exc, DjangoValidationError):
        errors = getattr(exc, "errors", None) or django_errors(exc)
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = errors or flatten(exc.detail)
        response.data = {"detail": _("The request is not valid."), "errors": errors}
    else:
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        )
        response.data = {"detail": str(detail), "errors": {}}
        response.data.update(getattr(exc, "extra", {}))
    return response


class ErrorSerializer(serializers.Serializer):
    """The error body of every 4xx answer (documented in the schema)."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ConflictSerializer(ErrorSerializer):
    version = serializers.IntegerField(help_text="The current version of the resource.")
