"""An unchanged partial export, decided without decoding the product.

When a product's sync record is booked in step (every value's fingerprint is the record's, no
conflict), it keeps a digest of everything that decision rested on: the export's targets and
``allow_empty``, the product's columns as stored, and the record's base fingerprints as stored.
Next time, a partial export reads the same bytes and compares digests: equal means the values
and the base are what they were, so the product is unchanged (nothing decoded, nothing sent).
Anything else (a catalog edit, an import that moved the base, other fields, a conflict, a record
not ``synced``) goes the full way (``select.load_items``, ``decide.decide_linked``), which books
a fresh digest when the product turns out unchanged after all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from woosync.core import jsontext
from woosync.services.sync.targets import Target

SYNCED = "synced"
Basis = Any  # a hashlib object fed with the signature and the product's columns


def signature(targets: Sequence[Target], allow_empty: Iterable[str]) -> bytes:
    """What the export's options contribute to the digest."""
    shape = [[t.field, t.key, t.kind, t.woo] for t in targets], sorted(set(allow_empty))
    return json.dumps(shape, ensure_ascii=False).encode("utf-8")


def basis(signature: bytes, product: tuple[Any, ...]) -> Basis:
    """The digest so far: the signature and the product's columns as stored."""
    found = hashlib.sha1(signature, usedforsecurity=False)
    found.update(repr(product).encode("utf-8", "surrogatepass"))
    return found


def stored_text(previous: dict[str, str]) -> str:
    """``exported_values`` as the database stores it (``db.bulk_sql``: ``json.dumps``)."""
    return jsontext.dumps(previous) if previous else "{}"


def digest(found: Basis, exported_values: str) -> str:
    """The digest of a product with these base fingerprints (their stored text)."""
    final = found.copy()
    final.update(exported_values.encode("utf-8", "surrogatepass"))
    return str(final.hexdigest())


def last_exported(raw: Any) -> datetime | None:
    """A stored ``last_exported_at`` (UTC text) as a datetime."""
    if raw is None:
        return None
    found = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def is_unchanged(sync: Sequence[Any], found: Basis) -> bool:
    """Whether the product's record (``select.SYNC_RAW``) holds the digest of these inputs."""
    woo_id, status, stored, exported_values, conflicts, _last = sync
    return bool(
        woo_id
        and status == SYNCED
        and stored
        and conflicts in (None, "null")  # JSON null as the database may store it
        and exported_values is not None
        and stored == digest(found, exported_values)
    )
