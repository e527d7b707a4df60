"""Product files (CSV, JSON, YAML) read into numbered rows (``woosync.products.rows`` checks them).

YAML is read keeping every scalar as text except ``null``: YAML 1.1 would turn the SKU ``0123``
into 83 and ``NO`` into False (``yaml_text``). CSV is in ``product_csv``. PyYAML is imported when
a YAML file is read: every command that may load products (an export too, through the catalog)
imports this module, and YAML costs about 0.015 s of start-up.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from woosync.core.errors import ValidationError, param
from woosync.files import bounds
from woosync.files.json_stream import JsonProducts
from woosync.files.merge_conflicts import conflict_line, merge_conflict_error
from woosync.files.product_csv import iter_csv
from woosync.files.woocommerce_csv import Notes
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
    if suffix == "tsv":  # tab-separated: the CSV reader tells the separator by the header
        return "csv"
    raise ValidationError(
        f"cannot tell the format of {str(path)!r}",
        hint=f"name it .csv, .tsv, .json, .yaml or .yml, or pass {param('format')}",
    )


def read_product_file(path: Path | str, fmt: str | None = None) -> list[SourceRow]:
    """Read a product file into rows (``-`` is stdin and needs ``fmt``). File-level problems raise."""
    return list(iter_product_file(path, fmt))


def iter_product_file(
    path: Path | str, fmt: str | None = None, notes: Notes | None = None
) -> Iterator[SourceRow]:
    """The rows of a product file one at a time (``-`` is stdin and needs ``fmt``): CSV and JSON
    files are read as a stream, so only the row at hand is in memory. File-level problems raise,
    some of them (a syntax error, a key given twice outside the products) only when reached."""
    fmt = detect_format(path, fmt)
    source = str(path)
    if source == "-":
        try:
            text = bounds.read_text(path, encoding="utf-8-sig", allow_stdin=True)
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"cannot read {path}: {exc}") from None
        yield from _parse(io.StringIO(text, newline=""), fmt, source, len(text), notes)
        return
    try:
        size = bounds.check_size(path)
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (a generator's)
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc}") from None
    with handle:
        try:
            yield from _parse(handle, fmt, source, size, notes)
        except UnicodeDecodeError as exc:
            raise ValidationError(f"cannot read {path}: {exc}") from None


def parse_products(text: str, fmt: str, *, source: str = "<input>") -> list[SourceRow]:
    return list(_parse(io.StringIO(text, newline=""), fmt, source, len(text)))


def _parse(
    handle: IO[str], fmt: str, source: str, size: int, notes: Notes | None = None
) -> Iterator[SourceRow]:
    """:func:`_rows`; a YAML or JSON file that does not parse because a merge conflict was left
    in it says so (``handle`` is read again from its start)."""
    try:
        yield from _rows(handle, fmt, source, size, notes)
    except ValidationError:
        if fmt == "csv":  # its rows were looked at as they were read
            raise
        handle.seek(0)
        line = conflict_line(handle)
        if line is None:
            raise
        raise merge_conflict_error(source, line) from None


def _rows(
    handle: IO[str], fmt: str, source: str, size: int, notes: Notes | None = None
) -> Iterator[SourceRow]:
    if fmt == "csv":
        yield from iter_csv(handle, source, size=size, notes=notes)
        return
    if fmt == "json":
        try:
            yield from _json_rows(handle, source)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"{source} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
        return
    import yaml  # only when a YAML file is read (see the module's docstring)

    try:
        yield from _yaml_rows(handle, source)
    except yaml.YAMLError as exc:
        raise ValidationError(f"{source} is not valid YAML: {_one_line(exc)}") from None
    except ValidationError as exc:
        if exc.message.startswith(f"{source}:"):
            raise
        raise ValidationError(f"{source}: {exc.message}", hint=exc.hint) from None


def _yaml_rows(handle: IO[str], source: str) -> Iterator[SourceRow]:
    """The products of a YAML file as the parser completes them (:class:`YamlStrings`)."""
    from woosync.files.yaml_text import YamlStrings

    builder = YamlStrings(handle)
    duplicates = builder.found
    items = builder.items()
    number = 0
    while True:
        mark = len(duplicates)
        try:
            item = next(items)
        except StopIteration:
            break
        number += 1
        twice = {id(mapping): key for mapping, key in duplicates}
        del duplicates[mark:]
        yield _row(number, item, _find_duplicate(item, twice) if twice else None)
    document = builder.document
    if not builder.streamed:
        yield from _items(document, source, duplicates)
        return
    if isinstance(document, dict):  # the mapping around the products list
        _check_outside(
            {key: value for key, value in document.items() if key != "products"},
            source,
            {id(m): k for m, k in duplicates},
            root=document,
        )


def _json_rows(handle: IO[str], source: str) -> Iterator[SourceRow]:
    """The products of a JSON file as they are decoded; each object that has a key twice is
    remembered with that key (the product's row says so; elsewhere it is a file error)."""
    duplicates: list[tuple[dict[str, Any], str]] = []

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

    reader = JsonProducts(handle, source, build)
    items = iter(reader)
    number = 0
    while True:
        mark = len(duplicates)
        try:
            item = next(items)
        except StopIteration:
            break
        number += 1
        twice = {id(mapping): key for mapping, key in duplicates[mark:]}
        del duplicates[mark:]
        yield _row(number, item, _find_duplicate(item, twice) if twice else None)
    if not reader.streamed:
        yield from _items(reader.document, source, duplicates)
        return
    if isinstance(reader.document, dict):  # the object around the products list
        if "products" in reader.document:
            raise ValidationError(f"{source}: key 'products' appears twice")
        _check_outside(reader.document, source, {id(m): k for m, k in duplicates})


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
) -> Iterator[SourceRow]:
    """The rows of a document read whole; each product is let go once its row is taken."""
    twice = {id(mapping): key for mapping, key in duplicates or []}
    if isinstance(document, Mapping) and "products" in document:
        if twice:  # the wrapper object itself, or something outside the products list
            _check_outside(
                {key: value for key, value in document.items() if key != "products"},
                source,
                twice,
                root=document,
            )
        document = document["products"]
    if document is None:
        return
    if isinstance(document, Mapping) and "sku" in document:
        document = [document]  # one product, as `products show --json` prints it
    if not isinstance(document, list):
        raise ValidationError(
            f"{source} must hold a list of products (or an object with a 'products' list)"
        )
    for index, item in enumerate(document):
        document[index] = None
        yield _row(index + 1, item, _find_duplicate(item, twice) if twice else None)


def _check_outside(
    outside: dict[str, Any], source: str, twice: dict[int, str], root: Any = None
) -> None:
    """A key given twice in the object around the products list is a file error."""
    if not twice:
        return
    root_key = twice.get(id(root if root is not None else outside))
    problem = (
        f"key {root_key!r} appears twice"
        if root_key is not None
        else _find_duplicate(outside, twice)
    )
    if problem is not None:
        raise ValidationError(f"{source}: {problem}")


def _row(number: int, item: Any, duplicate: str | None) -> SourceRow:
    return SourceRow(number, item if isinstance(item, dict) else {NOT_AN_OBJECT: item}, duplicate)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
