"""Category paths from the store's category tree: a product's ``categories`` answer only
``{id, name, slug}``, so ``Tees`` under ``Clothing`` reads back as ``Clothing > Tees`` through the
store's category listing (``/products/categories``: each category's ``parent``), read once per run.
Brands are a tree too (``/products/brands``, WooCommerce 9.6 and later): ``Acme Pro`` under
``Acme`` reads back as ``Acme > Acme Pro`` the same way.

The paths are written in the catalog's form (:mod:`woosync.products.categories`: names joined by
`` > ``, a ``>`` inside a name escaped ``\\>``), so that a category the export created from
``Kitchen > Mugs`` comes back as ``Kitchen > Mugs``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from woosync.products.categories import join_category_path

CATEGORIES_PATH = "/products/categories"
BRANDS_PATH = "/products/brands"
LISTING = {"hide_empty": "false", "_fields": "id,name,parent"}
_DEEPEST = 64  # a loop in a broken tree stops here


class CategoryPaths:
    """The store's categories (or brands: ``field``) by id: each one's path from the root."""

    def __init__(self, listed: Iterable[Mapping[str, Any]], field: str = "categories") -> None:
        self.field = field
        self._terms: dict[int, tuple[str, int]] = {}
        for term in listed:
            term_id = int(term.get("id") or 0)
            if term_id:
                name = html.unescape(str(term.get("name") or ""))
                self._terms[term_id] = (name, int(term.get("parent") or 0))
        self._paths: dict[int, str] = {}

    def __contains__(self, term_id: object) -> bool:
        return term_id in self._terms

    def path(self, term_id: int) -> str | None:
        """``Clothing > Tees`` for Tees under Clothing; ``None`` for an id the listing lacks."""
        found = self._paths.get(term_id)
        if found is not None or term_id not in self._terms:
            return found
        names: list[str] = []
        current = term_id
        while current and current in self._terms and len(names) < _DEEPEST:
            name, current = self._terms[current]
            names.append(name)
        found = self._paths[term_id] = join_category_path(names[::-1])
        return found

    def missing(self, products: Iterable[Mapping[str, Any]]) -> bool:
        """Whether a product names a category this listing does not have (created meanwhile)."""
        return any(
            int(term.get("id") or 0) not in self._terms
            for product in products
            for term in product.get(self.field) or []
            if isinstance(term, Mapping)
        )

    def rewrite(self, product: dict[str, Any]) -> None:
        """Each of ``product``'s categories named by its path (HTML-escaped, as the store
        answers names, so every reader unescapes it alike)."""
        terms = product.get(self.field)
        if not isinstance(terms, list):
            return
        named: list[Any] = []
        for term in terms:
            path = self.path(int(term.get("id") or 0)) if isinstance(term, Mapping) else None
            named.append(term if path is None else {**term, "name": html.escape(path, quote=False)})
        product[self.field] = named


def has_categories(products: Iterable[Mapping[str, Any]], field: str = "categories") -> bool:
    return any(product.get(field) for product in products)
