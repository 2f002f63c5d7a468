"""What every section's composer reads: the inputs, the phrasebook, the voice and the limits,
with the small editorial rules they share (who answered, ranked lists, examples)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.questionnaires.models import Audience
from assessments.questionnaires.schema import OTHER_CODE, OTHER_SUFFIX, QuestionnaireSchema
from assessments.summaries.examples import (
    SECRETARIAT,
    STATE,
    Example,
    pick_examples,
)
from assessments.summaries.inputs import AudienceAnswers, SummaryInputs
from assessments.summaries.phrases import Phrasebook
from assessments.summaries.voice import Voice
from assessments.summaries.wording import join_list, quote, sentence


@dataclass(frozen=True)
class Limits:
    """How much a summary lists: tightened, in steps, until it fits its word budget."""

    items: int = 3  # items listed before "and N other …"
    examples: int = 2  # quoted examples per question (and level)
    # The secretariat's descriptions of its partnerships and its host: quoted while there is
    # room, left to the exports when there is not; its account of its evolution goes last.
    descriptions: bool = True
    evolution: bool = True
    # "(6 of 7)" after each listed item; the last resort drops them (the order still ranks).
    counts: bool = True


@dataclass(frozen=True)
class Ranked:
    """A ranked list of phrases with the number of respondents who named each."""

    items: list[tuple[str, int]]
    answered: int  # who answered the question: the denominator of every count


class Context:
    def __init__(self, inputs: SummaryInputs, language: str, limits: Limits) -> None:
        self.inputs = inputs
        self.language = language
        self.limits = limits
        self.own: dict[str, Any] = inputs.own
        self.book = Phrasebook(language)
        self.voice = Voice(inputs.mechanism, language)
        self.mechanism_schema: QuestionnaireSchema = inputs.schemas[Audience.MECHANISM]
        self.state_schema: QuestionnaireSchema = inputs.schemas[Audience.STATE]
        self.organization_schema: QuestionnaireSchema = inputs.schemas[Audience.ORGANIZATION]
        self.example_turn = 0

    @property
    def states(self) -> AudienceAnswers:
        return self.inputs.states

    @property
    def organizations(self) -> AudienceAnswers:
        return self.inputs.organizations

    def subject(self) -> str:
        return self.voice.subject()

    # --- the mechanism's own answers ---------------------------------------------------------

    def own_values(self, code: str) -> list[str]:
        value = self.own.get(code)
        if value in (None, "", []):
            return []
        return value if isinstance(value, list) else [value]

    def own_phrases(self, code: str) -> list[str]:
        choices = [v for v in self.own_values(code) if v != OTHER_CODE]
        other = self.own.get(f"{code}{OTHER_SUFFIX}") or ""
        return self.book.phrases(self.mechanism_schema, code, choices, other)

    def own_choice(self, code: str) -> str:
        values = self.own_values(code)
        return values[0] if values else ""

    def own_sentence(self, code: str) -> str:
        choice = self.own_choice(code)
        return self.book.sentence(self.mechanism_schema, code, choice) if choice else ""

    def own_phrase(self, code: str) -> str:
        choice = self.own_choice(code)
        if not choice or choice == OTHER_CODE:
            other = self.own.get(f"{code}{OTHER_SUFFIX}") or ""
            return quote(other) if other else ""
        return self.book.phrase(self.mechanism_schema, code, choice)

    def listed(self, phrases: list[str], other: Callable[[int], str]) -> str:
        """The secretariat's own list, cut as every list is: the first items, then "and N
        other …" (the full list is in the exports)."""
        cut = self.limits.items + 1
        if len(phrases) == cut + 1:
            cut += 1  # "and 1 other function" says no less than the function itself
        shown, rest = phrases[:cut], phrases[cut:]
        return join_list([*shown, other(len(rest))] if rest else shown)

    # --- counts over who answered ------------------------------------------------------------

    def ranked(self, answers: AudienceAnswers, schema: QuestionnaireSchema, code: str) -> Ranked:
        question = schema.questions.get(code)
        options = question.option_codes if question else ()
        items = [
            (self.book.phrase(schema, code, choice), n)
            for choice, n in answers.ranked(code, options)
            if choice != OTHER_CODE
        ]
        return Ranked(items, answers.answered.get(code, 0))

    def counted(self, ranked: Ranked, other: Callable[[int], str]) -> tuple[str, bool]:
        """The most frequent items with their counts, the rest as "and N other …"; and whether
        every respondent who answered named every listed item (then no count is printed, and
        a sentence can say "all").

        Items tied with the last one listed are never cut from an unanimous list: when all
        respondents named the same eight benefits, the eight are the finding.
        """
        items, n = ranked.items, ranked.answered
        if not items:
            return "", False
        unanimous = n > 1 and all(k == n for _phrase, k in items)
        if unanimous:
            shown, rest = items[:8], items[8:]
        else:
            # An item tied with the last one shown is shown too (up to two more): which of
            # equals to cut would be the questionnaire's order, not the answers.
            cut = self.limits.items
            last = items[cut - 1][1] if len(items) >= cut else 0
            while (
                self.limits.counts
                and cut < len(items)
                and cut < self.limits.items + 2
                and items[cut][1] == last
            ):
                cut += 1
            if len(items) == cut + 1:
                cut += 1  # "and 1 other area" says no less than the area itself
            shown, rest = items[:cut], items[cut:]
        if unanimous or n <= 1 or not self.limits.counts:
            texts = [phrase for phrase, _k in shown]
        else:
            texts = [
                _("%(item)s (%(k)d of %(n)d)") % {"item": phrase, "k": k, "n": n}
                for phrase, k in shown
            ]
        if rest:
            texts.append(other(len(rest)))
        return join_list(texts), unanimous

    # --- examples ----------------------------------------------------------------------------

    def examples(self, code: str) -> list[Example]:
        own = [self.own[code]] if self.own.get(code) else []
        return pick_examples(
            own,
            self.states.examples.get(code, []),
            self.organizations.examples.get(code, []),
            limit=self.limits.examples,
        )

    def examples_sentence(self, code: str) -> str:
        """One example: "A Member State gives an example: “…”"; two: "Examples include “…”
        (the secretariat) and “…” (a Member State)"; none: ""."""
        chosen = self.examples(code)
        if not chosen:
            return ""
        if len(chosen) == 1:
            example = chosen[0]
            templates = single_example_templates()
            template = templates[self.example_turn % len(templates)]
            self.example_turn += 1
            if example.count > 1:  # the same example from several respondents
                template = _("%(who)s give the same example: %(text)s")
            return sentence(template % {"who": giver(example), "text": quote(example.text)})
        quoted = [
            _("%(text)s (%(who)s)") % {"text": quote(e.text), "who": giver(e)} for e in chosen
        ]
        return sentence(_("Examples include %(list)s") % {"list": join_list(quoted)})


