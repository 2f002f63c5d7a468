"""Questionnaire services: shipped questionnaires, the question bank, JSON import and export,
publishing and versions, model constraints, and the query count of questionnaire_schema."""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from assessments.questionnaires.format import QuestionnaireFormatError
from assessments.questionnaires.models import Choice, Question, Questionnaire, Section
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.services import (
    NOT_EDITABLE,
    ensure_editable,
    questionnaire_import,
    questionnaire_new_version,
    questionnaire_publish,
    questionnaire_retire,
    questionnaire_to_dict,
)
from assessments.questionnaires.shipped import SHIPPED_DIR, load_shipped_questionnaires
from mechanisms.services import load_reference_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
BANK = ROOT / "docs" / "question-bank.md"
SHIPPED_KEYS = ("mechanism", "state", "organization")
# questionnaire_schema: sections, questions (with their condition target), choices, then one
# query per kind of registry list: vocabulary terms, thematic areas, GCM objectives, mechanisms.
SCHEMA_QUERIES = 7


@pytest.fixture
def registry(settings):
    return load_reference_data(settings.REFERENCE_DATA_DIR)


@pytest.fixture
def shipped(registry) -> dict[str, Questionnaire]:
    load_shipped_questionnaires()
    return {q.key: q for q in Questionnaire.objects.all()}


def counts() -> tuple[int, int, int, int]:
    return tuple(model.objects.count() for model in (Questionnaire, Section, Question, Choice))


def delete_questionnaire(questionnaire: Questionnaire) -> None:
    """Delete a questionnaire despite the PROTECT of Question.condition_question.

    A plain delete() fails: see test_a_questionnaire_with_conditions_can_be_deleted.
    """
    questionnaire.questions.update(condition_question=None)
    questionnaire.delete()


# --- a hand-made questionnaire using every feature -----------------------------------------


def texts(en: str, fr: str | None = None, es: str | None = None) -> dict[str, str]:
    return {"en": en} | ({"fr": fr} if fr else {}) | ({"es": es} if es else {})


def question(code: str, type_: str, text: dict[str, str], **extra: Any) -> dict[str, Any]:
    """A question exactly as questionnaire_to_dict writes it."""
    data: dict[str, Any] = {"code": code, "type": type_, "text": text}
    if "help" in extra:
        data["help"] = extra.pop("help")
    data |= {
        "required": False, "min_value": None, "max_value": None, "max_choices": None,
        "other_option": False, "choices": None, "columns": None, "rows_from": None,
        "condition": None, "summary_section": "meta",
    }  # fmt: skip
    return data | extra


def local(*items: tuple[str, dict[str, str]]) -> dict[str, Any]:
    return {"source": "local", "items": [{"code": code, "label": label} for code, label in items]}


def when(target: str, operator: str, *values: str) -> dict[str, Any]:
    return {"question": target, "operator": operator, "values": list(values)}


FRUITS = local(
    ("APPLE", texts("Apple", "Pomme", "Manzana")),
    ("PEAR", texts("Pear", "Poire", "Pera")),
    ("PLUM", texts("Plum", "Prune")),
)


