"""Create or update many products by SKU: bulk lookups, one executemany for the new ones."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from woosync.core.errors import ValidationError
from woosync.core.timeutil import utcnow
from woosync.db.bulk_sql import insert_many
from woosync.db.models import Product
from woosync.products.fields import normalize_fields
from woosync.products.rows import RowError, same_sku_message
from woosync.services.catalog.changes import FieldPlan, apply_plan, new_product_row, plan_fields
from woosync.services.catalog.lookup import (
    LOOKUP_CHUNK,
    case_twin_message,
    case_twins,
    products_by_sku,
)
from woosync.services.catalog.tombstones import drop_tombstones
from woosync.services.catalog.views import UpsertResult

if TYPE_CHECKING:
    from sqlmodel import Session


def upsert_products(
    session: Session,
    rows: Sequence[Mapping[str, Any]],
    *,
    row_numbers: Sequence[int] | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    update_existing: bool = True,
) -> UpsertResult:
    """Create or update products by SKU from field dicts (each must have ``sku``; new ones ``name``).

    Every row is checked before anything is written: with an invalid row nothing changes
    (``applied`` stays False) unless ``skip_invalid``, which applies the valid rows. Errors carry
    ``row_numbers[i]`` (default: position from 1). Bulk SKU lookups and one executemany for new
    products (:func:`insert_products`); ``product_ids`` maps every valid row's SKU to its id (new
    ones only once applied). ``update_existing=False`` leaves existing products alone (``skipped``).
    """
    numbers = list(row_numbers) if row_numbers is not None else list(range(1, len(rows) + 1))
    normalized: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    for number, row in zip(numbers, rows, strict=True):
        raw_sku = row.get("sku")
        try:
            normalized.append((number, normalize_fields(row)))
        except ValidationError as exc:
            errors.append(
                RowError(number, raw_sku if isinstance(raw_sku, str) else None, exc.message)
            )
    return upsert_rows(
        session,
        normalized,
        errors,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        update_existing=update_existing,
    )


def upsert_rows(
    session: Session,
    rows: list[tuple[int, dict[str, Any]]],
    errors: list[RowError],
    *,
    skip_invalid: bool,
    dry_run: bool,
    update_existing: bool,
) -> UpsertResult:
    """:func:`upsert_products` of normalised ``(row number, field dict)`` rows."""
    result = UpsertResult(errors=list(errors))
    existing = products_by_sku(session, [fields.get("sku") or "" for _, fields in rows])
    new_skus = [fields.get("sku") or "" for _, fields in rows if fields.get("sku") not in existing]
    twins = case_twins(session, new_skus) if any(new_skus) else {}
    now = utcnow()
    seen: dict[str, tuple[str, int]] = {}  # SKU without regard to case -> (SKU, row)
    planned: list[tuple[Product, FieldPlan]] = []
    new_rows: list[dict[str, Any]] = []
    for number, fields in rows:
        sku = fields.get("sku")
        if not sku:
            result.errors.append(RowError(number, None, "sku: is required"))
            continue
        first = seen.setdefault(sku.casefold(), (sku, number))
        if first[1] != number:
            result.errors.append(RowError(number, sku, same_sku_message(sku, *first)))
            continue
        product = existing.get(sku)
        try:
            if product is None:
                twin = twins.get(sku.casefold())
                if twin is not None:
                    raise ValidationError(case_twin_message(sku, twin))
                new_rows.append(new_product_row(fields, now))
                result.created.append(sku)
                continue
            if not update_existing:
                result.skipped.append(sku)
                result.product_ids[sku] = product.id or 0
                continue
            plan = plan_fields(product, fields)
        except ValidationError as exc:
            result.errors.append(RowError(number, sku, exc.message))
            continue
        if plan.changes:
            result.updated.append(sku)
            result.changes[sku] = plan.changes
            planned.append((product, plan))
        else:
            result.unchanged.append(sku)
        result.product_ids[sku] = product.id or 0
    result.errors.sort(key=lambda error: error.row)
    if dry_run or (result.errors and not skip_invalid):
        return result
    for product, plan in planned:
        apply_plan(product, plan)
    session.flush()
    if new_rows:
        result.product_ids.update(insert_products(session, new_rows))
        drop_tombstones(session, [row["sku"] for row in new_rows])
    return dataclasses.replace(result, applied=True)


def insert_products(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert :func:`new_product_row` rows (SKUs not in the catalog) with one executemany; return
    ``{sku: id}`` for them."""
    table: Any = Product.__table__  # type: ignore[attr-defined]
    insert_many(session, table, rows)
    connection = session.connection()
    ids: dict[str, int] = {}
    for start in range(0, len(rows), LOOKUP_CHUNK):
        skus = tuple(row["sku"] for row in rows[start : start + LOOKUP_CHUNK])
        # plain SQL: SQLAlchemy would build and compile an expanding IN for every page of an import
        query = f"SELECT sku, id FROM products WHERE sku IN ({', '.join('?' * len(skus))})"
        ids.update((sku, product_id) for sku, product_id in connection.exec_driver_sql(query, skus))
    return ids
