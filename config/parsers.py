"""The API's JSON parser, held to the limits of `mechanisms.text.load_json`.

DRF's own parser hands a body nested 50,000 deep to `json.load`, whose RecursionError is a 500,
and lets a lone surrogate (`"\\ud800"`) through to the database, which cannot encode it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from mechanisms.text import JsonLimitError, load_json


class LimitedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.API_JSON_MAX_BYTES
        # One byte past the limit is enough to know the body is too large.
        raw = stream.read(limit + 1) if stream is not None else b""
        try:
            return load_json(
                raw,
                max_bytes=limit,
                max_depth=settings.API_JSON_MAX_DEPTH,
                max_items=settings.API_JSON_MAX_ITEMS,
            )
        except JsonLimitError as exc:
            raise ParseError(str(exc)) from None
