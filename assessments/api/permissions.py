"""API roles: secretariat admin (staff), respondent (focal point or invitation), viewer."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

VIEWER_GROUP = "viewers"


def is_secretariat(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def is_viewer(user: Any) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.is_staff or user.groups.filter(name=VIEWER_GROUP).exists())
    )


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
