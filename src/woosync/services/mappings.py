"""Export and import mappings (spec operations 8-17) and the YAML mapping files that keep them in git.

An export mapping says which local fields go to one store (``selectedFields``) and where
(``fieldMappings``: internal field -> WooCommerce field or ``pa_`` attribute). An import mapping says
where a store's attributes (``attributeMappings``) and fields (``fieldMappings``) land locally.
One mapping per connection and direction is active; activating one deactivates the others in the
same transaction. Every function takes an open session; the caller's ``store.session()`` commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlmodel import col, select

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.fields import (
    DEFAULT_IMPORT_FIELDS,
    DIMENSION_PARTS,
    REQUIRED_FIELDS,
    STANDARD_FIELDS,
    WOO_PRODUCT_FIELDS,
    is_global_attribute,
    is_valid_woo_target,
)
from woosync.core.timeutil import iso, utcnow
from woosync.services.common import get_connection
from woosync.store.models import Connection, ExportMapping, ImportMapping

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.files.mapping_files import MappingDocument

Direction = Literal["export", "import"]
Mapping_ = ExportMapping | ImportMapping

REQUIRED_FIELDS_MESSAGE = 'Export mapping must include "name" and "sku" fields'


class MappingRuleError(ValidationError):
    """A mapping that breaks a rule; ``path`` names the offending key (for file line numbers)."""

    def __init__(
        self, message: str, *, path: tuple[str, ...] = (), hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = path


# --- shapes --------------------------------------------------------------------------------------


def export_mapping_to_dict(mapping: ExportMapping) -> dict[str, Any]:
    """The spec's export mapping object (camelCase keys, ``...000Z`` timestamps)."""
    return {
        "id": mapping.id,
        "connectionId": mapping.connection_id,
        "selectedFields": list(mapping.selected_fields),
        "fieldMappings": dict(mapping.field_mappings),
        "isActive": mapping.is_active,
        "createdAt": iso(mapping.created_at),
        "updatedAt": iso(mapping.updated_at),
    }


def import_mapping_to_dict(mapping: ImportMapping) -> dict[str, Any]:
    """The spec's import mapping object (camelCase keys, ``...000Z`` timestamps)."""
    return {
        "id": mapping.id,
        "connectionId": mapping.connection_id,
        "attributeMappings": dict(mapping.attribute_mappings),
        "fieldMappings": dict(mapping.field_mappings),
        "isActive": mapping.is_active,
        "createdAt": iso(mapping.created_at),
        "updatedAt": iso(mapping.updated_at),
    }


# --- rules ---------------------------------------------------------------------------------------


