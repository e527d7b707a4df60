"""The rules of a store's ``products:`` selection (its mapping file): which catalog products it
takes, by SKU, category path (a rule's category takes its subcategories), tag, brand and status.

    rules = SelectionRules.from_dict({"include": {"categories": ["Shoes"]}})
    rules.admits(row)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from woosync.core.errors import ValidationError
from woosync.products.categories import parse_category_path

RULE_KEYS = ("skus", "categories", "tags", "brands", "status")
PATH_RULES = ("categories", "brands")  # trees: a rule takes what is under it too
STATUSES = ("publish", "draft", "pending", "private")


@dataclass(frozen=True)
class SelectionRules:
    """A store's ``products:`` selection. A product goes to the store when it matches any
    ``include`` rule (or there are none) and no ``exclude`` rule; SKUs, categories, tags and brands are
    compared without regard to case, a category (or brand) rule takes the category and its
    subcategories (:class:`CategoryRule`), a product without a status counts as ``publish``."""

    include: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, rules: Mapping[str, Any] | None) -> SelectionRules:
        """From the stored (and file) shape; ValidationError on an unknown key or status."""
        rules = rules or {}
        unknown = set(rules) - {"include", "exclude"}
        if unknown:
            raise ValidationError(f"products: unknown key {sorted(unknown)[0]!r}")
        return cls(_side(rules.get("include"), "include"), _side(rules.get("exclude"), "exclude"))

    def to_dict(self) -> dict[str, Any]:
        """The stored shape: only the sides and lists given, lists in the order given."""
        found: dict[str, Any] = {}
        for side, lists in (("include", self.include), ("exclude", self.exclude)):
            if lists:
                found[side] = {key: list(lists[key]) for key in RULE_KEYS if key in lists}
        return found

    def __post_init__(self) -> None:
        # case-folded once, not once per product; category rules as paths of folded names
        for side in ("include", "exclude"):
            folded: dict[str, Any] = {
                key: CategoryRule(names)
                if key in PATH_RULES
                else frozenset(name.casefold() for name in names)
                for key, names in getattr(self, side).items()
            }
            object.__setattr__(self, f"_{side}_folded", folded)

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)

    def columns(self) -> list[str]:
        """The ``products`` columns :meth:`admits` reads (besides ``sku``)."""
        keys = set(self.include) | set(self.exclude)
        return [name for name in ("categories", "tags", "brands", "status") if name in keys]

    def admits(self, row: Any) -> bool:
        """Whether the store takes this product (a row with ``sku`` and :meth:`columns`)."""
        if self.include and not _matches(self._include_folded, row):  # type: ignore[attr-defined]
            return False
        return not (self.exclude and _matches(self._exclude_folded, row))  # type: ignore[attr-defined]


def _side(value: Any, side: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(f"products.{side}: expected a mapping of rule: list")
    found: dict[str, tuple[str, ...]] = {}
    for key, items in value.items():
        if key not in RULE_KEYS:
            raise ValidationError(
                f"products.{side}.{key}: unknown rule", hint=f"use {', '.join(RULE_KEYS)}"
            )
        names = tuple(dict.fromkeys(str(item).strip() for item in items or () if str(item).strip()))
        if key in PATH_RULES:
            for name in names:
                try:
                    parse_category_path(name)
                except ValueError as exc:
                    raise ValidationError(f"products.{side}.{key}: {exc}") from None
        if key == "status":
            wrong = [name for name in names if name not in STATUSES]
            if wrong:
                raise ValidationError(
                    f"products.{side}.status: unknown status {wrong[0]!r}",
                    hint=f"use {', '.join(STATUSES)}",
                )
        if names:
            found[key] = names
    return found


class CategoryRule:
    """A ``categories`` rule: each name is a category path (``Kitchen > Mugs``, ``\\>`` for a
    ``>`` inside a name). It matches a product category whose path holds it at any level, names
    compared without regard to case: ``Kitchen`` takes ``Kitchen`` and everything under it
    (``Kitchen > Mugs``), ``Mugs`` takes ``Kitchen > Mugs`` and ``Kitchen > Mugs > Travel``, and
    ``Kitchen > Mugs`` takes ``Kitchen > Mugs > Travel`` but not ``Kitchen > Plates``."""

    _MEMO_LIMIT = 10_000  # a catalog's category paths repeat from product to product

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = [_folded_path(path) for path in paths]
        self._memo: dict[str, bool] = {}

    def takes(self, category: str) -> bool:
        found = self._memo.get(category)
        if found is None:
            found = self._takes(_folded_path(category))
            if len(self._memo) < self._MEMO_LIMIT:
                self._memo[category] = found
        return found

    def _takes(self, names: tuple[str, ...]) -> bool:
        for path in self.paths:
            size = len(path)
            if any(names[i : i + size] == path for i in range(len(names) - size + 1)):
                return True
        return False


def _folded_path(text: str) -> tuple[str, ...]:
    """A category path's names, case-folded (``\\>`` kept inside a name); a malformed path (an
    empty level) counts as one name, as written."""
    if ">" not in text and "\\" not in text:
        return (text.strip().casefold(),)
    try:
        return tuple(name.casefold() for name in parse_category_path(text))
    except ValueError:
        return (text.strip().casefold(),)


def _matches(rules: Mapping[str, Any], row: Any) -> bool:
    for key, wanted in rules.items():
        if key in PATH_RULES:
            if any(wanted.takes(str(value)) for value in getattr(row, key, None) or ()):
                return True
            continue
        if key == "skus":
            values = [row.sku]
        elif key == "status":
            values = [getattr(row, "status", None) or "publish"]
        else:
            values = list(getattr(row, key, None) or [])
        if any(str(value).casefold() in wanted for value in values):
            return True
    return False
