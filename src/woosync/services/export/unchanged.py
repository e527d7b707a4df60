"""An unchanged partial export, decided in SQL without reading the product.

When a product's sync record is booked in step (every value's fingerprint is the record's, no
conflict), it is stamped with a digest: the export's settings (its targets and ``allow_empty``:
:func:`settings`) and the revision of the product row the values were read from
(``products.revision``, which a trigger bumps whenever a column of the row changes: migration 12).
Next time, a partial export asks SQLite which chosen products hold the stamp of its own settings
and their row's current revision (:func:`quiet`); those are unchanged: nothing is read, decoded or
sent.

What invalidates a stamp, and how (each has a test in ``tests/test_export_digest.py``):

- other settings (a mapping edited, other ``--fields``, ``allow_empty``, another version of
  woosync): another settings digest;
- any change of the product row (an edit, a load, an import, a rename of its categories, a
  change made while the export ran, after its values were read): another revision;
- a product inserted under a reused id: its records' stamps are cleared (a trigger);
- a record's base fingerprints, link, status or conflicts written without a new stamp (an import,
  ``mark_pending``): cleared (a trigger); ``quiet`` also asks for status ``synced``, a link and no
  conflict;
- a digest of an older woosync: cleared by migration 12 (the next run decides the full way).

A seeded random walk of such steps checks that the quiet products are exactly those the full
decision finds unchanged (``test_quiet_products_are_exactly_those_the_full_decision_finds_...``).

Anything not quiet goes the full way (``select.load_items``, ``decide.decide_linked``), which books
a fresh stamp when the product turns out unchanged after all. A variable product's variations are
not covered: they always go through the variation pass (``variation_run``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from woosync import __version__
from woosync.services.sync.targets import Target

SYNCED = "synced"


def quiet(record: str) -> str:
    """SQL: whether the sync record ``record`` (an alias) of product ``p`` holds the stamp of the
    run's settings (the one parameter: :func:`settings`) and the product's current revision."""
    r = record
    return (
        f"{r}.export_digest = ? || p.revision AND {r}.sync_status = '{SYNCED}'"
        f" AND {r}.woo_product_id > 0"
        f" AND ({r}.conflicts IS NULL OR {r}.conflicts = 'null')"  # JSON null, as may be stored
    )


def settings(targets: Sequence[Target], allow_empty: Iterable[str]) -> str:
    """What the export's options contribute to a stamp (the stamp's prefix), with woosync's
    version: another version may read or fingerprint values another way."""
    shape = (
        [[t.field, t.key, t.kind, t.woo] for t in targets],
        sorted(set(allow_empty)),
        __version__,
    )
    text = json.dumps(shape, ensure_ascii=False).encode("utf-8")
    return hashlib.sha1(text, usedforsecurity=False).hexdigest() + ":"


def stamp(prefix: str, revision: int) -> str:
    """The digest a record in step gets: the settings' ``prefix`` and the product's revision."""
    return f"{prefix}{int(revision)}"


def last_exported(raw: Any) -> datetime | None:
    """A stored ``last_exported_at`` (UTC text) as a datetime."""
    if raw is None:
        return None
    found = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)
