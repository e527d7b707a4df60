"""Mapping files: YAML documents (``woosync.files.mapping_files``) to and from the active mappings.

``create --file`` makes one mapping from a file; ``mappings apply`` makes the active mappings match a
set of files (all or nothing); ``mappings dump`` writes what reproduces them. Errors name the file
and the line of the offending key. A document's ``products:`` section is the store's product
selection (:mod:`woosync.services.selection`), applied and dumped with the mappings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from sqlmodel import col, select

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.timeutil import utcnow
from woosync.db.models import Connection
from woosync.services.connections.lookup import get_connection
from woosync.services.mappings.dump_files import record_sources
from woosync.services.mappings.records import (
    EXPORT,
    IMPORT,
    KINDS,
    Direction,
    MappingKind,
    connection_id_of,
    save,
)
from woosync.services.mappings.rules import MappingRuleError
from woosync.services.mappings.views import (
    Content,
    DumpedStore,
    MappingChange,
    MappingView,
    PartChange,
    export_content,
    import_content,
    view_of,
)
from woosync.services.selection import load_selection, save_selection
from woosync.services.selection_rules import SelectionRules

PRODUCTS: Literal["products"] = "products"

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.files.mapping_files import ExportSection, ImportSection, MappingDocument


def _file_section(
    document: MappingDocument, kind: MappingKind[Any]
) -> ExportSection | ImportSection | None:
    return document.export if kind is EXPORT else document.import_


def _sections(document: MappingDocument) -> list[tuple[MappingKind[Any], dict[str, Any]]]:
    """The document's export and import content, checked against the rules; errors name the line."""
    sections: list[tuple[MappingKind[Any], dict[str, Any]]] = []
    for kind in (EXPORT, IMPORT):
        section = _file_section(document, kind)
        if section is None:
            continue
        content = kind.content(section)
        try:
            kind.check(content)
        except MappingRuleError as exc:
            raise _located(exc, document, kind.direction) from None
        sections.append((kind, content))
    return sections


def _located(
    exc: MappingRuleError, document: MappingDocument, direction: Direction
) -> ValidationError:
    """``retail.yaml:7: export: <the rule's message>``."""
    in_list = exc.path[:1] == ("selectedFields",)  # its positions are list indexes in the file
    path = tuple(int(part) if in_list and part.isdigit() else part for part in exc.path)
    return ValidationError(
        f"{document.where(direction, *path)}: {direction}: {exc.message}", hint=exc.hint
    )


def _document_connection(session: Session, document: MappingDocument) -> Connection:
    try:
        return get_connection(session, document.store)
    except (NotFoundError, ValidationError) as exc:
        raise type(exc)(f"{document.where('store')}: store: {exc.message}", hint=exc.hint) from None


# --- create --file -------------------------------------------------------------------------------


def create_mapping_from_documents(
    session: Session,
    direction: Direction,
    documents: Sequence[MappingDocument],
    connection: int | str | None = None,
    *,
    is_active: bool = True,
) -> MappingView:
    """``create --file``: a new mapping from the one document with a ``direction`` section.

    The mapping goes to ``connection`` when given (reusing a file for another store), else to the
    store the document names.
    """
    kind = KINDS[direction]
    candidates = [d for d in documents if _file_section(d, kind) is not None]
    if len(candidates) != 1:
        source = ", ".join(sorted({d.source for d in documents})) or "the file"
        found = "no" if not candidates else f"{len(candidates)}"
        raise ValidationError(
            f"{source}: expected one '{direction}:' section, found {found}",
            hint="use 'woosync mappings apply' for files with several stores",
        )
    document = candidates[0]
    content = next(content for each, content in _sections(document) if each is kind)
    conn = (
        get_connection(session, connection)
        if connection is not None
        else _document_connection(session, document)
    )
    mapping = kind.new(connection_id_of(conn), content, is_active=is_active)
    save(session, mapping)
    return view_of(mapping)


# --- apply ---------------------------------------------------------------------------------------


@dataclass
class _Planned:
    document: MappingDocument
    connection: Connection
    kind: MappingKind[Any]
    content: dict[str, Any]  # camelCase keys, as in the file and the spec


@dataclass
class _PlannedSelection:
    document: MappingDocument
    connection: Connection
    rules: SelectionRules


def _plan(
    session: Session, documents: Sequence[MappingDocument]
) -> tuple[list[_Planned], list[_PlannedSelection]]:
    """Check every document against the database and the rules before anything changes."""
    planned: list[_Planned] = []
    selections: list[_PlannedSelection] = []
    claimed: dict[tuple[int, str], str] = {}  # (connection, direction or products) -> file:line
    for document in documents:
        sections = _sections(document)
        connection = _document_connection(session, document)
        if document.products is not None:
            slot: tuple[int, str] = (connection_id_of(connection), PRODUCTS)
            if slot in claimed:
                raise ValidationError(
                    f"{document.where(PRODUCTS)}: products: the products selection of "
                    f"{connection.store_name!r} is also given in {claimed[slot]}",
                    hint="keep one products: section per store",
                )
            claimed[slot] = document.where(PRODUCTS)
            try:
                rules = SelectionRules.from_dict(document.products.rules())
            except ValidationError as exc:
                raise ValidationError(
                    f"{document.where(PRODUCTS)}: {exc.message}", hint=exc.hint
                ) from None
            selections.append(_PlannedSelection(document, connection, rules))
        for kind, content in sections:
            direction = kind.direction
            slot = (connection_id_of(connection), direction)
            if slot in claimed:
                raise ValidationError(
                    f"{document.where(direction)}: {direction}: the {direction} mapping of "
                    f"{connection.store_name!r} is also given in {claimed[slot]}",
                    hint="keep one mapping per store and direction",
                )
            claimed[slot] = document.where(direction)
            planned.append(_Planned(document, connection, kind, content))
    return planned, selections


