"""Finding and creating a store's categories, tags, brands, global attributes and their terms by
name.

What the per-store registry (:mod:`woosync.services.export.registry`) does not know yet is
resolved here in a few requests: one listing per kind, then one create per name still missing.
Every create runs under the client's retry policy and is looked up (by name, under the same
parent) before it is sent again, so a lost answer never makes a second term.

Categories are paths (:mod:`woosync.products.categories`): ``Kitchen > Mugs`` walks from the root,
each name found under its parent or created there, and every prefix is remembered, so each
category of the chain is created once per store and reused by later paths and runs. A path of one
name also matches a category of that name lower down when the root has none (as before paths).
Brands (WooCommerce 9.6 and later) are a tree too, and go the same way: ``Acme > Acme Pro``.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from woosync.products.categories import join_category_path, parse_category_path
from woosync.woo.errors import WooError, WooHTTPError

if TYPE_CHECKING:
    from woosync.woo.client import WooClient

log = logging.getLogger("woosync.export")

CATEGORY = "category"
TAG = "tag"
BRAND = "brand"
ATTRIBUTE = "attribute"
CATEGORIES_PATH = "/products/categories"
TAGS_PATH = "/products/tags"
BRANDS_PATH = "/products/brands"  # WooCommerce 9.6 and later
NO_BRANDS = (
    "the store has no brands (they came with WooCommerce 9.6): leave brands out of its fields"
)
# the trees (paths of names, each found under its parent or created there) and their nouns
TREES = {CATEGORY: (CATEGORIES_PATH, "category"), BRAND: (BRANDS_PATH, "brand")}
ATTRIBUTES_PATH = "/products/attributes"
TERM_LISTING = {"hide_empty": "false"}


class Refs(Protocol):
    """What resolving needs of the registry."""

    missing: dict[tuple[str, str], str]
    created: list[tuple[str, str]]
    unmakeable: set[tuple[str, str]]

    def get(self, kind: str, key: str) -> int | None: ...

    def remember(self, kind: str, key: str, woo_id: int) -> None: ...


def term_kind(slug: str) -> str:
    return f"term:{slug}"


def fold(name: str) -> str:
    """A term name as the store compares it: HTML entities decoded, trimmed, any case."""
    return html.unescape(str(name)).strip().casefold()


def deleted(client: WooClient, kind: str, known: Mapping[str, int]) -> list[str]:
    """Those of ``known`` (name -> id) whose category, tag, brand or global attribute (``kind``) the
    store no longer has: asked for by id (``include``, 100 a request; the global attributes in
    their one listing). Sent by its old id, one deleted in the store would be dropped from the
    write without a word (checked on WooCommerce 11: a product sent a deleted category lands in
    Uncategorized, a deleted tag or global attribute is just gone)."""
    if kind == ATTRIBUTE:
        held = {int(a["id"]) for a in client.get(ATTRIBUTES_PATH) or []}
    else:
        path = TREES[kind][0] if kind in TREES else TAGS_PATH
        ids = sorted(set(known.values()))
        held = set()
        for start in range(0, len(ids), 100):
            include = ",".join(str(i) for i in ids[start : start + 100])
            params = {**TERM_LISTING, "include": include, "_fields": "id"}
            held.update(int(t["id"]) for t in client.list_all(path, params))
    gone = [key for key, woo_id in known.items() if woo_id not in held]
    for key in gone:
        log.info("%s %r was deleted in the store: found or created again", kind, key)
    return gone


def resolve_names(
    refs: Refs, client: WooClient, kind: str, path: str, names: list[str], create: bool, noun: str
) -> None:
    """Flat terms (tags, attribute terms): by name anywhere in ``path``, else created."""
    by_name: dict[str, int] = {}
    for term in client.list_all(path, TERM_LISTING):
        by_name.setdefault(fold(term.get("name", "")), int(term["id"]))
    for name in names:
        found = by_name.get(fold(name))
        if found is not None:
            refs.remember(kind, name, found)
            continue
        if not create:
            refs.missing[(kind, name)] = f'{noun} "{name}" does not exist in the store'
            continue
        try:
            term_id, made = create_term(client, path, name)
        except WooError as exc:
            refs.missing[(kind, name)] = f'cannot create {noun} "{name}": {exc}'
            continue
        refs.remember(kind, name, term_id)
        if made:
            refs.created.append((kind, name))


class _CategoryTree:
    """The store's categories as listed once: by (parent id, folded name), and by name alone."""

    def __init__(self, listed: Iterable[Mapping[str, Any]]) -> None:
        self.children: dict[tuple[int, str], int] = {}
        self.anywhere: dict[str, int] = {}
        for term in sorted(listed, key=lambda t: int(t["id"])):
            name = fold(term.get("name", ""))
            self.children.setdefault((int(term.get("parent") or 0), name), int(term["id"]))
            self.anywhere.setdefault(name, int(term["id"]))

    def find(self, parent: int, name: str, *, alone: bool) -> int | None:
        found = self.children.get((parent, fold(name)))
        if found is None and alone:
            found = self.anywhere.get(fold(name))
        return found


