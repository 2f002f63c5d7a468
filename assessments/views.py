"""Pages of the respondent's journey."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from assessments.access import remember_invitation
from assessments.services.invitations import (
    InvalidInvitation,
    invitation_from_token,
    invitation_mark_opened,
)


def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation link: remember it in the session, then go to the respondent's home."""
    try:
        invitation = invitation_from_token(token)
    except InvalidInvitation as exc:
        return render(request, "assessments/invalid_link.html", {"reason": str(exc)}, status=403)
    remember_invitation(request, invitation)
    invitation_mark_opened(invitation=invitation)
    return redirect("assessments:home")
