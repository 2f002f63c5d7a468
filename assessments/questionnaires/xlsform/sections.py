"""Reading, last step: survey entries -> sections (each top-level group is one, each run of
questions outside any group another), question codes, and conditions: a group's `relevant`
applies to each question in it, together with the question's own."""

from __future__ import annotations

import copy
import re
from typing import Any

from django.utils.translation import gettext as _

from assessments.questionnaires.conditions import (
    MAX_DEPTH,
    MAX_TESTS,
    NUMBER_TEXT,
    depth_of,
    tests_in,
)

from .codes import QUESTION_CODE, question_code
from .common import BUILT_IN_LISTS, MAIN_SECTION_CODE, NUMBER_TYPES
from .conditions import AllOf, Node, Test, Unsupported, all_of, parse_relevant, questions_of
from .rows import Report
from .survey import SURVEY, Entry

CONDITION_TARGETS = ("single", "multiple", "yes_no", "yes_no_dk")
ALWAYS = re.compile(r"\s*true\(\s*\)\s*")
NEVER = re.compile(r"\s*false\(\s*\)\s*")


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
            # `true()` is no condition at all; `false()` is a question never asked.
            relevants = [(row, text) for row, text in relevants if not ALWAYS.fullmatch(text)]
            never = next((row for row, text in relevants if NEVER.fullmatch(text)), None)
            if never is not None:
                report.warn(
                    SURVEY,
                    never,
                    "relevant “false()”",
                    _("the question is never shown, so it is not imported (%(name)s)")
                    % {"name": entry.name},
                )
                continue  # and not a target: a condition on it is refused, as on a calculation
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
    """Question codes: the name if it is a valid code, else a lower-case version (reported).
    pyxform allows a name again in another group ("comments" in each section); our codes are
    one per questionnaire, so the later one gets a numbered code. A row without a name gets
    one made from its label."""
    names = [entry.name for entry in entries if entry.question is not None]
    used = {name for name in names if QUESTION_CODE.fullmatch(name) and len(name) <= 64}
    seen: set[str] = set()
    for entry in entries:
        question = entry.question
        if question is None:
            continue
        repeated = bool(entry.name) and entry.name in seen
        seen.add(entry.name)
        if entry.name in used and not repeated:
            continue
        code = question_code(entry.name or _english_text(question), used)
        if code is None:
            report.refuse(SURVEY, entry.row, _("name"), _("the question has no usable name"))
            continue
        question["code"] = code
        report.warn(SURVEY, entry.row, *_renamed(entry.name, code, repeated=repeated))


def _renamed(name: str, code: str, *, repeated: bool) -> tuple[str, str]:
    """The construct and message of a question imported under another code than its name."""
    if not name:
        return _("name"), _(
            "the row has no name: imported under the code “%(code)s”, made from its label"
        ) % {"code": code}
    construct = _("name “%(name)s”") % {"name": name}
    if repeated:
        return construct, _(
            "the name is used by an earlier question: imported under the code "
            "“%(code)s”; conditions on this name refer to the latest question so named"
        ) % {"code": code}
    return construct, _(
        "imported under the code “%(code)s” (codes are lower-case letters, digits and _)"
    ) % {"code": code}


def _english_text(question: dict[str, Any]) -> str:
    """The first words of the question's text, to make a code of."""
    return " ".join((question.get("text") or {}).get("en", "").split()[:6])


def _relevants(
    entry: Entry, open_groups: list[Entry], by_name: dict[str, Entry]
) -> list[tuple[int, str]]:
    """The `relevant` texts that apply to the question: its groups' and its own. A group's is
    left out when the question's own condition is only on questions of that same group: those
    only show when the group's condition holds, and a question whose target is hidden is
    hidden too, so the group's condition is already implied."""
    implied: set[int] = set()
    if entry.relevant:
        try:
            targets = [by_name.get(name) for name in questions_of(parse_relevant(entry.relevant))]
        except Unsupported:
            targets = []  # reported when the condition is read
        if targets and all(target is not None for target in targets):
            implied = set.intersection(*(set(target.groups) for target in targets if target))
    relevants = [
        (group.row, group.relevant)
        for group in open_groups
        if group.relevant and id(group) not in implied
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
        node = all_of([parse_relevant(text) for _row, text in relevants])
        stored = _stored(node, by_name)
        if tests_in(stored) > MAX_TESTS or depth_of(stored) > MAX_DEPTH:
            raise Unsupported(
                _("the condition combines more tests than can be imported (at most %(count)d)")
                % {"count": MAX_TESTS}
            )
        question["condition"] = stored
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
                "%(reason)s; conditions can compare a question with =, !=, >, >=, < or <=, use "
                "selected(), test that a question is answered, join these with and/or, or "
                "negate them with not()"
            )
            % {"reason": exc},
        )
        return False
    return True


