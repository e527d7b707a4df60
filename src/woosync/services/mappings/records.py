"""Export and import mappings in the database (spec operations 8-17 in ARCHITECTURE.md).

The two directions work the same way: a mapping belongs to one connection, one per connection and
direction is active, activating one deactivates the others in the same transaction. What differs is
described once per direction by a :class:`MappingKind` (``EXPORT``, ``IMPORT``): the table, the
parts of the content and the rules. Every function takes an open session; the caller's
``db.session()`` commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from sqlmodel import col, select

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.timeutil import iso, utcnow
from woosync.db.models import Connection, ExportMapping, ImportMapping
from woosync.services.connections import get_connection
from woosync.services.mappings.rules import validate_export_fields, validate_import_mappings

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

    def to_dict(self, mapping: M) -> dict[str, Any]:
        """The spec's mapping object (camelCase keys, ``...000Z`` timestamps)."""
        return {
            "id": mapping.id,
            "connectionId": mapping.connection_id,
            **self.content(mapping),
            "isActive": mapping.is_active,
            "createdAt": iso(mapping.created_at),
            "updatedAt": iso(mapping.updated_at),
        }

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
        model = self.model
        return session.exec(
            select(model)
            .where(model.connection_id == connection_id, col(model.is_active).is_(True))
            .order_by(col(model.updated_at).desc(), col(model.id).desc())
        ).first()

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


def kind_of(mapping: AnyMapping) -> MappingKind[Any]:
    return EXPORT if isinstance(mapping, ExportMapping) else IMPORT


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


def mapping_to_dict(mapping: AnyMapping) -> dict[str, Any]:
    """The spec's export or import mapping object."""
    return kind_of(mapping).to_dict(mapping)


def get_mapping(session: Session, direction: Direction, mapping_id: int) -> AnyMapping:
    """The mapping, or NotFoundError."""
    return KINDS[direction].get(session, mapping_id)


def list_mappings(
    session: Session, direction: Direction, connection: int | str
) -> list[AnyMapping]:
    """A connection's mappings, oldest first (the spec's List ... mappings)."""
    connection_id = connection_id_of(get_connection(session, connection))
    return list(KINDS[direction].of_connection(session, connection_id))


def active_mapping(
    session: Session, direction: Direction, connection: int | str
) -> AnyMapping | None:
    """The active mapping, or None; a missing connection is NotFound (Get active ... mapping)."""
    connection_id = connection_id_of(get_connection(session, connection))
    return KINDS[direction].active(session, connection_id)


def create_mapping(
    session: Session,
    direction: Direction,
    connection: int | str,
    content: Mapping[str, Any],
    *,
    is_active: bool = True,
) -> AnyMapping:
    """The spec's Create ... mapping, with the content by spec key (a missing part is empty)."""
    return KINDS[direction].create(session, connection, content, is_active=is_active)


def update_mapping(
    session: Session,
    direction: Direction,
    mapping_id: int,
    *,
    replace: Mapping[str, Any],
    merge: Mapping[str, Mapping[str, str] | None],
    is_active: bool | None = None,
) -> AnyMapping:
    """The spec's Update ... mapping: see :meth:`MappingKind.update`."""
    return KINDS[direction].update(
        session, mapping_id, replace=replace, merge=merge, is_active=is_active
    )


def delete_mapping(session: Session, direction: Direction, mapping_id: int) -> None:
    """The spec's Delete export mapping and Delete import mapping."""
    KINDS[direction].delete(session, mapping_id)


# --- export mappings (spec operations 8-12 in ARCHITECTURE.md) ----------------------------------


def export_mapping_to_dict(mapping: ExportMapping) -> dict[str, Any]:
    """The spec's export mapping object (camelCase keys, ``...000Z`` timestamps)."""
    return EXPORT.to_dict(mapping)


def get_export_mapping(session: Session, mapping_id: int) -> ExportMapping:
    return EXPORT.get(session, mapping_id)


