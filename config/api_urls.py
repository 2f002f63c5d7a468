"""The REST API, version 1, under /api/v1/."""

from __future__ import annotations

from django.urls import re_path
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from assessments.api.documents import JobViewSet, SummaryViewSet
from assessments.api.views import QuestionnaireViewSet, ResponseViewSet, RoundViewSet
from mechanisms.api.views import (
    MechanismViewSet,
    MembershipViewSet,
    OrganizationViewSet,
    StateViewSet,
)

router = DefaultRouter()
router.register("mechanisms", MechanismViewSet, basename="mechanism")
router.register("states", StateViewSet, basename="state")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("rounds", RoundViewSet, basename="round")
router.register("questionnaires", QuestionnaireViewSet, basename="questionnaire")
router.register("responses", ResponseViewSet, basename="response")
router.register("summaries", SummaryViewSet, basename="summary")
router.register("jobs", JobViewSet, basename="job")


class NotFoundApi(APIView):
    """Any other path under /api/v1/ (a slug with characters no slug has, a mistyped
    collection): the API's 404 in its error format rather than Django's HTML page."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    schema = None  # not an operation of the schema

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        raise NotFound()


urlpatterns = [*router.urls, re_path(r"^.*$", NotFoundApi.as_view())]
