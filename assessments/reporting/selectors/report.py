"""The round report's data: every table, with the definitions of its figures."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.rounds.models import SurveyRound
from assessments.rounds.selectors import REGION_RATE_DEFINITION

from .common import ReportData
from .comparison import ComparisonTables


class Builder(ComparisonTables):
    """Arranges the grouped counts of the round (and of the previous one) into tables."""

    def definitions(self) -> list[str]:
        return [
            _(
                "Only submitted responses are counted; drafts and responses reopened for "
                "changes are left out."
            ),
            _(
                "Response rate by audience: participants with at least one submitted response, "
                "out of the participants of that audience in the round. By mechanism: whether "
                "the mechanism's own response was submitted, and the blocks about it submitted "
                "by member States (and organizations) out of the member States (and "
                "organizations with a role in it) taking part in the round, by the memberships "
                "in force on the closing day."
            ),
            _(
                "Region: the region of the mechanism, as recorded in the registry, for a "
                "mechanism's own response and for every block about a mechanism. A State's or "
                "an organization's once-answered response is about no mechanism and has no "
                "region; it is shown as “—”."
            ),
            str(REGION_RATE_DEFINITION),
            _(
                "Respondents: a mechanism's own response, and each block a State or an "
                "organization gave about one mechanism, count once each (a State answering "
                "about three mechanisms counts three times in per-mechanism questions). "
                "Percentages are of the respondents who answered the question; in "
                "multiple-choice questions they add up to more than 100 %."
            ),
            _(
                "Contribution: the share of respondents answering “yes” among those who "
                "answered the question for that level, with the most frequent kinds of "
                "contribution among those who reported one. In the comparison, a mechanism's "
                "share pools the five levels and every response about it."
            ),
            _(
                "Thematic matrix and structures: from the mechanisms' own submitted responses "
                "(current thematic areas; chair model and rotation, secretariat, funding "
                "sources, meeting frequency)."
            ),
            _(
                "Added value: values named at least once, most frequent first; equal counts "
                "share a rank and follow the questionnaire's order."
            ),
        ]

    def build(self) -> ReportData:
        rates = self.rates_by_audience(self.current)
        by_mechanism = self.rates_by_mechanism()
        return ReportData(
            round_name=self.round.name,
            round_slug=self.round.slug,
            round_year=self.round.year,
            language=self.language,
            generated_on=timezone.localdate(),
            previous_round_name=self.previous_round.name if self.previous_round else None,
            definitions=self.definitions(),
            response_rates_by_audience=rates,
            response_rates_by_region=self.rates_by_region(),
            response_rates_by_mechanism=by_mechanism,
            thematic_matrix=self.thematic_matrix(),
            contribution=self.contribution(),
            structures=self.structures(),
            partner_kinds=self.partner_kinds(),
            added_value=self.added_value(),
            frequencies=[self.frequency(code) for code in self.closed_codes()],
            comparison=self.comparison(rates),
        )


def round_report_data(
    survey_round: SurveyRound,
    *,
    previous_round: SurveyRound | None = None,
    language: str = "en",
) -> ReportData:
    """Every figure of the round report, in a fixed number of queries (see the package's doc)."""
    with translation.override(language):
        return Builder(survey_round, previous_round, language).build()
