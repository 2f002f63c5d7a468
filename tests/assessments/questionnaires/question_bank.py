"""The question bank, read independently from docs/question-bank.md: what the shipped
questionnaires must hold, question by question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
BANK = ROOT / "docs" / "question-bank.md"

LEVELS = ("national", "bilateral", "regional", "interregional", "global")
PARTS = {"A": "mechanism", "B": "state", "C": "organization"}
CODE_CELL = re.compile(r"^`(?P<code>[A-Za-z][A-Za-z0-9_]*)`$")
SECTION_LINE = re.compile(r"^\*\*(?P<code>[ABC]\d)\b")
INLINE = re.compile(r"`(?P<code>[a-z][a-z0-9_]*)` \((?P<spec>[^)]*)\)")
WHEN = re.compile(r"when `(?P<question>\w+)` (?P<operator>=|≠) (?P<values>.+)$")
BACKTICKED = re.compile(r"^`(?P<name>[\w.]+)`$")


@dataclass
class BankQuestion:
    code: str
    type: str
    required: bool
    section: str
    per_mechanism: bool
    summary: str | None
    choices: dict[str, Any] | None
    condition: tuple[str, str, tuple[str, ...]] | None = None


def parse_choices(text: str, level: str | None) -> dict[str, Any] | None:
    text = text.strip()
    if not text:
        return None
    if text.startswith("rows:"):  # the partner_roles matrix
        rows, columns = (part.split(":", 1)[1] for part in text.split(";"))
        return {
            "rows_from": re.search(r"`(\w+)`", rows).group(1),
            "columns": {"source": "local", "codes": [c.strip() for c in columns.split(",")]},
        }
    if " for " in text:  # contribution types: one list per level
        for clause in text.split(";"):
            name, levels = clause.strip().split(" for ")
            if level in re.findall(r"\w+", levels):
                return parse_choices(name.replace(".L`", f".{level}`"), level)
        raise AssertionError(f"no list for level {level}: {text}")
    if match := BACKTICKED.match(text):
        name = match["name"]
        return (
            {"source": "mechanisms"}
            if name == "mechanisms"
            else {"source": "vocabulary", "name": name}
        )
    return {"source": "local", "codes": [code.strip() for code in text.split(",")]}


def table_row(line: str) -> dict[str, str] | None:
    """The cells of a question row (code, type, text, choices / when, summary), else None."""
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    match = CODE_CELL.match(cells[0]) if len(cells) == 5 and line.startswith("|") else None
    if match is None:
        return None
    names = ("code", "type", "text", "choices", "summary")
    return dict(zip(names, [match["code"], *cells[1:]], strict=True))


def parse_row(row: dict[str, str], section: str, per_mechanism: bool, level: str | None = None):
    code = row["code"].replace("_L", f"_{level}") if level else row["code"]
    choices = row["choices"].replace("`contribution_L`", f"`contribution_{level}`")
    condition = None
    if match := WHEN.search(choices):
        values = tuple(v.strip() for v in match["values"].split(","))
        condition = (match["question"], match["operator"], values)
        choices = choices[: match.start()].rstrip("; ")
    return BankQuestion(
        code=code,
        type=row["type"].split(",")[0].strip(),
        required="required" in row["type"],
        section=section,
        per_mechanism=per_mechanism,
        summary=row["summary"].strip(),
        choices=parse_choices(choices, level),
        condition=condition,
    )


def parse_inline(match: re.Match, section: str, summary: str | None) -> BankQuestion:
    head, _, rest = match["spec"].partition(":")
    codes = [c.strip() for c in rest.split(",")]
    is_local = all(re.fullmatch(r"[A-Z][A-Z0-9_]*", c) for c in codes)
    return BankQuestion(
        code=match["code"],
        type=head.split(",")[0].strip(),
        required="required" in head,
        section=section,
        per_mechanism=False,
        summary=summary,
        choices={"source": "local", "codes": codes} if is_local else None,
    )


def unwrap(text: str) -> list[str]:
    """Lines, with a wrapped paragraph (such as B0's list of codes) joined into one."""
    lines: list[str] = []
    for line in text.splitlines():
        starts_block = line.startswith(("|", "#", "**", "- ", "```"))
        continues = lines and lines[-1].strip() and not lines[-1].startswith("|")
        if continues and line.strip() and not starts_block:
            lines[-1] += " " + line.strip()
            continue
        lines.append(line)
    return lines


def parse_bank(text: str) -> dict[str, dict[str, BankQuestion]]:
    """audience -> code -> question, from the tables and inline lists of the bank."""
    bank: dict[str, dict[str, BankQuestion]] = {audience: {} for audience in PARTS.values()}
    block: list[dict[str, str]] = []
    part = section = None
    per_mechanism = False

    def add_block() -> None:
        for level in LEVELS:
            for row in block:
                found = parse_row(row, section, per_mechanism, level)
                bank[part][found.code] = found

    for line in unwrap(text):
        if line.startswith("## "):
            part = "block" if "Contribution block" in line else PARTS.get(line[3:5].rstrip("."))
            continue
        if part is None:
            continue
        if match := SECTION_LINE.match(line):
            section, per_mechanism = match["code"], "*per mechanism*" in line
            summary = "meta" if "(meta" in line else None
            for inline in INLINE.finditer(line):
                bank[part][inline["code"]] = parse_inline(inline, section, summary)
            if "the contribution block" in line:
                add_block()
        elif row := table_row(line):
            if part == "block":
                block.append(row)
            else:
                bank[part][row["code"]] = parse_row(row, section, per_mechanism)
        elif line.startswith("| contribution block |"):
            add_block()
    return bank


BANK_QUESTIONS = parse_bank(BANK.read_text("utf-8"))
