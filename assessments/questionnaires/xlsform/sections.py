"""Reading, last step: survey entries -> sections (each top-level group is one, each run of
questions outside any group another), question codes, and conditions: a group's `relevant`
applies to each question in it, together with the question's own."""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext as _

from .codes import QUESTION_CODE, question_code
from .common import BUILT_IN_LISTS, MAIN_SECTION_CODE
from .conditions import Test, Unsupported, combine_all, parse_relevant
from .rows import Report
from .survey import SURVEY, Entry

CONDITION_TARGETS = ("single", "multiple", "yes_no", "yes_no_dk")


def assemble(
    entries: list[Entry], form_title: dict[str, str], report: Report
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The sections, and the survey row of each question code (for reporting later checks)."""
    _assign_codes(entries, report)
    sections: list[dict[str, Any]] = []
    group_codes = {entry.section["code"] for entry in entries if entry.section}
    main_number = 0
    open_groups: list[Entry] = []
    current: dict[str, Any] | None = None
    by_name: dict[str, Entry] = {}
    rows: dict[str, int] = {}
    seen_codes: set[str] = set()
    for entry in entries:
        if entry.kind == "begin":
            if open_groups:
                report.warn(
                    SURVEY,
                    entry.row,
                    _("group “%(name)s”") % {"name": entry.name},
                    _("nested groups are not kept: its questions join the enclosing section"),
                )
            else:
                assert entry.section is not None
                current = entry.section
                current["code"] = _section_code(current["code"], seen_codes, len(sections))
                sections.append(current)
            open_groups.append(entry)
        elif entry.kind == "end":
            if open_groups:
                open_groups.pop()
            if not open_groups:
                current = None
        else:
            question = entry.question
            assert question is not None
            if current is None:
                main_number += 1
                code = (
                    MAIN_SECTION_CODE if main_number == 1 else f"{MAIN_SECTION_CODE}_{main_number}"
                )
                while code in group_codes or code in seen_codes:
                    main_number += 1
                    code = f"{MAIN_SECTION_CODE}_{main_number}"
                seen_codes.add(code)
                current = {
                    "code": code,
                    "title": copy.deepcopy(form_title),
                    "per_mechanism": False,
                    "questions": [],
                }
                sections.append(current)
            entry.groups = tuple(id(group) for group in open_groups)
            relevants = _relevants(entry, open_groups, by_name)
            if (relevants and _condition(entry, relevants, by_name, report)) or not relevants:
                current["questions"].append(question)
            by_name[entry.name] = entry
            rows[question["code"]] = entry.row
    return sections, rows


def _section_code(code: str, seen: set[str], position: int) -> str:
    """The group's code, unique (a nameless or repeated group gets a number)."""
    code = code or f"group_{position + 1}"  # an invalid code is reported by the format check
    candidate, number = code, 1
    while candidate in seen:
        number += 1
        candidate = f"{code}_{number}"
    seen.add(candidate)
    return candidate


def _assign_codes(entries: list[Entry], report: Report) -> None:
    """Question codes: the name if it is a valid code, else a lower-case version (reported)."""
    names = [entry.name for entry in entries if entry.question is not None]
    used = {name for name in names if QUESTION_CODE.fullmatch(name) and len(name) <= 64}
    seen: set[str] = set()
    for entry in entries:
        question = entry.question
        if question is None:
            continue
        if entry.name in seen:
            report.refuse(
                SURVEY,
                entry.row,
                _("name “%(name)s”") % {"name": entry.name},
                _("the name is used by an earlier question"),
            )
            continue
        seen.add(entry.name)
        if entry.name in used:
            continue
        code = question_code(entry.name, used) if entry.name else None
        if code is None:
            report.refuse(SURVEY, entry.row, _("name"), _("the question has no usable name"))
            continue
        question["code"] = code
        report.warn(
            SURVEY,
            entry.row,
            _("name “%(name)s”") % {"name": entry.name},
            _("imported under the code “%(code)s” (codes are lower-case letters, digits and _)")
            % {"code": code},
        )


def _relevants(
    entry: Entry, open_groups: list[Entry], by_name: dict[str, Entry]
) -> list[tuple[int, str]]:
    """The `relevant` texts that apply to the question: its groups' and its own. A group's is
    left out when the question's own condition is on a question of that same group: that
    question only shows when the group's condition holds, and a question whose target is hidden
    is hidden too, so the group's condition is already implied."""
    target_groups: tuple[int, ...] = ()
    if entry.relevant:
        try:
            target = by_name.get(parse_relevant(entry.relevant).question)
        except Unsupported:
            target = None  # reported when the condition is read
        target_groups = target.groups if target is not None else ()
    relevants = [
        (group.row, group.relevant)
        for group in open_groups
        if group.relevant and id(group) not in target_groups
    ]
    if entry.relevant:
        relevants.append((entry.row, entry.relevant))
    return relevants


def _condition(
    entry: Entry, relevants: list[tuple[int, str]], by_name: dict[str, Entry], report: Report
) -> bool:
    """Set the question's condition from its own and its groups' `relevant`; False (with the
    refusal reported) when they cannot be held."""
    question = entry.question
    assert question is not None
    try:
        tests = [parse_relevant(text) for _row, text in relevants]
        test = combine_all(tests)
        question["condition"] = _stored(test, entry, by_name)
    except Unsupported as exc:
        row, text = (
            relevants[-1]
            if len(relevants) == 1
            else (entry.row, " and ".join(f"({text})" for _row, text in relevants))
        )
        report.refuse(
            SURVEY,
            row,
            f"relevant “{text}”",
            _(
                "%(reason)s; conditions can be = or != on a choice, selected(), joined by and/or, "
                "or not()"
            )
            % {"reason": exc},
        )
        return False
    return True


def _stored(test: Test, entry: Entry, by_name: dict[str, Entry]) -> dict[str, Any]:
    target = by_name.get(test.question)
    if target is None or target.question is None:
        raise Unsupported(_("“%(name)s” is not an earlier question") % {"name": test.question})
    target_type = target.question["type"]
    if target_type not in CONDITION_TARGETS:
        raise Unsupported(
            _("a condition on “%(name)s” is only possible on a choice question")
            % {"name": test.question}
        )
    codes = _codes_by_name(target)
    if codes is None:  # a registry list: its codes are checked on import
        if not test.values:
            raise Unsupported(
                _(
                    "“is answered” on “%(name)s”, whose choices come from the registry, cannot "
                    "be imported"
                )
                % {"name": test.question}
            )
        values = sorted(test.values)
    else:
        unknown = sorted(value for value in test.values if value not in codes)
        if unknown:
            raise Unsupported(
                _("%(values)s: not choices of “%(name)s”")
                % {"values": ", ".join(unknown), "name": test.question}
            )
        order = list(dict.fromkeys(codes.values()))
        wanted = {codes[value] for value in test.values} if test.values else set(order)
        values = [code for code in order if code in wanted]
    if target_type == "multiple":
        if test.negated:
            raise Unsupported(
                _("“not selected” on the multiple choice question “%(name)s” cannot be imported")
                % {"name": test.question}
            )
        operator = "includes"
    else:
        operator = "not_equals" if test.negated else "equals"
    return {"question": target.question["code"], "operator": operator, "values": values}


def _codes_by_name(target: Entry) -> dict[str, str] | None:
    """The target's choice names (as the form writes them, or stored) -> stored codes; None
    when its choices come from the registry."""
    question = target.question
    assert question is not None
    if question["type"] in BUILT_IN_LISTS:
        return {code: code for code in BUILT_IN_LISTS[question["type"]]}
    if (question.get("choices") or {}).get("source") != "local":
        return None
    codes = {code: code for code in target.codes}
    codes.update({name: code for code, name in target.codes.items()})
    if question.get("other_option"):
        codes.update({"other": "OTHER", "OTHER": "OTHER"})
    return codes
