"""Load the reference registry (mechanisms, organizations, States, vocabularies) from YAML files.

states.yaml gives each State its UN M49 region and whether it is a UN Member State; a
mechanism's entry lists its members (or, for a global process, the States it is open to), its
dated chairs and the sources of both.

Idempotent: rows are matched on their natural keys (acronym, code, ISO code), created when
missing, updated when the source changed, and left alone otherwise. Memberships loaded from the
reference carry `source=reference`; those no longer in the source are removed, while memberships
entered by the secretariat are never touched.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django_countries import countries

from mechanisms.models import (
    GcmObjective,
    M49Region,
    Mechanism,
    Membership,
    Organization,
    RegionGroup,
    State,
    Term,
    ThematicArea,
    Vocabulary,
)

# Vocabularies with a model of their own; every other list of vocabularies.yaml becomes Terms.
DEDICATED_VOCABULARIES = {"thematic_areas", "gcm_objectives"}
# Which organizations provide the secretariat, by secretariat type (list B of vocabularies.yaml).
SECRETARIAT_ORGANIZATIONS = {
    "IOM": ["IOM"],
    "IOM_ADMIN": ["IOM"],
    "IOM_UNHCR": ["IOM", "UNHCR"],
    "ICMPD": ["ICMPD"],
}


class ReferenceDataError(Exception):
    """The reference files are missing or malformed; the message says where."""


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(
            sum(self.created.values()) + sum(self.updated.values()) + sum(self.deleted.values())
        )

    def lines(self) -> list[str]:
        names = sorted(
            set(self.created) | set(self.updated) | set(self.deleted) | set(self.unchanged)
        )
        return [
            f"{name}: {self.created[name]} created, {self.updated[name]} updated, "
            f"{self.deleted[name]} deleted, {self.unchanged[name]} unchanged"
            for name in names
        ]


YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@contextmanager
def entry_context(kind: str, entry: Any) -> Iterator[None]:
    """Turn a missing or malformed field of one entry into an error naming that entry."""
    name = (
        entry.get("acronym") or entry.get("code") or entry.get("number")
        if isinstance(entry, dict)
        else entry
    )
    try:
        yield
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReferenceDataError(f"{kind} {name}: missing or malformed field {exc}") from exc


def read_yaml_file(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=YAML_LOADER)
    except FileNotFoundError as exc:
        raise ReferenceDataError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ReferenceDataError(f"{path}: not valid YAML: {exc}") from exc


def read_yaml(path: Path, key: str) -> Any:
    """The value under the top-level `key` of a YAML file, or a ReferenceDataError naming it."""
    data = read_yaml_file(path)
    if not isinstance(data, dict) or key not in data:
        raise ReferenceDataError(f"{path}: expected a top-level key '{key}'")
    return data[key]


def upsert(
    report: LoadReport, model: type[models.Model], existing: dict[Any, Any], key: Any, values: dict
) -> models.Model:
    """Create or update one row so that it holds `values`; counts what happened in `report`."""
    label = model._meta.verbose_name_plural
    obj = existing.get(key)
    if obj is None:
        obj = model(**values)
        full_clean_or_raise(obj, key)
        obj.save()
        existing[key] = obj
        report.created[label] += 1
        return obj
    changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(obj, name, value)
        full_clean_or_raise(obj, key)
        obj.save()
        report.updated[label] += 1
    else:
        report.unchanged[label] += 1
    return obj


def full_clean_or_raise(obj: models.Model, key: Any) -> None:
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ReferenceDataError(f"{obj._meta.verbose_name} {key}: {exc.message_dict}") from exc


def sync_m2m(report: LoadReport, obj: models.Model, name: str, targets: list[models.Model]) -> None:
    manager = getattr(obj, name)
    current = {item.pk for item in manager.all()}
    wanted = {item.pk for item in targets}
    if current != wanted:
        manager.set(targets)
        report.updated[f"{obj._meta.verbose_name} {name.replace('_', ' ')}"] += 1


def text(entry: dict, key: str) -> str:
    return entry.get(key) or ""


def translations(entry: dict, field: str) -> dict[str, str]:
    """`field`, `field_fr` and `field_es` of an entry (empty where absent)."""
    return {name: text(entry, name) for name in (field, f"{field}_fr", f"{field}_es")}


def load_vocabularies(report: LoadReport, vocabularies: dict) -> None:
    objectives = {o.number: o for o in GcmObjective.objects.all()}
    for entry in vocabularies["gcm_objectives"]:
        with entry_context("GCM objective", entry):
            upsert(report, GcmObjective, objectives, entry["number"], {
                "number": entry["number"], "code": entry["code"],
                "label": entry["label"], "label_fr": text(entry, "label_fr"),
                "label_es": text(entry, "label_es"), "title": entry["title"],
                "title_fr": text(entry, "title_fr"), "title_es": text(entry, "title_es"),
                **translations(entry, "phrase"),
            })  # fmt: skip
    areas = {a.code: a for a in ThematicArea.objects.prefetch_related("gcm_objectives")}
    for position, entry in enumerate(vocabularies["thematic_areas"]):
        with entry_context("thematic area", entry):
            area = upsert(report, ThematicArea, areas, entry["code"], {
                "code": entry["code"], "label": entry["label"], "label_fr": text(entry, "label_fr"),
                "label_es": text(entry, "label_es"), "position": position,
                **translations(entry, "phrase"),
            })  # fmt: skip
            sync_m2m(report, area, "gcm_objectives",
                     [objectives[n] for n in entry.get("gcm_objectives") or []])  # fmt: skip
    for name, entries in flatten_vocabularies(vocabularies).items():
        load_terms(report, name, entries)


def flatten_vocabularies(vocabularies: dict) -> dict[str, list[dict]]:
    """`contribution_types` is a mapping of level to list: it becomes `contribution_types.<level>`."""
    flat: dict[str, list[dict]] = {}
    for name, value in vocabularies.items():
        if name in DEDICATED_VOCABULARIES:
            continue
        if isinstance(value, dict):
            for sub, entries in value.items():
                flat[f"{name}.{sub}"] = entries
        else:
            flat[name] = value
    return flat


def load_terms(report: LoadReport, name: str, entries: list[dict]) -> None:
    vocabulary, created = Vocabulary.objects.get_or_create(name=name)
    if created:
        report.created["vocabularies"] += 1
    terms = {t.code: t for t in vocabulary.terms.all()}
    for position, entry in enumerate(entries):
        with entry_context("term", entry):
            upsert(report, Term, terms, entry["code"], {
                "vocabulary": vocabulary, "code": entry["code"], "label": entry["label"],
                "label_fr": text(entry, "label_fr"), "label_es": text(entry, "label_es"),
                "position": position, **translations(entry, "phrase"),
                **translations(entry, "sentence"),
            })  # fmt: skip


def load_organizations(report: LoadReport, entries: list[dict]) -> dict[str, Organization]:
    organizations = {o.acronym: o for o in Organization.objects.all()}
    for entry in entries:
        with entry_context("organization", entry):
            upsert(report, Organization, organizations, entry["acronym"], {
                "acronym": entry["acronym"], "name": entry["name"], "name_fr": text(entry, "name_fr"),
                "name_es": text(entry, "name_es"), "kind": entry["kind"], "notes": text(entry, "notes"),
            })  # fmt: skip
    return organizations


def load_states(report: LoadReport, m49: dict[str, dict]) -> dict[str, State]:
    """Every ISO 3166-1 country and territory is a State of the registry, with its UN M49 region
    and sub-region and whether it is a UN Member State (from states.yaml)."""

    def values(code: str) -> dict[str, Any]:
        entry = m49.get(code) or {}
        return {
            "m49_region": entry.get("region") or "",
            "m49_subregion": entry.get("subregion") or "",
            "un_member": bool(entry.get("un_member_since")),
        }

    label = str(State._meta.verbose_name_plural)
    existing = {str(state.country.code): state for state in State.objects.all()}
    missing = [
        State(country=code, **values(code)) for code, _name in countries if code not in existing
    ]
    State.objects.bulk_create(missing)
    changed = []
    for code, state in existing.items():
        wanted = values(code)
        if any(getattr(state, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(state, name, value)
            changed.append(state)
    State.objects.bulk_update(changed, ["m49_region", "m49_subregion", "un_member"])
    report.created[label] += len(missing)
    report.updated[label] += len(changed)
    report.unchanged[label] += len(existing) - len(changed)
    return {str(state.country.code): state for state in State.objects.all()}


def read_states(path: Path) -> dict[str, dict]:
    entries = read_yaml(path, "states")
    if not isinstance(entries, dict):
        raise ReferenceDataError(f"{path}: 'states' must map ISO codes to their M49 region")
    for code, entry in entries.items():
        # An unquoted NO (Norway) reads as false in YAML: every key must be a quoted code.
        if not isinstance(code, str):
            raise ReferenceDataError(f"{path}: State {code!r}: quote the ISO code")
        if not isinstance(entry, dict) or entry.get("region") not in M49Region.values:
            raise ReferenceDataError(f"{path}: State {code}: unknown M49 region")
    return entries


def secretariat_organizations(
    entry: dict, organizations: dict[str, Organization]
) -> list[Organization]:
    acronyms = SECRETARIAT_ORGANIZATIONS.get(entry.get("secretariat_type") or "", [])
    if entry.get("secretariat_type") == "REC":
        acronyms = [
            token.split()[0]
            for token in text(entry, "formal_association").split(";")
            if token.strip()
        ]
    return [organizations[a] for a in acronyms if a in organizations]


def load_mechanisms(
    report: LoadReport,
    entries: list[dict],
    organizations: dict[str, Organization],
    states: dict[str, State],
) -> None:
    terms = {(t.vocabulary.name, t.code): t for t in Term.objects.select_related("vocabulary")}
    areas = {a.code: a for a in ThematicArea.objects.all()}
    mechanisms = {m.acronym: m for m in Mechanism.objects.prefetch_related("thematic_areas")}
    wanted_memberships: set[tuple] = set()
    for entry in entries:
        with entry_context("mechanism", entry):
            hosts = secretariat_organizations(entry, organizations)
            mechanism = upsert(report, Mechanism, mechanisms, entry["acronym"], {
                "acronym": entry["acronym"], "name": entry["name"], "name_fr": text(entry, "name_fr"),
                "name_es": text(entry, "name_es"), **translations(entry, "short_name"),
                "short_name_fr_gender": text(entry, "short_name_fr_gender"), "kind": entry["kind"],
                "established": entry.get("established"), "status": entry["status"],
                "region": text(entry, "region"), "region_group": region_group(entry),
                "formal_association": text(entry, "formal_association"),
                "chair_model": lookup_term(terms, "chair_models", entry, "chair_model"),
                "secretariat_type": lookup_term(terms, "secretariat_types", entry, "secretariat_type"),
                "secretariat_host": text(entry, "secretariat_host"),
                "secretariat_organization": hosts[0] if hosts else None,
                "website": text(entry, "website"), "description": text(entry, "notes"),
                "member_count_reported": entry.get("member_count"),
                "provenance": text(entry, "provenance"),
                "sources": "\n".join(entry.get("sources") or []),
            })  # fmt: skip
            try:
                sync_m2m(report, mechanism, "thematic_areas",
                         [areas[code] for code in entry.get("thematic_areas") or []])  # fmt: skip
            except KeyError as exc:
                raise ReferenceDataError(
                    f"mechanism {entry['acronym']}: unknown thematic area {exc}"
                ) from exc
            wanted_memberships |= membership_keys(entry, mechanism, hosts, organizations, states)
    sync_memberships(report, wanted_memberships)


def region_group(entry: dict) -> str:
    code = text(entry, "region_group")
    if code not in RegionGroup.values:
        raise ReferenceDataError(f"mechanism {entry['acronym']}: unknown region_group '{code}'")
    return code


def lookup_term(terms: dict, vocabulary: str, entry: dict, key: str) -> Term | None:
    code = entry.get(key)
    if not code:
        return None
    if (vocabulary, code) not in terms:
        raise ReferenceDataError(f"mechanism {entry['acronym']}: unknown {key} '{code}'")
    return terms[(vocabulary, code)]


# `members_open_to` of a global process: the States it is open to, instead of a list.
OPEN_TO = {"un_member_states": lambda states: sorted(c for c, s in states.items() if s.un_member)}


def listed_participants(entry: dict, states: dict[str, State]) -> list[tuple]:
    """(token, role, start, end) of each member, observer and chair an entry lists."""
    members = list(entry.get("members") or [])
    open_to = entry.get("members_open_to")
    if open_to:
        if open_to not in OPEN_TO:
            raise ReferenceDataError(
                f"mechanism {entry['acronym']}: unknown members_open_to '{open_to}'"
            )
        members += OPEN_TO[open_to](states)
    since = entry.get("member_since") or {}
    listed = [
        (token, Membership.Role.MEMBER, parse_date(entry, since.get(token)), None)
        for token in dict.fromkeys(members)
    ]
    listed += [
        (token, Membership.Role.OBSERVER, None, None) for token in entry.get("observers") or []
    ]
    for chair in entry.get("chairs") or []:
        listed.append((
            chair["participant"], Membership.Role.CHAIR, parse_date(entry, chair.get("start")),
            parse_date(entry, chair.get("end")),
        ))  # fmt: skip
    return listed


def parse_date(entry: dict, value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ReferenceDataError(
            f"mechanism {entry['acronym']}: '{value}' is not a date (YYYY-MM-DD)"
        ) from exc


def membership_keys(
    entry: dict,
    mechanism: Mechanism,
    hosts: list[Organization],
    organizations: dict[str, Organization],
    states: dict[str, State],
) -> set[tuple]:
    """(mechanism id, 'state'|'organization', participant id, role, start, end) for each listed
    participant; a chair has one key per period it held the chair."""
    keys = set()
    for token, role, start, end in listed_participants(entry, states):
        if start and end and end < start:
            raise ReferenceDataError(
                f"mechanism {entry['acronym']}: {token}'s {role} ends before it begins"
            )
        if token in organizations:
            keys.add((mechanism.pk, "organization", organizations[token].pk, role, start, end))
        elif token in states:
            keys.add((mechanism.pk, "state", states[token].pk, role, start, end))
        else:
            raise ReferenceDataError(f"mechanism {entry['acronym']}: unknown participant '{token}'")
    for host in hosts:
        keys.add((mechanism.pk, "organization", host.pk, Membership.Role.SECRETARIAT, None, None))
    return keys


def sync_memberships(report: LoadReport, wanted: set[tuple]) -> None:
    label = str(Membership._meta.verbose_name_plural)
    existing = {}
    for m in Membership.objects.filter(source=Membership.Source.REFERENCE):
        kind, pk = ("state", m.state_id) if m.state_id else ("organization", m.organization_id)
        existing[(m.mechanism_id, kind, pk, m.role, m.start_date, m.end_date)] = m.pk
    # A participant the secretariat already entered by hand (open, same role) keeps that row.
    manual = set()
    for m in Membership.objects.filter(source=Membership.Source.MANUAL, end_date__isnull=True):
        kind, pk = ("state", m.state_id) if m.state_id else ("organization", m.organization_id)
        manual.add((m.mechanism_id, kind, pk, m.role))
    # Only an open reference period can clash with the open manual row.
    wanted = {key for key in wanted if not (key[5] is None and key[:4] in manual)}
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        Membership.objects.filter(pk__in=stale).delete()
    missing = [key for key in wanted if key not in existing]
    Membership.objects.bulk_create(
        Membership(
            mechanism_id=mechanism_id, role=role, source=Membership.Source.REFERENCE,
            state_id=pk if kind == "state" else None,
            organization_id=pk if kind == "organization" else None,
            start_date=start, end_date=end,
        )
        for mechanism_id, kind, pk, role, start, end in sorted(missing, key=str)
    )  # fmt: skip
    report.created[label] += len(missing)
    report.deleted[label] += len(stale)
    report.unchanged[label] += len(wanted) - len(missing)


@transaction.atomic
def load_reference_data(directory: Path) -> LoadReport:
    """Load (or bring up to date) the registry from `directory`; all or nothing."""
    report = LoadReport()
    vocabularies = read_vocabularies(directory / "vocabularies.yaml")
    load_vocabularies(report, vocabularies)
    organizations = load_organizations(
        report, read_yaml(directory / "organizations.yaml", "organizations")
    )
    states = load_states(report, read_states(directory / "states.yaml"))
    load_mechanisms(
        report, read_yaml(directory / "mechanisms.yaml", "mechanisms"), organizations, states
    )
    return report


def read_vocabularies(path: Path) -> dict[str, Any]:
    data = read_yaml_file(path)
    for key in ("thematic_areas", "gcm_objectives"):
        if not isinstance(data, dict) or key not in data:
            raise ReferenceDataError(f"{path}: expected a top-level key '{key}'")
    return data