def _stored(node: Node, by_name: dict[str, Entry]) -> dict[str, Any]:
    """The node as our format's condition: tests joined with "all" / "any", a test alone when
    the tests of one question merge (`a = 'x' or a = 'y'` is one test with two values)."""
    if isinstance(node, Test):
        return _stored_test(node, by_name)
    combine = "all" if isinstance(node, AllOf) else "any"
    # "any" merges equals/includes of one question, "all" its not_equals/excludes.
    mergeable = ("equals", "includes") if combine == "any" else ("not_equals", "excludes")
    by_code = {entry.question["code"]: entry for entry in by_name.values() if entry.question}
    parts: list[dict[str, Any]] = []
    for part in (_stored(child, by_name) for child in node.parts):
        same = next(
            (
                kept
                for kept in parts
                if part.get("operator") in mergeable
                and kept.get("question") == part.get("question")
                and kept.get("operator") == part.get("operator")
            ),
            None,
        )
        if same is not None:
            same["values"] = _in_choice_order(
                [*same["values"], *part["values"]], by_code[part["question"]]
            )
        elif part not in parts:
            parts.append(part)
    return parts[0] if len(parts) == 1 else {combine: parts}


def _stored_test(test: Test, by_name: dict[str, Entry]) -> dict[str, Any]:
    target = by_name.get(test.question)
    if target is None or target.question is None:
        raise Unsupported(
            _(
                "“%(name)s” is not an earlier question that is imported (calculations, "
                "metadata and later questions are not)"
            )
            % {"name": test.question}
        )
    code, target_type = target.question["code"], target.question["type"]
    if test.operator == "answered":
        if target_type in ("note", "matrix"):
            raise Unsupported(_("“%(name)s” takes no answer to test") % {"name": test.question})
        return {"question": code, "operator": "answered", "values": []}
    if target_type in NUMBER_TYPES:
        return _number_test(test, code)
    if target_type not in CONDITION_TARGETS:
        raise Unsupported(
            _("a question like “%(name)s” can only be tested for being answered (!= '')")
            % {"name": test.question}
        )
    if test.operator not in ("equals", "not_equals", "selected", "not_selected"):
        raise Unsupported(
            _("“%(name)s” is a choice question: compare it with =, != or selected()")
            % {"name": test.question}
        )
    negated = test.operator in ("not_equals", "not_selected")
    codes = _codes_by_name(target)
    if codes is None:  # a registry list: its codes are checked on import
        values = sorted(test.values)
    else:
        unknown = sorted(value for value in test.values if value not in codes)
        if unknown:
            raise Unsupported(
                _("%(values)s: not choices of “%(name)s”")
                % {"values": ", ".join(unknown), "name": test.question}
            )
        values = _in_choice_order([codes[value] for value in test.values], target)
    if target_type == "multiple":
        operator = "excludes" if negated else "includes"
    else:
        operator = "not_equals" if negated else "equals"
    return {"question": code, "operator": operator, "values": values}


def _in_choice_order(values: list[str], target: Entry) -> list[str]:
    """The values without repeats, in the order of the target's choices when it has a list."""
    codes = _codes_by_name(target)
    unique = list(dict.fromkeys(values))
    if codes is None:
        return sorted(unique)
    order = list(dict.fromkeys(codes.values()))
    return sorted(unique, key=lambda value: order.index(value) if value in order else len(order))


def _number_test(test: Test, code: str) -> dict[str, Any]:
    operator = {"selected": "equals", "not_selected": "not_equals"}.get(
        test.operator, test.operator
    )
    values = [value.strip() for value in test.values]
    if not all(NUMBER_TEXT.fullmatch(value) for value in values):
        raise Unsupported(
            _("“%(name)s” is a number question: compare it with a number") % {"name": test.question}
        )
    return {"question": code, "operator": operator, "values": values}


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
