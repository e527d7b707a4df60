"""The SQL of each schema step (:mod:`woosync.db.migrations` runs them in order).

Frozen: once released, a step's SQL never changes; a schema change is a new step at the end.
"""

from __future__ import annotations

M001_FOUNDATION = """
CREATE TABLE connections (
    id INTEGER NOT NULL,
    store_name VARCHAR NOT NULL,
    store_url VARCHAR NOT NULL,
    is_active BOOLEAN NOT NULL,
    is_default BOOLEAN NOT NULL,
    verify_tls BOOLEAN NOT NULL,
    ca_bundle VARCHAR,
    last_synced_at DATETIME,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (store_url)
);
CREATE TABLE export_mappings (
    id INTEGER NOT NULL,
    connection_id INTEGER NOT NULL,
    selected_fields JSON NOT NULL,
    field_mappings JSON NOT NULL,
    is_active BOOLEAN NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
);
CREATE INDEX ix_export_mappings_connection_id ON export_mappings (connection_id);
CREATE TABLE import_mappings (
    id INTEGER NOT NULL,
    connection_id INTEGER NOT NULL,
    attribute_mappings JSON NOT NULL,
    field_mappings JSON NOT NULL,
    is_active BOOLEAN NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
);
CREATE INDEX ix_import_mappings_connection_id ON import_mappings (connection_id);
CREATE TABLE product_sync (
    id INTEGER NOT NULL,
    connection_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    woo_product_id INTEGER NOT NULL,
    last_exported_at DATETIME,
    last_imported_at DATETIME,
    last_modified_fields JSON,
    sync_status VARCHAR NOT NULL,
    error_message VARCHAR,
    exported_values JSON NOT NULL,
    store_attributes JSON,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (connection_id, product_id),
    FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
);
CREATE INDEX ix_product_sync_connection_id ON product_sync (connection_id);
CREATE INDEX ix_product_sync_product_id ON product_sync (product_id);
"""

M002_PRODUCT_CATALOG = """
CREATE TABLE products (
    id INTEGER NOT NULL,
    sku VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    description VARCHAR,
    status VARCHAR,
    type VARCHAR,
    price VARCHAR,
    sale_price VARCHAR,
    weight VARCHAR,
    length VARCHAR,
    width VARCHAR,
    height VARCHAR,
    stock_status VARCHAR,
    categories JSON NOT NULL,
    tags JSON NOT NULL,
    images JSON NOT NULL,
    attributes JSON NOT NULL,
    custom_fields JSON NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (sku)
);
"""

M003_STORE_REGISTRY = """
CREATE TABLE store_refs (
    id INTEGER NOT NULL,
    connection_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    "key" VARCHAR NOT NULL,
    woo_id INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (connection_id, kind, "key"),
    FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
);
CREATE INDEX ix_store_refs_connection_id ON store_refs (connection_id);
CREATE TABLE sync_cursors (
    id INTEGER NOT NULL,
    connection_id INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (connection_id, name),
    FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
);
CREATE INDEX ix_sync_cursors_connection_id ON sync_cursors (connection_id);
"""

# Imports and exports find sync records by the store's product id: without this index each lookup
# scans all of a connection's records, which grows with the catalog.
M004_SYNC_BY_STORE_PRODUCT = """
CREATE INDEX ix_product_sync_store_product ON product_sync (connection_id, woo_product_id);
"""

# Per-store selection (issue 10): products kept out of one store (deleted there, or excluded), the
# store's ``products:`` selection from its mapping file, and the SKUs removed from the catalog, so an
# import does not bring them back.
M005_PRODUCT_SELECTION = """
CREATE TABLE product_exclusions (
    id INTEGER NOT NULL,
    connection_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    reason VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (connection_id, product_id),
    FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE,
    FOREIGN KEY(product_id) REFERENCES products (id) ON DELETE CASCADE
);
CREATE INDEX ix_product_exclusions_connection_id ON product_exclusions (connection_id);
CREATE INDEX ix_product_exclusions_product_id ON product_exclusions (product_id);
CREATE TABLE product_selections (
    id INTEGER NOT NULL,
    connection_id INTEGER NOT NULL,
    rules JSON NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (connection_id),
    FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
);
CREATE TABLE removed_products (
    id INTEGER NOT NULL,
    sku VARCHAR NOT NULL,
    name VARCHAR,
    removed_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (sku)
);
"""

