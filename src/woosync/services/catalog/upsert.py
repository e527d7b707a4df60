"""Create or update many products by SKU: bulk lookups, one executemany for the new ones."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from woosync.core.errors import ValidationError
from woosync.core.timeutil import utcnow
from woosync.db.bulk_sql import insert_many
from woosync.db.models import Product
from woosync.products.fields import normalize_fields
from woosync.products.rows import RowError, ValidRow, same_sku_message
from woosync.products.variations import VARIATION, type_change_problem, variation_field_problem
from woosync.services.catalog.changes import (
    FieldPlan,
    apply_plan,
    new_product_row,
    plan_fields,
    since_last_load,
)
from woosync.services.catalog.family import Candidate, check_families, involves_variations
from woosync.services.catalog.lookup import (
    LOOKUP_CHUNK,
    case_twin_message,
    case_twins,
    get_products,
    products_by_sku,
)
from woosync.services.catalog.stored import renamed_since_load, row_digest
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
    normalized: list[ValidRow] = []
    errors: list[RowError] = []
    for number, row in zip(numbers, rows, strict=True):
        raw_sku = row.get("sku")
        try:
            fields = normalize_fields(row)
            normalized.append(ValidRow(number, fields.get("sku") or "", fields))
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
    rows: Sequence[ValidRow],
    errors: list[RowError],
    *,
    skip_invalid: bool,
    dry_run: bool,
    update_existing: bool,
    twins: Callable[[list[str]], dict[str, tuple[int, str]]] | None = None,
    loading: bool = False,
    overwrite: bool = False,
) -> UpsertResult:
    """:func:`upsert_products` of checked rows (a variation's rows name their parent, in the same
    rows or the catalog): products first, then variations under their parents' ids. ``twins``
    finds the stored SKUs equal to new ones but for case (default: :func:`case_twins`).
    ``loading``: the rows are a product file's (``products load``): each product keeps the
    row's digest, and a row loaded before applies only what the file changed since
    (:func:`~woosync.services.catalog.changes.since_last_load`), or every row whole with
    ``overwrite``."""
    result = UpsertResult(errors=list(errors))
    find_twins = twins or (lambda skus: case_twins(session, skus))
    candidates = _candidates(session, rows, result, update_existing, find_twins, loading)
    renames = check_families(session, candidates) if involves_variations(candidates) else None
    now = utcnow()
    planned: list[tuple[Product, FieldPlan]] = []
    loaded: list[tuple[Product, str | None, dict[str, Any] | None]] = []  # digest, base to keep
    new_rows: list[dict[str, Any]] = []
    new_variations: list[tuple[Candidate, dict[str, Any]]] = []
    failed: set[int] = set()  # id() of the candidates that cannot be written
    # products first, then variations (whose parent may be a new product of the same rows)
    for candidate in sorted(candidates, key=lambda c: c.is_variation):
        sku, product = candidate.sku, candidate.product
        parent = candidate.parent
        try:
            if candidate.problem is not None:
                raise ValidationError(candidate.problem)
            if parent is not None and id(parent.candidate) in failed:
                raise ValidationError(f"its parent {parent.sku!r} cannot be loaded (see its row)")
            digest = row_digest(candidate.fields) if loading else None
            if product is None:
                row = new_product_row(candidate.fields, now)
                if loading:
                    row["load_digest"] = digest
                if candidate.is_variation:
                    new_variations.append((candidate, row))
                else:
                    new_rows.append(row)
                result.created.append(sku)
                continue
            if loading and not overwrite and digest is not None and digest == product.load_digest:
                result.unchanged.append(sku)  # the file did not change the row since its load
                result.product_ids[sku] = product.id or 0
                continue
            plan = plan_fields(product, candidate.fields)
        except ValidationError as exc:
            failed.add(id(candidate))
            result.errors.append(RowError(candidate.number, sku, candidate.label + exc.message))
            continue
        if loading:
            base = None
            if not overwrite:
                plan, base = since_last_load(product, candidate.fields, plan)
            loaded.append((product, digest, base))
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
    for product, digest, base in loaded:  # written with the plan's columns, in one UPDATE
        product.load_digest, product.load_base = digest, base
    for child, name in renames.products if renames is not None else []:
        apply_plan(child, FieldPlan([], {"name": name}))
    session.flush()
    if new_rows:
        result.product_ids.update(insert_products(session, new_rows))
    if new_variations:
        for candidate, row in new_variations:
            parent = candidate.parent
            assert parent is not None
            row["parent_id"] = (
                parent.product.id if parent.product else result.product_ids[parent.sku]
            )
        result.product_ids.update(insert_products(session, [row for _, row in new_variations]))
    created = [row["sku"] for row in new_rows] + [row["sku"] for _, row in new_variations]
    drop_tombstones(session, created)
    return dataclasses.replace(result, applied=True)


def _candidates(
    session: Session,
    rows: Sequence[ValidRow],
    result: UpsertResult,
    update_existing: bool,
    find_twins: Callable[[list[str]], dict[str, tuple[int, str]]],
    loading: bool = False,
) -> list[Candidate]:
    """The rows to write, with their stored products (bulk lookups); SKU clashes and type changes
    are errors in ``result``, existing products are ``skipped`` unless ``update_existing``."""
    existing = products_by_sku(session, [row.fields.get("sku") or "" for row in rows])
    if loading:  # a file's SKU may be its product's as last loaded (renamed since)
        unknown = [row.sku for row in rows if row.sku and row.sku not in existing]
        renamed = renamed_since_load(session, unknown) if unknown else {}
        by_id = {p.id: p for p in get_products(session, renamed.values())} if renamed else {}
        existing.update({sku: by_id[product_id] for sku, product_id in renamed.items()})
    new_skus = [
        row.fields.get("sku") or "" for row in rows if row.fields.get("sku") not in existing
    ]
    twins = find_twins(new_skus) if any(new_skus) else {}
    seen: dict[str, tuple[str, str]] = {}  # SKU without regard to case -> (SKU, where)
    candidates: list[Candidate] = []
    for row in rows:
        label = row.label("")
        sku = row.fields.get("sku")
        if not sku:
            result.errors.append(RowError(row.row, None, label + "sku: is required"))
            continue
        where = f"row {row.row}" + (f", variation {row.variation}" if row.variation else "")
        first = seen.setdefault(sku.casefold(), (sku, where))
        if first[1] != where:
            result.errors.append(RowError(row.row, sku, label + same_sku_message(sku, *first)))
            continue
        product = existing.get(sku)
        if product is not None and not update_existing:
            result.skipped.append(sku)
            result.product_ids[sku] = product.id or 0
            continue
        is_variation = (
            row.parent_sku is not None
            or row.fields.get("type") == VARIATION
            or (product is not None and product.type == VARIATION)
        )
        problem = _problem(sku, row, product, twins, is_variation)
        candidates.append(
            Candidate(
                row.row, sku, row.fields, product, row.parent_sku, is_variation, label, problem
            )
        )
    return candidates


def _problem(
    sku: str,
    row: ValidRow,
    product: Product | None,
    twins: dict[str, tuple[int, str]],
    is_variation: bool,
) -> str | None:
    if product is None:
        twin = twins.get(sku.casefold())
        if twin is not None:
            return case_twin_message(sku, twin)
    else:
        problem = type_change_problem(sku, product.type, row.fields.get("type"))
        if problem is not None:
            return problem
    return variation_field_problem(row.fields) if is_variation else None


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
