"""A small corpus of forms written the way public KoboToolbox / ODK projects write them (a
household survey, a DTM-style flow monitoring form, a school census, market prices, a training
evaluation, ...), each read as a secretariat would import it: imported with its warnings, or
refused on the row that would change the meaning of the answers. None may crash."""

from __future__ import annotations

import pytest

from assessments.questionnaires.xlsform import XLSFormError, xlsform_to_questionnaire
from tests.assessments.questionnaires.xlsform_helpers import workbook_bytes


def sheet(text: str) -> list[list[str | None]]:
    """Rows written one per line, cells separated by `|` (an empty cell is blank)."""
    rows = [line.split("|") for line in text.strip().splitlines()]
    return [[cell.strip() or None for cell in row] for row in rows]


YES_NO = """
list_name|name|label::English (en)|label::Français (fr)
yes_no|yes|Yes|Oui
yes_no|no|No|Non
"""

HOUSEHOLD = (
    """
type|name|label::English (en)|label::Français (fr)|hint::English (en)|required|relevant|constraint|calculation|appearance|$kuid
start|start||||||||k0
end|end||||||||k1
today|today||||||||k2
deviceid|deviceid||||||||k3
select_one yes_no|consent|Do you agree to answer?|Acceptez-vous de répondre ?||true||||minimal|k4
begin_group|household|Household|Ménage|||${consent} = 'yes'|||field-list|k5
integer|hh_size|How many people live here?|Combien de personnes vivent ici ?|Count yourself|true||. >= 1 and . <= 30|||k6
select_multiple assets or_other|assets|Which of these does the household own?|Lesquels de ces biens le ménage possède-t-il ?||false||||horizontal|k7
calculate|big_household||||||if(${hh_size} > 5, 'yes', 'no')||k8
note|thanks|Thank you, ${hh_size} people noted.|Merci.||||||k9
text|radio_use|What is the radio used for?|À quoi sert la radio ?|||${hh_size} > 5 and selected(${assets}, 'radio')|||multiline|k10
end_group|||||||||k11
""",
    """
list_name|name|label::English (en)|label::Français (fr)
yes_no|yes|Yes|Oui
yes_no|no|No|Non
assets|radio|Radio|Radio
assets|bicycle|Bicycle|Vélo
assets|mobile phone|Mobile phone|Téléphone portable
""",
)

TRAINING = (
    """
type|name|label::English (en)|label::Spanish (es)|required|parameters|relevant
acknowledge|agree|I agree to give feedback|Acepto dar mi opinión|yes||
select one rating|overall|How useful was the training?|¿Qué tan útil fue la formación?|yes||
range|recommend|How likely are you to recommend it?|¿Recomendaría la formación?||start=0 end=10 step=1|
text|why_low|Why so low?|¿Por qué tan bajo?|||${recommend} < 5 or ${overall} = 1
date|attended|When did you attend?|¿Cuándo asistió?|||
time|started|What time did it start?|¿A qué hora empezó?|||
""",
    """
list_name|name|label::English (en)|label::Spanish (es)
rating|1|Not useful|Nada útil
rating|2|Somewhat useful|Algo útil
rating|3|Very useful|Muy útil
""",
)

FLOW_MONITORING = (
    """
type|name|label|required
start|start||
geopoint|location|Where is the flow monitoring point?|yes
integer|travellers|How many travellers passed today?|yes
select_one reason|reason|Main reason for travelling|
""",
    """
list_name|name|label
reason|work|Work
reason|family|Family
reason|conflict|Conflict
""",
)

SCHOOL_CENSUS = (
    """
type|name|label
text|school|School name
begin_repeat|classes|Classes
text|grade|Grade
integer|pupils|Number of pupils
end_repeat||
""",
    None,
)

MARKET_PRICES = (
    """
type|name|label|choice_filter
select_one region|region|Region|
select_one district|district|District|region = ${region}
decimal|price|Price of maize (per kg)|
""",
    """
list_name|name|label|region
region|north|North|
region|south|South|
district|n1|North 1|north
district|s1|South 1|south
""",
)

HEALTH_FACILITY = (
    """
type|name|label|hint|relevant|constraint
begin group|facility|Facility|||
text|facility_name|Facility name|||
integer|beds|Number of beds|||. >= 0
integer|occupied|Beds occupied|||. <= ${beds}
begin group|staff|Staff|||
integer|doctors|Number of doctors|||
decimal|budget|Monthly budget (USD)||${beds} > 0|
end group||||
end group||||
text||Any remark?|Optional||
date|visit|Date of visit|||. <= today()
""",
    None,
)

PROTECTION = (
    """
type|name|label|relevant|calculation
integer|age|Age of the respondent||
select_one sex|sex|Sex||
select_multiple risks|risks|Risks faced||
calculate|adult|||${age} >= 18
text|risk_details|Describe the risks|count-selected(${risks}) > 0|
text|adult_women|Question for adult women|${age} >= 18 and ${sex} = 'female'|
text|adults_only|Question for adults|${adult} = 'true'|
""",
    """
list_name|name|label
sex|female|Female
sex|male|Male
risks|theft|Theft
risks|violence|Violence
""",
)

