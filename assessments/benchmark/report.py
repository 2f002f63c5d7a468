"""The benchmark's one table (Markdown, printed and written into docs/performance.md), the
growth of each figure from the smallest to the largest scale, and the targets."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Result = dict[str, Any]  # one scale's figures, as measure/ and the command collect them

BEGIN = "<!-- bench:{key}:begin -->"
END = "<!-- bench:{key}:end -->"
BIG_EXPORT_RESPONSES = 90_000  # "100,000 responses": the target is judged from this size on
BIG_REPORT_ROWS = 1_000_000
JSON_MEMORY_FROM_SCALE = 10
QUERY_LIMITS = {"page": 15, "autosave": 8}


def dig(result: Result, *path: str) -> Any:
    value: Any = result
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def worst_queries(result: Result, kind: str) -> int | None:
    counts = [v.get(kind) for v in (dig(result, "web", "queries") or {}).values()]
    counts = [c for c in counts if c is not None]
    return max(counts) if counts else None


def ms(value: float | None) -> float | None:
    return None if value is None else value * 1000


@dataclass(frozen=True)
class Row:
    label: str
    get: Callable[[Result], Any]
    unit: str = ""  # "s", "ms", "MB", "x", "" (a count)
    grows: bool = True  # a cost that may grow with the round (given a 1x→10x ratio)


ROWS = (
    Row("Responses", lambda r: r.get("responses")),
    Row("Answer rows", lambda r: r.get("answers")),
    Row("1. Seeding (bulk insert + COPY)", lambda r: dig(r, "seed", "seconds"), "s"),
    Row("2. Report figures (round_report_data)", lambda r: dig(r, "report", "data_seconds"), "s"),
    Row("2. Report figures: queries", lambda r: dig(r, "report", "data_queries")),
    Row("2. Report job (figures, HTML, PDF, XLSX, Word)",
        lambda r: dig(r, "report", "job_seconds"), "s"),
    Row("2. … of which waiting for the PDF (laid out meanwhile in a child process)",
        lambda r: dig(r, "report", "job_parts", "pdf_wait"), "s"),
    Row("3. CSV export (wide)", lambda r: dig(r, "export", "csv", "seconds"), "s"),
    Row("3. CSV export: peak RSS", lambda r: dig(r, "export", "csv", "rss_mb"), "MB"),
    Row("3. XLSX export (wide and long sheets)", lambda r: dig(r, "export", "xlsx", "seconds"),
        "s"),
    Row("3. XLSX export: peak RSS", lambda r: dig(r, "export", "xlsx", "rss_mb"), "MB"),
    Row("3. JSON export", lambda r: dig(r, "export", "json", "seconds"), "s"),
    Row("3. JSON export: peak RSS", lambda r: dig(r, "export", "json", "rss_mb"), "MB"),
    Row("3. COPY of the answer rows (floor)", lambda r: dig(r, "export", "copy", "seconds"), "s"),
    Row("3. CSV export / COPY", lambda r: dig(r, "export", "csv_to_copy"), "x"),
    Row("3. XLSX export / CSV", lambda r: dig(r, "export", "xlsx_to_csv"), "x"),
    Row("3. JSON export / CSV", lambda r: dig(r, "export", "json_to_csv"), "x"),
    Row("3. JSON peak RSS / CSV's", lambda r: dig(r, "export", "json_rss_to_csv"), "x"),
    Row("4. All summaries, Markdown", lambda r: dig(r, "summaries", "markdown_seconds"), "s"),
    Row("4. Summaries: queries per summary",
        lambda r: dig(r, "summaries", "queries_per_summary")),
    Row("4. All summaries, Word", lambda r: dig(r, "summaries", "docx_seconds"), "s"),
    Row("4. One summary PDF (median)", lambda r: dig(r, "summaries", "pdf_median"), "s"),
    Row("4. One summary PDF (slowest)", lambda r: dig(r, "summaries", "pdf_max"), "s"),
    Row("5. Questionnaire page: queries", lambda r: worst_queries(r, "page")),
    Row("5. Autosave: queries", lambda r: worst_queries(r, "autosave")),
    Row("5. Page p50, 1 client", lambda r: ms(dig(r, "web", "load", "single", "page", "p50")),
        "ms"),
    Row("5. Autosave p50, 1 client",
        lambda r: ms(dig(r, "web", "load", "single", "autosave", "p50")), "ms"),
    Row("5. Page p50, 20 clients at the browser's pace",
        lambda r: ms(dig(r, "web", "load", "paced", "page", "p50")), "ms"),
    Row("5. Page p95, 20 clients at the browser's pace",
        lambda r: ms(dig(r, "web", "load", "paced", "page", "p95")), "ms"),
    Row("5. Autosave p50, 20 clients at the browser's pace",
        lambda r: ms(dig(r, "web", "load", "paced", "autosave", "p50")), "ms"),
    Row("5. Autosave p95, 20 clients at the browser's pace",
        lambda r: ms(dig(r, "web", "load", "paced", "autosave", "p95")), "ms"),
    Row("5. Page p50, 20 clients, no pause", lambda r: ms(dig(r, "web", "load", "page", "p50")),
        "ms"),
    Row("5. Page p95, 20 clients, no pause", lambda r: ms(dig(r, "web", "load", "page", "p95")),
        "ms"),
    Row("5. Autosave p50, 20 clients, no pause",
        lambda r: ms(dig(r, "web", "load", "autosave", "p50")), "ms"),
    Row("5. Autosave p95, 20 clients, no pause",
        lambda r: ms(dig(r, "web", "load", "autosave", "p95")), "ms"),
    Row("5. Requests per second, no pause (2 workers)",
        lambda r: dig(r, "web", "load", "throughput"), grows=False),
)  # fmt: skip


def cell(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, int) and not unit:
        return f"{value:,}"
    if unit == "x":
        return f"{value:.2f}×"
    if unit in ("s",):
        return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"
    if unit in ("ms", "MB"):
        return f"{value:.0f} {unit}"
    return f"{value:,.1f}" if isinstance(value, float) and value != int(value) else f"{value:,.0f}"


def growth(first: Any, last: Any) -> str:
    if not isinstance(first, int | float) or not isinstance(last, int | float) or not first:
        return "–"
    return f"{last / first:.1f}"


def table(results: list[Result]) -> str:
    """Figures by scale, then how each grew from the first scale to the last."""
    scales = [f"{r['scale']}x" for r in results]
    compare = len(results) > 1
    head = ["", *scales] + ([f"{scales[0]}→{scales[-1]}"] if compare else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in ROWS:
        values = [row.get(r) for r in results]
        if all(v is None for v in values):
            continue
        cells = [row.label, *(cell(v, row.unit) for v in values)]
        if compare:
            cells.append(growth(values[0], values[-1]) if row.grows else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- targets -----------------------------------------------------------------------------


def verdict(value: float | None, limit: float, unit: str) -> str:
    if value is None:
        return "not measured"
    if value <= limit:
        return "met"
    return f"missed by {cell(value - limit, unit)} ({value / limit:.1f}× the target)"


def targets(results: list[Result]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for every target this run can judge."""
    rows: list[tuple[str, str, str]] = []
    for r in results:
        ratio = dig(r, "export", "csv_to_copy")
        if ratio is not None:
            rows.append((f"Wide CSV within 3× of COPY ({r['responses']:,} responses)",
                         cell(ratio, "x"), verdict(ratio, 3, "x")))  # fmt: skip
        rows += ratio_targets(r)
        if (r.get("responses") or 0) >= BIG_EXPORT_RESPONSES:
            rows += big_export_targets(r)
        if (r.get("answers") or 0) >= BIG_REPORT_ROWS:
            for key, what in (("data_seconds", "figures"), ("job_seconds", "whole job")):
                value = dig(r, "report", key)
                if value is not None:
                    rows.append((f"Report over {r['answers']:,} answer rows under 10 s ({what})",
                                 cell(value, "s"), verdict(value, 10, "s")))  # fmt: skip
        rows += summary_targets(r) + web_targets(r)
    queries = {dig(r, "report", "data_queries") for r in results} - {None}
    if len(results) > 1 and queries:
        same = "met" if len(queries) == 1 else "missed: the count changes with size"
        rows.append(("Report queries independent of size", ", ".join(map(str, queries)), same))
    return rows


