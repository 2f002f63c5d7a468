"""Focal points of a round's participants, imported from a CSV or XLSX file.

Two steps: `focal_points_import_plan` reads and checks every row and says what would change
(writing nothing); `focal_points_import_apply` plans again from the same rows, against the
database as it is then, and applies the plan in one transaction only if no row has an error.

The file has a header row and these columns (any order, any case):
- kind: mechanism, state or organization;
- code: the mechanism's acronym, the State's ISO 3166-1 alpha-2 code, or the organization's
  acronym, as in the registry;
- name, email: the focal point's;
- language (optional): en, fr or es; blank keeps an existing focal point's, or English.

A row matches an existing focal point of the same party by e-mail (any case), else by name
(exactly one with that name): then its name, e-mail and language are updated where they differ.
Otherwise it is a new focal point. A party that is not a participant of the round is added to it
(draft or open rounds only); in an open round, its invitation is created and e-mailed after the
import, as for a participant added by hand.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessments.questionnaires.models import Audience
from assessments.rounds.models import FocalPoint, RoundParticipant, SurveyRound
from assessments.rounds.services.rounds import invite_late_participants, lock_round
from mechanisms.models import Mechanism, Organization, State

COLUMNS = ("kind", "code", "name", "email", "language")
REQUIRED_COLUMNS = ("kind", "code", "name", "email")
MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
ROWS_SALT = "assessments.focal_point_import"

# Marked for makemessages; translated when raised, in the user's language.
FILE_TOO_LARGE = gettext_noop("The file is larger than %(size)s MB: split it into smaller files.")
TOO_MANY_ROWS = gettext_noop("The file has more than %(count)d rows: split it into smaller files.")
UNKNOWN_FORMAT = gettext_noop("Upload a .csv or .xlsx file.")
NOT_UTF8 = gettext_noop(
    "The CSV file is not UTF-8 text: save it as 'CSV UTF-8' and upload it again."
)
NOT_XLSX = gettext_noop("The file is not a readable .xlsx workbook.")
EMPTY_FILE = gettext_noop("The file has no header row.")
MISSING_COLUMNS = gettext_noop("Missing columns: %(columns)s.")
NO_ROWS = gettext_noop("The file has no focal points below its header row.")
BAD_KIND = gettext_noop("Unknown kind “%(value)s”: use mechanism, state or organization.")
UNKNOWN_MECHANISM = gettext_noop("No mechanism has the acronym “%(value)s”.")
UNKNOWN_STATE = gettext_noop("No State has the ISO code “%(value)s”.")
UNKNOWN_ORGANIZATION = gettext_noop("No organization has the acronym “%(value)s”.")
NAME_REQUIRED = gettext_noop("The name is empty.")
NAME_TOO_LONG = gettext_noop("The name is longer than 200 characters.")
BAD_EMAIL = gettext_noop("“%(value)s” is not a valid e-mail address.")
BAD_LANGUAGE = gettext_noop("Unknown language “%(value)s”: use %(codes)s.")
DUPLICATE_ROW = gettext_noop("The same focal point as row %(row)d.")
NAME_AMBIGUOUS = gettext_noop(
    "Several focal points of %(party)s are called “%(value)s”: give their e-mail."
)
ROUND_CLOSED = gettext_noop(
    "%(party)s is not a participant of this round, which no longer accepts participants."
)
ROWS_TAMPERED = gettext_noop("The preview has expired or was altered: upload the file again.")
HAS_ERRORS = gettext_noop("The file has errors: nothing was imported.")

Party = Mechanism | State | Organization


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass(frozen=True)
class FocalPointRow:
    row: int
    kind: str
    party: Party
    name: str
    email: str
    language: str  # "" keeps the existing focal point's


@dataclass(frozen=True)
class FocalPointChange:
    focal_point: FocalPoint
    row: int
    changes: dict[str, tuple[str, str]]  # field: (before, after)


@dataclass
class ImportPlan:
    """What importing the rows would do; nothing is written until it is applied."""

    rows: list[dict[str, Any]] = field(default_factory=list)  # the raw rows, for the confirm step
    errors: list[RowError] = field(default_factory=list)
    new: list[FocalPointRow] = field(default_factory=list)
    changed: list[FocalPointChange] = field(default_factory=list)
    unchanged: int = 0
    new_participants: list[FocalPointRow] = field(default_factory=list)
    invitations: int = 0  # invitations created now (open rounds); a draft's come when it opens

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed or self.new_participants)


# --- reading the file ------------------------------------------------------------------------


def read_upload(upload: UploadedFile) -> list[dict[str, Any]]:
    """read_rows of an uploaded file; one too large is refused before it is read."""
    if (upload.size or 0) > MAX_BYTES:
        raise ValidationError(_(FILE_TOO_LARGE) % {"size": MAX_BYTES // (1024 * 1024)})
    return read_rows(name=upload.name or "", content=upload.read(MAX_BYTES + 1))


def read_rows(*, name: str, content: bytes) -> list[dict[str, Any]]:
    """The file's data rows as {"row": n, column: text}, blank rows left out; ValidationError
    for a file that cannot be read, is too large or lacks a required column."""
    if len(content) > MAX_BYTES:
        raise ValidationError(_(FILE_TOO_LARGE) % {"size": MAX_BYTES // (1024 * 1024)})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "csv":
        table = csv_table(content)
    elif extension == "xlsx":
        table = xlsx_table(content)
    else:
        raise ValidationError(_(UNKNOWN_FORMAT))
    return table_rows(table)


def csv_table(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_(NOT_UTF8)) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # a single column, or too little text to tell: plain commas
    # Stop one row past the cap: a huge file is refused without being read to its end.
    rows = []
    for row in csv.reader(io.StringIO(text), dialect):
        rows.append(row)
        if len(rows) > MAX_ROWS + 1:
            break
    return rows


def xlsx_table(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationError(_(NOT_XLSX)) from None
    try:
        rows = []
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append(["" if value is None else str(value) for value in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def table_rows(table: list[list[str]]) -> list[dict[str, Any]]:
    if not table:
        raise ValidationError(_(EMPTY_FILE))
    header = [cell.strip().lower().replace("e-mail", "email") for cell in table[0]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ValidationError(_(MISSING_COLUMNS) % {"columns": ", ".join(missing)})
    if len(table) > MAX_ROWS + 1:
        raise ValidationError(_(TOO_MANY_ROWS) % {"count": MAX_ROWS})
    positions = {column: header.index(column) for column in COLUMNS if column in header}
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        row = {
            column: cells[index].strip() if index < len(cells) else ""
            for column, index in positions.items()
        }
        if any(row.values()):
            rows.append({"row": number, **row})
    if not rows:
        raise ValidationError(_(NO_ROWS))
    return rows


# --- signing the rows between preview and confirmation -----------------------------------------


def rows_token(rows: list[dict[str, Any]]) -> str:
    return signing.dumps(rows, salt=ROWS_SALT, compress=True)


def rows_from_token(token: str) -> list[dict[str, Any]]:
    try:
        # An hour is ample to read a preview; the rows are planned again anyway.
        return signing.loads(token, salt=ROWS_SALT, max_age=60 * 60)
    except signing.BadSignature:
        raise ValidationError(_(ROWS_TAMPERED)) from None


# --- planning ------------------------------------------------------------------------------


class Registry:
    """The parties the rows name, fetched in three queries."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        codes: dict[str, set[str]] = {kind: set() for kind in Audience.values}
        for row in rows:
            kind = row.get("kind", "").lower()
            if kind in codes:
                codes[kind].add(row.get("code", "").upper())
        # Acronyms are matched in any case ("ufm" finds UfM).
        self.mechanisms = {
            m.acronym.upper(): m
            for m in Mechanism.objects.annotate(code=Upper("acronym")).filter(
                code__in=codes["mechanism"]
            )
        }
        self.states = {s.country.code: s for s in State.objects.filter(country__in=codes["state"])}
        self.organizations = {
            o.acronym.upper(): o
            for o in Organization.objects.annotate(code=Upper("acronym")).filter(
                code__in=codes["organization"]
            )
        }

    def party(self, kind: str, code: str) -> Party | None:
        table = {
            "mechanism": self.mechanisms,
            "state": self.states,
            "organization": self.organizations,
        }[kind]
        return table.get(code.upper())


