"""Matching a page of store products to the catalog: by sync link, then by SKU.

:func:`candidates` maps each store product's fields (:func:`~woosync.services.imports.fields.
map_product`) and sets aside what cannot be imported (its type; no SKU unless
``link_without_sku``, which gives it the made-up SKU of :func:`generated_sku`). The other functions
read what the page's candidates match (their sync records: :mod:`.links`): the local products
with their ids or SKUs (:func:`local_products`), and a catalog SKU that differs from a new one
only in case (:func:`case_twin`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import select

from woosync.core.errors import param
from woosync.db.models import Product, ProductSync
from woosync.products.fields import normalize_fields
from woosync.services.catalog.changes import FieldPlan, apply_plan, plan_fields
from woosync.services.catalog.lookup import case_twins
from woosync.services.catalog.stored import COLUMNS as STORED_COLUMNS
from woosync.services.catalog.stored import StoredProduct
from woosync.services.imports.fields import (
    LocalFields,
    map_product,
)
from woosync.services.imports.links import linked_skus
from woosync.services.imports.reconcile import catalog_fields
from woosync.services.imports.results import ProductResult
from woosync.services.imports.seen import SkuHashes
from woosync.services.imports.skips import missing_sku_reason, unsupported_reason

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.services.imports.state import ImportRun
    from woosync.services.imports.transaction import PageTransaction

SKU_LESS_NAMES = 5000  # names of store products without a SKU kept for sku_less.twins_warning


@dataclass(slots=True)
class Candidate:
    """A store product that may be imported: its local fields, in both forms."""

    woo_id: int
    woo: dict[str, Any]
    local: LocalFields
    fields: dict[str, Any]
    without_sku: bool = False  # linked by store id (link_without_sku); the SKU is made up

    @property
    def sku(self) -> str:
        return self.local.sku


def generated_sku(connection_id: int, woo_id: int) -> str:
    """The catalog SKU of a store product without one (``link_without_sku``): ``woo-C-ID``,
    unique across stores (the same store id in two stores is two products)."""
    return f"woo-{connection_id}-{woo_id}"


def sku_less_links(
    transaction: PageTransaction, connection_id: int, items: list[dict[str, Any]]
) -> dict[int, str]:
    """The page's store products without a SKU that are linked to a catalog product (their SKU
    was removed in the store): the catalog's SKU, by store product id. The database is asked
    only when the page has such a product."""
    sku_less = [int(woo["id"]) for woo in items if missing_sku_reason(woo) is not None]
    if not sku_less:
        return {}
    return linked_skus(transaction.session(), connection_id, sku_less)


def candidates(
    run: ImportRun,
    items: list[dict[str, Any]],
    slugs_by_id: dict[int, str] | None,
    relinked: dict[int, str],
) -> list[Candidate]:
    """The page's store products that can be imported; the others are reported skipped.
    ``relinked``: :func:`sku_less_links` of the page (matched by their link, never skipped)."""
    found: list[Candidate] = []
    for woo in items:
        woo_id = int(woo["id"])
        sku = str(woo.get("sku") or "").strip()
        reason = unsupported_reason(woo)
        if reason:
            run.report(ProductResult(woo_id, None, sku, "skipped", reason))
            continue
        without_sku = missing_sku_reason(woo) is not None
        if without_sku and woo_id not in relinked and not run.settings.link_without_sku:
            message = (
                f"has no SKU (give it one in WooCommerce, or import with "
                f"{param('link_without_sku')})"
            )
            run.report(ProductResult(woo_id, None, sku, "skipped", message))
            name = str(woo.get("name") or "").strip()
            run.without_sku.add(f"#{woo_id} {name!r}")
            if name and len(run.sku_less_names) < SKU_LESS_NAMES:
                run.sku_less_names.setdefault(name, woo_id)
            continue
        local = map_product(woo, run.rules, slugs_by_id)
        run.note_unfit(local.unfit, sku or f"#{woo_id}")
        if without_sku:
            local.standard["sku"] = relinked.get(woo_id) or generated_sku(run.connection_id, woo_id)
        found.append(Candidate(woo_id, woo, local, catalog_fields(local), without_sku))
    return found


def local_products(session: Session, ids: list[int], skus: set[str]) -> dict[int, StoredProduct]:
    """The local products with these ids or SKUs, by id, read as plain values
    (:class:`~woosync.services.catalog.stored.StoredProduct`, one SQL query): a re-import compares
    every product of a page and changes few, and an ORM object per product cost several times
    the comparison. The writer loads the ORM object of a product it changes
    (:func:`orm_product`). (Nothing is pending in the session here: every page ends with a
    flush, so the query sees what the ORM would.)"""
    where = " OR ".join(
        f"{column} IN ({', '.join('?' * len(values))})"
        for column, values in (("id", ids), ("sku", skus))
        if values
    )
    if not where:
        return {}
    return {p.id: p for p in stored_products(session, where, (*ids, *skus))}


def stored_products(
    session: Session, where: str, parameters: tuple[Any, ...], order: str = ""
) -> list[StoredProduct]:
    """The catalog products matching the SQL condition ``where``, as plain values."""
    columns = ", ".join(STORED_COLUMNS)
    query = f"SELECT {columns} FROM products WHERE {where}{' ORDER BY ' + order if order else ''}"
    return [StoredProduct(row) for row in session.connection().exec_driver_sql(query, parameters)]


def orm_product(session: Session, product: StoredProduct) -> Product:
    """The ORM object of a product read as plain values, to change it (the flush writes it)."""
    found = session.get(Product, product.id)
    if found is None:  # read in this transaction, so it is there; a bug otherwise
        raise LookupError(f"product {product.id} vanished during the import")
    return found


def product_with_sku(session: Session, sku: str) -> StoredProduct | None:
    found = stored_products(session, "sku = ?", (sku,))
    return found[0] if found else None


def sync_of(session: Session, connection_id: int, product_id: int) -> ProductSync | None:
    """The product's sync record for the connection."""
    query = select(ProductSync).where(
        ProductSync.connection_id == connection_id, ProductSync.product_id == product_id
    )
    return session.exec(query).first()


