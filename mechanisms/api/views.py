from __future__ import annotations

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from config.api_errors import ErrorSerializer
from mechanisms.api.serializers import (
    MechanismDetailSerializer,
    MechanismSerializer,
    MembershipSerializer,
    OrganizationSerializer,
    StateSerializer,
)
from mechanisms.filters import MechanismFilter
from mechanisms.models import Membership, Organization, State
from mechanisms.selectors import mechanism_list

# Public, but a request with a bad token still gets 401; a page past the end gets 404.
LIST_ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 404: ErrorSerializer}
NOT_FOUND = {401: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(summary="List mechanisms", responses={200: MechanismSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="One mechanism with its current members, observers, chair and secretariat", responses={200: MechanismDetailSerializer, **NOT_FOUND}),
)  # fmt: skip
class MechanismViewSet(viewsets.ReadOnlyModelViewSet):
    """The registry of mechanisms: public, read-only."""

    permission_classes = [AllowAny]
    lookup_field = "acronym"
    lookup_value_regex = "[A-Za-z0-9-]+"
    filterset_class = MechanismFilter
    search_fields = ["acronym", "name", "name_fr", "name_es"]
    ordering_fields = ["acronym", "name", "established", "member_count"]
    ordering = ["acronym"]

    def get_queryset(self) -> QuerySet:
        queryset = mechanism_list().prefetch_related("thematic_areas")
        if self.action == "retrieve":
            memberships = Membership.objects.current().select_related(
                "state", "organization", "mechanism"
            )
            queryset = queryset.prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=memberships.order_by("role", "pk"),
                    to_attr="current_memberships",
                )
            )
        return queryset

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()

    def get_serializer_class(self) -> type:
        return MechanismDetailSerializer if self.action == "retrieve" else MechanismSerializer


@extend_schema_view(
    list=extend_schema(summary="List States", responses={200: StateSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="One State", responses={200: StateSerializer, **NOT_FOUND}),
)  # fmt: skip
class StateViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = StateSerializer
    queryset = State.objects.order_by("country")
    ordering_fields = ["country"]
    filterset_fields = ["country"]


@extend_schema_view(
    list=extend_schema(summary="List organizations", responses={200: OrganizationSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="One organization", responses={200: OrganizationSerializer, **NOT_FOUND}),
)  # fmt: skip
class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = OrganizationSerializer
    queryset = Organization.objects.order_by("acronym")
    search_fields = ["acronym", "name"]
    ordering_fields = ["acronym", "name"]
    filterset_fields = ["kind"]


class MembershipFilter(django_filters.FilterSet):
    mechanism = django_filters.CharFilter(field_name="mechanism__acronym", lookup_expr="iexact")
    state = django_filters.CharFilter(field_name="state__country", lookup_expr="iexact")
    organization = django_filters.CharFilter(
        field_name="organization__acronym", lookup_expr="iexact"
    )
    role = django_filters.ChoiceFilter(choices=Membership.Role.choices)

    class Meta:
        model = Membership
        fields = ["mechanism", "state", "organization", "role"]


@extend_schema_view(
    list=extend_schema(summary="List memberships", responses={200: MembershipSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="One membership", responses={200: MembershipSerializer, **NOT_FOUND}),
)  # fmt: skip
class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = MembershipSerializer
    queryset = Membership.objects.select_related("mechanism", "state", "organization").order_by(
        "pk"
    )
    filterset_class = MembershipFilter
    ordering_fields = ["pk", "start_date"]
