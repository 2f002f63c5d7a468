"""Management commands: load_reference_data and ensure_demo_admin."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from mechanisms.models import Mechanism, Membership, Organization, Vocabulary

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- load_reference_data ---


def test_load_reference_data_says_loaded_then_no_change():
    first = run("load_reference_data")
    assert "Reference data loaded." in first
    assert "mechanisms: 41 created" in first
    assert Mechanism.objects.count() == 41

    second = run("load_reference_data")
    assert "no change" in second
    assert "loaded." not in second
    assert "mechanisms: 0 created, 0 updated, 0 deleted, 41 unchanged" in second


def test_load_reference_data_with_a_bad_dir_raises_a_readable_command_error(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(CommandError) as caught:
        run("load_reference_data", "--dir", str(missing))
    message = str(caught.value)
    assert message.startswith("Reference data not loaded, nothing was changed:")
    assert str(missing / "vocabularies.yaml") in message
    assert "file not found" in message
    assert not Vocabulary.objects.exists()
    assert not Organization.objects.exists()
    assert not Membership.objects.exists()


# --- ensure_demo_admin ---


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    return settings


def printed_password(output: str) -> str:
    match = re.search(r"username 'admin', password '([^']+)'", output)
    assert match, output
    return match.group(1)


def test_ensure_demo_admin_creates_a_superuser_and_prints_its_credentials(demo_settings):
    output = run("ensure_demo_admin")
    password = printed_password(output)
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    assert user.check_password(password)
    assert (demo_settings.VAR_DIR / "demo-admin.txt").read_text() == f"admin\n{password}\n"


def test_ensure_demo_admin_second_run_prints_the_same_working_password(demo_settings):
    first = printed_password(run("ensure_demo_admin"))
    second = printed_password(run("ensure_demo_admin"))
    assert second == first
    assert get_user_model().objects.filter(username="admin").count() == 1
    user = authenticate(username="admin", password=second)
    assert user is not None and user.is_superuser


def test_ensure_demo_admin_refuses_when_debug_is_off(settings, tmp_path):
    settings.DEBUG = False
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="DEBUG"):
        run("ensure_demo_admin")
    assert not get_user_model().objects.exists()
    assert not (tmp_path / "demo-admin.txt").exists()
