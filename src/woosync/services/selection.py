"""Which catalog products one store takes (issue 10): per-store exclusions and ``products:`` selections.

A product is kept out of a store when

- it was deleted there (``woosync delete``: reason ``deleted``) or excluded (``products exclude``:
  reason ``excluded``, the store keeps its copy): a row of ``product_exclusions``, until
  ``export --include`` or ``products include``;
- or the store's ``products:`` selection (from its mapping file) does not take it: it matches no
  ``include`` rule (when there are any) or matches an ``exclude`` rule.

Exports call :func:`split_excluded` where they read the products; imports skip products excluded from
the store they read; ``sync-status`` shows them. Every function takes an open session.

    rules = SelectionRules.from_dict({"include": {"categories": ["Shoes"]}})
    kept, excluded = split_excluded(session, 1, rows, rules)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, select

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.timeutil import iso, utcnow
from woosync.db.bulk_sql import upsert_many
from woosync.db.models import Connection, Product, ProductExclusion, ProductSelection, ProductSync
from woosync.products.categories import parse_category_path
from woosync.services.catalog import products_by_sku
from woosync.services.connections import connection_or_default
from woosync.services.export.records import load_syncs

DELETED = "deleted"
EXCLUDED = "excluded"
SELECTION = "selection"
RULE_KEYS = ("skus", "categories", "tags", "status")
STATUSES = ("publish", "draft", "pending", "private")
_CHUNK = 500

_REASONS = {
    DELETED: "deleted from this store by 'woosync delete'",
    EXCLUDED: "excluded from this store by 'woosync products exclude'",
    SELECTION: "outside this store's products: selection (its mapping file)",
}


def reason_text(reason: str) -> str:
    """What an exclusion reason means, for messages."""
    return _REASONS.get(reason, reason)


# --- products: selections ------------------------------------------------------------------------


@dataclass(frozen=True)
class SelectionRules:
    """A store's ``products:`` selection. A product goes to the store when it matches any
    ``include`` rule (or there are none) and no ``exclude`` rule; SKUs, categories and tags are
    compared without regard to case, a category rule takes the category and its subcategories
    (:class:`CategoryRule`), a product without a status counts as ``publish``."""

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
                key: frozenset(name.casefold() for name in names)
                for key, names in getattr(self, side).items()
                if key != "categories"
            }
            if "categories" in getattr(self, side):
                folded["categories"] = CategoryRule(getattr(self, side)["categories"])
            object.__setattr__(self, f"_{side}_folded", folded)

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)

    def columns(self) -> list[str]:
        """The ``products`` columns :meth:`admits` reads (besides ``sku``)."""
        keys = set(self.include) | set(self.exclude)
        return [name for name in ("categories", "tags", "status") if name in keys]

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
        if key == "categories":
            for name in names:
                try:
                    parse_category_path(name)
                except ValueError as exc:
                    raise ValidationError(f"products.{side}.categories: {exc}") from None
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
        if key == "categories":
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


def load_selection(session: Session, connection_id: int) -> SelectionRules:
    """The store's selection (empty, which takes everything, when it has none)."""
    found = session.exec(
        select(ProductSelection).where(ProductSelection.connection_id == connection_id)
    ).first()
    return SelectionRules.from_dict(found.rules) if found is not None else SelectionRules()


def save_selection(session: Session, connection_id: int, rules: SelectionRules) -> None:
    """Replace the store's selection (an empty one removes it: every product)."""
    found = session.exec(
        select(ProductSelection).where(ProductSelection.connection_id == connection_id)
    ).first()
    if not rules:
        if found is not None:
            session.delete(found)
        return
    if found is None:
        found = ProductSelection(connection_id=connection_id, rules=rules.to_dict())
    else:
        found.rules = rules.to_dict()
        found.updated_at = utcnow()
    session.add(found)


def selection_outcasts(
    session: Session, connection_id: int, product_id: int | None = None
) -> list[int]:
    """Products linked to the store (a sync record) that its ``products:`` selection leaves out."""
    selection = load_selection(session, connection_id)
    if not selection:
        return []
    products: Any = Product.__table__  # type: ignore[attr-defined]
    syncs: Any = ProductSync.__table__  # type: ignore[attr-defined]
    columns = [products.c.id, products.c.sku, *(products.c[n] for n in selection.columns())]
    query = (
        products.select()
        .with_only_columns(*columns)
        .join(syncs, syncs.c.product_id == products.c.id)
        .where(syncs.c.connection_id == connection_id)
    )
    if product_id is not None:
        query = query.where(products.c.id == product_id)
    return [int(row.id) for row in session.execute(query) if not selection.admits(row)]


# --- exclusions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exclusion:
    reason: str
    since: datetime | None


def exclusions(
    session: Session, connection_id: int, product_ids: Iterable[int] | None = None
) -> dict[int, Exclusion]:
    """``product_id -> Exclusion`` for the store's manual exclusions (of ``product_ids`` if given)."""
    table: Any = ProductExclusion.__table__  # type: ignore[attr-defined]
    query = table.select().with_only_columns(table.c.product_id, table.c.reason, table.c.created_at)
    query = query.where(table.c.connection_id == connection_id)
    found: dict[int, Exclusion] = {}
    if product_ids is None:
        for product_id, reason, since in session.execute(query):
            found[int(product_id)] = Exclusion(reason, since)
        return found
    wanted = list(dict.fromkeys(int(i) for i in product_ids))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for product_id, reason, since in session.execute(
            query.where(table.c.product_id.in_(chunk))
        ):
            found[int(product_id)] = Exclusion(reason, since)
    return found


