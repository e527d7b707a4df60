"""The local product catalog: lookups for export and import, field values, edits and bulk loads.

A product's *fields* are the spec's standard fields (``price``, ``dimensions`` ...), its free-form
attributes (``COLOR: [Red, Blue]``, ``Dimension: 10x20``) and its custom fields
(``wholesalePrice``). :func:`field_value` reads any of them by name; :func:`apply_product_fields`
writes them from a field dict (the format is described in ``woosync.files.product_files``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import col, func, or_, select

from woosync.core.errors import ConflictError, NotFoundError, ValidationError
from woosync.core.fields import DIMENSION_PARTS
from woosync.core.timeutil import iso, utcnow
from woosync.db.bulk_sql import insert_many
from woosync.db.models import Product, ProductSync
from woosync.files.product_files import (
    ATTRIBUTE_PREFIX,
    CUSTOM_PREFIX,
    LIST_FIELDS,
    SCALAR_FIELDS,
    RowError,
    detect_format,
    normalize_fields,
    read_product_file,
    same_sku_message,
    validate_rows,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.engine import Database

REQUIRED = ("name", "sku")
# field-dict keys that are columns of their own, not attribute or custom field entries
_COLUMN_KEYS = frozenset((*SCALAR_FIELDS, *LIST_FIELDS, "attributes", "custom_fields"))
_LOOKUP_CHUNK = 500  # SKUs per IN (...) query: well under SQLite's bound-parameter limit


# reading --------------------------------------------------------------------------------------
def field_value(product: Product, name: str) -> Any:
    """The value of a selectable field: standard field, attribute, then custom field; else None.

    ``dimensions`` is ``{"length", "width", "height"}`` or None when all three are empty;
    ``categories`` / ``tags`` / ``images`` are lists (empty when there are none). ``attribute:X``
    and ``custom:X`` name one kind explicitly. Values are copies: changing them changes nothing.
    """
    if name in SCALAR_FIELDS:
        return getattr(product, name)
    if name in LIST_FIELDS:
        return list(getattr(product, name) or [])
    if name == "dimensions":
        parts = {part: getattr(product, part) for part in DIMENSION_PARTS}
        return parts if any(value not in (None, "") for value in parts.values()) else None
    attributes = product.attributes or {}
    custom = product.custom_fields or {}
    if name.startswith(ATTRIBUTE_PREFIX):
        return copy.deepcopy(attributes.get(name[len(ATTRIBUTE_PREFIX) :]))
    if name.startswith(CUSTOM_PREFIX):
        return copy.deepcopy(custom.get(name[len(CUSTOM_PREFIX) :]))
    if name in attributes:
        return copy.deepcopy(attributes[name])
    return copy.deepcopy(custom.get(name))


def field_label(product: Product, name: str) -> str:
    """What ``name`` is for this product, as :func:`field_value` reads it: ``price``, ``attribute
    COLOR`` or ``custom field eurPrice``."""
    if name in SCALAR_FIELDS or name in LIST_FIELDS or name in ("dimensions", *DIMENSION_PARTS):
        return name
    for prefix, kind in ((ATTRIBUTE_PREFIX, "attribute"), (CUSTOM_PREFIX, "custom field")):
        if name.startswith(prefix):
            return f"{kind} {name[len(prefix) :]}"
    return f"attribute {name}" if name in (product.attributes or {}) else f"custom field {name}"


def product_to_dict(product: Product) -> dict[str, Any]:
    """The JSON shape of a product; ``products load`` accepts it back (id and timestamps ignored)."""
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "status": product.status,
        "type": product.type,
        "price": product.price,
        "sale_price": product.sale_price,
        "weight": product.weight,
        "dimensions": {part: getattr(product, part) for part in DIMENSION_PARTS},
        "stock_status": product.stock_status,
        "manage_stock": product.manage_stock,
        "stock_quantity": product.stock_quantity,
        "backorders": product.backorders,
        "low_stock_amount": product.low_stock_amount,
        "date_on_sale_from": product.date_on_sale_from,
        "date_on_sale_to": product.date_on_sale_to,
        "categories": list(product.categories or []),
        "tags": list(product.tags or []),
        "images": list(product.images or []),
        "attributes": copy.deepcopy(product.attributes or {}),
        "customFields": copy.deepcopy(product.custom_fields or {}),
        "createdAt": iso(product.created_at),
        "updatedAt": iso(product.updated_at),
    }


def get_product(session: Session, product_id: int) -> Product:
    """The product with this id, else :class:`NotFoundError`."""
    found = session.get(Product, int(product_id))
    if found is None:
        raise NotFoundError(
            f"product {product_id} not found", hint="run 'woosync products list' to see them"
        )
    return found


def get_product_by_sku(session: Session, sku: str) -> Product:
    found = products_by_sku(session, [sku]).get(sku.strip())
    if found is None:
        raise NotFoundError(
            f"no product with SKU {sku.strip()!r}", hint="run 'woosync products list' to see them"
        )
    return found


def get_products(session: Session, ids: Iterable[int]) -> list[Product]:
    """The products with these ids, in the order given (duplicates dropped); all must exist."""
    wanted = list(dict.fromkeys(int(product_id) for product_id in ids))
    found: dict[int, Product] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        for product in session.exec(select(Product).where(col(Product.id).in_(chunk))):
            assert product.id is not None
            found[product.id] = product
    missing = [str(product_id) for product_id in wanted if product_id not in found]
    if missing:
        noun = "product" if len(missing) == 1 else "products"
        raise NotFoundError(
            f"{noun} {', '.join(missing[:20])}{' ...' if len(missing) > 20 else ''} not found",
            hint="run 'woosync products list' to see them",
        )
    return [found[product_id] for product_id in wanted]


def products_by_sku(session: Session, skus: Iterable[str]) -> dict[str, Product]:
    """``{sku: product}`` for the SKUs that exist (exact match, trimmed); a few queries in all."""
    wanted = list(dict.fromkeys(sku.strip() for sku in skus if sku and sku.strip()))
    found: dict[str, Product] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        for product in session.exec(select(Product).where(col(Product.sku).in_(chunk))):
            found[product.sku] = product
    return found


def case_twins(session: Session, skus: Iterable[str]) -> dict[str, tuple[int, str]]:
    """``{sku.casefold(): (id, stored SKU)}`` of the products whose SKU equals one of ``skus``
    without regard to case. WooCommerce compares SKUs that way, so the catalog keeps them apart
    that way too. One scan of the SKU column (exact for any alphabet, unlike SQLite's lower())."""
    wanted = {sku.strip().casefold() for sku in skus if sku and sku.strip()}
    if not wanted:
        return {}
    rows = session.connection().exec_driver_sql("SELECT id, sku FROM products")
    return {
        folded: (product_id, sku)
        for product_id, sku in rows
        if (folded := sku.casefold()) in wanted
    }


def case_twin_message(sku: str, holder: tuple[int, str]) -> str:
    return (
        f"SKU {sku!r} differs only in case from product {holder[0]}'s SKU {holder[1]!r} "
        "(WooCommerce treats them as one SKU)"
    )


def all_products(session: Session) -> list[Product]:
    """Every product, by id."""
    return list(session.exec(select(Product).order_by(col(Product.id))))


# writing --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldChange:
    """One field's change: ``field`` is its selectable name (``price``, ``COLOR``, ``wholesalePrice``)."""

    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass
class _Plan:
    changes: list[FieldChange]
    columns: dict[str, Any]  # column name -> new value


def _plan(product: Product, fields: Mapping[str, Any]) -> _Plan:
    """What a normalised field dict would change; raises ValidationError for an emptied name/SKU."""
    columns: dict[str, Any] = {}
    changes: list[FieldChange] = []
    for name in REQUIRED:
        if name in fields and fields[name] is None:
            raise ValidationError(f"{name}: is required and cannot be empty")
    for name in (*SCALAR_FIELDS, *LIST_FIELDS):
        if name in fields:
            old, new = getattr(product, name), fields[name]
            if name in LIST_FIELDS:
                old = list(old or [])
            if old != new:
                columns[name] = new
                changes.append(FieldChange(name, old, new))

    old_attributes = dict(product.attributes or {})
    old_custom = dict(product.custom_fields or {})
    attributes, custom = _entries(fields, old_attributes, old_custom)
    if attributes != old_attributes:
        columns["attributes"] = attributes
        changes += _entry_changes(old_attributes, attributes)
    if custom != old_custom:
        columns["custom_fields"] = custom
        changes += _entry_changes(old_custom, custom)
    return _Plan(changes, columns)


def _entries(
    fields: Mapping[str, Any], attributes: dict[str, Any], custom: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The attributes and custom fields once ``fields`` apply to these (new dicts; whole sets first,
    then single entries)."""
    attributes = dict(fields["attributes"]) if "attributes" in fields else dict(attributes)
    custom = dict(fields["custom_fields"]) if "custom_fields" in fields else dict(custom)
    for key, value in fields.items():
        if key in _COLUMN_KEYS:  # most keys (none of them has a prefix): one set lookup
            continue
        if key.startswith(ATTRIBUTE_PREFIX):
            _set_entry(attributes, key[len(ATTRIBUTE_PREFIX) :], value)
        elif key.startswith(CUSTOM_PREFIX):
            _set_entry(custom, key[len(CUSTOM_PREFIX) :], value)
        elif key in attributes or (key not in custom and isinstance(value, list)):
            _set_entry(attributes, key, value)  # a bare name: the kind it already is, else guess
        else:
            _set_entry(custom, key, value)
    return attributes, custom


def _set_entry(entries: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        entries.pop(name, None)
    else:
        entries[name] = value


def _entry_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    names = list(dict.fromkeys([*old, *new]))
    return [
        FieldChange(name, old.get(name), new.get(name))
        for name in names
        if old.get(name) != new.get(name)
    ]


def _apply(product: Product, plan: _Plan) -> None:
    if not plan.columns:
        return
    for column, value in plan.columns.items():
        setattr(product, column, copy.deepcopy(value))
    product.updated_at = utcnow()


def apply_product_fields(product: Product, fields: Mapping[str, Any]) -> list[str]:
    """Set standard fields, attributes and custom fields from a field dict; return what changed.

    Keys: the standard fields (``None`` clears one; ``[]`` empties a list), ``dimensions``
    (``{"length": ..}``) or its parts, ``attributes`` / ``custom_fields`` (replace the whole set),
    ``attribute:NAME`` / ``custom:NAME`` (set one; ``None`` removes it), or a bare name, which
    updates the attribute or custom field of that name, else becomes an attribute when the value
    is a list and a custom field otherwise. Values are validated and normalised (prices become
    canonical strings). ``updated_at`` moves only when something changed. Raises ValidationError.
    """
    plan = _plan(product, normalize_fields(fields))
    _apply(product, plan)
    return [change.field for change in plan.changes]


@dataclass
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


def upsert_products(
    session: Session,
    rows: Sequence[Mapping[str, Any]],
    *,
    row_numbers: Sequence[int] | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    update_existing: bool = True,
) -> UpsertResult:
    """Create or update products by SKU from field dicts (each must have ``sku``; new ones ``name``).

    Every row is checked before anything is written: with an invalid row nothing changes
    (``applied`` stays False) unless ``skip_invalid``, which applies the valid rows. Errors carry
    ``row_numbers[i]`` (default: position from 1). Bulk SKU lookups and one executemany for new
    products (:func:`insert_products`); ``product_ids`` maps every valid row's SKU to its id (new
    ones only once applied). ``update_existing=False`` leaves existing products alone (``skipped``).
    """
    numbers = list(row_numbers) if row_numbers is not None else list(range(1, len(rows) + 1))
    normalized: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    for number, row in zip(numbers, rows, strict=True):
        raw_sku = row.get("sku")
        try:
            normalized.append((number, normalize_fields(row)))
        except ValidationError as exc:
            errors.append(
                RowError(number, raw_sku if isinstance(raw_sku, str) else None, exc.message)
            )
    return _upsert(session, normalized, errors, skip_invalid, dry_run, update_existing)


def _upsert(
    session: Session,
    rows: list[tuple[int, dict[str, Any]]],
    errors: list[RowError],
    skip_invalid: bool,
    dry_run: bool,
    update_existing: bool,
) -> UpsertResult:
    result = UpsertResult(errors=list(errors))
    existing = products_by_sku(session, [fields.get("sku") or "" for _, fields in rows])
    new_skus = [fields.get("sku") or "" for _, fields in rows if fields.get("sku") not in existing]
    twins = case_twins(session, new_skus) if any(new_skus) else {}
    now = utcnow()
    seen: dict[str, tuple[str, int]] = {}  # SKU without regard to case -> (SKU, row)
    planned: list[tuple[Product, _Plan]] = []
    new_rows: list[dict[str, Any]] = []
    for number, fields in rows:
        sku = fields.get("sku")
        if not sku:
            result.errors.append(RowError(number, None, "sku: is required"))
            continue
        first = seen.setdefault(sku.casefold(), (sku, number))
        if first[1] != number:
            result.errors.append(RowError(number, sku, same_sku_message(sku, *first)))
            continue
        product = existing.get(sku)
        try:
            if product is None:
                twin = twins.get(sku.casefold())
                if twin is not None:
                    raise ValidationError(case_twin_message(sku, twin))
                new_rows.append(new_product_row(fields, now))
                result.created.append(sku)
                continue
            if not update_existing:
                result.skipped.append(sku)
                result.product_ids[sku] = product.id or 0
                continue
            plan = _plan(product, fields)
        except ValidationError as exc:
            result.errors.append(RowError(number, sku, exc.message))
            continue
        if plan.changes:
            result.updated.append(sku)
            result.changes[sku] = plan.changes
            planned.append((product, plan))
        else:
            result.unchanged.append(sku)
        result.product_ids[sku] = product.id or 0
    result.errors.sort(key=lambda error: error.row)
    if dry_run or (result.errors and not skip_invalid):
        return result
    for product, plan in planned:
        _apply(product, plan)
    session.flush()
    if new_rows:
        result.product_ids.update(insert_products(session, new_rows))
        drop_tombstones(session, [row["sku"] for row in new_rows])
    result.applied = True
    return result


def new_product_row(fields: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The ``products`` columns of a new product from a normalised field dict, every column given
    (ValidationError when the name or SKU is missing). The values are the dict's own, not copies."""
    for name in REQUIRED:
        if not fields.get(name):
            raise ValidationError(f"{name}: is required for a new product")
    row: dict[str, Any] = {column: fields.get(column) for column in SCALAR_FIELDS}
    row.update({column: fields.get(column) or [] for column in LIST_FIELDS})
    attributes, custom = _entries(fields, {}, {})
    row.update(attributes=attributes, custom_fields=custom, created_at=now, updated_at=now)
    return row


def insert_products(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert :func:`new_product_row` rows (SKUs not in the catalog) with one executemany; return
    ``{sku: id}`` for them."""
    table: Any = Product.__table__  # type: ignore[attr-defined]
    insert_many(session, table, rows)
    connection = session.connection()
    ids: dict[str, int] = {}
    for start in range(0, len(rows), _LOOKUP_CHUNK):
        skus = tuple(row["sku"] for row in rows[start : start + _LOOKUP_CHUNK])
        # plain SQL: SQLAlchemy would build and compile an expanding IN for every page of an import
        query = f"SELECT sku, id FROM products WHERE sku IN ({', '.join('?' * len(skus))})"
        ids.update((sku, product_id) for sku, product_id in connection.exec_driver_sql(query, skus))
    return ids


# the operations behind the CLI ----------------------------------------------------------------
def add_product(db: Database, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Create one product; ConflictError when its SKU exists."""
    normalized = normalize_fields(fields)
    for name in REQUIRED:
        if not normalized.get(name):
            raise ValidationError(f"{name}: is required", hint=f"pass --{name}")
    with db.session() as session:
        sku = normalized["sku"]
        holder = products_by_sku(session, [sku]).get(sku)
        if holder is not None:
            raise ConflictError(
                f"a product with SKU {sku!r} already exists (id {holder.id})",
                hint=f"change it with 'woosync products edit {holder.id}'",
            )
        twin = case_twins(session, [sku]).get(sku.casefold())
        if twin is not None:
            raise ConflictError(case_twin_message(sku, twin), hint="use the same spelling")
        product = Product(sku=sku, name=normalized["name"])
        _apply(product, _plan(product, normalized))
        product.updated_at = product.created_at
        session.add(product)
        session.flush()
        drop_tombstones(session, [sku])  # added on purpose: an import may bring it in again
        return product_to_dict(product)


@dataclass
class ProductPage:
    items: list[dict[str, Any]]
    total: int  # matching products, before the limit


def list_products(
    db: Database,
    *,
    skus: Sequence[str] = (),
    search: str | None = None,
    limit: int | None = None,
) -> ProductPage:
    """Products by id; ``skus`` whole SKUs in any case (as WooCommerce compares them), ``search`` a
    case-insensitive part of the name or SKU."""
    if limit is not None and limit < 0:
        raise ValidationError("--limit must be 0 (no limit) or more")
    query = select(Product)
    wanted = [sku.strip() for sku in skus if sku.strip()]
    if wanted:
        with db.session() as session:
            ids = [product_id for product_id, _sku in case_twins(session, wanted).values()]
        query = query.where(col(Product.id).in_(ids))
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                col(Product.name).ilike(pattern, escape="\\"),
                col(Product.sku).ilike(pattern, escape="\\"),
            )
        )
    with db.session() as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        query = query.order_by(col(Product.id))
        if limit:
            query = query.limit(limit)
        items = [product_to_dict(product) for product in session.exec(query)]
    return ProductPage(items, int(total))


