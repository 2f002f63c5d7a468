"""API permission classes, derived from the policy in assessments/access.py."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from assessments import access


def round_of(obj: Any) -> Any:
    from assessments.rounds.models import SurveyRound

    return obj if isinstance(obj, SurveyRound) else getattr(obj, "round", None)


def Allows(codename: str) -> type[BasePermission]:
    """The caller holds `assessments.<codename>`; on an object, also on the object's round.
    The object check runs after the scoped lookup, so a caller who cannot see the object gets
    404 first, never a 403 that would confirm it exists."""

    class AllowsPermission(BasePermission):
        message = "You do not have permission to do this."

        def has_permission(self, request: Any, view: Any) -> bool:
            return access.can(request.user, codename)

        def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
            return access.can_on_round(request.user, round_of(obj), codename)

    AllowsPermission.__name__ = f"Allows_{codename}"
    return AllowsPermission


class AllowsAnyJob(BasePermission):
    """The caller may start at least one kind of job (which kind, on which round, is checked
    once the body is read)."""

    message = "You do not have permission to start jobs."

    def has_permission(self, request: Any, view: Any) -> bool:
        return any(access.can(request.user, c) for c in access.JOB_PERMISSIONS.values())


class WritesResponse(BasePermission):
    """Only a participant's respondents, or someone entering answers on its behalf, write it."""

    message = "Only the participant's respondents, or someone allowed to enter answers on its behalf, can change this response."

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return access.accessible_responses(request).filter(pk=obj.pk).exists()


class ReadsResponses(BasePermission):
    message = "Only respondents and those who read responses can use responses."

    def has_permission(self, request: Any, view: Any) -> bool:
        return access.reads_responses(request)
