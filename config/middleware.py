"""Private pages and downloads are never stored by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from assessments.access import SESSION_KEY

# Whatever is answered under these is private whoever asks (an anonymous request is refused
# there, and a refusal must not be cached either).
PRIVATE_PREFIXES = ("/my/", "/respond/", "/jobs/", "/admin/", "/api/", "/accounts/")


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