def full_featured(key: str = "everything", version: int = 1) -> dict[str, Any]:
    plan = local(
        ("YES", texts("Yes", "Oui", "Sí")),
        ("NO", texts("No", "Non", "No")),
        ("SOON", texts("Soon")),
    )
    roles = local(("GROW", texts("Grow", "Cultiver")), ("SELL", texts("Sell", es="Vender")))
    return {
        "format": "iscm-questionnaire",
        "format_version": 1,
        "key": key,
        "version": version,
        "audience": "state",
        "status": "draft",
        "title": texts("Everything", "Tout", "Todo"),
        "description": texts("Uses every feature.", "Utilise tout."),
        "sections": [
            {
                "code": "S1",
                "title": texts("Once", "Une fois", "Una vez"),
                "help": texts("Answered once.", es="Se contesta una vez."),
                "per_mechanism": False,
                "questions": [
                    question("intro", "note", texts("Read this first.", "Lisez d'abord."), help=texts("A note.")),
                    question("plan", "single", texts("A plan?", "Un plan ?", "¿Un plan?"), required=True,
                             choices=plan, other_option=True, summary_section="1"),
                    question("plan_title", "text", texts("Its title"), condition=when("plan", "equals", "YES")),
                    question("plan_gap", "long_text", texts("Why not yet?"), help=texts("Explain.", "Expliquez."),
                             condition=when("plan", "not_equals", "YES", "NO")),
                    question("fruits", "multiple", texts("Fruits?"), choices=FRUITS, max_choices=2,
                             other_option=True, summary_section="2"),
                    question("fruit_roles", "matrix", texts("Roles?"), choices=FRUITS, columns=roles,
                             rows_from="fruits", summary_section="4"),
                    question("fruit_note", "text", texts("Which apples?"),
                             condition=when("fruits", "includes", "APPLE", "PEAR")),
                    question("share", "decimal", texts("Share?"), min_value=0.5, max_value=99.25),
                    question("count", "integer", texts("How many?"), min_value=-3, max_value=12),
                    question("since", "year", texts("Since?"), min_value=1950),
                    question("on", "date", texts("When?")),
                    question("agree", "yes_no", texts("Agree?")),
                    question("know", "yes_no_dk", texts("Know?"), summary_section="5"),
                    question("know_more", "text", texts("Tell more"), condition=when("know", "equals", "yes", "dk")),
                    question("score", "scale5", texts("Score?"), summary_section="3"),
                    question("themes", "multiple", texts("Themes?"),
                             choices={"source": "vocabulary", "name": "thematic_areas"}),
                    question("partners", "multiple", texts("Partners?"), choices={"source": "mechanisms"}),
                    question("levels", "matrix", texts("Levels?"),
                             choices={"source": "vocabulary", "name": "gcm_objectives"},
                             columns={"source": "vocabulary", "name": "contribution_types.national"}),
                ],
            },
            {
                "code": "S2",
                "title": texts("Each mechanism"),
                "per_mechanism": True,
                "questions": [
                    question("role", "single", texts("Role?"), choices=local(("CHAIR", texts("Chair")), ("MEMBER", texts("Member")))),
                    question("role_since", "year", texts("Since?"), condition=when("role", "equals", "CHAIR"),
                             min_value=1990, max_value=2030),
                ],
            },
        ],
    }  # fmt: skip


def small(key: str = "small", version: int = 1) -> dict[str, Any]:
    """A valid little questionnaire that the refusal tests break in one place."""
    return {
        "format": "iscm-questionnaire",
        "format_version": 1,
        "key": key,
        "version": version,
        "audience": "mechanism",
        "status": "draft",
        "title": texts("Small"),
        "sections": [
            {
                "code": "A1",
                "title": texts("First"),
                "per_mechanism": False,
                "questions": [
                    question("kind", "single", texts("Kind?"), choices=local(("A", texts("A")), ("B", texts("B")))),
                    question("picks", "multiple", texts("Picks?"), choices=local(("X", texts("X")), ("Y", texts("Y")))),
                    question("name", "text", texts("Name?")),
                    question("since", "year", texts("Since?")),
                ],
            }
        ],
    }  # fmt: skip


def q_of(data: dict[str, Any], index: int) -> dict[str, Any]:
    return data["sections"][0]["questions"][index]


# --- shipped questionnaires ---------------------------------------------------------------


def test_the_shipped_questionnaires_load_and_a_second_run_reports_them_unchanged(registry):
    report = load_shipped_questionnaires()
    assert report.created == ["mechanism v1", "state v1", "organization v1"]
    loaded = counts()
    assert loaded[0] == 3
    again = load_shipped_questionnaires()
    assert (again.created, again.differing) == ([], [])
    assert again.unchanged == ["mechanism v1", "state v1", "organization v1"]
    assert counts() == loaded


