"""The comparison with the previous round: response rates, themes, contribution and added value."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Any

from django.utils.translation import gettext as _

from .answers import AnswerTables
from .common import ALL, LEVEL_LABELS, LEVELS, percent, points
from .queries import RoundFigures
from .rates import RateTables


class ComparisonTables(RateTables, AnswerTables):
    """The changes since the previous round, when one is given."""

    def contribution_shares(self, figures: RoundFigures) -> dict[Hashable, tuple[int, int]]:
        """(about mechanism or ALL) -> (yes, answered) over the five levels, every audience."""
        result: dict[Hashable, list[int]] = defaultdict(lambda: [0, 0])
        for level in LEVELS:
            for _kind, about, _row, value, n in figures.answers.values.get(
                f"contribution_{level}", ()
            ):
                for key in (about, ALL):
                    if key is None:
                        continue
                    result[key][1] += n
                    if value == "yes":
                        result[key][0] += n
        return {key: (yes, answered) for key, (yes, answered) in result.items()}

    def added_value_shares(
        self, figures: RoundFigures, group_of: Callable[[str, int | None], Hashable]
    ) -> dict[Hashable, dict[str, float | None]]:
        tally = figures.answers.tally("added_value", group_of)
        bases = figures.answers.bases("added_value", group_of)
        return {
            group: {value: percent(n, base) for (_row, value), n in tally.get(group, {}).items()}
            for group, base in bases.items()
        }

    def shifts(
        self, current: dict[str, float | None] | None, previous: dict[str, float | None] | None
    ) -> list[dict[str, Any]]:
        """Change of each added value's share (points), largest first; only when both rounds
        have answers."""
        if current is None or previous is None:
            return []
        order = self.labels.order("added_value")
        rows = []
        for value in set(current) | set(previous):
            now, before = current.get(value) or 0.0, previous.get(value) or 0.0
            if now != before:
                rows.append({
                    "code": value, "label": self.labels.value("added_value", value),
                    "previous": before, "current": now, "change": round(now - before, 1),
                })  # fmt: skip
        rows.sort(key=lambda r: (-abs(r["change"]), -r["change"], order.get(r["code"], 99)))
        return rows

    def comparison(self, rates: list[dict[str, Any]]) -> dict[str, Any] | None:
        if self.previous is None:
            return None
        previous_rates = {r["audience"]: r for r in self.rates_by_audience(self.previous)}
        response_rates = [
            {
                "audience": r["audience"], "label": r["label"],
                "previous_participants": previous_rates[r["audience"]]["participants"],
                "previous_responded": previous_rates[r["audience"]]["responded"],
                "previous_percent": previous_rates[r["audience"]]["percent"],
                "participants": r["participants"], "responded": r["responded"],
                "percent": r["percent"], "change": points(r["percent"], previous_rates[r["audience"]]["percent"]),
            }
            for r in rates
        ]  # fmt: skip
        themes_now, themes_before = self.themes(self.current), self.themes(self.previous)
        shares_now = self.contribution_shares(self.current)
        shares_before = self.contribution_shares(self.previous)
        per_mechanism = lambda kind, about: about  # noqa: E731
        value_now = self.added_value_shares(self.current, per_mechanism)
        value_before = self.added_value_shares(self.previous, per_mechanism)
        overall = lambda kind, about: ALL  # noqa: E731
        value_now.update(self.added_value_shares(self.current, overall))
        value_before.update(self.added_value_shares(self.previous, overall))
        mechanisms = sorted(
            set(self.responding_mechanisms(self.current))
            | set(self.responding_mechanisms(self.previous)),
            key=self.acronym,
        )
        order = self.labels.order("thematic_areas_current")

        def label(codes: set[str]) -> list[str]:
            ordered = sorted(codes, key=lambda c: (order.get(c, len(order)), c))
            return [self.labels.value("thematic_areas_current", c) for c in ordered]

        rows = []
        for key in [*mechanisms, ALL]:
            if key == ALL:
                now = set().union(*themes_now.values()) if themes_now else set()
                before = set().union(*themes_before.values()) if themes_before else set()
                comparable = bool(themes_now) and bool(themes_before)
            else:
                now, before = themes_now.get(key, set()), themes_before.get(key, set())
                comparable = key in themes_now and key in themes_before
            share_now = percent(*shares_now.get(key, (0, 0)))
            share_before = percent(*shares_before.get(key, (0, 0)))
            rows.append({
                "mechanism": _("All mechanisms") if key == ALL else self.acronym(key),
                "key": key if key == ALL else self.acronym(key),
                "in_both_rounds": comparable,
                "themes_added": label(now - before) if comparable else None,
                "themes_dropped": label(before - now) if comparable else None,
                "contribution_previous": share_before, "contribution_current": share_now,
                "contribution_change": points(share_now, share_before),
                "added_value_shifts": self.shifts(value_now.get(key), value_before.get(key)),
            })  # fmt: skip
        contribution_levels = []
        now_rows = {(r["level"], r["audience"]): r for r in self.contribution()}
        before_levels = self.level_shares(self.previous)
        for level in LEVELS:
            current = now_rows[(level, ALL)]["percent"]
            contribution_levels.append({
                "level": level, "level_label": str(LEVEL_LABELS[level]),
                "previous": before_levels.get(level), "current": current,
                "change": points(current, before_levels.get(level)),
            })  # fmt: skip
        return {
            "previous_round": self.previous_round.name if self.previous_round else "",
            "response_rates": response_rates,
            "mechanisms": rows,
            "contribution_levels": contribution_levels,
            "added_value": self.shifts(value_now.get(ALL), value_before.get(ALL)),
        }

    def level_shares(self, figures: RoundFigures) -> dict[str, float | None]:
        shares = {}
        for level in LEVELS:
            counts = self.merged(
                figures.answers.tally(f"contribution_{level}", lambda k, a: k), ALL
            )
            shares[level] = percent(counts[("", "yes")], sum(counts.values()))
        return shares
