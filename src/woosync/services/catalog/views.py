"""Typed values the catalog service returns (``woosync.shapes.products`` makes their JSON)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from woosync.db.models import Product
from woosync.products.rows import RowError


@dataclass(frozen=True, slots=True)
class ProductView:
    """One catalog product as the catalog holds it (copies: changing them changes nothing)."""

    id: int
    sku: str
    name: str
    description: str | None
    status: str | None
    type: str | None
    price: str | None
    sale_price: str | None
    weight: str | None
    length: str | None
    width: str | None
    height: str | None
    stock_status: str | None
    manage_stock: bool | None
    stock_quantity: int | None
    backorders: str | None
    low_stock_amount: int | None
    date_on_sale_from: str | None
    date_on_sale_to: str | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    brands: tuple[str, ...]
    images: tuple[str, ...]
    upsells: tuple[str, ...]
    cross_sells: tuple[str, ...]
    grouped_products: tuple[str, ...]
    attributes: dict[str, Any]
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    parent_id: int | None = None  # a variation's variable product
    parent_sku: str | None = None
    default_attributes: dict[str, str] | None = None  # a variable product's default options
    downloads: tuple[dict[str, str], ...] = ()  # a downloadable product's files
    variations: tuple[ProductView, ...] = ()  # a variable product's, by id

    @property
    def is_variation(self) -> bool:
        return self.parent_id is not None


def product_view(
    product: Product, *, parent_sku: str | None = None, variations: tuple[ProductView, ...] = ()
) -> ProductView:
    """The view of a stored product (a variation's ``parent_sku``, a variable product's
    ``variations`` given by the caller, who reads them in bulk)."""
    assert product.id is not None
    return ProductView(
        id=product.id,
        sku=product.sku,
        name=product.name,
        description=product.description,
        status=product.status,
        type=product.type,
        price=product.price,
        sale_price=product.sale_price,
        weight=product.weight,
        length=product.length,
        width=product.width,
        height=product.height,
        stock_status=product.stock_status,
        manage_stock=product.manage_stock,
        stock_quantity=product.stock_quantity,
        backorders=product.backorders,
        low_stock_amount=product.low_stock_amount,
        date_on_sale_from=product.date_on_sale_from,
        date_on_sale_to=product.date_on_sale_to,
        categories=tuple(product.categories or ()),
        tags=tuple(product.tags or ()),
        brands=tuple(product.brands or ()),
        images=tuple(product.images or ()),
        upsells=tuple(product.upsells or ()),
        cross_sells=tuple(product.cross_sells or ()),
        grouped_products=tuple(product.grouped_products or ()),
        attributes=copy.deepcopy(product.attributes or {}),
        custom_fields=copy.deepcopy(product.custom_fields or {}),
        created_at=product.created_at,
        updated_at=product.updated_at,
        parent_id=product.parent_id,
        parent_sku=parent_sku,
        default_attributes=copy.deepcopy(product.default_attributes) or None,
        downloads=tuple(dict(download) for download in product.downloads or ()),
        variations=variations,
    )


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field's change: ``field`` is its selectable name (``price``, ``COLOR``, ``wholesalePrice``)."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class ProductPage:
    items: list[ProductView]
    total: int  # matching products, before the limit
    rows: int = 0  # matching products and their variations, before the limit (a listing's rows)


@dataclass(frozen=True, slots=True)
class EditResult:
    product: ProductView
    changes: list[FieldChange]


@dataclass(frozen=True, slots=True)
class RemovedProduct:
    """A product removed from the catalog, and how many sync records went with it."""

    id: int
    sku: str
    name: str
    sync_records_removed: int
    variation_skus: tuple[str, ...] = ()  # a variable product's variations, removed with it


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """What an upsert did (or, under ``dry_run``, would do), by SKU."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # existing products left alone
    errors: list[RowError] = field(default_factory=list)
    changes: dict[str, list[FieldChange]] = field(default_factory=dict)  # updated SKU -> changes
    product_ids: dict[str, int] = field(default_factory=dict)  # SKU -> id (new ones once applied)
    applied: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "skipped": len(self.skipped),
            "invalid": len(self.errors),
        }


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What ``load_products`` did with one file."""

    source: str
    format: str
    dry_run: bool
    result: UpsertResult
    # what a WooCommerce export brought beyond the catalog's fields, one sentence each
    notes: tuple[str, ...] = ()

    @property
    def errors(self) -> list[RowError]:
        return self.result.errors