def apply_mapping_documents(
    session: Session, documents: Sequence[MappingDocument], *, dry_run: bool = False
) -> list[MappingChange]:
    """Make the active mappings match ``documents``; returns the changes (empty when none).

    Everything is checked first, then written in the caller's one transaction: several files are
    applied all-or-nothing. A changed file updates the active mapping in place; an identical inactive
    mapping is re-activated rather than copied; otherwise a new active mapping is created.
    """
    planned, selections = _plan(session, documents)
    changes = [_apply(session, item, dry_run=dry_run) for item in planned]
    changes += [_apply_selection(session, item, dry_run=dry_run) for item in selections]
    if not dry_run:
        record_sources(session, documents)  # where 'mappings dump' writes these sections back
    return [change for change in changes if change is not None]


def _apply_selection(
    session: Session, item: _PlannedSelection, *, dry_run: bool
) -> MappingChange | None:
    """A ``products:`` section: the store's selection becomes the file's (``{}``: every product)."""
    connection_id = connection_id_of(item.connection)
    before = load_selection(session, connection_id).to_dict()
    after = item.rules.to_dict()
    if before == after:
        return None
    if not dry_run:
        save_selection(session, connection_id, item.rules)
    action: Literal["create", "update", "remove"] = (
        "create" if not before else "remove" if not after else "update"
    )
    return MappingChange(
        file=item.document.source,
        store=item.connection.store_name,
        connection_id=connection_id,
        direction=PRODUCTS,
        action=action,
        mapping_id=None,
        changes={PRODUCTS: PartChange(before or None, after or None)},
    )


def _apply(session: Session, item: _Planned, *, dry_run: bool) -> MappingChange | None:
    """One document section: the change it makes (made unless ``dry_run``), or None."""
    kind, content = item.kind, item.content
    connection_id = connection_id_of(item.connection)
    change = partial(
        MappingChange,
        file=item.document.source,
        store=item.connection.store_name,
        connection_id=connection_id,
        direction=kind.direction,
    )
    active = kind.active(session, connection_id)
    if active is not None:
        before = kind.content(active)
        if before == content:
            return None
        if not dry_run:
            kind.write(active, content)
            active.updated_at = utcnow()
            save(session, active)
        return change(action="update", mapping_id=active.id, changes=_diff(before, content))
    twin = next(
        (
            mapping
            for mapping in reversed(kind.of_connection(session, connection_id))
            if kind.content(mapping) == content
        ),
        None,
    )
    if twin is not None:
        if not dry_run:
            twin.is_active = True
            twin.updated_at = utcnow()
            save(session, twin)
        return change(action="activate", mapping_id=twin.id, changes={})
    created_id = None
    if not dry_run:
        mapping = kind.new(connection_id, content)
        save(session, mapping)
        created_id = mapping.id
    return change(action="create", mapping_id=created_id, changes=_diff(None, content))


def _diff(before: Content | None, after: Content) -> dict[str, PartChange]:
    """For each part that changes (all of them when new): its value before and after."""
    if before is None:
        return {key: PartChange(None, value) for key, value in after.items()}
    return {
        key: PartChange(before[key], value) for key, value in after.items() if before[key] != value
    }


# --- dump ----------------------------------------------------------------------------------------


def dump_active_mappings(
    session: Session, connection: int | str | None = None
) -> list[DumpedStore]:
    """What ``mappings dump`` writes: each connection with an active mapping or a products
    selection (all of them, or ``connection``), oldest first."""
    if connection is not None:
        connections = [get_connection(session, connection)]
    else:
        connections = list(session.exec(select(Connection).order_by(col(Connection.id))).all())
    names = [c.store_name for c in session.exec(select(Connection)).all()]
    dumped: list[DumpedStore] = []
    for conn in connections:
        export = EXPORT.active(session, connection_id_of(conn))
        import_ = IMPORT.active(session, connection_id_of(conn))
        products = load_selection(session, connection_id_of(conn)).to_dict()
        if export is None and import_ is None and not products:
            continue
        dumped.append(
            DumpedStore(
                store=_store_reference(conn, names),
                store_name=conn.store_name,
                store_url=conn.store_url,
                connection_id=connection_id_of(conn),
                export=export_content(export) if export is not None else None,
                import_=import_content(import_) if import_ is not None else None,
                products=products or None,
            )
        )
    return dumped


def _store_reference(connection: Connection, names: list[str]) -> str:
    """The store's name when that finds it again (unique, no spaces around, not a number), else its URL."""
    name = connection.store_name
    unique = names.count(name) == 1 and name == name.strip() and not name.isdigit()
    return name if unique else connection.store_url
