"""A streaming XLSX writer for sheets of text: the exports' workbook, written from tuples.

openpyxl (even write-only) and XlsxWriter (constant memory) build an object or run a type check
per cell, which made the XLSX export ~40× slower than the CSV of the same rows. The exports' cells
are all text, so this writer writes each row's SpreadsheetML directly: one `<row>` per row, one
inline-string cell (`t="inlineStr"`) per non-empty value, so a value is never read as a number,
a date or a formula. Characters XML 1.0 cannot hold (control characters other than tab and line
breaks) are dropped, and `&`, `<`, `>` escaped.

Memory stays flat: each sheet's rows go to a temporary file as they come; `close()` writes the
package, each sheet with its `<dimension>` (known only at the end, and needed by readers that pad
rows to the sheet's width) followed by the rows copied from its file. Every part of the package
has the same fixed timestamp, so the same rows give the same bytes.

The package has the parts a spreadsheet needs to open it (content types, relationships, the
workbook, a minimal style sheet, the worksheets) and nothing else.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any
from xml.sax.saxutils import quoteattr

# XML 1.0 allows tab, LF and CR, but no other character below U+0020 (nor U+FFFE, U+FFFF).
CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # every part's timestamp: the same rows give the same bytes
MAX_TITLE = 31  # Excel's limit on a sheet's name
BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
COMPRESS_LEVEL = 1
SHARED_LENGTH = 80  # longer texts are written in their cells
SHARED_COUNT = 200_000  # at most ~30 MB of shared texts
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FLUSH_ROWS = 2000  # rows gathered before they are cleaned, encoded and written out

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "{sheets}</Types>"
)  # fmt: skip
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheets>{sheets}</sheets></workbook>"
)
WORKBOOK_SHEET = '<sheet name={name} sheetId="{n}" r:id="rId{n}"/>'
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    "{sheets}"
    '<Relationship Id="rId{styles}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rId{strings}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_REL = (
    '<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{ref}"/><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def column_letter(index: int) -> str:
    """The letters of the 0-based column `index`: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def escape(value: str) -> str:
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:  # a reader would read a bare CR as a line feed (XML's line ends)
        value = value.replace("\r", "&#13;")
    return value


class SharedStrings:
    """The workbook's table of shared strings: each short text once, cells pointing at it.

    The exports repeat a few values on every row (the response's columns on each of its answer
    rows, question and choice codes, labels), so most cells become a short index, which makes
    the sheets several times smaller and faster to write. Memory stays bounded: only texts of
    at most SHARED_LENGTH characters are shared, and at most SHARED_COUNT of them; any other
    text is written in its cell (an inline string), as free-text answers mostly are.
    """

    def __init__(self) -> None:
        self.indexes: dict[str, int] = {}

    def add(self, value: str) -> int | None:
        """The index of a new text, or None if it is not to be shared."""
        if len(value) > SHARED_LENGTH or len(self.indexes) >= SHARED_COUNT:
            return None
        index = self.indexes[value] = len(self.indexes)
        return index

    def xml(self) -> bytes:
        items = "".join(
            f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in self.indexes
        )
        return clean_xml(
            f'{XML_DECLARATION}<sst xmlns="{MAIN_NS}" uniqueCount="{len(self.indexes)}">'
            f"{items}</sst>"
        )


def clean_xml(text: str) -> bytes:
    """UTF-8 without the characters XML cannot hold (tags never hold one): in UTF-8 the control
    characters are single bytes that no other character contains, and bytes.translate deletes
    them ten times faster than a regular expression."""
    if "\ufffe" in text or "\uffff" in text:
        text = text.replace("\ufffe", "").replace("\uffff", "")
    return text.encode("utf-8").translate(None, CONTROL_BYTES)


