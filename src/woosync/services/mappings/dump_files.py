"""``mappings dump -o DIR``: each store's mappings written back to the file they came from, and no
file overwritten that woosync did not write (or that was edited since) unless ``force``.

Where a section (a store's ``export``, ``import`` or ``products``) goes, first hit wins:
1. the file ``mappings apply`` last read it from (its name, in DIR);
2. a YAML file already in DIR that holds that store's section (files from before woosync recorded
   where sections come from, or written by hand and never applied);
3. ``<store-slug>.yaml`` (``<store-slug>-<connection id>.yaml`` when two stores share a slug).
Several stores in one file are written as one document each, like ``apply`` reads them.

A file is then left alone when it already says the same (its comments kept), written when it is
new, rewritten when it holds exactly what woosync last wrote there, and otherwise refused (all
files are checked before any is written).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlmodel import col, select

from woosync.core.errors import ConflictError, NotFoundError, ValidationError, param
from woosync.core.timeutil import utcnow
from woosync.db.models import DumpedMappingFile, MappingFileSource
from woosync.files.mapping_files import MappingDocument, parse_mapping_text
from woosync.files.mapping_yaml import render_mapping_document
from woosync.services.connections.lookup import get_connection
from woosync.services.mappings.records import EXPORT, IMPORT
from woosync.services.mappings.views import DumpedStore, Section, WrittenFile
from woosync.services.selection_rules import SelectionRules

if TYPE_CHECKING:
    from sqlmodel import Session

SECTIONS: tuple[Section, ...] = ("export", "import", "products")
PlannedAction = Literal["create", "rewrite", "unchanged", "refused"]
WrittenAction = Literal["create", "rewrite", "unchanged", "overwrite"]


# --- recording where apply read each section ------------------------------------------------------


def document_sections(session: Session, document: MappingDocument) -> dict[tuple[int, str], Any]:
    """``{(connection id, section): content}`` of one document, content as the database keeps it;
    ``{}`` when its store is not a connection here."""
    try:
        connection = get_connection(session, document.store)
    except (NotFoundError, ValidationError):
        return {}
    assert connection.id is not None
    found: dict[tuple[int, str], Any] = {}
    if document.export is not None:
        found[(connection.id, "export")] = EXPORT.content(document.export)
    if document.import_ is not None:
        found[(connection.id, "import")] = IMPORT.content(document.import_)
    if document.products is not None:
        try:
            rules = SelectionRules.from_dict(document.products.rules()).to_dict()
        except ValidationError:
            rules = None
        found[(connection.id, "products")] = rules or None
    return found


def record_sources(session: Session, documents: Sequence[MappingDocument]) -> None:
    """Remember the file each store's sections were applied from (absolute path)."""
    for document in documents:
        path = str(Path(document.source).resolve())
        for connection_id, section in document_sections(session, document):
            row = session.exec(
                select(MappingFileSource).where(
                    col(MappingFileSource.connection_id) == connection_id,
                    col(MappingFileSource.section) == section,
                )
            ).first()
            if row is None:
                row = MappingFileSource(connection_id=connection_id, section=section, path=path)
            row.path, row.recorded_at = path, utcnow()
            session.add(row)


# --- planning the files ---------------------------------------------------------------------------


@dataclass
class PlannedFile:
    name: str
    connections: dict[int, set[Section]] = field(default_factory=dict)  # connection id -> sections
    text: str = ""
    action: PlannedAction = "refused"


