"""What the variation export reads from the database: variable parents (with their link to the
store) and their variations (with theirs)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from woosync.db.models import Product
from woosync.services.export.records import load_syncs

VARIABLE = "variable"
VARIATION = "variation"
_CHUNK = 500


@dataclass(slots=True)
class Family:
    """A variable product, its store id (0 when it is not in the store), and its variations."""

    product_id: int
    sku: str
    name: str
    attributes: dict[str, Any]
    woo_id: int
    store_attributes: list[dict[str, Any]] | None
    variations: list[Any] = field(default_factory=list)  # Product rows (read-only)
    syncs: dict[int, Any] = field(default_factory=dict)  # variation id -> its sync record


def variable_ids(session: Session, product_ids: Iterable[int]) -> list[int]:
    """Those of ``product_ids`` that are variable products, in the order given."""
    table: Any = Product.__table__  # type: ignore[attr-defined]
    wanted = list(dict.fromkeys(int(i) for i in product_ids))
    found: set[int] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = select(table.c.id).where(table.c.id.in_(chunk), table.c.type == VARIABLE)
        found.update(int(row[0]) for row in session.execute(query))
    return [i for i in wanted if i in found]


def parents_of(session: Session, variation_ids: Iterable[int]) -> dict[int, int]:
    """``variation id -> its parent's id`` for those of ``variation_ids`` that are variations."""
    table: Any = Product.__table__  # type: ignore[attr-defined]
    wanted = list(dict.fromkeys(int(i) for i in variation_ids))
    found: dict[int, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = select(table.c.id, table.c.parent_id).where(
            table.c.id.in_(chunk), table.c.parent_id.is_not(None)
        )
        found.update({int(i): int(p) for i, p in session.execute(query)})
    return found


def load_families(session: Session, connection_id: int, parent_ids: Sequence[int]) -> list[Family]:
    """The families of ``parent_ids`` (variable products only), variations oldest first."""
    table: Any = Product.__table__  # type: ignore[attr-defined]
    parents = session.execute(
        select(table.c.id, table.c.sku, table.c.name, table.c.attributes).where(
            table.c.id.in_(list(parent_ids)), table.c.type == VARIABLE
        )
    ).all()
    links = load_syncs(session, connection_id, [row.id for row in parents])
    families = {
        int(row.id): Family(
            int(row.id),
            str(row.sku),
            str(row.name),
            dict(row.attributes or {}),
            int(getattr(links.get(row.id), "woo_product_id", 0) or 0),
            getattr(links.get(row.id), "store_attributes", None),
        )
        for row in parents
    }
    children = session.exec(
        select(Product).where(table.c.parent_id.in_(list(families))).order_by(table.c.id)
    ).all()
    for child in children:
        families[int(child.parent_id or 0)].variations.append(child)
    syncs = load_syncs(session, connection_id, [int(c.id or 0) for c in children])
    for family in families.values():
        family.syncs = {int(v.id): syncs[v.id] for v in family.variations if v.id in syncs}
    return [families[i] for i in parent_ids if i in families]
