"""API roles: secretariat admin (staff), respondent (focal point or invitation), viewer."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from assessments.access import VIEWER_GROUP, user_is_secretariat, user_is_viewer

# The roles are decided in assessments/access.py; these names keep the API's wording.
is_secretariat = user_is_secretariat
is_viewer = user_is_viewer
__all__ = ["VIEWER_GROUP", "IsSecretariat", "IsSecretariatForObject", "is_secretariat", "is_viewer"]


class IsSecretariat(BasePermission):
    message = "Only the secretariat can do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_secretariat(request.user)


class IsSecretariatForObject(BasePermission):
    """Secretariat only, decided after the object lookup: a caller who cannot see the object gets
    404 from the scoped queryset first, never a 403 that would confirm it exists."""

    message = IsSecretariat.message

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return is_secretariat(request.user)