def _slug_name(store_name: str, taken: set[str], connection_id: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", store_name.lower()).strip("-") or "store"
    name = f"{slug}.yaml" if f"{slug}.yaml" not in taken else f"{slug}-{connection_id}.yaml"
    taken.add(name)
    return name


def _parsed(path: Path) -> list[MappingDocument] | None:
    try:
        return parse_mapping_text(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, ValidationError):
        return None


def _sections_in(session: Session, path: Path) -> dict[tuple[int, str], Any] | None:
    """What a YAML file holds, per (connection, section); None when it is not a mapping file."""
    documents = _parsed(path)
    if documents is None:
        return None
    found: dict[tuple[int, str], Any] = {}
    for document in documents:
        for key, content in document_sections(session, document).items():
            found.setdefault(key, content)
    return found


def _existing_sections(session: Session, directory: Path) -> dict[tuple[int, str], str]:
    """``{(connection id, section): file name}`` of the mapping files already in ``directory``."""
    found: dict[tuple[int, str], str] = {}
    if not directory.is_dir():
        return found
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        for key in _sections_in(session, path) or {}:
            found.setdefault(key, path.name)
    return found


def render_store(item: DumpedStore, sections: Collection[str] = SECTIONS) -> str:
    """One store's mapping file (its ``sections``), with a comment saying whose it is and how to
    apply it."""
    return render_mapping_document(
        item.store,
        export=item.export if "export" in sections else None,
        import_=item.import_ if "import" in sections else None,
        products=item.products if "products" in sections else None,
        comment=(
            f"woosync mappings for {item.store_name} ({item.store_url})\n"
            "Apply with: woosync mappings apply FILE"
        ),
    )


def plan_files(
    session: Session, directory: Path, dumped: list[DumpedStore], only: int | None = None
) -> list[PlannedFile]:
    """The files to write in ``directory`` (see the module's docstring), with their text."""
    sources = {
        (row.connection_id, row.section): Path(row.path).name
        for row in session.exec(select(MappingFileSource)).all()
    }
    existing = _existing_sections(session, directory)
    files: dict[str, PlannedFile] = {}
    taken = set(sources.values()) | set(existing.values())
    for item in dumped:
        connection_id = item.connection_id
        present = [section for section in SECTIONS if item.section(section) is not None]
        slug: str | None = None
        for section in present:
            name = sources.get((connection_id, section)) or existing.get((connection_id, section))
            if name is None:
                slug = slug or _slug_name(item.store_name, taken, connection_id)
                name = slug
            planned = files.setdefault(name, PlannedFile(name))
            planned.connections.setdefault(connection_id, set()).add(section)
    by_id = {item.connection_id: item for item in dumped}
    chosen = [planned for planned in files.values() if only is None or only in planned.connections]
    for planned in chosen:
        planned.text = "---\n".join(
            render_store(by_id[connection_id], planned.connections[connection_id])
            for connection_id in sorted(planned.connections)
        )
        planned.action = _action(session, directory / planned.name, planned, by_id)
    return sorted(chosen, key=lambda planned: planned.name)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _action(
    session: Session, path: Path, planned: PlannedFile, by_id: dict[int, DumpedStore]
) -> PlannedAction:
    if not path.exists():
        return "create"
    try:
        current = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "refused"
    if current == planned.text:
        return "unchanged"
    wanted = {
        (connection_id, section): by_id[connection_id].section(section)
        for connection_id, sections in planned.connections.items()
        for section in sections
    }
    if _sections_in(session, path) == wanted:
        return "unchanged"  # says the same in other words (comments, order): left as written
    written = session.exec(
        select(DumpedMappingFile).where(col(DumpedMappingFile.path) == str(path.resolve()))
    ).first()
    if written is not None and written.sha256 == _sha256(current):
        return "rewrite"
    return "refused"


# --- writing --------------------------------------------------------------------------------------


def write_mapping_files(
    session: Session,
    output: str | Path,
    dumped: list[DumpedStore],
    *,
    only: int | None = None,
    force: bool = False,
) -> list[WrittenFile]:
    """Write the planned files (all checked first), in name order.

    ``only`` (a connection id) writes just the files holding that store's sections (with every
    store they hold). Raises :class:`ConflictError` naming the files it will not overwrite.
    """
    directory = Path(output)
    if directory.exists() and not directory.is_dir():
        raise ValidationError(
            f"{param('output')} {output} is a file", hint="give a directory, or - for stdout"
        )
    planned = plan_files(session, directory, dumped, only)
    refused = [directory / item.name for item in planned if item.action == "refused"]
    if refused and not force:
        names = ", ".join(str(path) for path in refused)
        raise ConflictError(
            f"not overwriting {names}: woosync did not write it, or it was edited since",
            hint="apply it first ('woosync mappings apply FILE'), dump to another directory, "
            f"or pass {param('force')} to overwrite",
        )
    directory.mkdir(parents=True, exist_ok=True)
    store_names = {item.connection_id: item.store_name for item in dumped}
    results: list[WrittenFile] = []
    for item in planned:
        path = directory / item.name
        action: WrittenAction = "overwrite" if item.action == "refused" else item.action
        if action != "unchanged":
            path.write_text(item.text, encoding="utf-8")
            _remember(session, path, item.text)
        stores = tuple(store_names[connection_id] for connection_id in sorted(item.connections))
        results.append(WrittenFile(str(path), action, stores))
    return results


def _remember(session: Session, path: Path, text: str) -> None:
    resolved = str(path.resolve())
    row = session.exec(
        select(DumpedMappingFile).where(col(DumpedMappingFile.path) == resolved)
    ).first()
    if row is None:
        row = DumpedMappingFile(path=resolved, sha256="")
    row.sha256, row.written_at = _sha256(text), utcnow()
    session.add(row)
