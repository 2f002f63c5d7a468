"""Compose the five sections of a mechanism's summary from its inputs, in one language.

Every sentence comes from an answer or the registry; where nobody answered, the section says
that no information was provided. The same inputs always give the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.questionnaires.models import Audience
from assessments.questionnaires.schema import QuestionnaireSchema
from assessments.summaries.inputs import AudienceAnswers, SummaryInputs
from assessments.summaries.wording import (
    join_list,
    lower_first,
    of_organizations,
    of_states,
    quote,
    sentence,
    with_count,
)
from mechanisms.translation import localized

LEVELS = ("national", "bilateral", "regional", "interregional", "global")

# A summary quotes a handful of examples per question, as the 2019 summaries did; a round where
# hundreds of respondents wrote one would otherwise turn a summary into a 50-page anthology
# (every example stays in the round's exports).
MAX_QUOTED_EXAMPLES = 8


def section_titles() -> dict[str, str]:
    return {
        "1": _("Evolution of programming and thematic focus"),
        "2": _("Contribution to migration governance at national, (inter)regional and global levels (with examples)"),
        "3": _("Salient ISCM structures"),
        "4": _("Partnership models by the ISCM"),
        "5": _("Added value of membership in the given ISCM for States and organizations (with examples)"),
    }  # fmt: skip


def level_label(level: str) -> str:
    return {
        "national": _("National level"),
        "bilateral": _("Bilateral level"),
        "regional": _("Regional level"),
        "interregional": _("Interregional level"),
        "global": _("Global level"),
    }[level]


@dataclass
class SummaryContent:
    language: str
    title: str
    introduction: list[str]
    name_line: str
    section_titles: dict[str, str]
    sections: dict[str, str]  # number -> paragraphs separated by blank lines


class Composer:
    """Builds the text; one instance per (inputs, language)."""

    def __init__(self, inputs: SummaryInputs, language: str) -> None:
        self.inputs = inputs
        self.language = language
        self.own = inputs.own
        self.mechanism_schema: QuestionnaireSchema = inputs.schemas[Audience.MECHANISM]
        self.state_schema: QuestionnaireSchema = inputs.schemas[Audience.STATE]
        self.organization_schema: QuestionnaireSchema = inputs.schemas[Audience.ORGANIZATION]

    # --- labels ------------------------------------------------------------------------

    def label(self, schema: QuestionnaireSchema, code: str, choice: str) -> str:
        question = schema.questions.get(code)
        if question is None:
            return choice
        if question.type in {"yes_no", "yes_no_dk"}:
            return {"yes": _("yes"), "no": _("no"), "dk": _("don't know")}[choice]
        return lower_first(question.option_label(choice, self.language))

    def own_labels(self, code: str) -> list[str]:
        value = self.own.get(code)
        if not value:
            return []
        values = value if isinstance(value, list) else [value]
        labels = [self.label(self.mechanism_schema, code, v) for v in values if v != "OTHER"]
        other = self.own.get(f"{code}_other")
        if other:
            labels.append(other)
        return labels

    def own_label(self, code: str) -> str:
        labels = self.own_labels(code)
        return labels[0] if labels else ""

    def ranked_labels(
        self, answers: AudienceAnswers, schema: QuestionnaireSchema, code: str
    ) -> list[str]:
        question = schema.questions.get(code)
        options = question.option_codes if question else ()
        return [
            with_count(self.label(schema, code, choice), n, answers.respondents)
            for choice, n in answers.ranked(code, options)
            if choice != "OTHER"
        ]

    # --- the whole summary -------------------------------------------------------------

    def compose(self) -> SummaryContent:
        with translation.override(self.language):
            sections = {
                "1": self.thematic_focus(),
                "2": self.contribution(),
                "3": self.structures(),
                "4": self.partnerships(),
                "5": self.added_value(),
            }
            return SummaryContent(
                language=self.language,
                title=_("Summary of Findings per ISCM"),
                introduction=self.introduction(),
                name_line=_("Name of the inter-State consultation mechanism (ISCM): %(name)s")
                % {"name": localized(self.inputs.mechanism, "name", self.language)},
                section_titles=section_titles(),
                sections={
                    n: "\n\n".join(p for p in paragraphs if p) for n, paragraphs in sections.items()
                },
            )

    def introduction(self) -> list[str]:
        survey_round = self.inputs.survey_round
        figures = self.inputs.figures
        first = _(
            "As part of an assessment of inter-State consultation mechanisms on migration (ISCMs), "
            "a survey was conducted in %(year)s. Carried out by %(organizer)s among ISCMs, their "
            "Member States and relevant intergovernmental organizations, the survey aimed to assess "
            "ISCMs' continued relevance and contribution to migration governance at all levels "
            "(national, regional and international) and the synergies among ISCMs and with other actors."
        ) % {"year": survey_round.year, "organizer": survey_round.organizer}
        counts = [
            ngettext("%(n)d State", "%(n)d States", figures.states) % {"n": figures.states},
            ngettext("%(n)d ISCM", "%(n)d ISCMs", figures.mechanisms) % {"n": figures.mechanisms},
            ngettext(
                "%(n)d intergovernmental organization",
                "%(n)d intergovernmental organizations",
                figures.organizations,
            )
            % {"n": figures.organizations},
        ]
        second = _(
            "%(counts)s provided answers to the questionnaires of the round “%(round)s”."
        ) % {
            "counts": join_list(counts),
            "round": survey_round.name,
        }
        third = _(
            "The information below outlines this ISCM's thematic priorities, structure, impact and "
            "relevance, as reported by the mechanism, its Member States and the organizations engaged with it."
        )
        return [first, sentence(second), third]

    # --- 1. thematic focus ----------------------------------------------------------------

    def thematic_focus(self) -> list[str]:
        paragraphs = []
        current = self.own_labels("thematic_areas_current")
        if current:
            paragraphs.append(
                sentence(
                    _("The mechanism's current thematic focus is on %(areas)s")
                    % {"areas": join_list(current)}
                )
            )
        if self.own.get("thematic_evolution"):
            paragraphs.append(
                sentence(
                    _(
                        "The secretariat describes the evolution of its programming as follows: %(text)s"
                    )
                    % {"text": quote(self.own["thematic_evolution"])}
                )
            )
        paragraphs.append(self.focus_change())
        paragraphs.append(self.strategy())
        emerging = self.own_labels("emerging_themes")
        if emerging:
            paragraphs.append(sentence(ngettext(
                "The theme expected to gain importance in the next three to five years is %(areas)s",
                "Themes expected to gain importance in the next three to five years are %(areas)s",
                len(emerging),
            ) % {"areas": join_list(emerging)}))  # fmt: skip
        gcm = [objective(label) for label in self.own_labels("gcm_objectives")]
        if gcm:
            paragraphs.append(sentence(ngettext(
                "Its work supports objective %(list)s of the Global Compact for Migration",
                "Its work supports objectives %(list)s of the Global Compact for Migration",
                len(gcm),
            ) % {"list": join_list(gcm)}))  # fmt: skip
        states = self.inputs.states
        relevant = self.ranked_labels(states, self.state_schema, "thematic_relevance")
        if relevant:
            paragraphs.append(sentence(ngettext(
                "Asked which themes matter most to it, the responding Member State named %(list)s",
                "Asked which themes matter most to them, the responding Member States named %(list)s",
                states.respondents,
            ) % {"list": join_list(relevant)}))  # fmt: skip
        if not any(paragraphs):
            return [
                _(
                    "No information was provided on the evolution of the mechanism's programming and thematic focus."
                )
            ]
        return paragraphs

    def focus_change(self) -> str:
        current = set(self.own.get("thematic_areas_current") or [])
        initial = set(self.own.get("thematic_areas_at_establishment") or [])
        if not current or not initial:
            return ""
        established = self.inputs.mechanism.established
        since = (
            _("since its establishment in %(year)s") % {"year": established}
            if established
            else _("since its establishment")
        )
        if current == initial:
            return sentence(_("These areas have remained unchanged %(since)s") % {"since": since})
        added = self.labels_of(sorted(current - initial))
        dropped = self.labels_of(sorted(initial - current))
        added_clause = ngettext("%(list)s was added", "%(list)s were added", len(added)) % {
            "list": join_list(added)
        }
        dropped_clause = ngettext(
            "%(list)s is no longer among its areas",
            "%(list)s are no longer among its areas",
            len(dropped),
        ) % {"list": join_list(dropped)}
        if not dropped:
            return sentence(
                _("The focus has widened %(since)s: %(added)s")
                % {"since": since, "added": added_clause}
            )
        if not added:
            return sentence(
                _("The focus has narrowed %(since)s: %(dropped)s")
                % {"since": since, "dropped": dropped_clause}
            )
        return sentence(
            _("The focus has shifted %(since)s: %(added)s, while %(dropped)s")
            % {"since": since, "added": added_clause, "dropped": dropped_clause}
        )

    def labels_of(self, codes: list[str]) -> list[str]:
        question = self.mechanism_schema.questions["thematic_areas_current"]
        order = {c: i for i, c in enumerate(question.option_codes)}
        return [
            self.label(self.mechanism_schema, "thematic_areas_current", c)
            for c in sorted(codes, key=lambda c: order.get(c, 0))
        ]

    def strategy(self) -> str:
        has = self.own.get("has_strategy")
        if has == "YES":
            title = self.own.get("strategy_title")
            since = self.own.get("strategy_since")
            text = _("The mechanism works under a strategy, action plan or workplan")
            if title:
                text += " " + quote(title)
            if since:
                text += " " + _("(since %(year)s)") % {"year": since}
            return sentence(text)
        if has == "NO":
            return _("The mechanism has no strategy, action plan or workplan.")
        if has == "IN_PREPARATION":
            return _("A strategy, action plan or workplan is in preparation.")
        return ""

    # --- 2. contribution ------------------------------------------------------------------

    def contribution(self) -> list[str]:
        paragraphs = [self.level_paragraph(level) for level in LEVELS]
        if not any(paragraphs):
            return [
                _(
                    "No information was provided on the mechanism's contribution to migration governance."
                )
            ]
        return paragraphs

    def level_paragraph(self, level: str) -> str:
        code = f"contribution_{level}"
        states, organizations = self.inputs.states, self.inputs.organizations
        own = self.own.get(code)
        state_yes, state_n = states.count(code, "yes"), states.answered.get(code, 0)
        org_yes, org_n = organizations.count(code, "yes"), organizations.answered.get(code, 0)
        if own is None and not state_n and not org_n:
            return ""
        heading = level_label(level) + ": "
        reporters = []
        if own == "yes":
            reporters.append(_("the secretariat"))
        if state_yes:
            reporters.append(of_states(state_yes, states.respondents))
        if org_yes:
            reporters.append(of_organizations(org_yes, organizations.respondents))
        if not reporters:
            return heading + sentence(_("no respondent reported a contribution at this level."))
        parts = [
            sentence(_("a contribution was reported by %(who)s") % {"who": join_list(reporters)})
        ]
        kinds = self.contribution_kinds(level)
        if kinds:
            parts.append(sentence(ngettext(
                "The kind of contribution named was %(list)s",
                "The kinds of contribution named were %(list)s",
                len(kinds),
            ) % {"list": join_list(kinds)}))  # fmt: skip
        examples = self.examples_paragraph(f"contribution_{level}_example")
        if examples:
            parts.append(examples)
        return heading + " ".join(parts)

    def contribution_kinds(self, level: str) -> list[str]:
        """Kinds named by anyone, most frequent first, with how many respondents named each."""
        code = f"contribution_{level}_types"
        totals: dict[str, int] = {}
        for choice in self.own.get(code) or []:
            totals[choice] = totals.get(choice, 0) + 1
        for answers in (self.inputs.states, self.inputs.organizations):
            for (c, row, choice), n in answers.counts.items():
                if c == code and not row:
                    totals[choice] = totals.get(choice, 0) + n
        question = self.mechanism_schema.questions.get(code) or self.state_schema.questions.get(
            code
        )
        order = {c: i for i, c in enumerate(question.option_codes)} if question else {}
        ranked = sorted(
            (c for c in totals if c != "OTHER"), key=lambda c: (-totals[c], order.get(c, 0))
        )
        schema = (
            self.mechanism_schema if code in self.mechanism_schema.questions else self.state_schema
        )
        return [
            ngettext("%(label)s (%(n)d respondent)", "%(label)s (%(n)d respondents)", totals[c])
            % {"label": self.label(schema, code, c), "n": totals[c]}
            for c in ranked
        ]

    def examples_paragraph(self, code: str) -> str:
        """At most MAX_QUOTED_EXAMPLES quotations, then how many more the respondents gave."""
        quoted, left_out = self.examples(code)
        if not quoted:
            return ""
        text = sentence(_("Examples: %(list)s") % {"list": "; ".join(quoted)})
        if left_out:
            text += " " + sentence(ngettext(
                "%(n)d further example was given; every example is in the round's exports",
                "%(n)d further examples were given; every example is in the round's exports",
                left_out,
            ) % {"n": left_out})  # fmt: skip
        return text

    def examples(self, code: str) -> tuple[list[str], int]:
        """Free-text examples, attributed to the kind of respondent, never to a person.

        The same text given by several respondents is quoted once, with their number. Beyond
        MAX_QUOTED_EXAMPLES, the secretariat's comes first, then States and organizations
        share the rest; the second value is how many distinct examples were left out.
        """
        own = [self.own[code]] if self.own.get(code) else []
        states = distinct_texts(self.inputs.states.examples.get(code, []))
        organizations = distinct_texts(self.inputs.organizations.examples.get(code, []))
        room = MAX_QUOTED_EXAMPLES - len(own)
        state_room = max(room - len(organizations), (room + 1) // 2)
        states_kept = states[:state_room]
        organizations_kept = organizations[: room - len(states_kept)]
        quoted = [_("%(text)s (the secretariat)") % {"text": quote(text)} for text in own]
        for text, n in states_kept:
            quoted.append(ngettext(
                "%(text)s (a Member State)", "%(text)s (%(n)d Member States)", n
            ) % {"text": quote(text), "n": n})  # fmt: skip
        for text, n in organizations_kept:
            quoted.append(ngettext(
                "%(text)s (an organization)", "%(text)s (%(n)d organizations)", n
            ) % {"text": quote(text), "n": n})  # fmt: skip
        left_out = len(states) - len(states_kept) + len(organizations) - len(organizations_kept)
        return quoted, left_out

    # --- 3. structures --------------------------------------------------------------------

    def structures(self) -> list[str]:
        paragraphs = [
            self.operating_modalities(),
            self.chair(),
            self.secretariat(),
            self.bodies_and_meetings(),
            self.simple(
                "knowledge_management", _("Knowledge is managed and shared through %(list)s")
            ),
            self.funding(),
            self.travel(),
            self.simple(
                "sustainability_challenges",
                (
                    _("The challenge to its sustainability is %(list)s"),
                    _("Challenges to its sustainability are %(list)s"),
                ),
            ),
            self.state_views_on_structures(),
        ]
        if not any(paragraphs):
            return [_("No information was provided on the mechanism's structures.")]
        return paragraphs

    def simple(self, code: str, template: str | tuple[str, str]) -> str:
        """One sentence listing the secretariat's choices; `template` may be a (singular,
        plural) pair chosen by the number of choices."""
        labels = [
            label
            for label in self.own_labels(code)
            if label.lower() not in {"none", "aucun", "aucune", "ninguno", "ninguna"}
        ]
        if not labels:
            return ""
        if isinstance(template, tuple):
            template = template[0] if len(labels) == 1 else template[1]
        return sentence(template % {"list": join_list(labels)})

    def operating_modalities(self) -> str:
        kind = self.own.get("operating_modalities")
        if not kind:
            return ""
        document = self.own.get("operating_modalities_document")
        if kind == "INFORMAL":
            return _(
                "The mechanism works through informal arrangements, without a written document setting out its operating modalities."
            )
        if kind == "NONE":
            return _("No document sets out the mechanism's operating modalities.")
        text = _("The mechanism's operating modalities are set out in its %(kind)s") % {
            "kind": self.own_label("operating_modalities")
        }
        if document:
            text += ": " + quote(document)
        return sentence(text)

    def chair(self) -> str:
        parts = []
        model = self.own_label("chair_model")
        if model:
            parts.append(
                sentence(
                    _("The mechanism is led under the following chair model: %(model)s")
                    % {"model": model}
                )
            )
        rotation = self.own.get("chair_rotation")
        if rotation and rotation not in {"PERMANENT", "NO_CHAIR"}:
            parts.append(
                sentence(
                    _("The chair changes %(rotation)s")
                    % {"rotation": self.own_label("chair_rotation")}
                )
            )
        elif rotation == "PERMANENT":
            parts.append(_("The chair is permanent."))
        functions = self.own_labels("chair_functions")
        if functions:
            parts.append(
                sentence(_("The chair %(functions)s") % {"functions": join_list(functions)})
            )
        return " ".join(parts)

    def secretariat(self) -> str:
        kind = self.own.get("secretariat_type")
        if not kind:
            return ""
        text = sentence(_("Secretariat: %(kind)s") % {"kind": self.own_label("secretariat_type")})
        host = self.own.get("secretariat_host")
        if host and kind != "NONE":
            # The host is the respondent's own words ("Technical Secretariat hosted by ..."),
            # so it is given as a label, not fitted into a sentence.
            text += " " + sentence(_("Host of the secretariat: %(host)s") % {"host": host})
        return text

    def bodies_and_meetings(self) -> str:
        parts = []
        bodies = self.own_labels("subsidiary_bodies")
        if bodies:
            parts.append(sentence(ngettext(
                "It has the following subsidiary body: %(list)s",
                "It has the following subsidiary bodies: %(list)s",
                len(bodies),
            ) % {"list": join_list(bodies)}))  # fmt: skip
        levels = self.own_labels("meeting_levels")
        if levels:
            parts.append(
                sentence(_("It meets at these levels: %(list)s") % {"list": join_list(levels)})
            )
        frequency = self.own_label("meeting_frequency")
        if frequency:
            parts.append(
                sentence(_("Its main meetings take place %(frequency)s") % {"frequency": frequency})
            )
        decisions = self.own.get("decision_making")
        if decisions and decisions != "OTHER":
            parts.append(
                sentence(
                    _("Decisions are taken %(how)s") % {"how": self.own_label("decision_making")}
                )
            )
        return " ".join(parts)

    def funding(self) -> str:
        parts = []
        sources = self.own_labels("funding_sources")
        if sources:
            parts.append(
                sentence(_("Its sources of funding: %(list)s") % {"list": join_list(sources)})
            )
        budget = self.own.get("annual_budget")
        if budget and budget != "UNKNOWN":
            parts.append(
                sentence(
                    _("Its approximate annual budget: %(budget)s")
                    % {"budget": self.own_label("annual_budget")}
                )
            )
        return " ".join(parts)

    def travel(self) -> str:
        parts = []
        travel = self.own.get("travel_costs")
        if travel == "OWN_COST":
            parts.append(_("Member States cover their own travel expenses to attend its meetings."))
        elif travel == "MIXED":
            parts.append(
                _(
                    "Delegates' travel to meetings is covered partly by the delegations, partly by the mechanism or donors."
                )
            )
        elif travel:
            parts.append(
                sentence(
                    _("Delegates' travel to meetings is covered by %(who)s")
                    % {"who": self.own_label("travel_costs")}
                )
            )
        states = self.inputs.states
        own_travel = states.count("covers_own_travel", "yes")
        if states.answered.get("covers_own_travel"):
            parts.append(sentence(ngettext(
                "%(count)s said it covers its own travel",
                "%(count)s said they cover their own travel",
                own_travel,
            ) % {"count": of_states(own_travel, states.respondents)}))  # fmt: skip
        return " ".join(parts)

    def state_views_on_structures(self) -> str:
        states = self.inputs.states
        if not states.answered.get("structure_satisfaction"):
            return ""
        satisfied = states.count_values("structure_satisfaction", {4, 5})
        return sentence(
            _(
                "%(count)s rated how well its structures and secretariat serve members at 4 or 5 out of 5"
            )
            % {"count": of_states(satisfied, states.respondents)}
        )

    # --- 4. partnerships ------------------------------------------------------------------

    def partnerships(self) -> list[str]:
        paragraphs = [self.partner_kinds(), self.partner_roles()]
        if self.own.get("partnership_description"):
            paragraphs.append(
                sentence(
                    _("The secretariat describes its partnership model as follows: %(text)s")
                    % {"text": quote(self.own["partnership_description"])}
                )
            )
        paragraphs.append(self.cooperation())
        paragraphs.append(self.organization_roles())
        if not any(paragraphs):
            return [_("No information was provided on the mechanism's partnerships.")]
        return paragraphs

    def partner_kinds(self) -> str:
        kinds = self.own_labels("partner_types")
        return (
            sentence(_("The mechanism engages %(list)s") % {"list": join_list(kinds)})
            if kinds
            else ""
        )

    def partner_roles(self) -> str:
        matrix: dict[str, list[str]] = self.own.get("partner_roles") or {}
        question = self.mechanism_schema.questions.get("partner_roles")
        if not matrix or question is None:
            return ""
        columns = {
            option.code: lower_first(option.label(self.language)) for option in question.columns
        }
        phrases = [
            _("%(partner)s as %(roles)s") % {
                "partner": self.label(self.mechanism_schema, "partner_roles", row),
                "roles": join_list([columns.get(c, c) for c in cells]),
            }
            for row, cells in matrix.items()
        ]  # fmt: skip
        return sentence(
            _("Its partners take part in these roles: %(list)s") % {"list": "; ".join(phrases)}
        )

    def cooperation(self) -> str:
        parts = []
        mechanisms = self.own.get("cooperating_mechanisms") or []
        if mechanisms:
            parts.append(
                sentence(_("It cooperates with %(list)s") % {"list": join_list(mechanisms)})
            )
        processes = [p for p in self.own_labels("global_processes") if p]
        if processes and self.own.get("global_processes") != ["NONE"]:
            labels = [
                self.label(self.mechanism_schema, "global_processes", c)
                for c in self.own["global_processes"]
                if c != "NONE"
            ]
            parts.append(
                sentence(
                    _("It takes part in these global processes: %(list)s")
                    % {"list": join_list(labels)}
                )
            )
        return " ".join(parts)

    def organization_roles(self) -> str:
        organizations = self.inputs.organizations
        if not organizations.respondents:
            return ""
        parts = []
        n = organizations.respondents
        roles = self.ranked_labels(organizations, self.organization_schema, "organization_roles")
        if roles:
            parts.append(sentence(ngettext(
                "The responding organization described its role as %(list)s",
                "The responding organizations described their roles as %(list)s",
                n,
            ) % {"list": join_list(roles)}))  # fmt: skip
        support = self.ranked_labels(organizations, self.organization_schema, "support_types")
        if support:
            parts.append(sentence(ngettext(
                "The support it provides: %(list)s", "The support they provide: %(list)s", n
            ) % {"list": join_list(support)}))  # fmt: skip
        return " ".join(parts)

    # --- 5. added value -------------------------------------------------------------------

    def added_value(self) -> list[str]:
        paragraphs = []
        states, organizations = self.inputs.states, self.inputs.organizations
        state_values = self.ranked_labels(states, self.state_schema, "added_value")
        if state_values:
            paragraphs.append(sentence(ngettext(
                "The responding Member State valued its participation in this ISCM for %(list)s",
                "The %(n)d responding Member States valued their participation in this ISCM for %(list)s",
                states.respondents,
            ) % {"n": states.respondents, "list": join_list(state_values)}))  # fmt: skip
        organization_values = self.ranked_labels(
            organizations, self.organization_schema, "added_value"
        )
        if organization_values:
            paragraphs.append(sentence(ngettext(
                "The responding organization valued its engagement for %(list)s",
                "The %(n)d responding organizations valued their engagement for %(list)s",
                organizations.respondents,
            ) % {"n": organizations.respondents, "list": join_list(organization_values)}))  # fmt: skip
        own_values = self.own_labels("added_value")
        if own_values:
            paragraphs.append(
                sentence(
                    _("According to the secretariat, members gain %(list)s")
                    % {"list": join_list(own_values)}
                )
            )
        examples = self.examples_paragraph("added_value_example")
        if examples:
            paragraphs.append(examples)
        relevance = self.relevance()
        if relevance:
            paragraphs.append(relevance)
        if not paragraphs:
            return [_("No information was provided on the added value of membership.")]
        return paragraphs

    def relevance(self) -> str:
        states = self.inputs.states
        if not states.answered.get("relevance"):
            return ""
        high = states.count_values("relevance", {4, 5})
        return sentence(ngettext(
            "%(count)s rated the mechanism's relevance to it at 4 or 5 out of 5",
            "%(count)s rated the mechanism's relevance to them at 4 or 5 out of 5",
            high,
        ) % {"count": of_states(high, states.respondents)})  # fmt: skip


def objective(label: str) -> str:
    """A Global Compact objective inside a sentence: '1. Data' reads '1 (data)'."""
    number, _dot, text = label.partition(". ")
    return f"{number} ({lower_first(text)})" if number.isdigit() and text else label


def compose_summary(inputs: SummaryInputs, language: str) -> SummaryContent:
    return Composer(inputs, language).compose()


def distinct_texts(texts: list[str]) -> list[tuple[str, int]]:
    """Each text once (ignoring case and spacing), in first-given order, with its count."""
    counts: dict[str, list] = {}
    for text in texts:
        key = " ".join(text.split()).casefold()
        if key in counts:
            counts[key][1] += 1
        else:
            counts[key] = [text, 1]
    return [(text, n) for text, n in counts.values()]
