"""The benchmark's table and verdicts, from figures given here (no measurement)."""

from __future__ import annotations

from django.conf import settings

from assessments.benchmark.measure import PACE_SECONDS
from assessments.benchmark.report import render

META = {
    "command": "python manage.py bench", "cores": 2, "memory_gb": 24,
    "postgresql": "PostgreSQL 15", "python": "3.11", "date": "2026-11-23",
    "load_average": "0.1 / 0.1 / 0.1", "round": "193 States", "load": "20 clients",
}  # fmt: skip


def latency(p50: float, p95: float) -> dict:
    return {"requests": 300, "p50": p50, "p95": p95, "max": p95}


def web_result(**paced_overrides) -> dict:
    paced = {"page": latency(0.02, 0.05), "autosave": latency(0.02, 0.06), "errors": 0}
    paced.update(paced_overrides)
    return {
        "scale": 1, "responses": 2265, "answers": 54856,
        "web": {
            "queries": {"largest": {"mechanisms": 10, "page": 6, "page_status": 200,
                                    "autosave": 13, "autosave_status": 200}},
            "load": {
                "page": latency(0.2, 0.3), "autosave": latency(0.2, 0.31), "throughput": 97.0,
                "errors": 0, "paced": paced,
                "single": {"page": latency(0.015, 0.02), "autosave": latency(0.013, 0.02)},
            },
        },
    }  # fmt: skip


def test_both_load_scenarios_get_a_row_and_a_verdict_each():
    text = render(META, [web_result()])
    assert "| 5. Page p95, 20 clients at the browser's pace | 50 ms |" in text
    assert "| 5. Page p95, 20 clients, no pause | 300 ms |" in text
    assert "| Page: p95 under 150 ms, 20 clients at the browser's pace (1x) | 50 ms | met |" in text
    assert "| Page: at most 15 queries (1x) | 6 | met |" in text
    assert "| Autosave: at most 8 queries (1x) | 13 | missed by 5 (1.6× the target) |" in text
    assert (
        "| Autosave: p95 under 150 ms, 20 clients no pause (1x) | 310 ms | "
        "missed by 160 ms (2.1× the target) |"
    ) in text


def saturated(clients: int, throughput: float, p95: float) -> dict:
    return {
        "clients": clients, "throughput": throughput, "page": latency(p95 / 2, p95),
        "autosave": latency(p95 / 2, p95), "cores_busy": 1.9, "server_cores_busy": 1.5,
        "client_cores_busy": 0.4, "server_cpu_ms_per_request": 15.0,
        "client_cpu_ms_per_request": 5.0,
    }  # fmt: skip


def test_the_load_by_clients_and_the_capacity_follow_from_the_measured_figures():
    result = web_result()
    load = result["web"]["load"]
    load["single"]["page"]["mean"], load["single"]["autosave"]["mean"] = 0.016, 0.014
    runs = {"1": saturated(1, 60.0, 0.02), "5": saturated(5, 95.0, 0.07),
            "20": saturated(20, 100.0, 0.3)}  # fmt: skip
    load.update(runs["20"], by_clients=runs, clients=20, cores=2)
    load["both"] = {"mean": 0.21, "p95": 0.3}
    text = render(META, [result])
    assert (
        "| 5 | 95 | 35 ms | 70 ms | 35 ms | 70 ms | 1.5 / 0.4 / 1.9 | 15.0 ms / 5.0 ms | 53 ms |"
    ) in text
    assert "| 20 | 100 | 150 ms | 300 ms |" in text
    assert "one request alone takes 16 ms (page) and 14 ms (autosave)" in text
    assert "levels off at 100 requests/s" in text
    assert "20 ÷ 100/s = 200 ms (measured: mean 210 ms, p95 300 ms)" in text
    # 20 clients within 150 ms: 133 requests/s, 15 ms of CPU each on 2 cores; 20 ms measured
    assert "at least 20 ÷ 0.15 s = 133 requests/s: at most 15 ms of CPU per request" in text
    assert "15.0 ms of CPU in gunicorn and PostgreSQL and 5.0 ms in the load clients" in text
    assert "2 cores allow about 100 requests/s, a mean of 200 ms for 20 clients" in text


def test_failed_requests_of_the_load_test_are_listed_as_errors():
    text = render(META, [web_result(errors=3, first_errors=["page 500", "autosave 403"])])
    assert "Errors:" in text
    assert "1x load test: 3 failed requests, e.g. page 500; autosave 403" in text


def test_the_paced_load_test_waits_as_long_as_the_page_script_before_autosaving():
    script = (settings.BASE_DIR / "static" / "js" / "questionnaire.js").read_text()
    assert f"var DEBOUNCE_MS = {round(PACE_SECONDS * 1000)};" in script


def export_result(scale: int, xlsx_seconds: float, json_rss: float) -> dict:
    return {
        "scale": scale, "responses": 13245, "answers": 295887,
        "export": {
            "csv": {"seconds": 1.0, "rss_mb": 80.0},
            "xlsx": {"seconds": xlsx_seconds, "rss_mb": 90.0},
            "json": {"seconds": 2.5, "rss_mb": json_rss},
            "xlsx_to_csv": xlsx_seconds, "json_to_csv": 2.5, "json_rss_to_csv": json_rss / 80,
        },
    }  # fmt: skip


def test_each_format_is_judged_against_the_csv_of_the_same_run():
    text = render(META, [export_result(1, 3.5, 120.0), export_result(10, 4.4, 96.0)])
    assert "| 3. XLSX export / CSV | 3.50× | 4.40× | 1.3 |" in text
    assert "| XLSX within 4× of the wide CSV (1x) | 3.50× | met |" in text
    assert (
        "| XLSX within 4× of the wide CSV (10x) | 4.40× | missed by 0.40× (1.1× the target) |"
        in (text)
    )
    assert "| JSON within 3× of the wide CSV (10x) | 2.50× | met |" in text
    # the JSON's memory is judged from 10x on: at 1x both are mostly Python and Django
    assert "JSON peak RSS within 1.3× of the CSV's (1x)" not in text
    assert "| JSON peak RSS within 1.3× of the CSV's (10x) | 1.20× | met |" in text
