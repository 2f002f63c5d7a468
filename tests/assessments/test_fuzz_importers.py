"""Fuzzing the importers: whatever a JSON questionnaire, an XLSForm workbook or a round backup
holds, the import either succeeds or raises its own error (QuestionnaireFormatError, XLSFormError,
RoundImportError) listing the problems, never anything else (a 500 in the admin or the API), and
a refused import writes nothing.

Inputs are random JSON documents and, to get past the first checks, mutations of valid ones (a
shipped questionnaire, a small exported round, a workbook written from a questionnaire): keys
deleted, values replaced by random JSON, types changed, very long or NUL-holding strings, huge
numbers. Hypothesis runs derandomized, so CI sees the same examples every time; crashes found
once are kept as @example regressions.
"""

from __future__ import annotations

import copy
import datetime
import io
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from assessments.questionnaires.format import QuestionnaireFormatError, structure_errors
from assessments.questionnaires.models import Choice, Question, Questionnaire, Section
from assessments.questionnaires.selectors import questionnaire_schema, registry_choice_lists
from assessments.questionnaires.services import questionnaire_import, questionnaire_to_dict
from assessments.questionnaires.shipped import SHIPPED_DIR as QUESTIONNAIRES
from assessments.questionnaires.xlsform import XLSFormError, questionnaire_to_xlsform
from assessments.reporting.backup import iter_round_json
from assessments.reporting.restore import RoundImportError, import_round
from assessments.responses.models import Answer, Response
from assessments.responses.services import (
    participant_responses,
    participant_submit,
    response_save_answers,
)
from assessments.rounds.models import FocalPoint, Invitation, RoundParticipant, SurveyRound
from assessments.rounds.services.rounds import round_add_participant, round_create, round_open
from mechanisms.models import Mechanism, Membership, Organization, State
from tests.assessments.questionnaires.xlsform_helpers import read_form
from tests.factories import (
    MechanismFactory,
    MembershipFactory,
    OrganizationFactory,
    RespondentUserFactory,
    StateFactory,
    StateFocalPointFactory,
)

pytestmark = pytest.mark.django_db

STATE_QUESTIONNAIRE = json.loads((QUESTIONNAIRES / "state.json").read_text(encoding="utf-8"))

# The same examples on every run, so that CI cannot turn red by chance. To search harder
# locally: FUZZ_EXAMPLES=2000 FUZZ_RANDOM=1 (new examples on every run).
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        # `db` is function-scoped: every example runs in a savepoint rolled back at its end.
        HealthCheck.function_scoped_fixture,
    ],
)

# --- random JSON -----------------------------------------------------------------------------

KNOWN_KEYS = [
    "format", "format_version", "key", "version", "audience", "status", "title", "description",
    "sections", "code", "help", "per_mechanism", "questions", "type", "text", "required",
    "min_value", "max_value", "max_choices", "other_option", "choices", "columns", "rows_from",
    "condition", "summary_section", "source", "items", "label", "name", "question", "operator",
    "values", "en", "fr", "es", "round", "registry", "participants", "responses", "slug",
    "answers", "history", "answer_history", "party", "invitation", "mechanism", "participant",
]  # fmt: skip
KNOWN_WORDS = [
    "iscm-questionnaire", "iscm-round", "local", "vocabulary", "mechanisms", "single", "multiple",
    "matrix", "text", "integer", "decimal", "year", "date", "yes_no", "note", "equals",
    "includes", "published", "draft", "state", "mechanism", "organization", "state:MX",
    "mechanism:NOPE", "2025-01-01", "2025-13-45T99:99", "OTHER", "",
]  # fmt: skip
TEXTS = st.one_of(
    st.sampled_from(KNOWN_WORDS),
    st.text(max_size=12),
    st.text(alphabet="ab\x00", min_size=1, max_size=3),  # PostgreSQL refuses NUL in text
    st.builds(lambda n: "x" * n, st.sampled_from([65, 201, 301, 5001])),  # past max_length
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, 1, -1, 2**31, 2**63, 10**20]),  # past the integer columns
    st.floats(),  # NaN and infinities included
    TEXTS,
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=6)), children,
                        max_size=5),
    ),
    max_leaves=16,
)  # fmt: skip


# --- mutations of a valid document -----------------------------------------------------------


def node_paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """The path (keys and indexes) of every value under `node`."""
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        yield (*prefix, key)
        yield from node_paths(child, (*prefix, key))


