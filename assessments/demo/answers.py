"""Plausible, valid answer sets for demo data and benchmarks.

`generate_answers` walks a questionnaire snapshot in display order and answers every visible
question, so that a condition's target is answered before its dependents and a matrix sees the
rows chosen earlier. It never touches the database and draws every random choice from the
`rng` it is given: the same seed gives the same answers, texts included.

`context` makes answers plausible and coherent with the registry. Every key is optional:

    acronym, name, kind        the mechanism answered about (the mechanism itself, or the one a
                               per-mechanism section is about); `kind` is Mechanism.Kind
    thematic_areas             its registry thematic area codes
    gcm_objectives             GCM objective codes those areas map to
    chair_model, secretariat_type, secretariat_host   registry codes and text
    established, members       year established, number of members
    respondent                 the State or organization answering (for texts)
    roles                      the organization's registry roles in the mechanism
                               (Membership.Role values: member, observer, secretariat, chair)
    year                       the round's year (upper bound of plausible years; 2019)
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any

from assessments.questionnaires.schema import (
    OTHER_CODE,
    OTHER_SUFFIX,
    QuestionnaireSchema,
    QuestionSpec,
)
from assessments.questionnaires.validation import allowed_matrix_rows, is_visible

Context = Mapping[str, Any]

OTHER_PROBABILITY = 0.04  # "other, please specify" is a rare answer
NONE_PROBABILITY = 0.05  # so is an exclusive "none" in a multiple choice
EXCLUSIVE_CODES = frozenset({"NONE"})
PLAUSIBLE_YEARS = (2005, 2019)

TOPICS = {
    "GOV": "migration governance", "DATA": "migration data and statistics",
    "LAB": "labour migration", "REC": "fair and ethical recruitment",
    "MD": "migration and development", "REM": "remittances", "DIAS": "diaspora engagement",
    "IRR": "irregular migration", "TIP": "trafficking in persons", "SOM": "migrant smuggling",
    "BM": "border management", "RET": "return and reintegration",
    "RIGHTS": "the protection of migrants' rights", "CHILD": "unaccompanied migrant children",
    "CONS": "consular protection", "ASY": "international protection",
    "INT": "the integration of migrants", "HLTH": "migration and health",
    "ENV": "migration, environment and climate change", "CRISIS": "migrants in crisis situations",
    "GEN": "gender and migration", "FREE": "free movement", "MISS": "missing migrants",
    "INFO": "public perceptions of migration", "CAP": "capacity building",
    "DET": "alternatives to detention", "SOC": "social protection",
    "TECH": "biometrics and document security", "BRAIN": "skills retention",
    "SDG": "the migration targets of the 2030 Agenda",
}  # fmt: skip
GENERIC_TOPICS = ("labour migration", "migration data", "border management",
                  "trafficking in persons", "migration and development")  # fmt: skip
NOUNS_BY_KIND = {"rcp": "the process", "interregional_forum": "the dialogue",
                 "global_process": "the forum", "other": "the mechanism"}  # fmt: skip
EMERGING = ("ENV", "TECH", "HLTH", "CRISIS", "MISS", "SDG", "DATA", "REC", "INT")
YES_NO_WEIGHTS = {"yes": 70, "no": 30, "dk": 0}
CONTRIBUTION_WEIGHTS = {"yes": 62, "no": 24, "dk": 14}
SCALE_WEIGHTS = (2, 6, 22, 40, 30)  # 1 (not at all) to 5 (very much): members mostly value it
SINGLE_WEIGHTS = {
    "has_strategy": {"YES": 60, "NO": 25, "IN_PREPARATION": 15},
    "respondent_role": {"SECRETARIAT": 60, "CHAIR": 30, "JOINT": 10},
    "operating_modalities": {"TERMS_OF_REFERENCE": 40, "RULES_OF_PROCEDURE": 15,
                             "ACTION_PLAN": 15, "DECLARATION": 15, "INFORMAL": 12, "NONE": 3},
    "decision_making": {"CONSENSUS": 85, "MAJORITY": 5, "BY_CHAIR": 5, "OTHER": 5},
    "participation_frequency": {"ALL": 40, "MOST": 35, "SOME": 18, "RARELY": 7},
    "state_contribution": {"FINANCIAL": 15, "IN_KIND": 45, "BOTH": 15, "NONE": 25},
    "travel_costs": {"OWN_COST": 55, "MECHANISM": 10, "DONOR": 15, "MIXED": 20},
    "meeting_frequency": {"SEVERAL_A_YEAR": 25, "ANNUAL": 50, "EVERY_TWO_YEARS": 15,
                          "IRREGULAR": 10},
}  # fmt: skip
ROTATION_BY_CHAIR_MODEL = {
    "ROT": ("ANNUAL", "BIENNIAL", "OTHER_TERM"), "PPT": ("ANNUAL",), "TROIKA": ("ANNUAL",),
    "TANDEM": ("BIENNIAL", "OTHER_TERM"), "LEAD_STATE": ("PERMANENT", "OTHER_TERM"),
    "COCHAIR": ("PERMANENT",), "CHAIR_COCHAIR": ("PERMANENT",), "PERM_ORG": ("PERMANENT",),
    "NONE": ("NO_CHAIR",),
}  # fmt: skip
PARTNER_ROLES = {
    "OBSERVER_STATE": ("OBSERVER", "SPEAKER"), "DONOR": ("DONOR", "OBSERVER"),
    "UN_AGENCY": ("OBSERVER", "SPEAKER", "TECHNICAL_EXPERT", "IMPLEMENTING_PARTNER"),
    "OTHER_IGO": ("OBSERVER", "SPEAKER", "TECHNICAL_EXPERT"), "REC": ("OBSERVER", "MEMBER"),
    "OTHER_ISCM": ("OBSERVER", "SPEAKER"), "GLOBAL_PROCESS": ("OBSERVER", "SPEAKER"),
    "CSO": ("SPEAKER", "IMPLEMENTING_PARTNER"), "ACADEMIA": ("SPEAKER", "TECHNICAL_EXPERT"),
    "PRIVATE_SECTOR": ("SPEAKER",), "DIASPORA": ("SPEAKER",), "SOCIAL_PARTNERS": ("SPEAKER",),
    "NHRI": ("OBSERVER", "SPEAKER"), "PARLIAMENTARIANS": ("OBSERVER", "SPEAKER"),
    "LOCAL_AUTHORITIES": ("SPEAKER", "IMPLEMENTING_PARTNER"),
}  # fmt: skip
FUNDING_BY_SECRETARIAT = {"IOM": "IOM", "IOM_ADMIN": "IOM", "IOM_UNHCR": "IOM", "ICMPD": "EU",
                          "REC": "REC_BUDGET", "OWN": "MEMBER_CONTRIB", "CHAIR": "CHAIR_HOST"}  # fmt: skip
ORGANIZATION_ROLES = {"secretariat": "SECRETARIAT", "observer": "OBSERVER", "member": "MEMBER"}
INSTITUTIONS = (
    "Ministry of Foreign Affairs", "Ministry of the Interior", "Ministry of Labour",
    "Directorate General of Migration", "National Immigration Service",
    "Ministry of Foreign Affairs, Department of Consular Affairs",
    "Ministry of Home Affairs, Migration Policy Unit", "National Commission on Migration",
)  # fmt: skip
UNITS = (
    "Department of Partnerships and Coordination", "Regional Office, Policy Unit",
    "Division of International Protection", "Migration Policy Department",
    "Labour Migration Branch", "Governance and Partnerships Division",
)  # fmt: skip
DOCUMENTS = ("Terms of Reference", "Rules of Procedure", "Regional Action Plan",
             "Ministerial Declaration", "Strategic Framework")  # fmt: skip
STRATEGY_TITLES = ("Action Plan", "Strategic Plan", "Workplan", "Strategic Framework")
OTHER_TEXTS = ("Joint communiqués", "Ad hoc contributions", "Online consultations",
               "Study visits", "Regional newsletters")  # fmt: skip
EXAMPLES = {
    "national": (
        "{Subject} helped {someone} to draft a national policy on {topic}, adopted in {year}.",
        "Training organised through {subject} strengthened national capacities on {topic}.",
        "Following recommendations made within {subject}, an inter-ministerial working group "
        "on {topic} was set up in {year}.",
    ),
    "bilateral": (
        "Contacts made at {subject} led to a memorandum of understanding on {topic} in {year}.",
        "{Subject} facilitated information exchange between neighbouring States on {topic}.",
    ),
    "regional": (
        "{Subject} adopted regional guidelines on {topic} in {year}.",
        "A regional action plan on {topic} was agreed within {subject} in {year}.",
    ),
    "interregional": (
        "{Subject} facilitated a dialogue between countries of origin, transit and destination "
        "on {topic}.",
        "Members of {subject} agreed a joint declaration on {topic} in {year}.",
    ),
    "global": (
        "{Subject} fed a common position on {topic} into the negotiations of the Global "
        "Compact for Migration.",
        "{Subject} presented its work on {topic} at the Global Forum on Migration and "
        "Development in {year}.",
    ),
}
TEMPLATES = {
    "thematic_evolution": (
        "{Subject} started with a focus on {topic} and has progressively widened its agenda "
        "to {other_topic}.",
        "The thematic focus of {subject} has remained largely unchanged since its "
        "establishment, centred on {topic}.",
    ),
    "added_value_example": (
        "{Subject} provided a forum to exchange good practices on {topic}.",
        "Through {subject}, {someone} built trust with neighbouring States and a network of "
        "counterparts working on {topic}.",
        "Participation in {subject} gave {someone} access to technical advice on {topic}.",
    ),
    "partnership_description": (
        "{Subject} works with UN agencies and regional organizations, which take part as "
        "observers and technical experts on {topic}.",
        "Civil society and academia are invited to the thematic meetings of {subject}, notably "
        "on {topic}.",
    ),
    "overlap_details": (
        "Some discussions on {topic} are also held in other regional processes.",
        "Work on {topic} partly overlaps with that of the regional economic community.",
    ),
    "recommendations": (
        "Strengthen the follow-up of recommendations on {topic} between meetings.",
        "Secure predictable funding for {subject} and its work on {topic}.",
        "Increase exchanges with other mechanisms working on {topic}.",
        "More regular meetings of experts on {topic} would be welcome.",
    ),
    None: (
        "{Subject} provided a forum to exchange good practices on {topic}.",
        "{Subject} contributed to a common understanding of {topic} among its members.",
    ),
}


def generate_answers(
    schema: QuestionnaireSchema,
    rng: random.Random,
    *,
    scope: str | None,
    context: dict | None = None,
) -> dict:
    """A complete, valid answer set (code -> value) for the questions of `scope`."""
    context = context or {}
    answers: dict[str, Any] = {}
    for question in schema.questions_in(scope):
        if question.type == "note" or not is_visible(question, answers):
            continue
        value = GENERATORS[question.type](question, rng, context, answers)
        if value is None:
            continue
        answers[question.code] = value
        if question.other_option and chose_other(value):
            answers[question.code + OTHER_SUFFIX] = rng.choice(OTHER_TEXTS)
    return answers


def chose_other(value: Any) -> bool:
    return value == OTHER_CODE or (isinstance(value, list) and OTHER_CODE in value)


# --- helpers ----------------------------------------------------------------------------------


def weighted(rng: random.Random, weights: Mapping[str, int], allowed: Sequence[str]) -> str:
    codes = [code for code in allowed if weights.get(code, 0) > 0]
    if not codes:
        return rng.choice(list(allowed))
    return rng.choices(codes, weights=[weights[code] for code in codes])[0]


def ordered(question: QuestionSpec, codes: Sequence[str]) -> list[str]:
    """The chosen codes in the question's option order (the order validation normalises to)."""
    order = {code: index for index, code in enumerate((*question.option_codes, OTHER_CODE))}
    return sorted(set(codes), key=order.__getitem__)


