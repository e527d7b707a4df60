"""The SQL of the schema steps from 14 on (:mod:`woosync.db.migrations` runs them in order):
most add a column to ``products`` and make its triggers again (:func:`_watching`).

Frozen, as :mod:`woosync.db.schema_steps`: once released, a step's SQL never changes.
"""

from __future__ import annotations

from woosync.db.schema_steps import JSON_COLUMNS_M013, PRODUCT_COLUMNS_M012


def _watching(columns: tuple[str, ...], json_columns: tuple[str, ...]) -> tuple[str, ...]:
    """Migration 12's revision trigger and migration 13's load-base trigger made again for
    ``columns`` (the products columns they watch; ``json_columns`` kept as JSON in the base):
    a step adding a column to ``products`` ends with these."""
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
    kept = ", ".join(
        f"CASE WHEN NEW.{c} IS NOT OLD.{c} THEN '$.{c}' ELSE '$._' END, "
        + (f"json(OLD.{c})" if c in json_columns else f"OLD.{c}")
        for c in columns
        if c != "id"
    )
    return (
        "DROP TRIGGER products_revised",
        f"""CREATE TRIGGER products_revised AFTER UPDATE ON products FOR EACH ROW
WHEN NEW.revision < OLD.revision OR (NEW.revision = OLD.revision AND ({changed}))
BEGIN UPDATE products SET revision = OLD.revision + 1 WHERE id = NEW.id; END""",
        "DROP TRIGGER products_load_base",
        f"""CREATE TRIGGER products_load_base AFTER UPDATE ON products FOR EACH ROW
WHEN OLD.load_digest IS NOT NULL AND NEW.load_digest IS OLD.load_digest
AND NEW.load_base IS OLD.load_base AND NEW.revision IS OLD.revision AND ({changed})
BEGIN UPDATE products SET load_base = json_remove(json_insert(coalesce(OLD.load_base, '{{}}'),
{kept}), '$._') WHERE id = NEW.id; END""",
    )


# A variable product's default options (``{"Size": "M"}``: the choice its page opens with).
_M014_COLUMNS = (*PRODUCT_COLUMNS_M012, "default_attributes")
_M014_JSON = (*JSON_COLUMNS_M013, "default_attributes")
M014_DEFAULT_OPTIONS = (
    "ALTER TABLE products ADD COLUMN default_attributes JSON",
    *_watching(_M014_COLUMNS, _M014_JSON),
)

# Upsells and cross-sells: the SKUs of the products a product's page and the cart suggest.
_M015_COLUMNS = (*_M014_COLUMNS, "upsells", "cross_sells")
_M015_JSON = (*_M014_JSON, "upsells", "cross_sells")
M015_PRODUCT_LINKS = (
    "ALTER TABLE products ADD COLUMN upsells JSON NOT NULL DEFAULT '[]'",
    "ALTER TABLE products ADD COLUMN cross_sells JSON NOT NULL DEFAULT '[]'",
    *_watching(_M015_COLUMNS, _M015_JSON),
)

# A grouped product's products, by SKU.
_M016_COLUMNS = (*_M015_COLUMNS, "grouped_products")
_M016_JSON = (*_M015_JSON, "grouped_products")
M016_GROUPED_PRODUCTS = (
    "ALTER TABLE products ADD COLUMN grouped_products JSON NOT NULL DEFAULT '[]'",
    *_watching(_M016_COLUMNS, _M016_JSON),
)

# A product ``woosync delete`` took out of a store keeps the id it had there: WooCommerce keeps
# that id in the links of the products that suggested it (sync/product_links).
M017_DELETED_IDS = "ALTER TABLE product_exclusions ADD COLUMN woo_product_id INTEGER;"

# A product's new SKU replaces its old one in the other products' links (upsells, cross-sells, a
# grouped product's products), whatever renamed it (an edit, a load, an import of a store's
# rename): a link names a product by SKU, and one naming the old SKU would find none. The text
# tests first skip the products with no links and those whose links do not hold the old SKU.
_M018_RENAMES = "; ".join(
    f"""UPDATE products SET {c} = (SELECT json_group_array(CASE WHEN lower(value) =
lower(OLD.sku) THEN NEW.sku ELSE value END) FROM json_each(products.{c}))
WHERE id != NEW.id AND {c} != '[]' AND {c} LIKE '%' || OLD.sku || '%'
AND EXISTS (SELECT 1 FROM json_each(products.{c}) WHERE lower(value) = lower(OLD.sku))"""
    for c in ("upsells", "cross_sells", "grouped_products")
)
M018_LINKS_FOLLOW_RENAMES = (
    f"""CREATE TRIGGER products_links_renamed AFTER UPDATE OF sku ON products FOR EACH ROW
WHEN NEW.sku IS NOT OLD.sku BEGIN {_M018_RENAMES}; END""",
)

# A downloadable product's files and the ids customers' permissions point at (products/downloads).
_M019_COLUMNS = (*_M016_COLUMNS, "downloads")
_M019_JSON = (*_M016_JSON, "downloads")
M019_DOWNLOADS = (
    "ALTER TABLE products ADD COLUMN downloads JSON",
    *_watching(_M019_COLUMNS, _M019_JSON),
)

# The store's brands (WooCommerce 9.6 and later), by name, as tags.
M020_BRANDS = (
    "ALTER TABLE products ADD COLUMN brands JSON NOT NULL DEFAULT '[]'",
    *_watching((*_M019_COLUMNS, "brands"), (*_M019_JSON, "brands")),
)
