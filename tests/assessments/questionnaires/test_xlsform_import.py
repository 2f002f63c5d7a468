"""The XLSForm bridge, reading: Kobo/ODK forms become questionnaires in our format."""

from __future__ import annotations

import io

from tests.assessments.questionnaires.xlsform_helpers import (
    COLORS,
    question_defaults,
    read_form,
    simple_survey,
    xlsform,
)

MULTILINGUAL_SURVEY = [
    [
        "type",
        "name",
        "label::English (en)",
        "label::French (fr)",
        "label::es",
        "hint::English (en)",
        "hint::fr",
        "required",
        "constraint",
        "relevant",
        "$kuid",
    ],
    ["start", "start"],
    ["text", "respondent", "Your name", "Votre nom", "Su nombre", None, None, "yes"],
    ["begin_group", "A1", "Programming", "Programmation", "Programación", "About the work"],
    [
        "select_one colors",
        "favourite",
        "Favourite colour",
        "Couleur préférée",
        "Color favorito",
        "Pick one",
        "Choisissez-en une",
        True,
    ],
    ["select_multiple colors", "palette", "Palette", "Palette", "Paleta"],
    [
        "integer",
        "staff",
        "Staff",
        "Personnel",
        "Personal",
        None,
        None,
        "FALSE",
        ". >= 1 and . <= 10",
        "${favourite} = 'RED'",
        "abc123",
    ],
    ["text", "why_not", "Why not?", None, None, None, None, None, None, "${favourite}!='RED'"],
    ["select_one yes_no", "likes", "Do you like it?", "Aimez-vous ?", "¿Le gusta?"],
    ["end_group"],
    ["begin group", "per_mechanism_b1", "Each mechanism", "Chaque mécanisme", "Cada mecanismo"],
    [
        "decimal",
        "budget",
        "Budget",
        None,
        None,
        None,
        None,
        "no",
        ".>=0.5",
        "selected(${palette}, 'BLUE')",
    ],
    ["integer", "meetings", "Meetings", *[None] * 5, ". > 0 and . < 100"],
    ["note", "thanks", "Thanks", *[None] * 6, 'selected( ${favourite} , "BLUE" )'],
    ["end group"],
    ["end", "end"],
]
MULTILINGUAL_CHOICES = [
    *COLORS,
    ["yes_no", "yes", "Yes", "Oui", "Sí"],
    ["yes_no", "no", "No", "Non", "No"],
]
COLOR_ITEMS = [
    {"code": "RED", "label": {"en": "Red", "fr": "Rouge", "es": "Rojo"}},
    {"code": "BLUE", "label": {"en": "Blue", "fr": "Bleu", "es": "Azul"}},
]


def test_reads_a_multilingual_form_with_groups_required_constraints_and_conditions():
    source = xlsform(MULTILINGUAL_SURVEY, MULTILINGUAL_CHOICES)

    questionnaire = read_form(source)

    colors = {"source": "local", "items": COLOR_ITEMS}
    assert questionnaire == {
        "format": "iscm-questionnaire",
        "format_version": 1,
        "key": "test_form",
        "version": 3,
        "audience": "mechanism",
        "status": "draft",
        "title": {"en": "Test form", "fr": "Formulaire de test", "es": "Formulario de prueba"},
        "sections": [
            {
                "code": "main",
                "title": {
                    "en": "Test form",
                    "fr": "Formulaire de test",
                    "es": "Formulario de prueba",
                },
                "per_mechanism": False,
                "questions": [
                    {
                        "code": "respondent",
                        "type": "text",
                        "text": {"en": "Your name", "fr": "Votre nom", "es": "Su nombre"},
                        **question_defaults(required=True),
                    }
                ],
            },
            {
                "code": "A1",
                "title": {"en": "Programming", "fr": "Programmation", "es": "Programación"},
                "help": {"en": "About the work"},
                "per_mechanism": False,
                "questions": [
                    {
                        "code": "favourite",
                        "type": "single",
                        "text": {
                            "en": "Favourite colour",
                            "fr": "Couleur préférée",
                            "es": "Color favorito",
                        },
                        "help": {"en": "Pick one", "fr": "Choisissez-en une"},
                        **question_defaults(required=True, choices=colors),
                    },
                    {
                        "code": "palette",
                        "type": "multiple",
                        "text": {"en": "Palette", "fr": "Palette", "es": "Paleta"},
                        **question_defaults(choices=colors),
                    },
                    {
                        "code": "staff",
                        "type": "integer",
                        "text": {"en": "Staff", "fr": "Personnel", "es": "Personal"},
                        **question_defaults(
                            min_value=1,
                            max_value=10,
                            condition={
                                "question": "favourite",
                                "operator": "equals",
                                "values": ["RED"],
                            },
                        ),
                    },
                    {
                        "code": "why_not",
                        "type": "text",
                        "text": {"en": "Why not?"},
                        **question_defaults(
                            condition={
                                "question": "favourite",
                                "operator": "not_equals",
                                "values": ["RED"],
                            }
                        ),
                    },
                    {
                        "code": "likes",
                        "type": "yes_no",
                        "text": {"en": "Do you like it?", "fr": "Aimez-vous ?", "es": "¿Le gusta?"},
                        **question_defaults(),
                    },
                ],
            },
            {
                "code": "per_mechanism_b1",
                "title": {"en": "Each mechanism", "fr": "Chaque mécanisme", "es": "Cada mecanismo"},
                "per_mechanism": True,
                "questions": [
                    {
                        "code": "budget",
                        "type": "decimal",
                        "text": {"en": "Budget"},
                        **question_defaults(
                            min_value=0.5,
                            condition={
                                "question": "palette",
                                "operator": "includes",
                                "values": ["BLUE"],
                            },
                        ),
                    },
                    {
                        "code": "meetings",
                        "type": "integer",
                        "text": {"en": "Meetings"},
                        **question_defaults(min_value=1, max_value=99),
                    },
                    {
                        "code": "thanks",
                        "type": "note",
                        "text": {"en": "Thanks"},
                        **question_defaults(
                            condition={
                                "question": "favourite",
                                "operator": "equals",
                                "values": ["BLUE"],
                            }
                        ),
                    },
                ],
            },
        ],
    }