def ratio_targets(r: Result) -> list[tuple[str, str, str]]:
    """The other formats against the wide CSV of the same run; the JSON's memory from 10x on
    (at 1x both are mostly the interpreter and Django)."""
    rows = []
    for key, what, limit in (("xlsx_to_csv", "XLSX", 4), ("json_to_csv", "JSON", 3)):
        ratio = dig(r, "export", key)
        if ratio is not None:
            rows.append((f"{what} within {limit}× of the wide CSV ({r['scale']}x)",
                         cell(ratio, "x"), verdict(ratio, limit, "x")))  # fmt: skip
    ratio = dig(r, "export", "json_rss_to_csv")
    if ratio is not None and r.get("scale", 1) >= JSON_MEMORY_FROM_SCALE:
        rows.append((f"JSON peak RSS within 1.3× of the CSV's ({r['scale']}x)", cell(ratio, "x"),
                     verdict(ratio, 1.3, "x")))  # fmt: skip
    return rows


def big_export_targets(r: Result) -> list[tuple[str, str, str]]:
    rows = []
    for fmt, name in (("csv", "Wide CSV"), ("xlsx", "XLSX"), ("json", "JSON")):
        seconds, rss = dig(r, "export", fmt, "seconds"), dig(r, "export", fmt, "rss_mb")
        if seconds is None:
            continue
        rows.append((f"{name} of {r['responses']:,} responses under 60 s", cell(seconds, "s"),
                     verdict(seconds, 60, "s")))  # fmt: skip
        rows.append((f"… {name} peak memory under 300 MB", cell(rss, "MB"),
                     verdict(rss, 300, "MB")))  # fmt: skip
    return rows