def _check_name(value: object, what: str, path: tuple[str, ...]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MappingRuleError(f"{what} must be a non-empty name, not {value!r}", path=path)
    if value != value.strip():
        raise MappingRuleError(
            f"{what} {value!r} has spaces around it", path=path, hint="remove the spaces"
        )
    return value


def _export_target(name: str, field_mappings: Mapping[str, str]) -> str | None:
    """Where ``name`` lands in WooCommerce; None for an unmapped attribute (a local attribute)."""
    if name in field_mappings:
        return field_mappings[name]
    if name in STANDARD_FIELDS:
        return STANDARD_FIELDS[name]
    if name in DIMENSION_PARTS:
        return name
    return None


def validate_export_fields(
    selected_fields: Sequence[str], field_mappings: Mapping[str, str] | None = None
) -> None:
    """Raise :class:`MappingRuleError` (a ValidationError naming the offending key) unless valid.

    ``name`` and ``sku`` are required; standard fields are ``core.fields.STANDARD_FIELDS`` plus the
    dimension parts, any other name is a product attribute or custom field. Each ``fieldMappings``
    key must be selected and point at a WooCommerce field or a ``pa_`` slug; no two selected fields
    may land on the same WooCommerce field.
    """
    field_mappings = dict(field_mappings or {})
    if isinstance(selected_fields, str) or not isinstance(selected_fields, Sequence):
        raise MappingRuleError("selectedFields must be a list of field names")
    seen: set[str] = set()
    for position, name in enumerate(selected_fields):
        _check_name(name, "selectedFields entry", ("selectedFields", str(position)))
        if name in seen:
            raise MappingRuleError(
                f'selectedFields lists "{name}" twice',
                path=("selectedFields", str(position)),
                hint="keep one",
            )
        seen.add(name)
    if not all(required in seen for required in REQUIRED_FIELDS):
        raise MappingRuleError(
            REQUIRED_FIELDS_MESSAGE,
            path=("selectedFields",),
            hint="add name and sku to the selected fields",
        )
    for key, target in field_mappings.items():
        _check_name(key, "fieldMappings key", ("fieldMappings",))
        if key not in seen:
            raise MappingRuleError(
                f'fieldMappings key "{key}" is not among the selected fields',
                path=("fieldMappings", key),
                hint=f"add {key} to the selected fields or remove its mapping",
            )
        _check_name(target, f'fieldMappings["{key}"]', ("fieldMappings", key))
        if not is_valid_woo_target(target):
            raise MappingRuleError(
                f'fieldMappings["{key}"]: "{target}" is not a WooCommerce product field '
                "or a pa_ attribute slug",
                path=("fieldMappings", key),
                hint=_target_hint(target),
            )
    landed: dict[str, str] = {}
    for name in selected_fields:
        landing = _export_target(name, field_mappings)
        if landing is None:
            continue
        if landing in landed:
            other = landed[landing]
            key = name if name in field_mappings else other
            raise MappingRuleError(
                f'fieldMappings: "{other}" and "{name}" would both go to the WooCommerce '
                f'field "{landing}"',
                path=("fieldMappings", key),
                hint=f"map only one of them to {landing}, or drop one from the selected fields",
            )
        landed[landing] = name


def _target_hint(target: str) -> str:
    import difflib

    close = difflib.get_close_matches(target, sorted(WOO_PRODUCT_FIELDS), n=1, cutoff=0.75)
    if close:
        return f"did you mean {close[0]}?"
    slug = re.sub(r"[^a-z0-9_-]+", "-", target.strip().lower().removeprefix("pa_")).strip("-")
    if slug:
        return f"for a global attribute use its slug, e.g. pa_{slug}; else a field such as regular_price"
    return "use a WooCommerce field such as regular_price, or pa_<slug> for a global attribute"


def validate_import_mappings(
    attribute_mappings: Mapping[str, str] | None, field_mappings: Mapping[str, str] | None
) -> None:
    """Raise :class:`MappingRuleError` unless the import mapping is usable.

    ``attributeMappings`` keys are attribute slugs (``pa_color``) or attribute names (``Color``);
    ``fieldMappings`` keys are WooCommerce product fields; no two keys may land on the same internal
    name.
    """
    attribute_mappings = dict(attribute_mappings or {})
    field_mappings = dict(field_mappings or {})
    if not attribute_mappings and not field_mappings:
        raise MappingRuleError(
            "Import mapping must map at least one attribute or field",
            hint="give attributeMappings (pa_color: color) or fieldMappings (regular_price: price)",
        )
    for key, internal in attribute_mappings.items():
        _check_name(key, "attributeMappings key", ("attributeMappings",))
        if key.startswith("pa_") and not is_global_attribute(key):
            raise MappingRuleError(
                f'attributeMappings key "{key}" is not a valid attribute slug',
                path=("attributeMappings", key),
                hint="slugs are lowercase letters, digits, - and _ after pa_, e.g. pa_color",
            )
        if key in WOO_PRODUCT_FIELDS and key not in DIMENSION_PARTS:
            raise MappingRuleError(
                f'attributeMappings key "{key}" is a WooCommerce product field, not an attribute',
                path=("attributeMappings", key),
                hint="put it under fieldMappings",
            )
        _check_name(internal, f'attributeMappings["{key}"]', ("attributeMappings", key))
    for key, internal in field_mappings.items():
        _check_name(key, "fieldMappings key", ("fieldMappings",))
        if is_global_attribute(key):
            raise MappingRuleError(
                f'fieldMappings key "{key}" is an attribute slug, not a product field',
                path=("fieldMappings", key),
                hint="put it under attributeMappings",
            )
        if key not in WOO_PRODUCT_FIELDS:
            raise MappingRuleError(
                f'fieldMappings key "{key}" is not a WooCommerce product field',
                path=("fieldMappings", key),
                hint="use a field such as regular_price, sale_price or weight",
            )
        _check_name(internal, f'fieldMappings["{key}"]', ("fieldMappings", key))
    _check_import_targets(attribute_mappings, field_mappings)


def _check_import_targets(
    attribute_mappings: dict[str, str], field_mappings: dict[str, str]
) -> None:
    """No two store fields or attributes may fill the same local name.

    The importer keeps the default field targets (``DEFAULT_IMPORT_FIELDS``) that the mapping does
    not override, so ``sale_price: price`` clashes with the default ``regular_price -> price``.
    Local names are compared in the catalog's spelling (``salePrice`` is ``sale_price``).
    """
    from woosync.services.import_fields import local_name

    landed: dict[str, tuple[str, str | None]] = {}  # local name -> (who fills it, default field)
    for woo_field, internal in DEFAULT_IMPORT_FIELDS.items():
        if woo_field not in field_mappings:
            landed[local_name(internal)] = (f'"{woo_field}" (by default)', woo_field)
    sections = [("attributeMappings", attribute_mappings), ("fieldMappings", field_mappings)]
    for section, mappings in sections:
        for key, internal in mappings.items():
            target = local_name(internal)
            if target in landed:
                other, default_field = landed[target]
                hint = (
                    f"map {default_field} to another name as well, e.g. {default_field}=base_{default_field}"
                    if default_field
                    else "give each one its own internal name"
                )
                raise MappingRuleError(
                    f'{section}["{key}"]: "{internal}" is already filled by {other}',
                    path=(section, key),
                    hint=hint,
                )
            landed[target] = (f'{section}["{key}"]', None)


# --- lookups -------------------------------------------------------------------------------------


def _mapping_class(direction: Direction) -> type[ExportMapping] | type[ImportMapping]:
    return ExportMapping if direction == "export" else ImportMapping


def _get(session: Session, direction: Direction, mapping_id: int) -> Any:
    found = session.get(_mapping_class(direction), mapping_id)
    if found is None:
        raise NotFoundError(
            f"{direction} mapping {mapping_id} not found",
            hint=f"run 'woosync {direction}-mapping list CONNECTION' to see them",
        )
    return found


def _list(session: Session, direction: Direction, connection_id: int) -> list[Any]:
    model = _mapping_class(direction)
    return list(
        session.exec(
            select(model).where(model.connection_id == connection_id).order_by(col(model.id))
        ).all()
    )


def _active(session: Session, direction: Direction, connection_id: int) -> Any:
    model = _mapping_class(direction)
    return session.exec(
        select(model)
        .where(model.connection_id == connection_id, col(model.is_active).is_(True))
        .order_by(col(model.updated_at).desc(), col(model.id).desc())
    ).first()


def _deactivate_others(session: Session, mapping: Mapping_) -> None:
    """Keep one active mapping per connection and direction (same transaction as the change)."""
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


def _save(session: Session, mapping: Mapping_) -> None:
    session.add(mapping)
    session.flush()
    if mapping.is_active:
        _deactivate_others(session, mapping)
    session.flush()
    session.refresh(mapping)


# --- export mappings -----------------------------------------------------------------------------


def get_export_mapping(session: Session, mapping_id: int) -> ExportMapping:
    found: ExportMapping = _get(session, "export", mapping_id)
    return found


def create_export_mapping(
    session: Session,
    connection: int | str,
    selected_fields: Sequence[str],
    field_mappings: Mapping[str, str] | None = None,
    *,
    is_active: bool = True,
) -> ExportMapping:
    """Spec operation 8. ``connection`` is an id, name or URL; the new mapping is active unless asked."""
    conn = get_connection(session, connection)
    validate_export_fields(selected_fields, field_mappings)
    mapping = ExportMapping(
        connection_id=_id(conn),
        selected_fields=list(selected_fields),
        field_mappings=dict(field_mappings or {}),
        is_active=is_active,
    )
    _save(session, mapping)
    return mapping


def list_export_mappings(session: Session, connection: int | str) -> list[ExportMapping]:
    """Spec operation 9, oldest first."""
    return _list(session, "export", _id(get_connection(session, connection)))


def active_export_mapping(session: Session, connection_id: int | str) -> ExportMapping | None:
    """Spec operation 10: the active export mapping, or None. A missing connection is NotFound."""
    found: ExportMapping | None = _active(
        session, "export", _id(get_connection(session, connection_id))
    )
    return found


def update_export_mapping(
    session: Session,
    mapping_id: int,
    *,
    selected_fields: Sequence[str] | None = None,
    field_mappings: Mapping[str, str] | None = None,
    merge_field_mappings: Mapping[str, str] | None = None,
    is_active: bool | None = None,
) -> ExportMapping:
    """Spec operation 11. ``field_mappings`` replaces the mappings; ``merge_field_mappings`` adds
    to (or overrides entries of) the current ones. Activating deactivates the others."""
    if (
        selected_fields is None
        and field_mappings is None
        and merge_field_mappings is None
        and is_active is None
    ):
        raise ValidationError(
            "nothing to update",
            hint="give new selected fields, field mappings, or active/inactive",
        )
    mapping = get_export_mapping(session, mapping_id)
    fields = list(mapping.selected_fields if selected_fields is None else selected_fields)
    maps = dict(mapping.field_mappings if field_mappings is None else field_mappings)
    maps.update(merge_field_mappings or {})
    validate_export_fields(fields, maps)
    mapping.selected_fields = fields
    mapping.field_mappings = maps
    if is_active is not None:
        mapping.is_active = is_active
    mapping.updated_at = utcnow()
    _save(session, mapping)
    return mapping


def delete_export_mapping(session: Session, mapping_id: int) -> None:
    """Spec operation 12."""
    session.delete(get_export_mapping(session, mapping_id))
    session.flush()


# --- import mappings -----------------------------------------------------------------------------


def get_import_mapping(session: Session, mapping_id: int) -> ImportMapping:
    found: ImportMapping = _get(session, "import", mapping_id)
    return found


def create_import_mapping(
    session: Session,
    connection: int | str,
    attribute_mappings: Mapping[str, str] | None = None,
    field_mappings: Mapping[str, str] | None = None,
    *,
    is_active: bool = True,
) -> ImportMapping:
    """Spec operation 13. The new mapping is active unless asked otherwise."""
    conn = get_connection(session, connection)
    validate_import_mappings(attribute_mappings, field_mappings)
    mapping = ImportMapping(
        connection_id=_id(conn),
        attribute_mappings=dict(attribute_mappings or {}),
        field_mappings=dict(field_mappings or {}),
        is_active=is_active,
    )
    _save(session, mapping)
    return mapping


def list_import_mappings(session: Session, connection: int | str) -> list[ImportMapping]:
    """Spec operation 14, oldest first."""
    return _list(session, "import", _id(get_connection(session, connection)))


def active_import_mapping(session: Session, connection_id: int | str) -> ImportMapping | None:
    """Spec operation 15: the active import mapping, or None. A missing connection is NotFound."""
    found: ImportMapping | None = _active(
        session, "import", _id(get_connection(session, connection_id))
    )
    return found


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
    """Spec operation 16; ``attribute_mappings``/``field_mappings`` replace, ``merge_*`` add."""
    if all(
        value is None
        for value in (
            attribute_mappings,
            merge_attribute_mappings,
            field_mappings,
            merge_field_mappings,
            is_active,
        )
    ):
        raise ValidationError(
            "nothing to update",
            hint="give attribute mappings, field mappings, or active/inactive",
        )
    mapping = get_import_mapping(session, mapping_id)
    attrs = dict(mapping.attribute_mappings if attribute_mappings is None else attribute_mappings)
    attrs.update(merge_attribute_mappings or {})
    maps = dict(mapping.field_mappings if field_mappings is None else field_mappings)
    maps.update(merge_field_mappings or {})
    validate_import_mappings(attrs, maps)
    mapping.attribute_mappings = attrs
    mapping.field_mappings = maps
    if is_active is not None:
        mapping.is_active = is_active
    mapping.updated_at = utcnow()
    _save(session, mapping)
    return mapping


def delete_import_mapping(session: Session, mapping_id: int) -> None:
    """Spec operation 17."""
    session.delete(get_import_mapping(session, mapping_id))
    session.flush()


def _id(connection: Connection) -> int:
    assert connection.id is not None
    return connection.id


# --- mapping files -------------------------------------------------------------------------------


@dataclass
class _Planned:
    document: MappingDocument
    connection: Connection
    direction: Direction
    content: dict[str, Any]  # camelCase keys, as in the file and the spec


def _content(direction: Direction, mapping: Any) -> dict[str, Any]:
    if direction == "export":
        return {
            "selectedFields": list(mapping.selected_fields),
            "fieldMappings": dict(mapping.field_mappings),
        }
    return {
        "attributeMappings": dict(mapping.attribute_mappings),
        "fieldMappings": dict(mapping.field_mappings),
    }


def _sections(document: MappingDocument) -> list[tuple[Direction, dict[str, Any]]]:
    """The document's export and import content, checked against the rules; errors name the line."""
    sections: list[tuple[Direction, dict[str, Any]]] = []
    if document.export is not None:
        sections.append(
            (
                "export",
                {
                    "selectedFields": list(document.export.selected_fields),
                    "fieldMappings": dict(document.export.field_mappings),
                },
            )
        )
    if document.import_ is not None:
        sections.append(
            (
                "import",
                {
                    "attributeMappings": dict(document.import_.attribute_mappings),
                    "fieldMappings": dict(document.import_.field_mappings),
                },
            )
        )
    for direction, content in sections:
        try:
            if direction == "export":
                validate_export_fields(content["selectedFields"], content["fieldMappings"])
            else:
                validate_import_mappings(content["attributeMappings"], content["fieldMappings"])
        except MappingRuleError as exc:
            path: tuple[str | int, ...] = tuple(
                int(part) if part.isdigit() and exc.path[:1] == ("selectedFields",) else part
                for part in exc.path
            )
            raise ValidationError(
                f"{document.where(direction, *path)}: {direction}: {exc.message}", hint=exc.hint
            ) from None
    return sections


def _document_connection(session: Session, document: MappingDocument) -> Connection:
    try:
        return get_connection(session, document.store)
    except (NotFoundError, ValidationError) as exc:
        raise type(exc)(f"{document.where('store')}: store: {exc.message}", hint=exc.hint) from None


def create_mapping_from_documents(
    session: Session,
    direction: Direction,
    documents: Sequence[MappingDocument],
    connection: int | str | None = None,
    *,
    is_active: bool = True,
) -> Mapping_:
    """``create --file``: a new mapping from the one document with a ``direction`` section.

    The mapping goes to ``connection`` when given (reusing a file for another store), else to the
    store the document names.
    """
    candidates = [
        d for d in documents if (d.export if direction == "export" else d.import_) is not None
    ]
    if len(candidates) != 1:
        source = ", ".join(sorted({d.source for d in documents})) or "the file"
        found = "no" if not candidates else f"{len(candidates)}"
        raise ValidationError(
            f"{source}: expected one '{direction}:' section, found {found}",
            hint="use 'woosync mappings apply' for files with several stores",
        )
    document = candidates[0]
    content = dict(next(c for d, c in _sections(document) if d == direction))
    conn = (
        get_connection(session, connection)
        if connection is not None
        else _document_connection(session, document)
    )
    mapping = _new_mapping(direction, _id(conn), content)
    mapping.is_active = is_active
    _save(session, mapping)
    return mapping


def _plan(session: Session, documents: Sequence[MappingDocument]) -> list[_Planned]:
    """Check every document against the database and the rules before anything changes."""
    planned: list[_Planned] = []
    claimed: dict[tuple[int, Direction], str] = {}
    for document in documents:
        sections = _sections(document)
        connection = _document_connection(session, document)
        for direction, content in sections:
            slot = (_id(connection), direction)
            if slot in claimed:
                raise ValidationError(
                    f"{document.where(direction)}: {direction}: the {direction} mapping of "
                    f"{connection.store_name!r} is also given in {claimed[slot]}",
                    hint="keep one mapping per store and direction",
                )
            claimed[slot] = document.where(direction)
            planned.append(_Planned(document, connection, direction, content))
    return planned


def apply_mapping_documents(
    session: Session, documents: Sequence[MappingDocument], *, dry_run: bool = False
) -> list[dict[str, Any]]:
    """Make the active mappings match ``documents``; returns the changes (empty when none).

    Everything is checked first, then written in the caller's one transaction: several files are
    applied all-or-nothing. A changed file updates the active mapping in place; an identical inactive
    mapping is re-activated rather than copied; otherwise a new active mapping is created.
    """
    changes: list[dict[str, Any]] = []
    for item in _plan(session, documents):
        conn_id = _id(item.connection)
        active = _active(session, item.direction, conn_id)
        change: dict[str, Any] = {
            "file": item.document.source,
            "store": item.connection.store_name,
            "connectionId": conn_id,
            "direction": item.direction,
        }
        if active is not None:
            before = _content(item.direction, active)
            if before == item.content:
                continue
            diff = {
                key: {"from": before[key], "to": value}
                for key, value in item.content.items()
                if before[key] != value
            }
            changes.append({**change, "action": "update", "mappingId": active.id, "changes": diff})
            if not dry_run:
                _write_content(item.direction, active, item.content)
                active.updated_at = utcnow()
                _save(session, active)
            continue
        twin = next(
            (
                mapping
                for mapping in reversed(_list(session, item.direction, conn_id))
                if _content(item.direction, mapping) == item.content
            ),
            None,
        )
        if twin is not None:
            changes.append({**change, "action": "activate", "mappingId": twin.id, "changes": {}})
            if not dry_run:
                twin.is_active = True
                twin.updated_at = utcnow()
                _save(session, twin)
            continue
        created_id = None
        if not dry_run:
            mapping = _new_mapping(item.direction, conn_id, item.content)
            _save(session, mapping)
            created_id = mapping.id
        changes.append(
            {
                **change,
                "action": "create",
                "mappingId": created_id,
                "changes": {
                    key: {"from": None, "to": value} for key, value in item.content.items()
                },
            }
        )
    return changes


def _write_content(direction: Direction, mapping: Any, content: dict[str, Any]) -> None:
    if direction == "export":
        mapping.selected_fields = list(content["selectedFields"])
    else:
        mapping.attribute_mappings = dict(content["attributeMappings"])
    mapping.field_mappings = dict(content["fieldMappings"])


def _new_mapping(direction: Direction, connection_id: int, content: dict[str, Any]) -> Mapping_:
    if direction == "export":
        return ExportMapping(
            connection_id=connection_id,
            selected_fields=list(content["selectedFields"]),
            field_mappings=dict(content["fieldMappings"]),
        )
    return ImportMapping(
        connection_id=connection_id,
        attribute_mappings=dict(content["attributeMappings"]),
        field_mappings=dict(content["fieldMappings"]),
    )


def dump_active_mappings(
    session: Session, connection: int | str | None = None
) -> list[dict[str, Any]]:
    """What ``mappings dump`` writes: per connection with an active mapping, its store reference
    (``store``: the name when unique, else the URL), ``storeUrl``, ``connectionId``, and the
    ``export`` / ``import`` content (None when that direction has no active mapping)."""
    if connection is not None:
        connections = [get_connection(session, connection)]
    else:
        connections = list(session.exec(select(Connection).order_by(col(Connection.id))).all())
    names = [c.store_name for c in session.exec(select(Connection)).all()]
    dumped: list[dict[str, Any]] = []
    for conn in connections:
        export = _active(session, "export", _id(conn))
        import_ = _active(session, "import", _id(conn))
        if export is None and import_ is None:
            continue
        name = conn.store_name
        unique = names.count(name) == 1 and name == name.strip() and not name.isdigit()
        dumped.append(
            {
                "store": conn.store_name if unique else conn.store_url,
                "storeName": conn.store_name,
                "storeUrl": conn.store_url,
                "connectionId": conn.id,
                "export": _content("export", export) if export is not None else None,
                "import": _content("import", import_) if import_ is not None else None,
            }
        )
    return dumped
