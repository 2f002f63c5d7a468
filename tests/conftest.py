"""Fixtures shared by the whole suite; build data with tests/factories.py instead of here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from mechanisms.services import LoadReport, load_reference_data


@pytest.fixture(autouse=True)
def isolated_media(settings, tmp_path: Path) -> Path:
    """Uploaded and generated files go to a per-test folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_throttles() -> None:
    """The API and download throttles count in the cache: each test starts with none used."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """PBKDF2's million rounds cost ~0.3 s per user created or logged in; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def login_throttling_only_where_tested(request, settings) -> None:
    """django-axes needs the request in authenticate(), which the test client's login() does not
    pass; tests of the throttling itself opt back in with @pytest.mark.axes."""
    settings.AXES_ENABLED = request.node.get_closest_marker("axes") is not None


@pytest.fixture
def reference_data(db, settings) -> LoadReport:
    """The registry loaded from mechanisms/reference/*.yaml, fresh for this test (about 1 s)."""
    return load_reference_data(settings.REFERENCE_DATA_DIR)


@pytest.fixture(scope="module")
def reference_registry(django_db_setup, django_db_blocker) -> Iterator[LoadReport]:
    """The same registry, loaded once per test module, for modules with many tests reading it.

    The load runs in a transaction that is rolled back after the module's last test. Each
    `django_db` test runs in its own savepoint inside it, so what a test writes is still undone
    after that test. Not for `transactional_db` tests, which would commit past it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_reference_data(django_settings.REFERENCE_DATA_DIR)
        transaction.set_rollback(True)
