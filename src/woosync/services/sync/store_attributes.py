"""A store product's attribute list, as a write needs it: entries reduced to what WooCommerce
takes back, and the same attribute of the other kind (local ``Size``, global ``pa_size``) found
so that a write never holds both."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from woosync.services.sync.canonical import names_of


def twin_attribute(attributes: Sequence[Mapping[str, Any]], name: str, global_: bool) -> int | None:
    """The index of the entry that is the attribute ``name`` of the other kind (local, when it is
    sent as a global one, ``global_``; else global): what a mapping turning ``Size`` into
    ``pa_size`` (or back) replaces instead of adding a second "Size" beside it."""
    for index, entry in enumerate(attributes):
        if bool(int(entry.get("id") or 0)) != global_ and same_name(
            str(entry.get("name") or ""), name
        ):
            return index
    return None


def same_name(a: str, b: str) -> bool:
    if a == b:
        return True
    return html.unescape(a).strip().casefold() == html.unescape(b).strip().casefold()


def normalize_store_attributes(
    attributes: Iterable[Mapping[str, Any]] | None,
) -> list[dict[str, Any]]:
    """A product's attributes as the store answered them, reduced to what a write needs."""
    result: list[dict[str, Any]] = []
    for entry in attributes or []:
        item: dict[str, Any] = {
            "id": int(entry.get("id") or 0),
            "name": html.unescape(str(entry.get("name") or "")),
            "position": int(entry.get("position") or 0),
            "visible": bool(entry.get("visible", True)),
            "variation": bool(entry.get("variation", False)),
            "options": [html.unescape(o) for o in names_of(entry.get("options"))],
        }
        if entry.get("slug"):
            item["slug"] = str(entry["slug"])
        result.append(item)
    return result
