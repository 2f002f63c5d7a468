"""Compose a mechanism's "Summary of Findings" from its inputs, in one language.

Every sentence comes from an answer or the registry, through an editorial layer: choices are
named by their summary phrases (never by a questionnaire's wording), counts are over who
answered the question, lists give the most frequent items first and sum up the rest, a few
varied examples are quoted, and the subject of the sentences varies as in the 2019 text. The
text is then tightened, in fixed steps, until it fits the summary's word budget. The same
inputs always give the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.summaries.compose.added_value import added_value
from assessments.summaries.compose.context import Context, Limits
from assessments.summaries.compose.contribution import LEVELS, contribution, level_label
from assessments.summaries.compose.focus import thematic_focus
from assessments.summaries.compose.partnerships import partnerships
from assessments.summaries.compose.structures import structures
from assessments.summaries.inputs import SummaryInputs
from assessments.summaries.wording import finish, join_list, quote, sentence
from mechanisms.translation import localized

__all__ = ["LEVELS", "SummaryContent", "compose_summary", "level_label", "section_titles"]

# Tighter and tighter: fewer examples first (they are the longest sentences), then shorter
# lists, then the secretariat's long descriptions, and last the counts of listed items. The
# 2019 summary of EU-CELAC has 455 words; a round with many respondents about a mechanism gets
# more room, never more than LARGEST_BUDGET.
STEPS = (
    Limits(3, 2),
    Limits(2, 2),
    Limits(2, 1),
    Limits(1, 1),
    Limits(1, 1, descriptions=False),
    Limits(1, 0, descriptions=False),
    Limits(1, 0, descriptions=False, evolution=False),
    Limits(1, 0, descriptions=False, evolution=False, counts=False),
)
BASE_BUDGET, BASE_RESPONDENTS, WORDS_PER_RESPONDENT, LARGEST_BUDGET = 500, 10, 20, 900
# How much longer the same summary runs in a language than in English, so that the facts stay
# the same (measured on the demo round, same steps: French +22 %, Spanish +18 % at the median,
# +27 % and +22 % at most; a longer one tightens one step further).
LANGUAGE_LENGTH = {"fr": 1.25, "es": 1.25}

# An organizer written as an acronym, as a sentence names it in each language.
ORGANIZER_NAMES = {
    "IOM": {"fr": "l'OIM", "es": "la OIM"},
    "UNHCR": {"fr": "le HCR", "es": "el ACNUR"},
    "ILO": {"fr": "l'OIT", "es": "la OIT"},
    "EU": {"fr": "l'UE", "es": "la UE"},
    "UN": {"fr": "l'ONU", "es": "la ONU"},
    "ICMPD": {"fr": "l'ICMPD", "es": "el ICMPD"},
}


def section_titles() -> dict[str, str]:
    return {
        "1": _("Evolution of programming and thematic focus"),
        "2": _("Contribution to migration governance at national, (inter)regional and global levels (with examples)"),
        "3": _("Salient ISCM structures"),
        "4": _("Partnership models by the ISCM"),
        "5": _("Added value of membership in the given ISCM for States and organizations (with examples)"),
    }  # fmt: skip


def empty_section(number: str) -> str:
    return {
        "1": _("No information was provided on the evolution of its programming and thematic focus."),
        "2": _("No information was provided on its contribution to migration governance."),
        "3": _("No information was provided on its structures."),
        "4": _("No information was provided on its partnerships."),
        "5": _("No information was provided on the added value of membership."),
    }[number]  # fmt: skip


SECTIONS: dict[str, Callable[[Context], list[str]]] = {
    "1": thematic_focus,
    "2": contribution,
    "3": structures,
    "4": partnerships,
    "5": added_value,
}


@dataclass
class SummaryContent:
    language: str
    title: str
    introduction: list[str]
    name_line: str
    section_titles: dict[str, str]
    sections: dict[str, str]  # number -> Markdown paragraphs separated by blank lines


def word_budget(inputs: SummaryInputs, language: str = "en") -> int:
    """About 500 words of sections up to ten respondents, 20 more for each further one, at
    most 900; a little more in the languages that need more words for the same facts."""
    respondents = (
        (1 if inputs.own_response_id else 0)
        + inputs.states.respondents
        + inputs.organizations.respondents
    )
    extra = max(0, respondents - BASE_RESPONDENTS) * WORDS_PER_RESPONDENT
    english = min(LARGEST_BUDGET, BASE_BUDGET + extra)
    return round(english * LANGUAGE_LENGTH.get(language, 1.0))


def words(sections: dict[str, str]) -> int:
    return sum(len(text.split()) for text in sections.values())


def compose_sections(inputs: SummaryInputs, language: str, limits: Limits) -> dict[str, str]:
    ctx = Context(inputs, language, limits)
    sections = {}
    for number, compose in SECTIONS.items():
        ctx.voice.new_section()
        paragraphs = [finish(p, language) for p in compose(ctx) if p]
        sections[number] = "\n\n".join(paragraphs) or finish(empty_section(number), language)
    return sections


def fitting_steps(inputs: SummaryInputs) -> tuple[Limits, ...]:
    """The steps from the first at which the English text fits its budget: every language
    starts there, so that a summary says the same things in English, French and Spanish."""
    with translation.override("en"):
        for index, limits in enumerate(STEPS):
            if words(compose_sections(inputs, "en", limits)) <= word_budget(inputs):
                return STEPS[index:]
    return STEPS[-1:]


def compose_summary(inputs: SummaryInputs, language: str) -> SummaryContent:
    steps = fitting_steps(inputs)
    with translation.override(language):
        budget = word_budget(inputs, language)
        for limits in steps:
            sections = compose_sections(inputs, language, limits)
            if words(sections) <= budget:
                break
        name = localized(inputs.mechanism, "name", language)
        return SummaryContent(
            language=language,
            title=_("Summary of Findings per ISCM"),
            introduction=[finish(p, language) for p in introduction(inputs, language)],
            name_line=finish(
                _("Name of the inter-State consultation mechanism (ISCM): %(name)s")
                % {"name": name},
                language,
            ),
            section_titles={n: finish(t, language) for n, t in section_titles().items()},
            sections=sections,
        )


def organizer_name(organizer: str, language: str) -> str:
    return ORGANIZER_NAMES.get(organizer.strip(), {}).get(language, organizer)


def introduction(inputs: SummaryInputs, language: str) -> list[str]:
    survey_round, figures = inputs.survey_round, inputs.figures
    first = _(
        "As part of an assessment of inter-State consultation mechanisms on migration (ISCMs), "
        "a survey was conducted in %(year)s. Carried out by %(organizer)s among ISCMs, their "
        "Member States and relevant intergovernmental organizations, the survey aimed to assess "
        "ISCMs' continued relevance and contribution to migration governance at all levels "
        "(national, regional and international) and the synergies among ISCMs and with other actors."
    ) % {"year": survey_round.year, "organizer": organizer_name(survey_round.organizer, language)}
    # Literal ngettext calls, so that makemessages finds them.
    kinds = (
        (figures.states, ngettext("%(n)d State", "%(n)d States", figures.states)),
        (figures.mechanisms, ngettext("%(n)d ISCM", "%(n)d ISCMs", figures.mechanisms)),
        (
            figures.organizations,
            ngettext(
                "%(n)d intergovernmental organization",
                "%(n)d intergovernmental organizations",
                figures.organizations,
            ),
        ),
    )
    # nobody of a kind: not named ("0 intergovernmental organizations")
    counts = [text % {"n": n} for n, text in kinds if n]
    second = _("%(counts)s provided answers to the questionnaires of the round %(round)s.") % {
        "counts": join_list(counts),
        "round": quote(survey_round.name),
    }
    third = _(
        "The information below outlines this ISCM's thematic priorities, structure, impact and "
        "relevance, as reported by the mechanism, its Member States and the organizations engaged with it."
    )
    return [first, sentence(second), third]