def show_product(
    db: Database, product_id: int | None = None, *, sku: str | None = None
) -> dict[str, Any]:
    """One product by id or by SKU."""
    if (product_id is None) == (sku is None):
        raise ValidationError("give a product id or --sku, not both or neither")
    with db.session() as session:
        product = get_product(session, product_id) if product_id is not None else None
        if product is None:
            assert sku is not None
            product = get_product_by_sku(session, sku)
        return product_to_dict(product)


@dataclass
class EditResult:
    product: dict[str, Any]
    changes: list[FieldChange]


def edit_product(
    db: Database,
    product_id: int,
    fields: Mapping[str, Any],
    *,
    unset: Sequence[str] = (),
) -> EditResult:
    """Change some fields of one product; ``unset`` names fields, attributes or custom fields to clear."""
    normalized = normalize_fields(fields)
    with db.session() as session:
        product = get_product(session, product_id)
        for name in unset:
            for key, value in _unset_entries(product, name.strip()).items():
                if key in normalized:
                    raise ValidationError(f"{name!r} is both set and unset")
                normalized[key] = value
        new_sku = normalized.get("sku")
        if new_sku and new_sku != product.sku:
            holder = products_by_sku(session, [new_sku]).get(new_sku)
            if holder is not None:
                raise ConflictError(
                    f"SKU {new_sku!r} is already used by product {holder.id}",
                    hint="choose another SKU",
                )
            twin = case_twins(session, [new_sku]).get(new_sku.casefold())
            if twin is not None and twin[0] != product.id:
                raise ConflictError(case_twin_message(new_sku, twin), hint="choose another SKU")
        plan = _plan(product, normalized)
        _apply(product, plan)
        session.flush()
        return EditResult(product_to_dict(product), plan.changes)


