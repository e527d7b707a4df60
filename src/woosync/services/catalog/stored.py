"""Stored products read light for a bulk load: plain rows by SKU (no ORM objects), and the
planned changes written back with one ``executemany`` per set of columns.

A load of 100,000 products compares each row with what is stored; building an ORM object per
product cost more than the comparison itself, and an unchanged product is never written.

Most rows of a re-load are unchanged, and deciding so needs no stored value at all: each product
keeps the digest of the file row last loaded into it (``products.load_digest``, :func:`row_digest`
of the row's normalised field dict), so an equal digest means the file did not change the row
since it was loaded: loading it again changes nothing, whatever else wrote the product since (an
import's store edit, ``products edit``: what they wrote stays). :func:`digests_by_sku` reads only
that; the others are read whole (:func:`stored_by_sku`, with the values of the columns something
else wrote since the last load, ``load_base``: a trigger of migration 13 keeps them) and compared,
and the unchanged ones get the row's digest (:func:`fill_digests`), so the next load finds them
by digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from woosync.core.fields import LIST_FIELDS, OBJECT_FIELDS, SCALAR_FIELDS
from woosync.db.bulk_sql import update_many
from woosync.db.models import Product
from woosync.services.catalog.lookup import LOOKUP_CHUNK

if TYPE_CHECKING:
    from sqlmodel import Session

_JSON_COLUMNS = (*LIST_FIELDS, "attributes", "custom_fields", *OBJECT_FIELDS)
COLUMNS: tuple[str, ...] = ("id", *SCALAR_FIELDS, *_JSON_COLUMNS, "parent_id")
_BOOLEAN_COLUMNS = frozenset({"manage_stock"})
_TABLE: Any = Product.__table__  # type: ignore[attr-defined]
_decode = json.JSONDecoder().decode


class StoredProduct:
    """The columns of one stored product that a load compares (as the ORM would read them)."""

    __slots__ = (*COLUMNS, "load_base")

    id: int
    sku: str
    name: str
    type: str | None
    parent_id: int | None
    attributes: dict[str, Any]
    custom_fields: dict[str, Any]
    load_base: dict[str, Any] | None  # read by a load only (stored_by_sku)

    def __init__(self, values: Sequence[Any], load_base: str | None = None) -> None:
        self.load_base = _decode(load_base) if load_base else None
        for column, value in zip(COLUMNS, values, strict=True):
            if value is not None:
                if column in _JSON_COLUMNS:
                    # most lists and objects are empty: no decoder for those
                    value = [] if value == "[]" else {} if value == "{}" else _decode(value)
                elif column in _BOOLEAN_COLUMNS:
                    value = bool(value)
            setattr(self, column, value)


def stored_by_sku(session: Session, skus: Iterable[str]) -> dict[str, StoredProduct]:
    """``{sku: stored product}`` for the SKUs that exist (exact match); a few queries in all."""
    wanted = list(dict.fromkeys(skus))
    connection = session.connection()
    found: dict[str, StoredProduct] = {}
    select = f"SELECT {', '.join(COLUMNS)}, load_base FROM products WHERE sku IN "
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = tuple(wanted[start : start + LOOKUP_CHUNK])
        for values in connection.exec_driver_sql(f"{select}({', '.join('?' * len(chunk))})", chunk):
            product = StoredProduct(values[:-1], values[-1])
            found[product.sku] = product
    return found


_encode = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, sort_keys=True
).encode


def row_digest(fields: Mapping[str, Any]) -> str | None:
    """The digest of a normalised field dict (its JSON, keys sorted: a row's fields come in no
    fixed order; equal digests mean equal dicts); None for a dict JSON cannot spell exactly (it
    is then always compared)."""
    try:
        text = _encode(fields)
    except (TypeError, ValueError):
        return None
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class StoredDigest:
    """What a load needs of a stored product before its values: id, type, parent, load digest."""

    __slots__ = ("id", "load_digest", "parent_id", "sku", "type")

    def __init__(self, values: Sequence[Any]) -> None:
        self.id, self.sku, self.type, self.parent_id, self.load_digest = values


def digests_by_sku(session: Session, skus: Iterable[str]) -> dict[str, StoredDigest]:
    """``{sku: StoredDigest}`` for the SKUs that exist (exact match), and for those a product
    had when a file was last loaded into it (:func:`renamed_since_load`); nothing decoded."""
    wanted = list(dict.fromkeys(skus))
    found = _digests(session, "sku", wanted)
    missing = [sku for sku in wanted if sku not in found]
    renamed = renamed_since_load(session, missing) if missing else {}
    if renamed:
        by_id = {
            product.id: product for product in _digests(session, "id", renamed.values()).values()
        }
        found.update({sku: by_id[product_id] for sku, product_id in renamed.items()})
    return found


def _digests(session: Session, column: str, keys: Iterable[Any]) -> dict[Any, StoredDigest]:
    wanted = list(keys)
    connection = session.connection()
    found: dict[Any, StoredDigest] = {}
    select = f"SELECT id, sku, type, parent_id, load_digest FROM products WHERE {column} IN "
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = tuple(wanted[start : start + LOOKUP_CHUNK])
        for values in connection.exec_driver_sql(f"{select}({', '.join('?' * len(chunk))})", chunk):
            product = StoredDigest(values)
            found[product.sku if column == "sku" else product.id] = product
    return found


def renamed_since_load(session: Session, skus: Iterable[str]) -> dict[str, int]:
    """``{sku: product id}`` for SKUs no product has but one had when a product file was last
    loaded into it: renamed since (in a store, then imported; ``products edit --sku``). The file
    still names it by its old SKU, which must find it, not make a second product."""
    wanted = list(dict.fromkeys(skus))
    connection = session.connection()
    found: dict[str, int] = {}
    select = (
        "SELECT json_extract(load_base, '$.sku'), id FROM products WHERE load_base IS NOT NULL "
        "AND json_extract(load_base, '$.sku') IN "
    )
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = tuple(wanted[start : start + LOOKUP_CHUNK])
        rows = connection.exec_driver_sql(f"{select}({', '.join('?' * len(chunk))})", chunk)
        found.update((str(sku), int(product_id)) for sku, product_id in rows)
    return found


def fill_digests(
    session: Session, digests: Sequence[tuple[str, dict[str, Any] | None, int]]
) -> None:
    """Set the load digest and base (``(digest, base, id)``) of products the file changes
    nothing of; nothing else of them is written (``updated_at`` stays)."""
    update_many(session, _TABLE, ("load_digest", "load_base"), digests, key="id")


def existing_skus(session: Session, skus: Iterable[str]) -> set[str]:
    """Which of ``skus`` are in the catalog (exact match, or renamed since its last load)."""
    wanted = list(dict.fromkeys(skus))
    connection = session.connection()
    found: set[str] = set()
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = tuple(wanted[start : start + LOOKUP_CHUNK])
        query = f"SELECT sku FROM products WHERE sku IN ({', '.join('?' * len(chunk))})"
        found.update(sku for (sku,) in connection.exec_driver_sql(query, chunk))
    missing = [sku for sku in wanted if sku not in found]
    return found | set(renamed_since_load(session, missing)) if missing else found


def write_changes(
    session: Session, changes: Sequence[tuple[int, dict[str, Any]]], now: datetime
) -> None:
    """Set the changed columns of stored products (``(id, {column: value})``) and move their
    ``updated_at``: one ``executemany`` per set of columns changed."""
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for product_id, columns in changes:
        names = tuple(sorted(columns))
        groups.setdefault(names, []).append((*(columns[name] for name in names), now, product_id))
    for names, rows in groups.items():
        update_many(session, _TABLE, (*names, "updated_at"), rows, key="id")


class TwinIndex:
    """The catalog's SKUs as they were before the load began, without regard to case: a new SKU
    equal to one of them but for case is refused (WooCommerce treats them as one SKU). Read on
    first need, in one scan, as ``{folded SKU: id}``."""

    def __init__(self, session: Session) -> None:
        self._session = session
        connection = session.connection()
        self._last_id = connection.exec_driver_sql("SELECT max(id) FROM products").scalar() or 0
        self._folded: dict[str, int] | None = None

    def get(self, sku: str) -> tuple[int, str] | None:
        """``(id, stored SKU)`` of the stored product whose SKU is ``sku`` but for case."""
        if self._last_id == 0:
            return None
        connection = self._session.connection()
        if self._folded is None:
            rows = connection.exec_driver_sql(
                "SELECT id, sku FROM products WHERE id <= ?", (self._last_id,)
            )
            self._folded = {sku.casefold(): product_id for product_id, sku in rows}
        product_id = self._folded.get(sku.casefold())
        if product_id is None:
            return None
        stored = connection.exec_driver_sql("SELECT sku FROM products WHERE id = ?", (product_id,))
        return product_id, stored.scalar_one()

    def twins(self, skus: Iterable[str]) -> dict[str, tuple[int, str]]:
        """:func:`~woosync.services.catalog.lookup.case_twins` over the catalog before the load."""
        found: dict[str, tuple[int, str]] = {}
        for sku in skus:
            twin = self.get(sku) if sku and sku.strip() else None
            if twin is not None:
                found[sku.strip().casefold()] = twin
        return found
