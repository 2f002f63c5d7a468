"""The secretariat's admin for rounds, participants, focal points, invitations and
notifications. Every change of state goes through the services, so the rules live in
one place; their ValidationErrors become error messages.
"""

from __future__ import annotations

from assessments.rounds.admin import focal_point_import, invitations, participants, rounds
from assessments.rounds.admin.common import PARTY_FIELDS, PARTY_SELECT, error_text, run_each

__all__ = [
    "PARTY_FIELDS",
    "PARTY_SELECT",
    "error_text",
    "focal_point_import",
    "invitations",
    "participants",
    "rounds",
    "run_each",
]
