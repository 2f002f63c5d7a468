"""The tables of the answers: thematic focus, contribution, structures, partnerships, added
value and the frequencies of every closed question."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from typing import Any

from django.utils.translation import gettext as _

from assessments.questionnaires.models import Audience

from .builder import RoundTables
from .common import (
    ALL,
    AUDIENCE_LABELS,
    AUDIENCES,
    CLOSED_TYPES,
    LEVEL_LABELS,
    LEVELS,
    STRUCTURE_CODES,
    TOP_KINDS,
    percent,
)
from .labels import ranked
from .queries import RoundFigures


class AnswerTables(RoundTables):
    """What the submitted answers say, question by question."""

    # thematic focus

    def themes(self, figures: RoundFigures) -> dict[int, set[str]]:
        """Mechanism id -> its current thematic areas, from its own submitted response."""
        result: dict[int, set[str]] = defaultdict(set)
        for kind, about, _row, value, n in figures.answers.values.get("thematic_areas_current", ()):
            if kind == Audience.MECHANISM and about is not None and n:
                result[about].add(value)
        return result

    def thematic_matrix(self) -> dict[str, Any]:
        mechanisms = self.responding_mechanisms(self.current)
        themes = self.themes(self.current)
        areas = []
        for _row, code in self.labels.option_codes("thematic_areas_current"):
            cells = [code in themes.get(m, set()) for m in mechanisms]
            areas.append({
                "code": code, "label": self.labels.value("thematic_areas_current", code),
                "cells": cells, "mechanisms": sum(cells),
            })  # fmt: skip
        return {
            "mechanisms": [self.acronym(m) for m in mechanisms],
            "areas_per_mechanism": [len(themes.get(m, ())) for m in mechanisms],
            "areas": areas,
            "not_responding": self.not_responding(),
        }

    def not_responding(self) -> list[str]:
        responding = set(self.responding_mechanisms(self.current))
        return [self.acronym(m) for m in self.round_mechanisms(self.current) if m not in responding]

    # contribution

    def contribution(self) -> list[dict[str, Any]]:
        answers = self.current.answers
        rows = []
        for level in LEVELS:
            code = f"contribution_{level}"
            tally = answers.tally(code, lambda kind, about: kind)
            kinds = answers.tally(f"{code}_types", lambda kind, about: kind)
            for audience in (*AUDIENCES, ALL):
                counts = self.merged(tally, audience)
                kind_counts = self.merged(kinds, audience)
                answered = sum(counts.values())
                top = self.ranked(
                    f"{code}_types",
                    {value: n for (_row, value), n in kind_counts.items()},
                    counts[("", "yes")],
                )[:TOP_KINDS]
                rows.append({
                    "level": level, "level_label": str(LEVEL_LABELS[level]),
                    "audience": audience,
                    "audience_label": str(AUDIENCE_LABELS[audience]) if audience != ALL else _("All respondents"),
                    "answered": answered, "yes": counts[("", "yes")], "no": counts[("", "no")],
                    "dont_know": counts[("", "dk")], "percent": percent(counts[("", "yes")], answered),
                    "top_kinds": [{"label": t["label"], "count": t["count"]} for t in top],
                })  # fmt: skip
        return rows

    # structures and partnerships

    def structures(self) -> dict[str, Any]:
        answers = self.current.answers
        columns = [{"code": code, "label": self.labels.question(code)} for code in STRUCTURE_CODES]
        per_code = {
            code: answers.tally(
                code, lambda kind, about: about if kind == Audience.MECHANISM else None
            )
            for code in STRUCTURE_CODES
        }
        rows = []
        for mechanism_id in self.responding_mechanisms(self.current):
            values = {}
            for code in STRUCTURE_CODES:
                chosen = per_code[code].get(mechanism_id, Counter())
                order = self.labels.order(code)
                codes = sorted(
                    (value for (_row, value), n in chosen.items() if n),
                    key=lambda v: (order.get(v, len(order)), v),
                )
                values[code] = [self.labels.value(code, v) for v in codes]
            rows.append({
                "mechanism": self.acronym(mechanism_id), "region": self.region_of(mechanism_id),
                "values": values,
            })  # fmt: skip
        return {"columns": columns, "rows": rows, "not_responding": self.not_responding()}

    def partner_kinds(self) -> list[dict[str, Any]]:
        answers = self.current.answers
        mechanisms_only = lambda kind, about: ALL if kind == Audience.MECHANISM else None  # noqa: E731
        kinds = answers.tally("partner_types", mechanisms_only).get(ALL, Counter())
        roles = answers.tally("partner_roles", mechanisms_only).get(ALL, Counter())
        base = answers.bases("partner_types", mechanisms_only).get(ALL, 0)
        order = self.labels.order("partner_types")
        codes = [value for _row, value in self.labels.option_codes("partner_types")]
        codes += sorted({value for (_row, value) in kinds} - set(codes))
        codes.sort(key=lambda c: (-kinds[("", c)], order.get(c, len(order))))
        spec = self.labels.spec("partner_roles")
        column_order = {c: i for i, c in enumerate(spec.column_codes if spec else ())}
        rows = []
        for code in codes:
            role_counts = {column: n for (row, column), n in roles.items() if row == code}
            top = ranked(role_counts, kinds[("", code)], column_order, self.role_label)
            rows.append({
                "code": code, "label": self.labels.value("partner_types", code),
                "mechanisms": kinds[("", code)], "base": base,
                "percent": percent(kinds[("", code)], base),
                "roles": [{"label": t["label"], "count": t["count"]} for t in top],
            })  # fmt: skip
        return rows

    def role_label(self, column: str) -> str:
        spec = self.labels.spec("partner_roles")
        return self.labels.column(spec, column) if spec else column

    # added value

    def added_value(self) -> dict[str, Any]:
        answers = self.current.answers
        code = "added_value"

        def ranking(group_of: Callable[[str, int | None], Hashable]) -> dict[Hashable, list]:
            tally = answers.tally(code, group_of)
            bases = answers.bases(code, group_of)
            return {
                group: self.ranked(
                    code,
                    {value: n for (_row, value), n in tally.get(group, Counter()).items()},
                    base,
                )
                for group, base in bases.items()
            }

        by_audience = ranking(lambda kind, about: kind)
        by_region = ranking(lambda kind, about: self.region_of(about))
        bases_audience = answers.bases(code, lambda kind, about: kind)
        bases_region = answers.bases(code, lambda kind, about: self.region_of(about))
        overall = ranking(lambda kind, about: ALL)
        return {
            "overall": overall.get(ALL, []),
            "base": answers.bases(code, lambda kind, about: ALL).get(ALL, 0),
            "by_audience": [
                {
                    "audience": a,
                    "label": str(AUDIENCE_LABELS[a]),
                    "base": bases_audience.get(a, 0),
                    "rows": by_audience.get(a, []),
                }
                for a in self.labels.audiences_asking(code)
            ],
            "by_region": [
                {"region": r, "base": bases_region[r], "rows": by_region.get(r, [])}
                for r in self.regions(bases_region)
            ],
        }

    # frequencies

    def closed_codes(self) -> list[str]:
        codes: list[str] = []
        for audience in AUDIENCES:
            for spec in self.labels.schemas[audience].questions.values():
                if spec.type in CLOSED_TYPES and spec.code not in codes:
                    codes.append(spec.code)
        return codes

    def frequency(self, code: str) -> dict[str, Any]:
        answers = self.current.answers
        groupings: list[tuple[str, Callable[[str, int | None], Hashable]]] = [
            ("all", lambda kind, about: ALL),
            ("audience", lambda kind, about: kind),
            ("region", lambda kind, about: self.region_of(about)),
        ]
        groups, columns = [], []
        for grouping, group_of in groupings:
            tally = answers.tally(code, group_of)
            bases = answers.bases(code, group_of)
            if grouping == "all":
                keys = [ALL]
            elif grouping == "audience":
                keys = self.labels.audiences_asking(code)
            else:
                keys = self.regions(k for k, n in bases.items() if n)
            for key in keys:
                label = {
                    "all": _("All respondents"),
                    "audience": str(AUDIENCE_LABELS.get(key, key)),
                    "region": key,
                }[grouping]
                groups.append(
                    {"kind": grouping, "key": key, "label": label, "base": bases.get(key, 0)}
                )
                columns.append(tally.get(key, Counter()))
        options = self.labels.option_codes(code)
        found = {option for counts in columns for option in counts}
        options += sorted(found - set(options))
        rows = [
            {
                "row": row, "code": value, "label": self.labels.value(code, value, row),
                "counts": [counts[(row, value)] for counts in columns],
                "percents": [percent(counts[(row, value)], g["base"]) for counts, g in zip(columns, groups, strict=True)],
            }
            for row, value in options
        ]  # fmt: skip
        spec = self.labels.spec(code)
        return {
            "code": code, "question": self.labels.question(code),
            "type": spec.type if spec else "", "groups": groups, "rows": rows,
        }  # fmt: skip
