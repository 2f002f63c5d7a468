"""What a summary becomes: Markdown, Word, PDF, HTML pages and downloads, one or a round's
compendium; the Markdown subset of edited sections is rendered the same in all of them."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from assessments.summaries.models import Summary
from assessments.summaries.render import document, to_docx, to_html, to_markdown, to_pdf
from assessments.summaries.services import summary_edit_section, summary_publish
from tests.assessments.summaries.world import (
    SECTION_TITLES_EN,
    block_of,
    change_answers,
    compose,
    docx_paragraphs,
    generate,
    pdf_pages,
    summary_url,
)


@pytest.mark.django_db
def test_the_markdown_has_a_title_and_five_numbered_sections(world):
    text = to_markdown(generate(world, "RCM"))
    assert text.startswith("# Summary of Findings per ISCM\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [f"## {title}" for title in SECTION_TITLES_EN]
    assert "**Name of the inter-State consultation mechanism (ISCM): Regional Conference" in text


@pytest.mark.django_db
def test_the_word_file_has_real_numbered_headings_and_the_name_line(world):
    summary = generate(world, "RCM")
    paragraphs = docx_paragraphs(to_docx([summary]))
    assert paragraphs[0] == ("Title", "Summary of Findings per ISCM")
    assert [text for style, text in paragraphs if style == "Heading 1"] == SECTION_TITLES_EN
    assert summary.header["name_line"] in [text for _style, text in paragraphs]
    texts = [text for _style, text in paragraphs]
    assert compose(world, "RCM").sections["5"].split("\n\n")[0] in texts


@pytest.mark.django_db
def test_the_pdf_has_pages_with_the_name_and_the_section_titles(world):
    pages = pdf_pages(to_pdf([generate(world, "RCM")]))
    assert len(pages) >= 1
    text = " ".join(pages)
    assert "Regional Conference on Migration (Puebla Process)" in text
    for title in SECTION_TITLES_EN:
        assert title in text


@pytest.mark.django_db
def test_the_compendium_word_file_has_a_table_of_contents_and_a_heading_per_mechanism(world):
    summaries = [generate(world, acronym) for acronym in ("RCM", "SACM")]
    note = "No answer was submitted about MTM."
    content = to_docx(summaries, compendium_title="All summaries", note=note)
    paragraphs = docx_paragraphs(content)
    assert paragraphs[0] == ("Title", "All summaries")
    assert paragraphs[1] == ("Normal", note)
    assert [text for style, text in paragraphs if style == "Heading 1"] == [
        "Contents",
        "Regional Conference on Migration (Puebla Process)",
        "South American Conference on Migration (Lima Process)",
    ]
    assert [text for style, text in paragraphs if style == "Heading 2"] == SECTION_TITLES_EN * 2
    import docx

    body = docx.Document(io.BytesIO(content)).element.body.xml
    assert 'TOC \\o "1-2"' in body and 'w:fldCharType="begin"' in body


@pytest.mark.django_db
def test_the_compendium_pdf_has_a_contents_page_and_one_summary_per_mechanism(world):
    summaries = [generate(world, acronym) for acronym in ("RCM", "SACM")]
    note = "No answer was submitted about MTM."
    pages = pdf_pages(to_pdf(summaries, compendium_title="All summaries", note=note))
    assert "Contents" in pages[0] and "Evolution of programming" not in pages[0]
    assert note in pages[0]
    for acronym in ("RCM", "SACM"):
        assert acronym in pages[0]
    text = " ".join(pages[1:])
    assert text.count("Name of the inter-State consultation mechanism (ISCM):") == 2
    assert text.count("1. Evolution of programming and thematic focus") == 2
    assert len(pages) >= 3  # the contents page, then each summary starts on a new page


@pytest.mark.django_db
def test_the_summary_page_is_for_the_secretariat_until_published(world, client, admin_client):
    generate(world, "RCM", "fr")
    url = summary_url(world, "RCM") + "?lang=fr"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Conférence régionale sur les migrations (Processus de Puebla)" in page.text
    assert client.get(url).status_code == 404

    summary_publish(summary=Summary.objects.get(round_id=world.round_id, language="fr"))
    assert client.get(url).status_code == 200
    assert client.get(summary_url(world, "RCM") + "?lang=es").status_code == 404


@pytest.mark.django_db
def test_the_summary_page_links_to_the_other_available_languages(world, client, admin_client):
    for language in ("en", "fr", "es"):
        generate(world, "RCM", language)
    page = admin_client.get(summary_url(world, "RCM") + "?lang=fr").text
    assert '<strong aria-current="true">FR</strong>' in page
    assert 'href="?lang=en"' in page and 'href="?lang=es"' in page
    assert '<html lang="fr"' in page or 'lang="fr"' in page

    summary_publish(summary=Summary.objects.get(round_id=world.round_id, language="en"))
    public = client.get(summary_url(world, "RCM") + "?lang=en").text
    assert 'href="?lang=fr"' not in public and 'href="?lang=es"' not in public


@pytest.mark.django_db
def test_the_downloads_have_the_right_content_types(world, admin_client):
    generate(world, "RCM")
    expected = {
        "md": "text/markdown; charset=utf-8",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf",
        "html": "text/html; charset=utf-8",
    }
    for fmt, content_type in expected.items():
        url = reverse("assessments:summary_download", args=[world.slug, "RCM", "en", fmt])
        response = admin_client.get(url)
        assert response.status_code == 200, fmt
        assert response["Content-Type"] == content_type
        assert f'filename="{world.slug}-RCM-en.{fmt}"' in response["Content-Disposition"]
    markdown = admin_client.get(
        reverse("assessments:summary_download", args=[world.slug, "RCM", "en", "md"])
    ).content.decode()
    assert markdown.startswith("# Summary of Findings per ISCM")
    url = reverse("assessments:summary_download", args=[world.slug, "RCM", "en", "txt"])
    assert admin_client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_compendium_downloads_hold_every_visible_summary(world, client, admin_client):
    for acronym in ("RCM", "SACM"):
        generate(world, acronym)
    url = reverse("assessments:compendium", args=[world.slug, "en", "docx"])
    response = admin_client.get(url)
    assert response.status_code == 200
    paragraphs = docx_paragraphs(response.content)
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert len(headings) == 3  # Contents and two mechanisms
    # the compendium says which mechanism it has no summary of, and why
    assert (
        "No answer was submitted about Mediterranean Transit Migration Dialogue (MTM) in this "
        "round, so this compendium has no summary of it." in [text for _s, text in paragraphs]
    )
    assert client.get(url).status_code == 404  # nothing published yet


@pytest.mark.django_db
def test_the_compendium_is_offered_only_in_the_languages_it_exists_in(world, admin_client):
    url = reverse("assessments:round_summaries", args=[world.slug])
    before = admin_client.get(url).text
    assert "compendium-" not in before
    assert "can be downloaded once summaries have been generated" in before

    generate(world, "RCM", "fr")
    after = admin_client.get(url).text
    french = reverse("assessments:compendium", args=[world.slug, "fr", "pdf"])
    english = reverse("assessments:compendium", args=[world.slug, "en", "pdf"])
    assert f'href="{french}"' in after and english not in after
    assert admin_client.get(french).status_code == 200


@pytest.mark.django_db
def test_the_summaries_page_flags_answers_submitted_after_a_summary_was_written(
    world, admin_client
):
    generate(world, "RCM")
    generate(world, "SACM")
    url = reverse("assessments:round_summaries", args=[world.slug])

    def newer_column() -> dict[str, str]:
        rows = admin_client.get(url).context["summaries"]
        return {s.mechanism.acronym: s.has_newer_answers for s in rows}

    assert newer_column() == {"RCM": False, "SACM": False}
    change_answers(block_of(world, "MX", "RCM"), {})  # MX submits its RCM block again, later
    assert newer_column() == {"RCM": True, "SACM": False}
    generate(world, "RCM")
    assert newer_column() == {"RCM": False, "SACM": False}


@pytest.mark.django_db
def test_a_published_edited_summary_is_flagged_by_newer_answers_and_keeps_its_text(
    world, admin_client
):
    edited = summary_edit_section(summary=generate(world, "RCM"), number="4", text="Our own words.")
    published = summary_publish(summary=edited)
    text = published.published_text
    url = reverse("assessments:round_summaries", args=[world.slug])

    def flagged() -> bool:
        rows = admin_client.get(url).context["summaries"]
        return next(s.has_newer_answers for s in rows if s.mechanism.acronym == "RCM")

    assert flagged() is False
    change_answers(block_of(world, "MX", "RCM"), {})  # MX submits its RCM block again, later
    assert flagged() is True
    generate(world, "RCM")  # without force: a published summary keeps its text
    assert flagged() is True
    again = Summary.objects.get(pk=published.pk)
    assert (again.status, again.published_text) == (Summary.Status.PUBLISHED, text)
    assert again.newer_answers is True


@pytest.mark.django_db
def test_the_round_summaries_page_lists_the_mechanisms_without_a_summary(world, admin_client):
    page = admin_client.get(reverse("assessments:round_summaries", args=[world.slug]))
    assert page.status_code == 200
    assert "Mechanisms without a summary" in page.text
    assert "Mediterranean Transit Migration Dialogue (MTM)" in page.text
    assert "Regional Conference on Migration (Puebla Process) (RCM)" not in page.text


EDITED = (
    "The secretariat **rewrote** this section, *carefully*.\n\n"
    "- first point\n- second point\n\n"
    "A <script>alert(1)</script> and a [link](https://example.org)."
)


@pytest.mark.django_db
def test_an_edited_section_uses_the_markdown_subset_the_same_way_everywhere(world, admin_client):
    summary = summary_edit_section(summary=generate(world, "RCM"), number="4", text=EDITED)
    html = to_html([summary])
    assert "<strong>rewrote</strong>" in html and "<em>carefully</em>" in html
    assert "<ul>\n<li>first point</li>\n<li>second point</li>\n</ul>" in html
    assert "<script" not in html and "&lt;script&gt;" in html and "<a " not in html

    import docx

    word = docx.Document(io.BytesIO(to_docx([summary])))
    paragraphs = [p for p in word.paragraphs]
    edited = next(p for p in paragraphs if p.text.startswith("The secretariat rewrote"))
    assert [(r.text, bool(r.bold), bool(r.italic)) for r in edited.runs] == [
        ("The secretariat ", False, False),
        ("rewrote", True, False),
        (" this section, ", False, False),
        ("carefully", False, True),
        (".", False, False),
    ]
    bullets = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["first point", "second point"]
    assert any(
        p.text == "A <script>alert(1)</script> and a [link](https://example.org)."
        for p in paragraphs
    )

    text = " ".join(pdf_pages(to_pdf([summary])))
    assert "The secretariat rewrote this section, carefully." in text
    assert "first point" in text and "second point" in text

    page = admin_client.get(summary_url(world, "RCM") + "?lang=en").text
    assert "<strong>rewrote</strong>" in page and "<script>alert" not in page
    assert to_markdown(summary).count("**rewrote**") == 1  # the Markdown download is the text


@pytest.mark.django_db
def test_a_generated_section_renders_as_its_plain_paragraphs(world):
    summary = generate(world, "RCM")
    section = document(summary)["sections"][2]
    paragraphs = summary.section_text("3").split("\n\n")
    assert section["html"].count("<p>") == len(paragraphs) == len(section["blocks"])
    assert ["".join(r.text for r in b.runs) for b in section["blocks"]] == paragraphs
