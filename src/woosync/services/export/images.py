"""Image URLs while sending: the store downloads each URL once per run.

A product whose body names an image URL the store lacks sends it by ``src``; another product with
the same URL waits until that write is answered, then sends the id the store gave it (no request
is added for it). After a lost answer, the ids the store products now hold are learnt before the
writes go again; an image id the store no longer has is forgotten and its URL sent again.

Variations (:class:`VariationImageClaims`, the gate of ``WooClient.write_variations``) follow the
same rule: a variable product whose next request would send a URL another parent's request in
flight is sending waits for that answer (no request added); a variation sharing a new URL with a
sibling in the same request goes in the parent's next request, by id (one request added to that
parent, in the run that first sends the URL). Variations are sent after the product pass, so a URL
a product or a variable product's own images sent already goes by id from the start.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from woosync.services.export import decide
from woosync.services.export.registry import IMAGE, StoreRegistry
from woosync.services.export.state import Item, Run
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.image_files import same_image_file
from woosync.woo import VariationOutcome, VariationWrite
from woosync.woo.api_limits import MAX_PER_PAGE
from woosync.woo.errors import WooError
from woosync.woo.variation_values import fold_sku

if TYPE_CHECKING:
    from woosync.woo.client import WooClient

log = logging.getLogger("woosync.export")

IMAGE_UNLOADABLE = "woocommerce_variation_image_upload_error"  # the store could not download it
# a write given up with no answer from the store (its request may have landed)
_UNANSWERED = frozenset({"woosync_no_answer", "woosync_store_down"})


def adopt_store_images(
    registry: StoreRegistry, srcs: Sequence[str], stored: Sequence[Mapping[str, Any]] | None
) -> int:
    """Learn the ids of images a store product already holds for our URLs; returns how many.

    After a run died between the store applying a write and this database recording it, the
    store has the product with its images but the registry lacks their ids: sending the URLs
    again would download them again. An image counts as ours when it sits at the same position
    as our URL and carries the same file name (WordPress keeps the URL's file name, lowercased
    or sanitized, with ``-1``, ``-2`` ... when the name was taken and ``-scaled`` for big
    images), and is not known here as another URL's image (an older picture under the same
    file name). Anything else is left alone and sent by URL.
    """
    learnt = 0
    for src, image in zip(srcs, stored or (), strict=False):
        image_id = image.get("id") if isinstance(image, Mapping) else None
        if not image_id or registry.get(IMAGE, src) is not None:
            continue
        others = registry.urls_of_image(int(image_id)) - {src, str(image.get("src"))}
        if not others and same_image_file(src, image):
            registry.remember(IMAGE, src, int(image_id))
            learnt += 1
    return learnt


class ImageClaims:
    """Image URLs sent by ``src`` in a write still in flight (URL -> product), the URLs each such
    product claimed, and the products held back until that write is answered."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self._claims: dict[str, int] = {}
        self._claimed: dict[int, list[str]] = {}
        self._waiters: dict[str, list[Item]] = {}

    def claim(self, item: Item) -> bool:
        """Swap URLs learnt since the body was built for their ids, then claim the item's URLs;
        False (the item waits) when another product in flight is sending one of them."""
        registry = self.run.registry
        images = (item.payload or {}).get("images")
        srcs = item.values.get(sync_targets.IMAGES) or []
        if not images or len(images) != len(srcs):
            return True
        for index, src in enumerate(srcs):
            if "src" in images[index] and registry.get(IMAGE, src) is not None:
                images[index] = registry.image(src)
        unsent = [str(image["src"]) for image in images if "src" in image]
        for src in unsent:
            owner = self._claims.get(src)
            if owner is not None and owner != item.product_id:
                self._waiters.setdefault(src, []).append(item)
                return False
        for src in unsent:
            self._claims[src] = item.product_id
        self._claimed[item.product_id] = unsent
        return True

    def release(self, chunk: Sequence[Item]) -> list[Item]:
        """After a chunk's answer (the ids learnt): its URLs are free; returns the products that
        waited for them."""
        freed: list[Item] = []
        for item in chunk:
            for src in self._claimed.pop(item.product_id, []):
                if self._claims.get(src) == item.product_id:
                    del self._claims[src]
                freed += self._waiters.pop(src, [])
        return freed

    def waiting(self) -> int:
        """Products held back for a URL another write in flight sends."""
        return sum(len(items) for items in self._waiters.values())

    def drop_waiters(self) -> list[Item]:
        """Every product still waiting (the run gives up)."""
        waiting = [i for items in self._waiters.values() for i in items]
        self._waiters.clear()
        return waiting