def test_a_shipped_file_that_differs_from_the_database_is_reported_not_overwritten(
    registry, tmp_path
):
    load_shipped_questionnaires()
    for path in SHIPPED_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    state = json.loads((tmp_path / "state.json").read_text("utf-8"))
    state["title"]["en"] = "A new title"
    (tmp_path / "state.json").write_text(json.dumps(state), "utf-8")
    report = load_shipped_questionnaires(tmp_path)
    assert (report.created, report.differing) == ([], ["state v1"])
    assert Questionnaire.objects.get(key="state").title != "A new title"


def test_the_shipped_questionnaires_export_exactly_as_their_files(shipped):
    for key, questionnaire in shipped.items():
        on_disk = json.loads((SHIPPED_DIR / f"{key}.json").read_text("utf-8"))
        assert questionnaire_to_dict(questionnaire) == on_disk


def test_the_shipped_questionnaires_are_published_for_their_audience(shipped):
    for key, questionnaire in shipped.items():
        assert (questionnaire.audience, questionnaire.status) == (key, "published")
        assert questionnaire.published_at is not None


# --- the question bank, read independently from docs/question-bank.md -------------------------

LEVELS = ("national", "bilateral", "regional", "interregional", "global")
PARTS = {"A": "mechanism", "B": "state", "C": "organization"}
CODE_CELL = re.compile(r"^`(?P<code>[A-Za-z][A-Za-z0-9_]*)`$")
SECTION_LINE = re.compile(r"^\*\*(?P<code>[ABC]\d)\b")
INLINE = re.compile(r"`(?P<code>[a-z][a-z0-9_]*)` \((?P<spec>[^)]*)\)")
WHEN = re.compile(r"when `(?P<question>\w+)` (?P<operator>=|≠) (?P<values>.+)$")
BACKTICKED = re.compile(r"^`(?P<name>[\w.]+)`$")


@dataclass
class BankQuestion:
    code: str
    type: str
    required: bool
    section: str
    per_mechanism: bool
    summary: str | None
    choices: dict[str, Any] | None
    condition: tuple[str, str, tuple[str, ...]] | None = None


def parse_choices(text: str, level: str | None) -> dict[str, Any] | None:
    text = text.strip()
    if not text:
        return None
    if text.startswith("rows:"):  # the partner_roles matrix
        rows, columns = (part.split(":", 1)[1] for part in text.split(";"))
        return {
            "rows_from": re.search(r"`(\w+)`", rows).group(1),
            "columns": {"source": "local", "codes": [c.strip() for c in columns.split(",")]},
        }
    if " for " in text:  # contribution types: one list per level
        for clause in text.split(";"):
            name, levels = clause.strip().split(" for ")
            if level in re.findall(r"\w+", levels):
                return parse_choices(name.replace(".L`", f".{level}`"), level)
        raise AssertionError(f"no list for level {level}: {text}")
    if match := BACKTICKED.match(text):
        name = match["name"]
        return (
            {"source": "mechanisms"}
            if name == "mechanisms"
            else {"source": "vocabulary", "name": name}
        )
    return {"source": "local", "codes": [code.strip() for code in text.split(",")]}


def table_row(line: str) -> dict[str, str] | None:
    """The cells of a question row (code, type, text, choices / when, summary), else None."""
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    match = CODE_CELL.match(cells[0]) if len(cells) == 5 and line.startswith("|") else None
    if match is None:
        return None
    names = ("code", "type", "text", "choices", "summary")
    return dict(zip(names, [match["code"], *cells[1:]], strict=True))


def parse_row(row: dict[str, str], section: str, per_mechanism: bool, level: str | None = None):
    code = row["code"].replace("_L", f"_{level}") if level else row["code"]
    choices = row["choices"].replace("`contribution_L`", f"`contribution_{level}`")
    condition = None
    if match := WHEN.search(choices):
        values = tuple(v.strip() for v in match["values"].split(","))
        condition = (match["question"], match["operator"], values)
        choices = choices[: match.start()].rstrip("; ")
    return BankQuestion(
        code=code,
        type=row["type"].split(",")[0].strip(),
        required="required" in row["type"],
        section=section,
        per_mechanism=per_mechanism,
        summary=row["summary"].strip(),
        choices=parse_choices(choices, level),
        condition=condition,
    )