def retyped(value: Any) -> list[Any]:
    """The same value as other JSON types."""
    return [str(value), [value], {"value": value}, None, True, 7, -3.5, float("nan"), 10**20,
            len(str(value)), str(value) * 40]  # fmt: skip


@st.composite
def mutations(draw: st.DrawFn, document: Any, most: int = 3, by_part: bool = False) -> Any:
    """`document` with one to `most` changes: a value deleted (key or list item), replaced by
    random JSON, given another type, or a list item duplicated. `by_part`: each change first
    picks one of the document's top-level objects and lists, so that the biggest does not take
    every change (and the format marker, whose change is refused at once, none)."""
    mutated = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, most))):
        paths = list(node_paths(mutated))
        parts = sorted(k for k, v in mutated.items() if v and isinstance(v, dict | list)) if (
            by_part and isinstance(mutated, dict)
        ) else []  # fmt: skip
        if parts:
            part = draw(st.sampled_from(parts))
            paths = [path for path in paths if path[0] == part]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = mutated
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        operation = draw(st.sampled_from(["delete", "replace", "retype", "duplicate"]))
        if operation == "delete":
            del parent[key]
        elif operation == "replace":
            parent[key] = draw(JSON)
        elif operation == "retype":
            parent[key] = draw(st.sampled_from(retyped(parent[key])))
        elif isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        else:
            parent[draw(st.sampled_from(KNOWN_KEYS))] = copy.deepcopy(parent[key])
    return mutated


def undone(attempt: Callable[[], None]) -> None:
    """Run `attempt` in a savepoint that is rolled back: a successful import is undone, so
    that every example starts from the same database."""
    with transaction.atomic():
        attempt()
        transaction.set_rollback(True)


def refused_or_done(
    importer: Callable[[Any], Any],
    data: Any,
    error: type[ValueError],
    counts: Callable[[], dict[str, int]],
    usable: Callable[[Any], None],
) -> bool:
    """Import `data`: True if it was imported (and what was imported is `usable`), False if
    refused with `error` (listing its problems as text) and nothing written. Any other
    exception fails the test."""
    before = counts()
    try:
        imported = importer(data)
    except error as refused:
        assert refused.errors and all(isinstance(e, str) and e for e in refused.errors)
        assert counts() == before, "a refused import wrote something"
        return False
    usable(imported)
    event("imported")
    return True


# --- JSON questionnaires ---------------------------------------------------------------------


def questionnaire_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Questionnaire, Section, Question, Choice)}


def questionnaire_usable(questionnaire: Questionnaire) -> None:
    """An imported questionnaire is valid when exported again, and its schema (what the pages,
    validation and exports use) can be built."""
    assert structure_errors(questionnaire_to_dict(questionnaire), registry_choice_lists()) == []
    questionnaire_schema(questionnaire)


def import_questionnaire_or_refuse(data: Any) -> None:
    undone(lambda: refused_or_done(
        questionnaire_import, data, QuestionnaireFormatError, questionnaire_counts,
        questionnaire_usable,
    ))  # fmt: skip


def test_the_shipped_questionnaire_imports_as_it_is(reference_registry):
    """The base of the mutations below is valid: the fuzzing starts from a success."""
    undone(lambda: questionnaire_import(copy.deepcopy(STATE_QUESTIONNAIRE)))


@FUZZ
@given(data=st.one_of(JSON, st.fixed_dictionaries(
    {"format": st.just("iscm-questionnaire"), "format_version": st.just(1)},
    optional={key: JSON for key in KNOWN_KEYS[2:9]},
)))  # fmt: skip
def test_random_json_gives_a_questionnaire_or_a_format_error(reference_registry, data):
    import_questionnaire_or_refuse(data)


def replaced(document: Any, *changes: tuple[tuple, Any]) -> Any:
    """A copy of `document` with the value at each (path, value) of `changes` replaced."""
    data = copy.deepcopy(document)
    for path, value in changes:
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    return data


def shipped_with(*changes: tuple[tuple, Any]) -> dict:
    return replaced(STATE_QUESTIONNAIRE, *changes)


def question(index: int, *path: Any) -> tuple:
    """The path of the index-th question of the shipped questionnaire's section B1."""
    return ("sections", 1, "questions", index, *path)


CONDITION_ON_FREQUENCY = (
    question(5, "condition"),
    {"question": "participation_frequency", "operator": "equals", "values": ["ALL"]},
)