def _unset_entries(product: Product, name: str) -> dict[str, Any]:
    """The normalised field-dict entries that clear ``name`` (a field, attribute or custom field)."""
    if name in REQUIRED:
        raise ValidationError(f"{name} is required and cannot be unset")
    if name in SCALAR_FIELDS:
        return {name: None}
    if name in LIST_FIELDS:
        return {name: []}
    if name == "dimensions":
        return dict.fromkeys(DIMENSION_PARTS)
    if name == "attributes":
        return {"attributes": {}}
    if name in ("custom_fields", "customFields"):
        return {"custom_fields": {}}
    attributes = product.attributes or {}
    custom = product.custom_fields or {}
    for prefix, entries, kind in (
        (ATTRIBUTE_PREFIX, attributes, "attribute"),
        (CUSTOM_PREFIX, custom, "custom field"),
    ):
        if name.startswith(prefix):
            if name[len(prefix) :] not in entries:
                raise ValidationError(f"product {product.id} has no {kind} {name[len(prefix) :]!r}")
            return {name: None}
    if name in attributes:
        return {ATTRIBUTE_PREFIX + name: None}
    if name in custom:
        return {CUSTOM_PREFIX + name: None}
    raise ValidationError(f"product {product.id} has no field, attribute or custom field {name!r}")


