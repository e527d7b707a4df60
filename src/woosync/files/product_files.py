"""Product files (CSV, JSON, YAML) read into numbered rows, and the one schema every product input obeys.

A row becomes a *field dict*: the standard field names (``price``, ``length`` ...) with normalised
values, ``attributes`` / ``custom_fields`` (replace the whole set), ``attribute:NAME`` /
``custom:NAME`` (set one entry; ``None`` removes it). The catalog service applies such dicts; the
CLI and the importer build them too, and :func:`normalize_fields` checks them the same way.

Values are kept as text: prices, weights and dimensions become canonical decimal strings (``12.5``
from JSON stays ``"12.5"``, ``"12.50"`` in a CSV stays ``"12.50"``). YAML is read keeping every
scalar as text except ``null``: YAML 1.1 would turn the SKU ``0123`` into 83 and ``NO`` into False.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

from woosync.core.errors import ValidationError
from woosync.core.fields import TARGET_CHECKS
from woosync.core.text import control_character_problem, from_decimal_comma, is_dot_grouped
from woosync.files import bounds

PRODUCT_STATUSES: tuple[str, ...] = ("publish", "draft", "pending", "private")
PRODUCT_TYPES: tuple[str, ...] = ("simple", "variable", "grouped", "external")
STOCK_STATUSES: tuple[str, ...] = ("instock", "outofstock", "onbackorder")
CHOICES: dict[str, tuple[str, ...]] = {
    "status": PRODUCT_STATUSES,
    "type": PRODUCT_TYPES,
    "stock_status": STOCK_STATUSES,
}
NUMBER_FIELDS: tuple[str, ...] = ("price", "sale_price", "weight", "length", "width", "height")
TEXT_FIELDS: tuple[str, ...] = ("sku", "name", "description")
MULTILINE_FIELDS: tuple[str, ...] = ("description",)
LIST_FIELDS: tuple[str, ...] = ("categories", "tags", "images")
# Stock and sale dates: checked as WooCommerce takes them (core.fields), kept in its types
# (stock_quantity and low_stock_amount integers, manage_stock a boolean, dates ISO 8601 text).
STOCK_FIELDS: tuple[str, ...] = ("manage_stock", "stock_quantity", "backorders", "low_stock_amount")
SALE_DATE_FIELDS: tuple[str, ...] = ("date_on_sale_from", "date_on_sale_to")
TYPED_FIELDS: tuple[str, ...] = (*STOCK_FIELDS, *SALE_DATE_FIELDS)
SCALAR_FIELDS: tuple[str, ...] = (
    *TEXT_FIELDS,
    "status",
    "type",
    *NUMBER_FIELDS,
    "stock_status",
    *TYPED_FIELDS,
)
ATTRIBUTE_PREFIX = "attribute:"
CUSTOM_PREFIX = "custom:"
LIST_SEPARATOR = "|"
FORMATS: tuple[str, ...] = ("csv", "json", "yaml")
CSV_COLUMNS: tuple[str, ...] = (*SCALAR_FIELDS, *LIST_FIELDS)
# WooCommerce's own CSV exporter's headers for these columns, read as the standard names.
CSV_ALIASES: dict[str, str] = {
    "stock": "stock_quantity",
    "low stock amount": "low_stock_amount",
    "backorders allowed?": "backorders",
    "date sale price starts": "date_on_sale_from",
    "date sale price ends": "date_on_sale_to",
}

_PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_URL = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)


# value normalisers: raise ValueError with a message that does not name the field ----------------
def normalize_text(value: Any, *, multiline: bool = False) -> str | None:
    """Text, trimmed; empty is ``None``. Integers are accepted (a JSON SKU ``123``), floats not.

    Control characters (a NUL, an escape) are refused; so are tabs and line breaks unless
    ``multiline`` (descriptions, custom fields).
    """
    if type(value) is str:  # the common case first
        return _clean(value.strip(), multiline) or None
    if value is None:
        return None
    if isinstance(value, bool | float):
        raise ValueError(f"{value!r} must be text (quote it)")
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {_kind(value)}")
    return _clean(value.strip(), multiline) or None


def normalize_multiline_text(value: Any) -> str | None:
    """:func:`normalize_text` that keeps tabs and line breaks."""
    return normalize_text(value, multiline=True)


def _clean(text: str, multiline: bool) -> str:
    if text.isprintable():  # the common case: no control character, no line break
        return text
    problem = control_character_problem(text, multiline=multiline)
    if problem is not None:
        raise ValueError(f"{text!r} {problem}")
    return text


def normalize_number(value: Any) -> str | None:
    """A non-negative decimal as a string: ``12`` -> ``"12"``, ``12.5`` -> ``"12.5"``, ``"12.50"`` kept."""
    if value is None:
        return None
    if type(value) is str:  # the common case: skip the checks for other types
        return _number_text(value)
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{value} must not be negative")
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a number")
        if value < 0:
            raise ValueError(f"{value!r} must not be negative")
        text = format(Decimal(repr(value)), "f")
        return text[:-2] if text.endswith(".0") else text
    if not isinstance(value, str):
        raise ValueError(f"must be a number, not {_kind(value)}")
    return _number_text(value)


def _number_text(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if not _PLAIN_NUMBER.match(text):
        fixed = from_decimal_comma(text)
        if fixed is not None and not fixed.startswith("-"):
            raise ValueError(f"{text!r} is not a number like 12.50 (write {fixed.lstrip('+')})")
        raise ValueError(f"{text!r} is not a number like 12.50")
    return text


def normalize_sku(value: Any) -> str:
    """A SKU is required text; ``0123`` stays ``"0123"``."""
    text = normalize_text(value)
    if text is None:
        raise ValueError("is required")
    return text


def normalize_choice(value: Any, choices: tuple[str, ...]) -> str | None:
    text = normalize_text(value)
    if text is None:
        return None
    if text.lower() not in choices:
        raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
    return text.lower()


def normalize_list(value: Any, *, urls: bool = False) -> list[str]:
    """A list of distinct, trimmed strings (a single string is a one-item list); ``None`` is ``[]``."""
    if value is None:
        return []
    items = [value] if isinstance(value, str | int) and not isinstance(value, bool) else value
    if not isinstance(items, list | tuple):
        raise ValueError(f"must be a list of text, not {_kind(value)}")
    found: list[str] = []
    for item in items:
        text = normalize_text(item)
        if text is None or text in found:
            continue
        if urls and not _URL.match(text):
            raise ValueError(f"{text!r} is not an http(s) URL")
        found.append(text)
    return found


def normalize_attribute_value(value: Any) -> str | list[str] | None:
    """An attribute is one string (``"10x20"``) or a list of strings (``["Red", "Blue"]``)."""
    if isinstance(value, list | tuple):
        items = normalize_list(list(value))
        return items or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return normalize_number(value) if value >= 0 else str(value)
    return normalize_text(value)


def normalize_custom_value(value: Any) -> str | bool | list[str] | None:
    """A custom field is text, a boolean or a list of text; numbers become canonical strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        raise ValueError("must be text, a number, true/false or a list, not an object")
    if type(value) is str:  # a custom field may hold a note of several lines
        return normalize_multiline_text(value)
    return normalize_attribute_value(value)


