"""A store's global attributes, by name: a catalog attribute goes to the store's own.

A shop's variable products mostly vary by global attributes (``pa_size``, named "Size"). An
import reads such an attribute into the catalog under its name (``Size``). An export that then
sent ``Size`` as a local attribute (what an unmapped name has always been) replaced the store
product's global attribute with a local one, and its variations, which point at ``pa_size``,
lost their options (seen on a real WooCommerce 11.0.1 store: every size became "any").

So an attribute the export mapping (or ``--fields``) names without mapping it goes to the store's
global attribute of that name, when the store has one: as if the mapping said ``Size: pa_size``.
An import learns the store's global attributes from the products it reads (:func:`learnt`, kept
in the store registry as ``attribute name`` rows beside the registry's ``attribute`` slugs); a
store never imported from keeps unmapped names local, as before. An explicit mapping always wins,
and ``attribute:Size`` in the selected fields keeps ``Size`` local.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from woosync.core.fields import DIMENSION_PARTS, STANDARD_FIELDS

if TYPE_CHECKING:
    from sqlmodel import Session

NAME_KIND = "attribute name"  # store registry rows: key = the attribute's name, woo_id = its id
SLUG_KIND = "attribute"  # the registry's own rows: key = ``pa_`` slug, woo_id = its id


def learnt(attributes: Iterable[Any]) -> dict[str, tuple[int, str]]:
    """The global attributes among a store product's ``attributes``: slug -> (id, name)."""
    found: dict[str, tuple[int, str]] = {}
    for entry in attributes:
        if not isinstance(entry, Mapping):
            continue
        slug, woo_id = str(entry.get("slug") or ""), int(entry.get("id") or 0)
        name = html.unescape(str(entry.get("name") or "")).strip()
        if woo_id and slug.startswith("pa_") and name:
            found[slug] = (woo_id, name)
    return found


def known_globals(session: Session, connection_id: int) -> dict[str, str]:
    """The store's global attributes woosync has seen: name (as the store spells it) -> slug."""
    rows = session.execute(
        text(
            "SELECT n.key, s.key FROM store_refs n JOIN store_refs s"
            " ON s.connection_id = n.connection_id AND s.kind = :slug AND s.woo_id = n.woo_id"
            " WHERE n.connection_id = :id AND n.kind = :name"
        ),
        {"id": connection_id, "name": NAME_KIND, "slug": SLUG_KIND},
    )
    return {str(name): str(slug) for name, slug in rows}


def implicit_mappings(
    names: Iterable[str], explicit: Mapping[str, str], known: Mapping[str, str]
) -> dict[str, str]:
    """``name -> pa_ slug`` for each of ``names`` (selected fields) that no mapping in
    ``explicit`` sends anywhere and that names one of the store's global attributes (``known``,
    by folded name); standard fields and ``attribute:``/``custom:`` names are never such."""
    if not known:
        return {}
    by_fold = {fold(name): slug for name, slug in known.items()}
    found: dict[str, str] = {}
    for name in names:
        if name in explicit or name in STANDARD_FIELDS or name in DIMENSION_PARTS or ":" in name:
            continue
        slug = by_fold.get(fold(name))
        if slug is not None and slug not in explicit.values() and slug not in found.values():
            found[name] = slug  # (a second name folding alike stays local: one field per key)
    return found


def variation_slugs(
    slugs: Mapping[str, str], known: Mapping[str, str], explicit_local: Iterable[str] = ()
) -> dict[str, str]:
    """The slugs a run writes variation attributes under: ``slugs`` (the targets' global
    attributes: mapped, or an unmapped selected name going to the store's own), and every other
    global attribute of the store by its name (``known``), so that a variable product varying by
    the store's ``pa_size`` keeps it when ``Size`` is not among the fields sent."""
    taken = set(slugs.values())
    kept_local = set(explicit_local)
    extra = {
        name: slug
        for name, slug in known.items()
        if name not in slugs and slug not in taken and name not in kept_local
    }
    return {**extra, **slugs}


def fold(name: str) -> str:
    """A name as attribute names are compared (entities decoded, case and ends ignored)."""
    return html.unescape(name).strip().casefold()
