"""The local product catalog: lookups for export and import, field values, edits and bulk loads.

A product's *fields* are the spec's standard fields (``price``, ``dimensions`` ...), its free-form
attributes (``COLOR: [Red, Blue]``, ``Dimension: 10x20``) and its custom fields
(``wholesalePrice``). :func:`field_value` reads any of them by name; :func:`apply_product_fields`
writes them from a field dict (the rules are in ``woosync.products``).

Modules: ``views`` (the typed values returned), ``lookup`` (by id, SKU, in bulk), ``reading``
(one field by name), ``changes`` (a field dict applied to a product), ``upsert`` (many products by
SKU), ``tombstones`` (removed SKUs), ``commands`` (add, list, show, edit, remove), ``load``
(product files). This package re-exports their public functions.
"""

from woosync.services.catalog.changes import apply_product_fields, new_product_row
from woosync.services.catalog.commands import (
    add_product,
    edit_product,
    list_products,
    remove_product,
    show_product,
)
from woosync.services.catalog.load import load_products
from woosync.services.catalog.lookup import (
    all_products,
    case_twin_message,
    case_twins,
    find_product,
    get_product,
    get_product_by_sku,
    get_products,
    products_by_sku,
)
from woosync.services.catalog.reading import field_label, field_value
from woosync.services.catalog.tombstones import drop_tombstones, tombstones
from woosync.services.catalog.upsert import insert_products, upsert_products
from woosync.services.catalog.views import (
    EditResult,
    FieldChange,
    LoadReport,
    ProductPage,
    ProductView,
    RemovedProduct,
    UpsertResult,
)

__all__ = [
    "EditResult",
    "FieldChange",
    "LoadReport",
    "ProductPage",
    "ProductView",
    "RemovedProduct",
    "UpsertResult",
    "add_product",
    "all_products",
    "apply_product_fields",
    "case_twin_message",
    "case_twins",
    "drop_tombstones",
    "edit_product",
    "field_label",
    "field_value",
    "find_product",
    "get_product",
    "get_product_by_sku",
    "get_products",
    "insert_products",
    "list_products",
    "load_products",
    "new_product_row",
    "products_by_sku",
    "remove_product",
    "show_product",
    "tombstones",
    "upsert_products",
]
