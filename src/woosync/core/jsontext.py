"""``json.dumps(value)`` (and ``sort_keys=True``), byte for byte, for hot loops.

``json.dumps`` with its default options checks its keywords, then builds a fresh C encoder for
every call; the bookkeeping of an export encodes several values per product (the sync record's
JSON columns, the digest's base fingerprints), so the encoder is built once here. The same C
encoder ``json.dumps`` uses, with the same options: ASCII escapes, ``", "`` and ``": "``,
``NaN``/``Infinity`` allowed, ``TypeError`` for what JSON cannot hold. Without the C
accelerator (another Python), ``json.dumps`` itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json import encoder as _encoder
from typing import Any


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
