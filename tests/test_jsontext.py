"""core.jsontext: json.dumps's text, byte for byte (the sync records and the export's digest are
compared with what the ORM and json.dumps wrote before)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from woosync.core.jsontext import dumps, dumps_sorted

VALUES: list[Any] = [
    {},
    [],
    "plain",
    'quote " and \\ and \u2028 and ä and 😀',
    {"b": 1, "a": [1.5, 2.0, 1e-7, 10**20, -0.0, True, False, None]},
    {3: "int key", 2.5: "float key", False: "bool key"},
    [{"id": 0, "name": "Größe & Farbe", "options": ["Rot", "Blau"], "visible": True}],
    {"nested": {"z": {"y": ["x", {"w": "v"}]}}, "a": float("inf"), "n": -float("inf")},
]


@pytest.mark.parametrize("value", VALUES)
def test_the_text_is_json_dumps_text(value: Any) -> None:
    assert dumps(value) == json.dumps(value)
    assert dumps_sorted(value) == json.dumps(value, sort_keys=True)


def test_nan_and_what_json_cannot_hold() -> None:
    assert dumps([math.nan]) == json.dumps([math.nan]) == "[NaN]"
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        dumps({"a": {1, 2}})
    assert dumps({"a": 1}) == '{"a": 1}'  # an encoder used after an error still works
    assert dumps({None: 1, 2: 3}) == json.dumps({None: 1, 2: 3}) == '{"null": 1, "2": 3}'