def parse_inline(match: re.Match, section: str, summary: str | None) -> BankQuestion:
    head, _, rest = match["spec"].partition(":")
    codes = [c.strip() for c in rest.split(",")]
    is_local = all(re.fullmatch(r"[A-Z][A-Z0-9_]*", c) for c in codes)
    return BankQuestion(
        code=match["code"],
        type=head.split(",")[0].strip(),
        required="required" in head,
        section=section,
        per_mechanism=False,
        summary=summary,
        choices={"source": "local", "codes": codes} if is_local else None,
    )


def unwrap(text: str) -> list[str]:
    """Lines, with a wrapped paragraph (such as B0's list of codes) joined into one."""
    lines: list[str] = []
    for line in text.splitlines():
        starts_block = line.startswith(("|", "#", "**", "- ", "```"))
        continues = lines and lines[-1].strip() and not lines[-1].startswith("|")
        if continues and line.strip() and not starts_block:
            lines[-1] += " " + line.strip()
            continue
        lines.append(line)
    return lines


def parse_bank(text: str) -> dict[str, dict[str, BankQuestion]]:
    """audience -> code -> question, from the tables and inline lists of the bank."""
    bank: dict[str, dict[str, BankQuestion]] = {audience: {} for audience in PARTS.values()}
    block: list[dict[str, str]] = []
    part = section = None
    per_mechanism = False

    def add_block() -> None:
        for level in LEVELS:
            for row in block:
                found = parse_row(row, section, per_mechanism, level)
                bank[part][found.code] = found

    for line in unwrap(text):
        if line.startswith("## "):
            part = "block" if "Contribution block" in line else PARTS.get(line[3:5].rstrip("."))
            continue
        if part is None:
            continue
        if match := SECTION_LINE.match(line):
            section, per_mechanism = match["code"], "*per mechanism*" in line
            summary = "meta" if "(meta" in line else None
            for inline in INLINE.finditer(line):
                bank[part][inline["code"]] = parse_inline(inline, section, summary)
            if "the contribution block" in line:
                add_block()
        elif row := table_row(line):
            if part == "block":
                block.append(row)
            else:
                bank[part][row["code"]] = parse_row(row, section, per_mechanism)
        elif line.startswith("| contribution block |"):
            add_block()
    return bank


BANK_QUESTIONS = parse_bank(BANK.read_text("utf-8"))


def test_the_bank_parser_finds_every_part():
    assert {a: len(codes) for a, codes in BANK_QUESTIONS.items()} == {
        "mechanism": 1 + 8 + 15 + 16 + 5 + 6,
        "state": 2 + 3 + 15 + 6 + 4,
        "organization": 2 + 2 + 15 + 2,
    }
    assert BANK_QUESTIONS["state"]["contribution_global_types"].choices == {
        "source": "vocabulary",
        "name": "contribution_types.interregional_global",
    }
    assert BANK_QUESTIONS["mechanism"]["operating_modalities_document"].condition == (
        "operating_modalities",
        "≠",
        ("INFORMAL", "NONE"),
    )


def db_questions(questionnaire: Questionnaire) -> dict[str, Question]:
    questions = questionnaire.questions.select_related("section", "condition_question")
    return {q.code: q for q in questions.prefetch_related("choices")}


@pytest.mark.parametrize("audience", SHIPPED_KEYS)
def test_every_code_of_the_bank_is_in_its_questionnaire_and_nothing_else(shipped, audience):
    assert set(db_questions(shipped[audience])) == set(BANK_QUESTIONS[audience])


