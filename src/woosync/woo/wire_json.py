"""JSON on the wire: request bodies and the store's answers, with orjson where it agrees with the
standard library, and the standard library where it does not.

A first export of 10,000 products decodes some 35 MB of batch answers and encodes 100 batch bodies;
the standard library spent about 16 us per product decoding and 4 encoding, orjson 7 and 0.3 (the
sending threads' largest cost). The results are the standard library's:

- :func:`loads` is ``json.loads`` (``core.jsontext.loads``: what orjson refuses goes to
  ``json.loads``; an integer beyond 64 bits, which PHP cannot write, reads as a float).
- :func:`dumps` is httpx's own encoding of ``json=``: ``json.dumps(value, ensure_ascii=False,
  separators=(",", ":"), allow_nan=False)`` in UTF-8. orjson writes the same bytes for the
  values a request body holds (text, integers, booleans, lists, objects with text keys); a body
  it cannot encode, or one with a ``null`` in it (orjson writes ``NaN`` as ``null`` where
  httpx refuses it), is encoded by the standard library.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from woosync.core.jsontext import loads as loads


def dumps(value: Any) -> bytes:
    """``value`` as httpx encodes a ``json=`` body."""
    try:
        body = orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError: a type or key it does not take
        return _standard(value)
    return _standard(value) if b"null" in body else body


def _standard(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


_JSON_TYPE = {"Content-Type": "application/json"}


def request_body(value: Any) -> dict[str, Any]:
    """httpx's keywords for a request with ``value`` as its JSON body (none for ``None``): the
    bytes and the Content-Type httpx's own ``json=`` gives it."""
    if value is None:
        return {}
    return {"content": dumps(value), "headers": _JSON_TYPE}
