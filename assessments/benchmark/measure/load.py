"""The load test: gunicorn (2 workers) on a free port of 127.0.0.1 and 20 client threads
(http.client), each signed in through its own State's invitation link and saving its own
response, so that versions never collide."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from assessments.responses.models import Response

from .common import HOST, error_text, percentile
from .respondents import Respondent

LOAD_CLIENTS = 20
LOAD_WORKERS = 2
# Clients with no pause, one run each, up to LOAD_CLIENTS: where the throughput levels off and
# how the latency grows with the queue (Little's law: latency ≈ clients ÷ requests per second).
SATURATION_CLIENTS = (1, 5, 10, 20)
LOAD_ROUNDS = 15  # page views and autosaves per client
LOAD_SECONDS = 120.0  # the load test stops earlier if each scenario takes longer
# The browser's pace: static/js/questionnaire.js sends an autosave 600 ms after the last change
# (DEBOUNCE_MS) and never two at once, so 0.6 s between one reply and the next request is the
# most a respondent's page asks of the server; the no-pause scenario measures saturation.
PACE_SECONDS = 0.6
START_SECONDS = 30.0  # for gunicorn to answer /health/


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(folder: Path) -> Iterator[tuple[int, int]]:
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
            yield port, process.pid
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
    a reply and the next request), then 1, 5, 10 and 20 clients with no pause (each waits
    only for its reply): each views its page then autosaves it, LOAD_ROUNDS times."""
    with gunicorn(folder) as (port, master):
        sessions = [Session(r, port) for r in respondents]
        for session in sessions:
            session.sign_in()
        alone = sessions[0]  # first one client alone: the service time, without queueing
        alone.view(), alone.save()
        single_pages = [alone.view() for _round in range(LOAD_ROUNDS)]
        single_saves = [alone.save() for _round in range(LOAD_ROUNDS)]
        paced = concurrent_clients(sessions, pause=PACE_SECONDS, server=master)
        by_clients = {}
        for count in [n for n in SATURATION_CLIENTS if n < len(sessions)] + [len(sessions)]:
            for session in sessions:
                session.page_times, session.save_times = [], []
            by_clients[str(count)] = concurrent_clients(sessions[:count], pause=0.0, server=master)
    return {
        "clients": len(sessions),
        "workers": LOAD_WORKERS,
        **by_clients[str(len(sessions))],
        "paced": {**paced, "pause": PACE_SECONDS},
        "single": {"page": latency(single_pages), "autosave": latency(single_saves)},
        "by_clients": by_clients,
        "cores": os.cpu_count(),
    }


def cpu_busy_seconds() -> float | None:
    """CPU time the whole machine has spent busy since it started (all cores, every process:
    gunicorn, PostgreSQL, these clients and any other work), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(f) for f in fields[:8]]  # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def process_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state, ppid, ...)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def server_cpu(master: int) -> dict[int, float]:
    """CPU seconds used so far by each process serving the load test: gunicorn's workers and
    the PostgreSQL backends connected to the benchmark's database (no one else's work)."""
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    workers = [pid for pid in pids if (stat := process_stat(pid)) and stat[1] == str(master)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    used = {}
    for pid in (*workers, *backends):
        stat = process_stat(pid)
        if stat:  # utime and stime, in clock ticks
            used[pid] = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return used


@dataclass
class Clock:
    """Wall and CPU time from the moment every client is ready (the barrier's action): the
    whole machine's, the server's own processes' (`server_cpu`), and the client threads'."""

    master: int
    wall: float = 0.0
    machine: float | None = None
    server: dict[int, float] = field(default_factory=dict)
    clients: float = 0.0

    def start(self) -> None:
        self.server = server_cpu(self.master)
        self.wall, self.machine, self.clients = (
            time.perf_counter(), cpu_busy_seconds(), time.process_time()
        )  # fmt: skip

    def figures(self, requests: int) -> dict[str, Any]:
        seconds = time.perf_counter() - self.wall
        machine, clients = cpu_busy_seconds(), time.process_time() - self.clients
        busy = None if machine is None or self.machine is None else machine - self.machine
        server = sum(t - self.server.get(pid, 0.0) for pid, t in server_cpu(self.master).items())
        return {
            "seconds": seconds,
            "throughput": requests / seconds if seconds else None,
            "cores_busy": busy / seconds if busy is not None and seconds else None,
            "server_cores_busy": server / seconds if seconds else None,
            "client_cores_busy": clients / seconds if seconds else None,
            "cpu_ms_per_request": 1000 * busy / requests if busy is not None and requests else None,
            "server_cpu_ms_per_request": 1000 * server / requests if requests else None,
            "client_cpu_ms_per_request": 1000 * clients / requests if requests else None,
        }


def concurrent_clients(sessions: list[Session], *, pause: float, server: int) -> dict[str, Any]:
    clock = Clock(server)
    start = threading.Barrier(len(sessions), action=clock.start)  # after every warm-up
    deadline = time.monotonic() + LOAD_SECONDS
    with ThreadPoolExecutor(len(sessions)) as pool:
        # Paced clients start spread over one pause, as people arriving one by one would, not
        # in a burst that the barrier would otherwise repeat at every step.
        runs = [
            pool.submit(s.run, LOAD_ROUNDS, deadline, start, pause, pause * i / len(sessions))
            for i, s in enumerate(sessions)
        ]
        for future in runs:
            future.result()
    pages = [t for s in sessions for t in s.page_times]
    saves = [t for s in sessions for t in s.save_times]
    errors = [e for s in sessions for e in s.errors]
    return {
        "clients": len(sessions),
        **clock.figures(len(pages) + len(saves)),
        "page": latency(pages),
        "autosave": latency(saves),
        "both": latency(pages + saves),
        "errors": len(errors),
        "first_errors": errors[:5],
    }


def latency(times: list[float]) -> dict[str, Any]:
    return {
        "requests": len(times),
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "mean": sum(times) / len(times) if times else None,
        "max": max(times) if times else None,
    }