def case_twin(session: Session, run: ImportRun, sku: str) -> tuple[int, str] | None:
    """The local product whose SKU differs from ``sku`` only in case, if any.

    The catalog's case-folded SKUs are read once per run, as hashes; only a hit is looked up.
    """
    if run.folded_skus is None:
        run.folded_skus = SkuHashes()
        for (stored,) in session.connection().exec_driver_sql("SELECT sku FROM products"):
            run.folded_skus.add(stored.casefold())
    if sku.casefold() not in run.folded_skus:
        return None
    holder = case_twins(session, [sku]).get(sku.casefold())
    return holder if holder is not None and holder[1] != sku else None


def remember_new_skus(run: ImportRun, skus: list[str]) -> None:
    """New catalog SKUs this run inserted: a later case twin of one is refused too."""
    if run.folded_skus is not None:
        for sku in skus:
            run.folded_skus.add(sku.casefold())


def planned_change(
    product: StoredProduct, fields: dict[str, Any], *, dry_run: bool
) -> tuple[StoredProduct, FieldPlan]:
    """What ``fields`` change on ``product`` (as ``catalog.apply_product_fields`` would) and the
    product as it then is: ``product`` itself, or a copy on a dry run (the product keeps the old
    values to show). Raises ``ValidationError``. Only a changed product is written: its ORM
    object is loaded and changed (:func:`write_planned`)."""
    plan = plan_fields(product, normalize_fields(fields))
    target = copy.copy(product) if dry_run else product
    for column, value in plan.columns.items():
        setattr(target, column, copy.deepcopy(value))
    return target, plan


def write_planned(session: Session, product: StoredProduct, plan: FieldPlan) -> None:
    """The planned columns set on the product's ORM object (``updated_at`` moves), for the next
    flush."""
    if plan.columns:
        found = orm_product(session, product)
        apply_plan(found, plan)
        session.add(found)
