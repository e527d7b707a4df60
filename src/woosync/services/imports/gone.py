"""Products linked to a store that a full listing of it no longer shows: deleted or trashed there.

The catalog keeps them (a store's delete never deletes anything in the catalog, which other stores
share), but the shop owner hears of it at the import that notices, not months later: the next
export that writes one creates it again in that store (``match.relink``; one in the trash fails,
naming ``--restore-trashed``), unless it is kept out of that store with ``products exclude``.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from woosync.services.imports.results import SHOWN_NAMES

if TYPE_CHECKING:
    from woosync.services.imports.state import ImportRun


def note_gone_variations(
    session: Session, run: ImportRun, families: Sequence[tuple[int, set[int], Sequence[Any]]]
) -> None:
    """Note the catalog variations linked to store variations that their parent's complete store
    list no longer has: ``families`` holds, per parent, its store id, the ids of every variation
    its list has, and its catalog variations (those kept out of this store are not noted). One
    query for a page of parents."""
    ids = [int(c.id) for _p, _l, own in families for c in own if int(c.id) not in run.excluded_ids]
    linked: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = (
            "SELECT product_id, woo_product_id FROM product_sync WHERE connection_id = ? "
            f"AND woo_product_id > 0 AND product_id IN ({', '.join('?' * len(chunk))})"
        )
        rows = session.connection().exec_driver_sql(query, (run.connection_id, *chunk))
        linked.update((int(product_id), int(woo_id)) for product_id, woo_id in rows)
    for parent_woo_id, listed, own in families:
        for child in own:
            woo_id = linked.get(int(child.id))
            if woo_id is not None and woo_id not in listed:
                run.gone_variations.add(
                    f"{child.sku} (store variation {woo_id} of store product {parent_woo_id})"
                )


_CHUNK = 500  # ids per IN list (SQLite allows 999 parameters by default)


def gone_variations_warning(run: ImportRun) -> str | None:
    """The warning naming the variations :func:`note_gone_variations` noted."""
    gone = run.gone_variations
    if not gone.count:
        return None
    example = shlex.quote(gone.names[0].split(" (", 1)[0])
    return (
        f"{gone.count} variation(s) linked to this store are no longer in it (deleted there): "
        f"{gone.text()}; the catalog keeps them ('woosync products exclude {example} "
        f"--connection {run.connection_id}' keeps one out of this store, so that the store's "
        "delete sticks)"
    )


def gone_from_store(session: Session, run: ImportRun) -> str | None:
    """The warning naming the products linked to this store (not kept out of it) that the run's
    complete listing did not show; ``None`` when there are none."""
    query = (  # plain SQL, streamed: read once per run, over every linked product
        "SELECT s.woo_product_id, p.id, p.sku FROM product_sync s JOIN products p "
        "ON p.id = s.product_id WHERE s.connection_id = ? AND s.woo_product_id > 0 "
        "AND p.parent_id IS NULL ORDER BY p.id"
    )
    missing: list[str] = []
    count = 0
    rows = session.connection().exec_driver_sql(query, (run.connection_id,))
    for woo_id, product_id, sku in rows:
        if int(woo_id) in run.seen or int(product_id) in run.excluded_ids:
            continue
        count += 1
        if len(missing) < SHOWN_NAMES:
            missing.append(f"{sku} (store product {woo_id})")
    if not count:
        return None
    more = f" and {count - len(missing)} more" if count > len(missing) else ""
    example = shlex.quote(missing[0].split(" (", 1)[0])
    return (
        f"{count} product(s) linked to this store are no longer in it (deleted or trashed "
        f"there): {', '.join(missing)}{more}; the catalog keeps them ('woosync products exclude "
        f"{example} --connection {run.connection_id}' keeps one out of this store, so that the "
        "store's delete sticks)"
    )