def create_export_mapping(
    session: Session,
    connection: int | str,
    selected_fields: Sequence[str],
    field_mappings: Mapping[str, str] | None = None,
    *,
    is_active: bool = True,
) -> ExportMapping:
    """The spec's Create export mapping. ``connection``: id, name or URL; active unless asked."""
    content = {"selectedFields": selected_fields, "fieldMappings": field_mappings}
    return EXPORT.create(session, connection, content, is_active=is_active)


def list_export_mappings(session: Session, connection: int | str) -> list[ExportMapping]:
    """The spec's List export mappings, oldest first."""
    return EXPORT.of_connection(session, connection_id_of(get_connection(session, connection)))


def active_export_mapping(session: Session, connection_id: int | str) -> ExportMapping | None:
    """The spec's Get active export mapping, or None. A missing connection is NotFound."""
    return EXPORT.active(session, connection_id_of(get_connection(session, connection_id)))


def update_export_mapping(
    session: Session,
    mapping_id: int,
    *,
    selected_fields: Sequence[str] | None = None,
    field_mappings: Mapping[str, str] | None = None,
    merge_field_mappings: Mapping[str, str] | None = None,
    is_active: bool | None = None,
) -> ExportMapping:
    """Update export mapping. ``field_mappings`` replaces the maps; ``merge_field_mappings`` adds
    to (or overrides entries of) the current ones. Activating deactivates the others."""
    return EXPORT.update(
        session,
        mapping_id,
        replace={"selectedFields": selected_fields, "fieldMappings": field_mappings},
        merge={"fieldMappings": merge_field_mappings},
        is_active=is_active,
    )


def delete_export_mapping(session: Session, mapping_id: int) -> None:
    """The spec's Delete export mapping."""
    EXPORT.delete(session, mapping_id)


# --- import mappings (spec operations 13-17 in ARCHITECTURE.md) ---------------------------------


def import_mapping_to_dict(mapping: ImportMapping) -> dict[str, Any]:
    """The spec's import mapping object (camelCase keys, ``...000Z`` timestamps)."""
    return IMPORT.to_dict(mapping)


def get_import_mapping(session: Session, mapping_id: int) -> ImportMapping:
    return IMPORT.get(session, mapping_id)


def create_import_mapping(
    session: Session,
    connection: int | str,
    attribute_mappings: Mapping[str, str] | None = None,
    field_mappings: Mapping[str, str] | None = None,
    *,
    is_active: bool = True,
) -> ImportMapping:
    """The spec's Create import mapping. The new mapping is active unless asked otherwise."""
    content = {"attributeMappings": attribute_mappings, "fieldMappings": field_mappings}
    return IMPORT.create(session, connection, content, is_active=is_active)


def list_import_mappings(session: Session, connection: int | str) -> list[ImportMapping]:
    """The spec's List import mappings, oldest first."""
    return IMPORT.of_connection(session, connection_id_of(get_connection(session, connection)))


def active_import_mapping(session: Session, connection_id: int | str) -> ImportMapping | None:
    """The spec's Get active import mapping, or None. A missing connection is NotFound."""
    return IMPORT.active(session, connection_id_of(get_connection(session, connection_id)))


def update_import_mapping(
    session: Session,
    mapping_id: int,
    *,
    attribute_mappings: Mapping[str, str] | None = None,
    merge_attribute_mappings: Mapping[str, str] | None = None,
    field_mappings: Mapping[str, str] | None = None,
    merge_field_mappings: Mapping[str, str] | None = None,
    is_active: bool | None = None,
) -> ImportMapping:
    """Update import mapping; ``attribute_mappings``/``field_mappings`` replace, ``merge_*`` add."""
    return IMPORT.update(
        session,
        mapping_id,
        replace={"attributeMappings": attribute_mappings, "fieldMappings": field_mappings},
        merge={
            "attributeMappings": merge_attribute_mappings,
            "fieldMappings": merge_field_mappings,
        },
        is_active=is_active,
    )


def delete_import_mapping(session: Session, mapping_id: int) -> None:
    """The spec's Delete import mapping."""
    IMPORT.delete(session, mapping_id)