def remove_product(db: Database, product_id: int) -> dict[str, Any]:
    """Delete a product and its sync records (the stores' copies are left alone: see
    :mod:`removal` to delete them too), and leave a tombstone for its SKU so that an import does
    not bring it back (``import --restore-removed`` does; ``add``/``load`` of the SKU drop it)."""
    from sqlmodel import delete

    from woosync.db.bulk_sql import upsert_many
    from woosync.db.models import RemovedProduct

    with db.session() as session:
        product = get_product(session, product_id)
        removed: Any = session.execute(
            delete(ProductSync).where(col(ProductSync.product_id) == product.id)
        )
        session.delete(product)
        session.flush()
        upsert_many(
            session,
            RemovedProduct.__table__,  # type: ignore[attr-defined]
            [{"sku": product.sku, "name": product.name, "removed_at": utcnow()}],
            conflict=("sku",),
        )
        return {
            "id": product.id,
            "sku": product.sku,
            "name": product.name,
            "syncRecordsRemoved": removed.rowcount or 0,
        }


def tombstones(session: Session) -> dict[str, str]:
    """The removed SKUs, case-folded -> as they were written (few: read whole)."""
    from woosync.db.models import RemovedProduct

    table: Any = RemovedProduct.__table__  # type: ignore[attr-defined]
    rows = session.execute(table.select().with_only_columns(table.c.sku))
    return {sku.casefold(): sku for (sku,) in rows}


