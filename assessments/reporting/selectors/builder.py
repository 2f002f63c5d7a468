"""The base of the report's tables: the grouped counts of the round (and of the previous one),
read once, and the helpers that group them by mechanism and region."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from assessments.questionnaires.models import Audience
from assessments.rounds.models import SurveyRound

from .common import ALL, NO_REGION
from .labels import Labels, ranked
from .queries import RoundFigures, read_expected_blocks, read_figures, read_mechanisms, read_schemas


class RoundTables:
    """The round's grouped counts (and the previous round's), with the helpers that group them."""

    def __init__(
        self,
        survey_round: SurveyRound,
        previous_round: SurveyRound | None,
        language: str,
    ) -> None:
        self.round = survey_round
        self.previous_round = previous_round
        self.language = language
        self.labels = Labels(read_schemas(survey_round), language)
        round_ids = [survey_round.pk] + ([previous_round.pk] if previous_round else [])
        self.figures, mentioned = read_figures(round_ids)
        self.mechanisms = read_mechanisms(mentioned, language)
        self.expected = read_expected_blocks(survey_round)
        self.current = self.figures[survey_round.pk]
        self.previous = self.figures[previous_round.pk] if previous_round else None

    # grouping helpers

    def region_of(self, about: int | None) -> str:
        if about is None:
            return NO_REGION
        info = self.mechanisms.get(about)
        return (info.region if info else "") or _("(region not recorded)")

    def acronym(self, mechanism_id: int) -> str:
        info = self.mechanisms.get(mechanism_id)
        return info.acronym if info else str(mechanism_id)

    def round_mechanisms(self, figures: RoundFigures) -> list[int]:
        return sorted(figures.mechanism_ids, key=self.acronym)

    def responding_mechanisms(self, figures: RoundFigures) -> list[int]:
        return [
            m
            for m in self.round_mechanisms(figures)
            if figures.submitted.get((Audience.MECHANISM, m))
        ]

    def regions(self, keys: Iterable[str]) -> list[str]:
        """Regions alphabetically, "—" (about no mechanism) last."""
        return sorted(set(keys), key=lambda r: (r == NO_REGION, r.casefold()))

    def ranked(self, code: str, counts: dict[str, int], base: int) -> list[dict[str, Any]]:
        return ranked(
            counts, base, self.labels.order(code), lambda value: self.labels.value(code, value)
        )

    @staticmethod
    def merged(tally: dict[Hashable, Counter], group: str) -> Counter:
        if group != ALL:
            return tally.get(group, Counter())
        total: Counter = Counter()
        for counts in tally.values():
            total.update(counts)
        return total
