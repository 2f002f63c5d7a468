"""Deployment and authentication hardening: each test fails if its setting is removed."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "iscm.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "", "ALLOWED_HOSTS": "x"}
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_pages_send_security_headers(client):
    response = client.get("/mechanisms/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_swagger_ui_runs_under_the_content_security_policy(client):
    """The split view serves its script as a file, so no inline script needs allowing."""
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page.replace(" ", "")


@pytest.mark.axes
@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account(client, settings):
    get_user_model().objects.create_user("focal", password="right-password-123")
    login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "focal", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    locked = client.post(
        login, {"username": "focal", "password": "right-password-123"}, REMOTE_ADDR="10.0.0.1"
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.axes
@pytest.mark.django_db
def test_a_correct_login_after_few_failures_works(client):
    get_user_model().objects.create_user("focal", password="right-password-123", is_staff=True)
    login = reverse("admin:login")
    client.post(login, {"username": "focal", "password": "wrong"}, REMOTE_ADDR="10.0.0.2")
    client.post(
        login, {"username": "focal", "password": "right-password-123"}, REMOTE_ADDR="10.0.0.2"
    )
    assert client.session.get("_auth_user_id")


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.django_db
def test_health_reports_database_and_broker(client):
    body = client.get("/health/").json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] in {"ok", "eager (no broker configured)"}


@pytest.mark.django_db
def test_health_fails_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


@pytest.mark.django_db
def test_a_malformed_session_cookie_is_ignored_not_a_server_error(client):
    client.cookies["sessionid"] = "abc\x00def123456789"
    assert client.get("/mechanisms/").status_code == 200
