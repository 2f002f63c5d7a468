"""The round report's figures, read in a fixed number of grouped queries.

Everything is counted in SQL over the typed answer rows of SUBMITTED responses (a choice row per
chosen code, a cell row per ticked matrix cell, a number row per scale answer); Python only
arranges the grouped counts, whose number depends on the registry (questions, choices,
mechanisms), never on the number of responses. A previous round, when given, is read by the same
queries (grouped by round), so comparing costs no extra query. The queries:

1. the round's three questionnaires (their schemas are then cached per process once published);
2. participants, and participants with a submitted response, by round and audience;
3. the mechanisms taking part in each round;
4. the names and regions of those mechanisms and of any mechanism answered about;
5. submitted responses by round, audience and the mechanism they are about;
6. the member States and organizations of the round expected to answer about each mechanism;
7. answer rows of closed questions by round, question, audience, mechanism, matrix row and value;
8. respondents answering each multiple-choice or matrix question, by round, question, audience
   and mechanism (the other closed questions have one answer row per respondent).

A response is "about" a mechanism when it is that mechanism's own response or a State's or an
organization's block about it; once-answered responses of States and organizations are about
none, and their region is "—".

The parts: `common` (what the figures are grouped by, `ReportData`), `queries` (the queries
above), `labels` (texts in the report's language), and the tables built on `builder`'s
`RoundTables`: `rates` (participation), `answers` (question by question), `comparison` (with the
previous round) and `report` (`round_report_data`, which puts them together). Callers look
`round_report_data` up here, at call time (the report job, the benchmark's timing and the
tests' stand-ins replace it on this package).
"""

from __future__ import annotations

from .answers import AnswerTables
from .builder import RoundTables
from .common import (
    ALL,
    AUDIENCE_LABELS,
    AUDIENCES,
    CLOSED_TYPES,
    LEVEL_LABELS,
    LEVELS,
    NO_REGION,
    SEVERAL_ROWS_TYPES,
    STRUCTURE_CODES,
    TOP_KINDS,
    GroupKey,
    ReportData,
    percent,
    points,
)
from .comparison import ComparisonTables
from .labels import Labels, ranked
from .queries import (
    MechanismInfo,
    RoundAnswers,
    RoundFigures,
    about_expression,
    read_expected_blocks,
    read_figures,
    read_mechanisms,
    read_schemas,
    submitted_answer_rows,
)
from .rates import RateTables
from .report import Builder, round_report_data

__all__ = [
    "ALL",
    "AUDIENCES",
    "AUDIENCE_LABELS",
    "CLOSED_TYPES",
    "LEVELS",
    "LEVEL_LABELS",
    "NO_REGION",
    "SEVERAL_ROWS_TYPES",
    "STRUCTURE_CODES",
    "TOP_KINDS",
    "AnswerTables",
    "Builder",
    "ComparisonTables",
    "GroupKey",
    "Labels",
    "MechanismInfo",
    "RateTables",
    "ReportData",
    "RoundAnswers",
    "RoundFigures",
    "RoundTables",
    "about_expression",
    "percent",
    "points",
    "ranked",
    "read_expected_blocks",
    "read_figures",
    "read_mechanisms",
    "read_schemas",
    "round_report_data",
    "submitted_answer_rows",
]