def test_key_argument_overrides_form_id_and_settings_give_audience_and_defaults():
    form_settings = [["form_title", "form_id", "audience"], ["State form", "kobo_id", "state"]]
    survey = [["type", "name", "label"], ["text", "name_of_state", "Name"]]

    questionnaire = read_form(xlsform(survey, [], form_settings), key="state")

    assert questionnaire["key"] == "state"
    assert questionnaire["audience"] == "state"
    assert questionnaire["version"] == 1
    assert questionnaire["status"] == "draft"
    assert questionnaire["title"] == {"en": "State form"}
    assert "description" not in questionnaire


def test_lists_only_named_like_built_in_types_but_different_stay_local():
    choices = [
        ["yes_no_dk", "yes", "Yes"],
        ["yes_no_dk", "no", "No"],
        ["yes_no_dk", "maybe", "Maybe"],
        *[["scale5", number, str(number)] for number in range(1, 6)],
        *[["scores", number, str(number)] for number in range(1, 6)],
    ]
    survey = [
        ["type", "name", "label", "appearance"],
        ["select_one yes_no_dk", "unsure", "Unsure"],
        ["select_one scale5", "rating", "Rating"],
        ["select_one scores", "score", "Score"],
        ["text", "story", "Story", "multiline"],
    ]

    questions = read_form(xlsform(survey, choices))["sections"][0]["questions"]

    assert [question["type"] for question in questions] == [
        "single",
        "scale5",
        "single",
        "long_text",
    ]
    assert [item["code"] for item in questions[0]["choices"]["items"]] == ["yes", "no", "maybe"]
    assert questions[1]["choices"] is None
    assert [item["code"] for item in questions[2]["choices"]["items"]] == list("12345")


def test_several_values_in_the_generated_chain_forms():
    survey = simple_survey(
        ["select_multiple colors", "palette", "Palette"],
        ["select_one colors", "favourite", "Favourite"],
        ["text", "a", "A", "${favourite} = 'RED' or ${favourite} = 'BLUE'"],
        ["text", "b", "B", "${favourite} != 'RED' and ${favourite} != \"BLUE\""],
        ["text", "c", "C", "selected(${palette}, 'RED') or selected(${palette}, 'BLUE')"],
        header=["relevant"],
    )

    questions = read_form(survey)["sections"][0]["questions"]

    assert [question["condition"] for question in questions[2:]] == [
        {"question": "favourite", "operator": "equals", "values": ["RED", "BLUE"]},
        {"question": "favourite", "operator": "not_equals", "values": ["RED", "BLUE"]},
        {"question": "palette", "operator": "includes", "values": ["RED", "BLUE"]},
    ]