def normalize_typed(name: str, value: Any) -> Any:
    """A stock field or sale date as WooCommerce takes it (``"5"`` -> ``5``, ``"yes"`` -> ``True``);
    empty is ``None``. CSV's ``1``/``0`` for backorders (WooCommerce's exporter) read as yes/no."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, list | dict):
        raise ValueError(f"must be a single value, not {_kind(value)}")
    if name == "backorders" and isinstance(value, str) and value.strip() in ("0", "1"):
        value = "yes" if value.strip() == "1" else "no"
    try:
        return TARGET_CHECKS[name](value)
    except ValueError as exc:
        reason = str(exc)
        if reason.startswith(("not ", "too ")):
            reason = f"{value!r} is {reason}"
        elif reason.startswith("must "):
            reason = f"{value!r} {reason}"
        raise ValueError(reason) from None


def _field_normalizer(name: str) -> Callable[[Any], Any]:
    if name in TYPED_FIELDS:
        return functools.partial(normalize_typed, name)
    if name in NUMBER_FIELDS:
        return normalize_number
    if name in CHOICES:
        return functools.partial(normalize_choice, choices=CHOICES[name])
    if name == "sku":
        return normalize_sku
    if name in MULTILINE_FIELDS:
        return normalize_multiline_text
    if name in TEXT_FIELDS:
        return normalize_text
    return functools.partial(normalize_list, urls=name == "images")


# standard field -> its normaliser, chosen once (normalize_fields runs per product of a load/import)
_FIELD_NORMALIZERS: dict[str, Callable[[Any], Any]] = {
    name: _field_normalizer(name) for name in (*SCALAR_FIELDS, *LIST_FIELDS)
}


def normalize_field(name: str, value: Any) -> Any:
    """Normalise one standard field's value (``name`` must be a standard field)."""
    normalize = _FIELD_NORMALIZERS.get(name)
    if normalize is None:
        raise ValueError(f"unknown field {name!r}")
    return normalize(value)


