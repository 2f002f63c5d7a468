"""Fixtures of the API tests: the world (registry, rounds, users) built once per module, a client
per role, and respondent A's own response."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from assessments.responses import services as response_services
from assessments.responses.models import Response
from mechanisms.services import load_reference_data
from tests.factories import (
    api_world,
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> SimpleNamespace:
    """The registry, rounds and users, built once for the module (about a second and a half)
    inside a transaction rolled back at its end. Each test still runs in its own savepoint (the
    `db` fixture), so what one test writes is gone before the next."""
    from django.conf import settings

    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data(settings.REFERENCE_DATA_DIR)
        yield api_world()
        transaction.set_rollback(True)


@pytest.fixture
def api(db, world) -> Callable[[str], APIClient]:
    """A client per role: session authentication for people, a token for `respondent_token`."""

    def client_for(role: str) -> APIClient:
        client = APIClient()
        if role == "respondent_token":
            client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['respondent']}")
        elif role != "anonymous":
            client.force_login(world.users[role])
        return client

    return client_for


@pytest.fixture
def own_response(db, world) -> Response:
    """Respondent A's (Mexico's) response to the once-answered sections, with the one required
    answer given, so that it can be submitted."""
    response = response_services.response_get_or_create(participant=world.participant_a)
    response, _ = response_services.response_save_answers(
        response=response, answers={"institution": "Instituto Nacional de Migración"},
        expected_version=1,
    )  # fmt: skip
    return response