# Two-way sync (issue 10): per store and product, what the store answered for each field woosync
# wrote or read (``store_echoes``: key -> fingerprint), which store media ids are the catalog's own
# images (``image_sources``: media id -> the catalog's source URL), and the fields changed on both
# sides since the last sync (``conflicts``: key -> both values).
M006_SYNC_ECHOES = """
ALTER TABLE product_sync ADD COLUMN store_echoes JSON;
ALTER TABLE product_sync ADD COLUMN image_sources JSON;
ALTER TABLE product_sync ADD COLUMN conflicts JSON
"""

# Mapping files (issue 14): the file ``mappings apply`` read each store's sections from, so
# ``mappings dump`` writes them back there, and what ``dump`` wrote, so it overwrites only files it
# wrote and nobody edited since.
M007_MAPPING_FILES = """
CREATE TABLE mapping_file_sources (
    id INTEGER NOT NULL,
    connection_id INTEGER NOT NULL,
    section VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    recorded_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (connection_id, section),
    FOREIGN KEY(connection_id) REFERENCES connections (id) ON DELETE CASCADE
);
CREATE TABLE dumped_mapping_files (
    id INTEGER NOT NULL,
    path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    written_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (path)
);
"""

# Stock and sale dates as standard fields (issues 13 and 14): typed columns, empty until set.
M008_STOCK_FIELDS = """
ALTER TABLE products ADD COLUMN manage_stock BOOLEAN;
ALTER TABLE products ADD COLUMN stock_quantity INTEGER;
ALTER TABLE products ADD COLUMN backorders VARCHAR;
ALTER TABLE products ADD COLUMN low_stock_amount INTEGER;
ALTER TABLE products ADD COLUMN date_on_sale_from VARCHAR;
ALTER TABLE products ADD COLUMN date_on_sale_to VARCHAR;
"""

# An unchanged partial export decided without decoding the product (issue 12): the digest of the
# export's inputs when the product was last in step with the store (services/export/unchanged.py).
M009_EXPORT_DIGEST = """
ALTER TABLE product_sync ADD COLUMN export_digest VARCHAR;
"""

# Variable products (issue 13): a variation is a products row of its own (type 'variation', its
# own unique SKU) under its variable parent; removing the parent removes its variations.
M010_VARIATIONS = """
ALTER TABLE products ADD COLUMN parent_id INTEGER REFERENCES products (id) ON DELETE CASCADE;
CREATE INDEX ix_products_parent_id ON products (parent_id);
"""

# An unchanged re-load decided without decoding the product (issue 12): the digest of the product
# file row last loaded into the product (services/catalog/stored.py row_digest). Every other write
# of the row clears it (the trigger: an UPDATE that leaves the digest as it was sets it to NULL),
# so a digest equal to a row's means that loading the row again changes nothing. Existing
# products start without one; a load fills it in as it finds them unchanged.
M011_LOAD_DIGEST = (
    "ALTER TABLE products ADD COLUMN load_digest VARCHAR",
    """CREATE TRIGGER products_load_digest_cleared AFTER UPDATE ON products FOR EACH ROW
WHEN OLD.load_digest IS NOT NULL AND NEW.load_digest IS OLD.load_digest
BEGIN UPDATE products SET load_digest = NULL WHERE id = NEW.id; END""",
)

