"""Writing a mapping file (``mappings dump``): YAML that :mod:`woosync.files.mapping_files` reads
back to the same mappings, short lists on one line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from woosync.files.mapping_files import FORMAT_VERSION


class _FlowList(list[str]):
    """Written on one line: ``selectedFields: [name, sku, price]``."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(_FlowList, _represent_flow_list)


def render_mapping_document(
    store: str,
    *,
    export: Mapping[str, Any] | None = None,
    import_: Mapping[str, Any] | None = None,
    products: Mapping[str, Mapping[str, list[str]]] | None = None,
    comment: str | None = None,
) -> str:
    """YAML for one store that :func:`woosync.files.mapping_files.parse_mapping_text` reads back to the same mappings.

    ``export`` holds ``selectedFields`` and ``fieldMappings``; ``import_`` holds
    ``attributeMappings`` and ``fieldMappings`` (the camelCase names of the spec); ``products``
    the store's selection (``ProductsSection.rules()`` shape; left out when None or empty).
    """
    document: dict[str, Any] = {"version": FORMAT_VERSION, "store": store}
    if export is not None:
        document["export"] = {
            "selectedFields": _FlowList(export["selectedFields"]),
            "fieldMappings": dict(export.get("fieldMappings") or {}),
        }
    if import_ is not None:
        document["import"] = {
            "attributeMappings": dict(import_.get("attributeMappings") or {}),
            "fieldMappings": dict(import_.get("fieldMappings") or {}),
        }
    if products:
        document["products"] = {
            side: {name: _FlowList(names) for name, names in lists.items()}
            for side, lists in products.items()
        }
    body = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    header = "".join(f"# {line}\n" for line in (comment or "").splitlines())
    return header + body
