"""The per-store registry: what a category, tag, global attribute, term or image URL is called in one
store (its id there). One mapping file then works on every store, and a name is looked up or
created once per store, not once per product.

Rows live in ``StoreRef`` (kind ``category`` / ``tag`` by name, ``attribute`` by ``pa_`` slug,
``term:pa_x`` by term name, ``image`` by source URL). :class:`StoreRegistry` holds them in memory
for one run, resolves what is missing in a few requests (one listing per kind, then one create per
missing name) and writes new rows back in one transaction with :meth:`StoreRegistry.flush`.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from woosync.services.export.payload import MissingRefError

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.woo import WooClient

log = logging.getLogger("woosync.export")

CATEGORY = "category"
TAG = "tag"
ATTRIBUTE = "attribute"
IMAGE = "image"
_COLLECTIONS = {CATEGORY: "/products/categories", TAG: "/products/tags"}
_NOUNS = {CATEGORY: "category", TAG: "tag"}


def term_kind(slug: str) -> str:
    return f"term:{slug}"


def _fold(name: str) -> str:
    return html.unescape(str(name)).strip().casefold()


class StoreRegistry:
    """The registry of one connection for one run (not shared between threads while resolving)."""

    def __init__(
        self, connection_id: int, refs: Mapping[tuple[str, str], int] | None = None
    ) -> None:
        self.connection_id = connection_id
        self._refs: dict[tuple[str, str], int] = dict(refs or {})
        self._folded: dict[tuple[str, str], int] = {
            (kind, _fold(key)): woo_id
            for (kind, key), woo_id in self._refs.items()
            if kind != IMAGE
        }
        self._image_urls: dict[int, set[str]] = {}  # image id -> URLs known for it
        for (kind, key), woo_id in self._refs.items():
            if kind == IMAGE:
                self._image_urls.setdefault(woo_id, set()).add(key)
        self._new: dict[tuple[str, str], int] = {}
        self._dropped: set[tuple[str, str]] = set()
        self.missing: dict[tuple[str, str], str] = {}  # (kind, key) -> why it cannot be resolved
        self.created: list[tuple[str, str]] = []

    # loading and saving -----------------------------------------------------------------------
    @classmethod
    def load(cls, session: Session, connection_id: int) -> StoreRegistry:
        from sqlmodel import select

        from woosync.db.models import StoreRef

        table: Any = StoreRef.__table__  # type: ignore[attr-defined]
        rows = session.execute(
            select(table.c.kind, table.c.key, table.c.woo_id).where(
                table.c.connection_id == connection_id
            )
        )
        return cls(connection_id, {(kind, key): woo_id for kind, key, woo_id in rows})

    def flush(self, session: Session) -> int:
        """Write the refs learnt since the last flush (one statement); returns how many."""
        from sqlalchemy import delete

        from woosync.core.timeutil import utcnow
        from woosync.db.models import StoreRef

        table: Any = StoreRef.__table__  # type: ignore[attr-defined]
        written = 0
        if self._dropped:
            for kind, key in self._dropped:
                session.execute(
                    delete(table).where(
                        table.c.connection_id == self.connection_id,
                        table.c.kind == kind,
                        table.c.key == key,
                    )
                )
            self._dropped.clear()
        if self._new:
            # an export learns an image id per product: one executemany (bulk_sql.write_many)
            from woosync.db.bulk_sql import write_many

            now = utcnow()
            write_many(
                session,
                table,
                _REF_COLUMNS,
                [
                    (self.connection_id, kind, key, woo_id, now)
                    for (kind, key), woo_id in self._new.items()
                ],
                conflict=("connection_id", "kind", "key"),
                keep=("created_at",),
            )
            written = len(self._new)
            self._new.clear()
        return written

    @property
    def dirty(self) -> bool:
        return bool(self._new or self._dropped)

    # the in-memory map ------------------------------------------------------------------------
    def get(self, kind: str, key: str) -> int | None:
        found = self._refs.get((kind, key))
        if found is None and kind != IMAGE:
            found = self._folded.get((kind, _fold(key)))
        return found

    def remember(self, kind: str, key: str, woo_id: int) -> None:
        if self._refs.get((kind, key)) == woo_id:
            return
        if kind == IMAGE:
            self._image_urls.get(self._refs.get((kind, key), 0), set()).discard(key)
            self._image_urls.setdefault(woo_id, set()).add(key)
        self._refs[(kind, key)] = woo_id
        if kind != IMAGE:
            self._folded[(kind, _fold(key))] = woo_id
        self._new[(kind, key)] = woo_id
        self._dropped.discard((kind, key))

    def forget(self, kind: str, key: str) -> None:
        """Drop a ref the store no longer honours (e.g. a deleted image)."""
        woo_id = self._refs.pop((kind, key), None)
        if woo_id is not None:
            self._dropped.add((kind, key))
            self._image_urls.get(woo_id, set()).discard(key)
        self._folded.pop((kind, _fold(key)), None)
        self._new.pop((kind, key), None)

    # RefResolver (export_plan) ----------------------------------------------------------------
    def _resolved(self, kind: str, key: str, what: str) -> int:
        found = self.get(kind, key)
        if found is None:
            why = self.missing.get((kind, key)) or f"{what} does not exist in the store"
            raise MissingRefError(why)
        return found

    def category_id(self, name: str) -> int:
        return self._resolved(CATEGORY, name, f'category "{name}"')

    def tag_id(self, name: str) -> int:
        return self._resolved(TAG, name, f'tag "{name}"')

    def attribute_id(self, slug: str) -> int:
        return self._resolved(ATTRIBUTE, slug, f'global attribute "{slug}"')

    def check_terms(self, slug: str, names: Sequence[str]) -> None:
        for name in names:
            self._resolved(term_kind(slug), name, f'term "{name}" of {slug}')

    def image(self, src: str) -> dict[str, Any]:
        found = self._refs.get((IMAGE, src))
        return {"id": found} if found else {"src": src}

    def adopt_store_images(
        self, srcs: Sequence[str], stored: Sequence[Mapping[str, Any]] | None
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
            if not image_id or self.get(IMAGE, src) is not None:
                continue
            others = self._image_urls.get(int(image_id), set()) - {src, str(image.get("src"))}
            if not others and same_image_file(src, image):
                self.remember(IMAGE, src, int(image_id))
                learnt += 1
        return learnt

    # resolving against the store -------------------------------------------------------------
    def prepare(
        self,
        client: WooClient,
        *,
        categories: Iterable[str] = (),
        tags: Iterable[str] = (),
        attributes: Mapping[str, tuple[str, Iterable[str]]] | None = None,
        create: bool = True,
    ) -> None:
        """Resolve every name not yet known: list the store's once per kind, create what is still
        missing when ``create``; what cannot be resolved goes to :attr:`missing` with the reason.

        ``attributes`` maps a ``pa_`` slug to (label to create it with, term names needed).
        """
        for kind, names in ((CATEGORY, categories), (TAG, tags)):
            unknown = sorted({n for n in names if self.get(kind, n) is None})
            if unknown:
                self._resolve_terms(client, kind, _COLLECTIONS[kind], unknown, create, _NOUNS[kind])
        attributes = attributes or {}
        unknown_attributes = sorted(s for s in attributes if self.get(ATTRIBUTE, s) is None)
        if unknown_attributes:
            self._resolve_attributes(client, unknown_attributes, attributes, create)
        for slug, (_label, terms) in sorted(attributes.items()):
            attribute_id = self.get(ATTRIBUTE, slug)
            kind = term_kind(slug)
            unknown = sorted({t for t in terms if self.get(kind, t) is None})
            if not unknown:
                continue
            if attribute_id is None:
                for name in unknown:
                    self.missing[(kind, name)] = self.missing.get(
                        (ATTRIBUTE, slug), f'global attribute "{slug}" does not exist in the store'
                    )
                continue
            path = f"/products/attributes/{attribute_id}/terms"
            self._resolve_terms(client, kind, path, unknown, create, f"term of {slug}")

    def _resolve_terms(
        self, client: WooClient, kind: str, path: str, names: list[str], create: bool, noun: str
    ) -> None:
        from woosync.woo.errors import WooError

        existing = client.list_all(path, {"per_page": 100, "hide_empty": "false"})
        by_name: dict[str, int] = {}
        for term in existing:
            by_name.setdefault(_fold(term.get("name", "")), int(term["id"]))
        for name in names:
            found = by_name.get(_fold(name))
            if found is not None:
                self.remember(kind, name, found)
                continue
            if not create:
                self.missing[(kind, name)] = f'{noun} "{name}" does not exist in the store'
                continue
            try:
                term_id, made = _create_term(client, path, name)
            except WooError as exc:
                self.missing[(kind, name)] = f'cannot create {noun} "{name}": {exc}'
                continue
            self.remember(kind, name, term_id)
            if made:
                self.created.append((kind, name))

    def _resolve_attributes(
        self,
        client: WooClient,
        slugs: list[str],
        wanted: Mapping[str, tuple[str, Iterable[str]]],
        create: bool,
    ) -> None:
        from woosync.woo.errors import WooError

        def listing() -> dict[str, int]:
            answer = client.get("/products/attributes")
            return {str(a.get("slug")): int(a["id"]) for a in answer or [] if a.get("slug")}

        existing = listing()
        for slug in slugs:
            if slug in existing:
                self.remember(ATTRIBUTE, slug, existing[slug])
                continue
            if not create:
                self.missing[(ATTRIBUTE, slug)] = (
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
                    "/products/attributes", {"name": label, "slug": slug[3:]}, lookup=lookup
                )
                self.remember(ATTRIBUTE, slug, int(created["id"]))
                if not landed:
                    self.created.append((ATTRIBUTE, slug))
            except WooError as exc:
                existing = listing()  # lost a race, or the slug exists under another label
                if slug in existing:
                    self.remember(ATTRIBUTE, slug, existing[slug])
                else:
                    self.missing[(ATTRIBUTE, slug)] = (
                        f'cannot create global attribute "{slug}": {exc}'
                    )


def same_image_file(url: str, image: Mapping[str, Any]) -> bool:
    """Whether a store image (``src``, ``name``) holds the file that ``url`` names."""
    held = {stem for name in (image.get("src"), image.get("name")) for stem in _file_stems(name)}
    for wanted in _file_stems(url):
        suffixed = re.compile(re.escape(wanted) + r"(?:-\d+)?(?:-scaled)?")
        if any(suffixed.fullmatch(stem) for stem in held):
            return True
    return False


def _file_stems(url: Any) -> set[str]:
    """``https://x/a/Tee%201.JPG?v=2`` -> ``{"tee-1", "tee20-1"}``: the file name without its
    extension, folded to lowercase words, read with the escapes decoded and as WordPress names the
    upload (``sanitize_file_name`` drops ``%`` before it would turn ``%20`` into a dash)."""
    from posixpath import basename
    from urllib.parse import unquote, urlsplit

    raw = basename(urlsplit(str(url or "").strip()).path)
    stems = set()
    for name in (unquote(raw), raw.replace("%", "")):
        stem = name.rsplit(".", 1)[0] if "." in name else name
        folded = re.sub(r"[^0-9a-z]+", "-", stem.casefold()).strip("-")
        if folded:
            stems.add(folded)
    return stems


def _create_term(client: WooClient, path: str, name: str) -> tuple[int, bool]:
    """``(id, created)`` of the term ``name`` after a POST to ``path``, under the client's retry
    policy: an attempt that may have landed (timeout, dropped connection, 5xx) is looked up by name
    and slug before the POST is sent again. A term that exists answers ``term_exists`` with its id
    (a create that landed and was sent again, or one made by someone else meanwhile)."""
    from woosync.woo.errors import WooHTTPError

    landed: list[int] = []

    def lookup() -> dict[str, Any] | None:
        found = _find_term(client, path, name)
        if found is None:
            return None
        landed.append(found)
        return {"id": found}

    try:
        answer = client.create(path, {"name": name}, lookup=lookup)
    except WooHTTPError as exc:
        resource = exc.data.get("resource_id") if exc.code == "term_exists" else None
        if resource:
            return int(resource), False
        raise
    return int(answer["id"]), not landed


def _find_term(client: WooClient, path: str, name: str) -> int | None:
    """The id of the term called ``name`` (or with its slug) in ``path``, if the store has one."""
    answer = client.get(path, {"search": name, "per_page": 100, "hide_empty": "false"})
    folded, slug = _fold(name), _slug(name)
    for term in answer if isinstance(answer, list) else []:
        if _fold(term.get("name", "")) == folded or term.get("slug") == slug:
            return int(term["id"])
    return None


def _slug(name: str) -> str:
    """Roughly WordPress's ``sanitize_title``: lower case, runs of other characters as ``-``."""
    return re.sub(r"[^\w]+", "-", html.unescape(name).strip().lower()).strip("-")


_REF_COLUMNS = ("connection_id", "kind", "key", "woo_id", "created_at")
