from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from mechanisms.filters import MechanismFilter
from mechanisms.models import Membership
from mechanisms.selectors import mechanism_detail_queryset, mechanism_list, memberships_by_role


def mechanism_list_view(request: HttpRequest) -> HttpResponse:
    filterset = MechanismFilter(request.GET or None, queryset=mechanism_list())
    mechanisms = filterset.qs if filterset.is_bound and filterset.is_valid() else mechanism_list()
    return render(
        request,
        "mechanisms/mechanism_list.html",
        {"filter": filterset, "mechanisms": mechanisms},
    )


def mechanism_detail_view(request: HttpRequest, acronym: str) -> HttpResponse:
    mechanism = get_object_or_404(mechanism_detail_queryset(), acronym=acronym.upper())
    grouped = memberships_by_role(mechanism)
    return render(
        request,
        "mechanisms/mechanism_detail.html",
        {
            "mechanism": mechanism,
            "members": grouped[Membership.Role.MEMBER],
            "observers": grouped[Membership.Role.OBSERVER],
            "chairs": grouped[Membership.Role.CHAIR],
            "secretariats": grouped[Membership.Role.SECRETARIAT],
        },
    )
