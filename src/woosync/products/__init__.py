"""The product domain: what a catalog product's fields may hold, and how they are checked.

Pure rules, no database and no file format: the services (catalog, import, export), the file
readers (``woosync.files``) and the CLI use them. The names of the fields are the vocabulary of
``woosync.core.fields``.

- ``values``: one value's check and normal form (a price, a SKU, a list of names ...);
- ``fields``: a *field dict* (``{"price": "12.50", "attribute:COLOR": [...]}``) checked whole;
- ``record``: the schema of one product (and its variations) in a file;
- ``rows``: numbered rows of a file checked into field dicts, with errors naming the row;
- ``decimal_comma``: ``12,50`` read as ``12.50`` for European spreadsheets;
- ``categories``: category paths (``Kitchen > Mugs``);
- ``variations``: the rules of variable products and their variations.
"""