def _named_dict(value: Any, normalize: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"must be an object of name: value, not {_kind(value)}")
    found: dict[str, Any] = {}
    for key, item in value.items():
        name = normalize_text(key)
        if name is None:
            raise ValueError("a name is empty")
        try:
            normalized = normalize(item)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        if normalized is not None:
            found[name] = normalized
    return found


def normalize_attributes(value: Any) -> dict[str, str | list[str]]:
    return _named_dict(value, normalize_attribute_value)


def normalize_custom_fields(value: Any) -> dict[str, Any]:
    return _named_dict(value, normalize_custom_value)


def normalize_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise a field dict (see the module doc); raise :class:`ValidationError`.

    Keys: standard fields, ``dimensions`` (an object of length/width/height, expanded into the
    parts), ``attributes``, ``custom_fields`` / ``customFields``, ``attribute:NAME``,
    ``custom:NAME``, or any other name (an attribute or custom field, decided by the catalog).
    """
    found: dict[str, Any] = {}
    for key, value in fields.items():
        try:
            normalize = _FIELD_NORMALIZERS.get(key)
            if normalize is not None:  # a standard field (what _normalize_into does first)
                found[key] = normalize(value)
            else:
                _normalize_into(found, key, value)
        except ValueError as exc:
            raise ValidationError(f"{key}: {exc}") from None
    return found


def _normalize_into(found: dict[str, Any], key: str, value: Any) -> None:
    if key in SCALAR_FIELDS or key in LIST_FIELDS:
        found[key] = normalize_field(key, value)
    elif key == "dimensions":
        if value is None:
            found.update(dict.fromkeys(("length", "width", "height")))
            return
        if not isinstance(value, Mapping):
            raise ValueError("must be an object with length, width and height")
        for part, part_value in value.items():
            if part not in ("length", "width", "height"):
                raise ValueError(f"unknown part {part!r} (use length, width, height)")
            found[part] = normalize_number(part_value)
    elif key == "attributes":
        found["attributes"] = normalize_attributes(value)
    elif key in ("custom_fields", "customFields"):
        found["custom_fields"] = normalize_custom_fields(value)
    elif key.startswith(ATTRIBUTE_PREFIX):
        found[ATTRIBUTE_PREFIX + _entry_name(key, ATTRIBUTE_PREFIX)] = normalize_attribute_value(
            value
        )
    elif key.startswith(CUSTOM_PREFIX):
        found[CUSTOM_PREFIX + _entry_name(key, CUSTOM_PREFIX)] = normalize_custom_value(value)
    elif key in ("id", "createdAt", "updatedAt", "created_at", "updated_at"):
        return  # read-only: a product is identified by its SKU
    else:
        if not key.strip():
            raise ValueError("empty field name")
        found[_clean(key.strip(), False)] = normalize_custom_value(value)


def _entry_name(key: str, prefix: str) -> str:
    name = key[len(prefix) :].strip()
    if not name:
        raise ValueError(f"{prefix} needs a name, e.g. {prefix}COLOR")
    return _clean(name, False)


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


# the file schema ----------------------------------------------------------------------------------
def _validator(name: str) -> BeforeValidator:
    return BeforeValidator(lambda value: normalize_field(name, value))


Number = Annotated[str | None, BeforeValidator(normalize_number)]


class Dimensions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    length: Number = None
    width: Number = None
    height: Number = None


class ProductRecord(BaseModel):
    """One product in a file. Keys left out leave the product's value alone on an update."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: Any = None  # accepted (``products list --json`` output loads back) but ignored
    sku: Annotated[str, _validator("sku")]
    name: Annotated[str | None, _validator("name")] = None
    description: Annotated[str | None, _validator("description")] = None
    status: Annotated[str | None, _validator("status")] = None
    type: Annotated[str | None, _validator("type")] = None
    price: Number = None
    sale_price: Number = None
    weight: Number = None
    length: Number = None
    width: Number = None
    height: Number = None
    dimensions: Dimensions | None = None
    stock_status: Annotated[str | None, _validator("stock_status")] = None
    manage_stock: Annotated[bool | None, _validator("manage_stock")] = None
    stock_quantity: Annotated[int | None, _validator("stock_quantity")] = None
    backorders: Annotated[str | None, _validator("backorders")] = None
    low_stock_amount: Annotated[int | None, _validator("low_stock_amount")] = None
    date_on_sale_from: Annotated[str | None, _validator("date_on_sale_from")] = None
    date_on_sale_to: Annotated[str | None, _validator("date_on_sale_to")] = None
    categories: Annotated[list[str], _validator("categories")] = Field(default_factory=list)
    tags: Annotated[list[str], _validator("tags")] = Field(default_factory=list)
    images: Annotated[list[str], _validator("images")] = Field(default_factory=list)
    attributes: Annotated[dict[str, Any], BeforeValidator(normalize_attributes)] = Field(
        default_factory=dict
    )
    custom_fields: Annotated[dict[str, Any], BeforeValidator(normalize_custom_fields)] = Field(
        default_factory=dict, validation_alias=AliasChoices("customFields", "custom_fields")
    )
    created_at: Any = Field(default=None, validation_alias=AliasChoices("createdAt", "created_at"))
    updated_at: Any = Field(default=None, validation_alias=AliasChoices("updatedAt", "updated_at"))

    @model_validator(mode="after")
    def _check_entries(self) -> ProductRecord:
        for key in self.model_extra or {}:
            if not key.startswith((ATTRIBUTE_PREFIX, CUSTOM_PREFIX)):
                raise ValueError(
                    f"unknown field {key!r} (put attributes under 'attributes' and custom "
                    "fields under 'customFields', or name them attribute:X / custom:X)"
                )
        if "dimensions" in self.model_fields_set and self.model_fields_set & {
            "length",
            "width",
            "height",
        }:
            raise ValueError("give either 'dimensions' or length/width/height, not both")
        return self

    def to_fields(self) -> dict[str, Any]:
        """The normalised field dict of the keys this row gave."""
        given = self.model_fields_set - {"id", "created_at", "updated_at"}
        fields: dict[str, Any] = {}
        for name in given:
            if name == "dimensions":
                if self.dimensions is None:
                    fields.update(dict.fromkeys(("length", "width", "height")))
                else:
                    fields.update(
                        {
                            part: getattr(self.dimensions, part)
                            for part in self.dimensions.model_fields_set
                        }
                    )
            else:
                fields[name] = getattr(self, name)
        for key, value in (self.model_extra or {}).items():
            fields.update(normalize_fields({key: value}))
        return fields