def test_questions_outside_groups_keep_their_place():
    survey = [
        ["type", "name", "label"],
        ["text", "first", "First"],
        ["begin_group", "main", "Named main"],
        ["text", "second", "Second"],
        ["end_group"],
        ["text", "third", "Third"],
    ]

    sections = read_form(xlsform(survey))["sections"]

    assert [(section["code"], len(section["questions"])) for section in sections] == [
        ("main_2", 1),
        ("main", 1),
        ("main_3", 1),
    ]


def test_reads_from_a_path_and_from_a_file_object(tmp_path):
    source = simple_survey(["text", "story", "Story"])
    path = tmp_path / "form.xlsx"
    path.write_bytes(source)

    assert read_form(str(path)) == read_form(io.BytesIO(source))
    assert read_form(path)["sections"][0]["questions"][0]["code"] == "story"


# Summary wording of choices: `phrase` and `sentence` columns of the choices sheet.

WORDING_HEADER = [
    "list_name",
    "name",
    "label::English (en)",
    "label::fr",
    "phrase::English (en)",
    "phrase::French (fr)",
    "phrase_es",
    "sentence",
    "sentence_French",
    "Sentence::Español",
]
WORDING_SURVEY = [["type", "name", "label"], ["select_one often", "reporting", "Reporting"]]


def test_reads_phrases_and_sentences_in_every_spelling_of_the_language_columns():
    choices = [
        [
            "often",
            "ANNUAL",
            "Annually",
            "Chaque année",
            "once a year",
            "une fois par an",
            "una vez al año",
            "It reports every year.",
            "Il rend compte chaque année.",
            "Informa cada año.",
        ],
        ["often", "NEVER", "Never", None, None, None, None, "It never reports."],
        ["often", "OTHER_WAY", "Otherwise", None, "otherwise"],
        ["often", "SOMETIMES", "Sometimes"],
    ]
    source = xlsform(WORDING_SURVEY, choices, choices_header=WORDING_HEADER)

    (question,) = read_form(source)["sections"][0]["questions"]

    assert question["choices"]["items"] == [
        {
            "code": "ANNUAL",
            "label": {"en": "Annually", "fr": "Chaque année"},
            "phrase": {"en": "once a year", "fr": "une fois par an", "es": "una vez al año"},
            "sentence": {
                "en": "It reports every year.",
                "fr": "Il rend compte chaque année.",
                "es": "Informa cada año.",
            },
        },
        {"code": "NEVER", "label": {"en": "Never"}, "sentence": {"en": "It never reports."}},
        {"code": "OTHER_WAY", "label": {"en": "Otherwise"}, "phrase": {"en": "otherwise"}},
        {"code": "SOMETIMES", "label": {"en": "Sometimes"}},
    ]


def test_reads_the_written_suffixed_columns_and_their_language_aliases():
    header = ["list_name", "name", "label", "phrase_en", "phrase_francais"]
    header += ["sentence_english", "sentence_spanish_(es)"]
    choices = [["often", "ANNUAL", "Annually", "once a year", "une fois par an"]]
    choices[0] += ["It reports every year.", "Informa cada año."]
    source = xlsform(WORDING_SURVEY, choices, choices_header=header)

    (question,) = read_form(source)["sections"][0]["questions"]

    assert question["choices"]["items"] == [
        {
            "code": "ANNUAL",
            "label": {"en": "Annually"},
            "phrase": {"en": "once a year", "fr": "une fois par an"},
            "sentence": {"en": "It reports every year.", "es": "Informa cada año."},
        }
    ]


def test_a_yes_no_list_with_summary_wording_stays_a_local_list():
    header = ["list_name", "name", "label", "sentence_en"]
    choices = [
        ["yes_no", "yes", "Yes", "It has a strategy."],
        ["yes_no", "no", "No"],
        ["yes_no_dk", "yes", "Yes"],
        ["yes_no_dk", "no", "No"],
        ["yes_no_dk", "dk", "Don't know"],
    ]
    survey = [
        ["type", "name", "label"],
        ["select_one yes_no", "has_strategy", "Has a strategy?"],
        ["select_one yes_no_dk", "has_plan", "Has a plan?"],
    ]

    questions = read_form(xlsform(survey, choices, choices_header=header))
    questions = questions["sections"][0]["questions"]

    assert [question["type"] for question in questions] == ["single", "yes_no_dk"]
    assert questions[0]["choices"]["items"][0]["sentence"] == {"en": "It has a strategy."}
    assert questions[1]["choices"] is None
