"""Mapping files: export and import mappings kept as YAML in git.

One document names one store (by connection name or store URL, never by a numeric id, so the same file
works on every machine) and holds an ``export:`` section, an ``import:`` section, or both::

    version: 1                      # optional; the only version so far
    store: Main Retail Store        # connection name or store URL
    export:
      selectedFields: [name, sku, description, price, images, COLOR]
      fieldMappings:                # internal field -> WooCommerce field or pa_ attribute
        price: regular_price
        COLOR: pa_color
    import:
      attributeMappings:            # WooCommerce attribute slug or name -> internal attribute
        pa_color: color
      fieldMappings:                # WooCommerce field -> internal field
        regular_price: price
    products:                       # optional: the catalog products this store takes
      include: {categories: [Shoes], skus: [GIFT-1]}      # any of these (default: every product)
      exclude: {status: [draft], tags: [retail-only]}     # none of these

A file may hold several documents separated by ``---`` (what ``woosync mappings dump`` prints for
several stores). The structure is checked here with strict pydantic models, so YAML 1.1 surprises
(``NO`` read as false, ``0123`` read as 83) and misspelt keys are errors, each reported as
``FILE:LINE: key.path: problem``. Whether the mapping makes sense (required fields, WooCommerce
targets) is the mappings service's job; :meth:`MappingDocument.where` lets it point at the line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator
from pydantic import ValidationError as PydanticError

from woosync.core.errors import ValidationError
from woosync.files import bounds, yaml_bounds
from woosync.files.merge_conflicts import conflict_line, merge_conflict_error
from woosync.products.categories import parse_category_path

Location = tuple[Any, ...]  # keys and list positions, as pydantic reports them

FORMAT_VERSION: Literal[1] = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _empty_section_is_empty(cls, value: Any, info: Any) -> Any:
        # ``fieldMappings:`` with nothing under it loads as None; treat it as an empty mapping.
        if value is None and info.field_name in ("field_mappings", "attribute_mappings"):
            return {}
        if value is None and info.field_name == "products":
            return {}  # ``products:`` with nothing under it: every product
        if value is None and info.field_name in _RULE_FIELDS:
            return []
        return value


_RULE_FIELDS = ("skus", "categories", "tags", "brands", "status")
StatusName = Literal["publish", "draft", "pending", "private"]


class ProductRules(_Strict):
    """One side of a ``products:`` selection: products matching any of these lists."""

    skus: list[StrictStr] = Field(default_factory=list)
    categories: list[StrictStr] = Field(default_factory=list)
    tags: list[StrictStr] = Field(default_factory=list)
    brands: list[StrictStr] = Field(default_factory=list)
    status: list[StatusName] = Field(default_factory=list)

    @field_validator("skus", "categories", "tags", "brands")
    @classmethod
    def _no_blank_names(cls, value: list[str]) -> list[str]:
        if any(not name.strip() for name in value):
            raise ValueError("names must not be empty")
        return value

    @field_validator("categories", "brands")
    @classmethod
    def _category_paths(cls, value: list[str]) -> list[str]:
        for name in value:  # a path: Kitchen > Mugs (ValueError names an empty level)
            parse_category_path(name)
        return value


class ProductsSection(_Strict):
    """``products:``: the catalog products the store takes (any ``include`` rule, or every
    product when there is none, and no ``exclude`` rule). ``products: {}`` takes every product."""

    include: ProductRules | None = None
    exclude: ProductRules | None = None

    def rules(self) -> dict[str, Any]:
        """The stored shape: ``{"include": {"skus": [...]}, "exclude": {...}}``, lists given only."""
        found: dict[str, Any] = {}
        for side in ("include", "exclude"):
            rules: ProductRules | None = getattr(self, side)
            if rules is None:
                continue
            lists = {name: list(getattr(rules, name)) for name in _RULE_FIELDS}
            lists = {name: names for name, names in lists.items() if names}
            if lists:
                found[side] = lists
        return found


class ExportSection(_Strict):
    selected_fields: list[StrictStr] = Field(alias="selectedFields", min_length=1)
    field_mappings: dict[StrictStr, StrictStr] = Field(default_factory=dict, alias="fieldMappings")


class ImportSection(_Strict):
    attribute_mappings: dict[StrictStr, StrictStr] = Field(
        default_factory=dict, alias="attributeMappings"
    )
    field_mappings: dict[StrictStr, StrictStr] = Field(default_factory=dict, alias="fieldMappings")


class MappingFileModel(_Strict):
    version: Literal[1] = FORMAT_VERSION
    store: StrictStr
    export: ExportSection | None = None
    import_: ImportSection | None = Field(default=None, alias="import")
    products: ProductsSection | None = None

    @field_validator("store")
    @classmethod
    def _store_is_a_name_or_url(cls, value: str) -> str:
        text = value.strip()
        if not text:
            raise ValueError("name the store by its connection name or URL")
        if text.isdigit():
            raise ValueError(
                "name the store by its connection name or URL, not by a numeric id "
                "(ids differ from one machine to the next)"
            )
        return text


@dataclass(frozen=True)
class MappingDocument:
    """One validated document of a mapping file, with the line of every key in it."""

    source: str
    store: str
    export: ExportSection | None
    import_: ImportSection | None
    lines: dict[Location, int] = field(default_factory=dict, repr=False)
    line: int = 1
    products: ProductsSection | None = None

    def line_of(self, *path: str | int) -> int:
        """The line of ``path`` (e.g. ``"export", "fieldMappings", "COLOR"``) or its nearest parent."""
        location: Location = tuple(path)
        while location:
            if location in self.lines:
                return self.lines[location]
            location = location[:-1]
        return self.line

    def where(self, *path: str | int) -> str:
        """``retail.yaml:7`` for an error message."""
        return f"{self.source}:{self.line_of(*path)}"


# --- loading -------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps the node tree, so every key can be traced back to its line."""


