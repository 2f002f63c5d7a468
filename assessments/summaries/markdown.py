"""The Markdown of summary sections: a small subset, the same in HTML, Word and PDF.

Generated sections are plain paragraphs in which every quoted answer is escaped
(`wording.quote`), so an answer can never become a link, an image or raw HTML. A secretariat
editing a section may use the subset below; markdown-it-py parses it (the "zero" preset with
only these rules enabled, raw HTML off) and nh3 sanitises the HTML it renders, so that what
the editor typed cannot carry markup that the Word writer would not show the same way.

The subset: paragraphs, *emphasis*, **strong**, bulleted and numbered lists, hard line breaks,
backslash escapes. Anything else (headings, links, images, code, tables, HTML) stays text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

RULES = ["emphasis", "list", "escape", "newline"]
HTML_TAGS = {"p", "em", "strong", "ul", "ol", "li", "br"}
HTML_ATTRIBUTES = {"ol": {"start"}}


@cache
def parser() -> MarkdownIt:
    return MarkdownIt("zero", {"html": False, "linkify": False}).enable(RULES)


def to_html(text: str) -> str:
    """A section as safe HTML (the summary page, the HTML download and the PDF)."""
    return nh3.clean(
        parser().render(text),
        tags=HTML_TAGS,
        attributes=HTML_ATTRIBUTES,
        link_rel=None,
    ).strip()


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    line_break: bool = False  # a hard break before this run's text


@dataclass
class Block:
    """A paragraph or a list item, as the Word writer lays it out."""

    kind: str  # "paragraph", "bullet" or "number"
    runs: list[Run] = field(default_factory=list)
    number: int = 0  # the item's number in a numbered list
    depth: int = 0  # nesting of lists (0: not in a list)


def blocks(text: str) -> list[Block]:
    """A section as paragraphs and list items with their formatted runs."""
    found: list[Block] = []
    lists: list[list] = []  # [kind, next number] per open list
    for token in parser().parse(text):
        if token.type in {"bullet_list_open", "ordered_list_open"}:
            kind = "bullet" if token.type == "bullet_list_open" else "number"
            lists.append([kind, int(token.attrGet("start") or 1)])
        elif token.type in {"bullet_list_close", "ordered_list_close"}:
            lists.pop()
        elif token.type == "inline":
            if lists:
                kind, number = lists[-1]
                found.append(Block(kind, inline_runs(token), number, len(lists)))
                lists[-1][1] = number + 1
            else:
                found.append(Block("paragraph", inline_runs(token)))
    return found


def inline_runs(token: Token) -> list[Run]:
    runs: list[Run] = []
    bold = italic = False
    pending_break = False
    for child in token.children or []:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type == "hardbreak":
            pending_break = True
        elif child.type == "softbreak":
            runs.append(Run(" ", bold, italic))
        elif child.content:
            runs.append(Run(child.content, bold, italic, pending_break))
            pending_break = False
    return runs


def plain_text(text: str) -> str:
    """A section without its markup (word counts, the style checks)."""
    return "\n\n".join("".join(run.text for run in block.runs) for block in blocks(text))
