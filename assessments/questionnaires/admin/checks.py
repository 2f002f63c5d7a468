"""Structure checks of a question edited in a draft: the draft exported with the edited question
in its place and checked as an import or publishing would check it."""

from __future__ import annotations

import copy
import math
import re

from assessments.questionnaires import conditions
from assessments.questionnaires.format import structure_errors
from assessments.questionnaires.models import Choice, Question
from assessments.questionnaires.selectors import registry_choice_lists
from assessments.questionnaires.services import (
    question_to_dict,
    questionnaire_to_dict,
)

# Where a structure error of `questionnaire_format` is: "sections[1].questions[4] (code).path: …"
ERROR_LOCATION = re.compile(r"^sections\[\d+\](?:\.questions\[\d+\])?(?: \((?P<code>[^)]*)\))?")
ERROR_FIELDS = {
    "code": "code", "type": "type", "text": "text", "help": "help", "required": "required",
    "min_value": "min_value", "max_value": "max_value", "max_choices": "max_choices",
    "other_option": "other_option", "choices": "choice_source", "columns": "column_source",
    "rows_from": "rows_from", "condition": "condition_question",
    "condition.operator": "condition_operator", "condition.values": "condition_values",
    "summary_section": "summary_section",
}  # fmt: skip


def draft_question_errors(
    candidate: Question, choices: list[Choice]
) -> list[tuple[str | None, str]]:
    """(form field or None, message) for the structure problems of `candidate` in its draft.

    The draft is exported with `questionnaire_to_dict`, the edited question (unsaved, with its
    edited `choices`) put in its place, and the result checked by `structure_errors`, the check
    of imports and publishing. Problems of the edited question are all reported; those of other
    questions only when this edit causes them (a renamed or retyped condition target...).
    """
    before = questionnaire_to_dict(candidate.questionnaire)
    after = with_question(copy.deepcopy(before), candidate, choices)
    lists = registry_choice_lists()
    known = {ERROR_LOCATION.sub("", e) for e in structure_errors(before, lists)}
    found = []
    for error in structure_errors(after, lists):
        match = ERROR_LOCATION.match(error)
        own = match is not None and match["code"] == candidate.code
        if own:
            found.append(error_field(error[match.end() :], error))
        elif ERROR_LOCATION.sub("", error) not in known:
            found.append((None, readable(error)))
    return found


def with_question(data: dict, candidate: Question, choices: list[Choice]) -> dict:
    old_code = None
    if candidate.pk:
        old_code = Question.objects.filter(pk=candidate.pk).values_list("code", flat=True).first()
    for section in data["sections"]:
        section["questions"] = [q for q in section["questions"] if q["code"] != old_code]
        for question in section["questions"]:  # dependents follow a renamed target
            if old_code and question.get("condition"):
                rename_target(question["condition"], old_code, candidate.code)
    candidate.all_choices = sorted(choices, key=lambda c: (c.kind, c.position))
    target = next(s for s in data["sections"] if s["code"] == candidate.section.code)
    target["questions"].insert(position_in_section(candidate), question_to_dict(candidate))
    return data


def rename_target(condition: dict, old_code: str, new_code: str) -> None:
    """Rename `old_code` in every test of the condition (a test, or tests combined)."""
    for combine in conditions.COMBINATIONS:
        for part in condition.get(combine) or []:
            rename_target(part, old_code, new_code)
    if condition.get("question") == old_code:
        condition["question"] = new_code


def position_in_section(candidate: Question) -> int:
    """Index of the question in its section, ordered by (position, pk) like the export."""
    others = (
        Question.objects.filter(section=candidate.section)
        .exclude(pk=candidate.pk)
        .values_list("position", "pk")
    )
    key = (candidate.position, candidate.pk or math.inf)
    return sum(1 for other in others if other < key)


def error_field(rest: str, error: str) -> tuple[str | None, str]:
    """Map ".condition.operator: message" to ("condition_operator", "message")."""
    path, _sep, message = rest.partition(": ")
    path = path.lstrip(".")
    if re.match(r"condition\.(all|any)\b", path):
        return "condition_group", message
    field = ERROR_FIELDS.get(path) or ERROR_FIELDS.get(path.split(".")[0])
    if field is None or ".items" in path:
        return None, readable(error)
    return field, message


def readable(error: str) -> str:
    """ "sections[1].questions[4] (code).path: …" -> "code.path: …"."""
    return ERROR_LOCATION.sub(lambda m: m["code"] or "", error)