@dataclass
class _Marks:
    lines: dict[Location, int] = field(default_factory=dict)
    plain: dict[Location, str] = field(default_factory=dict)  # unquoted scalars, as written


def _index(loader: _Loader, node: yaml.Node, path: Location, marks: _Marks, source: str) -> None:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolve ``<<`` merge keys as the constructor will
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = (
                loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            )
            shown = _dotted((*path, str(key)))
            if key in seen:
                raise ValidationError(
                    f"{source}:{line}: {shown}: duplicate key (first given on line {seen[key]})",
                    hint="keep one of them",
                )
            seen[key] = line
            if isinstance(key_node, yaml.ScalarNode) and key_node.style is None:
                marks.plain[(*path, key, "[key]")] = key_node.value
            marks.lines[(*path, key)] = line
            marks.lines.setdefault((*path, key, "[key]"), line)
            _index(loader, value_node, (*path, key), marks, source)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            marks.lines[(*path, position)] = item.start_mark.line + 1
            _index(loader, item, (*path, position), marks, source)
    elif isinstance(node, yaml.ScalarNode) and node.style is None:
        marks.plain[path] = node.value


def _dotted(location: Sequence[str | int]) -> str:
    text = ""
    for part in location:
        if part == "[key]":
            continue
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def _describe(error: Any, marks: _Marks) -> str:
    location: Location = tuple(error["loc"])
    value = error.get("input")
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key" + _suggest(location)
    if kind == "missing":
        return "required key is missing"
    if kind == "too_short":
        return "must not be empty"
    if kind == "literal_error" and location == ("version",):
        return (
            f"unsupported version {_yaml_repr(value)} (this woosync reads version {FORMAT_VERSION})"
        )
    if kind == "string_type" and location in marks.plain and not isinstance(value, (dict, list)):
        # YAML 1.1 turns unquoted NO/yes/on/0123/1.5/~ into booleans, numbers and null.
        written = marks.plain[location]
        return f'YAML reads the unquoted {written!r} as {_yaml_repr(value)}; write it in quotes: "{written}"'
    if kind in ("string_type", "dict_type", "list_type"):
        return f"expected {_expected(kind)}, got {_yaml_repr(value)}"
    return str(error["msg"]).removeprefix("Value error, ")


