"""Export and import mappings (the spec's mapping operations, ARCHITECTURE.md, operations table)
and the YAML mapping files that keep them in git.

An export mapping says which local fields go to one store (``selectedFields``) and where
(``fieldMappings``: internal field -> WooCommerce field or ``pa_`` attribute). An import mapping says
where a store's attributes (``attributeMappings``) and fields (``fieldMappings``) land locally.
One mapping per connection and direction is active; activating one deactivates the others in the
same transaction. Every function takes an open session; the caller's ``db.session()`` commits.

- ``rules``: what makes a mapping valid (errors name the offending key).
- ``records``: the mappings in the database; one :class:`MappingKind` per direction says what differs.
- ``views``: the typed results (``woosync.shapes.mappings`` writes their JSON).
- ``documents``: mapping files (``create --file``, ``mappings apply``, ``mappings dump``);
  ``dump_files``: where ``mappings dump -o DIR`` writes them. Imported by their own path
  (``from woosync.services.mappings.documents import ...``), not from here: the export reads the
  active mapping on every run and needs no YAML.
"""

from woosync.services.mappings.records import (
    EXPORT,
    IMPORT,
    AnyMapping,
    Direction,
    MappingKind,
    active_export_mapping,
    active_import_mapping,
    active_mapping,
    create_export_mapping,
    create_import_mapping,
    create_mapping,
    delete_mapping,
    get_mapping,
    list_mappings,
    update_mapping,
)
from woosync.services.mappings.rules import (
    REQUIRED_FIELDS_MESSAGE,
    MappingRuleError,
    validate_export_fields,
    validate_import_mappings,
)
from woosync.services.mappings.views import (
    DumpedStore,
    ExportMappingView,
    ImportMappingView,
    MappingChange,
    MappingView,
    PartChange,
    WrittenFile,
)

__all__ = [
    "EXPORT",
    "IMPORT",
    "REQUIRED_FIELDS_MESSAGE",
    "AnyMapping",
    "Direction",
    "DumpedStore",
    "ExportMappingView",
    "ImportMappingView",
    "MappingChange",
    "MappingKind",
    "MappingRuleError",
    "MappingView",
    "PartChange",
    "WrittenFile",
    "active_export_mapping",
    "active_import_mapping",
    "active_mapping",
    "create_export_mapping",
    "create_import_mapping",
    "create_mapping",
    "delete_mapping",
    "get_mapping",
    "list_mappings",
    "update_mapping",
    "validate_export_fields",
    "validate_import_mappings",
]
