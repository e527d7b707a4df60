"""What an import starts from: the (active) connection, its import rules (the active import
mapping, or the default), the fingerprinter (the active export mapping's targets), what to leave
alone (tombstones, exclusions) and the store client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from woosync.db.models import Connection
from woosync.services.catalog.tombstones import tombstones
from woosync.services.connections.client import open_client
from woosync.services.connections.lookup import active_connection
from woosync.services.imports.fields import ImportRules
from woosync.services.imports.fingerprints import Fingerprinter
from woosync.services.mappings.records import active_export_mapping, active_import_mapping
from woosync.services.selection import exclusions
from woosync.services.sync.store_globals import known_globals

if TYPE_CHECKING:
    from woosync.db.engine import Database
    from woosync.woo import WooClient

__all__ = ["KeptOut", "Start", "client_for", "kept_out", "start"]


@dataclass(frozen=True, slots=True)
class Start:
    connection: Connection
    connection_id: int
    rules: ImportRules
    fingerprinter: Fingerprinter


@dataclass(frozen=True, slots=True)
class KeptOut:
    """What this import leaves alone: SKUs removed from the catalog (case-folded -> SKU) and
    local products excluded from this store."""

    tombstones: dict[str, str]
    excluded_ids: set[int]


def start(db: Database, ref: int | str | None, use_mapping: bool) -> Start:
    """The (active) connection, its import rules and its fingerprinter, read now."""
    with db.session() as session:
        conn = active_connection(session, ref)
        assert conn.id is not None
        mapping = active_import_mapping(session, conn.id) if use_mapping else None
        export_mapping = active_export_mapping(session, conn.id)
        known = known_globals(session, conn.id)
    fingerprinter = (
        Fingerprinter(export_mapping.selected_fields, export_mapping.field_mappings, known)
        if export_mapping is not None
        else Fingerprinter(known_globals=known)
    )
    if mapping is None:
        return Start(
            conn, conn.id, ImportRules.default(fingerprinter.selected_targets()), fingerprinter
        )
    rules = ImportRules.from_mapping(
        mapping.attribute_mappings, mapping.field_mappings, f"import mapping {mapping.id}"
    )
    return Start(conn, conn.id, rules, fingerprinter)


def kept_out(db: Database, connection_id: int) -> KeptOut:
    with db.session() as session:
        return KeptOut(tombstones(session), set(exclusions(session, connection_id)))


def client_for(db: Database, conn: Connection) -> WooClient:
    return open_client(db, conn)
