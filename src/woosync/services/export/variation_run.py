"""How an export run takes variable products' variations along (called by ``run.py``).

A variation never goes through ``/products/batch``: a variation named (by id or SKU) brings its
variable product into the product pass in its place (:func:`with_parents`), ``--all`` and
``--retry-failed`` leave variations out of it (``select.raw_chunks``), and after the product pass
the variations of the variable products that went out (and, with ``--retry-failed``, those of the
failed variations' products) go through :class:`~woosync.services.export.variations.
VariationExport` (:func:`export_variations`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from sqlmodel import Session

from woosync.db.engine import Database
from woosync.products.variations import VARIABLE
from woosync.services.export.records import RETRY_STATUSES, load_syncs
from woosync.services.export.results import (
    CREATED,
    FAILED,
    NOT_WRITTEN,
    SUCCESS,
    UNCHANGED,
    UPDATED,
    ProductResult,
)
from woosync.services.export.select import Choice
from woosync.services.export.state import Run
from woosync.services.export.variation_plan import plan_variations
from woosync.services.export.variation_records import parents_of, variable_ids
from woosync.services.export.variation_results import (
    PrunedVariation,
    VariationPlan,
    VariationResult,
)
from woosync.services.export.variations import VariationExport
from woosync.services.selection import Excluded

log = logging.getLogger("woosync.export")

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Chosen:
    """Which variations go out: all of the variable products exported (``only`` None), else
    those named (``only``) plus all of those of the variable products named (``whole``)."""

    only: frozenset[int] | None
    whole: frozenset[int] = frozenset()
    retry: bool = False  # --retry-failed: the failed variations (found under the run lock)


def with_parents(db: Database, choice: Choice) -> tuple[Choice, Chosen]:
    """The choice for the product pass (variations named replaced by their variable products),
    and which variations go out after it."""
    if choice.all_products:
        return choice, Chosen(None)
    if choice.retry_failed:
        return choice, Chosen(None, retry=True)
    column = "id" if choice.product_ids else "sku"
    rows: dict[object, tuple[int, int | None, str]] = {}
    with db.session() as session:
        connection = session.connection()
        named = list(choice.named)
        for start in range(0, len(named), _CHUNK):
            group = named[start : start + _CHUNK]
            marks = ",".join("?" * len(group))
            query = (
                f"SELECT p.{column}, p.id, p.parent_id, parent.sku FROM products p "
                f"LEFT JOIN products parent ON parent.id = p.parent_id WHERE p.{column} IN ({marks})"
            )
            for key, product_id, parent_id, parent_sku in connection.exec_driver_sql(
                query, tuple(group)
            ):
                rows[key] = (int(product_id), parent_id, str(parent_sku or ""))
    variations = {key: row for key, row in rows.items() if row[1] is not None}
    if not variations:
        return choice, Chosen(frozenset(), frozenset(row[0] for row in rows.values()))
    replaced: list[object] = []
    for key in choice.named:
        found = variations.get(key)
        if found is None:
            replaced.append(key)  # a product, or not in the catalog (the product pass says so)
        else:
            replaced.append(int(found[1] or 0) if choice.product_ids else found[2])
    unique = list(dict.fromkeys(replaced))
    ids = [int(k) for k in unique] if choice.product_ids else None  # type: ignore[call-overload]
    passed = Choice.of(ids, None if ids is not None else [str(k) for k in unique], False, False)
    whole = frozenset(row[0] for key, row in rows.items() if key not in variations)
    return passed, Chosen(frozenset(row[0] for row in variations.values()), whole)


def _failed_variations(session: Session, connection_id: int) -> list[int]:
    marks = ",".join("?" * len(RETRY_STATUSES))
    query = (
        "SELECT s.product_id FROM product_sync s JOIN products p ON p.id = s.product_id "
        f"WHERE s.connection_id = ? AND p.parent_id IS NOT NULL AND s.sync_status IN ({marks})"
    )
    rows = session.connection().exec_driver_sql(query, (connection_id, *RETRY_STATUSES))
    return [int(product_id) for (product_id,) in rows]


def _chosen_count(session: Session, parents: list[int], chosen: Chosen) -> int:
    """How many variations ``VariationExport.run(parents, chosen.only, chosen.whole)`` reports
    on: those chosen under the variable products among ``parents`` (one count query a chunk)."""
    per_parent: dict[int, int] = {}
    wanted = list(dict.fromkeys(parents))
    for begin in range(0, len(wanted), _CHUNK):
        group = wanted[begin : begin + _CHUNK]
        query = (
            "SELECT p.id, p.parent_id FROM products p JOIN products parent ON parent.id = "
            f"p.parent_id WHERE parent.type = ? AND p.parent_id IN ({','.join('?' * len(group))})"
        )
        for variation_id, parent_id in session.connection().exec_driver_sql(
            query, (VARIABLE, *group)
        ):
            if chosen.only is None or parent_id in chosen.whole or variation_id in chosen.only:
                per_parent[parent_id] = per_parent.get(parent_id, 0) + 1
    return sum(per_parent.get(parent_id, 0) for parent_id in parents)


def variable_parents(db: Database, product_ids: Iterable[int]) -> list[int]:
    """The variable products among the products that went out (per chunk, so few are held)."""
    wanted = list(product_ids)
    if not wanted:
        return []
    with db.session() as session:
        return variable_ids(session, wanted)


def failed_parents(db: Database, results: Iterable[ProductResult]) -> dict[int, str]:
    """The variable products among those that failed (product id -> why)."""
    why = {r.product_id: r.message or "not written" for r in results if r.failed}
    return {i: why[i] for i in variable_parents(db, why)}


def export_variations(
    run: Run,
    parents: list[int],
    chosen: Chosen,
    created: frozenset[int],
    *,
    prune: bool,
    failed: Mapping[int, str] | None = None,
    start: Callable[[int], None] | None = None,
    on_pruned: Callable[[PrunedVariation], None] | None = None,
    on_excluded: Callable[[Excluded], None] | None = None,
    on_parent: Callable[[int, int, str], None] | None = None,
) -> Iterator[ProductResult]:
    """The variations of ``parents`` (and, with ``--retry-failed``, of the failed variations'
    products), exported; each one's result as a :class:`ProductResult` with its parent. Those of
    the ``failed`` variable products (id -> why) fail, saying why. ``start(n)`` hears how many
    results will come, before any work (when there is any); ``on_pruned`` each store variation
    ``prune`` deleted, or failed to delete; ``on_excluded`` each variation kept out of this store
    (``products exclude``), left alone; ``on_parent(product id, store id, SKU)`` each linked
    parent whose attributes were sent for its variations (a new option)."""
    if chosen.retry:  # the failed variations, under their products (linked or just retried)
        retried = list(parents)
        with run.db.session() as session:
            again = _failed_variations(session, run.connection_id)
            parents = list(dict.fromkeys([*parents, *parents_of(session, again).values()]))
        # a product retried here had its variations held back: all of them go
        chosen = Chosen(frozenset(again), frozenset(retried))
    failed = failed or {}
    if not parents and not failed:
        return
    if start is not None:
        with run.db.session() as session:
            start(_chosen_count(session, list(dict.fromkeys([*parents, *failed])), chosen))
    stage = _stage(run, prune=prune)
    report = stage.run(parents, chosen.only, chosen.whole, created, failed)
    for warning in report.warnings:
        run.warn(warning)
    for key, value, sku in report.dropped:
        run.note_dropped(key, value, sku)
    if on_parent is not None:
        for written in report.parents_written:
            on_parent(*written)
    if on_excluded is not None:
        for entry in report.excluded:
            on_excluded(entry)
    for pruned in report.pruned:
        log.info(
            "variation #%s of product %s %s",
            pruned.woo_variation_id,
            pruned.parent_product_id,
            "deleted (prune_variations)" if pruned.deleted else f"not deleted: {pruned.message}",
        )
        if on_pruned is not None:
            on_pruned(pruned)
    for result in report.results:
        yield product_result(run.connection_id, result)


def plan_variations_of(
    run: Run,
    parents: list[int],
    chosen: Chosen,
    *,
    prune: bool,
    adopted: Mapping[int, int] | None = None,
) -> VariationPlan:
    """``--dry-run``: what :func:`export_variations` would do (reads only); ``adopted``: the
    parents the product pass would adopt by SKU (product id -> store id)."""
    if not parents:
        return VariationPlan()
    stage = _stage(run, prune=prune)
    return plan_variations(stage, parents, chosen.only, chosen.whole, adopted)


def _stage(run: Run, *, prune: bool) -> VariationExport:
    """The variation stage of this run, with the run's options."""
    options = run.options
    return VariationExport(
        run.db,
        run.client,
        run.connection_id,
        run.targets,
        run.registry,
        partial=options.partial,
        prune=prune,
        concurrency=options.concurrency,
        batch_size=options.batch_size,
        create_terms=options.create_terms,
        slugs=run.variation_slugs,
    )


def product_result(connection_id: int, result: VariationResult) -> ProductResult:
    return ProductResult(
        connection_id,
        result.product_id,
        result.woo_variation_id,
        FAILED if result.status == FAILED else SUCCESS,
        tuple(result.exported_fields),
        result.last_exported_at,
        result.message,
        change=_change(result),
        sku=result.sku,
        parent_product_id=result.parent_product_id,
        held_conflicts=result.held_conflicts,
    )


def _change(result: VariationResult) -> str:
    if result.status == FAILED:
        return NOT_WRITTEN
    if result.status == UNCHANGED:
        return UNCHANGED
    return CREATED if result.created else UPDATED


def store_path(session: Session, connection_id: int, product_id: int, woo_id: int) -> str:
    """Where the store keeps a product: a variation under its variable product."""
    parent = parents_of(session, [product_id]).get(product_id)
    if parent is None:
        return f"/products/{woo_id}"
    link = load_syncs(session, connection_id, [parent]).get(parent)
    return f"/products/{int(getattr(link, 'woo_product_id', 0) or 0)}/variations/{woo_id}"
