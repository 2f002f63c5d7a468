"""The report's sections and their tables, drawn from `ReportData`: every output lays out these."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from assessments.reporting.selectors import ReportData
from assessments.rounds.selectors import REGION_RATE_DEFINITION

from .tables import Cell, Numbers, Section, Table, counted, display

GRID_COLUMNS_PER_PART = 7  # added values side by side in the PDF (their labels are long)


def response_tables(data: ReportData) -> list[Table]:
    rate = _("Response rate (%)")
    return [
        Table(
            "rates_audience", _("Response rates by audience"), _("Rates by audience"),
            [_("Audience"), _("Participants"), _("With a submitted response"), rate],
            [[r["label"], r["participants"], r["responded"], r["percent"]]
             for r in data.response_rates_by_audience],
        ),
        Table(
            "rates_region", _("Response rates by region group"), _("Rates by region group"),
            [_("Region group"), _("Mechanisms"), _("Mechanisms responding"), _("Expected responses"),
             _("Submitted responses"), rate],
            [[r["region"], r["mechanisms"], r["mechanisms_responded"], r["expected"],
              r["submitted"], r["percent"]] for r in data.response_rates_by_region],
            note=str(REGION_RATE_DEFINITION),
        ),
        Table(
            "rates_mechanism", _("Response rates by mechanism"), _("Rates by mechanism"),
            [_("Mechanism"), _("Region"), _("Own response submitted"),
             _("Member States in the round"), _("State blocks submitted"), _("States (%)"),
             _("Organizations in the round"), _("Organization blocks submitted"),
             _("Organizations (%)")],
            [[r["mechanism"], r["region"], _("Yes") if r["own_response"] else _("No"),
              r["member_states"], r["state_blocks"], r["state_percent"], r["organizations"],
              r["organization_blocks"], r["organization_percent"]]
             for r in data.response_rates_by_mechanism],
        ),
    ]  # fmt: skip


def not_responding_note(names: list[str]) -> str:
    if not names:
        return ""
    return _("No submitted response from: %(names)s.") % {"names": ", ".join(names)}


def thematic_tables(data: ReportData, *, printed: bool = False) -> list[Table]:
    matrix = data.thematic_matrix
    if printed:
        return [thematic_list_table(data)]
    rows: list[list[Cell]] = [
        [area["label"], *("✓" if cell else "" for cell in area["cells"]), area["mechanisms"]]
        for area in matrix["areas"]
    ]
    rows.append([_("Thematic areas per mechanism"), *matrix["areas_per_mechanism"], None])
    return [
        Table(
            "thematic_matrix", _("Thematic matrix: current thematic areas by mechanism"),
            _("Thematic matrix"), [_("Thematic area"), *matrix["mechanisms"], _("Mechanisms")],
            rows, note=not_responding_note(matrix["not_responding"]),
        )
    ]  # fmt: skip


def thematic_list_table(data: ReportData) -> Table:
    """The matrix for print: each area with the acronyms of its mechanisms, rather than a
    column per mechanism (2,000 cells over four parts for 60 mechanisms: WeasyPrint lays out
    about a thousand cells a second). The chart above it draws the same matrix."""
    matrix = data.thematic_matrix
    rows: list[list[Cell]] = [
        [
            area["label"],
            area["mechanisms"],
            ", ".join(
                m for m, ticked in zip(matrix["mechanisms"], area["cells"], strict=True) if ticked
            )
            or None,
        ]
        for area in matrix["areas"]
    ]
    per_mechanism = zip(matrix["mechanisms"], matrix["areas_per_mechanism"], strict=True)
    rows.append(
        [
            _("Thematic areas per mechanism"),
            None,
            ", ".join(f"{m} ({n})" for m, n in per_mechanism) or None,
        ]
    )
    return Table(
        "thematic_matrix", _("Thematic matrix: current thematic areas by mechanism"),
        _("Thematic matrix"),
        [_("Thematic area"), _("Mechanisms"), _("Mechanisms with this thematic area")],
        rows, note=not_responding_note(matrix["not_responding"]),
    )  # fmt: skip


def contribution_tables(data: ReportData) -> list[Table]:
    return [
        Table(
            "contribution", _("Contribution to migration governance by level"),
            _("Contribution by level"),
            [_("Level"), _("Respondents"), _("Answered"), _("Yes"), _("No"), _("Don't know"),
             _("Reporting a contribution (%)"), _("Most frequent kinds")],
            [[r["level_label"], r["audience_label"], r["answered"], r["yes"], r["no"],
              r["dont_know"], r["percent"], counted(r["top_kinds"])] for r in data.contribution],
            stub=2,
        )
    ]  # fmt: skip


def structure_tables(data: ReportData) -> list[Table]:
    headers = {
        "chair_model": _("Chair model"), "chair_rotation": _("Chair rotation"),
        "secretariat_type": _("Secretariat"), "funding_sources": _("Funding sources"),
        "meeting_frequency": _("Meeting frequency"),
    }  # fmt: skip
    codes = [column["code"] for column in data.structures["columns"]]
    return [
        Table(
            "structures", _("Structures across mechanisms"), _("Structures"),
            [_("Mechanism"), _("Region"), *(headers.get(code, code) for code in codes)],
            [[r["mechanism"], r["region"], *("; ".join(r["values"][code]) or None for code in codes)]
             for r in data.structures["rows"]],
            note=not_responding_note(data.structures["not_responding"]),
        )
    ]  # fmt: skip


def partnership_tables(data: ReportData) -> list[Table]:
    return [
        Table(
            "partner_kinds", _("Partner kinds engaged by the mechanisms"), _("Partner kinds"),
            [_("Partner kind"), _("Mechanisms"), _("Mechanisms answering"), _("Share (%)"),
             _("Most frequent roles")],
            [[r["label"], r["mechanisms"], r["base"], r["percent"], counted(r["roles"])]
             for r in data.partner_kinds],
        )
    ]  # fmt: skip


def added_value_tables(data: ReportData, *, printed: bool = False) -> list[Table]:
    value = data.added_value
    columns = [_("Rank"), _("Added value"), _("Respondents naming it"), _("Share (%)")]
    overall = Table(
        "added_value", _("Added value, ranked (all respondents, n = %(n)s)") % {"n": value["base"]},
        _("Added value"), columns,
        [[r["rank"], r["label"], r["count"], r["percent"]] for r in value["overall"]], stub=2,
    )  # fmt: skip
    if printed:
        by_audience = [(g["label"], g["base"], g["rows"]) for g in value["by_audience"]]
        by_region = [(g["region"], g["base"], g["rows"]) for g in value["by_region"]]
        return [
            overall,
            added_value_grid("added_value_audience", _("Added value by audience"), _("Audience"),
                             by_audience, value["overall"]),
            added_value_grid("added_value_region", _("Added value by region"), _("Region"),
                             by_region, value["overall"]),
        ]  # fmt: skip
    return [
        overall,
        Table(
            "added_value_audience", _("Added value, ranked by audience"),
            _("Added value by audience"), [_("Audience"), _("Respondents answering"), *columns],
            [[group["label"], group["base"], r["rank"], r["label"], r["count"], r["percent"]]
             for group in value["by_audience"] for r in group["rows"]], stub=1,
        ),
        Table(
            "added_value_region", _("Added value, ranked by region"), _("Added value by region"),
            [_("Region"), _("Respondents answering"), *columns],
            [[group["region"], group["base"], r["rank"], r["label"], r["count"], r["percent"]]
             for group in value["by_region"] for r in group["rows"]], stub=1,
        ),
    ]  # fmt: skip


def added_value_grid(
    key: str,
    title: str,
    stub: str,
    groups: list[tuple[str, int, list[dict[str, Any]]]],
    overall: list[dict[str, Any]],
) -> Table:
    """Added value by audience or region for print: a row per group and a column per added
    value, in the overall ranking's order, rather than a row per group and added value (500
    rows over 17 pages for 37 regions). Each cell: respondents naming it (their share, %)."""
    labels = {r["code"]: r["label"] for r in overall}
    for _group, _base, rows in groups:
        labels.update((r["code"], r["label"]) for r in rows if r["code"] not in labels)
    grid: list[list[Cell]] = []
    for group, base, rows in groups:
        # A no-break space: a count never parts from its share.
        named = {r["code"]: Numbers(f"{r['count']}\u00a0({display(r['percent'])})") for r in rows}
        # An added value none of the group's respondents named is not among its rows.
        none = Numbers(f"0\u00a0({display(0.0)})") if base else None
        grid.append([group, base, *(named.get(code, none) for code in labels)])
    return Table(
        key, title, title, [stub, _("Respondents answering"), *labels.values()], grid, stub=2,
        per_part=GRID_COLUMNS_PER_PART,
        note=_("Added values in the order of the overall ranking. Each cell: the respondents "
               "naming it and, in brackets, their share (%) of the respondents answering."),
    )  # fmt: skip


def comparison_tables(data: ReportData) -> list[Table]:
    comparison = data.comparison
    if comparison is None:
        return []
    before, now = comparison["previous_round"], data.round_name
    change = _("Change (points)")
    shifts = lambda items: "; ".join(f"{i['label']} ({i['change']:+.1f})" for i in items)  # noqa: E731
    listed = lambda items: None if items is None else ("; ".join(items) or "—")  # noqa: E731
    return [
        Table(
            "compare_rates", _("Comparison: response rates by audience"), _("Compare rates"),
            [_("Audience"), _("Participants"), _("Responding"), _("Rate (%)"), _("Participants"),
             _("Responding"), _("Rate (%)"), change],
            [[r["label"], r["previous_participants"], r["previous_responded"],
              r["previous_percent"], r["participants"], r["responded"], r["percent"], r["change"]]
             for r in comparison["response_rates"]],
            groups=[(before, 3), (now, 3), ("", 1)],
        ),
        Table(
            "compare_mechanisms", _("Comparison by mechanism"), _("Compare mechanisms"),
            [_("Mechanism"), _("Thematic areas added"), _("Thematic areas dropped"),
             _("Contribution reported, %(round)s (%%)") % {"round": before},
             _("Contribution reported, %(round)s (%%)") % {"round": now}, change,
             _("Added value shifts (points)")],
            [[r["mechanism"], listed(r["themes_added"]), listed(r["themes_dropped"]),
              r["contribution_previous"], r["contribution_current"], r["contribution_change"],
              shifts(r["added_value_shifts"]) or None] for r in comparison["mechanisms"]],
            note=_("Thematic areas are compared only for mechanisms that answered in both rounds "
                   "(“—” otherwise)."),
        ),
        Table(
            "compare_contribution", _("Comparison: contribution reported by level"),
            _("Compare contribution"),
            [_("Level"), f"{before} (%)", f"{now} (%)", change],
            [[r["level_label"], r["previous"], r["current"], r["change"]]
             for r in comparison["contribution_levels"]],
        ),
        Table(
            "compare_added_value", _("Comparison: added value (share of respondents)"),
            _("Compare added value"),
            [_("Added value"), f"{before} (%)", f"{now} (%)", change],
            [[r["label"], r["previous"], r["current"], r["change"]]
             for r in comparison["added_value"]],
        ),
    ]  # fmt: skip


def frequency_table(frequency: dict[str, Any]) -> Table:
    groups = frequency["groups"]
    columns = [_("Answer")]
    for _group in groups:
        columns += [_("n"), "%"]
    rows = []
    for row in frequency["rows"]:
        cells: list[Cell] = [row["label"]]
        for n, share in zip(row["counts"], row["percents"], strict=True):
            cells += [n, share]
        rows.append(cells)
    return Table(
        f"frequency_{frequency['code']}",
        f"{frequency['question']} ({frequency['code']})",
        f"F {frequency['code']}",
        columns,
        rows,
        groups=[(f"{g['label']} (n = {g['base']})", 2) for g in groups],
    )


def report_sections(data: ReportData, *, printed: bool = False) -> list[Section]:
    """Every section; `printed` (the PDF): the frequency appendix's title and a note saying where
    its tables are instead of the tables, and the compact thematic and added value tables."""
    with translation.override(data.language):
        sections = [
            Section("response_rates", _("Response rates"), response_tables(data),
                    "response_rates", _("Response rates by audience and by region")),
            Section("thematic_focus", _("Thematic focus"), thematic_tables(data, printed=printed),
                    "thematic_matrix", _("Thematic matrix (mechanisms by thematic area)")),
            Section("contribution", _("Contribution by level"), contribution_tables(data)),
            Section("structures", _("Structures"), structure_tables(data)),
            Section("partnerships", _("Partnerships"), partnership_tables(data)),
            Section("added_value", _("Added value"), added_value_tables(data, printed=printed),
                    "added_value", _("Added value, ranked (share of respondents)")),
        ]  # fmt: skip
        if data.comparison is not None:
            sections.append(
                Section(
                    "comparison",
                    _("Comparison with %(round)s") % {"round": data.comparison["previous_round"]},
                    comparison_tables(data),
                )
            )
        title = _("Frequency tables of every closed question")
        if printed:
            sections.append(Section("frequencies", title, [], note=frequencies_elsewhere()))
        else:
            sections.append(
                Section("frequencies", title, [frequency_table(f) for f in data.frequencies])
            )
    return sections


def frequencies_elsewhere() -> str:
    return _(
        "The frequency tables of every closed question are not printed in this PDF. They are "
        "in the other files of this report: the workbook (XLSX), the HTML version and the Word "
        "document."
    )


def report_tables(data: ReportData, *, printed: bool = False) -> list[Table]:
    return [table for section in report_sections(data, printed=printed) for table in section.tables]
