"""``json.dumps(value)`` (and ``sort_keys=True``), byte for byte, and ``json.loads``, for hot loops.

``json.dumps`` with its default options checks its keywords, then builds a fresh C encoder for
every call; the bookkeeping of an export encodes several values per product (the sync record's
JSON columns, the digest's base fingerprints), so the encoder is built once here. The same C
encoder ``json.dumps`` uses, with the same options: ASCII escapes, ``", "`` and ``": "``,
``NaN``/``Infinity`` allowed, ``TypeError`` for what JSON cannot hold. Without the C
accelerator (another Python), ``json.dumps`` itself.

:func:`loads` reads with orjson (about twice as fast) what orjson reads as ``json.loads`` does;
what it refuses (``NaN``, lone surrogates, a byte order mark, nesting past 1,024 levels, anything
not JSON) goes to ``json.loads``, which takes it or raises its own error. One difference is left:
an integer beyond 64 bits (below -2**63 or from 2**64 on) comes back as a float. Neither
WooCommerce (PHP's integers are 64 bits) nor woosync's own columns write one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json import encoder as _encoder
from typing import Any

import orjson


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _maker(sort_keys: bool) -> Callable[[Any], str]:
    make = getattr(_encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has it
        return lambda value: json.dumps(value, sort_keys=sort_keys)
    # no markers: a value is never circular here (decoded JSON, or built from it)
    encode = make(
        None,
        _refuse,
        _encoder.encode_basestring_ascii,
        None,
        ": ",
        ", ",
        sort_keys,
        False,
        True,
    )

    def dumps(value: Any) -> str:
        if type(value) is str:
            return str(_encoder.encode_basestring_ascii(value))
        return "".join(encode(value, 0))

    return dumps


dumps = _maker(sort_keys=False)
dumps_sorted = _maker(sort_keys=True)


def loads(text: str | bytes) -> Any:
    """``json.loads(text)``."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