# An unchanged partial export decided in SQL, without reading the product (issue 12;
# services/export/unchanged.py). ``products.revision`` counts the changes of a row: a trigger bumps
# it whenever an UPDATE changes any column but the bookkeeping ones (the timestamps, the load's
# digest, the revision itself; a write that sets the revision cannot take it back). A sync record's
# ``export_digest`` is stamped with the export's settings and the revision its values were read
# at, so any later change of the product makes it stale, even one made while the export ran.
# Migration 11's trigger (clear ``load_digest`` on any other write) is made again to let the bump
# pass: else the bump would clear the digest a load has just set. A product inserted under a used
# id, and any write of a record's base, link, status or conflicts that does not stamp it anew,
# clear the stamp. Digests of the earlier kind (migration 9: a hash of the columns) are dropped.
# A later migration that adds a column to ``products`` makes ``products_revised`` again with it
# (tests/test_export_digest.py checks that every column is listed).
PRODUCT_COLUMNS_M012 = (
    "id",
    "sku",
    "name",
    "description",
    "status",
    "type",
    "price",
    "sale_price",
    "weight",
    "length",
    "width",
    "height",
    "stock_status",
    "categories",
    "tags",
    "images",
    "attributes",
    "custom_fields",
    "manage_stock",
    "stock_quantity",
    "backorders",
    "low_stock_amount",
    "date_on_sale_from",
    "date_on_sale_to",
    "parent_id",
)
_M012_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in PRODUCT_COLUMNS_M012)
M012_PRODUCT_REVISION = (
    "ALTER TABLE products ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
    f"""CREATE TRIGGER products_revised AFTER UPDATE ON products FOR EACH ROW
WHEN NEW.revision < OLD.revision OR (NEW.revision = OLD.revision AND ({_M012_CHANGED}))
BEGIN UPDATE products SET revision = OLD.revision + 1 WHERE id = NEW.id; END""",
    "DROP TRIGGER products_load_digest_cleared",
    """CREATE TRIGGER products_load_digest_cleared AFTER UPDATE ON products FOR EACH ROW
WHEN OLD.load_digest IS NOT NULL AND NEW.load_digest IS OLD.load_digest
AND NEW.revision IS OLD.revision
BEGIN UPDATE products SET load_digest = NULL WHERE id = NEW.id; END""",
    """CREATE TRIGGER products_inserted_export_digest_cleared AFTER INSERT ON products FOR EACH ROW
BEGIN UPDATE product_sync SET export_digest = NULL
WHERE product_id = NEW.id AND export_digest IS NOT NULL; END""",
    """CREATE TRIGGER product_sync_export_digest_cleared AFTER UPDATE ON product_sync FOR EACH ROW
WHEN NEW.export_digest IS NOT NULL AND NEW.export_digest IS OLD.export_digest AND (
NEW.exported_values IS NOT OLD.exported_values OR NEW.conflicts IS NOT OLD.conflicts
OR NEW.sync_status IS NOT OLD.sync_status OR NEW.woo_product_id IS NOT OLD.woo_product_id
OR NEW.product_id IS NOT OLD.product_id OR NEW.connection_id IS NOT OLD.connection_id)
BEGIN UPDATE product_sync SET export_digest = NULL WHERE id = NEW.id; END""",
    "UPDATE product_sync SET export_digest = NULL WHERE export_digest IS NOT NULL",
)


# A load applies what the product file changed since it was last loaded, and keeps what anything
# else wrote since (a store edit an import brought in, ``products edit``): instead of clearing the
# load digest, the trigger keeps the value each column had when the file was loaded, the first
# time something else changes it, in ``products.load_base`` (``{column: value}``; lists and
# objects as JSON). A load that finds the file's value equal to it leaves the column alone. A write
# that sets the base itself is a load's.
JSON_COLUMNS_M013 = frozenset({"categories", "tags", "images", "attributes", "custom_fields"})
_M013_KEPT = ", ".join(
    f"CASE WHEN NEW.{c} IS NOT OLD.{c} THEN '$.{c}' ELSE '$._' END, "
    + (f"json(OLD.{c})" if c in JSON_COLUMNS_M013 else f"OLD.{c}")
    for c in PRODUCT_COLUMNS_M012
    if c != "id"
)
M013_LOAD_BASE = (
    "ALTER TABLE products ADD COLUMN load_base JSON",
    # a file's SKU no product has may be one renamed since its load (catalog/stored.py)
    "CREATE INDEX ix_products_loaded_sku ON products (json_extract(load_base, '$.sku')) "
    "WHERE load_base IS NOT NULL",
    "DROP TRIGGER products_load_digest_cleared",
    f"""CREATE TRIGGER products_load_base AFTER UPDATE ON products FOR EACH ROW
WHEN OLD.load_digest IS NOT NULL AND NEW.load_digest IS OLD.load_digest
AND NEW.load_base IS OLD.load_base AND NEW.revision IS OLD.revision AND ({_M012_CHANGED})
BEGIN UPDATE products SET load_base = json_remove(json_insert(coalesce(OLD.load_base, '{{}}'),
{_M013_KEPT}), '$._') WHERE id = NEW.id; END""",
)