def choices_of(question: Question, kind: str = Choice.Kind.OPTION) -> dict[str, Any] | None:
    source = question.choice_source if kind == Choice.Kind.OPTION else question.column_source
    if source == "local":
        codes = [c.code for c in question.choices.all() if c.kind == kind]
        return {"source": "local", "codes": sorted(codes, key=codes.index)}
    if source == "vocabulary":
        name = (
            question.choice_vocabulary if kind == Choice.Kind.OPTION else question.column_vocabulary
        )
        return {"source": "vocabulary", "name": name}
    return {"source": "mechanisms"} if source == "mechanisms" else None


def expected_condition(found: BankQuestion, questions: dict[str, Question]):
    if found.condition is None:
        return None
    target, sign, values = found.condition
    if sign == "≠":
        return (target, "not_equals", list(values))
    return (target, "includes" if questions[target].type == "multiple" else "equals", list(values))


@pytest.mark.parametrize("audience", SHIPPED_KEYS)
def test_each_question_has_the_type_section_choices_and_condition_of_the_bank(shipped, audience):
    questions = db_questions(shipped[audience])
    for code, found in BANK_QUESTIONS[audience].items():
        question = questions[code]
        where = f"{audience}.{code}"
        assert question.type == found.type, where
        assert question.required == found.required, where
        assert (question.section.code, question.section.per_mechanism) == (
            found.section,
            found.per_mechanism,
        ), where
        if found.summary is not None:
            assert question.summary_section == found.summary, where
        condition = question.condition_question and (
            question.condition_question.code,
            question.condition_operator,
            question.condition_values,
        )
        assert condition == expected_condition(found, questions), where
        if found.choices and "rows_from" in found.choices:
            assert question.rows_from == found.choices["rows_from"], where
            assert choices_of(question) == choices_of(questions[question.rows_from]), where
            assert choices_of(question, Choice.Kind.COLUMN) == found.choices["columns"], where
        else:
            assert choices_of(question) == found.choices, where


# --- JSON round trip --------------------------------------------------------------------------


def round_trip(questionnaire: Questionnaire) -> tuple[dict, dict]:
    exported = questionnaire_to_dict(questionnaire)
    delete_questionnaire(questionnaire)
    assert not Questionnaire.objects.filter(key=exported["key"]).exists()
    return exported, questionnaire_to_dict(questionnaire_import(copy.deepcopy(exported)))


@pytest.mark.parametrize("key", SHIPPED_KEYS)
def test_a_shipped_questionnaire_survives_export_delete_import(shipped, key):
    before = counts()
    exported, again = round_trip(shipped[key])
    assert again == exported
    assert counts() == before


def test_the_hand_made_questionnaire_exports_as_it_was_imported(registry):
    data = full_featured()
    assert questionnaire_to_dict(questionnaire_import(copy.deepcopy(data))) == data


def test_the_hand_made_questionnaire_survives_export_delete_import(registry):
    exported, again = round_trip(questionnaire_import(full_featured()))
    assert again == exported == full_featured()


def test_import_stores_every_feature_in_the_database(registry):
    questionnaire = questionnaire_import(full_featured())
    assert (questionnaire.title_fr, questionnaire.description_es) == ("Tout", "")
    fruits = Question.objects.get(questionnaire=questionnaire, code="fruits")
    assert (fruits.max_choices, fruits.other_option, fruits.choice_source) == (2, True, "local")
    assert [(c.code, c.label_fr) for c in fruits.choices.order_by("position")] == [
        ("APPLE", "Pomme"),
        ("PEAR", "Poire"),
        ("PLUM", "Prune"),
    ]
    roles = Question.objects.get(questionnaire=questionnaire, code="fruit_roles")
    assert roles.rows_from == "fruits"
    assert list(roles.choices.filter(kind="column").values_list("code", "label_es")) == [
        ("GROW", ""),
        ("SELL", "Vender"),
    ]
    share = Question.objects.get(questionnaire=questionnaire, code="share")
    assert (float(share.min_value), float(share.max_value)) == (0.5, 99.25)
    gap = Question.objects.get(questionnaire=questionnaire, code="plan_gap")
    assert (gap.condition_question.code, gap.condition_operator, gap.condition_values) == (
        "plan",
        "not_equals",
        ["YES", "NO"],
    )
    assert Section.objects.get(questionnaire=questionnaire, code="S2").per_mechanism


