"""The small editorial helpers: lists, quotations, sentences, typography, phrases, the voice,
examples and the Markdown subset (no database)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from assessments.questionnaires.models import Audience
from assessments.summaries import markdown
from assessments.summaries.compose.context import share, short_share
from assessments.summaries.examples import ORGANIZATION, SECRETARIAT, STATE, pick_examples
from assessments.summaries.phrases import plain_label
from assessments.summaries.voice import Voice, french_gender, is_plural
from assessments.summaries.wording import (
    contract,
    finish,
    join_list,
    lower_first,
    quote,
    sentence,
)
from mechanisms.models import Mechanism


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], ""),
        (["networking"], "networking"),
        (["networking", "trust-building"], "networking and trust-building"),
        (["a", "b", "c"], "a, b and c"),
        (["a", "", "b"], "a and b"),
        # an item with an "and" of its own: the serial comma keeps it one item
        (["its website", "publications and reports", "training"],
         "its website, publications and reports, and training"),
        (["publications and reports", "training"], "publications and reports and training"),
    ],
)  # fmt: skip
def test_join_list_joins_none_one_two_and_three_items(items, expected):
    with translation.override("en"):
        assert join_list(items) == expected


@pytest.mark.parametrize("language", ["fr", "es"])
def test_join_list_uses_the_conjunction_of_the_language_and_no_serial_comma(language):
    with translation.override(language):
        conjunction = gettext("and")
        assert conjunction != "and"
        assert join_list(["a"]) == "a"
        assert join_list(["a", "b"]) == f"a {conjunction} b"
        assert join_list(["a x b", "b", "c"]) == f"a x b, b {conjunction} c"


def test_join_list_separates_items_that_have_commas_of_their_own_with_semicolons():
    governance = "migration governance, policy and legislation"
    trafficking = "combating trafficking in persons; victim protection"
    with translation.override("en"):
        assert join_list([governance, "networking", trafficking]) == (
            "migration governance, policy and legislation; networking; "
            "and combating trafficking in persons, victim protection"
        )
        assert join_list(["knowledge (information, data)", "a", "b"]) == (
            "knowledge (information, data), a and b"
        )
    with translation.override("fr"):
        assert join_list(["a, b", "c", "d"]) == f"a, b\u202f; c {gettext('and')} d"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Trust-building", "trust-building"),
        ("UN agencies", "UN agencies"),
        ("Pro Tempore Presidency", "Pro Tempore Presidency"),
        ("Member State contributions", "Member State contributions"),
        ("Observer States", "observer States"),
        ("Contributions des États membres", "contributions des États membres"),
        ("A donor", "a donor"),
        ("", ""),
    ],
)  # fmt: skip
def test_lower_first_lowers_labels_but_keeps_acronyms_and_names(label, expected):
    assert lower_first(label) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("UN agencies (e.g. IOM, UNHCR, ILO, UNODC)", "UN agencies"),
        ("IOM resources (incl. the IOM Development Fund)", "IOM resources"),
        ("Regional consultation group, e.g. RCM Regional Consultation Group", "Regional consultation group"),
        ("Website / online platform", "Website"),
        ("Organismos de la ONU (p. ej. OIM, ACNUR)", "Organismos de la ONU"),
    ],
)  # fmt: skip
def test_a_label_without_a_phrase_loses_its_asides_so_none_becomes_a_claim(label, expected):
    assert plain_label(label) == expected


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "“a b”"), ("fr", "«\u00a0a b\u00a0»"), ("es", "«a b»")]
)
def test_quote_uses_the_quotation_marks_of_the_language(language, expected):
    with translation.override(language):
        assert quote("a \n b") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("  the chair is permanent ", "The chair is permanent."),
        ("Done.", "Done."),
        ("as follows: “we met”", "As follows: “we met”."),
        ("as follows: “we met.”", "As follows: “we met.”"),
    ],
)
def test_sentence_capitalizes_and_ends_with_exactly_one_full_stop(text, expected):
    assert sentence(text) == expected


def test_french_prose_gets_its_contractions_and_no_break_spaces_but_quotations_do_not():
    text = "Niveau national: il contribue à le dialogue de les États; vraiment? « a: b »"
    assert finish(text, "fr") == (
        "Niveau national\u00a0: il contribue au dialogue des États\u202f; vraiment\u202f? « a: b »"
    )
    assert contract("la contribution de el Estado a el diálogo", "es") == (
        "la contribution del Estado al diálogo"
    )
    assert finish("Nivel nacional: de el Estado", "es") == "Nivel nacional: del Estado"


def test_shares_count_over_who_answered_and_never_say_zero_of():
    with translation.override("en"):
        assert share(1, 1, Audience.STATE) == "one Member State"
        assert share(0, 1, Audience.STATE) == "the one Member State that answered"
        assert share(2, 3, Audience.STATE) == "2 of 3 Member States that answered"
        assert share(2, 2, Audience.ORGANIZATION) == "both organizations that answered"
        assert share(3, 3, Audience.STATE) == "all 3 Member States that answered"
        assert share(0, 3, Audience.STATE) == "none of the 3 Member States that answered"
        assert short_share(4, 7, Audience.STATE) == "4 of 7 Member States"
        assert "0 of" not in share(0, 5, Audience.ORGANIZATION)


def mechanism(**names) -> Mechanism:
    return Mechanism(acronym="X", name="Regional Conference on Migration", **names)


def test_the_voice_names_the_mechanism_then_varies_the_subject():
    voice = Voice(mechanism(short_name="the RCM"), "en")
    with translation.override("en"):
        assert [voice.subject() for _ in range(4)] == ["the RCM", "it", "the ISCM", "it"]
        voice.new_section()
        assert voice.subject() == "the RCM"
    voice = Voice(mechanism(), "en")
    assert voice.subject() == "Regional Conference on Migration"  # no short name: the name


def test_a_french_pronoun_follows_the_gender_of_the_short_name():
    assert french_gender(mechanism(short_name_fr="la CRM")) == "f"
    assert french_gender(mechanism(short_name_fr="le Processus de Bali")) == "m"
    assert french_gender(mechanism(short_name_fr="l'IGC", short_name_fr_gender="m")) == "m"
    assert french_gender(mechanism(short_name_fr="CRM")) == ""
    with translation.override("fr"):
        forms = Voice(mechanism(short_name_fr="la CRM"), "fr").forms
    assert forms[:2] == ["la CRM", "elle"]


def test_a_plural_name_is_not_made_the_subject_of_a_singular_verb():
    assert is_plural("les Consultations caribéennes", "fr")
    assert is_plural("las CMC", "es") and not is_plural("la CRM", "es")
    with translation.override("fr"):
        voice = Voice(mechanism(short_name_fr="les Consultations caribéennes"), "fr")
        subjects = {voice.subject() for _ in range(6)}
    assert "les Consultations caribéennes" not in subjects
    assert voice.named() == "les Consultations caribéennes"


def test_examples_come_from_the_mechanism_then_a_state_then_an_organization():
    chosen = pick_examples(["Own."], ["State one.", "State two."], ["Org one."], limit=3)
    assert [(e.source, e.text) for e in chosen] == [
        (SECRETARIAT, "Own."),
        (STATE, "State one."),
        (ORGANIZATION, "Org one."),
    ]
    assert [e.text for e in pick_examples([], ["S1.", "S2."], ["O1."], limit=2)] == ["S1.", "O1."]


def test_near_duplicate_examples_are_quoted_once_with_their_number():
    chosen = pick_examples(
        [], ["Shared data on returns.", "shared  data on returns", "Other."], [], limit=2
    )
    assert [(e.text, e.count) for e in chosen] == [("Shared data on returns.", 2), ("Other.", 1)]


def test_examples_are_chosen_the_same_way_every_time():
    states = [f"Example {i} about something else entirely." for i in range(20)]
    first = pick_examples(["Own."], states, ["Org."], limit=2)
    assert pick_examples(["Own."], list(states), ["Org."], limit=2) == first


# --- the Markdown subset --------------------------------------------------------------------


def test_the_markdown_subset_renders_emphasis_lists_and_paragraphs():
    text = "An **edited** section with *emphasis*.\n\n- first\n- second\n\n1. one\n2. two"
    assert markdown.to_html(text) == (
        "<p>An <strong>edited</strong> section with <em>emphasis</em>.</p>\n"
        "<ul>\n<li>first</li>\n<li>second</li>\n</ul>\n<ol>\n<li>one</li>\n<li>two</li>\n</ol>"
    )
    blocks = markdown.blocks(text)
    assert [(b.kind, b.number) for b in blocks] == [
        ("paragraph", 0), ("bullet", 1), ("bullet", 2), ("number", 1), ("number", 2)
    ]  # fmt: skip
    assert [(r.text, r.bold, r.italic) for r in blocks[0].runs] == [
        ("An ", False, False),
        ("edited", True, False),
        (" section with ", False, False),
        ("emphasis", False, True),
        (".", False, False),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script> and <b onclick='x()'>bold</b>",
        "[a link](https://example.org) and ![an image](https://example.org/x.png)",
        "<https://example.org> and https://example.org",
        "# A heading\n\n> a quote\n\n    code",
    ],
)
def test_markup_outside_the_subset_stays_text(text):
    html = markdown.to_html(text)
    assert {tag for tag in re.findall(r"</?(\w+)", html)} <= {"p", "br"}
    assert "<" not in re.sub(r"</?(p|br)>", "", html)  # any other markup is escaped text


def test_a_quoted_answer_is_literal_whatever_markup_it_holds():
    answer = "We **won** <img src=x onerror=alert(1)> [click](javascript:alert(1)) _x_"
    with translation.override("en"):
        html = markdown.to_html(sentence(f"It says: {quote(answer)}"))
    assert "<strong>" not in html and "<em>" not in html and "<img" not in html
    assert "<a " not in html
    assert "**won**" in html and "[click](javascript:alert(1))" in html and "_x_" in html
    assert "&lt;img" in html
