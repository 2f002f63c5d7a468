"""What the API tests share: the base path, the one error format, and the calls and objects
several of them make."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.services import questionnaire_new_version
from assessments.responses import services as response_services
from assessments.responses.models import Response
from assessments.rounds.models import RoundParticipant

API = "/api/v1"


def assert_error(answer: Any, status: int, *fields: str) -> dict:
    """`answer` has `status` and the one error format, with errors on `fields`."""
    assert answer.status_code == status, answer.content
    body = answer.json()
    assert {"detail", "errors"} <= set(body), body
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    for field in fields:
        assert body["errors"].get(field), body
    return body


def reread(response: Response) -> Response:
    return Response.objects.get(pk=response.pk)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    data: dict | None = None


def submitted(response: Response) -> Response:
    return response_services.response_submit(response=response)


def draft_questionnaire(world: SimpleNamespace) -> Questionnaire:
    return questionnaire_new_version(questionnaire=world.questionnaires["state"])


def create_call(world: SimpleNamespace, participant: RoundParticipant) -> Call:
    data = {"round": world.open_round.slug, "participant": participant.pk}
    return Call("post", f"{API}/responses/", data)


def new_round_data(world: SimpleNamespace, slug: str = "round-2027") -> dict:
    return {
        "name": "Survey 2027", "slug": slug, "year": 2027, "opens_on": "2027-03-01",
        "closes_on": "2027-06-30", "reminder_days": [7],
        **{f"questionnaire_{a}": q.pk for a, q in world.questionnaires.items()},
    }  # fmt: skip