def limit(question: QuestionSpec, count: int) -> int:
    return min(count, question.max_choices) if question.max_choices else count


def sample(rng: random.Random, pool: Sequence[str], low: int, high: int) -> list[str]:
    """Between `low` and `high` codes of `pool` (fewer if the pool is smaller)."""
    high = min(high, len(pool))
    if high <= 0:
        return []
    return rng.sample(list(pool), rng.randint(min(low, high), high))


def registry_codes(question: QuestionSpec, context: Context, key: str) -> list[str]:
    """Codes of the context's registry list `key` that the question offers (registry order)."""
    offered = set(question.option_codes)
    return [code for code in context.get(key) or () if code in offered]


def round_year(context: Context) -> int:
    return int(context.get("year") or PLAUSIBLE_YEARS[1])


# --- one generator per question type -----------------------------------------------------------


def gen_single(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> str | None:
    options = question.option_codes
    if not options:
        return OTHER_CODE if question.other_option else None
    if question.other_option and rng.random() < OTHER_PROBABILITY:
        return OTHER_CODE
    special = SINGLE_HOOKS.get(question.code)
    value = special(question, rng, context, answers) if special else None
    if value in options:
        return value
    return weighted(rng, SINGLE_WEIGHTS.get(question.code, {}), options)


def from_registry(key: str) -> Callable[..., str | None]:
    def hook(question: QuestionSpec, rng: random.Random, context: Context, answers: dict):
        return context.get(key) or None

    return hook


def chair_rotation(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> str | None:
    model = answers.get("chair_model") or context.get("chair_model")
    choices = ROTATION_BY_CHAIR_MODEL.get(model or "")
    return rng.choice(choices) if choices else None


def respondent_role(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> str | None:
    return "CHAIR" if context.get("secretariat_type") in {"NONE", "CHAIR"} else None


SINGLE_HOOKS: dict[str, Callable[..., str | None]] = {
    "chair_model": from_registry("chair_model"),
    "secretariat_type": from_registry("secretariat_type"),
    "chair_rotation": chair_rotation,
    "respondent_role": respondent_role,
}


def gen_multiple(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> list[str] | None:
    options = [code for code in question.option_codes if code not in EXCLUSIVE_CODES]
    exclusive = [code for code in question.option_codes if code in EXCLUSIVE_CODES]
    if exclusive and (not options or rng.random() < NONE_PROBABILITY):
        return [exclusive[0]]
    special = MULTIPLE_HOOKS.get(question.code)
    chosen = special(question, rng, context, answers) if special else None
    chosen = [code for code in chosen or () if code in options]
    if not chosen:
        chosen = sample(rng, options, 1, 5 if len(options) > 12 else 3)
    chosen = chosen[: limit(question, len(chosen))]
    if question.other_option and rng.random() < OTHER_PROBABILITY:
        chosen = [*chosen[: limit(question, len(chosen) + 1) - 1], OTHER_CODE]
    return ordered(question, chosen) or None


def current_areas(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> list[str]:
    """Most of the mechanism's registry areas (members name what it works on)."""
    areas = registry_codes(question, context, "thematic_areas")
    return sample(rng, areas, max(1, (len(areas) + 1) // 2), 8)


def areas_at_establishment(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> list[str]:
    """A part of today's areas: mechanisms mostly widened their focus."""
    current = answers.get("thematic_areas_current") or []
    return sample(rng, current, 1, max(1, len(current) - 1))


def emerging_themes(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> list[str]:
    pool = [code for code in EMERGING if code in question.option_codes]
    return sample(rng, pool, 1, 3)


def registry_subset(key: str, low: int, high: int) -> Callable[..., list[str]]:
    def hook(question: QuestionSpec, rng: random.Random, context: Context, answers: dict):
        return sample(rng, registry_codes(question, context, key), low, high)

    return hook


def cooperating_mechanisms(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> list[str]:
    others = [code for code in question.option_codes if code != context.get("acronym")]
    return sample(rng, others, 1, 3)


def organization_roles(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> list[str]:
    roles = [ORGANIZATION_ROLES[r] for r in context.get("roles") or () if r in ORGANIZATION_ROLES]
    extra = sample(rng, ["TECHNICAL_EXPERT", "SPEAKER", "IMPLEMENTING_PARTNER"], 0, 2)
    return [code for code in [*roles, *extra] if code in question.option_codes]


def funding_sources(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> list[str]:
    """Who hosts the secretariat usually pays part of it; members and donors the rest."""
    host = FUNDING_BY_SECRETARIAT.get(context.get("secretariat_type") or "")
    others = [code for code in question.option_codes if code != host]
    return ([host] if host else []) + sample(rng, others, 1, 2)


MULTIPLE_HOOKS: dict[str, Callable[..., list[str]]] = {
    "thematic_areas_current": current_areas,
    "thematic_areas_at_establishment": areas_at_establishment,
    "emerging_themes": emerging_themes,
    "thematic_relevance": registry_subset("thematic_areas", 1, 4),
    "gcm_objectives": registry_subset("gcm_objectives", 2, 6),
    "cooperating_mechanisms": cooperating_mechanisms,
    "organization_roles": organization_roles,
    "funding_sources": funding_sources,
}


def gen_matrix(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> dict[str, list[str]] | None:
    rows = allowed_matrix_rows(question, answers)
    columns = question.column_codes
    if not rows or not columns:
        return None  # nothing to tick: left empty (a matrix is never required without rows)
    return {row: sorted(matrix_cells(rng, row, columns), key=columns.index) for row in rows}


def matrix_cells(rng: random.Random, row: str, columns: Sequence[str]) -> list[str]:
    """One or two columns, among those plausible for the row where we know them."""
    plausible = [code for code in PARTNER_ROLES.get(row, ()) if code in columns]
    return sample(rng, plausible or columns, 1, 2)


def gen_yes_no(question: QuestionSpec, rng: random.Random, context: Context, answers: dict) -> str:
    weights = CONTRIBUTION_WEIGHTS if question.code.startswith("contribution_") else YES_NO_WEIGHTS
    return weighted(rng, weights, question.option_codes)


def gen_scale(question: QuestionSpec, rng: random.Random, context: Context, answers: dict) -> int:
    return rng.choices(range(1, 6), weights=SCALE_WEIGHTS)[0]


def bounds(question: QuestionSpec, low: int, high: int) -> tuple[int, int]:
    """Whole numbers in [low, high] and in the question's range; its range wins if they are apart."""
    q_low = None if question.min_value is None else math.ceil(question.min_value)
    q_high = None if question.max_value is None else math.floor(question.max_value)
    minimum = low if q_low is None else max(low, q_low)
    maximum = high if q_high is None else min(high, q_high)
    if minimum <= maximum:
        return minimum, maximum
    if q_low is not None and q_high is not None:
        return q_low, max(q_low, q_high)
    edge = q_low if q_low is not None else q_high
    return edge, edge


def gen_year(question: QuestionSpec, rng: random.Random, context: Context, answers: dict) -> int:
    low, high = bounds(question, *plausible_years(context, PLAUSIBLE_YEARS[0]))
    named = title_start_year(answers) if question.code == "strategy_since" else None
    return named if named and low <= named <= high else rng.randint(low, high)


def title_start_year(answers: dict) -> int | None:
    """The first year of a generated strategy title ("RCM Action Plan 2017-2020")."""
    title = answers.get("strategy_title") or ""
    return int(title[-9:-5]) if title[-9:-5].isdigit() else None


def gen_integer(question: QuestionSpec, rng: random.Random, context: Context, answers: dict) -> int:
    return rng.randint(*bounds(question, 0, 100))


def gen_decimal(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> Decimal:
    low = Decimal(0) if question.min_value is None else question.min_value
    high = low + 100 if question.max_value is None else question.max_value
    value = low + (high - low) * Decimal(rng.randint(0, 100)) / 100
    # Rounding down keeps the value within [low, high] (both have at most 6 decimal places).
    return min(max(value.quantize(Decimal("0.000001"), rounding=ROUND_DOWN), low), high)


def gen_date(
    question: QuestionSpec, rng: random.Random, context: Context, answers: dict
) -> datetime.date:
    return datetime.date(round_year(context), rng.randint(1, 12), rng.randint(1, 28))


# --- texts --------------------------------------------------------------------------------------


def gen_text(question: QuestionSpec, rng: random.Random, context: Context, answers: dict) -> str:
    special = TEXT_HOOKS.get(question.code)
    if special:
        return special(rng, context)
    if question.type == "long_text":
        return long_text(question.code, rng, context)
    return sentence(rng.choice(TEMPLATES[None]), rng, context)


def long_text(code: str, rng: random.Random, context: Context) -> str:
    for level, templates in EXAMPLES.items():
        if code == f"contribution_{level}_example":
            return sentence(rng.choice(templates), rng, context)
    return sentence(rng.choice(TEMPLATES.get(code) or TEMPLATES[None]), rng, context)


def sentence(template: str, rng: random.Random, context: Context) -> str:
    subject = mechanism_phrase(context)
    topics = [TOPICS[c] for c in context.get("thematic_areas") or () if c in TOPICS]
    topic, other_topic = rng.sample(topics if len(topics) > 1 else GENERIC_TOPICS, 2)
    return template.format(
        Subject=subject[0].upper() + subject[1:],
        subject=subject,
        someone=context.get("respondent") or "Member States",
        topic=topic,
        other_topic=other_topic,
        year=rng.randint(*plausible_years(context, 2010)),
    )


def mechanism_phrase(context: Context) -> str:
    """ "the Regional Conference on Migration (Puebla Process)", or "the process" without a name."""
    name = context.get("name") or context.get("acronym")
    if not name:
        return NOUNS_BY_KIND.get(context.get("kind") or "", "the mechanism")
    return name if name.lower().startswith("the ") else f"the {name}"


def plausible_years(context: Context, earliest: int) -> tuple[int, int]:
    """From `earliest` (or the mechanism's establishment, if later) to the round's year."""
    low = max(earliest, int(context.get("established") or 0))
    return low, max(low, round_year(context))


def strategy_title(rng: random.Random, context: Context) -> str:
    start = rng.randint(*plausible_years(context, round_year(context) - 3))
    prefix = context.get("acronym") or "Regional"
    return f"{prefix} {rng.choice(STRATEGY_TITLES)} {start}-{start + 3}"


def document_name(rng: random.Random, context: Context) -> str:
    return f"{rng.choice(DOCUMENTS)} of the {context.get('acronym') or 'mechanism'}"


def secretariat_host(rng: random.Random, context: Context) -> str:
    return context.get("secretariat_host") or rng.choice(
        ("IOM regional office", "Ministry of Foreign Affairs of the chair", "ICMPD")
    )


def pick_from(values: Sequence[str]) -> Callable[[random.Random, Context], str]:
    return lambda rng, context: rng.choice(values)


TEXT_HOOKS: dict[str, Callable[[random.Random, Context], str]] = {
    "strategy_title": strategy_title,
    "operating_modalities_document": document_name,
    "secretariat_host": secretariat_host,
    "institution": pick_from(INSTITUTIONS),
    "unit": pick_from(UNITS),
}

GENERATORS: dict[str, Callable[..., Any]] = {
    "single": gen_single,
    "multiple": gen_multiple,
    "matrix": gen_matrix,
    "text": gen_text,
    "long_text": gen_text,
    "integer": gen_integer,
    "year": gen_year,
    "decimal": gen_decimal,
    "date": gen_date,
    "yes_no": gen_yes_no,
    "yes_no_dk": gen_yes_no,
    "scale5": gen_scale,
}