# reading files ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceRow:
    """One product as read from a file: its row number there and its raw keys and values."""

    row: int
    data: dict[str, Any]
    duplicate: str | None = None  # "key 'price' appears twice" when a key is given twice


@dataclass(frozen=True)
class ValidRow:
    row: int
    sku: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class RowError:
    row: int
    sku: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "sku": self.sku, "message": self.message}


_PARSER_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present
_NULL_TAG = "tag:yaml.org,2002:null"
_PLAIN_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_NO_KEY = object()


def load_yaml_strings(text: str, duplicates: list[tuple[dict[str, Any], str]] | None = None) -> Any:
    """One YAML document with every scalar kept as written except ``null``.

    YAML 1.1 would turn the SKU ``0123`` into 83, ``NO`` into False and ``2024-01-01`` into a
    date. The document is built straight from the parser's events (anchors, aliases and ``<<``
    merges included): PyYAML's constructor would take 2.5 s of a 10,000-product file's 3.

    A key written twice in one mapping keeps its last value; when ``duplicates`` is given, the
    mapping and the key are appended to it. A key that a ``<<`` merge brought in and the mapping
    then sets itself is an override, not a duplicate.
    """
    found = duplicates if duplicates is not None else []
    # per open mapping or sequence: [container, pending key, keys a << merge brought in (None
    # until one does), the frame to merge it into when it is the value of a << key (or None)]
    stack: list[list[Any]] = []
    anchors: dict[str, Any] = {}
    roots: list[Any] = []
    budget = bounds.YamlBudget()  # alias bombs and deep nesting refused as they are met

    def merge(frame: list[Any], value: dict[str, Any] | list[Any]) -> None:
        container = frame[0]
        merged_keys = frame[2] if frame[2] is not None else set()
        frame[2] = merged_keys
        for merged in value if isinstance(value, list) else [value]:
            for merged_key, item in (merged if isinstance(merged, dict) else {}).items():
                if merged_key not in container:  # the mapping's own keys win
                    container[merged_key] = item
                    merged_keys.add(merged_key)

    def add(value: Any) -> None:
        if not stack:
            roots.append(value)
            return
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
        elif frame[1] is _NO_KEY:
            if value is not None and not isinstance(value, str):
                raise ValidationError("YAML keys must be plain text, not lists or mappings")
            frame[1] = value
        else:
            key = frame[1]
            if key == "<<" and isinstance(value, dict | list):
                merge(frame, value)
            else:
                if key in container:
                    merged_keys = frame[2]
                    if merged_keys is not None and key in merged_keys:
                        merged_keys.discard(key)  # overrides the merged value, once
                    else:
                        found.append((container, key))
                container[key] = value
            frame[1] = _NO_KEY

    for event in yaml.parse(text, Loader=_PARSER_LOADER):
        budget.see(event)
        kind = type(event)
        if isinstance(event, yaml.ScalarEvent):
            plain_null = event.tag is None and event.implicit[0] and event.value in _PLAIN_NULLS
            value = None if plain_null or event.tag == _NULL_TAG else event.value
            if event.anchor:
                anchors[event.anchor] = value
            add(value)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            container: Any = {} if kind is yaml.MappingStartEvent else []
            if event.anchor:
                anchors[event.anchor] = container
            parent = stack[-1] if stack else None
            if parent is not None and parent[1] == "<<" and isinstance(parent[0], dict):
                # '<<: {...}' or '<<: [*a, *b]' written in place: merge it once it is complete
                parent[1] = _NO_KEY
                stack.append([container, _NO_KEY, None, parent])
            else:
                add(container)
                stack.append([container, _NO_KEY, None, None])
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = stack.pop()
            if frame[3] is not None:
                merge(frame[3], frame[0])
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise ValidationError(f"YAML alias *{event.anchor} has no anchor")
            add(anchors[event.anchor])
    if len(roots) > 1:
        raise ValidationError("expected one YAML document, found several (remove the '---')")
    return roots[0] if roots else None


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
        hint="name it .csv, .json, .yaml or .yml, or pass --format",
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
        return _parse_csv(text, source)
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
    if not isinstance(document, list):
        raise ValidationError(
            f"{source} must hold a list of products (or an object with a 'products' list)"
        )
    if twice:
        return [
            SourceRow(
                number,
                item if isinstance(item, dict) else {"__not_an_object__": item},
                _find_duplicate(item, twice),
            )
            for number, item in enumerate(document, start=1)
        ]
    return [
        SourceRow(number, item if isinstance(item, dict) else {"__not_an_object__": item})
        for number, item in enumerate(document, start=1)
    ]