SCREENING = (
    """
type|name|label:English|label:French|required|relevant
select one yes_no|fever|Do you have a fever?|Avez-vous de la fièvre ?|yes|
select one yes_no|cough|Do you have a cough?|Toussez-vous ?|yes|
begin group|symptoms|Symptoms|Symptômes||${fever} = 'yes' or ${cough} = 'yes'
integer|days|For how many days?|Depuis combien de jours ?||
text|comments|Comments|Commentaires||true()
end group|||||
begin group|contacts|Contacts|Contacts||
text|comments|Comments|Commentaires||
text|hidden_field|Never asked|Jamais posé||false()
end group|||||
""",
    YES_NO.replace("label::English (en)|label::Français (fr)", "label:English|label:French"),
)

KEY_INFORMANT = (
    """
type|name|label::English (en)|label::Français (fr)|label::Arabic (ar)|label::Portuguese (pt)|relevant|media::image
select_multiple topics|topics|Which topics do you follow?|Quels sujets suivez-vous ?|ما المواضيع؟|Que temas?||topics.png
text|no_labour|Why not labour migration?|Pourquoi pas la migration de travail ?|لماذا؟|Porquê?|not(selected(${topics}, 'labour'))|
text|why|Why these topics?|Pourquoi ces sujets ?|لماذا؟|Porquê?|${topics} != ''|
""",
    """
list_name|name|label::English (en)|label::Français (fr)
topics|labour|Labour migration|Migration de travail
topics|trafficking|Trafficking in persons|Traite des personnes
topics|diaspora|Diaspora engagement|Engagement de la diaspora
""",
)

CORPUS = {
    # name: (survey, choices, expected: "imported" or the refused (row, construct))
    "household survey (Kobo)": (*HOUSEHOLD, "imported"),
    "training evaluation (ODK)": (*TRAINING, "imported"),
    "flow monitoring": (*FLOW_MONITORING, (3, "geopoint")),
    "school census": (*SCHOOL_CENSUS, (3, "begin_repeat")),
    "market prices": (*MARKET_PRICES, (3, "choice_filter")),
    "health facility assessment": (*HEALTH_FACILITY, "imported"),
    "protection monitoring": (*PROTECTION, (8, "relevant “${adult} = 'true'”")),
    "screening": (*SCREENING, "imported"),
    "key informant interview": (*KEY_INFORMANT, "imported"),
}


def outcome(survey: str, choices: str | None) -> tuple[str, object]:
    sheets = {"survey": sheet(survey)}
    if choices:
        sheets["choices"] = sheet(choices)
    try:
        imported = xlsform_to_questionnaire(workbook_bytes(sheets), filename="form.xlsx")
    except XLSFormError as caught:
        return "refused", caught.refusals
    return "imported", imported


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_form_of_the_corpus_imports_or_is_refused_on_the_row_that_changes_answers(name):
    survey, choices, expected = CORPUS[name]

    kind, result = outcome(survey, choices)

    if expected == "imported":
        assert kind == "imported", [str(r) for r in result]
        assert all(w.sheet and w.construct and w.message for w in result.warnings)
    else:
        assert kind == "refused"
        assert [(r.sheet, r.row, r.construct) for r in result] == [("survey", *expected)]
        assert all("sections[" not in r.message for r in result)


def test_the_household_survey_keeps_its_conditions_languages_and_choices():
    _kind, imported = outcome(*HOUSEHOLD)
    data = imported.questionnaire
    questions = {q["code"]: q for s in data["sections"] for q in s["questions"]}
    consent_yes = {"question": "consent", "operator": "equals", "values": ["yes"]}

    assert list(questions) == ["consent", "hh_size", "assets", "thanks", "radio_use"]
    assert questions["hh_size"]["condition"] == consent_yes
    assert (questions["hh_size"]["min_value"], questions["hh_size"]["max_value"]) == (1, 30)
    assert questions["assets"]["other_option"] is True
    # the group's condition is implied: both targets are in the group
    assert questions["radio_use"]["condition"] == {
        "all": [
            {"question": "hh_size", "operator": "greater_than", "values": ["5"]},
            {"question": "assets", "operator": "includes", "values": ["radio"]},
        ]
    }
    assert questions["radio_use"]["text"]["fr"] == "À quoi sert la radio ?"
    constructs = {w.construct for w in imported.warnings}
    assert {"start", "end", "today", "deviceid", "calculate", "column “$kuid”"} <= constructs


def test_the_screening_form_combines_group_conditions_and_renames_a_repeated_name():
    _kind, imported = outcome(*SCREENING)
    questions = [q for s in imported.questionnaire["sections"] for q in s["questions"]]

    assert [q["code"] for q in questions] == ["fever", "cough", "days", "comments", "comments_2"]
    either = {
        "any": [
            {"question": "fever", "operator": "equals", "values": ["yes"]},
            {"question": "cough", "operator": "equals", "values": ["yes"]},
        ]
    }
    assert questions[2]["condition"] == either  # the group's
    assert questions[3]["condition"] == either  # true() adds nothing
    assert questions[4]["condition"] is None