# Crashes the fuzzing found, kept as regressions. On PostgreSQL (a DataError, not a format
# error): numbers past the integer columns, texts past their column, NUL characters.
@example(data=shipped_with((("version",), 2**31)))
@example(data=shipped_with((("key",), "k" * 65)))
@example(data=shipped_with((("title", "en"), "t" * 301)))
@example(data=shipped_with((("title", "en"), "Nul\x00")))
@example(data=shipped_with((("sections", 0, "code"), "S" * 65)))
@example(data=shipped_with((question(1, "max_choices"), 2**31)))
@example(
    data=shipped_with((question(1, "choices", "items"), [{"code": "A" * 65, "label": {"en": "A"}}]))
)
@example(data=shipped_with((("sections", 0, "questions", 0, "text", "fr"), "\x00")))
# Everywhere (a TypeError or an AttributeError): values of another type than expected.
@example(data=shipped_with((("sections", 1, "questions"), True)))
@example(data=shipped_with((question(1, "choices", "name"), ["meeting_levels"])))
@example(data=shipped_with((question(4, "condition", "question"), ["contribution_national"])))
@example(data=shipped_with((question(0, "choices"), ["ALL"]), CONDITION_ON_FREQUENCY))
@example(
    data=shipped_with((question(0, "choices", "items", 0, "code"), ["ALL"]), CONDITION_ON_FREQUENCY)
)
@example(data=shipped_with((question(2, "type"), "matrix"), (question(2, "rows_from"), ["x"])))
# Accepted before: a code with a final newline (`$` matches before it).
@example(data=shipped_with((("sections", 0, "questions", 0, "code"), "institution\n")))
@FUZZ
@given(data=mutations(STATE_QUESTIONNAIRE))
def test_a_mutated_questionnaire_gives_a_questionnaire_or_a_format_error(reference_registry, data):
    import_questionnaire_or_refuse(data)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ([(("version",), 2**31)], "version: at most 2147483647."),
        ([(("key",), "k" * 65)], "key: at most 64 characters."),
        ([(("title", "en"), "t" * 301)], "title.en: at most 300 characters."),
        (
            [(("title", "en"), "Nul\x00")],
            "title.en: The text holds a NUL character (U+0000) at position 4, which cannot be "
            "stored. Remove it.",
        ),
        ([(("sections", 0, "code"), "S" * 65)], "sections[0].code: at most 64 characters."),
        (
            [(question(1, "max_choices"), 2**31)],
            "sections[1].questions[1] (representation_level).max_choices: at most 2147483647.",
        ),
        (
            [(question(0, "choices", "items", 0, "code"), "A" * 65)],
            "sections[1].questions[0] (participation_frequency).choices.items[0].code: "
            "at most 64 characters.",
        ),
        (
            [(("sections", 0, "questions", 0, "text", "fr"), "\x00")],
            "sections[0].questions[0] (institution).text.fr: The text holds a NUL character "
            "(U+0000) at position 1, which cannot be stored. Remove it.",
        ),
        (
            [(("sections", 0, "questions", 0, "code"), "institution\n")],
            "sections[0].questions[0] (institution\n).code: lower-case letters, digits and "
            "underscores, starting with a letter.",
        ),
    ],
    ids=["version", "key", "title", "nul", "section", "max_choices", "choice", "nul-fr", "newline"],
)
def test_the_format_refuses_what_the_database_could_not_store(reference_registry, changes, message):
    """Found by the fuzzing: PostgreSQL refused these with a DataError (a 500), SQLite stored
    them; the code with a final newline passed the `$` of the pattern."""
    with pytest.raises(QuestionnaireFormatError) as refused:
        questionnaire_import(shipped_with(*changes))
    assert message in refused.value.errors


# --- XLSForm ---------------------------------------------------------------------------------

SHIPPED_WORKBOOK = questionnaire_to_xlsform(STATE_QUESTIONNAIRE)


def sheet_rows(source: bytes) -> dict[str, list[list[Any]]]:
    workbook = load_workbook(io.BytesIO(source))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets}  # fmt: skip


