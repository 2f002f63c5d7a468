"""The embedded default, as a new user meets it after `make run`: SQLite, Kombu's file-system
broker, and `Procfile.dev` run by honcho (runserver, a real Celery worker and beat), all in
processes of their own that share nothing but a `VAR_DIR`. A browser (Playwright driving
Debian's Chromium) signs in as the demo admin, starts "Generate" on the demo round's summaries
page and watches the job page: below 100 % first (the work runs in the worker, not in the
request), then 100 % with the summaries listed.

The set-up is `make setup`'s own commands; only `VAR_DIR` (and the port) differ, so the test
never touches a developer's `var/`. Without Chromium the test is skipped locally and fails in
CI (CI=true), where no test may skip.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser import chromium, require_chromium

BIN = Path(sys.executable).parent
SETUP_COMMANDS = [
    ["migrate", "--noinput", "-v", "0"],
    ["load_reference_data"],
    ["load_questionnaires"],
    ["load_demo"],
    ["ensure_demo_admin"],
]
ROUND = "iscm-assessment-2019"
TIMEOUT_MS = 30_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_environment(var_dir: Path, port: int) -> dict[str, str]:
    """What `make run` gives its processes: no database, broker or storage of the machine's."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "CELERY_", "S3_", "MEDIA_ROOT", "DJANGO_"))
    }
    return {
        **inherited,
        "VAR_DIR": str(var_dir),
        "DEBUG": "true",
        "SECRET_KEY": "default-setup-test",
        "HOST": f"127.0.0.1:{port}",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "CELERY_BROKER_URL": "filesystem://localhost/",
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
    }


def wait_for_http(url: str, stack: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            pytest.fail(f"honcho exited ({stack.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                pass
        except OSError:
            time.sleep(0.5)
            continue
        if "ready." in log.read_text(errors="replace"):  # the worker too
            return
        time.sleep(0.5)
    pytest.fail(f"the default stack did not come up:\n{log.read_text()[-4000:]}")


@pytest.fixture
def default_site(tmp_path) -> Iterator[tuple[str, str, str, Path]]:
    """`make setup`'s commands, then `honcho start -f Procfile.dev`; stopped as by Ctrl-C."""
    require_chromium()
    var_dir, port = tmp_path / "var", free_port()
    (var_dir / "static").mkdir(parents=True)
    env = default_environment(var_dir, port)
    outputs = []
    for command in SETUP_COMMANDS:
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=settings.BASE_DIR, env=env,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, f"{command}: {done.stderr[-3000:]}"
        outputs.append(done.stdout + done.stderr)
    sign_in = outputs[-1]
    assert f"http://127.0.0.1:{port}/admin/" in sign_in, sign_in  # links follow HOST
    username, password = (var_dir / "demo-admin.txt").read_text().split()

    log = tmp_path / "honcho.log"
    with log.open("wb") as output:
        stack = subprocess.Popen(
            [str(BIN / "honcho"), "start", "-f", "Procfile.dev"], cwd=settings.BASE_DIR,
            env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/health/", stack, log)
        yield url, username, password, log
    finally:
        os.killpg(stack.pid, signal.SIGINT)  # what Ctrl-C sends: honcho stops every process
        try:
            stack.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()


def test_make_run_generates_summaries_in_the_worker_and_the_job_page_shows_progress(
    default_site, monkeypatch
):
    from playwright.sync_api import expect

    url, username, password, log = default_site
    with chromium(monkeypatch) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{url}/admin/login/?next=/rounds/{ROUND}/summaries/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Summaries of findings")

        for other_language in page.locator("input[name=languages]:not([value=en])").all():
            other_language.uncheck()  # English only: a third of the work, same path
        started = time.monotonic()
        page.get_by_role("button", name="Generate").click()
        expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
        answered_in = time.monotonic() - started
        bar = page.locator("progress")
        first = int(bar.get_attribute("value"))
        assert first < 100, "the job was done in the request: no worker ran it"
        assert answered_in < 5, f"starting the job took {answered_in:.1f} s"

        # The bar moves while the worker writes, then stops at 100 % with the summaries.
        expect(bar).to_have_attribute("value", "100", timeout=240_000)
        expect(page.locator("[data-job-label]")).to_contain_text("Succeeded")
        written = page.locator("[data-job-files] a")
        expect(written.first).to_be_visible()
        names = written.all_inner_texts()
        assert any(re.fullmatch(r"[A-Z0-9-]+, English", name) for name in names), names

        written.first.click()  # the summary itself, section 1 first
        expect(page.locator("h2").first).to_have_text(re.compile(r"^1\. "))
    assert "generate_summary_task" in log.read_text(errors="replace")  # the worker did the work
