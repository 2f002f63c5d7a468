"""Section 2: contribution to migration governance, level by level, with examples."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.questionnaires.models import Audience
from assessments.questionnaires.schema import OTHER_CODE
from assessments.summaries.compose.context import Context, Ranked, short_share
from assessments.summaries.wording import join_list, sentence

LEVELS = ("national", "bilateral", "regional", "interregional", "global")


def other_kinds(n: int) -> str:
    return ngettext("%(n)d other kind", "%(n)d other kinds", n) % {"n": n}


def level_label(level: str) -> str:
    return {
        "national": _("National level"),
        "bilateral": _("Bilateral level"),
        "regional": _("Regional level"),
        "interregional": _("Interregional level"),
        "global": _("Global level"),
    }[level]


def contribution(ctx: Context) -> list[str]:
    paragraphs = [level_paragraph(ctx, level) for level in LEVELS]
    found = [p for p in paragraphs if p]
    quiet = [level for level, p in zip(LEVELS, paragraphs, strict=True) if p is None]
    if quiet:
        found.append(no_contribution(quiet))
    return found


def no_contribution(levels: list[str]) -> str:
    names = join_list([level_name(level) for level in levels])
    return sentence(
        ngettext(
            "No contribution was reported at the %(levels)s level",
            "No contribution was reported at the %(levels)s levels",
            len(levels),
        )
        % {"levels": names}
    )


def level_name(level: str) -> str:
    return {
        "national": _("national"),
        "bilateral": _("bilateral"),
        "regional": _("regional"),
        "interregional": _("interregional"),
        "global": _("global"),
    }[level]


def level_paragraph(ctx: Context, level: str) -> str | None:
    """The level's paragraph; "" when nobody answered about it (nothing to say), None when
    people answered and none reported a contribution (gathered into one sentence)."""
    code = f"contribution_{level}"
    own = ctx.own.get(code)
    state_n, org_n = ctx.states.answered.get(code, 0), ctx.organizations.answered.get(code, 0)
    if own is None and not state_n and not org_n:
        return ""
    reporters = reporter_list(ctx, code)
    if not reporters:
        return None
    parts = [reporters_sentence(ctx, level, reporters)]
    parts.append(ctx.examples_sentence(f"contribution_{level}_example"))
    text = " ".join(p for p in parts if p)
    if ctx.language in {"fr", "es"} and text[1:2].islower():
        text = text[0].lower() + text[1:]  # "Niveau national : le secrétariat…"
    return level_label(level) + ": " + text


def reporter_list(ctx: Context, code: str) -> list[tuple[str, int, int]]:
    """(who, how many of them, of how many that answered) for those who reported a
    contribution; the secretariat counts as one of one."""
    found: list[tuple[str, int, int]] = []
    if ctx.own.get(code) == "yes":
        found.append((_("the secretariat"), 1, 1))
    for answers, audience in (
        (ctx.states, Audience.STATE),
        (ctx.organizations, Audience.ORGANIZATION),
    ):
        k, n = answers.count(code, "yes"), answers.answered.get(code, 0)
        if k:
            found.append((short_share(k, n, audience), k, n))
    return found


def reporters_sentence(ctx: Context, level: str, reporters: list[tuple[str, int, int]]) -> str:
    """ "The secretariat and 2 of 3 Member States that answered reported a contribution,
    mainly through X and 2 other kinds": who, then how, in one sentence."""
    who = join_list([name for name, _k, _n in reporters])
    counted = any(n > 1 for _name, _k, n in reporters)
    ranked = kinds_ranked(ctx, f"contribution_{level}_types")
    listed, _unanimous = ctx.counted(ranked, other_kinds)
    if not ctx.limits.counts and ranked.items:
        listed = ranked.items[0][0]  # last resort: the main kind alone ("mainly through …")
    values = {"who": who, "kinds": listed}
    # The verb's number, for the languages where it agrees: one reporter, or several.
    number = 2 if len(reporters) > 1 or reporters[0][1] > 1 else 1
    if counted and listed:
        template = ngettext(
            "%(who)s that answered reported a contribution, mainly through %(kinds)s",
            "%(who)s that answered reported a contribution, mainly through %(kinds)s",
            number,
        )
    elif counted:
        template = ngettext(
            "%(who)s that answered reported a contribution",
            "%(who)s that answered reported a contribution",
            number,
        )
    elif listed:
        template = ngettext(
            "%(who)s reported a contribution, mainly through %(kinds)s",
            "%(who)s reported a contribution, mainly through %(kinds)s",
            number,
        )
    else:
        template = ngettext(
            "%(who)s reported a contribution", "%(who)s reported a contribution", number
        )
    return sentence(template % values)


def kinds_ranked(ctx: Context, code: str) -> Ranked:
    """Kinds named by anyone (secretariat, States, organizations), most frequent first; the
    denominator is everyone who named at least one kind."""
    totals: dict[str, int] = {}
    for choice in ctx.own_values(code):
        totals[choice] = totals.get(choice, 0) + 1
    answered = 1 if ctx.own_values(code) else 0
    for answers in (ctx.states, ctx.organizations):
        answered += answers.answered.get(code, 0)
        for (c, row, choice), n in answers.counts.items():
            if c == code and not row:
                totals[choice] = totals.get(choice, 0) + n
    schema = ctx.mechanism_schema if code in ctx.mechanism_schema.questions else ctx.state_schema
    question = schema.questions.get(code)
    order = {c: i for i, c in enumerate(question.option_codes)} if question else {}
    ranked = sorted(
        (c for c in totals if c != OTHER_CODE), key=lambda c: (-totals[c], order.get(c, 0))
    )
    return Ranked([(ctx.book.phrase(schema, code, c), totals[c]) for c in ranked], answered)