def workbook_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SHIPPED_SHEETS = sheet_rows(SHIPPED_WORKBOOK)
CELL_TEXTS = st.one_of(
    st.sampled_from([
        "text", "integer", "decimal", "year", "date", "note", "select_one", "select_multiple",
        "select_one yes_no", "select_one nowhere", "begin_group", "end_group", "begin group",
        "end group", "begin_repeat", "calculate", "yes", "no", "true()", ". >= 1",
        ". >= 5 and . <= 1", ". > 99999999999999999", "${a} = 'RED'", "selected(${b}, 'X')",
        "${nowhere} != 'x'", "local:colors", "vocabulary:nope", "mechanisms", "per_mechanism_x",
        "matrix", "state", "draft", "x" * 70, "x" * 301, "",
    ]),
    # No control characters: openpyxl cannot write them into a cell.
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=10),
)  # fmt: skip
CELLS = st.one_of(st.none(), CELL_TEXTS, st.integers(), st.floats(allow_nan=False),
                  st.booleans(), st.just(2**40))  # fmt: skip


@st.composite
def workbook_mutations(draw: st.DrawFn, most: int = 4) -> dict[str, list[list[Any]]]:
    """The shipped questionnaire's workbook with cells changed, rows deleted or duplicated."""
    sheets = copy.deepcopy(SHIPPED_SHEETS)
    for _ in range(draw(st.integers(1, most))):
        rows = sheets[draw(st.sampled_from(sorted(sheets)))]
        if not rows:
            continue
        index = draw(st.integers(0, len(rows) - 1))
        operation = draw(st.sampled_from(["cell", "cell", "cell", "delete", "duplicate"]))
        if operation == "delete":
            del rows[index]
        elif operation == "duplicate":
            rows.insert(index, list(rows[index]))
        else:
            row = rows[index]
            column = draw(st.integers(0, len(row)))
            row.extend([None] * (column + 1 - len(row)))
            row[column] = draw(CELLS)
    return sheets


@FUZZ
@given(sheets=workbook_mutations())
def test_a_mutated_workbook_gives_a_questionnaire_or_clear_errors(reference_registry, sheets):
    try:
        data = read_form(workbook_bytes(sheets))
    except XLSFormError as refused:
        assert refused.errors and all(isinstance(e, str) and e for e in refused.errors)
        event("refused by the converter")
        return
    # What the converter accepts goes on to the questionnaire import, as in the admin.
    import_questionnaire_or_refuse(data)


# --- round backups ---------------------------------------------------------------------------

TINY_SLUG = "fuzz-2025"


def tiny_questionnaire(audience: str) -> dict:
    """A small published questionnaire with every kind of part the backup has to carry:
    texts, numbers, a local list with OTHER, a condition, a per-mechanism section."""
    colours = {"source": "local", "items": [
        {"code": "RED", "label": {"en": "Red", "fr": "Rouge"}},
        {"code": "BLUE", "label": {"en": "Blue"}},
    ]}  # fmt: skip
    once = {"code": "A", "title": {"en": "About you"}, "per_mechanism": False, "questions": [
        {"code": "institution", "type": "text", "text": {"en": "Institution"}, "required": True},
        {"code": "staff", "type": "integer", "text": {"en": "Staff"}, "min_value": 0,
         "max_value": 1000},
        {"code": "budget", "type": "decimal", "text": {"en": "Budget"}},
        {"code": "colour", "type": "single", "text": {"en": "Colour"}, "choices": colours,
         "other_option": True},
        {"code": "why", "type": "text", "text": {"en": "Why red?"},
         "condition": {"question": "colour", "operator": "equals", "values": ["RED"]}},
        {"code": "since", "type": "date", "text": {"en": "Since"}},
    ]}  # fmt: skip
    sections = [once]
    if audience != "mechanism":
        sections.append({"code": "B", "title": {"en": "Each mechanism"}, "per_mechanism": True,
                         "questions": [
            {"code": "useful", "type": "yes_no", "text": {"en": "Useful?"}},
            {"code": "themes", "type": "multiple", "text": {"en": "Themes"}, "choices": colours},
            {"code": "roles", "type": "matrix", "text": {"en": "Roles"}, "choices": colours,
             "columns": {"source": "local", "items": [{"code": "LEAD", "label": {"en": "Lead"}}]},
             "rows_from": "themes"},
        ]})  # fmt: skip
    return {
        "format": "iscm-questionnaire", "format_version": 1, "key": f"fuzz-{audience}",
        "version": 1, "audience": audience, "status": "published",
        "title": {"en": f"Fuzz {audience}"}, "sections": sections,
    }  # fmt: skip


