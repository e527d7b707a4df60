"""Store products without a SKU that have the name of a catalog product.

An import skips a store product without a SKU (the catalog knows products by SKU). In a store the
shop ran before woosync, such a product is often the catalog's product itself, its SKU never
filled in: an export matches products by SKU, so it would create the catalog's product beside
it, and the store would sell the product twice. The import says so, naming the pairs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from woosync.services.imports.results import NameSample

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.services.imports.state import ImportRun

_IN_LIMIT = 500


def twins_warning(session: Session, run: ImportRun) -> str | None:
    """The warning naming the store products without a SKU whose name a catalog product (not a
    variation) has; ``None`` when there are none."""
    names = list(run.sku_less_names)
    found = NameSample()
    for start in range(0, len(names), _IN_LIMIT):
        group = names[start : start + _IN_LIMIT]
        marks = ", ".join(f":n{i}" for i in range(len(group)))
        rows = session.execute(
            text(
                f"SELECT name, sku FROM products WHERE parent_id IS NULL AND name IN ({marks})"
                " ORDER BY id"
            ),
            {f"n{i}": name for i, name in enumerate(group)},
        )
        for name, sku in rows:
            found.add(f"#{run.sku_less_names[name]} {name!r}, like {sku}")
    if not found.count:
        return None
    return (
        f"{found.count} store product(s) without a SKU have the name of a catalog product "
        f"({found.text()}): an export to this store matches products by SKU, so it would create "
        "the catalog's product beside each; give each its catalog SKU in WooCommerce first (or "
        "keep the catalog's out of this store with 'woosync products exclude SKU --connection "
        f"{run.connection_id}')"
    )
