"""Database sessions that refuse malformed session keys.

A cookie holding characters PostgreSQL cannot store (a NUL byte) would otherwise reach the
session query and fail with a server error on every page.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return super()._validate_session_key(key) and key.isalnum()