def single_example_templates() -> tuple[str, ...]:
    """Ways of giving one example, taken in turn: five levels of "A Member State gives an
    example" in a row is what an editor rewrites."""
    return (
        _("%(who)s gives an example: %(text)s"),
        _("In the words of %(who)s: %(text)s"),
        _("%(who)s reports: %(text)s"),
    )


def giver(example: Example) -> str:
    """Who gave an example, as the subject of a sentence."""
    if example.source == SECRETARIAT:
        return _("the secretariat")
    if example.source == STATE:
        return ngettext("a Member State", "%(n)d Member States", example.count) % {
            "n": example.count
        }
    return ngettext("an organization", "%(n)d organizations", example.count) % {"n": example.count}


def share(k: int, n: int, audience: str) -> str:
    """Who among those that answered: "One Member State", "All 3 Member States that answered",
    "2 of the 3 Member States that answered", "None of the 3 Member States that answered"."""
    if audience == Audience.STATE:
        if n == 1:
            return _("the one Member State that answered") if k == 0 else _("one Member State")
        if k == n == 2:
            return _("both Member States that answered")
        if k == n:
            return _("all %(n)d Member States that answered") % {"n": n}
        if k == 0:
            return _("none of the %(n)d Member States that answered") % {"n": n}
        if k == 1:
            return _("one of %(n)d Member States that answered") % {"n": n}
        return _("%(k)d of %(n)d Member States that answered") % {"k": k, "n": n}
    if n == 1:
        return _("the one organization that answered") if k == 0 else _("one organization")
    if k == n == 2:
        return _("both organizations that answered")
    if k == n:
        return _("all %(n)d organizations that answered") % {"n": n}
    if k == 0:
        return _("none of the %(n)d organizations that answered") % {"n": n}
    if k == 1:
        return _("one of %(n)d organizations that answered") % {"n": n}
    return _("%(k)d of %(n)d organizations that answered") % {"k": k, "n": n}


def short_share(k: int, n: int, audience: str) -> str:
    """A share inside a list that ends "… that answered": "4 of 7 Member States", "both
    organizations", "all 3 Member States", "one Member State" (the only one)."""
    if audience == Audience.STATE:
        if n == 1:
            return _("one Member State")
        if k == n == 2:
            return _("both Member States")
        if k == n:
            return _("all %(n)d Member States") % {"n": n}
        return _("%(k)d of %(n)d Member States") % {"k": k, "n": n}
    if n == 1:
        return _("one organization")
    if k == n == 2:
        return _("both organizations")
    if k == n:
        return _("all %(n)d organizations") % {"n": n}
    return _("%(k)d of %(n)d organizations") % {"k": k, "n": n}


def rating_sentence(
    ctx: Context, code: str, below: Callable[[int], str], at: Callable[[int], str]
) -> str:
    """How the Member States that answered rated the mechanism on a 1-5 scale: those at 4 or 5,
    or, when none, all of them below 4 ("all 3 … below 4", never "none of the 3 … at 4 or 5",
    whose negation French and Spanish would need to agree with). `below` and `at` give the
    template for a verb's number (ngettext calls, so that makemessages finds them)."""
    n = ctx.states.answered.get(code, 0)
    if not n:
        return ""
    k = ctx.states.count_values(code, {4, 5})
    if k == 0:
        return sentence(below(plural(n, n)) % {"who": share(n, n, Audience.STATE)})
    return sentence(at(plural(k, n)) % {"who": share(k, n, Audience.STATE)})


def plural(k: int, n: int) -> int:
    """The grammatical number of a share's verb: singular for one, none, or the only one."""
    return 1 if k <= 1 or n == 1 else 2