def resolve_category_paths(
    refs: Refs, client: WooClient, paths: list[str], create: bool, kind: str = CATEGORY
) -> None:
    """Each category (or brand: ``kind``) path's chain, root first: found under its parent, else
    created there."""
    try:
        tree = _CategoryTree(client.list_all(TREES[kind][0], TERM_LISTING))
    except WooHTTPError as exc:
        if exc.status != 404 or kind != BRAND:
            raise
        for path in paths:  # a store before WooCommerce 9.6: nothing can give a product a brand
            refs.missing[(kind, path)] = NO_BRANDS
            refs.unmakeable.add((kind, path))
        return
    noun = TREES[kind][1]
    for path in paths:
        try:
            names = parse_category_path(path)
        except ValueError as exc:
            refs.missing[(kind, path)] = f"{noun} path {exc}"
            continue
        parent = 0
        for depth, name in enumerate(names):
            prefix = join_category_path(names[: depth + 1])
            found = refs.get(kind, prefix)
            if found is None:
                found = tree.find(parent, name, alone=len(names) == 1)
            if found is None:
                found = _create_category(refs, client, kind, prefix, name, parent, create)
                if found is None:
                    if prefix != path:  # what stops a deeper path stops the whole path
                        refs.missing[(kind, path)] = refs.missing[(kind, prefix)]
                    break
                tree.children[(parent, fold(name))] = found
            refs.remember(kind, prefix, found)
            parent = found


def _create_category(
    refs: Refs,
    client: WooClient,
    kind: str,
    prefix: str,
    name: str,
    parent: int,
    create: bool,
) -> int | None:
    route, noun = TREES[kind]
    where = f' under "{prefix.rsplit(" > ", 1)[0]}"' if parent else ""
    if not create:
        refs.missing[(kind, prefix)] = f'{noun} "{name}"{where} does not exist in the store'
        return None
    try:
        term_id, made = create_term(client, route, name, parent=parent)
    except WooError as exc:
        refs.missing[(kind, prefix)] = f'cannot create {noun} "{name}"{where}: {exc}'
        return None
    if made:
        refs.created.append((kind, prefix))
    return term_id


def resolve_attributes(
    refs: Refs,
    client: WooClient,
    slugs: list[str],
    wanted: Mapping[str, tuple[str, Iterable[str]]],
    create: bool,
) -> None:
    """Global attributes by ``pa_`` slug, created (with their label) when missing."""

    def listing() -> dict[str, int]:
        answer = client.get(ATTRIBUTES_PATH)
        return {str(a.get("slug")): int(a["id"]) for a in answer or [] if a.get("slug")}

    existing = listing()
    for slug in slugs:
        if slug in existing:
            refs.remember(ATTRIBUTE, slug, existing[slug])
            continue
        if not create:
            refs.missing[(ATTRIBUTE, slug)] = (
                f'global attribute "{slug}" does not exist in the store'
            )
            continue
        label = wanted[slug][0] or slug[3:]
        landed: list[int] = []

        def lookup(slug: str = slug, landed: list[int] = landed) -> dict[str, Any] | None:
            found = listing().get(slug)  # did the attempt whose answer was lost land?
            if found is None:
                return None
            landed.append(found)
            return {"id": found}

        try:
            created = client.create(
                ATTRIBUTES_PATH, {"name": label, "slug": slug[3:]}, lookup=lookup
            )
            refs.remember(ATTRIBUTE, slug, int(created["id"]))
            if not landed:
                refs.created.append((ATTRIBUTE, slug))
        except WooError as exc:
            existing = listing()  # lost a race, or the slug exists under another label
            if slug in existing:
                refs.remember(ATTRIBUTE, slug, existing[slug])
            else:
                refs.missing[(ATTRIBUTE, slug)] = f'cannot create global attribute "{slug}": {exc}'


def create_term(client: WooClient, path: str, name: str, *, parent: int = 0) -> tuple[int, bool]:
    """``(id, created)`` of the term ``name`` (under ``parent``) after a POST to ``path``, under the
    client's retry policy: an attempt that may have landed (timeout, dropped connection, 5xx) is
    looked up by name and slug before the POST is sent again. A term that exists answers
    ``term_exists`` with its id (a create that landed and was sent again, or one made by someone
    else meanwhile)."""
    landed: list[int] = []

    def lookup() -> dict[str, Any] | None:
        found = find_term(client, path, name, parent=parent)
        if found is None:
            return None
        landed.append(found)
        return {"id": found}

    body: dict[str, Any] = {"name": name, "parent": parent} if parent else {"name": name}
    try:
        answer = client.create(path, body, lookup=lookup)
    except WooHTTPError as exc:
        resource = exc.data.get("resource_id") if exc.code == "term_exists" else None
        if resource:
            return int(resource), False
        raise
    return int(answer["id"]), not landed


def find_term(client: WooClient, path: str, name: str, *, parent: int | None = None) -> int | None:
    """The id of the term called ``name`` (or with its slug) in ``path``, if the store has one;
    with ``parent``, only a term under that parent."""
    answer = client.get(path, {"search": name, "per_page": 100, **TERM_LISTING})
    folded, slug = fold(name), _slug(name)
    for term in answer if isinstance(answer, list) else []:
        if parent is not None and int(term.get("parent") or 0) != parent:
            continue
        if fold(term.get("name", "")) == folded or term.get("slug") == slug:
            return int(term["id"])
    return None


def _slug(name: str) -> str:
    """Roughly WordPress's ``sanitize_title``: lower case, runs of other characters as ``-``."""
    return re.sub(r"[^\w]+", "-", html.unescape(name).strip().lower()).strip("-")
