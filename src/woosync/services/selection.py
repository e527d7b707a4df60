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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, select

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.timeutil import iso, utcnow
from woosync.db.bulk_sql import upsert_many
from woosync.db.models import Connection, Product, ProductExclusion, ProductSelection, ProductSync
from woosync.services.catalog.lookup import products_by_sku
from woosync.services.connections.lookup import connection_or_default
from woosync.services.export.records import load_syncs
from woosync.services.selection_rules import SelectionRules

DELETED = "deleted"
EXCLUDED = "excluded"
SELECTION = "selection"
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


def remember_deleted_id(session: Session, connection_id: int, product_id: int, woo_id: int) -> None:
    """The store's id of a product deleted there: the store keeps it in other products' links,
    which name it by this id (``sync.product_links.linked_skus``)."""
    table: Any = ProductExclusion.__table__  # type: ignore[attr-defined]
    session.execute(
        table.update()
        .where(table.c.connection_id == connection_id, table.c.product_id == product_id)
        .values(woo_product_id=woo_id or None)
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
