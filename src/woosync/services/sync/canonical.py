"""Values in comparable form: what both sides of a sync are fingerprinted as.

The store answers names HTML-escaped (``&amp;``), keeps prices as the string it was sent
(``"10.00"`` vs ``"10"``) and may reorder term names: :func:`canonical` removes all of that, on
the catalog's values and the store's alike, before :func:`fingerprint` digests them.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

# the kinds of target (``targets.IMAGES``, ``targets.META``) whose list values keep their order:
# the first image is the featured one, a meta value's items are as sent; other lists are names
ORDERED_KINDS = frozenset({"images", "meta"})
CASELESS_KINDS = frozenset({"links"})  # ``targets.LINKS``: upsells and cross-sells, by SKU
DOWNLOAD_KIND = "downloads"  # ``targets.DOWNLOADS``: [{id, name, file}], in their order
_DOWNLOAD_PARTS = ("id", "name", "file")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_NUMBER_START = frozenset("+-.0123456789")
# a number already in the spelling canonical_text gives it (Decimal's normalized form): "11.01",
# "-3", "100", "0.5"; taken as it is only when shorter than the 28 digits Decimal rounds to
_CANONICAL_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")


def text(value: Any) -> str:
    """A value as WooCommerce wants it in a string field: numbers as strings, no float noise."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f") if value == value else ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def canonical_text(value: str) -> str:
    """Unescaped, trimmed, and numbers in one spelling (``10.00`` == ``10`` == ``10.0``)."""
    cleaned = (html.unescape(value) if "&" in value else value).strip()
    if cleaned and cleaned[0] in _NUMBER_START and _NUMBER.match(cleaned):
        if len(cleaned) < 28 and _CANONICAL_NUMBER.fullmatch(cleaned):
            return cleaned  # the common price: no Decimal made
        try:
            number = Decimal(cleaned).normalize()
        except InvalidOperation:
            return cleaned
        return format(number, "f")
    return cleaned


def canonical(target_kind: str, value: Any) -> Any:
    """The comparable form of a value of one kind of target (both for local and store values)."""
    if value is None:
        return None
    if isinstance(value, str):
        return canonical_text(value)
    if isinstance(value, Mapping):
        return {k: canonical_text(text(v)) for k, v in sorted(value.items()) if text(v)}
    if target_kind == DOWNLOAD_KIND and isinstance(value, (list, tuple)):
        return [
            [canonical_text(text(item.get(part) or "")) for part in _DOWNLOAD_PARTS]
            for item in value
            if isinstance(item, Mapping)
        ]
    if isinstance(value, (list, tuple)):
        items = [canonical_text(text(item)) for item in value]
        if target_kind in CASELESS_KINDS:  # SKUs: WooCommerce compares them without case
            items = [item.casefold() for item in items]
        # Images keep their order (the first one is the featured image), as do a meta value's
        # items; names are a set.
        return items if target_kind in ORDERED_KINDS else sorted(set(items))
    return value


def fingerprint(kind: str, value: Any) -> str:
    """A short, stable digest of a value's comparable form."""
    form = canonical_text(value) if type(value) is str else canonical(kind, value)
    if type(form) is str:  # the common cases without the JSON encoder
        encoded = "s:" + form
    elif type(form) is list and all(type(item) is str for item in form):
        encoded = "l:" + "\x1f".join(form)
    else:
        encoded = json.dumps(form, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha1(encoded.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def names_of(value: Any) -> list[str]:
    """A list of names from a list, a comma-free scalar or a ``|``-separated string."""
    if value is None:
        return []
    if type(value) is list:  # the common case: plain text only, stripped in one pass
        names = [item.strip() for item in value if type(item) is str]
        if len(names) == len(value):
            return names if all(names) else [name for name in names if name]
    items: Iterable[Any]
    if isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, str):
        items = value.split("|")
    else:
        items = [value]
    return [name for name in (text(item) for item in items if item is not None) if name]