def test_an_imported_questionnaire_is_a_draft_unless_the_file_says_otherwise():
    draft = questionnaire_import(small())
    assert (draft.status, draft.published_at) == ("draft", None)
    published = questionnaire_import(small("other") | {"status": "published"})
    assert published.status == "published"
    assert published.published_at is not None


# --- import refusals ------------------------------------------------------------------------


def set_condition(index: int, condition: dict) -> Callable[[dict], None]:
    return lambda data: q_of(data, index).update(condition=condition)


def add_unknown_key(data: dict) -> None:
    q_of(data, 2)["colour"] = "red"
    data["author"] = "me"


REFUSALS = {
    "forward reference": (
        set_condition(0, when("picks", "includes", "X")),
        "“picks” is not an earlier question (conditions may only look back)",
    ),
    "self condition": (
        set_condition(1, when("picks", "includes", "X")),
        "questions[1] (picks).condition: a question cannot depend on itself.",
    ),
    "unknown code": (
        set_condition(2, when("ghost", "equals", "A")),
        "“ghost” is not an earlier question",
    ),
    "condition on a text question": (
        set_condition(3, when("name", "equals", "A")),
        "“name” must be a single, multiple or yes/no question.",
    ),
    "equals on a multiple": (
        set_condition(2, when("picks", "equals", "X")),
        "use “includes” for a multiple choice question.",
    ),
    "value not a choice": (
        set_condition(2, when("kind", "equals", "Z")),
        "values: not choices of “kind”: Z.",
    ),
    "unknown vocabulary": (
        lambda data: q_of(data, 0).update(choices={"source": "vocabulary", "name": "no_such_list"}),
        "unknown vocabulary “no_such_list”",
    ),
    "duplicate code": (
        lambda data: q_of(data, 3).update(code="name"),
        "questions[3] (name).code: “name” is used twice in this questionnaire.",
    ),
    "missing English text": (
        lambda data: q_of(data, 2).update(text={"fr": "Nom ?"}),
        "questions[2] (name).text.en: the English text is required.",
    ),
    "unknown keys": (add_unknown_key, "questions[2] (name): unknown keys colour."),
    "bad type": (
        lambda data: q_of(data, 2).update(type="slider"),
        "questions[2] (name).type: one of single, multiple, text",
    ),
    "min above max": (
        lambda data: q_of(data, 3).update(min_value=2000, max_value=1999),
        "questions[3] (since): min_value is above max_value.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_import_refuses_a_broken_questionnaire_listing_the_problem_and_writes_nothing(case):
    break_it, expected = REFUSALS[case]
    data = small()
    break_it(data)
    before = counts()
    with pytest.raises(QuestionnaireFormatError) as caught:
        questionnaire_import(data)
    assert any(expected in error for error in caught.value.errors), caught.value.errors
    assert counts() == before


def test_import_lists_every_problem_at_once():
    data = small()
    add_unknown_key(data)
    q_of(data, 3).update(min_value=5, max_value=1)
    with pytest.raises(QuestionnaireFormatError) as caught:
        questionnaire_import(data)
    assert caught.value.errors == [
        "questionnaire: unknown keys author.",
        "sections[0].questions[2] (name): unknown keys colour.",
        "sections[0].questions[3] (since): min_value is above max_value.",
    ]


def test_import_refuses_a_version_that_already_exists():
    questionnaire_import(small())
    before = counts()
    with pytest.raises(QuestionnaireFormatError) as caught:
        questionnaire_import(small())
    assert caught.value.errors == [
        "Questionnaire “small” version 1 already exists; import it under another version number."
    ]
    assert counts() == before
    questionnaire_import(small(version=2))
    assert counts()[0] == before[0] + 1


def test_import_refuses_a_bound_too_large_to_store():
    # DecimalField(max_digits=20, decimal_places=6): 10**15 cannot be stored. The import crashes
    # with decimal.InvalidOperation (DataError on PostgreSQL) instead of listing the problem.
    data = small()
    q_of(data, 3).update(max_value=10**15)
    before = counts()
    with pytest.raises(QuestionnaireFormatError):
        questionnaire_import(data)
    assert counts() == before


# --- lifecycle ------------------------------------------------------------------------------


def test_a_draft_publishes(registry):
    draft = questionnaire_import(full_featured())
    published = questionnaire_publish(questionnaire=draft)
    published.refresh_from_db()
    assert published.status == Questionnaire.Status.PUBLISHED
    assert published.published_at is not None


def test_a_published_questionnaire_cannot_be_published_again():
    published = questionnaire_publish(questionnaire=questionnaire_import(small()))
    first_date = published.published_at
    with pytest.raises(ValidationError) as caught:
        questionnaire_publish(questionnaire=published)
    assert caught.value.messages == [NOT_EDITABLE]
    published.refresh_from_db()
    assert published.published_at == first_date


def test_a_questionnaire_without_questions_cannot_be_published():
    draft = Questionnaire.objects.create(key="empty", audience="state", title="Empty")
    Section.objects.create(questionnaire=draft, code="S1", title="Nothing")
    with pytest.raises(ValidationError) as caught:
        questionnaire_publish(questionnaire=draft)
    assert "A questionnaire needs at least one question to be published." in caught.value.messages
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_only_a_draft_is_editable():
    ensure_editable(questionnaire_import(small()))
    published = questionnaire_publish(questionnaire=questionnaire_import(small("published")))
    retired = questionnaire_retire(
        questionnaire=questionnaire_publish(questionnaire=questionnaire_import(small("retired")))
    )
    for questionnaire in (published, retired):
        with pytest.raises(ValidationError) as caught:
            ensure_editable(questionnaire)
        assert caught.value.messages == [NOT_EDITABLE]


def test_a_new_version_is_a_draft_copy_of_the_structure(shipped):
    original = shipped["mechanism"]
    new = questionnaire_new_version(questionnaire=original)
    assert (new.key, new.version, new.status, new.published_at) == ("mechanism", 2, "draft", None)
    before, after = questionnaire_to_dict(original), questionnaire_to_dict(new)
    assert after == before | {"version": 2, "status": "draft"}
    assert questionnaire_to_dict(original) == before
    assert new.questions.count() == original.questions.count() == 51


def test_new_versions_take_the_next_number_of_their_key(shipped):
    questionnaire_new_version(questionnaire=shipped["state"])
    third = questionnaire_new_version(questionnaire=shipped["state"])
    assert third.version == 3
    assert sorted(Questionnaire.objects.filter(key="state").values_list("version", flat=True)) == [
        1,
        2,
        3,
    ]


def test_a_published_questionnaire_can_be_retired(shipped):
    retired = questionnaire_retire(questionnaire=shipped["organization"])
    retired.refresh_from_db()
    assert retired.status == Questionnaire.Status.RETIRED


@pytest.mark.parametrize("status", ["draft", "retired"])
def test_only_a_published_questionnaire_can_be_retired(status):
    questionnaire = questionnaire_import(small() | {"status": status})
    with pytest.raises(ValidationError) as caught:
        questionnaire_retire(questionnaire=questionnaire)
    assert caught.value.messages == ["Only a published questionnaire can be retired."]
    questionnaire.refresh_from_db()
    assert questionnaire.status == status


def test_a_questionnaire_with_conditions_can_be_deleted(registry):
    # Question.condition_question is on_delete=PROTECT: deleting the questionnaire cascades to
    # its questions, and the collector refuses because some of them are condition targets.
    questionnaire = questionnaire_import(full_featured())
    questionnaire.delete()
    assert counts() == (0, 0, 0, 0)


def test_a_condition_target_cannot_be_deleted_while_a_question_depends_on_it(registry):
    questionnaire = questionnaire_import(full_featured())
    with pytest.raises(RestrictedError):
        Question.objects.get(questionnaire=questionnaire, code="plan").delete()
    assert Question.objects.filter(questionnaire=questionnaire, code="plan").exists()


# --- model constraints ------------------------------------------------------------------------


def test_the_database_refuses_two_questions_with_one_code_in_a_questionnaire():
    questionnaire = questionnaire_import(small())
    section = questionnaire.sections.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(
            questionnaire=questionnaire, section=section, code="name", type="text", text="Again"
        )
    other = questionnaire_import(small("other"))
    Question.objects.create(
        questionnaire=other, section=other.sections.get(), code="extra", type="text", text="Ok"
    )
    assert Question.objects.filter(code="name").count() == 2


def test_the_database_refuses_two_questionnaires_with_one_key_and_version():
    Questionnaire.objects.create(key="dup", version=1, audience="state", title="One")
    with pytest.raises(IntegrityError), transaction.atomic():
        Questionnaire.objects.create(key="dup", version=1, audience="state", title="Two")
    Questionnaire.objects.create(key="dup", version=2, audience="state", title="Two")
    assert Questionnaire.objects.filter(key="dup").count() == 2


def test_the_database_refuses_a_minimum_above_the_maximum():
    questionnaire = questionnaire_import(small())
    fields = {
        "questionnaire": questionnaire,
        "section": questionnaire.sections.get(),
        "type": "integer",
        "text": "N",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(code="n", min_value=5, max_value=1, **fields)
    with pytest.raises(ValidationError) as caught:
        Question(code="n", min_value=5, max_value=1, **fields).full_clean()
    assert "The minimum cannot be above the maximum." in caught.value.messages
    Question.objects.create(code="n", min_value=5, max_value=5, **fields)


# --- questionnaire_schema query count -----------------------------------------------------------


def three_questions() -> dict[str, Any]:
    """Three questions drawing on the same four kinds of registry list as the shipped ones."""
    data = small("three")
    data["sections"][0]["questions"] = [
        question("themes", "multiple", texts("Themes?"), choices={"source": "vocabulary", "name": "thematic_areas"}),
        question("grid", "matrix", texts("Grid?"), choices={"source": "vocabulary", "name": "gcm_objectives"},
                 columns={"source": "vocabulary", "name": "added_value"}),
        question("partners", "multiple", texts("Partners?"), choices={"source": "mechanisms"}),
    ]  # fmt: skip
    return data


@pytest.mark.parametrize("which", ["mechanism", "three"])
def test_questionnaire_schema_runs_in_a_fixed_number_of_queries(
    shipped, django_assert_num_queries, which
):
    # Drafts: the schema of a published version may be cached, a draft's is built every time.
    if which == "mechanism":
        draft = questionnaire_new_version(questionnaire=shipped["mechanism"])
    else:
        draft = questionnaire_import(three_questions())
    for _ in range(2):
        with django_assert_num_queries(SCHEMA_QUERIES):
            schema = questionnaire_schema(draft)
    assert len(schema.questions) == {"mechanism": 51, "three": 3}[which]
    assert schema.id == draft.pk


@pytest.mark.parametrize("key", SHIPPED_KEYS)
def test_questionnaire_schema_of_a_published_version_stays_within_the_bound(
    shipped, django_assert_max_num_queries, key
):
    for _ in range(2):
        with django_assert_max_num_queries(SCHEMA_QUERIES):
            schema = questionnaire_schema(shipped[key])
    assert schema.questions.keys() == BANK_QUESTIONS[key].keys()


def test_questionnaire_schema_resolves_registry_choices(shipped):
    schema = questionnaire_schema(shipped["mechanism"])
    partners = schema.questions["cooperating_mechanisms"].options
    assert len(partners) == 41
    assert partners[0].code < partners[-1].code  # mechanisms come in acronym order
    assert schema.questions["partner_roles"].column_codes[0] == "OBSERVER"
    gcm = schema.questions["gcm_objectives"].options
    assert len(gcm) == 23
    assert gcm[0].label("en").startswith("1. ")
    assert schema.questions["strategy_title"].condition.values == ("YES",)