def mark_excluded(
    session: Session, connection_id: int, product_ids: Iterable[int], reason: str
) -> None:
    """Keep these products out of the store (the latest reason wins)."""
    now = utcnow()
    rows = [
        {
            "connection_id": connection_id,
            "product_id": int(pid),
            "reason": reason,
            "created_at": now,
        }
        for pid in dict.fromkeys(product_ids)
    ]
    if rows:
        upsert_many(
            session,
            ProductExclusion.__table__,  # type: ignore[attr-defined]
            rows,
            conflict=("connection_id", "product_id"),
        )


def drop_exclusions(session: Session, connection_id: int, product_ids: Iterable[int]) -> list[int]:
    """Let these products go to the store again; returns those that were excluded."""
    found = sorted(exclusions(session, connection_id, product_ids))
    if found:
        table: Any = ProductExclusion.__table__  # type: ignore[attr-defined]
        session.execute(
            delete(table).where(
                table.c.connection_id == connection_id, table.c.product_id.in_(found)
            )
        )
    return found


@dataclass(frozen=True)
class Excluded:
    """A product an export leaves out, and why."""

    product_id: int
    sku: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "productId": self.product_id,
            "sku": self.sku,
            "reason": self.reason,
            "message": reason_text(self.reason),
        }


def split_excluded(
    session: Session,
    connection_id: int,
    rows: Sequence[Any],
    selection: SelectionRules,
    *,
    ignore_manual: bool = False,
) -> tuple[list[Any], list[Excluded]]:
    """``rows`` (with ``id``, ``sku`` and ``selection.columns()``) split into those the store takes
    and those it does not. ``ignore_manual`` (``export --include``): manual exclusions do not count."""
    # Many rows (``--all``): the connection's exclusions in one query beat IN lists of 500 ids.
    wanted = None if len(rows) > _CHUNK else [r.id for r in rows]
    manual = {} if ignore_manual else exclusions(session, connection_id, wanted)
    kept: list[Any] = []
    left_out: list[Excluded] = []
    for row in rows:
        exclusion = manual.get(row.id)
        if exclusion is not None:
            left_out.append(Excluded(row.id, row.sku, exclusion.reason))
        elif selection and not selection.admits(row):
            left_out.append(Excluded(row.id, row.sku, SELECTION))
        else:
            kept.append(row)
    return kept, left_out


# --- products exclude / include ------------------------------------------------------------------


def _products_by_sku(session: Session, skus: Sequence[str]) -> list[Any]:
    wanted = list(dict.fromkeys(s.strip() for s in skus if s and s.strip()))
    if not wanted:
        raise ValidationError("no SKUs given", hint="e.g. woosync products exclude -c 1 MUG-1")
    found = products_by_sku(session, wanted)
    missing = [sku for sku in wanted if sku not in found]
    if missing:
        raise NotFoundError(
            f"no product with SKU {', '.join(missing[:20])}",
            hint="run 'woosync products list' to see them; nothing was changed",
        )
    return [found[sku] for sku in wanted]


def _connection(session: Session, connection: int | str | None) -> tuple[Connection, int]:
    conn = connection_or_default(session, connection)
    assert conn.id is not None
    return conn, conn.id


def exclude_products(
    session: Session, connection: int | str, skus: Sequence[str]
) -> dict[str, Any]:
    """``products exclude``: keep these products out of the store; its copies stay as they are.

    Their sync records stay (the link to the store's copy), so ``products include`` later updates
    that copy instead of creating another one. ``{connectionId, storeName, excluded: [{productId,
    sku, wooProductId, already}]}``.
    """
    conn, connection_id = _connection(session, connection)
    products = _products_by_sku(session, skus)
    ids = [int(p.id) for p in products]
    before = exclusions(session, connection_id, ids)
    syncs = load_syncs(session, connection_id, ids)
    mark_excluded(session, connection_id, ids, EXCLUDED)
    return {
        "connectionId": connection_id,
        "storeName": conn.store_name,
        "excluded": [
            {
                "productId": p.id,
                "sku": p.sku,
                "wooProductId": (syncs[p.id].woo_product_id or None) if p.id in syncs else None,
                "already": p.id in before,
            }
            for p in products
        ],
    }


def include_products(
    session: Session, connection: int | str, skus: Sequence[str]
) -> dict[str, Any]:
    """``products include``: let these products go to the store again (its next export sends them).

    ``{connectionId, storeName, included: [{productId, sku, wasExcluded, outsideSelection}]}``;
    ``outsideSelection``: the store's ``products:`` selection still leaves it out.
    """
    conn, connection_id = _connection(session, connection)
    products = _products_by_sku(session, skus)
    dropped = set(drop_exclusions(session, connection_id, [int(p.id) for p in products]))
    selection = load_selection(session, connection_id)
    return {
        "connectionId": connection_id,
        "storeName": conn.store_name,
        "included": [
            {
                "productId": p.id,
                "sku": p.sku,
                "wasExcluded": p.id in dropped,
                "outsideSelection": bool(selection) and not selection.admits(p),
            }
            for p in products
        ],
    }


def exclusion_to_dict(exclusion: Exclusion) -> dict[str, Any]:
    return {"reason": exclusion.reason, "since": iso(exclusion.since)}
