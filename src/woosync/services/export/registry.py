"""The per-store registry: what a category, tag, brand, global attribute, term or image URL is
called in one store (its id there). One mapping file then works on every store, and a name is
looked up or created once per store, not once per product.

Rows live in ``StoreRef``: kind ``category_path`` by category path (``Kitchen > Mugs``, every
ancestor of a path has its own row; ``brand`` alike), ``tag`` by name, ``attribute`` by ``pa_``
slug, ``term:pa_x`` by term name, ``image`` by source URL. :class:`StoreRegistry` holds them in
memory for one run (categories under the kind ``category``, keyed by the path's one spelling,
:func:`~woosync.products.categories.canonical_category`), resolves what is missing in a few
requests (:mod:`woosync.services.export.store_terms`: one listing per kind, then one create per
missing name) and writes new rows back in one transaction with :meth:`StoreRegistry.flush`.

Rows of the old kind ``category`` (names, before categories were paths) are read when the name
holds no ``>``: one of those may name a category literally called "Kitchen > Mugs", never the path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlmodel import Session, select

from woosync.core import timeutil
from woosync.core.jsontext import dumps
from woosync.db.bulk_sql import write_many
from woosync.db.engine import Database
from woosync.db.models import StoreRef
from woosync.products.categories import canonical_category, with_parents
from woosync.services.export.payload import MissingRefError
from woosync.services.export.store_terms import (
    ATTRIBUTE,
    ATTRIBUTES_PATH,
    BRAND,
    CATEGORY,
    TAG,
    TAGS_PATH,
    deleted,
    fold,
    resolve_attributes,
    resolve_category_paths,
    resolve_names,
    term_kind,
)

if TYPE_CHECKING:
    from woosync.woo.client import WooClient

IMAGE = "image"
CATEGORY_PATH_ROWS = "category_path"  # how category rows are stored (CATEGORY in memory)
LEGACY_CATEGORY_ROWS = "category"  # category names written before paths

__all__ = ["ATTRIBUTE", "BRAND", "CATEGORY", "IMAGE", "StoreRegistry", "category_key", "term_kind"]


def category_key(path: str) -> str:
    """The registry key of a category path (its one spelling; a malformed path as written)."""
    try:
        return canonical_category(path)
    except ValueError:
        return str(path)


_TREES = (CATEGORY, BRAND)  # kinds kept by path (Kitchen > Mugs)


def _key(kind: str, key: str) -> str:
    return category_key(key) if kind in _TREES else key


def _from_row(kind: str, key: str) -> tuple[str, str] | None:
    """The in-memory (kind, key) of a stored row; ``None`` for a row to ignore."""
    if kind == CATEGORY_PATH_ROWS:
        return CATEGORY, key
    if kind == LEGACY_CATEGORY_ROWS:
        return (CATEGORY, category_key(key)) if ">" not in key else None
    return kind, key


class StoreRegistry:
    """The registry of one connection for one run (not shared between threads while resolving)."""

    def __init__(
        self, connection_id: int, refs: Mapping[tuple[str, str], int] | None = None
    ) -> None:
        self.connection_id = connection_id
        self._refs: dict[tuple[str, str], int] = dict(refs or {})
        self._folded: dict[tuple[str, str], int] = {
            (kind, fold(key)): woo_id for (kind, key), woo_id in self._refs.items() if kind != IMAGE
        }
        self._image_urls: dict[int, set[str]] = {}  # image id -> URLs known for it
        for (kind, key), woo_id in self._refs.items():
            if kind == IMAGE:
                self._image_urls.setdefault(woo_id, set()).add(key)
        self._new: dict[tuple[str, str], int] = {}
        self._dropped: set[tuple[str, str]] = set()
        self.missing: dict[tuple[str, str], str] = {}  # (kind, key) -> why it cannot be resolved
        self.created: list[tuple[str, str]] = []
        self.unmakeable: set[tuple[str, str]] = set()  # of missing: what the store cannot hold
        # with a database, image rows stay there: read per chunk (load_images) or per URL
        self._db: Database | None = None
        self._looked_up: set[str] = set()  # image URLs read from the database in this window
        self._paths: dict[str, dict[int, str]] = {}  # kind -> term id -> path (category_path)
        self._verified: set[tuple[str, str]] = set()  # refs checked against the store this run

    # loading and saving -----------------------------------------------------------------------
    @classmethod
    def load(
        cls, session: Session, connection_id: int, db: Database | None = None
    ) -> StoreRegistry:
        """The store's rows; with ``db``, image rows (one per product) are left in the database
        and read a chunk at a time (:meth:`load_images`), so memory does not grow with the
        catalog."""
        table: Any = StoreRef.__table__  # type: ignore[attr-defined]
        query = select(table.c.kind, table.c.key, table.c.woo_id).where(
            table.c.connection_id == connection_id
        )
        if db is not None:
            query = query.where(table.c.kind != IMAGE)
        refs: dict[tuple[str, str], int] = {}
        for kind, key, woo_id in session.execute(query):
            ref = _from_row(kind, key)
            if ref is not None and (kind != LEGACY_CATEGORY_ROWS or ref not in refs):
                refs[ref] = woo_id
        registry = cls(connection_id, refs)
        registry._db = db
        return registry

    def load_images(self, session: Session, srcs: Iterable[str]) -> None:
        """Read the image ids of one chunk's URLs, dropping those of the chunk before (already
        written by :meth:`flush`; what is not yet written stays)."""
        if self._db is None:
            return
        for ref in [r for r in self._refs if r[0] == IMAGE and r not in self._new]:
            woo_id = self._refs.pop(ref)
            self._image_urls.get(woo_id, set()).discard(ref[1])
        self._image_urls = {k: v for k, v in self._image_urls.items() if v}
        self._looked_up.clear()
        wanted = sorted({s for s in srcs if (IMAGE, s) not in self._refs} - self._dropped_srcs())
        self._read_images(session, wanted)

    def _dropped_srcs(self) -> set[str]:
        return {key for kind, key in self._dropped if kind == IMAGE}

    def _read_images(self, session: Session, srcs: Sequence[str]) -> None:
        """The stored ids of ``srcs``: one statement, the URLs given as one JSON array that SQLite
        walks (``json_each``), however many there are."""
        if not srcs:
            return
        rows = session.connection().exec_driver_sql(
            _IMAGES_SQL, (self.connection_id, IMAGE, dumps(list(srcs)))
        )
        for key, woo_id in rows:
            self._refs[(IMAGE, key)] = woo_id
            self._image_urls.setdefault(woo_id, set()).add(key)
        self._looked_up.update(srcs)

    def _image_ref(self, src: str) -> int | None:
        found = self._refs.get((IMAGE, src))
        if (
            found is None
            and self._db is not None
            and src not in self._looked_up
            and (IMAGE, src) not in self._dropped
        ):
            with self._db.session() as session:
                self._read_images(session, [src])
            found = self._refs.get((IMAGE, src))
        return found

    def category_path(self, woo_id: int, kind: str = CATEGORY) -> str | None:
        """The path of the store's category (or brand) ``woo_id`` as the registry knows it
        (``None``: not known); what a plan shows instead of the store's bare name."""
        paths = self._paths.get(kind)
        if paths is None:  # made once, when a plan first asks
            paths = self._paths[kind] = {}
            for (held, key), known in self._refs.items():
                if held == kind:
                    paths.setdefault(known, key)
        return paths.get(woo_id)

    def urls_of_image(self, image_id: int) -> set[str]:
        """The catalog URLs the store image ``image_id`` stands for (uploaded from them): in
        memory, and in the database when it is used."""
        urls = set(self._image_urls.get(image_id, set()))
        if self._db is not None:
            table: Any = StoreRef.__table__  # type: ignore[attr-defined]
            with self._db.session() as session:
                rows = session.execute(
                    select(table.c.key).where(
                        table.c.connection_id == self.connection_id,
                        table.c.kind == IMAGE,
                        table.c.woo_id == image_id,
                    )
                )
                stored = {key for (key,) in rows}
            dropped = self._dropped_srcs()
            urls |= {
                key
                for key in stored - dropped
                if self._refs.get((IMAGE, key), image_id) == image_id
            }
        return urls

    def flush(self, session: Session) -> int:
        """Write the refs learnt since the last flush (one statement); returns how many."""
        table: Any = StoreRef.__table__  # type: ignore[attr-defined]
        written = 0
        if self._dropped:
            for kind, key in self._dropped:
                session.execute(
                    delete(table).where(
                        table.c.connection_id == self.connection_id,
                        table.c.kind == _row_kind(kind),
                        table.c.key == key,
                    )
                )
            self._dropped.clear()
        if self._new:
            # an export learns an image id per product: one executemany (bulk_sql.write_many)
            now = timeutil.utcnow()
            write_many(
                session,
                table,
                _REF_COLUMNS,
                [
                    (self.connection_id, _row_kind(kind), key, woo_id, now)
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
        key = _key(kind, key)
        if kind == IMAGE:
            return self._image_ref(key)
        found = self._refs.get((kind, key))
        if found is None:
            found = self._folded.get((kind, fold(key)))
        return found

    def remember(self, kind: str, key: str, woo_id: int) -> None:
        key = _key(kind, key)
        ref = (kind, key)
        held = self._refs.get(ref)
        if held == woo_id:
            return
        if kind == IMAGE:  # once per image uploaded: no empty sets made on the way
            self._looked_up.add(key)
            urls = self._image_urls.get(0 if held is None else held)
            if urls:
                urls.discard(key)
            urls = self._image_urls.get(woo_id)
            if urls is None:
                self._image_urls[woo_id] = {key}
            else:
                urls.add(key)
        else:
            self._folded[(kind, fold(key))] = woo_id
        self._refs[ref] = woo_id
        self._new[ref] = woo_id
        self._dropped.discard(ref)
        self._paths.pop(kind, None)

    def forget(self, kind: str, key: str) -> None:
        """Drop a ref the store no longer honours (e.g. a deleted image)."""
        key = _key(kind, key)
        woo_id = self._refs.pop((kind, key), None)
        if woo_id is not None:
            self._dropped.add((kind, key))
            self._image_urls.get(woo_id, set()).discard(key)
        self._folded.pop((kind, fold(key)), None)
        self._new.pop((kind, key), None)
        self._paths.pop(kind, None)

    # RefResolver (export_plan) ----------------------------------------------------------------
    def _resolved(self, kind: str, key: str, what: str) -> int:
        key = _key(kind, key)
        found = self.get(kind, key)
        if found is None:
            why = self.missing.get((kind, key)) or f"{what} does not exist in the store"
            raise MissingRefError(why)
        return found

    def category_id(self, name: str) -> int:
        return self._resolved(CATEGORY, name, f'category "{name}"')

    def tag_id(self, name: str) -> int:
        return self._resolved(TAG, name, f'tag "{name}"')

    def brand_id(self, name: str) -> int:
        return self._resolved(BRAND, name, f'brand "{name}"')

    def attribute_id(self, slug: str) -> int:
        return self._resolved(ATTRIBUTE, slug, f'global attribute "{slug}"')

    def check_terms(self, slug: str, names: Sequence[str]) -> None:
        for name in names:
            self._resolved(term_kind(slug), name, f'term "{name}" of {slug}')

    def image(self, src: str) -> dict[str, Any]:
        found = self._image_ref(src)
        return {"id": found} if found else {"src": src}

    # resolving against the store -------------------------------------------------------------
    def prepare(
        self,
        client: WooClient,
        *,
        categories: Iterable[str] = (),
        tags: Iterable[str] = (),
        brands: Iterable[str] = (),
        attributes: Mapping[str, tuple[str, Iterable[str]]] | None = None,
        create: bool = True,
    ) -> None:
        """Resolve every name not yet known: list the store's once per kind, create what is still
        missing when ``create``; what cannot be resolved goes to :attr:`missing` with the reason.

        ``categories`` are paths (``Kitchen > Mugs``); ``attributes`` maps a ``pa_`` slug to
        (label to create it with, term names needed).
        """
        attributes = attributes or {}
        trees = {CATEGORY: categories, BRAND: brands}
        for kind, keys in (*trees.items(), (TAG, tags), (ATTRIBUTE, attributes)):
            self._verify(client, kind, keys)
        for kind, wanted in trees.items():
            paths = sorted({category_key(p) for p in wanted if self.get(kind, p) is None})
            if paths:
                resolve_category_paths(self, client, paths, create, kind)
        unknown_tags = sorted({n for n in tags if self.get(TAG, n) is None})
        if unknown_tags:
            resolve_names(self, client, TAG, TAGS_PATH, unknown_tags, create, "tag")
        unknown_attributes = sorted(s for s in attributes if self.get(ATTRIBUTE, s) is None)
        if unknown_attributes:
            resolve_attributes(self, client, unknown_attributes, attributes, create)
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
            path = f"{ATTRIBUTES_PATH}/{attribute_id}/terms"
            resolve_names(self, client, kind, path, unknown, create, f"term of {slug}")

    def _verify(self, client: WooClient, kind: str, keys: Iterable[str]) -> None:
        """Forget those of ``keys`` (and their parent categories) the store deleted, each checked
        once a run (:func:`.store_terms.deleted`): they are found or created again."""
        refs = {ref for key in keys for ref in (with_parents(key) if kind in _TREES else [key])}
        fresh = {ref for ref in refs if (kind, ref) not in self._verified}
        known = {ref: woo_id for ref in fresh if (woo_id := self.get(kind, ref)) is not None}
        self._verified.update((kind, ref) for ref in known)
        for ref in deleted(client, kind, known) if known else ():
            self.forget(kind, ref)


def _row_kind(kind: str) -> str:
    return CATEGORY_PATH_ROWS if kind == CATEGORY else kind


_IMAGES_SQL = (
    f"SELECT key, woo_id FROM {StoreRef.__tablename__} WHERE connection_id = ? AND kind = ?"
    " AND key IN (SELECT value FROM json_each(?))"
)
_REF_COLUMNS = ("connection_id", "kind", "key", "woo_id", "created_at")
