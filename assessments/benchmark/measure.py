"""The measurements of one seeded round: report job, exports, summaries, respondent pages.

Wall times come from `time.perf_counter`. An export's peak memory is that of a child process
that does nothing but the export (`export_child`, run by `python -c`): it reports its own peak
resident set size (VmHWM; see `peak_rss_kb`) and the time of the export alone.
Query counts come from `CaptureQueriesContext`. The load test runs gunicorn (2 workers) on a
free port of 127.0.0.1 and 20 client threads (http.client), each signed in through its own
State's invitation link and saving its own response, so that versions never collide.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.jobs.models import Job
from assessments.questionnaires.models import Audience
from assessments.questionnaires.schema import OTHER_SUFFIX, QuestionnaireSchema, SectionSpec
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Answer, Response
from assessments.responses.services import stored_answers
from assessments.rounds.models import Invitation, RoundParticipant, SurveyRound
from assessments.rounds.services.invitations import invitation_token

KB = 1024
EXPORT_FORMATS = ("csv", "json")
EXPORT_REPEATS = 3
TEXT_TYPES = ("long_text", "text")
LOAD_CLIENTS = 20
LOAD_WORKERS = 2
LOAD_ROUNDS = 15  # page views and autosaves per client
LOAD_SECONDS = 120.0  # the load test stops earlier if each scenario takes longer
# The browser's pace: static/js/questionnaire.js sends an autosave 600 ms after the last change
# (DEBOUNCE_MS) and never two at once, so 0.6 s between one reply and the next request is the
# most a respondent's page asks of the server; the no-pause scenario measures saturation.
PACE_SECONDS = 0.6
START_SECONDS = 30.0  # for gunicorn to answer /health/
HOST = "127.0.0.1"


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (`share` in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


# --- the round report ---------------------------------------------------------------------


REPORT_PARTS = ("to_html", "to_xlsx", "to_docx")


def measure_report(survey_round: SurveyRound, *, job: bool = True) -> dict[str, Any]:
    """The figures alone (time, queries), then, if `job`, the whole job (figures, HTML, PDF,
    XLSX, Word) with the time of each of its parts."""
    from assessments.jobs import services as jobs
    from assessments.reporting import render
    from assessments.reporting import selectors as reporting
    from assessments.reporting.services.report import run_report_job

    result: dict[str, Any] = {}
    try:
        # As in a running worker: the questionnaires' schemas cached (else the query count
        # depends on whether this process has seeded the round) and the document libraries
        # loaded (config/celery.py preloads them when a worker process starts).
        for audience in (Audience.MECHANISM, Audience.STATE, Audience.ORGANIZATION):
            questionnaire_schema(survey_round.questionnaire_for(audience))
        render.preload()
        with CaptureQueriesContext(connection) as queries:
            result["data_seconds"], _data = timed(lambda: reporting.round_report_data(survey_round))
        result["data_queries"] = len(queries)
        if not job:
            return result
        created = jobs.job_create(
            kind=Job.Kind.ROUND_REPORT,
            survey_round=survey_round,
            parameters={"previous_round_id": None, "language": "en"},
        )
        parts: dict[str, float] = {}
        with (
            timing(reporting, ("round_report_data",), parts),
            timing(render, REPORT_PARTS, parts),
            timing(render.PendingPdf, ("result",), parts),
        ):
            result["job_seconds"], _none = timed(lambda: run_report_job(job_id=created.pk))
        # The PDF is laid out in a child process meanwhile: what the job waits for it after
        # writing the other files.
        parts["pdf_wait"] = parts.pop("result", 0.0)
        result["job_parts"] = parts
        created.refresh_from_db()
        if created.status != Job.Status.SUCCEEDED:
            result["error"] = f"job {created.status}: {created.error}"[:300]
    except Exception as exc:  # the benchmark reports a broken part and goes on
        result["error"] = error_text(exc)
    return result


@contextlib.contextmanager
def timing(module: Any, names: tuple[str, ...], into: dict[str, float]) -> Iterator[None]:
    """Add up the time spent in `module.<name>` while inside (the job looks them up when it
    runs, so wrapping the module's attributes is enough)."""
    originals = {name: getattr(module, name) for name in names}

    def wrapped(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                into[name] = into.get(name, 0.0) + time.perf_counter() - started

        return timed_call

    for name, function in originals.items():
        setattr(module, name, wrapped(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


# --- exports ----------------------------------------------------------------------------


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
    return result


CHILD = (
    "import sys, django; django.setup(); "
    "from assessments.benchmark.measure import export_child; export_child(*sys.argv[1:])"
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


# --- summaries ---------------------------------------------------------------------------


def measure_summaries(survey_round: SurveyRound, *, pdfs: int | None) -> dict[str, Any]:
    """Every mechanism's summary (English) generated and written as Markdown; then each as
    Word; then `pdfs` of them (all when None) as PDF, after one PDF to warm WeasyPrint up."""
    from assessments.summaries.render import to_docx, to_markdown, to_pdf
    from assessments.summaries.services import round_mechanisms, summary_generate

    result: dict[str, Any] = {}
    try:
        mechanisms = round_mechanisms(survey_round)
        result["count"] = len(mechanisms)

        def generate() -> list:
            found = []
            for mechanism in mechanisms:
                summary = summary_generate(
                    survey_round=survey_round, mechanism=mechanism, language="en"
                )
                to_markdown(summary)
                found.append(summary)
            return found

        with CaptureQueriesContext(connection) as queries:
            result["markdown_seconds"], summaries = timed(generate)
        result["queries_per_summary"] = len(queries) / max(1, len(mechanisms))
        result["docx_seconds"], _docs = timed(lambda: [to_docx([s]) for s in summaries])
        chosen = summaries if pdfs is None else summaries[:pdfs]
        if chosen:
            result["pdf_first_seconds"], _pdf = timed(lambda: to_pdf([chosen[0]]))
            times = [timed(lambda s=s: to_pdf([s]))[0] for s in chosen]
            result.update(pdf_count=len(times), pdf_seconds=sum(times), pdf_max=max(times))
            result["pdf_median"] = statistics.median(times)
    except Exception as exc:
        result["error"] = error_text(exc)
    return result


# --- the respondent's pages -----------------------------------------------------------------


@dataclass
class Respondent:
    """A State participant whose responses are editable, and the page the benchmark uses: the
    first per-mechanism section about its first mechanism."""

    participant: RoundParticipant
    token: str
    page: int
    response: Response
    schema: QuestionnaireSchema
    section: SectionSpec
    answers: dict[str, Any]
    edits: int = 0

    @property
    def page_path(self) -> str:
        return reverse("assessments:page", args=[self.participant.pk, self.page])

    @property
    def autosave_path(self) -> str:
        return reverse("assessments:autosave", args=[self.response.pk])

    @property
    def invitation_path(self) -> str:
        return reverse("assessments:invitation", args=[self.token])

    def autosave_fields(self, version: int) -> list[tuple[str, str]]:
        """The page's fields as the form posts them, one text changed each time."""
        self.edits += 1
        answers = dict(self.answers)
        edited = next(
            (c for c in self.section.question_codes if self.schema.questions[c].type in TEXT_TYPES
             and answers.get(c)),
            None,
        )  # fmt: skip
        if edited:
            answers[edited] = f"{answers[edited]} (edit {self.edits})"
        fields = [("section", self.section.code), ("version", str(version))]
        return fields + form_fields(self.schema, self.section, answers)


def form_fields(
    schema: QuestionnaireSchema, section: SectionSpec, answers: dict[str, Any]
) -> list[tuple[str, str]]:
    """Answers as form fields (see assessments.responses.forms): a multiple choice repeats its name, a
    matrix cell is `<code>__<ROW>`, an "other" text `<code>_other`."""
    fields: list[tuple[str, str]] = []
    for code in section.question_codes:
        question, value = schema.questions[code], answers.get(code)
        if value is None:
            continue
        if question.type == "multiple":
            fields += [(code, choice) for choice in value]
        elif question.type == "matrix":
            fields += [(f"{code}__{row}", c) for row, cells in value.items() for c in cells]
        else:
            fields.append((code, value.isoformat() if hasattr(value, "isoformat") else str(value)))
        if answers.get(code + OTHER_SUFFIX):
            fields.append((code + OTHER_SUFFIX, answers[code + OTHER_SUFFIX]))
    return fields


def respondent_for(participant: RoundParticipant) -> Respondent:
    schema = questionnaire_schema(participant.round.questionnaire_for(participant.kind))
    responses = sorted(
        Response.objects.filter(participant=participant).select_related("mechanism"),
        key=lambda r: r.mechanism.acronym if r.mechanism else "",
    )
    first_per_mechanism = next(s for s in schema.sections if s.per_mechanism)
    # One page per once-answered section before it, then its page about the first mechanism.
    page = schema.sections.index(first_per_mechanism) + 1
    response = next(r for r in responses if r.mechanism_id)
    return Respondent(
        participant=participant,
        token=invitation_token(participant.invitation),
        page=page,
        response=response,
        schema=schema,
        section=first_per_mechanism,
        answers=stored_answers(response, schema),
    )


def answering_participants(survey_round: SurveyRound, kind: str) -> Any:
    """Participants of `kind` with at least one per-mechanism response, the biggest first."""
    from django.db.models import Count

    return (
        RoundParticipant.objects.filter(round=survey_round, kind=kind)
        .annotate(blocks=Count("responses"))
        .filter(blocks__gt=1)
        .select_related("round", "state", "organization", "invitation")
        .order_by("-blocks", "pk")
    )


def state_participants(survey_round: SurveyRound, count: int) -> list[RoundParticipant]:
    """`count` States, those answering about the most mechanisms first (the biggest pages)."""
    return list(answering_participants(survey_round, Audience.STATE)[:count])


@contextlib.contextmanager
def editable(participants: list[RoundParticipant]) -> Iterator[None]:
    """Reopen the participants' responses for the web measurements, submitted again after."""
    responses = Response.objects.filter(participant__in=participants)
    invitations = Invitation.objects.filter(participant__in=participants)
    responses.update(status=Response.Status.REOPENED)
    invitations.update(status=Invitation.Status.IN_PROGRESS)
    try:
        yield
    finally:
        responses.update(status=Response.Status.SUBMITTED)
        invitations.update(status=Invitation.Status.SUBMITTED)


def measure_web(survey_round: SurveyRound, *, load: bool, folder: Path) -> dict[str, Any]:
    """Query counts of the page and of an autosave for three sizes of questionnaire (the State
    answering about the most mechanisms, the one about the fewest, an organization answering
    about every mechanism), then the load test with 20 States."""
    result: dict[str, Any] = {}
    try:
        participants = state_participants(survey_round, LOAD_CLIENTS)
        smallest = answering_participants(survey_round, Audience.STATE).reverse().first()
        organization = answering_participants(survey_round, Audience.ORGANIZATION).first()
        sizes = {"largest": participants[0], "smallest": smallest, "organization": organization}
        sizes = {label: p for label, p in sizes.items() if p is not None}
        respondents = [respondent_for(p) for p in participants]
        with editable([*participants, *sizes.values()]):
            result["queries"] = query_counts(
                {label: respondent_for(p) for label, p in sizes.items()}
            )
            if load:
                result["load"] = load_test(respondents, folder)
    except Exception as exc:
        result["error"] = error_text(exc)
    return result


def query_counts(respondents: dict[str, Respondent]) -> dict[str, Any]:
    """Queries of the page view and of an autosave (one text changed) for each respondent: the
    count must not depend on the questionnaire's size."""
    counts: dict[str, Any] = {}
    for label, respondent in respondents.items():
        client = Client(HTTP_HOST=HOST)
        client.get(respondent.invitation_path)
        with CaptureQueriesContext(connection) as page:
            status = client.get(respondent.page_path).status_code
        version = Response.objects.values_list("version", flat=True).get(pk=respondent.response.pk)
        data: dict[str, list[str]] = {}
        for name, value in respondent.autosave_fields(version):
            data.setdefault(name, []).append(value)
        with CaptureQueriesContext(connection) as save:
            saved = client.post(respondent.autosave_path, data).status_code
        blocks = Response.objects.filter(participant=respondent.participant).count() - 1
        counts[label] = {
            "mechanisms": blocks, "page": len(page), "page_status": status,
            "autosave": len(save), "autosave_status": saved,
        }  # fmt: skip
    return counts


# --- the load test ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(folder: Path) -> Iterator[int]:
    """gunicorn with 2 workers on a free port of 127.0.0.1, in this process's environment (the
    benchmark database, DEBUG off); stopped (by its process id) on leaving."""
    port = free_port()
    binary = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    command = [binary, "config.wsgi", "--workers", str(LOAD_WORKERS), "--bind", f"{HOST}:{port}",
               "--log-level", "warning"]  # fmt: skip
    with open(folder / "gunicorn.log", "wb") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, stdout=log, stderr=log)
        try:
            wait_until_up(port, process)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped; see gunicorn.log")
        with contextlib.suppress(OSError):
            if request(port, "GET", "/health/").status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


@dataclass
class Reply:
    status: int
    body: bytes
    cookies: dict[str, str]
    seconds: float


def request(
    port: int,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    fields: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request on a new connection (gunicorn's sync workers close each one anyway)."""
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if fields is not None:
        body = urllib.parse.urlencode(fields).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    finally:
        conn.close()
    seconds = time.perf_counter() - started
    return Reply(response.status, data, {k: m.value for k, m in jar.items()}, seconds)


@dataclass
class Session:
    """One simulated respondent: its cookies and its response's version."""

    respondent: Respondent
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    version: int = 0
    page_times: list[float] = field(default_factory=list)
    save_times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def sign_in(self) -> None:
        reply = request(self.port, "GET", self.respondent.invitation_path)
        self.cookies.update(reply.cookies)
        if "sessionid" not in self.cookies:
            raise RuntimeError(f"the invitation link gave no session ({reply.status})")
        response = Response.objects.filter(pk=self.respondent.response.pk)
        self.version = response.values_list("version", flat=True).get()

    def view(self) -> float:
        reply = request(self.port, "GET", self.respondent.page_path, cookies=self.cookies)
        self.cookies.update(reply.cookies)
        if reply.status != 200:
            self.errors.append(f"page {reply.status}")
        return reply.seconds

    def save(self) -> float:
        fields = self.respondent.autosave_fields(self.version)
        headers = {"X-CSRFToken": self.cookies.get("csrftoken", "")}
        reply = request(
            self.port, "POST", self.respondent.autosave_path,
            cookies=self.cookies, fields=fields, headers=headers,
        )  # fmt: skip
        if reply.status in (200, 409):  # 409: someone else saved; take the version it gives
            self.version = json.loads(reply.body).get("version", self.version)
        if reply.status != 200:
            self.errors.append(f"autosave {reply.status}")
        return reply.seconds

    def run(
        self, rounds: int, deadline: float, start: threading.Barrier, pause: float, offset: float
    ) -> None:
        try:
            self.view()  # warm-up: the worker's schema cache, the CSRF cookie
            self.save()
            start.wait()
            time.sleep(offset)
            for _round in range(rounds):
                if time.monotonic() > deadline:
                    break
                time.sleep(pause)
                self.page_times.append(self.view())
                time.sleep(pause)
                self.save_times.append(self.save())
        except Exception as exc:
            self.errors.append(error_text(exc))
            with contextlib.suppress(threading.BrokenBarrierError):
                start.abort()


def load_test(respondents: list[Respondent], folder: Path) -> dict[str, Any]:
    """One client alone, then 20 clients at once at the browser's pace (PACE_SECONDS between
    a reply and the next request), then 20 clients with no pause (each waits only for its
    reply): each views its page then autosaves it, LOAD_ROUNDS times."""
    with gunicorn(folder) as port:
        sessions = [Session(r, port) for r in respondents]
        for session in sessions:
            session.sign_in()
        alone = sessions[0]  # first one client alone: the service time, without queueing
        alone.view(), alone.save()
        single_pages = [alone.view() for _round in range(LOAD_ROUNDS)]
        single_saves = [alone.save() for _round in range(LOAD_ROUNDS)]
        paced = concurrent_clients(sessions, pause=PACE_SECONDS)
        for session in sessions:
            session.page_times, session.save_times = [], []
        saturated = concurrent_clients(sessions, pause=0.0)
    return {
        "clients": len(sessions),
        "workers": LOAD_WORKERS,
        **saturated,
        "paced": {**paced, "pause": PACE_SECONDS},
        "single": {"page": latency(single_pages), "autosave": latency(single_saves)},
    }


def concurrent_clients(sessions: list[Session], *, pause: float) -> dict[str, Any]:
    start = threading.Barrier(len(sessions))
    deadline = time.monotonic() + LOAD_SECONDS
    started = time.perf_counter()
    with ThreadPoolExecutor(len(sessions)) as pool:
        # Paced clients start spread over one pause, as people arriving one by one would, not
        # in a burst that the barrier would otherwise repeat at every step.
        runs = [
            pool.submit(s.run, LOAD_ROUNDS, deadline, start, pause, pause * i / len(sessions))
            for i, s in enumerate(sessions)
        ]
        for future in runs:
            future.result()
    seconds = time.perf_counter() - started
    pages = [t for s in sessions for t in s.page_times]
    saves = [t for s in sessions for t in s.save_times]
    errors = [e for s in sessions for e in s.errors]
    return {
        "seconds": seconds,
        "throughput": (len(pages) + len(saves)) / seconds if seconds else None,
        "page": latency(pages),
        "autosave": latency(saves),
        "errors": len(errors),
        "first_errors": errors[:5],
    }


def latency(times: list[float]) -> dict[str, Any]:
    return {
        "requests": len(times),
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "max": max(times) if times else None,
    }


def scratch_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="iscm-bench-"))
