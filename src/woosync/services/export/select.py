"""The select stage of export: the products asked for, streamed in chunks, and what is known of them.

Exactly one way of choosing: ``product_ids`` or ``skus`` (in the order given; one missing is an
error before anything is sent), ``all_products`` (by id) or ``retry_failed`` (whose sync record
for this store says ``error``, or ``pending`` after an interrupted run). :func:`raw_chunks` reads
them ``CHUNK`` at a time as the database stores them (no JSON decoded), SQLite saying which are
unchanged for a partial export (``unchanged.py``: of those only the id, the SKU and the columns
the exclusions read); :func:`split_chunk` leaves out the exclusions; :func:`load_items` decodes
the rest (the same rows: ``db.raw_rows``), reads the sync records of those that have one, and makes
each an :class:`~state.Item` with its desired values (``plan.desired_values``).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from woosync.core.errors import NotFoundError, ValidationError, param
from woosync.core.fields import LIST_FIELDS, SCALAR_FIELDS
from woosync.db.raw_rows import RowReader
from woosync.products import variations
from woosync.services.catalog.reading import field_label, field_value
from woosync.services.export import plan, unchanged
from woosync.services.export.records import RETRY_STATUSES, load_syncs
from woosync.services.export.state import Item, Known
from woosync.services.selection import Excluded, exclusions, split_excluded
from woosync.services.selection_rules import SelectionRules
from woosync.services.sync import targets as sync_targets

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.engine import Database

CHUNK = 2000  # products planned, looked up, sent and booked together
_IN_LIMIT = 500  # ids per IN (...) query
# what a RawRow holds after the product's columns: its sync record's (None without one), the
# product's revision, whether it is a variable product, and whether it is quiet (unchanged.quiet:
# its columns but ``kept`` are NULL)
TAIL = ("woo_product_id", "sync_status", "last_exported_at", "revision", "variable", "quiet")
RawRow = tuple[Any, ...]  # the product's columns (``product_columns``), then TAIL
WOO_ID, SYNC_STATUS, LAST_EXPORTED, REVISION, VARIABLE, QUIET = range(-len(TAIL), 0)


@dataclass(frozen=True, slots=True)
class Choice:
    """Which products an export covers (exactly one way)."""

    product_ids: tuple[int, ...] = ()
    skus: tuple[str, ...] = ()
    all_products: bool = False
    retry_failed: bool = False

    @classmethod
    def of(
        cls,
        product_ids: Iterable[int] | None,
        skus: Iterable[str] | None,
        all_products: bool,
        retry_failed: bool,
    ) -> Choice:
        choice = cls(
            tuple(dict.fromkeys(int(i) for i in product_ids or ())),
            tuple(dict.fromkeys(s.strip() for s in skus or () if s.strip())),
            all_products,
            retry_failed,
        )
        ways = [bool(product_ids), bool(skus), all_products, retry_failed]
        if sum(ways) != 1:
            raise ValidationError(
                f"choose the products to export with exactly one of {param('product_ids')}, "
                f"{param('skus')}, {param('all_products')} or {param('retry_failed')}"
            )
        return choice

    @property
    def named(self) -> tuple[int, ...] | tuple[str, ...]:
        return self.product_ids or self.skus


def check_named(session: Session, choice: Choice) -> None:
    """Products named by id or SKU that the catalog does not have: an error before any work."""
    if not choice.named:
        return
    column = "id" if choice.product_ids else "sku"
    found: set[Any] = set()
    for group in _groups(list(choice.named)):
        query = f"SELECT {column} FROM products WHERE {column} IN ({_marks(group)})"
        found.update(
            value for (value,) in session.connection().exec_driver_sql(query, tuple(group))
        )
    missing = [str(key) for key in choice.named if key not in found]
    if missing:
        shown = ", ".join(missing[:20]) + (" ..." if len(missing) > 20 else "")
        what = ("product " if len(missing) == 1 else "products ") if choice.product_ids else "SKU "
        raise NotFoundError(
            f"{what}{shown} not found" if choice.product_ids else f"no product with SKU {shown}",
            hint="run 'woosync products list' to see them",
        )


def count_chosen(session: Session, connection_id: int, *, retry_failed: bool) -> int:
    """How many products ``all_products`` (or ``retry_failed`` for this store) covers."""
    if retry_failed:
        query = (
            "SELECT count(*) FROM product_sync WHERE connection_id = ? "
            f"AND sync_status IN ({_marks(RETRY_STATUSES)})"
        )
        params: tuple[Any, ...] = (connection_id, *RETRY_STATUSES)
    else:
        query, params = "SELECT count(*) FROM products WHERE parent_id IS NULL", ()
    return int(session.connection().exec_driver_sql(query, params).scalar() or 0)


def raw_chunks(
    db: Database,
    connection_id: int,
    choice: Choice,
    columns: Sequence[str],
    *,
    quiet: str | None = None,
    kept: Iterable[str] = (),
) -> Iterator[list[RawRow]]:
    """The products chosen, ``CHUNK`` at a time, as stored (a short read per chunk: nothing is
    held open while the chunk is sent). ``quiet``: the settings of a partial export
    (``unchanged.settings``): a product whose record holds their stamp is quiet, and of its
    columns only ``id``, ``sku`` and ``kept`` are read (the others are NULL)."""
    size = CHUNK
    head = _head(columns, quiet, kept)
    first = (connection_id,) if quiet is None else (connection_id, quiet)
    if choice.named:
        column = "id" if choice.product_ids else "sku"
        position = columns.index(column)
        for start in range(0, len(choice.named), size):
            wanted = list(choice.named[start : start + size])
            found: dict[Any, RawRow] = {}
            with db.session() as session:
                cursor = _cursor(session)
                for group in _groups(wanted):
                    query = f"{head} WHERE p.{column} IN ({_marks(group)})"
                    for row in cursor.execute(query, (*first, *group)):
                        found[row[position]] = row
            yield [found[key] for key in wanted if key in found]
        return
    # variations go out with their variable product (variation_run), never through /products/batch
    where = " WHERE p.id > ? AND p.parent_id IS NULL"
    if choice.retry_failed:
        where += f" AND s.sync_status IN ({_marks(RETRY_STATUSES)})"
    query = f"{head}{where} ORDER BY p.id LIMIT ?"
    after = 0
    while True:
        params = (*first, after, *(RETRY_STATUSES if choice.retry_failed else ()), size)
        with db.session() as session:
            rows = _cursor(session).execute(query, params).fetchall()
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        after = rows[-1][0]


def _head(columns: Sequence[str], quiet: str | None, kept: Iterable[str]) -> str:
    """The query up to its WHERE: ``columns`` and :data:`TAIL` of products ``p`` with their
    record ``s`` for the connection (the first parameter); with ``quiet`` (the second), ``q`` is
    the record when it holds the stamp (``unchanged.quiet``), and a quiet product's columns but
    ``kept`` are not read."""
    variable = f"p.type = '{variations.VARIABLE}'"
    tail = f"s.woo_product_id, s.sync_status, s.last_exported_at, p.revision, {variable}"
    joined = (
        " FROM products p LEFT JOIN product_sync s ON s.product_id = p.id AND s.connection_id = ?"
    )
    if quiet is None:
        return f"SELECT {', '.join(f'p.{c}' for c in columns)}, {tail}, 0{joined}"
    always = {"id", "sku", *kept}
    shown = [f"p.{c}" if c in always else f"CASE WHEN q.id IS NULL THEN p.{c} END" for c in columns]
    return (
        f"SELECT {', '.join(shown)}, {tail}, q.id IS NOT NULL{joined}"
        f" LEFT JOIN product_sync q ON q.id = s.id AND {unchanged.quiet('q')}"
    )


def split_chunk(
    session: Session,
    connection_id: int,
    rows: Sequence[RawRow],
    columns: Sequence[str],
    selection: SelectionRules,
    *,
    ignore_manual: bool,
) -> tuple[list[RawRow], list[Excluded]]:
    """The rows this store takes, and those it does not (``selection.split_excluded``); only the
    columns the selection reads are decoded."""
    if not selection and not ignore_manual:
        wanted = [row[0] for row in rows] if len(rows) <= _IN_LIMIT else None
        if not exclusions(session, connection_id, wanted):  # the common case: nothing to split
            return list(rows), []
    position = {name: index for index, name in enumerate(columns)}
    wanted = selection.columns()
    shown = []
    for row in rows:
        fields = {name: _decoded(name, row[position[name]]) for name in wanted}
        shown.append(SimpleNamespace(id=row[0], sku=row[1], raw=row, **fields))
    kept, left_out = split_excluded(
        session, connection_id, shown, selection, ignore_manual=ignore_manual
    )
    return [entry.raw for entry in kept], left_out


def _decoded(name: str, raw: Any) -> Any:
    if name in ("categories", "tags", "brands") and isinstance(raw, str):
        return json.loads(raw)
    return raw


_UNPUBLISHED = frozenset({"draft", "pending", "private"})


def unpublished(status: str | None) -> str | None:
    """``status`` when a store would show a product created without it that the catalog does not
    (a draft, pending review, private); ``None`` for a published one."""
    return status if status in _UNPUBLISHED else None


_NOT_SIMPLE = frozenset({"external", "grouped"})


def created_type(product_type: str | None) -> str | None:
    """``product_type`` when a store would make a product created without it a simple product
    it sells (an external/affiliate product, a grouped one); ``None`` otherwise (a variable
    product's write carries its type always: ``variation_parents``)."""
    return product_type if product_type in _NOT_SIMPLE else None


def load_items(
    session: Session,
    connection_id: int,
    rows: Sequence[RawRow],
    decode: RowReader,
    targets: Sequence[sync_targets.Target],
    readers: dict[str, Callable[[Any], Any]],
    allow_empty: Sequence[str],
) -> list[Item]:
    """The products of ``rows`` (as :func:`raw_chunks` read them) decoded by ``decode``
    (``db.raw_rows.row_reader`` of their columns: no second read), with their sync records (read
    only for the rows that have one), as items with their desired values, in order."""
    with_record = [int(row[0]) for row in rows if row[SYNC_STATUS] is not None]
    syncs = load_syncs(session, connection_id, with_record) if with_record else {}
    items = []
    values_of = plan.ValuesOf(targets, readers, allow_empty)  # desired_values, chosen per target
    sends_status = any(t.woo == "status" for t in targets)
    sends_type = any(t.woo == "type" for t in targets)
    for row, product in zip(rows, decode(rows), strict=True):
        try:
            values = values_of(product)
            refused = None
        except sync_targets.ValueRefused as exc:
            values, refused = {}, refused_message(product, exc)
        item = Item(product.id, product.sku, values, variable=bool(row[VARIABLE]))
        if not sends_status:
            item.unpublished = unpublished(getattr(product, "status", None))
        if not sends_type:
            item.created_type = created_type(getattr(product, "type", None))
        if refused is not None:
            item.fail(refused)  # never sent; booked as an error like a failed write
        sync = syncs.get(product.id)
        if sync is not None:
            item.known = Known(
                woo_id=sync.woo_product_id or 0,
                previous=dict(sync.exported_values or {}),
                store_attributes=sync.store_attributes,
                last_exported_at=sync.last_exported_at,
                prior_status=sync.sync_status,
                prior_fields=sync.last_modified_fields,
                echoes=sync.store_echoes,
                image_sources=sync.image_sources,
                conflicts=sync.conflicts,
                digest=sync.export_digest,
            )
        items.append(item)
    return items


def refused_message(product: Any, exc: sync_targets.ValueRefused) -> str:
    """``SKU-1: custom field eurPrice "20,90" cannot go to regular_price: not a plain decimal
    (write 20.90)``."""
    value = exc.value if isinstance(exc.value, str) else sync_targets.text(exc.value)
    return (
        f'{product.sku}: {field_label(product, exc.target.field)} "{value}" cannot go to '
        f"{exc.target.woo}: {exc.reason}"
    )


def field_readers(names: Iterable[str]) -> dict[str, Callable[[Any], Any]]:
    """``name -> (row -> catalog.field_value(row, name))``, each chosen once per run rather than
    once per product and field: a standard scalar or list field reads its column as field_value
    does; any other name (dimensions, attributes, custom fields) goes through field_value."""

    def scalar(name: str) -> Callable[[Any], Any]:
        return operator.attrgetter(name)

    def listed(name: str) -> Callable[[Any], Any]:
        return lambda row: list(getattr(row, name) or [])

    def other(name: str) -> Callable[[Any], Any]:
        return lambda row: field_value(row, name)

    return {
        name: (scalar if name in SCALAR_FIELDS else listed if name in LIST_FIELDS else other)(name)
        for name in names
    }


def _cursor(session: Session) -> Any:
    """A plain sqlite3 cursor on the session's connection: rows as tuples of stored values."""
    return session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def _groups(values: list[Any]) -> list[list[Any]]:
    return [values[s : s + _IN_LIMIT] for s in range(0, len(values), _IN_LIMIT)]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))