UNKNOWN_PARTY = {
    "mechanism": UNKNOWN_MECHANISM,
    "state": UNKNOWN_STATE,
    "organization": UNKNOWN_ORGANIZATION,
}


def check_row(row: dict[str, Any], registry: Registry) -> FocalPointRow | list[RowError]:
    """The row, checked, or what is wrong with it (every column, not only the first)."""
    number = row["row"]
    errors = []
    kind = row.get("kind", "").lower()
    party = None
    if kind not in Audience.values:
        errors.append(RowError(number, "kind", _(BAD_KIND) % {"value": row.get("kind", "")}))
    else:
        party = registry.party(kind, row.get("code", ""))
        if party is None:
            message = _(UNKNOWN_PARTY[kind]) % {"value": row.get("code", "")}
            errors.append(RowError(number, "code", message))
    name = row.get("name", "")
    if not name:
        errors.append(RowError(number, "name", _(NAME_REQUIRED)))
    elif len(name) > 200:
        errors.append(RowError(number, "name", _(NAME_TOO_LONG)))
    email = row.get("email", "")
    try:
        validate_email(email)
    except ValidationError:
        errors.append(RowError(number, "email", _(BAD_EMAIL) % {"value": email}))
    language = row.get("language", "").lower()
    codes = [code for code, _label in settings.LANGUAGES]
    if language and language not in codes:
        message = _(BAD_LANGUAGE) % {"value": row.get("language", ""), "codes": ", ".join(codes)}
        errors.append(RowError(number, "language", message))
    if errors:
        return errors
    return FocalPointRow(number, kind, party, name, email, language)


