"""Export and import mappings in the database (the spec's mapping operations, ARCHITECTURE.md,
operations table).

The two directions work the same way: a mapping belongs to one connection, one per connection and
direction is active, activating one deactivates the others in the same transaction. What differs is
described once per direction by a :class:`MappingKind` (``EXPORT``, ``IMPORT``): the table, the
parts of the content and the rules. Every function takes an open session; the caller's
``db.session()`` commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from sqlmodel import col, select

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.timeutil import utcnow
from woosync.db.models import Connection, ExportMapping, ImportMapping
from woosync.services.connections.lookup import get_connection
from woosync.services.mappings.active import active_row
from woosync.services.mappings.rules import validate_export_fields, validate_import_mappings
from woosync.services.mappings.views import (
    ExportMappingView,
    ImportMappingView,
    MappingView,
    view_of,
)

if TYPE_CHECKING:
    from sqlmodel import Session

Direction = Literal["export", "import"]
AnyMapping = ExportMapping | ImportMapping
M = TypeVar("M", ExportMapping, ImportMapping)


@dataclass(frozen=True)
class Part:
    """One part of a mapping's content."""

    key: str  # camelCase, as in the spec's JSON and in mapping files
    attribute: str  # the column, and the attribute of a mapping file's section
    copy: Callable[[Any], Any]  # list or dict: a fresh copy of a value


@dataclass(frozen=True)
class MappingKind(Generic[M]):
    """One direction of mappings: its table, the parts of its content and its rules.

    Content is a dict of the parts by spec key (``{"selectedFields": [...], "fieldMappings":
    {...}}``): the shape of the JSON output, of mapping files, and of what ``create`` and ``update``
    take.
    """

    direction: Direction
    model: type[M]
    parts: tuple[Part, ...]
    check: Callable[[Mapping[str, Any]], None]  # raises MappingRuleError unless content is valid
    nothing_to_update_hint: str

    # --- content ---

    def content(self, source: object) -> dict[str, Any]:
        """The content of a mapping row (or of a mapping file's section), copied."""
        return {part.key: part.copy(getattr(source, part.attribute)) for part in self.parts}

    def copied(self, content: Mapping[str, Any]) -> dict[str, Any]:
        """The parts given in ``content``, copied."""
        return {
            part.key: part.copy(content[part.key]) for part in self.parts if part.key in content
        }

    def new(self, connection_id: int, content: Mapping[str, Any], *, is_active: bool = True) -> M:
        """A new mapping holding ``content`` (a part given as None is empty); not yet saved."""
        parts = {part.attribute: part.copy(content.get(part.key) or ()) for part in self.parts}
        return self.model(connection_id=connection_id, is_active=is_active, **parts)

    def write(self, mapping: M, content: Mapping[str, Any]) -> None:
        for part in self.parts:
            setattr(mapping, part.attribute, part.copy(content[part.key]))

    # --- queries ---

    def get(self, session: Session, mapping_id: int) -> M:
        found = session.get(self.model, mapping_id)
        if found is None:
            raise NotFoundError(
                f"{self.direction} mapping {mapping_id} not found",
                hint=f"run 'woosync {self.direction}-mapping list CONNECTION' to see them",
            )
        return found

    def of_connection(self, session: Session, connection_id: int) -> list[M]:
        """The connection's mappings, oldest first."""
        model = self.model
        query = select(model).where(model.connection_id == connection_id).order_by(col(model.id))
        return list(session.exec(query).all())

    def active(self, session: Session, connection_id: int) -> M | None:
        return active_row(session, self.model, connection_id)

    # --- changes ---

    def create(
        self,
        session: Session,
        connection: int | str,
        content: Mapping[str, Any],
        *,
        is_active: bool = True,
    ) -> M:
        """A new mapping for ``connection`` (an id, name or URL)."""
        conn = get_connection(session, connection)
        self.check(content)
        mapping = self.new(connection_id_of(conn), content, is_active=is_active)
        save(session, mapping)
        return mapping

    def update(
        self,
        session: Session,
        mapping_id: int,
        *,
        replace: Mapping[str, Any],
        merge: Mapping[str, Mapping[str, str] | None],
        is_active: bool | None,
    ) -> M:
        """``replace`` gives parts their new value; ``merge`` adds entries to (or overrides entries
        of) a part's current ones. A part given as None is left alone."""
        replace = {key: value for key, value in replace.items() if value is not None}
        merge = {key: entries for key, entries in merge.items() if entries is not None}
        if not replace and not merge and is_active is None:
            raise ValidationError("nothing to update", hint=self.nothing_to_update_hint)
        mapping = self.get(session, mapping_id)
        content = self.content(mapping) | self.copied(replace)
        for key, entries in merge.items():
            content[key].update(entries)
        self.check(content)
        self.write(mapping, content)
        if is_active is not None:
            mapping.is_active = is_active
        mapping.updated_at = utcnow()
        save(session, mapping)
        return mapping

    def delete(self, session: Session, mapping_id: int) -> None:
        session.delete(self.get(session, mapping_id))
        session.flush()


def _check_export(content: Mapping[str, Any]) -> None:
    validate_export_fields(content["selectedFields"], content["fieldMappings"])


def _check_import(content: Mapping[str, Any]) -> None:
    validate_import_mappings(content["attributeMappings"], content["fieldMappings"])


_FIELD_MAPPINGS = Part("fieldMappings", "field_mappings", dict)

