"""Section 5: added value of membership for States and organizations, with examples."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.questionnaires.models import Audience
from assessments.summaries.compose.context import Context, rating_sentence, share
from assessments.summaries.wording import sentence


def other_benefits(n: int) -> str:
    return ngettext("%(n)d other benefit", "%(n)d other benefits", n) % {"n": n}


def added_value(ctx: Context) -> list[str]:
    paragraphs = [
        " ".join(p for p in (states_value(ctx), organizations_value(ctx), own_value(ctx)) if p),
        ctx.examples_sentence("added_value_example"),
        relevance(ctx),
    ]
    return [p for p in paragraphs if p]


def states_value(ctx: Context) -> str:
    ranked = ctx.ranked(ctx.states, ctx.state_schema, "added_value")
    listed, unanimous = ctx.counted(ranked, other_benefits)
    if not listed:
        return ""
    n = ranked.answered
    if n == 1:
        template = _("One Member State values its participation in %(name)s for %(list)s")
    elif unanimous:
        template = _("%(all)s value their participation in %(name)s for %(list)s")
    else:
        template = _("Member States value their participation in %(name)s mainly for %(list)s")
    values = {"all": share(n, n, Audience.STATE), "list": listed, "name": ctx.voice.named()}
    return sentence(template % values)


def organizations_value(ctx: Context) -> str:
    ranked = ctx.ranked(ctx.organizations, ctx.organization_schema, "added_value")
    listed, unanimous = ctx.counted(ranked, other_benefits)
    if not listed:
        return ""
    n = ranked.answered
    if n == 1:
        template = _("One organization values its engagement for %(list)s")
    elif unanimous:
        template = _("%(all)s value their engagement for %(list)s")
    else:
        template = _("Organizations value their engagement mainly for %(list)s")
    return sentence(template % {"all": share(n, n, Audience.ORGANIZATION), "list": listed})


def own_value(ctx: Context) -> str:
    values = ctx.own_phrases("added_value")
    if not values:
        return ""
    named_by_states = {choice for choice, _n in ctx.states.ranked("added_value", ())}
    if set(ctx.own_values("added_value")) == named_by_states:
        return sentence(_("The secretariat names the same benefits as the Member States"))
    listed = ctx.listed(values, other_benefits)
    return sentence(_("According to the secretariat, members gain %(list)s") % {"list": listed})


def relevance(ctx: Context) -> str:
    return rating_sentence(
        ctx,
        "relevance",
        below=lambda number: ngettext(
            "%(who)s rated its relevance below 4 out of 5",
            "%(who)s rated its relevance below 4 out of 5",
            number,
        ),
        at=lambda number: ngettext(
            "%(who)s rated its relevance at 4 or 5 out of 5",
            "%(who)s rated its relevance at 4 or 5 out of 5",
            number,
        ),
    )
