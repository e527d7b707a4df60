"""Categories, tags, brands and attributes on a product: request entries resolved to term ids.

Unknown category ids are dropped (an empty list falls back to Uncategorized), and so are unknown
brand ids and brands given by name (WooCommerce 11 takes a brand by id only); tags given by name
are found or created; a global attribute's options become its terms, created on first use, while a
local attribute (a name, no id) keeps its options as plain strings.
"""

from __future__ import annotations

from typing import Any

from woosync.sandbox.http import invalid_params, is_true
from woosync.sandbox.products.coerce import clean, to_int, to_str
from woosync.sandbox.state import BRAND, CATEGORY, TAG, State, attribute_taxonomy
from woosync.sandbox.text import sanitize_title, term_name


def resolve_categories(state: State, entries: list[Any]) -> list[int]:
    ids = []
    for entry in entries:
        term_id = to_int(entry.get("id")) if isinstance(entry, dict) else 0
        if term_id in state.taxonomies[CATEGORY] and term_id not in ids:
            ids.append(term_id)
    return ids or [state.default_category_id]


def check_brands(entries: Any) -> None:
    """WooCommerce 11 refuses a brand that is not an object (``[7]`` for ``[{"id": 7}]``)."""
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            message = f"brands[{index}] is not of type object."
            raise invalid_params(
                {"brands": (message, "rest_invalid_type", {"param": f"brands[{index}]"})}
            )


def resolve_brands(state: State, entries: list[Any]) -> list[int]:
    ids = []
    for entry in entries:
        term_id = to_int(entry.get("id")) if isinstance(entry, dict) else 0
        if term_id in state.taxonomies[BRAND] and term_id not in ids:
            ids.append(term_id)
    return ids


def resolve_tags(state: State, entries: list[Any]) -> list[int]:
    ids = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        term_id = to_int(entry.get("id"))
        if not term_id and entry.get("name"):
            name = term_name(to_str(entry["name"]))
            term = state.find_term(TAG, name=name)
            if term is None and name:
                term = state.add_term(
                    TAG, name, state.unique_term_slug(TAG, sanitize_title(name) or "tag")
                )
            term_id = term["id"] if term else 0
        if term_id in state.taxonomies[TAG] and term_id not in ids:
            ids.append(term_id)
    return ids


def _options(raw: Any) -> list[str]:
    values = raw.split("|") if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [to_str(v).strip() for v in values if to_str(v).strip()]


def resolve_attributes(state: State, entries: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        attribute_id = to_int(entry.get("id"))
        common = {
            "position": abs(to_int(entry.get("position"))),
            "visible": is_true(entry.get("visible", False)),
            "variation": is_true(entry.get("variation", False)),
        }
        if attribute_id:
            options = _options(entry.get("options"))
            if attribute_id not in state.attributes or not options:
                continue
            taxonomy = attribute_taxonomy(attribute_id)
            term_ids: list[int] = []
            for option in options:
                name = term_name(option)
                term = state.find_term(taxonomy, name=name) or state.find_term(
                    taxonomy, slug=sanitize_title(option)
                )
                if term is None:
                    slug = state.unique_term_slug(taxonomy, sanitize_title(name) or "term")
                    term = state.add_term(taxonomy, name, slug)
                if term["id"] not in term_ids:
                    term_ids.append(term["id"])
            out.append({"id": attribute_id, **common, "term_ids": term_ids})
        elif entry.get("name") and "options" in entry:
            out.append(
                {
                    "id": 0,
                    "name": clean(entry["name"]),
                    **common,
                    "options": _options(entry["options"]),
                }
            )
    out.sort(key=lambda a: a["position"])
    return out
