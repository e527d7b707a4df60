"""``products load``: a CSV, JSON or YAML product file upserted by SKU in one transaction.

The file is read as a stream and written in chunks of :data:`LOAD_CHUNK` rows inside one
transaction, so memory holds a chunk (and one compact entry per SKU for the file-wide duplicate
check), whatever the file's length. A file with an invalid row anywhere is rolled back whole
(unless ``skip_invalid``), and so is a dry run: what it reports is what the load would do.

Simple products go the light way (an unchanged product is known by its load digest without
reading its values, else plain rows compared with the stored columns; an unchanged product is
not written, but for a digest it lacked; new ones in one ``executemany``); variable products and
variations (and the new products of a chunk that has some, so that ids follow the file's order)
go through :func:`~woosync.services.catalog.upsert.upsert_rows`, which checks each family whole.
A variation whose parent is neither in the file so far nor in the catalog waits for the end of
the file (its parent may come later).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from woosync.core.errors import ValidationError
from woosync.core.timeutil import utcnow
from woosync.db.bulk_sql import insert_many
from woosync.db.models import Product
from woosync.files.product_files import detect_format, iter_product_file
from woosync.files.woocommerce_csv import Notes
from woosync.products.rows import RowChecker, RowError, SkuRegister, ValidRow
from woosync.products.variations import VARIABLE, VARIATION, kind, type_change_problem
from woosync.services.catalog.changes import new_product_row, plan_fields, since_last_load
from woosync.services.catalog.lookup import case_twin_message
from woosync.services.catalog.stored import (
    StoredDigest,
    TwinIndex,
    digests_by_sku,
    existing_skus,
    fill_digests,
    row_digest,
    stored_by_sku,
    write_changes,
)
from woosync.services.catalog.tombstones import drop_tombstones
from woosync.services.catalog.upsert import upsert_rows
from woosync.services.catalog.views import FieldChange, LoadReport, UpsertResult

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.engine import Database

LOAD_CHUNK = 2000  # rows written at a time
_PRODUCTS: Any = Product.__table__  # type: ignore[attr-defined]


def load_products(
    db: Database,
    path: Path | str,
    *,
    fmt: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    decimal_comma: bool = False,
    overwrite: bool = False,
) -> LoadReport:
    """Upsert a CSV, JSON or YAML product file by SKU in one transaction (see ``upsert_products``).

    ``decimal_comma`` reads European spreadsheets: ``12,50`` is 12.50 in money and measure columns
    and in custom fields that look like such numbers. A row loaded before applies only what the
    file changed since, keeping what else changed the product since (an import, ``products
    edit``); ``overwrite`` applies every row whole, over those edits too.
    """
    fmt = detect_format(path, fmt)
    checker = RowChecker(decimal_comma)
    notes = Notes()
    with db.session() as session:
        writer = _Writer(session, checker.skus, TwinIndex(session), overwrite)
        for source in iter_product_file(path, fmt, notes):
            checker.row(source)
            if len(checker.valid) >= LOAD_CHUNK:
                writer.write(checker.take())
        writer.write(checker.take())
        writer.finish()
        errors = sorted([*checker.errors, *writer.errors], key=lambda error: error.row)
        applied = not dry_run and (skip_invalid or not errors)
        if not applied:
            session.rollback()
    result = UpsertResult(
        created=writer.created,
        updated=writer.updated,
        unchanged=writer.unchanged,
        errors=errors,
        changes=writer.changes,
        applied=applied,
    )
    return LoadReport(str(path), fmt, dry_run, result, tuple(notes.lines()))


@dataclasses.dataclass
class _Writer:
    """Writes checked rows chunk by chunk and gathers what happened, by SKU."""

    session: Session
    skus: SkuRegister  # the file's SKUs so far
    twins: TwinIndex  # the catalog's SKUs before the load, for new SKUs equal but for case
    overwrite: bool  # every row whole, over the edits made since its last load
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    errors: list[RowError] = dataclasses.field(default_factory=list)
    changes: dict[str, list[FieldChange]] = dataclasses.field(default_factory=dict)
    waiting: list[ValidRow] = dataclasses.field(default_factory=list)  # parents not met yet
    failed: set[str] = dataclasses.field(default_factory=set)  # parents that failed, folded

    def write(self, rows: list[ValidRow]) -> None:
        if not rows:
            return
        stored = digests_by_sku(self.session, [row.sku for row in rows])
        families = any(_in_a_family(row, stored.get(row.sku)) for row in rows)
        simple: list[tuple[ValidRow, StoredDigest | None]] = []
        family: list[ValidRow] = []
        for row in rows:
            product = stored.get(row.sku)
            # with families in the chunk, new products go with them: ids follow the file's order
            if _in_a_family(row, product) or (families and product is None):
                family.append(row)
            else:
                simple.append((row, product))
        chunk = UpsertResult()
        self._simple(simple, chunk)
        self._family(self._ready(family), chunk)
        self._gather(rows, chunk)

    def finish(self) -> None:
        """The variations that waited for a parent later in the file."""
        waiting, self.waiting = self.waiting, []
        for start in range(0, len(waiting), LOAD_CHUNK):
            rows = waiting[start : start + LOAD_CHUNK]
            chunk = UpsertResult()
            self._family(rows, chunk)
            self._gather(rows, chunk)

    def _ready(self, rows: list[ValidRow]) -> list[ValidRow]:
        """The rows that can be written now; a variation whose parent the file has not named yet
        and the catalog does not hold waits for the end."""
        unknown = {
            row.parent_sku
            for row in rows
            if row.parent_sku is not None and row.parent_sku not in self.skus
        }
        if not unknown:
            return rows
        stored = existing_skus(self.session, unknown)
        ready: list[ValidRow] = []
        for row in rows:
            if row.parent_sku in unknown and row.parent_sku not in stored:
                self.waiting.append(row)
            else:
                ready.append(row)
        return ready

    def _simple(
        self, rows: list[tuple[ValidRow, StoredDigest | None]], result: UpsertResult
    ) -> None:
        """Products outside any family: new ones inserted in one statement, changed ones updated
        column by column, unchanged ones not written (but for a digest they lacked)."""
        now = utcnow()
        digests = [row_digest(row.fields) for row, _ in rows]
        compared = [  # by the product's own SKU (the file's may be its SKU as last loaded)
            product.sku
            for (row, product), digest in zip(rows, digests, strict=True)
            if product is not None
            and (digest is None or digest != product.load_digest or self.overwrite)
        ]
        values = stored_by_sku(self.session, compared) if compared else {}
        new_rows: list[dict[str, Any]] = []
        changed: list[tuple[int, dict[str, Any]]] = []
        filled: list[tuple[str, dict[str, Any] | None, int]] = []
        for (row, product), digest in zip(rows, digests, strict=True):
            sku = row.sku
            loaded = product is not None and digest is not None and digest == product.load_digest
            if loaded and not self.overwrite:
                result.unchanged.append(sku)  # the file did not change it since: nothing to do
                continue
            try:
                if product is None:
                    twin = self.twins.get(sku)
                    if twin is not None:
                        raise ValidationError(case_twin_message(sku, twin))
                    new_rows.append({**new_product_row(row.fields, now), "load_digest": digest})
                    result.created.append(sku)
                    continue
                problem = type_change_problem(sku, product.type, row.fields.get("type"))
                if problem is not None:
                    raise ValidationError(problem)
                stored = values[product.sku]
                plan = plan_fields(stored, row.fields)
            except ValidationError as exc:
                result.errors.append(RowError(row.row, sku, row.label(exc.message)))
                continue
            base = None
            if not self.overwrite:
                plan, base = since_last_load(stored, row.fields, plan)
            if plan.changes:
                result.updated.append(sku)
                result.changes[sku] = plan.changes
                changed.append(
                    (product.id, {**plan.columns, "load_digest": digest, "load_base": base})
                )
            else:
                result.unchanged.append(sku)
                if digest is not None and not (loaded and stored.load_base is None):
                    filled.append((digest, base, product.id))
        if changed:
            write_changes(self.session, changed, now)
        if filled:
            fill_digests(self.session, filled)
        if new_rows:
            insert_many(self.session, _PRODUCTS, new_rows)
            drop_tombstones(self.session, [row["sku"] for row in new_rows])

    def _family(self, rows: list[ValidRow], result: UpsertResult) -> None:
        """Variable products and variations, checked family by family (the ORM's way)."""
        rows = self._orphans(rows, result)
        if not rows:
            return
        done = upsert_rows(
            self.session,
            rows,
            [],
            skip_invalid=True,
            dry_run=False,
            update_existing=True,
            twins=self.twins.twins,
            loading=True,
            overwrite=self.overwrite,
        )
        self.session.flush()
        self.session.expunge_all()  # nothing of this chunk stays in memory
        parents = {row.sku for row in rows if not _is_variation(row)}
        self.failed.update(e.sku.casefold() for e in done.errors if e.sku in parents)
        result.created.extend(done.created)
        result.updated.extend(done.updated)
        result.unchanged.extend(done.unchanged)
        result.errors.extend(done.errors)
        result.changes.update(done.changes)

    def _orphans(self, rows: list[ValidRow], result: UpsertResult) -> list[ValidRow]:
        """Variations whose parent failed in an earlier chunk fail as they would beside it."""
        if not self.failed:
            return rows
        kept: list[ValidRow] = []
        for row in rows:
            parent = row.parent_sku
            if parent is not None and parent.casefold() in self.failed:
                message = f"its parent {parent!r} cannot be loaded (see its row)"
                result.errors.append(RowError(row.row, row.sku, row.label(message)))
            else:
                kept.append(row)
        return kept

    def _gather(self, rows: list[ValidRow], chunk: UpsertResult) -> None:
        """The chunk's outcome in the order of a single upsert: products in file order, then
        variations in file order."""
        order = {row.sku: (_is_variation(row), index) for index, row in enumerate(rows)}
        last = (True, len(rows))

        def place(sku: str) -> tuple[bool, int]:
            return order.get(sku, last)

        self.created += sorted(chunk.created, key=place)
        self.updated += sorted(chunk.updated, key=place)
        self.unchanged += sorted(chunk.unchanged, key=place)
        self.errors += chunk.errors
        for sku in sorted(chunk.changes, key=place):
            self.changes[sku] = chunk.changes[sku]


def _is_variation(row: ValidRow) -> bool:
    return row.parent_sku is not None or row.fields.get("type") == VARIATION


def _in_a_family(row: ValidRow, product: StoredDigest | None) -> bool:
    """Whether the row is (or makes, or is stored as) a variable product or a variation."""
    if row.parent_sku is not None or kind(row.fields.get("type")) != "simple":
        return True
    return product is not None and product.type in (VARIABLE, VARIATION)
