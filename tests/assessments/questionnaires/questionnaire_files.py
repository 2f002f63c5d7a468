"""Questionnaires as the JSON files questionnaire_import reads and questionnaire_to_dict
writes, made by hand for the tests, and a count of the rows an import writes."""

from __future__ import annotations

from typing import Any

from assessments.questionnaires.models import Choice, Question, Questionnaire, Section

SHIPPED_KEYS = ("mechanism", "state", "organization")


def counts() -> tuple[int, int, int, int]:
    return tuple(model.objects.count() for model in (Questionnaire, Section, Question, Choice))


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
