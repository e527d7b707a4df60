"""Products and variations linked to a store that it no longer has: deleted (or trashed) there.

A full listing shows which products are gone; a parent's variation list, which variations (and
the parent keeps the options they use, :func:`keep_used_options`).

The catalog keeps them (a store's delete never deletes anything in the catalog, which other stores
share), but the shop owner hears of it at the import that notices, not months later: the next
export that writes one creates it again in that store (``match.relink``; one in the trash fails,
naming ``--restore-trashed``), unless it is kept out of that store with ``products exclude``.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from woosync.db.models import Product
from woosync.services.imports.results import NameSample
from woosync.services.imports.variation_match import Parent, options_still_used

if TYPE_CHECKING:
    from woosync.services.catalog.stored import StoredProduct
    from woosync.services.imports.state import ImportRun


def note_gone_variations(
    session: Session,
    run: ImportRun,
    families: Sequence[tuple[Parent, Sequence[Any]]],
    listed: Mapping[int, set[int]],
    children: Mapping[int, Sequence[StoredProduct]],
    matched: set[int],
) -> None:
    """Note the catalog variations linked to store variations that their parent's complete store
    list no longer has (``listed``: per parent's store id, every variation id its list has) and
    that matched no other store variation (``matched`` ids); those kept out of this store are
    not noted. One query for a page of parents."""
    own = {
        parent.woo_id: [
            c
            for c in children.get(parent.product_id or 0, [])
            if int(c.id or 0) not in matched and int(c.id or 0) not in run.excluded_ids
        ]
        for parent, _found in families
    }
    ids = [int(c.id or 0) for found in own.values() for c in found]
    linked: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = (
            "SELECT product_id, woo_product_id FROM product_sync WHERE connection_id = ? "
            f"AND woo_product_id > 0 AND product_id IN ({', '.join('?' * len(chunk))})"
        )
        rows = session.connection().exec_driver_sql(query, (run.connection_id, *chunk))
        linked.update((int(product_id), int(woo_id)) for product_id, woo_id in rows)
    for parent_woo_id, found in own.items():
        for child in found:
            woo_id = linked.get(int(child.id or 0))
            if woo_id is not None and woo_id not in listed[parent_woo_id]:
                run.gone_variations.add(
                    f"{child.sku} (store variation {woo_id} of store product {parent_woo_id})"
                )


def keep_used_options(
    session: Session, run: ImportRun, parent: Parent, children: Sequence[StoredProduct]
) -> None:
    """A parent updated from the store keeps every option its catalog variations still use
    (the store dropped one whose variation it deleted; the catalog keeps that variation)."""
    if run.dry_run or not parent.updated or not parent.product_id or not children:
        return
    kept, missing = options_still_used(parent.attributes, list(children))
    if not missing:
        return
    product = session.get(Product, parent.product_id)
    if product is not None:
        product.attributes = {**(product.attributes or {}), **kept}
        session.add(product)
        parent.attributes = dict(product.attributes)
    run.warn(
        f"{parent.sku!r} no longer lists {', '.join(missing)} in the store; kept in the "
        f"catalog while a variation uses it (remove the variation with 'woosync products "
        "remove SKU' if it is gone for good)"
    )


_CHUNK = 500  # ids per IN list (SQLite allows 999 parameters by default)


def gone_variations_warning(run: ImportRun) -> str | None:
    """The warning naming the variations :func:`note_gone_variations` noted."""
    return _warning(run.gone_variations, "variation(s)", "deleted there", run.connection_id)


def gone_from_store(session: Session, run: ImportRun) -> str | None:
    """The warning naming the products linked to this store (not kept out of it) that the run's
    complete listing did not show; ``None`` when there are none."""
    query = (  # plain SQL, streamed: read once per run, over every linked product
        "SELECT s.woo_product_id, p.id, p.sku FROM product_sync s JOIN products p "
        "ON p.id = s.product_id WHERE s.connection_id = ? AND s.woo_product_id > 0 "
        "AND p.parent_id IS NULL ORDER BY p.id"
    )
    gone = NameSample()
    for woo_id, product_id, sku in session.connection().exec_driver_sql(
        query, (run.connection_id,)
    ):
        if int(woo_id) not in run.seen and int(product_id) not in run.excluded_ids:
            gone.add(f"{sku} (store product {woo_id})")
    return _warning(gone, "product(s)", "deleted or trashed there", run.connection_id)


def _warning(gone: NameSample, what: str, how: str, connection_id: int) -> str | None:
    if not gone.count:
        return None
    example = shlex.quote(gone.names[0].split(" (", 1)[0])
    return (
        f"{gone.count} {what} linked to this store are no longer in it ({how}): {gone.text()}; "
        f"the catalog keeps them ('woosync products exclude {example} --connection "
        f"{connection_id}' keeps one out of this store, so that the store's delete sticks)"
    )
