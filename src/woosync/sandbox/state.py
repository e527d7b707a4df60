"""Everything the sandbox store holds, with its indexes, id counters and JSON persistence.

Records are plain JSON-ready dicts. Dates are stored as ``YYYY-MM-DDTHH:MM:SS`` strings in UTC (the
site's time zone is UTC, so local and ``_gmt`` dates agree); they sort and compare as strings.
One re-entrant lock guards every read and write; ``version`` moves on every write so list queries
can cache their sorted id lists.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CATEGORY = "product_cat"
TAG = "product_tag"
BRAND = "product_brand"  # WooCommerce 9.6 and later: hierarchical, as categories
HIERARCHICAL = frozenset({CATEGORY, BRAND})
FORMAT_VERSION = 1


def attribute_taxonomy(attribute_id: int) -> str:
    """Terms of a global attribute live in their own taxonomy, keyed by the attribute's id."""
    return f"pa:{attribute_id}"


def brand_ids(record: dict[str, Any]) -> list[int]:
    """A product's brands (none in data saved before the sandbox had brands)."""
    return list(record.get("brand_ids") or [])


def is_variation(record: dict[str, Any]) -> bool:
    return bool(record["type"] == "variation")


def sku_key(sku: str) -> str:
    """SKUs match case-insensitively, as under MySQL's default collation."""
    return sku.casefold()


