"""Middleware of our own: requests refused before any view runs (unsafe paths), and private
pages and downloads never stored by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _

from assessments.access import SESSION_KEY
from mechanisms.text import LINE_BREAK, UNSAFE

# Whatever is answered under these is private whoever asks (an anonymous request is refused
# there, and a refusal must not be cached either).
PRIVATE_PREFIXES = ("/my/", "/respond/", "/jobs/", "/admin/", "/api/", "/accounts/")


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


def is_private(request: HttpRequest) -> bool:
    if request.path.startswith(PRIVATE_PREFIXES):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True  # a signed-in user may see drafts on any page (summaries, dashboards)
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_KEY))


class PrivateNoStoreMiddleware:
    """`Cache-Control: no-store` (and `private`) on every answer to a signed-in user, a session
    holding an invitation link, or a private path; public pages stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_private(request):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
            patch_vary_headers(response, ["Cookie"])
        return response
