"""What the variation export reads from the database: variable parents (with their link to the
store) and their variations (with theirs)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from woosync.db.models import Product, ProductSync
from woosync.db.raw_rows import row_reader
from woosync.products.variations import varied_attributes
from woosync.services.export.records import product_columns
from woosync.services.selection import exclusions

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
    variations: list[Any] = field(default_factory=list)  # read-only rows (load_families)
    syncs: dict[int, Any] = field(default_factory=dict)  # variation id -> its sync record
    conflicts: frozenset[str] = frozenset()  # the parent's keys in conflict with this store
    # variations kept out of this store (``products exclude``), (row, why): never written, and
    # the store's copies stay (never pruned)
    excluded: list[tuple[Any, str]] = field(default_factory=list)

    def varied_attributes(self) -> dict[str, Any]:
        """Its attributes its variations (those kept out of this store too) vary by."""
        rows = [*self.variations, *(row for row, _why in self.excluded)]
        return varied_attributes(self.attributes, (row.attributes for row in rows))

    def held_by_excluded(self, store_variation: Mapping[str, Any]) -> bool:
        """Whether a store variation is the copy of a variation kept out of this store (by its
        link, else its SKU): left as it is, never pruned."""
        if not self.excluded:
            return False
        woo_id = int(store_variation.get("id") or 0)
        sku = str(store_variation.get("sku") or "").casefold()
        for row, _reason in self.excluded:
            link = self.syncs.get(int(row.id))
            if (link is not None and int(link.woo_product_id or 0) == woo_id) or (
                sku and str(row.sku or "").casefold() == sku
            ):
                return True
        return False


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


def load_families(
    session: Session, connection_id: int, parent_ids: Sequence[int], fields: Iterable[str] = ()
) -> list[Family]:
    """The families of ``parent_ids`` (variable products only), variations oldest first. A
    variation is a read-only row of the columns ``fields`` are read from (``field_value``), with
    its ``id``, ``sku``, ``parent_id`` and ``attributes``; its sync record has its link, the
    fingerprints last exported and when, its echoes and conflicts. Variations kept out of this
    store are set apart in ``Family.excluded``."""
    table: Any = Product.__table__  # type: ignore[attr-defined]
    wanted = list(dict.fromkeys(int(i) for i in parent_ids))
    families: dict[int, Family] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = select(table.c.id, table.c.sku, table.c.name, table.c.attributes).where(
            table.c.id.in_(wanted[start : start + _CHUNK]), table.c.type == VARIABLE
        )
        for row in session.execute(query):
            families[int(row.id)] = Family(
                int(row.id), str(row.sku), str(row.name), dict(row.attributes or {}), 0, None
            )
    for product_id, woo_id, held, conflicts in _links(
        session, connection_id, list(families), _PARENT_LINK
    ):
        families[product_id].woo_id = int(woo_id or 0)
        families[product_id].store_attributes = held
        families[product_id].conflicts = frozenset(conflicts or ())
    names = sorted({*product_columns(fields), "id", "sku", "parent_id", "attributes"})
    parents = list(families)
    children = _raw(session, table, names, "parent_id", parents, order="id")
    for child in children:
        families[int(child.parent_id)].variations.append(child)
    links = _raw(
        session,
        ProductSync.__table__,  # type: ignore[attr-defined]
        _VARIATION_LINK,
        "product_id",
        [int(c.id) for c in children],
        where=f"connection_id = {int(connection_id)}",
    )
    syncs = {int(row.product_id): row for row in links}
    for family in families.values():
        family.syncs = {int(v.id): syncs[v.id] for v in family.variations if v.id in syncs}
    child_ids = [int(c.id) for c in children]
    kept_out = (
        exclusions(session, connection_id, child_ids if len(child_ids) <= _CHUNK else None)
        if child_ids
        else {}
    )
    if kept_out:
        for family in families.values():
            family.excluded = [
                (v, kept_out[int(v.id)].reason) for v in family.variations if int(v.id) in kept_out
            ]
            if family.excluded:
                family.variations = [v for v in family.variations if int(v.id) not in kept_out]
    return [families[i] for i in wanted if i in families]


_PARENT_LINK = ("product_id", "woo_product_id", "store_attributes", "conflicts")
_VARIATION_LINK = (
    "product_id",
    "woo_product_id",
    "exported_values",
    "last_exported_at",
    "store_echoes",  # an import's memory, kept for the keys a write does not send
    "conflicts",
    "image_sources",  # store media id -> the catalog URL it stands for (see sync.echoes)
    "sync_status",  # failed last time: its request may have landed (images.VariationImageClaims)
)


def _raw(
    session: Session,
    table: Any,
    names: Sequence[str],
    key: str,
    values: Sequence[int],
    *,
    where: str = "",
    order: str = "",
) -> list[Any]:
    """The rows of ``table`` whose ``key`` is among ``values`` (and ``where``), only the columns
    ``names``: read with a plain cursor and decoded as SQLAlchemy decodes them
    (``db.raw_rows``), a named tuple each (a variation's row is only read: no ``Row`` machinery
    per variation)."""
    connection = session.connection()
    decode = row_reader(table, names, connection.dialect)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    head = f"SELECT {', '.join(names)} FROM {table.name} WHERE "
    head += f"{where} AND " if where else ""
    found: list[Any] = []
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        query = f"{head}{key} IN ({', '.join('?' * len(chunk))})"
        if order:
            query += f" ORDER BY {order}"
        found += decode(cursor.execute(query, chunk).fetchall())
    return found


def _links(
    session: Session, connection_id: int, product_ids: list[int], names: Sequence[str]
) -> list[Any]:
    """The sync records of ``product_ids`` in this store, only the columns ``names``."""
    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    columns = [table.c[name] for name in names]
    found: list[Any] = []
    for start in range(0, len(product_ids), _CHUNK):
        query = select(*columns).where(
            table.c.connection_id == connection_id,
            table.c.product_id.in_(product_ids[start : start + _CHUNK]),
        )
        found += session.execute(query).all()
    return found