class Sheet:
    """One worksheet's rows, kept in a temporary file until the workbook is closed."""

    def __init__(self, title: str, strings: SharedStrings) -> None:
        self.title = title
        self.strings = strings
        self.rows = 0
        self.width = 0
        self.letters: list[str] = []
        self.pending: list[str] = []
        # Closed by copy_into, or by the workbook on an error.
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="iscm-xlsx-")  # noqa: SIM115

    def append(self, values: Sequence[str]) -> None:
        """One row of text; an empty value leaves its cell empty."""
        self.rows += 1
        row = self.rows
        if len(values) > len(self.letters):
            self.letters += [column_letter(i) for i in range(len(self.letters), len(values))]
            self.width = len(values)
        shared = self.strings.indexes
        cells = []
        for letter, value in zip(self.letters, values, strict=False):  # letters: the widest row
            if not value:
                continue
            index = shared.get(value)
            if index is None:
                index = self.strings.add(value)
            if index is None:
                cells.append(
                    f'<c r="{letter}{row}" t="inlineStr"><is><t xml:space="preserve">'
                    f"{escape(value)}</t></is></c>"
                )
            else:
                cells.append(f'<c r="{letter}{row}" t="s"><v>{index}</v></c>')
        self.pending.append(f'<row r="{row}">{"".join(cells)}</row>')
        if len(self.pending) >= FLUSH_ROWS:
            self.flush()

    def extend(self, rows: Iterable[Sequence[str]]) -> None:
        for values in rows:
            self.append(values)

    def flush(self) -> None:
        self.file.write(clean_xml("".join(self.pending)))
        self.pending = []

    def dimension(self) -> str:
        if not self.rows or not self.width:
            return "A1"
        return f"A1:{column_letter(self.width - 1)}{self.rows}"

    def copy_into(self, archive: zipfile.ZipFile, name: str) -> None:
        self.flush()
        self.file.seek(0)
        with archive.open(zip_info(name), "w") as part:
            part.write(SHEET_HEAD.format(ref=self.dimension()).encode())
            shutil.copyfileobj(self.file, part, 1 << 20)
            part.write(SHEET_TAIL.encode())
        self.file.close()


def zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    # Level 1: the rows are repetitive XML, which deflates to a similar size at a fraction of
    # the default level's time (ZipInfo's level: the archive's applies to names given as text).
    info._compresslevel = COMPRESS_LEVEL  # 3.13 renamed it compress_level, keeping this alias
    info.external_attr = 0o600 << 16
    return info


def sheet_title(title: str, taken: set[str]) -> str:
    """A name Excel accepts: no []:*?/\\, at most 31 characters, unique (case-insensitively)."""
    clean = BAD_TITLE.sub("_", title).strip("'")[:MAX_TITLE] or "Sheet"
    candidate, n = clean, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = clean[: MAX_TITLE - len(suffix)] + suffix
    return candidate


class Workbook:
    """A workbook of text sheets, streamed: `add_sheet`, `append` rows to each (in any
    interleaving), then `close()` (or use it as a context manager) to write `target`, a path
    or a binary file open for writing."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.sheets: list[Sheet] = []
        self.strings = SharedStrings()

    def add_sheet(self, title: str) -> Sheet:
        sheet = Sheet(sheet_title(title, {s.title.lower() for s in self.sheets}), self.strings)
        self.sheets.append(sheet)
        return sheet

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, kind: Any, *_rest: Any) -> None:
        if kind is None:
            self.close()
        else:  # an error: drop the rows, write nothing
            for sheet in self.sheets:
                sheet.file.close()

    def close(self) -> None:
        if not self.sheets:
            self.add_sheet("Sheet")
        numbers = range(1, len(self.sheets) + 1)
        with zipfile.ZipFile(self.target, "w", zipfile.ZIP_DEFLATED) as archive:
            parts = {
                "[Content_Types].xml": CONTENT_TYPES.format(
                    sheets="".join(SHEET_TYPE.format(n=n) for n in numbers)
                ),
                "_rels/.rels": ROOT_RELS,
                "xl/workbook.xml": WORKBOOK.format(
                    sheets="".join(
                        WORKBOOK_SHEET.format(name=quoteattr(s.title), n=n)
                        for n, s in zip(numbers, self.sheets, strict=True)
                    )
                ),
                "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.format(
                    sheets="".join(SHEET_REL.format(n=n) for n in numbers),
                    styles=len(self.sheets) + 1,
                    strings=len(self.sheets) + 2,
                ),
                "xl/styles.xml": STYLES,
            }
            for name, text in parts.items():
                archive.writestr(zip_info(name), text.encode("utf-8"))
            for n, sheet in zip(numbers, self.sheets, strict=True):
                sheet.copy_into(archive, f"xl/worksheets/sheet{n}.xml")
            archive.writestr(zip_info("xl/sharedStrings.xml"), self.strings.xml())
