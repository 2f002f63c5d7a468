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
