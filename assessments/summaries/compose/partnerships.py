"""Section 4: partnership models."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.summaries.compose.context import Context
from assessments.summaries.wording import join_list, quote, sentence


def other_roles(n: int) -> str:
    return ngettext("%(n)d other role", "%(n)d other roles", n) % {"n": n}


def other_support(n: int) -> str:
    return ngettext("%(n)d other kind of support", "%(n)d other kinds of support", n) % {"n": n}


# A partner kind whose name already says its role.
SAID_BY_THE_KIND = {"OBSERVER_STATE": ("OBSERVER",), "DONOR": ("DONOR",)}


def partnerships(ctx: Context) -> list[str]:
    paragraphs = [
        " ".join(p for p in (partners(ctx), description(ctx)) if p),
        cooperation(ctx),
        organizations(ctx),
    ]
    return [p for p in paragraphs if p]


def partners(ctx: Context) -> str:
    """The kinds of partner, each with the roles it takes (one sentence, not two lists)."""
    kinds = [k for k in ctx.own_values("partner_types") if k != "OTHER"]
    roles: dict[str, list[str]] = ctx.own.get("partner_roles") or {}
    if not kinds and not roles:
        return ""
    schema = ctx.mechanism_schema
    # Kinds that take the same roles share one item: "global processes and social partners
    # as speakers", not "global processes as speaker and social partners as speaker".
    by_roles: dict[tuple[str, ...], list[str]] = {}
    for kind in kinds + [k for k in roles if k not in kinds]:
        taken = tuple(roles.get(kind, []))
        if taken == SAID_BY_THE_KIND.get(kind):
            taken = ()  # "observer States as observers" says it twice
        by_roles.setdefault(taken, []).append(ctx.book.phrase(schema, "partner_types", kind))
    items = []
    for taken, partners_ in by_roles.items():
        names = join_list(partners_)
        role_phrases = [ctx.book.column_phrase(schema, "partner_roles", c) for c in taken]
        items.append(
            _("%(partner)s as %(roles)s") % {"partner": names, "roles": join_list(role_phrases)}
            if taken
            else names
        )
    other = ctx.own.get("partner_types_other")
    if other:
        items.append(quote(other))
    return sentence(
        _("%(subject)s engages %(list)s") % {"subject": ctx.subject(), "list": join_list(items)}
    )


def description(ctx: Context) -> str:
    text = ctx.own.get("partnership_description")
    if not text or not ctx.limits.descriptions:
        return ""
    return sentence(
        _("The secretariat describes its partnership model as follows: %(text)s")
        % {"text": quote(text)}
    )


def cooperation(ctx: Context) -> str:
    mechanisms = ctx.book.phrases(
        ctx.mechanism_schema, "cooperating_mechanisms", ctx.own_values("cooperating_mechanisms")
    )
    # A global process does not take part in itself (the GFMD answering about the GFMD).
    itself = {"NONE", "OTHER", ctx.inputs.mechanism.acronym}
    processes = [p for p in ctx.own_values("global_processes") if p not in itself]
    named = ctx.book.phrases(ctx.mechanism_schema, "global_processes", processes)
    values = {
        "subject": ctx.subject(),
        "mechanisms": join_list(mechanisms),
        "processes": join_list(named),
    }
    if mechanisms and named:
        return sentence(
            _("%(subject)s cooperates with %(mechanisms)s and takes part in %(processes)s") % values
        )
    if mechanisms:
        return sentence(_("%(subject)s cooperates with %(mechanisms)s") % values)
    if named:
        return sentence(_("%(subject)s takes part in %(processes)s") % values)
    return ""


def organizations(ctx: Context) -> str:
    answers, schema = ctx.organizations, ctx.organization_schema
    roles, _unanimous = ctx.counted(ctx.ranked(answers, schema, "organization_roles"), other_roles)
    support, _unanimous = ctx.counted(ctx.ranked(answers, schema, "support_types"), other_support)
    if not roles and not support:
        return ""
    n = max(answers.answered.get("organization_roles", 0), answers.answered.get("support_types", 0))
    values = {"roles": roles, "support": support, "n": n}
    if n == 1:
        if roles and support:
            return sentence(
                _("One organization takes part as %(roles)s and supports it through %(support)s")
                % values
            )
        if roles:
            return sentence(_("One organization takes part as %(roles)s") % values)
        return sentence(_("One organization supports it through %(support)s") % values)
    if roles and support:
        return sentence(
            _(
                "Organizations that answered take part as %(roles)s and support it through %(support)s"
            )
            % values
        )
    if roles:
        return sentence(_("Organizations that answered take part as %(roles)s") % values)
    return sentence(_("Organizations that answered support it through %(support)s") % values)