def forget_images(run: Run, item: Item) -> None:
    """The store refused an image id we cached (gone from its media library): send the URLs."""
    item.image_retry = True
    for image in (item.payload or {}).get("images", []):
        for src in item.values.get(sync_targets.IMAGES, []):
            if image.get("id") and run.registry.get(IMAGE, src) == image["id"]:
                run.registry.forget(IMAGE, src)
    decide.build(run, item)


def recover_images(run: Run, items: Sequence[Item]) -> None:
    """Updates whose answer was lost may have landed, their image URLs downloaded: learn the ids
    the store products now hold for those URLs (one request) before the updates go again."""
    wanted = {
        i.woo_id: i
        for i in items
        if any("src" in image for image in (i.payload or {}).get("images") or [])
    }
    if not wanted:
        return
    params = {"include": ",".join(str(woo_id) for woo_id in wanted), "context": "edit"}
    try:
        products = run.client.list_all("/products", params, per_page=MAX_PER_PAGE, concurrency=1)
    except WooError:  # the store is still failing: the retry sends the URLs
        return
    for product in products:
        item = wanted.get(int(product.get("id") or 0))
        if item is not None:
            srcs = item.values.get(sync_targets.IMAGES) or []
            adopt_store_images(run.registry, srcs, product.get("images"))


