"""Section 1: evolution of programming and thematic focus."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.questionnaires.models import Audience
from assessments.summaries.compose.context import Context, share
from assessments.summaries.wording import join_list, lower_first, quote, sentence


def other_areas(n: int) -> str:
    return ngettext("%(n)d other area", "%(n)d other areas", n) % {"n": n}


def thematic_focus(ctx: Context) -> list[str]:
    paragraphs = [
        " ".join(p for p in (current_focus(ctx), evolution(ctx), strategy(ctx)) if p),
        " ".join(p for p in (emerging(ctx), gcm(ctx)) if p),
        states_priorities(ctx),
    ]
    return [p for p in paragraphs if p]


def area_list(ctx: Context, phrases: list[str]) -> str:
    return ctx.listed(phrases, other_areas)


def current_focus(ctx: Context) -> str:
    areas = ctx.own_phrases("thematic_areas_current")
    if not areas:
        return ""
    return sentence(
        _("%(subject)s focuses on %(areas)s")
        % {"subject": ctx.subject(), "areas": area_list(ctx, areas)}
    )


def evolution(ctx: Context) -> str:
    """The secretariat's own account, quoted and attributed, then what its lists of areas
    show: a reader sees both when they seem to disagree."""
    text = (ctx.own.get("thematic_evolution") or "") if ctx.limits.evolution else ""
    told = (
        sentence(_("In the secretariat's words: %(text)s") % {"text": quote(text)}) if text else ""
    )
    return " ".join(p for p in (told, focus_change(ctx, attributed=bool(text))) if p)


def since(ctx: Context) -> str:
    established = ctx.inputs.mechanism.established
    if established:
        return _("since its establishment in %(year)s") % {"year": established}
    return _("since its establishment")


def at_establishment(ctx: Context) -> str:
    established = ctx.inputs.mechanism.established
    if established:
        return _("at its establishment in %(year)s") % {"year": established}
    return _("at its establishment")


def focus_change(ctx: Context, *, attributed: bool) -> str:
    current = set(ctx.own_values("thematic_areas_current"))
    initial = set(ctx.own_values("thematic_areas_at_establishment"))
    if not current or not initial:
        return ""
    if current == initial:
        return sentence(_("These areas have remained unchanged %(since)s") % {"since": since(ctx)})
    added = area_list(ctx, ordered(ctx, current - initial))
    dropped = area_list(ctx, ordered(ctx, initial - current))
    values = {
        "since": since(ctx),
        "added": added,
        "dropped": dropped,
        "initial": area_list(ctx, ordered(ctx, initial)),
        "at": at_establishment(ctx),
    }
    if not dropped and len(current - initial) > len(initial):
        # Most of its areas are new: what it started with says it in fewer words than a
        # second list of nearly the same areas.
        template = (
            _("According to its answers, it covered %(initial)s %(at)s")
            if attributed
            else _("Its focus has widened %(since)s, when it covered %(initial)s")
        )
    elif not dropped:
        template = (
            _("Compared with its areas at establishment, its answers add %(added)s")
            if attributed
            else _("Its focus has widened %(since)s to include %(added)s")
        )
    elif not added:
        template = _("Its focus has narrowed %(since)s: it no longer includes %(dropped)s")
    else:
        template = _(
            "Its focus has shifted %(since)s: %(added)s joined its areas, while %(dropped)s left them"
        )
    return sentence(template % values)


def ordered(ctx: Context, codes: set[str]) -> list[str]:
    schema = ctx.mechanism_schema
    return ctx.book.phrases(schema, "thematic_areas_current", sorted(codes))


def strategy(ctx: Context) -> str:
    has = ctx.own_choice("has_strategy")
    if has == "YES":
        title, year = ctx.own.get("strategy_title"), ctx.own.get("strategy_since")
        values = {"subject": ctx.subject(), "title": quote(title) if title else "", "year": year}
        if title and year:
            return sentence(
                _("%(subject)s works under its %(title)s, adopted in %(year)s") % values
            )
        if title:
            return sentence(_("%(subject)s works under its %(title)s") % values)
        return ctx.own_sentence("has_strategy")
    return ctx.own_sentence("has_strategy") if has else ""


def emerging(ctx: Context) -> str:
    themes = ctx.own_phrases("emerging_themes")
    if not themes:
        return ""
    return sentence(
        ngettext(
            "The secretariat expects %(areas)s to gain importance in the coming years",
            "The secretariat expects %(areas)s to gain importance in the coming years",
            len(themes),
        )
        % {"areas": area_list(ctx, themes)}
    )


def gcm(ctx: Context) -> str:
    codes = [c for c in ctx.own_values("gcm_objectives") if c.startswith("GCM")]
    if not codes:
        return ""
    objectives = [
        _("%(number)d (%(phrase)s)")
        % {
            "number": int(code[3:]),
            "phrase": lower_first(
                ctx.book.phrase(ctx.mechanism_schema, "gcm_objectives", code)
            ).partition(". ")[2]
            or ctx.book.phrase(ctx.mechanism_schema, "gcm_objectives", code),
        }
        for code in codes
        if code[3:].isdigit()
    ]
    shown = objectives[: ctx.limits.items + 1]
    if len(objectives) > len(shown):
        shown.append(
            ngettext("%(n)d other", "%(n)d others", len(objectives) - len(shown))
            % {"n": len(objectives) - len(shown)}
        )
    return sentence(
        ngettext(
            "Its work supports objective %(list)s of the Global Compact for Migration",
            "Its work supports objectives %(list)s of the Global Compact for Migration",
            len(objectives),
        )
        % {"list": join_list(shown)}
    )


def states_priorities(ctx: Context) -> str:
    ranked = ctx.ranked(ctx.states, ctx.state_schema, "thematic_relevance")
    listed, unanimous = ctx.counted(ranked, other_areas)
    if not listed:
        return ""
    n, themes = ranked.answered, len(ranked.items)
    if n == 1:
        template = ngettext(
            "One Member State named %(list)s as the theme that matters most to it",
            "One Member State named %(list)s as the themes that matter most to it",
            themes,
        )
    elif unanimous:
        template = ngettext(
            "%(all)s named %(list)s as the theme that matters most to them",
            "%(all)s named %(list)s as the themes that matter most to them",
            themes,
        )
    else:
        template = _(
            "Member States that answered named %(list)s as the themes that matter most to them"
        )
    return sentence(template % {"all": share(n, n, Audience.STATE), "list": listed})