def summary_targets(r: Result) -> list[tuple[str, str, str]]:
    rows = []
    count = dig(r, "summaries", "count")
    if count:
        value = dig(r, "summaries", "markdown_seconds")
        rows.append((f"All {count} summaries in Markdown under 10 s ({r['scale']}x)",
                     cell(value, "s"), verdict(value, 10, "s")))  # fmt: skip
    if dig(r, "summaries", "pdf_max") is not None:
        value = dig(r, "summaries", "pdf_max")
        rows.append((f"One summary PDF under 2 s (slowest of {dig(r, 'summaries', 'pdf_count')})",
                     cell(value, "s"), verdict(value, 2, "s")))  # fmt: skip
    return rows


def web_targets(r: Result) -> list[tuple[str, str, str]]:
    rows = []
    for kind in ("page", "autosave"):
        count, limit = worst_queries(r, kind), QUERY_LIMITS[kind]
        if count is not None:
            rows.append((f"{kind.capitalize()}: at most {limit} queries ({r['scale']}x)",
                         str(count), verdict(count, limit, "")))  # fmt: skip
        for scenario, path in (("at the browser's pace", ("paced",)), ("no pause", ())):
            p95 = ms(dig(r, "web", "load", *path, kind, "p95"))
            if p95 is not None:
                rows.append((
                    f"{kind.capitalize()}: p95 under 150 ms, 20 clients {scenario} "
                    f"({r['scale']}x)", cell(p95, "ms"), verdict(p95, 150, "ms"),
                ))  # fmt: skip
    return rows


def targets_table(results: list[Result]) -> str:
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {v} |" for t, m, v in targets(results)]
    return "\n".join(lines)


# --- the whole report ----------------------------------------------------------------------


def errors(results: list[Result]) -> list[str]:
    found = []
    for r in results:
        for label, counts in (dig(r, "web", "queries") or {}).items():
            for kind in ("page", "autosave"):
                if counts.get(f"{kind}_status") != 200:
                    status = counts.get(f"{kind}_status")
                    found.append(
                        f"{r['scale']}x {kind} of the {label} questionnaire: HTTP {status}"
                    )
        for scenario in (dig(r, "web", "load"), dig(r, "web", "load", "paced")):
            if scenario and scenario.get("errors"):
                found.append(
                    f"{r['scale']}x load test: {scenario['errors']} failed requests, e.g. "
                    + "; ".join(scenario.get("first_errors") or [])
                )
        for part in ("report", "export", "summaries", "web"):
            value = r.get(part) or {}
            if value.get("error"):
                found.append(f"{r['scale']}x {part}: {value['error']}")
            for key, sub in value.items():
                if isinstance(sub, dict) and sub.get("error"):
                    found.append(f"{r['scale']}x {part} {key}: {sub['error']}")
    return found


def query_sizes(result: Result) -> str:
    """Query counts by size of questionnaire, at one scale."""
    found = dig(result, "web", "queries") or {}
    described = [
        f"{label} ({counts['mechanisms']} mechanism{'' if counts['mechanisms'] == 1 else 's'}): "
        f"page {counts['page']}, "
        f"autosave {counts['autosave']}"
        for label, counts in found.items()
    ]
    if not described:
        return ""
    return f"Queries by questionnaire size ({result['scale']}x): " + "; ".join(described) + "."


# --- the load test: by number of clients, and what the cores allow ---------------------------

TARGET_P95 = 0.150  # seconds, page and autosave, 20 clients


def per_request(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} ms"