class VariationImageClaims:
    """The image URLs variation writes in flight send by ``src`` (URL -> the write's tag, and the
    parent it goes to): the gate ``WooClient.write_variations`` asks before each request.

    Only the main thread uses it: writes are admitted and answers booked (:meth:`release`) between
    requests, never while a worker runs."""

    def __init__(
        self,
        registry: StoreRegistry,
        client: WooClient,
        failed_before: Callable[[int], bool] = lambda _tag: False,
    ) -> None:
        self.registry = registry
        self.client = client
        # whether the write tagged so failed in an earlier run (its request may have landed)
        self.failed_before = failed_before
        self._checked: set[int] = set()  # writes failed before whose store copy was read
        self._claims: dict[str, tuple[int, int]] = {}  # URL -> (tag, parent id)
        self._claimed: dict[int, str] = {}  # tag -> the URL it claimed
        # URLs the store could not download in this run: the others naming one go together (each
        # is refused with the store's reason) instead of one request after another
        self._unloadable: set[str] = set()
        self._forgotten: dict[int, str] = {}  # media ids the store lost -> the URL they stood for
        # URLs whose sender was given up after a request that may have landed: (parent, write)
        self._suspects: dict[str, tuple[int, VariationWrite]] = {}

    def admit(
        self, parent_id: int, writes: Sequence[VariationWrite]
    ) -> list[VariationWrite | None]:
        """Each write as it goes now: a URL learnt meanwhile by its id; a URL a sibling sends now
        held for the parent's next request (None); a URL another parent's write in flight sends
        holds the whole parent back (all None), unless the parent resends a claim of its own."""
        srcs = [self._unsent(write) for write in writes]
        if not any(srcs):
            return list(writes)
        for suspect in {src for src in srcs if src in self._suspects}:
            self._learn_suspect(str(suspect))
        resent = [w for w, src in zip(writes, srcs, strict=True) if src and self._owns(w, src)]
        unsure = [
            *resent,
            *(w for w, src in zip(writes, srcs, strict=True) if src and self._unsure(w)),
        ]
        if unsure:
            self._learn_landed(parent_id, unsure)
        elsewhere = False
        for write, src in zip(writes, srcs, strict=True):
            owner = self._claims.get(src) if src else None
            if owner is not None and owner[0] != write.tag and owner[1] != parent_id:
                elsewhere = True
        if elsewhere and not resent:
            return [None] * len(writes)
        admitted: list[VariationWrite | None] = []
        for write, src in zip(writes, srcs, strict=True):
            if not src:
                admitted.append(write)
            elif self.registry.get(IMAGE, src) is not None:  # learnt since the body was built
                admitted.append(_with_image(write, self.registry.image(src)))
            elif src in self._unloadable:
                admitted.append(_by_url(write, src))
            elif (owner := self._claims.get(src)) is None or owner[0] == write.tag:
                self._claims[src] = (write.tag, parent_id)
                self._claimed[write.tag] = src
                admitted.append(_by_url(write, src))
            else:
                admitted.append(None)
        return admitted

    def release(self, outcome: VariationOutcome) -> None:
        """A write answered (its image id learnt, or refused, or given up): its URL is free. One
        given up after a request that may have landed leaves the URL suspect: the next write
        sending it first reads the store's copy of this one."""
        tag = outcome.write.tag
        src = self._claimed.pop(tag, None)
        if src is None or self._claims.get(src, (0, 0))[0] != tag:
            return
        parent_id = self._claims.pop(src)[1]
        error = outcome.error
        if error is not None and error.code == IMAGE_UNLOADABLE:
            self._unloadable.add(src)
        elif error is not None and (error.code in _UNANSWERED or (error.status or 0) >= 500):
            self._suspects[src] = (parent_id, outcome.write)

    def forget(self, write: VariationWrite, src: str) -> VariationWrite | None:
        """The store refused the image id ``write`` named for ``src`` (gone from its media
        library): forget it, here and for the writes still queued that name it; ``write`` again
        with the URL, or None when it named no id."""
        image = write.payload.get("image")
        image_id = image.get("id") if isinstance(image, Mapping) else None
        if not image_id:
            return None
        if self.registry.get(IMAGE, src) == image_id:
            self.registry.forget(IMAGE, src)
        if int(image_id) not in self._forgotten:
            log.info("image #%s is gone from the store: %s is sent again", image_id, src)
        self._forgotten[int(image_id)] = src
        return _by_url(write, src)

    def _unsent(self, write: VariationWrite) -> str | None:
        """The URL ``write`` makes the store download (or would name by an id the store lost)."""
        image = write.payload.get("image")
        if not isinstance(image, Mapping):
            return None
        if image.get("id"):
            return self._forgotten.get(int(image["id"])) if self._forgotten else None
        return str(image["src"]) if image.get("src") else None

    def _unsure(self, write: VariationWrite) -> bool:
        """An update failed in an earlier run, sent for the first time in this one."""
        if write.action != "update" or write.tag in self._checked:
            return False
        self._checked.add(write.tag)
        return self.failed_before(write.tag)

    def _learn_suspect(self, src: str) -> None:
        """The image id of ``src`` if the write given up with it landed after all."""
        parent_id, write = self._suspects.pop(src)
        if self.registry.get(IMAGE, src) is not None:
            return
        try:
            held = self.client.list_variations(parent_id)
        except WooError:  # the store is still failing: the URL is sent again
            return
        sku = fold_sku(write.sku)
        for variation in held:
            same_sku = bool(sku) and fold_sku(variation.get("sku")) == sku
            if variation.get("id") == write.variation_id or same_sku:
                image = variation.get("image")
                if isinstance(image, Mapping):
                    adopt_store_images(self.registry, [src], [image])

    def _owns(self, write: VariationWrite, src: str) -> bool:
        owner = self._claims.get(src)
        return owner is not None and owner[0] == write.tag

    def _learn_landed(self, parent_id: int, resent: Sequence[VariationWrite]) -> None:
        """Updates going again after a request that may have landed (its answer lost, in this run
        or an earlier one that gave them up) may have had their URLs downloaded: learn the ids the
        store's variations now hold for them (one listing of the parent), as ``recover_images``
        does for products. Creates that landed are found by the client's own lookup before the
        resend (in this run) or matched by SKU (:func:`adopt_variation_image`, in a later one)."""
        updates = {int(w.variation_id or 0): w for w in resent if w.action == "update"}
        if not updates:
            return
        try:
            held = self.client.list_variations(parent_id)
        except WooError:  # the store is still failing: the retry sends the URL
            return
        for variation in held:
            write = updates.get(int(variation.get("id") or 0))
            image = variation.get("image")
            src = self._unsent(write) if write is not None else None
            if src and isinstance(image, Mapping):
                adopt_store_images(self.registry, [src], [image])


def adopt_variation_image(
    registry: StoreRegistry, values: Mapping[str, Any], held: Mapping[str, Any] | None
) -> None:
    """A variation matched to the store's (by SKU or options, never linked before or relinked)
    keeps the image the store holds for its URL (a run that died before recording it), as
    ``match.link_to`` does for a product's images."""
    images = values.get(sync_targets.IMAGES)
    if images and held is not None and isinstance(held.get("image"), Mapping):
        adopt_store_images(registry, [str(images[0])], [held["image"]])


def _by_url(write: VariationWrite, src: str) -> VariationWrite:
    image = write.payload.get("image")
    if isinstance(image, Mapping) and image.get("src") == src and not image.get("id"):
        return write
    return _with_image(write, {"src": src})


def _with_image(write: VariationWrite, image: dict[str, Any]) -> VariationWrite:
    return dataclasses.replace(write, payload={**write.payload, "image": image})
