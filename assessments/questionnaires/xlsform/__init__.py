"""Bridge between XLSForm workbooks and our questionnaire format (docs/questionnaire-format.md).

`xlsform_to_questionnaire` reads an XLSForm (.xlsx or .xls) as KoboToolbox / ODK / SurveyCTO
users write them, through pyxform's own reader and aliases. What our model cannot hold but does
not change the meaning of the answers is left out and listed as warnings; the rest is refused,
each refusal with its sheet, row and construct.
`questionnaire_to_xlsform` writes a questionnaire as an XLSForm. What plain XLSForm cannot say is
kept in custom columns, which other XLSForm tools ignore and which the reader honours, so that
writing then reading gives back the same questionnaire:

- survey: `section_code` (on begin_group rows), `our_type` (`year`, `matrix`, `long_text`),
  `choice_source` (`vocabulary:NAME` or `mechanisms`), `columns_source` (`local:LIST`,
  `vocabulary:NAME` or `mechanisms`), `other_option`, `max_choices`, `rows_from`,
  `summary_section`;
- choices: `phrase_en`, `phrase_fr`, `phrase_es`, `sentence_en`, `sentence_fr`, `sentence_es` (a
  choice's summary wording; the reader also takes `phrase::English (en)` and the other spellings
  of the label columns, which pyxform refuses on the choices sheet);
- settings: `audience`, `status`, `description` (translatable like `form_title`).

Both functions are pure: no database access (the export takes the registry's lists as an
argument, to write them into the choices sheet).

The parts: `common` (the names both directions share, `Finding`, `XLSFormError`, `Imported`),
`workbook` (pyxform's reader, with the size caps), `rows` (cells, texts and the report of
findings), `survey` (one survey row), `conditions` (`relevant` expressions), `sections` (groups
and conditions), `codes` (names our codes refuse), `reading` (the whole) and `writing`.
"""

from __future__ import annotations

from .common import Finding, Imported, XLSFormError
from .reading import xlsform_to_questionnaire
from .writing import questionnaire_to_xlsform

__all__ = [
    "Finding",
    "Imported",
    "XLSFormError",
    "questionnaire_to_xlsform",
    "xlsform_to_questionnaire",
]
