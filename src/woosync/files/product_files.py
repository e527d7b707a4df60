"""Product files (CSV, JSON, YAML) read into numbered rows (``woosync.products.rows`` checks them).

YAML is read keeping every scalar as text except ``null``: YAML 1.1 would turn the SKU ``0123``
into 83 and ``NO`` into False (``yaml_text``). CSV is in ``product_csv``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from woosync.core.errors import ValidationError, param
from woosync.files import bounds
from woosync.files.product_csv import parse_csv
from woosync.files.yaml_text import load_yaml_strings
from woosync.products.rows import NOT_AN_OBJECT, SourceRow

FORMATS: tuple[str, ...] = ("csv", "json", "yaml")


def detect_format(path: Path | str, fmt: str | None = None) -> str:
    if fmt:
        fmt = fmt.lower()
        if fmt == "yml":
            fmt = "yaml"
        if fmt not in FORMATS:
            raise ValidationError(f"unknown format {fmt!r}", hint="use csv, json or yaml")
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("yml", "yaml"):
        return "yaml"
    if suffix in ("csv", "json"):
        return suffix
    raise ValidationError(
        f"cannot tell the format of {str(path)!r}",
        hint=f"name it .csv, .json, .yaml or .yml, or pass {param('format')}",
    )


def read_product_file(path: Path | str, fmt: str | None = None) -> list[SourceRow]:
    """Read a product file into rows (``-`` is stdin and needs ``fmt``). File-level problems raise."""
    fmt = detect_format(path, fmt)
    try:
        text = bounds.read_text(path, encoding="utf-8-sig", allow_stdin=True)
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {path}: {exc}") from None
    return parse_products(text, fmt, source=str(path))


def parse_products(text: str, fmt: str, *, source: str = "<input>") -> list[SourceRow]:
    if fmt == "csv":
        return parse_csv(text, source)
    duplicates: list[tuple[dict[str, Any], str]] = []
    if fmt == "json":
        try:
            document = _load_json(text, duplicates, source)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"{source} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
    else:
        try:
            document = load_yaml_strings(text, duplicates)
        except yaml.YAMLError as exc:
            raise ValidationError(f"{source} is not valid YAML: {_one_line(exc)}") from None
        except ValidationError as exc:
            raise ValidationError(f"{source}: {exc.message}", hint=exc.hint) from None
    return _items(document, source, duplicates)


def _load_json(text: str, duplicates: list[tuple[dict[str, Any], str]], source: str) -> Any:
    """``json.loads``, appending each object that has a key twice (and that key) to ``duplicates``."""

    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        built = dict(pairs)
        if len(built) != len(pairs):  # the rare case: find the key given twice
            seen: set[str] = set()
            for key, _value in pairs:
                if key in seen:
                    duplicates.append((built, key))
                    break
                seen.add(key)
        return built

    return bounds.load_json(text, source, object_pairs_hook=build)


def _find_duplicate(
    value: Any, twice: dict[int, str], path: tuple[str, ...] = (), seen: set[int] | None = None
) -> str | None:
    """``key 'COLOR' appears twice in 'attributes'``: the first key given twice in ``value``."""
    if not isinstance(value, dict | list):
        return None
    seen = set() if seen is None else seen
    if id(value) in seen:  # a YAML alias met again (or an anchor inside itself)
        return None
    seen.add(id(value))
    if isinstance(value, dict):
        key = twice.get(id(value))
        if key is not None:
            where = f" in {'.'.join(path)!r}" if path else ""
            return f"key {key!r} appears twice{where}"
        children: Any = (((*path, str(key)), item) for key, item in value.items())
    else:  # items of a list: 'images[2]'
        parent, last = path[:-1], path[-1] if path else ""
        children = (
            ((*parent, f"{last}[{index}]"), item) for index, item in enumerate(value, start=1)
        )
    for where, item in children:
        found = _find_duplicate(item, twice, where, seen)
        if found is not None:
            return found
    return None


def _items(
    document: Any, source: str, duplicates: list[tuple[dict[str, Any], str]] | None = None
) -> list[SourceRow]:
    twice = {id(mapping): key for mapping, key in duplicates or []}
    if isinstance(document, Mapping) and "products" in document:
        if twice:  # the wrapper object itself, or something outside the products list
            outside = {key: value for key, value in document.items() if key != "products"}
            root_key = twice.get(id(document))
            problem = (
                f"key {root_key!r} appears twice"
                if root_key is not None
                else _find_duplicate(outside, twice)
            )
            if problem is not None:
                raise ValidationError(f"{source}: {problem}")
        document = document["products"]
    if document is None:
        return []
    if isinstance(document, Mapping) and "sku" in document:
        document = [document]  # one product, as `products show --json` prints it
    if not isinstance(document, list):
        raise ValidationError(
            f"{source} must hold a list of products (or an object with a 'products' list)"
        )
    if twice:
        return [
            SourceRow(
                number,
                item if isinstance(item, dict) else {NOT_AN_OBJECT: item},
                _find_duplicate(item, twice),
            )
            for number, item in enumerate(document, start=1)
        ]
    return [
        SourceRow(number, item if isinstance(item, dict) else {NOT_AN_OBJECT: item})
        for number, item in enumerate(document, start=1)
    ]


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
