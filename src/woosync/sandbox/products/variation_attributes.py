"""A variation's options: how they are stored, shown, named and put in its permalink.

A variation stores one value per variation attribute of its parent: the term slug for a global
attribute (``{"id": 1, "value": "s"}``) and the text as sent for a local one (``{"id": 0, "key":
"color", "value": "Red"}``). Only attributes the parent has with ``variation: true`` are kept; an
option the parent does not list is kept too, as WooCommerce does (a global one as a lower-case
slug, shown as such since no term has it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from woosync.sandbox.products.coerce import clean, to_int, to_str
from woosync.sandbox.state import State, attribute_taxonomy
from woosync.sandbox.text import sanitize_title, term_name


def _parent_attribute(parent: dict[str, Any], attribute_id: int, key: str) -> dict[str, Any] | None:
    attributes: list[dict[str, Any]] = parent["attributes"]
    for attribute in attributes:
        if attribute_id and attribute["id"] == attribute_id:
            return attribute
        if not attribute_id and not attribute["id"] and sanitize_title(attribute["name"]) == key:
            return attribute
    return None


def resolve_options(
    state: State, parent: dict[str, Any], entries: list[Any]
) -> list[dict[str, Any]]:
    """Request ``attributes`` (``[{id, option}]`` or ``[{name, option}]``) as stored values."""
    values: dict[tuple[int, str], dict[str, Any]] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        attribute_id = to_int(entry.get("id"))
        key = "" if attribute_id else sanitize_title(to_str(entry.get("name")))
        if not attribute_id and not key:
            continue
        attribute = _parent_attribute(parent, attribute_id, key)
        if attribute is None or not attribute["variation"]:
            continue  # dropped silently, as WooCommerce does
        option = clean(entry.get("option"))
        if attribute_id:
            term = state.find_term(attribute_taxonomy(attribute_id), name=term_name(option))
            values[(attribute_id, "")] = {
                "id": attribute_id,
                "value": term["slug"] if term else sanitize_title(option),
            }
        else:
            values[(0, key)] = {"id": 0, "key": key, "value": option}
    return list(values.values())


def shown_options(state: State, record: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{id, name, slug, option}]`` in the parent's attribute order (options left "any" omitted)."""
    parent = state.products.get(record["parent_id"])
    if parent is None:
        return []
    stored = {(v["id"], v.get("key", "")): v["value"] for v in record["variation_attributes"]}
    out = []
    for attribute in parent["attributes"]:
        if not attribute["variation"]:
            continue
        if attribute["id"]:
            value = stored.get((attribute["id"], ""), "")
            global_attribute = state.attributes.get(attribute["id"])
            if not value or global_attribute is None:
                continue
            term = state.find_term(attribute_taxonomy(attribute["id"]), slug=value)
            out.append(
                {
                    "id": attribute["id"],
                    "name": global_attribute["name"],
                    "slug": f"pa_{global_attribute['slug']}",
                    "option": term["name"] if term else value,
                    "query": value,
                }
            )
        else:
            key = sanitize_title(attribute["name"])
            value = stored.get((0, key), "")
            if value:
                out.append(
                    {
                        "id": 0,
                        "name": attribute["name"],
                        "slug": key,
                        "option": value,
                        "query": value,
                    }
                )
    return out


def shown_defaults(state: State, record: dict[str, Any]) -> list[dict[str, Any]]:
    """A variable product's ``default_attributes`` as WooCommerce answers them: ``[{id, name,
    option}]``, a global attribute's option as its term's slug (not its name: checked on
    WooCommerce 11.0.1), each under the attribute's label; an attribute the product no longer
    varies by is left out."""
    if record["type"] != "variable":
        return []
    out = []
    for value in record["default_attributes"]:
        attribute = _parent_attribute(record, value["id"], value.get("key", ""))
        if attribute is None or not attribute["variation"]:
            continue
        global_attribute = state.attributes.get(value["id"]) if value["id"] else None
        if value["id"] and global_attribute is None:
            continue
        name = global_attribute["name"] if global_attribute else attribute["name"]
        out.append({"id": value["id"], "name": name, "option": value["value"]})
    return out


def public_options(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in option.items() if k != "query"} for option in options]


def variation_name(options: list[dict[str, Any]]) -> str:
    """What ``/variations`` shows as ``name``: the options, ``"S, Red"``."""
    return ", ".join(option["option"] for option in options)


def variation_title(parent_name: str, options: list[dict[str, Any]]) -> str:
    """The post title WooCommerce gives a variation, ``"Tee - S, Red"`` (options only when < 3)."""
    include = len(options) < 3 and (
        len(options) < 2 or all("-" not in option["slug"] for option in options)
    )
    suffix = variation_name(options) if include else ""
    return f"{parent_name} - {suffix}" if suffix else parent_name


def variation_permalink(parent_link: str, options: list[dict[str, Any]]) -> str:
    """The parent's permalink with ``attribute_<slug>=<value>`` for each chosen option."""
    query = "&".join(
        f"attribute_{option['slug']}={quote(option['query'], safe='')}" for option in options
    )
    if not query:
        return parent_link
    return f"{parent_link}{'&' if '?' in parent_link else '?'}{query}"