class State:
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.version = 0
        self.products: dict[int, dict[str, Any]] = {}
        self.sku_index: dict[str, int] = {}  # products and variations share one SKU space
        self.product_slugs: dict[str, int] = {}
        self.children: dict[int, list[int]] = {}  # variable product id -> its variations' ids
        self.media: dict[int, dict[str, Any]] = {}
        self.media_files: set[str] = set()
        self.media_suffixes: dict[str, int] = {}  # next "-N" to try per file name (not saved)
        self.terms: dict[int, dict[str, Any]] = {}
        self.taxonomies: dict[str, dict[int, dict[str, Any]]] = {CATEGORY: {}, TAG: {}, BRAND: {}}
        self.attributes: dict[int, dict[str, Any]] = {}
        self.keys: dict[str, dict[str, Any]] = {}
        self.nonces: dict[str, dict[str, int]] = {}
        self.next_post_id = 10
        self.next_term_id = 15
        self.next_attribute_id = 1
        self.next_meta_id = 1
        self.list_cache: dict[tuple[Any, ...], list[int]] = {}
        self.list_cache_version = -1
        self._term_counts: tuple[int, dict[int, int]] | None = None
        self.has_brands = True  # WooCommerce 9.6 and later (SandboxStore's wc_version)
        self.default_category_id = self.add_term(CATEGORY, "Uncategorized", "uncategorized")["id"]

    # time and ids ------------------------------------------------------------------------------
    def now(self) -> str:
        moment = self.clock()
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S")

    def touch(self) -> None:
        self.version += 1

    def new_post_id(self) -> int:
        value = self.next_post_id
        self.next_post_id += 1
        return value

    def new_meta_id(self) -> int:
        value = self.next_meta_id
        self.next_meta_id += 1
        return value

    # products ----------------------------------------------------------------------------------
    def index_product(self, record: dict[str, Any]) -> None:
        """Store a product or a variation (``type: "variation"``, under its ``parent_id``)."""
        self.products[record["id"]] = record
        if record["sku"]:
            self.sku_index[sku_key(record["sku"])] = record["id"]
        if is_variation(record):
            siblings = self.children.setdefault(record["parent_id"], [])
            if record["id"] not in siblings:
                siblings.append(record["id"])
                siblings.sort()
        else:
            self.product_slugs[record["slug"]] = record["id"]

    def unindex_product(self, record: dict[str, Any]) -> None:
        if record["sku"] and self.sku_index.get(sku_key(record["sku"])) == record["id"]:
            del self.sku_index[sku_key(record["sku"])]
        if is_variation(record):
            siblings = self.children.get(record["parent_id"], [])
            if record["id"] in siblings:
                siblings.remove(record["id"])
        elif self.product_slugs.get(record["slug"]) == record["id"]:
            del self.product_slugs[record["slug"]]

    def variations_of(self, parent_id: int) -> list[dict[str, Any]]:
        """A product's variations (trashed ones included), oldest first."""
        return [self.products[i] for i in self.children.get(parent_id, [])]

    def product_by_sku(self, sku: str) -> dict[str, Any] | None:
        product_id = self.sku_index.get(sku_key(sku))
        return self.products.get(product_id) if product_id is not None else None

    def unique_product_slug(self, slug: str, product_id: int) -> str:
        slug = slug or str(product_id)
        candidate, n = slug, 2
        while self.product_slugs.get(candidate, product_id) != product_id:
            candidate = f"{slug}-{n}"
            n += 1
        return candidate

    # terms -------------------------------------------------------------------------------------
    def add_term(self, taxonomy: str, name: str, slug: str, **extra: Any) -> dict[str, Any]:
        term = {
            "id": self.next_term_id,
            "taxonomy": taxonomy,
            "name": name,
            "slug": slug,
            "description": extra.get("description", ""),
            "parent": extra.get("parent", 0),
            "display": extra.get("display", "default"),
            "image": extra.get("image"),
            "menu_order": extra.get("menu_order", 0),
        }
        self.next_term_id += 1
        self.terms[term["id"]] = term
        self.taxonomies.setdefault(taxonomy, {})[term["id"]] = term
        return term

    def remove_term(self, term_id: int) -> None:
        term = self.terms.pop(term_id, None)
        if term is not None:
            self.taxonomies.get(term["taxonomy"], {}).pop(term_id, None)

    def find_term(
        self,
        taxonomy: str,
        *,
        name: str | None = None,
        slug: str | None = None,
        parent: int | None = None,
    ) -> dict[str, Any] | None:
        for term in self.taxonomies.get(taxonomy, {}).values():
            if parent is not None and term["parent"] != parent:
                continue
            if name is not None and term["name"].casefold() == name.casefold():
                return term
            if slug is not None and term["slug"] == slug:
                return term
        return None

    def unique_term_slug(self, taxonomy: str, slug: str, parent: int = 0) -> str:
        """``wp_unique_term_slug``: a taken slug first gains its parents' slugs, then ``-2``, ``-3``.

        "Mugs" under "Kitchen" when "mugs" is taken becomes ``mugs-kitchen``.
        """
        terms = self.taxonomies.get(taxonomy, {})
        slugs = {term["slug"] for term in terms.values()}
        if slug not in slugs:
            return slug
        suffix, ancestor = "", terms.get(parent)
        while ancestor is not None:
            suffix += f"-{ancestor['slug']}"
            if f"{slug}{suffix}" not in slugs:
                break
            ancestor = terms.get(ancestor["parent"])
        slug += suffix
        candidate, n = slug, 2
        while candidate in slugs:
            candidate = f"{slug}-{n}"
            n += 1
        return candidate

    def term_counts(self) -> dict[int, int]:
        """Published products per term, computed once per write version."""
        if self._term_counts is not None and self._term_counts[0] == self.version:
            return self._term_counts[1]
        counts: dict[int, int] = {}
        for product in self.products.values():
            if product["status"] != "publish":
                continue
            for term_id in product["category_ids"] + product["tag_ids"] + brand_ids(product):
                counts[term_id] = counts.get(term_id, 0) + 1
            for attribute in product["attributes"]:
                for term_id in attribute.get("term_ids", []):
                    counts[term_id] = counts.get(term_id, 0) + 1
        self._term_counts = (self.version, counts)
        return counts

    # list cache --------------------------------------------------------------------------------
    def cache_get(self, key: tuple[Any, ...]) -> list[int] | None:
        if self.list_cache_version != self.version:
            return None
        return self.list_cache.get(key)

    def cache_put(self, key: tuple[Any, ...], value: list[int]) -> None:
        if self.list_cache_version != self.version or len(self.list_cache) > 64:
            self.list_cache = {}
            self.list_cache_version = self.version
        self.list_cache[key] = value

    # persistence -------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "products": list(self.products.values()),
            "media": list(self.media.values()),
            "terms": list(self.terms.values()),
            "attributes": list(self.attributes.values()),
            "keys": list(self.keys.values()),
            "counters": {
                "post": self.next_post_id,
                "term": self.next_term_id,
                "attribute": self.next_attribute_id,
                "meta": self.next_meta_id,
            },
        }

    def load_json(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"unknown sandbox data format {data.get('format')!r}")
        self.products, self.sku_index, self.product_slugs, self.children = {}, {}, {}, {}
        for record in data["products"]:
            self.index_product(record)
        self.media = {item["id"]: item for item in data["media"]}
        self.media_files = {item["file"] for item in data["media"]}
        self.terms, self.taxonomies = {}, {CATEGORY: {}, TAG: {}, BRAND: {}}
        for term in data["terms"]:
            self.terms[term["id"]] = term
            self.taxonomies.setdefault(term["taxonomy"], {})[term["id"]] = term
        self.attributes = {item["id"]: item for item in data["attributes"]}
        self.keys = {item["key"]: item for item in data["keys"]}
        counters = data["counters"]
        self.next_post_id = counters["post"]
        self.next_term_id = counters["term"]
        self.next_attribute_id = counters["attribute"]
        self.next_meta_id = counters["meta"]
        default = self.find_term(CATEGORY, slug="uncategorized")
        if default is not None:
            self.default_category_id = default["id"]
        self.touch()

    def save(self, path: Path) -> None:
        with self.lock:
            text = json.dumps(self.to_json(), separators=(",", ":"))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        with self.lock:
            self.load_json(data)
