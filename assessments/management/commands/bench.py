"""`python manage.py bench`: the global-scale benchmark (see docs/performance.md).

The command never touches the database of the settings: it creates (if missing) the benchmark's
own PostgreSQL database, then runs itself again in a child process whose DATABASE_URL points
there (DEBUG off, as in production), which migrates it, empties it, seeds one round per scale
and measures each.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import math
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/iscm_bench"
PARTS = ("report", "export", "summaries", "web")
NOT_POSTGRESQL = "The benchmark needs PostgreSQL: {url} is not a postgres:// URL."
NOT_BENCH = (
    "Refusing to use database “{name}”: the benchmark empties its database, so its name must "
    "contain “bench” (e.g. iscm_bench)."
)


def parse_scales(text: str) -> list[int]:
    try:
        scales = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--scales: whole numbers separated by commas, not {text!r}.") from None
    if not scales or min(scales) < 1:
        raise CommandError("--scales: at least one scale, each 1 or more.")
    return scales


def parse_parts(text: str) -> list[str]:
    parts = [part.strip() for part in text.split(",") if part.strip()] or list(PARTS)
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise CommandError(f"--only: unknown part(s) {', '.join(unknown)}; use {', '.join(PARTS)}.")
    return [part for part in PARTS if part in parts]


def database_settings(url: str) -> dict[str, Any]:
    import environ

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        raise CommandError(NOT_POSTGRESQL.format(url=url))
    if "bench" not in config["NAME"]:
        raise CommandError(NOT_BENCH.format(name=config["NAME"]))
    return config


def ensure_database(config: dict[str, Any]) -> bool:
    """Create the benchmark database if missing (through the server's `postgres` database);
    True if it was created."""
    import psycopg
    from psycopg import sql

    connect = {
        "dbname": "postgres",
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in connect.items() if v is not None}) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    return not exists


class Command(BaseCommand):
    help = (
        "Seed a synthetic round at global scale into the benchmark database (never the "
        "configured one) and measure seeding, the report job, exports, summaries and the "
        "respondent's pages; prints one table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--states", type=int, default=193, help="States (at most 249).")
        parser.add_argument("--mechanisms", type=int, default=60, help="Mechanisms.")
        parser.add_argument(
            "--organizations", type=int, default=20, help="Organizations per unit of scale."
        )
        parser.add_argument(
            "--scales", default="1,10", help="Scales to run, e.g. 1,10 (80 ≈ 100,000 responses)."
        )
        parser.add_argument("--seed", type=int, default=2024, help="Random seed of the answers.")
        parser.add_argument(
            "--only", default="", help=f"Parts to measure after seeding: {', '.join(PARTS)}."
        )
        parser.add_argument(
            "--skip-load", action="store_true", help="No gunicorn load test (query counts only)."
        )
        parser.add_argument(
            "--full-report",
            action="store_true",
            help="Run the whole report job at every scale (by default only at the largest: its "
            "rendering depends on the registry, not on the number of answers).",
        )
        parser.add_argument(
            "--pdfs", type=int, default=None, help="Summary PDFs to time (default: all)."
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Keep the data and reuse rounds already seeded with the same parameters.",
        )
        parser.add_argument(
            "--database-url",
            default=None,
            help=f"Benchmark database (else BENCH_DATABASE_URL, else {DEFAULT_DATABASE_URL}).",
        )
        parser.add_argument(
            "--write-docs",
            nargs="?",
            const="docs/performance.md",
            default=None,
            metavar="PATH",
            help="Also write the table into PATH (default docs/performance.md).",
        )
        parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        scales, parts = parse_scales(options["scales"]), parse_parts(options["only"])
        if not 1 <= options["states"] <= 249 or options["mechanisms"] < 1:
            raise CommandError("--states must be 1 to 249 and --mechanisms at least 1.")
        if options["organizations"] < 0:
            raise CommandError("--organizations cannot be negative.")
        if options["inner"]:
            self.run_inner(scales, parts, options)
            return
        url = (
            options["database_url"] or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
        )
        config = database_settings(url)
        if ensure_database(config):
            self.stderr.write(f"Created database {config['NAME']}.")
        self.run_child(url, options)

    # --- the parent: a child process on the benchmark database --------------------------

    def run_child(self, url: str, options: dict[str, Any]) -> None:
        media = Path(settings.BASE_DIR) / "var" / "bench" / "media"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "MEDIA_ROOT": str(media),
            "LOG_LEVEL": "WARNING",
            "CELERY_BROKER_URL": "",
        }
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench", "--inner"]
        command += child_arguments(options)
        done = subprocess.run(command, env=env, cwd=settings.BASE_DIR, check=False)
        shutil.rmtree(media, ignore_errors=True)
        if done.returncode:
            raise CommandError(f"The benchmark failed (exit status {done.returncode}).")

    # --- the child: seed and measure ---------------------------------------------------

    def run_inner(self, scales: list[int], parts: list[str], options: dict[str, Any]) -> None:
        from django.core.management import call_command

        from assessments.benchmark.measure import scratch_folder
        from assessments.benchmark.report import render, write_docs, write_json
        from assessments.benchmark.seed import SeedSpec, reset_data

        # WeasyPrint warns about every SVG property it ignores; whitenoise about var/static.
        # (a filter: WeasyPrint sets its logger's level itself when it is first imported)
        logging.getLogger("weasyprint").addFilter(lambda record: record.levelno >= logging.ERROR)
        warnings.filterwarnings("ignore", message="No directory at")
        self.note("Migrating the benchmark database")
        call_command("migrate", verbosity=0, interactive=False)
        if not options["reuse"]:
            reset_data()
        folder = scratch_folder()
        options["largest"] = max(scales)
        results = []
        try:
            for scale in scales:
                spec = SeedSpec(
                    states=options["states"], mechanisms=options["mechanisms"],
                    organizations=options["organizations"], scale=scale, seed=options["seed"],
                )  # fmt: skip
                results.append(self.measure_scale(spec, parts, options, folder))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        meta = run_meta(scales, parts, options)
        text = render(meta, results)
        self.stdout.write("\n" + text)
        json_path = Path(settings.BASE_DIR) / "var" / "bench" / f"results-{meta['key']}.json"
        write_json(json_path, meta, results)
        self.note(f"Figures saved in {json_path}")
        if options["write_docs"]:
            write_docs(Path(settings.BASE_DIR) / options["write_docs"], meta, text)
            self.note(f"Table written into {options['write_docs']}")

    def measure_scale(
        self, spec: Any, parts: list[str], options: dict[str, Any], folder: Path
    ) -> dict[str, Any]:
        from assessments.benchmark import measure

        result = self.seeded(spec, options["reuse"])
        survey_round = result.pop("round")
        steps = {
            "report": lambda: measure.measure_report(
                survey_round, job=options["full_report"] or spec.scale == options["largest"]
            ),
            "export": lambda: measure.measure_exports(survey_round, folder),
            "summaries": lambda: measure.measure_summaries(survey_round, pdfs=options["pdfs"]),
            "web": lambda: measure.measure_web(
                survey_round, load=not options["skip_load"], folder=folder
            ),
        }
        for part in parts:
            self.note(f"{spec.scale}x: {part}")
            started = time.perf_counter()
            result[part] = steps[part]()
            self.note(f"{spec.scale}x: {part} done in {time.perf_counter() - started:.1f} s")
        return result

    def seeded(self, spec: Any, reuse: bool) -> dict[str, Any]:
        from assessments.benchmark.seed import reset_data, seed_round
        from assessments.responses.models import Answer, Response
        from assessments.rounds.models import SurveyRound

        existing = SurveyRound.objects.filter(slug=spec.slug).first()
        if existing is not None and reuse and existing.name == spec.name:
            self.note(f"{spec.scale}x: reusing round {spec.slug}")
            return {
                "scale": spec.scale,
                "round": existing,
                "responses": Response.objects.filter(round=existing).count(),
                "answers": Answer.objects.filter(response__round=existing).count(),
                "seed": {"reused": True},
            }
        if existing is not None:
            self.note("The benchmark data were seeded with other parameters: emptying them")
            reset_data()
        self.note(f"{spec.scale}x: seeding {spec.name}")
        seeded = seed_round(spec)
        self.note(
            f"{spec.scale}x: {seeded.responses:,} responses, {seeded.answers:,} answer rows "
            f"in {seeded.seconds:.1f} s"
        )
        return {
            "scale": spec.scale,
            "round": seeded.survey_round,
            "responses": seeded.responses,
            "answers": seeded.answers,
            "participants": seeded.participants,
            "seed": {"seconds": seeded.seconds, "steps": seeded.steps},
        }

    def note(self, message: str) -> None:
        self.stderr.write(f"[{datetime.datetime.now():%H:%M:%S}] {message}")


def child_arguments(options: dict[str, Any]) -> list[str]:
    arguments = [
        "--states", str(options["states"]), "--mechanisms", str(options["mechanisms"]),
        "--organizations", str(options["organizations"]), "--scales", options["scales"],
        "--seed", str(options["seed"]),
    ]  # fmt: skip
    if options["only"]:
        arguments += ["--only", options["only"]]
    if options["pdfs"] is not None:
        arguments += ["--pdfs", str(options["pdfs"])]
    for flag in ("skip_load", "reuse", "full_report"):
        if options[flag]:
            arguments.append("--" + flag.replace("_", "-"))
    if options["write_docs"]:
        arguments += ["--write-docs", options["write_docs"]]
    return arguments


def run_meta(scales: list[int], parts: list[str], options: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection

    from assessments.benchmark.measure import (
        LOAD_CLIENTS,
        LOAD_ROUNDS,
        LOAD_WORKERS,
        PACE_SECONDS,
    )

    only = options["only"]
    command = "python manage.py bench " + " ".join(
        a for a in child_arguments(options) if a not in ("--write-docs", options["write_docs"])
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0].split()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    skipped = options["skip_load"] or "web" not in parts
    key = "scales-" + "-".join(map(str, scales)) + (f"-only-{only}" if only else "")
    return {
        "command": command,
        "key": re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-"),
        "scales": scales,
        "parts": parts,
        "cores": os.cpu_count(),
        "memory_gb": round(memory),
        "postgresql": f"PostgreSQL {server}",
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
        # Other work on the machine slows every figure: the 1, 5 and 15 minute load averages.
        "load_average": " / ".join(f"{n:.1f}" for n in os.getloadavg()),
        "python_loop": python_loop_seconds(),
        "round": (
            f"{options['states']} States, {options['mechanisms']} mechanisms, "
            f"{options['organizations']} × scale organizations"
        ),
        "load": "skipped"
        if skipped
        else (
            f"{LOAD_CLIENTS} clients, gunicorn {LOAD_WORKERS} sync workers, "
            f"{LOAD_ROUNDS} page views and {LOAD_ROUNDS} autosaves per client, first at the "
            f"browser's pace ({PACE_SECONDS:g} s from a reply to the next request: the page's "
            f"autosave delay), then with no pause"
        ),
    }


def python_loop_seconds() -> float:
    """A fixed loop of ten million additions, best of three: how fast this machine runs Python
    right now, to compare runs made on different (or differently busy) machines."""
    best = math.inf
    for _run in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(10_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best
