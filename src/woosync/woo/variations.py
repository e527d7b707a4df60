"""Variations and SKU lookups: a parent's variations listed (several parents at once), and
``?sku=`` hits told apart by ``type``.

WooCommerce writes variations one parent at a time (``/products/batch`` refuses them) and, before
10.3, lists them so too (since, ``/variations`` lists those of many parents), while
``GET /products?sku=`` finds products *and* variations: a hit of ``type: "variation"`` (with
its ``parent_id``) must never be taken for a simple product, nor a product for a variation.
A variation names its options as ``[{id, name, slug, option}]``; an option the parent does not list
is accepted and stored lower-cased, so option sets are compared without regard to case.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from woosync.core.errors import StoreError
from woosync.woo.api_limits import MAX_PER_PAGE
from woosync.woo.concurrency import in_order
from woosync.woo.errors import WooHTTPError
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


ALL_VARIATIONS = "/variations"  # WooCommerce 10.3 and later: the variations of many parents
MAX_PARENTS = 100  # parents named in one listing (their ids keep the URL short)
Found = dict[int, list[dict[str, Any]] | StoreError]  # each parent's variations, or its error
_NOT_THERE = frozenset({400, 404})  # a first /variations answer that leaves the route alone


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
        """``(parent id, its variations)`` for each parent, in the order given (read as
        :meth:`variation_lists` reads them). A failing read raises when its turn comes; stop
        iterating to stop reading."""
        for parent_id, found in self.variation_lists(parent_ids, params, concurrency=concurrency):
            if isinstance(found, StoreError):
                raise found
            yield parent_id, found

    def variation_lists(
        self,
        parent_ids: Iterable[int],
        params: dict[str, Any] | None = None,
        *,
        concurrency: int = 4,
        per_page: int = MAX_PER_PAGE,
        gate: AbstractContextManager[Any] | None = None,
    ) -> Iterator[tuple[int, list[dict[str, Any]] | StoreError]]:
        """``(parent id, its variations)`` for each parent, in the order given, oldest first; a
        parent whose list cannot be read (after the transport's retries) yields its error instead
        of ending the iteration: one parent's failure does not cost the others their variations.
        ``gate`` (a semaphore the caller's other requests share) is held while a list is read.

        A store on WooCommerce 10.3 or later lists the variations of many parents at once
        (``/variations?parent=12,11``): the parents go in ``concurrency`` groups, a request per
        100 variations of a group, instead of one request per parent. A store without that
        route (404 ``rest_no_route``, or a 400 refusing ``parent``, told by the first group read)
        has each parent's list read on its own, ``concurrency`` parents at once."""
        parents = list(dict.fromkeys(int(p) for p in parent_ids))
        if len(parents) > 1 and self.lists_all_variations is not False:
            together = self._variations_together(parents, params, concurrency, per_page, gate)
            if together is not None:
                yield from together
                return

        reads = [functools.partial(self._parent_list, p, params, per_page, gate) for p in parents]
        with contextlib.closing(in_order(reads, concurrency)) as done:
            for parent_id, future in zip(parents, done, strict=True):
                yield parent_id, future.result()

    # whether the store has /variations: unknown until a group of parents is read through it
    lists_all_variations: bool | None = None

    def _variations_together(
        self,
        parents: list[int],
        params: dict[str, Any] | None,
        concurrency: int,
        per_page: int,
        gate: AbstractContextManager[Any] | None,
    ) -> Iterator[tuple[int, list[dict[str, Any]] | StoreError]] | None:
        """:meth:`variation_lists` through ``/variations``; ``None`` when the store has no such
        route (told by the first group, read before the others when it is not known yet)."""
        wanted = {"context": "edit", **(params or {})}
        if "_fields" in wanted:  # each variation is given back to its parent by its parent_id
            wanted["_fields"] = ",".join(
                dict.fromkeys([*wanted["_fields"].split(","), "parent_id"])
            )
        size = -(-len(parents) // max(1, concurrency))
        groups = [
            parents[i : i + min(size, MAX_PARENTS)]
            for i in range(0, len(parents), min(size, MAX_PARENTS))
        ]

        def read(group: list[int], probe: bool = False) -> Found:
            query = {**wanted, "parent": ",".join(map(str, group))}
            try:
                with gate if gate is not None else contextlib.nullcontext():
                    found = self.list_all(ALL_VARIATIONS, query, per_page=per_page, concurrency=1)
            except StoreError as exc:
                if probe and isinstance(exc, WooHTTPError) and exc.status in _NOT_THERE:
                    raise  # no such route, or one that refuses its parameters
                # read parent by parent: one the store cannot list costs the others nothing
                return {p: self._parent_list(p, params, per_page, gate) for p in group}
            by_parent: Found = {p: [] for p in group}
            for variation in found:
                listed = by_parent.get(int(variation.get("parent_id") or 0))
                if isinstance(listed, list):
                    listed.append(variation)
            return by_parent

        first: Found | None = None
        if self.lists_all_variations is None:
            try:
                first = read(groups[0], probe=True)
            except WooHTTPError:  # 404 rest_no_route: before WooCommerce 10.3
                self.lists_all_variations = False
                return None
            self.lists_all_variations = True
        later = groups if first is None else groups[1:]
        return _by_parent(
            first, groups[0], later, [functools.partial(read, g) for g in later], concurrency
        )

    def _parent_list(
        self,
        parent_id: int,
        params: dict[str, Any] | None,
        per_page: int,
        gate: AbstractContextManager[Any] | None,
    ) -> list[dict[str, Any]] | StoreError:
        """One parent's variations, read under ``gate``; the store's error if it cannot be read."""
        try:
            with gate if gate is not None else contextlib.nullcontext():
                return self.list_variations(parent_id, params, per_page=per_page)
        except StoreError as exc:
            return exc

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


def _by_parent(
    first: Found | None,
    first_group: list[int],
    later: list[list[int]],
    reads: list[Callable[[], Found]],
    concurrency: int,
) -> Iterator[tuple[int, list[dict[str, Any]] | StoreError]]:
    """Each parent with its variations (or its error), group after group, in order: the first
    group's as already read (when it was), the later ones read ``concurrency`` at a time."""
    if first is not None:
        yield from _each(first_group, first)
    with contextlib.closing(in_order(reads, concurrency)) as done:
        for group, future in zip(later, done, strict=True):
            yield from _each(group, future.result())


def _each(
    group: list[int], found: Found
) -> Iterator[tuple[int, list[dict[str, Any]] | StoreError]]:
    for parent_id in group:
        yield parent_id, found[parent_id]