def clients_table(result: Result) -> str:
    """Each no-pause run of the load test (1, 5, 10, 20 clients) at one scale."""
    runs = dig(result, "web", "load", "by_clients") or {}
    if not runs:
        return ""
    lines = [
        f"Load test with no pause ({result['scale']}x), by number of clients (CPU: gunicorn's "
        "workers and the benchmark database's PostgreSQL backends; the load clients; the whole "
        "machine, other work included):",
        "",
        "| clients | requests/s | page p50 | page p95 | autosave p50 | autosave p95 | "
        "cores busy: server / clients / machine | CPU per request: server / clients | "
        "clients ÷ requests/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for count, run in sorted(runs.items(), key=lambda item: int(item[0])):
        throughput = run.get("throughput")
        little = ms(int(count) / throughput) if throughput else None
        busy = " / ".join(
            cell(run.get(key), "") for key in
            ("server_cores_busy", "client_cores_busy", "cores_busy")
        )  # fmt: skip
        lines.append(
            f"| {count} | {cell(throughput, '')} | {cell(ms(dig(run, 'page', 'p50')), 'ms')} | "
            f"{cell(ms(dig(run, 'page', 'p95')), 'ms')} | "
            f"{cell(ms(dig(run, 'autosave', 'p50')), 'ms')} | "
            f"{cell(ms(dig(run, 'autosave', 'p95')), 'ms')} | {busy} | "
            f"{per_request(run.get('server_cpu_ms_per_request'))} / "
            f"{per_request(run.get('client_cpu_ms_per_request'))} | {cell(little, 'ms')} |"
        )
    return "\n".join(lines)


def capacity(result: Result) -> str:
    """The measured explanation of the 20-client latency: the service time of one request
    alone, the throughput the machine levels off at, the CPU each request costs, and Little's
    law (with no think time, mean latency = clients ÷ throughput)."""
    load = dig(result, "web", "load") or {}
    runs = load.get("by_clients") or {}
    clients, throughput = load.get("clients"), load.get("throughput")
    alone = [dig(load, "single", kind, "mean") for kind in ("page", "autosave")]
    if not runs or not clients or not throughput or None in alone:
        return ""
    cores = load.get("cores") or 2
    best = max(run.get("throughput") or 0 for run in runs.values())
    needed = clients / TARGET_P95
    text = (
        f"Capacity ({result['scale']}x): one request alone takes {ms(alone[0]):.0f} ms (page) "
        f"and {ms(alone[1]):.0f} ms (autosave) on average. With no pause, the throughput levels "
        f"off at {best:.0f} requests/s; with {clients} clients, by Little's law, each request "
        f"waits on average {clients} ÷ {throughput:.0f}/s = {ms(clients / throughput):.0f} ms "
        f"(measured: mean {ms(dig(load, 'both', 'mean') or 0):.0f} ms, p95 "
        f"{ms(dig(load, 'both', 'p95') or 0):.0f} ms). A p95 under {ms(TARGET_P95):.0f} ms "
        f"needs a mean below that, so at least {clients} ÷ {TARGET_P95} s = {needed:.0f} "
        f"requests/s: at most {cores * 1000 / needed:.0f} ms of CPU per request on {cores} cores"
    )
    server, own = load.get("server_cpu_ms_per_request"), load.get("client_cpu_ms_per_request")
    if server and own is not None:
        allowed = cores * 1000 / (server + own)
        text += (
            f". Each request took {server:.1f} ms of CPU in gunicorn and PostgreSQL and "
            f"{own:.1f} ms in the load clients, which run on the same cores: with nothing else "
            f"running, {cores} cores allow about {allowed:.0f} requests/s, a mean of "
            f"{ms(clients / allowed):.0f} ms for {clients} clients (the machine was "
            f"{load.get('cores_busy') or 0:.1f} of {cores} cores busy, "
            f"{load.get('server_cores_busy') or 0:.1f} of them serving this test)"
        )
    return text + "."


def render(meta: dict[str, Any], results: list[Result]) -> str:
    """The Markdown block: command, machine, the table, the targets, any error."""
    lines = [
        f"Command: `{meta['command']}`  ",
        f"Machine: {meta['cores']} cores, {meta['memory_gb']} GB RAM, {meta['postgresql']}, "
        f"Python {meta['python']}; {meta['date']}; load average {meta['load_average']}"
        + (
            f"; Python loop of 10 M additions {meta['python_loop']:.2f} s"
            if meta.get("python_loop")
            else ""
        )
        + ".  ",
        f"Round: {meta['round']}; load test: {meta['load']}.",
        "",
        table(results),
        "",
        targets_table(results),
    ]
    sizes = query_sizes(results[-1]) if results else ""
    if sizes:
        lines += ["", sizes]
    for result in results:
        for part in (clients_table(result), capacity(result)):
            if part:
                lines += ["", part]
    problems = errors(results)
    if problems:
        lines += ["", "Errors:", *(f"- {p}" for p in problems)]
    return "\n".join(lines) + "\n"


def write_docs(path: Path, meta: dict[str, Any], text: str) -> None:
    """Put `text` between this run's markers in `path` (appended the first time), leaving the
    rest of the document as written."""
    key = meta["key"]
    begin, end = BEGIN.format(key=key), END.format(key=key)
    block = f"{begin}\n{text}{end}"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin in current and end in current:
        before, rest = current.split(begin, 1)
        after = rest.split(end, 1)[1]
        updated = before + block + after
    else:
        updated = current.rstrip("\n") + ("\n\n" if current else "") + block + "\n"
    path.write_text(updated, encoding="utf-8")


def write_json(path: Path, meta: dict[str, Any], results: list[Result]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "results": results}, indent=1, default=str))
