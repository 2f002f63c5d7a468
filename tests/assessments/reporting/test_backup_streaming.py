"""The JSON export's streamed parts write what json.dumps would write of the whole document."""

from __future__ import annotations

import json

import pytest

from assessments.reporting.backup import MEMBERSHIPS, indent_of, streamed_list

ITEMS = [
    {"b": [1, {"x": "é"}], "a": None}, {"role": "member", "dates": []}, {},
    # flat items, written without json's Python encoder: the same text
    {"role": "member", "participant": 'state:"FR"\n\\', "end_date": None, "a": "\x00é🙂\u2028"},
    {"z": "", "y": None}, {"n": 1}, {"t": True},
]  # fmt: skip


@pytest.mark.parametrize("items", [ITEMS, [], [{"only": "one"}]])
def test_a_streamed_list_is_written_as_json_dumps_writes_it_in_place(items):
    document = {"z": 1, "registry": {"a": [], "memberships": items, "o": {"k": "v"}}}
    whole = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    marked = json.dumps(
        {**document, "registry": {**document["registry"], "memberships": MEMBERSHIPS}},
        ensure_ascii=False, indent=1, sort_keys=True,
    )  # fmt: skip
    before, after = marked.split(json.dumps(MEMBERSHIPS), 1)
    streamed = before + "".join(streamed_list(iter(items), level=indent_of(before))) + after
    assert streamed == whole
