"""Variations and SKU lookups: a parent's variations listed (several parents at once), and
``?sku=`` hits told apart by ``type``.

WooCommerce writes and lists variations one parent at a time (``/products/batch`` refuses them),
while ``GET /products?sku=`` finds products *and* variations: a hit of ``type: "variation"`` (with
its ``parent_id``) must never be taken for a simple product, nor a product for a variation.
A variation names its options as ``[{id, name, slug, option}]``; an option the parent does not list
is accepted and stored lower-cased, so option sets are compared without regard to case.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from woosync.core.errors import StoreError
from woosync.woo.api_limits import MAX_PER_PAGE
from woosync.woo.concurrency import in_order
from woosync.woo.listing import Listing
from woosync.woo.variation_values import (
    VARIATION,
    OptionSet,
    SkuHits,
    fold_sku,
    option_set,
    store_option_set,
    variations_path,
)

# the plain values live in variation_values (no HTTP there); their old home still names them
__all__ = [
    "VARIATION",
    "OptionSet",
    "SkuHits",
    "Variations",
    "fold_sku",
    "option_set",
    "store_option_set",
    "variations_path",
]


class Variations(Listing):
    """Reading variations and looking SKUs up."""

    def list_variations(
        self,
        parent_id: int,
        params: dict[str, Any] | None = None,
        *,
        concurrency: int = 1,
        per_page: int = MAX_PER_PAGE,
    ) -> list[dict[str, Any]]:
        """Every variation of ``parent_id`` (``context=edit``), oldest first, all pages."""
        wanted = {"context": "edit", **(params or {})}
        return self.list_all(
            variations_path(parent_id), wanted, per_page=per_page, concurrency=concurrency
        )

    def variations_of(
        self,
        parent_ids: Iterable[int],
        params: dict[str, Any] | None = None,
        *,
        concurrency: int = 4,
    ) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """``(parent id, its variations)`` for each parent, in the order given, ``concurrency``
        parents read at once (each parent's pages one after another). A failing read raises
        when its turn comes; stop iterating to stop reading."""
        parents = list(dict.fromkeys(int(p) for p in parent_ids))

        def call(parent_id: int) -> Callable[[], list[dict[str, Any]]]:
            return lambda: self.list_variations(parent_id, params)

        with contextlib.closing(in_order([call(p) for p in parents], concurrency)) as done:
            for parent_id, future in zip(parents, done, strict=True):
                yield parent_id, future.result()

    def variation_lists(
        self,
        parent_ids: Iterable[int],
        params: dict[str, Any] | None = None,
        *,
        concurrency: int = 4,
        per_page: int = MAX_PER_PAGE,
        gate: AbstractContextManager[Any] | None = None,
    ) -> Iterator[tuple[int, list[dict[str, Any]] | StoreError]]:
        """Like :meth:`variations_of`, but a parent whose list cannot be read (after the
        transport's retries) yields its error instead of ending the iteration: one parent's
        failure does not cost the others their variations. ``gate`` (a semaphore the caller's
        other requests share) is held while a parent's list is read."""
        parents = list(dict.fromkeys(int(p) for p in parent_ids))

        def call(parent_id: int) -> Callable[[], list[dict[str, Any]] | StoreError]:
            def read() -> list[dict[str, Any]] | StoreError:
                try:
                    with gate if gate is not None else contextlib.nullcontext():
                        return self.list_variations(parent_id, params, per_page=per_page)
                except StoreError as exc:
                    return exc

            return read

        with contextlib.closing(in_order([call(p) for p in parents], concurrency)) as done:
            for parent_id, future in zip(parents, done, strict=True):
                yield parent_id, future.result()

    def lookup_skus(
        self, skus: Iterable[str], *, trash: bool = False, concurrency: int = 4
    ) -> SkuHits:
        """Store products and variations holding these SKUs, ``MAX_PER_PAGE`` per request (one page of answers).

        ``trash`` looks in the trash instead. A SKU containing a comma goes alone (the store
        splits the value on commas and also tries the whole value).
        """
        distinct = [s for s in dict.fromkeys(str(s).strip() for s in skus) if s]
        plain = [s for s in distinct if "," not in s]
        step = MAX_PER_PAGE
        groups = [plain[i : i + step] for i in range(0, len(plain), step)]
        groups += [[s] for s in distinct if "," in s]
        hits = SkuHits()

        def call(group: Sequence[str]) -> Callable[[], list[dict[str, Any]]]:
            wanted = ",".join(group)
            # "0" is PHP-empty: WooCommerce would drop the filter and list the whole store. The
            # store splits the value on commas, so "0,0" asks for SKU "0" alone.
            params: dict[str, Any] = {"sku": "0,0" if wanted == "0" else wanted, "context": "edit"}
            if trash:
                params["status"] = "trash"
            return lambda: self.list_all("/products", params, per_page=MAX_PER_PAGE, concurrency=1)

        with contextlib.closing(in_order([call(g) for g in groups], concurrency)) as done:
            for future in done:
                for hit in future.result():
                    hits.add(hit)
        return hits