def party_key(kind: str, party: Party) -> tuple[str, int]:
    return (kind, party.pk)


def existing_focal_points(rows: list[FocalPointRow]) -> dict[tuple[str, int], list[FocalPoint]]:
    """The focal points of the parties the rows name, by party; one query per kind."""
    found: dict[tuple[str, int], list[FocalPoint]] = {}
    for kind in Audience.values:
        ids = {row.party.pk for row in rows if row.kind == kind}
        if not ids:
            continue
        for focal_point in FocalPoint.objects.filter(kind=kind, **{f"{kind}_id__in": ids}).order_by(
            "pk"
        ):
            key = (kind, getattr(focal_point, f"{kind}_id"))
            found.setdefault(key, []).append(focal_point)
    return found


def participant_keys(survey_round: SurveyRound) -> set[tuple[str, int]]:
    return {
        (kind, mechanism or state or organization)
        for kind, mechanism, state, organization in survey_round.participants.values_list(
            "kind", "mechanism_id", "state_id", "organization_id"
        )
    }


def match(row: FocalPointRow, candidates: list[FocalPoint]) -> FocalPoint | None | RowError:
    """The existing focal point the row is about: same e-mail, else the only one of that name."""
    for focal_point in candidates:
        if focal_point.email.lower() == row.email.lower():
            return focal_point
    named = [fp for fp in candidates if fp.name.casefold() == row.name.casefold()]
    if len(named) > 1:
        party = str(row.party)
        return RowError(row.row, "name", _(NAME_AMBIGUOUS) % {"party": party, "value": row.name})
    return named[0] if named else None


def differences(focal_point: FocalPoint, row: FocalPointRow) -> dict[str, tuple[str, str]]:
    wanted = {"name": row.name, "email": row.email, "language": row.language}
    if row.email.lower() == focal_point.email.lower():
        del wanted["email"]  # the same address in other capitals: not worth a change
    return {
        name: (getattr(focal_point, name), value)
        for name, value in wanted.items()
        if value and getattr(focal_point, name) != value
    }


