"""Image URLs while sending: the store downloads each URL once per run.

A product whose body names an image URL the store lacks sends it by ``src``; another product with
the same URL waits until that write is answered, then sends the id the store gave it (no request
is added for it). After a lost answer, the ids the store products now hold are learnt before the
writes go again; an image id the store no longer has is forgotten and its URL sent again.
"""

from __future__ import annotations

from collections.abc import Sequence

from woosync.services.export import decide
from woosync.services.export.registry import IMAGE
from woosync.services.export.state import Item, Run
from woosync.services.sync import targets as sync_targets
from woosync.woo.api_limits import MAX_PER_PAGE
from woosync.woo.errors import WooError


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
            run.registry.adopt_store_images(srcs, product.get("images"))