def drop_tombstones(session: Session, skus: Iterable[str]) -> None:
    """Forget that these SKUs were removed (without regard to case, as SKUs are compared)."""
    from sqlalchemy import delete

    from woosync.db.models import RemovedProduct

    wanted = {sku.casefold() for sku in skus if sku}
    if not wanted:
        return
    found = [sku for folded, sku in tombstones(session).items() if folded in wanted]
    if found:
        table: Any = RemovedProduct.__table__  # type: ignore[attr-defined]
        session.execute(delete(table).where(table.c.sku.in_(found)))


@dataclass
class LoadReport:
    source: str
    format: str
    dry_run: bool
    result: UpsertResult

    @property
    def errors(self) -> list[RowError]:
        return self.result.errors

    def to_dict(self) -> dict[str, Any]:
        result = self.result
        return {
            "file": self.source,
            "format": self.format,
            "dryRun": self.dry_run,
            "applied": result.applied,
            **{key: value for key, value in result.counts.items() if key != "skipped"},
            "createdSkus": result.created,
            "updatedSkus": result.updated,
            "unchangedSkus": result.unchanged,
            "changes": [
                {"sku": sku, "fields": [change.to_dict() for change in changes]}
                for sku, changes in result.changes.items()
            ],
            "errors": [error.to_dict() for error in result.errors],
        }


def load_products(
    db: Database,
    path: Path | str,
    *,
    fmt: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    decimal_comma: bool = False,
) -> LoadReport:
    """Upsert a CSV, JSON or YAML product file by SKU in one transaction (see :func:`upsert_products`).

    ``decimal_comma`` reads European spreadsheets: ``12,50`` is 12.50 in money and measure columns
    and in custom fields that look like such numbers.
    """
    fmt = detect_format(path, fmt)
    valid, errors = validate_rows(read_product_file(path, fmt), decimal_comma=decimal_comma)
    rows = [(row.row, row.fields) for row in valid]
    with db.session() as session:
        result = _upsert(session, rows, errors, skip_invalid, dry_run, update_existing=True)
    return LoadReport(str(path), fmt, dry_run, result)