def focal_points_import_plan(
    *, survey_round: SurveyRound, rows: list[dict[str, Any]]
) -> ImportPlan:
    """What importing `rows` (from read_rows) into the round would do; writes nothing."""
    plan = ImportPlan(rows=rows)
    checked = []
    seen: dict[tuple[str, int, str], int] = {}
    registry = Registry(rows)
    for raw in rows:
        result = check_row(raw, registry)
        if isinstance(result, list):
            plan.errors.extend(result)
            continue
        key = (result.kind, result.party.pk, result.email.lower())
        if key in seen:
            message = _(DUPLICATE_ROW) % {"row": seen[key]}
            plan.errors.append(RowError(result.row, "email", message))
            continue
        seen[key] = result.row
        checked.append(result)
    plan_focal_points(plan, checked)
    plan_participants(plan, survey_round, checked)
    plan.errors.sort(key=lambda error: error.row)
    return plan


def plan_focal_points(plan: ImportPlan, checked: list[FocalPointRow]) -> None:
    existing = existing_focal_points(checked)
    for row in checked:
        found = match(row, existing.get(party_key(row.kind, row.party), []))
        if isinstance(found, RowError):
            plan.errors.append(found)
        elif found is None:
            plan.new.append(row)
        elif changes := differences(found, row):
            plan.changed.append(FocalPointChange(found, row.row, changes))
        else:
            plan.unchanged += 1


def plan_participants(
    plan: ImportPlan, survey_round: SurveyRound, checked: list[FocalPointRow]
) -> None:
    participants = participant_keys(survey_round)
    accepts = survey_round.status in (SurveyRound.Status.DRAFT, SurveyRound.Status.OPEN)
    for row in checked:
        key = party_key(row.kind, row.party)
        if key in participants:
            continue
        if not accepts:
            message = _(ROUND_CLOSED) % {"party": str(row.party)}
            plan.errors.append(RowError(row.row, "code", message))
            continue
        participants.add(key)
        plan.new_participants.append(row)
    if survey_round.status == SurveyRound.Status.OPEN:
        plan.invitations = len(plan.new_participants)


# --- applying ------------------------------------------------------------------------------


@transaction.atomic
def focal_points_import_apply(
    *, survey_round: SurveyRound, rows: list[dict[str, Any]]
) -> ImportPlan:
    """Plan the rows again (the database may have changed since the preview) and apply the
    plan, all or nothing; ValidationError, with nothing written, if any row has an error."""
    survey_round = lock_round(survey_round)
    plan = focal_points_import_plan(survey_round=survey_round, rows=rows)
    if plan.errors:
        raise ValidationError(_(HAS_ERRORS))
    for row in plan.new:
        focal_point = FocalPoint(
            kind=row.kind,
            name=row.name,
            email=row.email,
            language=row.language or "en",
            **{row.kind: row.party},
        )
        focal_point.full_clean()
        focal_point.save()  # one by one, so that each gets its history record
    for change in plan.changed:
        for name, (_before, after) in change.changes.items():
            setattr(change.focal_point, name, after)
        change.focal_point.full_clean()
        change.focal_point.save()
    RoundParticipant.objects.bulk_create(
        RoundParticipant(round=survey_round, kind=row.kind, **{row.kind: row.party})
        for row in plan.new_participants
    )
    if plan.new_participants and survey_round.status == SurveyRound.Status.OPEN:
        invite_late_participants(survey_round)
    return plan


def template_csv() -> str:
    """A file to start from: the header and one example row of each kind."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(["mechanism", "BALI", "Ana Pereira", "ana.pereira@example.org", "en"])
    writer.writerow(["state", "MX", "Luis Ortega", "luis.ortega@example.org", "es"])
    writer.writerow(["organization", "IOM", "Claire Martin", "claire.martin@example.org", "fr"])
    return out.getvalue()