def _parse_csv(text: str, source: str) -> list[SourceRow]:
    """Rows of a CSV file as a spreadsheet saves it: comma, semicolon or tab separated (told by the
    header line), with or without a byte order mark, any case of the standard column names."""
    text = text.removeprefix("\ufeff")  # a BOM left by Excel (stdin is not decoded as utf-8-sig)
    header_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in header_line), ",")
    # strict: a stray or unclosed quote is an error, not a cell that swallows the rows below it
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    # the csv module refuses cells over 128 KiB by default; a long HTML description is one
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    records = _csv_records(reader, source)
    header = next(records, None)
    if header is None:
        return []
    columns = [_csv_column(column) for column in header]
    for column in columns:
        if column in CSV_COLUMNS or (
            column.startswith((ATTRIBUTE_PREFIX, CUSTOM_PREFIX)) and column.split(":", 1)[1].strip()
        ):
            continue
        raise ValidationError(
            f"{source}: unknown column {column!r}",
            hint="use the standard fields, attribute:NAME or custom:NAME",
        )
    if len(set(columns)) != len(columns):
        raise ValidationError(f"{source}: a column appears twice in the header")
    rows: list[SourceRow] = []
    for number, cells in enumerate(records, start=2):  # spreadsheet numbering: header is row 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            rows.append(SourceRow(number, {"__too_many_cells__": len(cells)}))
            continue
        rows.append(SourceRow(number, _csv_row(columns, cells)))
    return rows


