"""SQLModel tables (datetimes are aware UTC). The schema itself is created and upgraded by ``migrations``; these classes must
describe exactly what the migrations build (``tests/test_db_migrations.py`` checks it).

Secrets never live here: a connection row holds no key, secret or webhook secret.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from woosync.core.timeutil import utcnow

SYNC_STATUSES = ("synced", "pending", "error")


class _Table(SQLModel):
    """The tables' base: pydantic builds a table's validator and serializer when it is first used
    (``defer_build``), not when this module is imported. SQLAlchemy loads and table constructors
    never validate, so most commands never build them: importing the tables went from about 55 to
    33 ms of CPU, paid by every command that opens the database."""

    model_config = {**SQLModel.model_config, "defer_build": True}


class Connection(_Table, table=True):
    __tablename__ = "connections"

    id: int | None = Field(default=None, primary_key=True)
    store_name: str
    store_url: str = Field(unique=True)
    is_active: bool = True
    is_default: bool = False
    verify_tls: bool = True
    ca_bundle: str | None = None
    last_synced_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ExportMapping(_Table, table=True):
    __tablename__ = "export_mappings"

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    selected_fields: list[str] = Field(sa_column=Column(JSON, nullable=False))
    field_mappings: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ImportMapping(_Table, table=True):
    __tablename__ = "import_mappings"

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    attribute_mappings: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    field_mappings: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ProductSync(_Table, table=True):
    """One per (connection, local product): the link to the store's product and its sync state.

    ``exported_values`` holds, per WooCommerce payload key, a fingerprint of the value last written
    to (or read from) that store: partial export compares against it. ``store_attributes`` is the
    product's attribute list as the store last had it, so a partial attribute change can send the
    complete merged list (WooCommerce replaces array fields whole). ``store_echoes``,
    ``image_sources`` and ``conflicts`` are the two-way sync's memory (``services/sync/echoes``).
    """

    __tablename__ = "product_sync"
    __table_args__ = (
        UniqueConstraint("connection_id", "product_id"),
        Index("ix_product_sync_store_product", "connection_id", "woo_product_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    product_id: int = Field(index=True)
    woo_product_id: int = 0
    last_exported_at: datetime | None = None
    last_imported_at: datetime | None = None
    last_modified_fields: list[str] | None = Field(default=None, sa_column=Column(JSON))
    sync_status: str = "pending"
    error_message: str | None = None
    exported_values: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    store_attributes: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # migration 6 (two-way sync): see services/echoes.py
    store_echoes: dict[str, str] | None = Field(default=None, sa_column=Column(JSON))
    image_sources: dict[str, str] | None = Field(default=None, sa_column=Column(JSON))
    conflicts: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # migration 9: see services/export/unchanged.py
    export_digest: str | None = None


class Product(_Table, table=True):
    """The local catalog (migration 2). Free-form attributes and custom fields are JSON objects.

    A variable product (``type`` variable) lists its variation attributes' options
    (``{"Size": ["S", "M"]}``); each variation is a row of its own (``type`` variation,
    ``parent_id``, ``attributes`` ``{"Size": "S"}``, ``name`` "parent name - S")."""

    __tablename__ = "products"
    __table_args__ = (  # migration 13: the SKU a product had at its last load, for renames
        Index(
            "ix_products_loaded_sku",
            text("json_extract(load_base, '$.sku')"),
            sqlite_where=text("load_base IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(unique=True)
    name: str
    description: str | None = None
    status: str | None = None
    type: str | None = None
    price: str | None = None
    sale_price: str | None = None
    weight: str | None = None
    length: str | None = None
    width: str | None = None
    height: str | None = None
    stock_status: str | None = None
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    images: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    custom_fields: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    manage_stock: bool | None = None  # migration 8: stock and sale dates
    stock_quantity: int | None = None
    backorders: str | None = None
    low_stock_amount: int | None = None
    date_on_sale_from: str | None = None
    date_on_sale_to: str | None = None
    # migration 10: a variation (type 'variation') belongs to its variable parent
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    # migration 11: the digest of the product file row last loaded into it (NULL once anything else
    # writes the row: a trigger); see services/catalog/stored.py
    load_digest: str | None = None
    # migration 12: how many times the row was written (a trigger bumps it on every UPDATE);
    # an export's digest names the revision it was made from (services/export/unchanged.py)
    revision: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )  # no Python-side default: a bulk insert leaves it to SQLite
    # migration 13: the values, as last loaded from a product file, of the columns anything else
    # wrote since (an import, ``products edit``; a trigger keeps it): a load applies what the
    # file changed and leaves those edits alone (services/catalog/changes.py since_last_load)
    load_base: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    # migration 14: a variable product's default options ({"Size": "M"}), None when it has none
    default_attributes: dict[str, str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    # migration 15: the SKUs of the products its page (upsells) and the cart (cross-sells) suggest
    upsells: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    cross_sells: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # migration 16: a grouped product's products, by SKU
    grouped_products: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # migration 19: a downloadable product's files ([{"name", "file", "id"}]), None when none
    downloads: list[dict[str, str]] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    # migration 20: the store's brands, by name (WooCommerce 9.6 and later)
    brands: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


class StoreRef(_Table, table=True):
    """Per-store registry (migration 3): what a name/slug/URL is called in one store.

    ``kind`` is ``attribute`` (key = ``pa_`` slug), ``term:pa_x`` (key = term name),
    ``category`` / ``tag`` (key = name) or ``image`` (key = source URL); ``woo_id`` is the store's id.
    """

    __tablename__ = "store_refs"
    __table_args__ = (UniqueConstraint("connection_id", "kind", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: str
    key: str
    woo_id: int
    created_at: datetime = Field(default_factory=utcnow)


class SyncCursor(_Table, table=True):
    """Per-connection bookmarks for incremental runs (migration 3), e.g. ``import``."""

    __tablename__ = "sync_cursors"
    __table_args__ = (UniqueConstraint("connection_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str
    value: str
    updated_at: datetime = Field(default_factory=utcnow)


EXCLUSION_REASONS = ("deleted", "excluded")


class ProductExclusion(_Table, table=True):
    """A product kept out of one store (migration 5): ``deleted`` there by ``woosync delete``, or
    ``excluded`` by ``products exclude`` (the store keeps its copy). Exports leave it out until
    ``export --include`` or ``products include``."""

    __tablename__ = "product_exclusions"
    __table_args__ = (UniqueConstraint("connection_id", "product_id"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    product_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    reason: str
    created_at: datetime = Field(default_factory=utcnow)
    # migration 17: the store's id of a product ``woosync delete`` deleted there (links name it)
    woo_product_id: int | None = None


class ProductSelection(_Table, table=True):
    """One store's ``products:`` selection from its mapping file (migration 5): ``rules`` is
    ``{"include": {"skus": [...], "categories": [...], "tags": [...], "status": [...]},
    "exclude": {...}}`` with only the lists given."""

    __tablename__ = "product_selections"

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("connections.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        )
    )
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RemovedProduct(_Table, table=True):
    """A tombstone (migration 5): a SKU removed from the catalog, so an import does not bring it
    back (``import --restore-removed`` does, and drops the tombstone)."""

    __tablename__ = "removed_products"

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(unique=True)
    name: str | None = None
    removed_at: datetime = Field(default_factory=utcnow)


class MappingFileSource(_Table, table=True):
    """The file ``mappings apply`` last read a store's ``section`` (export, import or products)
    from (migration 7), so ``mappings dump`` writes it back to that file."""

    __tablename__ = "mapping_file_sources"
    __table_args__ = (UniqueConstraint("connection_id", "section"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(
        sa_column=Column(Integer, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False)
    )
    section: str
    path: str
    recorded_at: datetime = Field(default_factory=utcnow)


class DumpedMappingFile(_Table, table=True):
    """A file ``mappings dump`` wrote and the SHA-256 of what it wrote (migration 7): a file whose
    content still has that hash may be rewritten; any other needs ``--force``."""

    __tablename__ = "dumped_mapping_files"

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(unique=True)
    sha256: str
    written_at: datetime = Field(default_factory=utcnow)