EXPORT = MappingKind(
    direction="export",
    model=ExportMapping,
    parts=(Part("selectedFields", "selected_fields", list), _FIELD_MAPPINGS),
    check=_check_export,
    nothing_to_update_hint="give new selected fields, field mappings, or active/inactive",
)
IMPORT = MappingKind(
    direction="import",
    model=ImportMapping,
    parts=(Part("attributeMappings", "attribute_mappings", dict), _FIELD_MAPPINGS),
    check=_check_import,
    nothing_to_update_hint="give attribute mappings, field mappings, or active/inactive",
)
KINDS: dict[Direction, MappingKind[ExportMapping] | MappingKind[ImportMapping]] = {
    "export": EXPORT,
    "import": IMPORT,
}


def connection_id_of(connection: Connection) -> int:
    assert connection.id is not None
    return connection.id


def save(session: Session, mapping: AnyMapping) -> None:
    """Write ``mapping``; when it is active, deactivate the connection's others in this direction."""
    session.add(mapping)
    session.flush()
    if mapping.is_active:
        _deactivate_others(session, mapping)
    session.flush()
    session.refresh(mapping)


def _deactivate_others(session: Session, mapping: AnyMapping) -> None:
    model = type(mapping)
    others = session.exec(
        select(model).where(
            model.connection_id == mapping.connection_id,
            col(model.is_active).is_(True),
            model.id != mapping.id,
        )
    ).all()
    now = utcnow()
    for other in others:
        other.is_active = False
        other.updated_at = now
        session.add(other)


# --- either direction, by name (what the CLI calls) ----------------------------------------------


@overload
def get_mapping(
    session: Session, direction: Literal["export"], mapping_id: int
) -> ExportMappingView: ...
@overload
def get_mapping(
    session: Session, direction: Literal["import"], mapping_id: int
) -> ImportMappingView: ...
@overload
def get_mapping(session: Session, direction: Direction, mapping_id: int) -> MappingView: ...
def get_mapping(session: Session, direction: Direction, mapping_id: int) -> MappingView:
    """The mapping, or NotFoundError."""
    return view_of(KINDS[direction].get(session, mapping_id))


def list_mappings(
    session: Session, direction: Direction, connection: int | str
) -> list[MappingView]:
    """A connection's mappings, oldest first (the spec's *List export/import mappings*)."""
    connection_id = connection_id_of(get_connection(session, connection))
    return [view_of(row) for row in KINDS[direction].of_connection(session, connection_id)]


@overload
def active_mapping(
    session: Session, direction: Literal["export"], connection: int | str
) -> ExportMappingView | None: ...
@overload
def active_mapping(
    session: Session, direction: Literal["import"], connection: int | str
) -> ImportMappingView | None: ...
@overload
def active_mapping(
    session: Session, direction: Direction, connection: int | str
) -> MappingView | None: ...
def active_mapping(
    session: Session, direction: Direction, connection: int | str
) -> MappingView | None:
    """The active mapping, or None; a missing connection is NotFound (the spec's *Get active
    export/import mapping*)."""
    connection_id = connection_id_of(get_connection(session, connection))
    found = KINDS[direction].active(session, connection_id)
    return None if found is None else view_of(found)


def create_mapping(
    session: Session,
    direction: Direction,
    connection: int | str,
    content: Mapping[str, Any],
    *,
    is_active: bool = True,
) -> MappingView:
    """The spec's *Create export/import mapping*, with the content by spec key (a missing part is
    empty)."""
    return view_of(KINDS[direction].create(session, connection, content, is_active=is_active))


def update_mapping(
    session: Session,
    direction: Direction,
    mapping_id: int,
    *,
    replace: Mapping[str, Any],
    merge: Mapping[str, Mapping[str, str] | None],
    is_active: bool | None = None,
) -> MappingView:
    """The spec's *Update export/import mapping*: see :meth:`MappingKind.update`."""
    updated = KINDS[direction].update(
        session, mapping_id, replace=replace, merge=merge, is_active=is_active
    )
    return view_of(updated)


def delete_mapping(session: Session, direction: Direction, mapping_id: int) -> None:
    """The spec's *Delete export/import mapping*."""
    KINDS[direction].delete(session, mapping_id)


# --- the per-direction names Python callers use ----------------------------------------------


def create_export_mapping(
    session: Session,
    connection: int | str,
    selected_fields: Sequence[str],
    field_mappings: Mapping[str, str] | None = None,
    *,
    is_active: bool = True,
) -> ExportMappingView:
    """The spec's *Create export mapping*. ``connection``: id, name or URL; active unless asked."""
    content = {"selectedFields": selected_fields, "fieldMappings": field_mappings}
    return view_of(EXPORT.create(session, connection, content, is_active=is_active))


def create_import_mapping(
    session: Session,
    connection: int | str,
    attribute_mappings: Mapping[str, str] | None = None,
    field_mappings: Mapping[str, str] | None = None,
    *,
    is_active: bool = True,
) -> ImportMappingView:
    """The spec's *Create import mapping*. The new mapping is active unless asked otherwise."""
    content = {"attributeMappings": attribute_mappings, "fieldMappings": field_mappings}
    return view_of(IMPORT.create(session, connection, content, is_active=is_active))


def active_export_mapping(session: Session, connection: int | str) -> ExportMappingView | None:
    """The connection's active export mapping, or None (what an export sends by default)."""
    return active_mapping(session, "export", connection)


def active_import_mapping(session: Session, connection: int | str) -> ImportMappingView | None:
    """The connection's active import mapping, or None (how an import maps by default)."""
    return active_mapping(session, "import", connection)