def _csv_records(reader: Any, source: str) -> Iterator[list[str]]:
    """The reader's records; a CSV error names the line where the bad record starts."""
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problem = str(exc)
            if "unexpected end of data" in problem:
                problem += " (a quote opened on this line is never closed)"
            raise ValidationError(f"{source}:{start}: not valid CSV: {problem}") from None
        yield cells


def _csv_column(header: str) -> str:
    """A header cell as a column name: ``SKU`` is ``sku``, ``Attribute:COLOR`` is ``attribute:COLOR``."""
    name = header.strip()
    lower = name.lower()
    if lower in CSV_COLUMNS:
        return lower
    if lower in CSV_ALIASES:
        return CSV_ALIASES[lower]
    for prefix in (ATTRIBUTE_PREFIX, CUSTOM_PREFIX):
        if lower.startswith(prefix):
            return prefix + name[len(prefix) :]
    return name


def _csv_row(columns: list[str], cells: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column, cell in zip(columns, cells, strict=False):
        if column in LIST_FIELDS or column.startswith((ATTRIBUTE_PREFIX, CUSTOM_PREFIX)):
            parts = [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]
            if column in LIST_FIELDS:
                data[column] = parts
            else:
                data[column] = parts[0] if len(parts) == 1 else (parts or None)
        else:
            data[column] = cell
    return data


# decimal commas ("12,50") in spreadsheets saved in a European locale -----------------------------
DECIMAL_COMMA_OPTION = "--decimal-comma"
_CUSTOM_KEYS = ("customFields", "custom_fields")
_WRITE_HINT = re.compile(r"\(write ([^)]*)\)")


def read_decimal_commas(data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The row with ``"12,50"`` read as ``"12.50"`` (``"1.234,50"`` as ``"1234.50"``) in every money
    and measure column (``dimensions`` too) and in custom fields whose values look like such
    numbers; and a problem when a money or measure value is ambiguous (``"1.234"``).
    """
    found = dict(data)
    for key in NUMBER_FIELDS:
        value = found.get(key)
        if isinstance(value, str):
            if is_dot_grouped(value):
                return found, _ambiguous(key, value)
            found[key] = from_decimal_comma(value) or value
    dimensions = found.get("dimensions")
    if isinstance(dimensions, Mapping):
        parts = dict(dimensions)
        for part, value in parts.items():
            if isinstance(value, str):
                if is_dot_grouped(value):
                    return found, _ambiguous(f"dimensions.{part}", value)
                parts[part] = from_decimal_comma(value) or value
        found["dimensions"] = parts
    for key, value in found.items():
        if key.startswith(CUSTOM_PREFIX):
            found[key] = _custom_decimal_comma(value)
        elif key in _CUSTOM_KEYS and isinstance(value, Mapping):
            found[key] = {name: _custom_decimal_comma(item) for name, item in value.items()}
    return found, None


def _custom_decimal_comma(value: Any) -> Any:
    if isinstance(value, str):
        return from_decimal_comma(value) or value
    if isinstance(value, list):
        return [_custom_decimal_comma(item) for item in value]
    return value


def _ambiguous(key: str, value: str) -> str:
    return (
        f"{key}: {value.strip()!r} is ambiguous with {DECIMAL_COMMA_OPTION} "
        "(write it without the dot, or with a decimal comma)"
    )


def _has_decimal_comma(data: Mapping[str, Any]) -> bool:
    """A money or measure value written with a decimal comma (for the hint to use the option)."""
    values = [data.get(key) for key in NUMBER_FIELDS]
    dimensions = data.get("dimensions")
    if isinstance(dimensions, Mapping):
        values += list(dimensions.values())
    return any(isinstance(value, str) and from_decimal_comma(value) for value in values)


def validate_rows(
    rows: list[SourceRow], *, decimal_comma: bool = False
) -> tuple[list[ValidRow], list[RowError]]:
    """Check every row against :class:`ProductRecord`; a SKU given twice is an error on the later row.

    ``decimal_comma`` reads ``12,50`` as ``12.50`` (:func:`read_decimal_commas`); without it a
    price written so is an error that suggests the option.
    """
    valid: list[ValidRow] = []
    errors: list[RowError] = []
    seen: dict[str, tuple[str, int]] = {}  # SKU without regard to case -> (SKU, row)
    for source in rows:
        if decimal_comma and "__not_an_object__" not in source.data:
            data, problem = read_decimal_commas(source.data)
            if problem is not None:
                errors.append(RowError(source.row, _raw_sku(source.data), problem))
                continue
            source = SourceRow(source.row, data, source.duplicate)
        sku = _raw_sku(source.data)
        if "__not_an_object__" in source.data:
            errors.append(RowError(source.row, None, "a product must be an object of field: value"))
            continue
        if "__too_many_cells__" in source.data:
            errors.append(RowError(source.row, None, "more cells than columns in the header"))
            continue
        if sku is not None:
            first = seen.setdefault(sku.casefold(), (sku, source.row))
            if first[1] != source.row:  # even when the first row is invalid: one SKU, one row
                errors.append(RowError(source.row, sku, same_sku_message(sku, *first)))
                continue
        if source.duplicate is not None:
            errors.append(RowError(source.row, sku, source.duplicate))
            continue
        try:
            record = ProductRecord.model_validate(source.data)
            fields = record.to_fields()
        except PydanticValidationError as exc:
            message = describe_errors(exc)
            if not decimal_comma and _has_decimal_comma(source.data):
                message = _WRITE_HINT.sub(
                    rf"(write \1, or load the file with {DECIMAL_COMMA_OPTION})", message
                )
            errors.append(RowError(source.row, sku, message))
            continue
        except ValidationError as exc:
            errors.append(RowError(source.row, sku, exc.message))
            continue
        valid.append(ValidRow(source.row, record.sku, fields))
    return valid, errors


def same_sku_message(sku: str, first_sku: str, first_row: int) -> str:
    """Why a row's SKU clashes with the SKU of an earlier row (WooCommerce ignores case)."""
    if sku == first_sku:
        return f"SKU {sku!r} is also on row {first_row}"
    return (
        f"SKU {sku!r} differs only in case from {first_sku!r} on row {first_row} "
        "(WooCommerce treats them as one SKU)"
    )


def _raw_sku(data: Mapping[str, Any]) -> str | None:
    """The row's SKU as it will be stored, when it is usable at all (for messages and duplicates)."""
    value = data.get("sku")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    sku = value.strip()
    # a SKU with a control character is refused; its message shows it escaped, never raw
    return sku if sku.isprintable() else repr(sku)[1:-1]


def describe_errors(exc: PydanticValidationError) -> str:
    """Pydantic's errors as one line: ``price: 'abc' is not a number like 12.50; name: ...``."""
    parts = []
    for error in exc.errors(include_url=False):
        location = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if message == "is required" or error["type"] == "missing":
            message = "is required"
        if error["type"] == "extra_forbidden":
            message = "is not a known field"
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
