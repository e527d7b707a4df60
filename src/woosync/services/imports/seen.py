"""What an import remembers of the products it went through, in a few bytes each.

The listing comes in id order, so the store ids handled so far are kept in sorted parallel arrays
(``array`` and ``bytearray``: about 19 bytes a product, against ~200 for a dict of objects) and a new
id is almost always appended. SKUs are remembered as 64-bit hashes: the SKUs this run claimed for
new products, and the catalog's SKUs case-folded (read once, streamed), so that a hit is confirmed
against the database before it counts.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from datetime import datetime

from woosync.services.imports.results import STATUSES, Earlier

_NOT_DATED = math.nan


class SeenProducts:
    """The store products this run handled: when the store last changed each (a repeat of the same
    version is dropped, a newer one is handled again) and what became of it."""

    def __init__(self) -> None:
        self._ids = array("q")
        self._modified = array("d")
        self._status = bytearray()  # 0: no result yet, else 1 + index in STATUSES
        self._conflicts = array("H")

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, woo_id: object) -> bool:
        return isinstance(woo_id, int) and self._index(woo_id) is not None

    def _index(self, woo_id: int) -> int | None:
        ids = self._ids
        if ids and woo_id > ids[-1]:
            return None
        at = bisect_left(ids, woo_id)
        return at if at < len(ids) and ids[at] == woo_id else None

    def note(self, woo_id: int, modified: datetime | None) -> bool:
        """Remember a product the store sent; ``False`` when this run handled this version (or a
        newer one) already."""
        stamp = modified.timestamp() if modified is not None else _NOT_DATED
        at = self._index(woo_id)
        if at is not None:
            before = self._modified[at]
            if modified is None or (not math.isnan(before) and stamp <= before):
                return False
            self._modified[at] = stamp
            return True
        ids = self._ids
        if not ids or woo_id > ids[-1]:
            ids.append(woo_id)
            self._modified.append(stamp)
            self._status.append(0)
            self._conflicts.append(0)
            return True
        at = bisect_left(ids, woo_id)  # out of order (given ids): rare
        ids.insert(at, woo_id)
        self._modified.insert(at, stamp)
        self._status.insert(at, 0)
        self._conflicts.insert(at, 0)
        return True

    def status(self, woo_id: int) -> str | None:
        """The status of this run's result for the product, if it has one yet."""
        at = self._index(woo_id)
        if at is None or not self._status[at]:
            return None
        return STATUSES[self._status[at] - 1]

    def record(self, woo_id: int, status: str, conflicts: int) -> Earlier:
        """Remember the product's result; the one it replaces, if any."""
        at = self._index(woo_id)
        if at is None:
            return None
        earlier: Earlier = None
        if self._status[at]:
            earlier = (STATUSES[self._status[at] - 1], self._conflicts[at])
        self._status[at] = 1 + STATUSES.index(status)
        self._conflicts[at] = min(conflicts, 0xFFFF)
        return earlier


class SkuHashes:
    """A set of SKUs as 64-bit hashes, 8 bytes each (a false hit is possible, so a hit is only a
    hint): the newest in a small ``set``, the others in sorted arrays of growing sizes, merged
    two by two like a binary counter (a lookup bisects at most log2(n / RECENT) arrays)."""

    RECENT = 4096

    def __init__(self) -> None:
        self._recent: set[int] = set()
        self._sorted: list[array[int]] = []

    def add(self, sku: str) -> None:
        self._recent.add(hash(sku))
        if len(self._recent) >= self.RECENT:
            merged = array("q", sorted(self._recent))
            self._recent = set()
            while self._sorted and len(self._sorted[-1]) <= len(merged):
                merged = array("q", heapq.merge(self._sorted.pop(), merged))
            self._sorted.append(merged)

    def __contains__(self, sku: object) -> bool:
        if not isinstance(sku, str):
            return False
        wanted = hash(sku)
        if wanted in self._recent:
            return True
        for hashes in self._sorted:
            at = bisect_left(hashes, wanted)
            if at < len(hashes) and hashes[at] == wanted:
                return True
        return False

    def __len__(self) -> int:
        """How many were added (a SKU added twice counts twice once it left the recent set)."""
        return len(self._recent) + sum(len(hashes) for hashes in self._sorted)
