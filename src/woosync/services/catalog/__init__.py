"""The local product catalog: lookups for export and import, field values, edits and bulk loads.

A product's *fields* are the spec's standard fields (``price``, ``dimensions`` ...), its free-form
attributes (``COLOR: [Red, Blue]``, ``Dimension: 10x20``) and its custom fields
(``wholesalePrice``). :func:`field_value` reads any of them by name; :func:`apply_product_fields`
writes them from a field dict (the rules are in ``woosync.products``).

Modules: ``views`` (the typed values returned), ``lookup`` (by id, SKU, in bulk), ``reading``
(one field by name), ``changes`` (a field dict applied to a product), ``upsert`` (many products by
SKU), ``tombstones`` (removed SKUs), ``commands`` (add, list, show, edit, remove), ``load``
(product files). Import what you need from its module: the package itself re-exports nothing, so
a command loads only the modules it uses (an unchanged ``export --partial`` never loads
``commands``, ``views`` nor the product record model).
"""