def build_tiny_round() -> SurveyRound:
    questionnaires = {a: questionnaire_import(tiny_questionnaire(a)) for a in
                      ("mechanism", "state", "organization")}  # fmt: skip
    mechanism = MechanismFactory(acronym="XFUZZ")
    state = StateFactory(country="MX")
    organization = OrganizationFactory(acronym="XFUZZORG")
    MembershipFactory(mechanism=mechanism, state=state)
    MembershipFactory(mechanism=mechanism, state=None, organization=organization,
                      role=Membership.Role.OBSERVER)  # fmt: skip
    user = RespondentUserFactory(username="fuzz-focal-point")
    StateFocalPointFactory(state=state, user=user, email="fuzz@example.org")
    today = datetime.date(2025, 3, 1)
    survey_round = round_create(
        name="Fuzz round", slug=TINY_SLUG, year=2025, opens_on=today,
        closes_on=today + datetime.timedelta(days=30), questionnaires=questionnaires,
        with_default_participants=False,
    )  # fmt: skip
    for party in (mechanism, state, organization):
        round_add_participant(survey_round=survey_round, party=party)
    survey_round = round_open(survey_round=survey_round)
    mexico = survey_round.participants.get(state=state)
    once, about = participant_responses(mexico)
    response_save_answers(response=once, expected_version=None, answers={
        "institution": "Secretaría", "staff": 12, "budget": 10.5, "colour": "RED",
        "why": "Because", "since": "2020-02-29",
    })  # fmt: skip
    response_save_answers(response=about, expected_version=None, answers={
        "useful": "yes", "themes": ["RED", "BLUE"], "roles": {"RED": ["LEAD"]},
    })  # fmt: skip
    assert participant_submit(participant=mexico, user=user) == {}
    secretariat = survey_round.participants.get(mechanism=mechanism)
    (draft,) = participant_responses(secretariat)
    response_save_answers(response=draft, expected_version=None, answers={
        "institution": "Secretariat", "colour": "OTHER", "colour_other": "Green",
    })  # fmt: skip
    return survey_round


@pytest.fixture(scope="module")
def round_document(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """A small round exported, then deleted: its document imports as it is (the base of the
    mutations). Built once for the module, in a transaction rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        survey_round = build_tiny_round()
        document = json.loads("".join(iter_round_json(survey_round)))
        survey_round.delete()
        yield document
        transaction.set_rollback(True)


def round_counts() -> dict[str, int]:
    models = [
        SurveyRound, RoundParticipant, Invitation, Response, Answer, Response.history.model,
        Answer.history.model, Questionnaire, Question, Choice, Mechanism, Organization, State,
        Membership, FocalPoint,
    ]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def round_usable(survey_round: SurveyRound) -> None:
    """An imported round can be exported again."""
    json.loads("".join(iter_round_json(SurveyRound.objects.get(pk=survey_round.pk))))


def import_round_or_refuse(data: Any) -> None:
    undone(lambda: refused_or_done(
        import_round, data, RoundImportError, round_counts, round_usable
    ))  # fmt: skip


def test_the_tiny_round_document_imports_as_it_is(round_document):
    assert len(round_document["responses"]) == 3
    assert round_document["responses"][0]["answer_history"]

    def round_trip() -> None:
        import_round(copy.deepcopy(round_document))
        imported = SurveyRound.objects.get(slug=TINY_SLUG)
        assert json.loads("".join(iter_round_json(imported))) == round_document

    undone(round_trip)


@FUZZ
@given(data=st.one_of(JSON, st.fixed_dictionaries(
    {"format": st.just("iscm-round"), "format_version": st.just(1)},
    optional={key: JSON for key in ("round", "questionnaires", "registry", "participants",
                                    "responses")},
)))  # fmt: skip
def test_random_json_gives_a_round_or_a_round_import_error(round_document, data):
    import_round_or_refuse(data)


def test_a_membership_of_an_unknown_mechanism_is_refused(round_document):
    """Found by the fuzzing: Mechanism.DoesNotExist escaped the import (a 500)."""
    data = replaced(round_document, (("registry", "memberships", 0, "mechanism"), "NOPE"))
    before = round_counts()
    with pytest.raises(RoundImportError, match="Unknown mechanism “NOPE” in the memberships"):
        import_round(data)
    assert round_counts() == before


@FUZZ
@given(data=st.data())
def test_a_mutated_round_backup_gives_a_round_or_a_round_import_error(round_document, data):
    import_round_or_refuse(data.draw(mutations(round_document, by_part=True)))
