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
  (``from woosync.services.mappings.documents import ...``).

Import what you need from its module: the package itself re-exports nothing. The export reads the
active export mapping on every run through ``active`` alone (no rules, views, records nor YAML).
"""
