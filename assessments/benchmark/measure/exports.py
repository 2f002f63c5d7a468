"""The exports, each in a child process that does nothing but the export (`export_child`, run by
`python -c`): it reports its own peak resident set size (VmHWM; see `peak_rss_kb`) and the time
of the export alone; and the floor, PostgreSQL's COPY of the same rows."""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from assessments.responses.models import Answer, Response
from assessments.rounds.models import SurveyRound

from .common import error_text, timed

KB = 1024
EXPORT_FORMATS = ("csv", "xlsx", "json")
EXPORT_REPEATS = 3


def measure_exports(survey_round: SurveyRound, folder: Path) -> dict[str, Any]:
    """Each format in its own process (time, peak memory), and the COPY floor; each
    EXPORT_REPEATS times, keeping the fastest run (the least disturbed by other work on the
    machine) and the highest peak memory."""
    result: dict[str, Any] = {}
    for fmt in EXPORT_FORMATS:
        try:
            runs = [
                export_in_child(survey_round.slug, fmt, folder / f"export.{fmt}")
                for _run in range(EXPORT_REPEATS)
            ]
            result[fmt] = {**min(runs, key=lambda r: r["seconds"]),
                           "rss_mb": max(r["rss_mb"] for r in runs), "runs": len(runs)}  # fmt: skip
        except Exception as exc:
            result[fmt] = {"error": error_text(exc)}
        with contextlib.suppress(OSError):
            (folder / f"export.{fmt}").unlink()
    try:
        runs = [copy_floor(survey_round, folder / "copy.csv") for _run in range(EXPORT_REPEATS)]
        result["copy"] = min(runs, key=lambda r: r.get("seconds", math.inf))
    except Exception as exc:
        result["copy"] = {"error": error_text(exc)}
    if "seconds" in result["csv"] and "seconds" in result["copy"]:
        result["csv_to_copy"] = result["csv"]["seconds"] / result["copy"]["seconds"]
    for fmt in ("xlsx", "json"):  # each format against the wide CSV of the same run
        if "seconds" in result["csv"] and "seconds" in result[fmt]:
            result[f"{fmt}_to_csv"] = result[fmt]["seconds"] / result["csv"]["seconds"]
            result[f"{fmt}_rss_to_csv"] = result[fmt]["rss_mb"] / result["csv"]["rss_mb"]
    return result


CHILD = (
    "import sys, django; django.setup(); "
    "from assessments.benchmark.measure.exports import export_child; export_child(*sys.argv[1:])"
)


def export_in_child(slug: str, fmt: str, path: Path) -> dict[str, Any]:
    command = [sys.executable, "-c", CHILD, slug, fmt, str(path)]
    done = subprocess.run(
        command, cwd=settings.BASE_DIR, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # Linux reports ru_maxrss in kilobytes.
    figures["rss_mb"] = figures.pop("maxrss_kb") / KB
    figures["baseline_rss_mb"] = figures.pop("baseline_kb") / KB
    return figures


def export_child(slug: str, fmt: str, path: str) -> None:
    """In the child: export, then print the time and this process's peak memory as JSON."""
    from assessments.reporting.exports import round_schemas, write_export

    survey_round = SurveyRound.objects.get(slug=slug)
    # As in a running worker, the questionnaires' schemas are cached (built once per process:
    # ~0.1 s, a third of a 1x export).
    round_schemas(survey_round)
    baseline = peak_rss_kb()
    seconds, _none = timed(lambda: write_export(survey_round, fmt, path))
    size = os.path.getsize(path)
    print(
        json.dumps(
            {"seconds": seconds, "maxrss_kb": peak_rss_kb(), "baseline_kb": baseline, "bytes": size}
        )
    )


def peak_rss_kb() -> int:
    """This process's peak resident set size, in kB. Linux's VmHWM belongs to the process's own
    memory, whereas ru_maxrss carries over the parent's peak across fork and exec (a child of
    the benchmark would report the benchmark's own size)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


COPY_SQL = """
COPY (
    SELECT a.response_id, q.code, a.row, a.choice, a.text, a.number, a.date
    FROM {answer} a
    JOIN {response} r ON r.id = a.response_id
    JOIN {question} q ON q.id = a.question_id
    WHERE r.round_id = {round_id}
    ORDER BY a.response_id, a.question_id, a.row, a.choice
) TO STDOUT WITH (FORMAT csv)
"""


def copy_floor(survey_round: SurveyRound, path: Path) -> dict[str, Any]:
    """PostgreSQL's COPY of the answer rows the export reads (same join, same order) into a
    file: the floor no export in Python can beat."""
    if connection.vendor != "postgresql":
        return {"error": "COPY needs PostgreSQL"}
    from assessments.questionnaires.models import Question

    sql = COPY_SQL.format(
        answer=Answer._meta.db_table,
        response=Response._meta.db_table,
        question=Question._meta.db_table,
        round_id=int(survey_round.pk),
    )
    started = time.perf_counter()
    size = 0
    with open(path, "wb") as handle, connection.cursor() as cursor, cursor.copy(sql) as copy:
        for data in copy:
            handle.write(data)
            size += len(data)
    seconds = time.perf_counter() - started
    path.unlink()
    return {"seconds": seconds, "bytes": size}
