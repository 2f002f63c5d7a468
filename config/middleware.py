"""Requests refused before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from mechanisms.text import LINE_BREAK, UNSAFE


class UnsafePathMiddleware:
    """A path holding NUL, a line break or another control character names nothing: 404.

    Without this a `%00` reached a view's lookup (`/mechanisms/%00/`), and PostgreSQL's refusal
    of the NUL became a 500, even for an anonymous visitor.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if UNSAFE.search(path) or LINE_BREAK.search(path):
            if path.startswith("/api/"):
                # The API's one error format (config.api_errors).
                return JsonResponse({"detail": _("Not found."), "errors": {}}, status=404)
            raise Http404("The address holds a control character.")
        return self.get_response(request)
