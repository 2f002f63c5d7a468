"""Throttling of the expensive pages (document downloads), with DRF's throttle on Django views.

The API's own throttles are DRF's (REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES); the pages that
lay out a PDF or a Word file get the same per-user (or per-address, for visitors) counting in
Django's cache, at DOCUMENT_THROTTLE_RATE.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from rest_framework.throttling import UserRateThrottle


class DocumentThrottle(UserRateThrottle):
    scope = "documents"

    def get_rate(self) -> str:
        # Read per request (not at import as DRF does), so that the setting may change.
        return settings.DOCUMENT_THROTTLE_RATE


def throttled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """429 with Retry-After once a user or address has asked for too many documents."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle = DocumentThrottle()
        if not throttle.allow_request(request, None):
            wait = int(throttle.wait() or 1)
            response = HttpResponse(
                _("Too many downloads in a short time: try again in %(seconds)d seconds.")
                % {"seconds": wait},
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(wait)
            return response
        return view(request, *args, **kwargs)

    return wrapper
