"""Section 3: salient structures (modalities, chair, secretariat, meetings, funding)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.questionnaires.models import Audience
from assessments.summaries.compose.context import Context, plural, rating_sentence, share
from assessments.summaries.wording import join_list, quote, sentence

NONE_CODES = {"NONE", "NO_CHAIR"}


def other_functions(n: int) -> str:
    return ngettext("%(n)d other function", "%(n)d other functions", n) % {"n": n}


def other_bodies(n: int) -> str:
    return ngettext("%(n)d other body", "%(n)d other bodies", n) % {"n": n}


def other_channels(n: int) -> str:
    return ngettext("%(n)d other channel", "%(n)d other channels", n) % {"n": n}


def other_sources(n: int) -> str:
    return ngettext("%(n)d other source", "%(n)d other sources", n) % {"n": n}


def other_challenges(n: int) -> str:
    return ngettext("%(n)d other challenge", "%(n)d other challenges", n) % {"n": n}


def structures(ctx: Context) -> list[str]:
    paragraphs = [
        " ".join(p for p in (modalities(ctx), chair(ctx), secretariat(ctx)) if p),
        " ".join(p for p in (meetings(ctx), knowledge(ctx)) if p),
        " ".join(p for p in (funding(ctx), budget(ctx), travel(ctx), challenges(ctx)) if p),
        satisfaction(ctx),
    ]
    return [p for p in paragraphs if p]


def modalities(ctx: Context) -> str:
    kind = ctx.own_choice("operating_modalities")
    if not kind:
        return ""
    document = ctx.own.get("operating_modalities_document")
    if document and kind not in {"INFORMAL", "NONE"}:
        return sentence(
            _("Its operating modalities are set out in %(where)s, %(document)s")
            % {"where": ctx.own_phrase("operating_modalities"), "document": quote(document)}
        )
    return ctx.own_sentence("operating_modalities") or (
        sentence(
            _("Its operating modalities are set out in %(where)s")
            % {"where": ctx.own_phrase("operating_modalities")}
        )
        if kind not in {"INFORMAL", "NONE"}
        else ""
    )


def chair(ctx: Context) -> str:
    parts = []
    model = ctx.own_choice("chair_model")
    if model and model not in NONE_CODES:
        parts.append(
            sentence(
                _("%(subject)s is led by %(model)s")
                % {"subject": ctx.subject(), "model": ctx.own_phrase("chair_model")}
            )
        )
    elif model:
        parts.append(sentence(_("%(subject)s has no formal chair") % {"subject": ctx.subject()}))
    if not says_rotation(model, ctx.own_choice("chair_rotation")):
        parts.append(ctx.own_sentence("chair_rotation"))
    functions = ctx.own_phrases("chair_functions")
    if functions:
        listed = ctx.listed(functions, other_functions)
        # "Its chair", not "The chair": the sentence before often starts "The chair rotates".
        parts.append(sentence(_("Its chair %(functions)s") % {"functions": listed}))
    return " ".join(p for p in parts if p)


# Chair models whose phrase already says the chair does not rotate ("permanent co-chairs").
PERMANENT_CHAIRS = {"COCHAIR", "CHAIR_COCHAIR", "PERM_ORG"}


def says_rotation(model: str, rotation: str) -> bool:
    """Whether the chair sentence already says what the rotation sentence would (or there is
    no rotation to tell)."""
    if not rotation:
        return True
    if rotation == "PERMANENT":
        return model in PERMANENT_CHAIRS
    return rotation == "NO_CHAIR" and model in NONE_CODES


def secretariat(ctx: Context) -> str:
    kind = ctx.own_choice("secretariat_type")
    if not kind:
        return ""
    text = ctx.own_sentence("secretariat_type") or sentence(
        _("Its secretariat: %(kind)s") % {"kind": ctx.own_phrase("secretariat_type")}
    )
    host = ctx.own.get("secretariat_host")
    if host and kind != "NONE" and ctx.limits.descriptions:
        # The host is the respondent's own words, so it is quoted, not fitted into a sentence.
        text += " " + sentence(
            _("The secretariat describes its host as %(host)s") % {"host": quote(host)}
        )
    return text


def meetings(ctx: Context) -> str:
    parts = []
    frequency = ctx.own_phrase("meeting_frequency")
    levels = ctx.own_phrases("meeting_levels")
    if frequency or levels:
        parts.append(
            sentence(
                _("%(subject)s meets %(when)s %(where)s")
                % {"subject": ctx.subject(), "when": frequency, "where": join_list(levels)}
            ).replace("  ", " ")
        )
    bodies = [b for b in ctx.own_phrases("subsidiary_bodies") if b]
    if bodies:
        parts.append(
            sentence(
                _("%(subject)s has %(list)s")
                % {"subject": ctx.subject(), "list": ctx.listed(bodies, other_bodies)}
            )
        )
    if ctx.own_choice("decision_making"):
        parts.append(ctx.own_sentence("decision_making"))
    return " ".join(p for p in parts if p)


def knowledge(ctx: Context) -> str:
    ways = ctx.own_phrases("knowledge_management")
    if not ways or set(ctx.own_values("knowledge_management")) <= NONE_CODES:
        return ""
    listed = ctx.listed(ways, other_channels)
    return sentence(_("Knowledge is shared through %(list)s") % {"list": listed})


def funding(ctx: Context) -> str:
    sources = ctx.own_phrases("funding_sources")
    if not sources:
        return ""
    listed = ctx.listed(sources, other_sources)
    return sentence(_("Its funding comes from %(list)s") % {"list": listed})


def budget(ctx: Context) -> str:
    choice = ctx.own_choice("annual_budget")
    return ctx.own_sentence("annual_budget") if choice and choice != "UNKNOWN" else ""


def travel(ctx: Context) -> str:
    parts = [ctx.own_sentence("travel_costs")] if ctx.own_choice("travel_costs") else []
    states = ctx.states
    n = states.answered.get("covers_own_travel", 0)
    if n:
        k = states.count("covers_own_travel", "yes")
        who = share(k, n, Audience.STATE)
        if k == 0:
            # "All 3 … do not", never "None of the 3 … do": no negation to agree with.
            who = share(n, n, Audience.STATE)
            template = ngettext(
                "%(who)s said it does not cover its own travel",
                "%(who)s said they do not cover their own travel",
                plural(n, n),
            )
        else:
            template = ngettext(
                "%(who)s said it covers its own travel",
                "%(who)s said they cover their own travel",
                plural(k, n),
            )
        parts.append(sentence(template % {"who": who}))
    return " ".join(p for p in parts if p)


def challenges(ctx: Context) -> str:
    found = [c for c in ctx.own_phrases("sustainability_challenges") if c]
    if not found or set(ctx.own_values("sustainability_challenges")) <= NONE_CODES:
        return ""
    return sentence(
        ngettext(
            "Its main challenge to sustainability is %(list)s",
            "Its main challenges to sustainability are %(list)s",
            len(found),
        )
        % {"list": ctx.listed(found, other_challenges)}
    )


def satisfaction(ctx: Context) -> str:
    return rating_sentence(
        ctx,
        "structure_satisfaction",
        below=lambda number: ngettext(
            "%(who)s rated how well its structures serve members below 4 out of 5",
            "%(who)s rated how well its structures serve members below 4 out of 5",
            number,
        ),
        at=lambda number: ngettext(
            "%(who)s rated how well its structures serve members at 4 or 5 out of 5",
            "%(who)s rated how well its structures serve members at 4 or 5 out of 5",
            number,
        ),
    )
