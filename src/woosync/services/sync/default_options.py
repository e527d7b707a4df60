"""A variable product's default options: the choice its page opens with (WooCommerce's
``default_attributes``), between the catalog's ``{Size: M, Color: Red}`` and the store's list.

What the store does with them (checked on WooCommerce 11.0.1):

- A write names a global attribute by its id and a local one by its name
  (``[{"id": 3, "option": "Médium"}, {"name": "Color", "option": "Red"}]``). A global attribute
  named by its label alone (``{"name": "Size"}``) is dropped without a word.
- A global attribute's option is found by its term's name and kept as the term's slug; the
  store answers the slug (``medium``), not the name it was sent.
- A local option is kept as sent, even one the product does not list (the catalog refuses that
  one before it is sent); an attribute the product does not vary by is dropped.
- An empty list clears them; a write without the key leaves them alone.

So the store's answer is read back in the catalog's terms: each entry under its attribute's name,
a global option as the product's option whose slug it is (:func:`store_default_options`). A slug
no option's name makes (a term given a slug of its own, or renamed since: WordPress keeps the
slug) is named by the store's terms of that attribute, read once a run (:class:`TermNames`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any

WOO_FIELD = "default_attributes"
TERMS_PATH = "/products/attributes/{}/terms"  # a global attribute's terms, by its id
TERMS_LISTING = {"orderby": "id"}


def local_default_options(raw: Any) -> dict[str, str] | None:
    """The catalog's default options as they are compared and sent (``None``: none); a value
    that is not ``{attribute: option}`` raises ``ValueError`` saying so."""
    if raw is None or raw == "" or raw == {}:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError("default options are {attribute: option}, e.g. {Size: M}")
    found: dict[str, str] = {}
    for name, option in raw.items():
        key, value = str(name).strip(), _text(option)
        if key and value:
            found[key] = value
    return found or None


def default_options_payload(
    defaults: Mapping[str, str], attribute_id: Callable[[str], int | None]
) -> list[dict[str, Any]]:
    """The ``default_attributes`` to send: a global attribute (``attribute_id`` of its catalog
    name gives its id in this store) by id, a local one by name."""
    found: list[dict[str, Any]] = []
    for name, option in defaults.items():
        store_id = attribute_id(name)
        entry: dict[str, Any] = {"id": store_id} if store_id else {"name": name}
        entry["option"] = option
        found.append(entry)
    return found


def store_default_options(
    product: Mapping[str, Any],
    name_of: Callable[[Mapping[str, Any]], str | None] | None = None,
) -> dict[str, str] | None:
    """A store product's default options in local terms (``None``: none): each under its
    attribute's name (``name_of`` of the product's attribute entry, else the name the store
    answers), a global one's slug read back as the product's option it is the slug of."""
    attributes = [a for a in product.get("attributes") or [] if isinstance(a, Mapping)]
    found: dict[str, str] = {}
    for entry in product.get(WOO_FIELD) or []:
        if not isinstance(entry, Mapping):
            continue
        option = _text(entry.get("option"))
        attribute = _attribute_of(attributes, entry)
        name = (name_of(attribute) if name_of and attribute else None) or _text(entry.get("name"))
        if not option or not name:
            continue
        if int(entry.get("id") or 0) and attribute is not None:
            option = option_of_slug(attribute.get("options") or [], option)
        found[name] = option
    return found or None


class TermNames:
    """A store's term names by slug, per global attribute, read when first needed (one listing
    of the attribute's terms a run) through ``list_terms(attribute_id)``."""

    def __init__(self, list_terms: Callable[[int], Iterable[Mapping[str, Any]]]) -> None:
        self._list_terms = list_terms
        self._names: dict[int, dict[str, str]] = {}

    def name_defaults(self, products: Iterable[MutableMapping[str, Any]]) -> None:
        """Each product's global default options whose slug no option's name makes, as the
        term's name (in place)."""
        for product in products:
            options = {
                int(a.get("id") or 0): a.get("options") or []
                for a in product.get("attributes") or []
                if isinstance(a, Mapping)
            }
            for entry in product.get(WOO_FIELD) or []:
                attribute_id = int(entry.get("id") or 0) if isinstance(entry, MutableMapping) else 0
                slug = _text(entry.get("option")) if attribute_id else ""
                if slug and option_of_slug(options.get(attribute_id, ()), slug) == slug:
                    entry["option"] = self._terms(attribute_id).get(slug, slug)

    def _terms(self, attribute_id: int) -> dict[str, str]:
        found = self._names.get(attribute_id)
        if found is None:
            found = self._names[attribute_id] = {
                str(term.get("slug")): _text(term.get("name"))
                for term in self._list_terms(attribute_id)
                if term.get("slug") and term.get("name")
            }
        return found


def option_of_slug(options: Iterable[Any], slug: str) -> str:
    """The option whose term slug ``slug`` is (as WordPress makes slugs from names), else
    ``slug`` itself (a term given a slug of its own: sent back, the store takes it as is)."""
    names = [_text(option) for option in options]
    for name in names:
        if slug_of(name) == slug:
            return name
    return next((name for name in names if name.casefold() == slug.casefold()), slug)


def slug_of(name: str) -> str:
    """WordPress's ``sanitize_title`` of a term name, as far as it goes for slugs it makes:
    tags and entities removed, accents dropped, lower case words joined by dashes."""
    text = re.sub(r"<[^>]*>", "", name)
    text = re.sub(r"&[^;\s]*;", "", html.escape(html.unescape(text), quote=False))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9_\s.-]", "", text.lower()).replace(".", "-")
    return re.sub(r"[\s-]+", "-", text).strip("-")


def _attribute_of(
    attributes: Iterable[Mapping[str, Any]], entry: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The product's attribute a default entry is of: by id when global, else by name."""
    attribute_id = int(entry.get("id") or 0)
    name = _text(entry.get("name"))
    for attribute in attributes:
        held_id = int(attribute.get("id") or 0)
        if attribute_id and held_id == attribute_id:
            return attribute
        if not attribute_id and not held_id and _same(_text(attribute.get("name")), name):
            return attribute
    return None


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold() or slug_of(a) == slug_of(b)


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return html.unescape(str(value)).strip()
