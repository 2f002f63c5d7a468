"""Published summaries' files, rendered once per published version and kept in storage.

Laying out a compendium PDF takes seconds; a published one is the same for every reader until
a summary is published again, so the first download renders it into the default storage (the
disk, or the S3 bucket the job files use) and every later one is read from there. Files of a
summary not yet published (the secretariat's preview) are rendered on each request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from assessments.summaries.models import Summary

FOLDER = "summaries"


def stored_or_rendered(path: str | None, render: Callable[[], bytes]) -> bytes:
    """The file at `path` in storage, rendered and stored first if missing; `render()` alone
    when `path` is None (nothing to keep)."""
    if path is None:
        return render()
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as stored:
            return stored.read()
    content = render()
    # Two first readers at once both render; the storage then keeps both names (no overwrite),
    # which costs a file, not a wrong answer.
    default_storage.save(path, ContentFile(content))
    return content


def summary_file_path(summary: Summary, fmt: str) -> str | None:
    if not summary.is_published:
        return None
    return (
        f"{FOLDER}/{summary.round.slug}/{summary.mechanism.acronym}-{summary.language}"
        f"-v{summary.published_version}.{fmt}"
    )


def compendium_file_path(
    summaries: Sequence[Summary], *, slug: str, language: str, fmt: str, title: str, note: str
) -> str | None:
    """One name per set of published versions (and title and note, which the round's name and
    skipped mechanisms make); None while any summary in it is unpublished."""
    if not summaries or not all(s.is_published for s in summaries):
        return None
    versions = ",".join(f"{s.pk}:{s.published_version}" for s in summaries)
    digest = hashlib.sha256(f"{versions}|{title}|{note}".encode()).hexdigest()[:16]
    return f"{FOLDER}/{slug}/compendium-{language}-{digest}.{fmt}"