_KNOWN_KEYS: dict[Location, tuple[str, ...]] = {
    (): ("version", "store", "export", "import", "products"),
    ("export",): ("selectedFields", "fieldMappings"),
    ("import",): ("attributeMappings", "fieldMappings"),
    ("products",): ("include", "exclude"),
    ("products", "include"): _RULE_FIELDS,
    ("products", "exclude"): _RULE_FIELDS,
}


def _suggest(location: Location) -> str:
    import difflib

    allowed = _KNOWN_KEYS.get(location[:-1])
    if not allowed:
        return ""
    close = difflib.get_close_matches(str(location[-1]), allowed, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f" ({hint}known keys here: {', '.join(allowed)})"


def _expected(kind: str) -> str:
    return {
        "string_type": "text",
        "dict_type": "a mapping of key: value",
        "list_type": "a list",
    }.get(kind, "another value")


def _yaml_repr(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _validate(raw: Any, marks: _Marks, source: str, line: int) -> MappingDocument:
    if not isinstance(raw, dict):
        raise ValidationError(
            f"{source}:{line}: a mapping document must be a YAML mapping with a 'store:' key",
            hint="see examples/mappings/retail.yaml",
        )
    try:
        model = MappingFileModel.model_validate(raw)
    except PydanticError as exc:
        errors = exc.errors()
        first = errors[0]
        location: Location = tuple(first["loc"])
        where = marks.lines.get(location)
        probe = location
        while where is None and probe:
            probe = probe[:-1]
            where = marks.lines.get(probe)
        more = f" (and {len(errors) - 1} more problem(s) in this file)" if len(errors) > 1 else ""
        shown = location
        if location[-1:] == ("[key]",) and location in marks.plain:
            shown = (
                *location[:-2],
                marks.plain[location],
            )  # the key as written, not as YAML read it
        raise ValidationError(
            f"{source}:{where or line}: {_dotted(shown)}: {_describe(first, marks)}{more}"
        ) from None
    if model.export is None and model.import_ is None and model.products is None:
        raise ValidationError(
            f"{source}:{line}: a mapping document needs an 'export:', 'import:' or 'products:' "
            "section"
        )
    return MappingDocument(
        source=source,
        store=model.store,
        export=model.export,
        import_=model.import_,
        lines=dict(marks.lines),
        line=line,
        products=model.products,
    )


def parse_mapping_text(text: str, source: str) -> list[MappingDocument]:
    """Every document in ``text`` (named ``source`` in errors), validated; ValidationError if not
    (naming a merge conflict left in the file, when there is one)."""
    try:
        return _parse_mapping_text(text, source)
    except ValidationError:
        line = conflict_line(text.splitlines())
        if line is None:
            raise
        raise merge_conflict_error(source, line) from None


def _parse_mapping_text(text: str, source: str) -> list[MappingDocument]:
    yaml_bounds.check_yaml(
        text, source
    )  # before the node tree: an alias bomb would expand in _index
    loader = _Loader(text)
    documents: list[MappingDocument] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            marks = _Marks()
            _index(loader, node, (), marks, source)
            raw = loader.construct_document(node)
            documents.append(_validate(raw, marks, source, node.start_mark.line + 1))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ValidationError(f"{source}{line}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ValidationError(f"{source}: YAML error: {exc}") from None
    finally:
        loader.dispose()
    if not documents:
        raise ValidationError(f"{source}: the file holds no mapping", hint="see examples/mappings/")
    return documents


def load_mapping_files(paths: Iterable[str | Path]) -> list[MappingDocument]:
    """Read and validate every file before anything is applied (all-or-nothing starts here)."""
    documents: list[MappingDocument] = []
    for path in paths:
        name = str(path)
        try:
            text = bounds.read_text(path)
        except FileNotFoundError:
            raise ValidationError(f"{name}: no such file") from None
        except UnicodeDecodeError:
            raise ValidationError(f"{name}: not a UTF-8 text file") from None
        except OSError as exc:
            raise ValidationError(f"{name}: cannot read it ({exc.strerror})") from None
        documents.extend(parse_mapping_text(text, name))
    return documents
