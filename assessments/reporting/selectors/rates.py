"""Response rates: by audience, by mechanism and by region."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from assessments.questionnaires.models import Audience
from assessments.rounds.selectors import round_region_rates

from .builder import RoundTables
from .common import ALL, AUDIENCE_LABELS, AUDIENCES, percent
from .queries import RoundFigures


class RateTables(RoundTables):
    """Participation: who was asked and who submitted."""

    def rates_by_audience(self, figures: RoundFigures) -> list[dict[str, Any]]:
        rows = []
        for audience in AUDIENCES:
            total, responded = figures.participants.get(audience, (0, 0))
            rows.append({
                "audience": audience, "label": str(AUDIENCE_LABELS[audience]),
                "participants": total, "responded": responded,
                "percent": percent(responded, total),
            })  # fmt: skip
        total = sum(r["participants"] for r in rows)
        responded = sum(r["responded"] for r in rows)
        rows.append({
            "audience": ALL, "label": _("All participants"), "participants": total,
            "responded": responded, "percent": percent(responded, total),
        })  # fmt: skip
        return rows

    def rates_by_mechanism(self) -> list[dict[str, Any]]:
        rows = []
        for mechanism_id in self.round_mechanisms(self.current):
            states, organizations = self.expected.get(mechanism_id, (0, 0))
            state_blocks = self.current.submitted.get((Audience.STATE, mechanism_id), 0)
            organization_blocks = self.current.submitted.get(
                (Audience.ORGANIZATION, mechanism_id), 0
            )
            rows.append({
                "mechanism": self.acronym(mechanism_id),
                "region": self.region_of(mechanism_id),
                "own_response": bool(self.current.submitted.get((Audience.MECHANISM, mechanism_id))),
                "member_states": states, "state_blocks": state_blocks,
                "state_percent": percent(state_blocks, states),
                "organizations": organizations, "organization_blocks": organization_blocks,
                "organization_percent": percent(organization_blocks, organizations),
            })  # fmt: skip
        return rows

    def rates_by_region(self) -> list[dict[str, Any]]:
        """By region group, with the dashboard's definition and query (round_region_rates)."""
        return [
            {
                "region": region.label, "mechanisms": region.mechanisms,
                "mechanisms_responded": region.mechanisms_submitted,
                "expected": region.expected, "submitted": region.submitted,
                "percent": percent(region.submitted, region.expected),
            }
            for region in round_region_rates(self.round)
        ]  # fmt: skip
