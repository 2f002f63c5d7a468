"""Summaries as Markdown, HTML, Word (python-docx) and PDF (WeasyPrint), one or a compendium."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.summaries import markdown
from assessments.summaries.models import Summary
from assessments.summaries.wording import finish
from mechanisms.models import Mechanism
from mechanisms.text import printable
from mechanisms.translation import localized


def skipped_note(skipped: Sequence[Mechanism], language: str) -> str:
    """The compendium's note on the mechanisms it has no summary of (nobody answered)."""
    if not skipped:
        return ""
    with translation.override(language):
        names = [f"{localized(m, 'name', language)} ({m.acronym})" for m in skipped]
        return finish(
            ngettext(
                "No answer was submitted about %(names)s in this round, so this compendium has "
                "no summary of it.",
                "No answer was submitted about the following mechanisms in this round, so this "
                "compendium has no summary of them: %(names)s.",
                len(skipped),
            )
            % {"names": "; ".join(names)},
            language,
        )


def document(summary: Summary) -> dict:
    """Everything a template or a writer needs, in the summary's language."""
    header = summary.shown_header or {}
    titles = header.get("section_titles", {})
    return {
        "summary": summary,
        "language": summary.language,
        "title": header.get("title", ""),
        "introduction": header.get("introduction", []),
        "name_line": header.get("name_line", ""),
        "sections": [
            {
                "number": number,
                "title": titles.get(number, ""),
                "markdown": text,
                # Safe: markdown.to_html renders a fixed subset and sanitises the result.
                "html": mark_safe(markdown.to_html(text)),
                "blocks": markdown.blocks(text),
            }
            for number, text in summary.shown_sections
        ],
    }


def to_markdown(summary: Summary) -> str:
    doc = document(summary)
    lines = [f"# {doc['title']}", ""]
    for paragraph in doc["introduction"]:
        lines += [paragraph, ""]
    lines += [f"**{doc['name_line']}**", ""]
    for section in doc["sections"]:
        lines += [f"## {section['number']}. {section['title']}", ""]
        lines += [section["markdown"].strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def to_html(summaries: Sequence[Summary], *, compendium_title: str = "", note: str = "") -> str:
    """A standalone HTML document (also the source of the PDF); `note` stands under a
    compendium's title (the mechanisms it has no summary of)."""
    language = summaries[0].language if summaries else "en"
    with translation.override(language):
        return render_to_string(
            "assessments/summary_document.html",
            {
                "documents": [document(s) for s in summaries],
                "compendium_title": compendium_title,
                "note": note,
                "language": language,
            },
        )


def to_pdf(summaries: Sequence[Summary], *, compendium_title: str = "", note: str = "") -> bytes:
    from weasyprint import HTML

    html = to_html(summaries, compendium_title=compendium_title, note=note)
    return HTML(string=html).write_pdf()


def to_docx(summaries: Sequence[Summary], *, compendium_title: str = "", note: str = "") -> bytes:
    """Word with real headings: Title, Heading 1 per mechanism in a compendium, numbered
    Heading 2 sections; a compendium starts with a table of contents field."""
    from docx import Document
    from docx.shared import Pt

    word = Document()
    word.styles["Normal"].font.name = "Calibri"
    word.styles["Normal"].font.size = Pt(11)
    language = summaries[0].language if summaries else "en"
    with translation.override(language):
        if compendium_title:
            word.add_heading(printable(compendium_title), level=0)
            if note:
                word.add_paragraph(printable(note))
            add_table_of_contents(word, _("Contents"))
        for index, summary in enumerate(summaries):
            if compendium_title and index:
                word.add_page_break()
            write_summary(word, document(summary), in_compendium=bool(compendium_title))
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def write_summary(word, doc: dict, *, in_compendium: bool) -> None:
    if in_compendium:
        word.add_heading(printable(doc["name_line"].split(": ", 1)[-1]), level=1)
    else:
        word.add_heading(printable(doc["title"]), level=0)
    for paragraph in doc["introduction"]:
        word.add_paragraph(printable(paragraph))
    name = word.add_paragraph()
    name.add_run(printable(doc["name_line"])).bold = True
    for section in doc["sections"]:
        word.add_heading(
            printable(f"{section['number']}. {section['title']}"), level=2 if in_compendium else 1
        )
        for block in section["blocks"]:
            write_block(word, block)


def write_block(word, block: markdown.Block) -> None:
    """A paragraph or list item with its bold and italic runs, as the HTML shows it."""
    if block.kind == "paragraph":
        paragraph = word.add_paragraph()
    else:
        # Word's own numbering would run on from one list to the next: numbers are written.
        style = "List Bullet" if block.kind == "bullet" else "List Paragraph"
        if block.depth > 1 and block.kind == "bullet":
            style = "List Bullet 2"
        paragraph = word.add_paragraph(style=style)
        if block.kind == "number":
            paragraph.add_run(f"{block.number}. ")
    for run in block.runs:
        if run.line_break:
            paragraph.add_run().add_break()
        # Word (XML 1.0) cannot hold a control character: python-docx raises ValueError.
        # Forms refuse them now; older answers may still hold one.
        written = paragraph.add_run(printable(run.text))
        written.bold = run.bold or None
        written.italic = run.italic or None


def add_table_of_contents(word, title: str) -> None:
    """A TOC field; Word fills it in when the document is opened (or on F9)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    word.add_heading(title, level=1)
    run = word.add_paragraph().add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = 'TOC \\o "1-2" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = _("Right-click and choose “Update field” to show the table of contents.")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, separate, placeholder, end):
        run._r.append(element)
    word.add_page_break()
