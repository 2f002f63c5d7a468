"""The REST API, version 1, under /api/v1/."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

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

urlpatterns = router.urls
