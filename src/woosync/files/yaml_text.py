"""YAML read keeping every scalar as text (except ``null``), straight from the parser's events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from woosync.core.errors import ValidationError
from woosync.files import yaml_bounds

_PARSER_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present
_NULL_TAG = "tag:yaml.org,2002:null"
_PLAIN_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_NO_KEY = object()


def load_yaml_strings(text: str, duplicates: list[tuple[dict[str, Any], str]] | None = None) -> Any:
    """One YAML document with every scalar kept as written except ``null``.

    YAML 1.1 would turn the SKU ``0123`` into 83, ``NO`` into False and ``2024-01-01`` into a
    date. The document is built straight from the parser's events (anchors, aliases and ``<<``
    merges included): PyYAML's constructor would take 2.5 s of a 10,000-product file's 3.

    A key written twice in one mapping keeps its last value; when ``duplicates`` is given, the
    mapping and the key are appended to it. A key that a ``<<`` merge brought in and the mapping
    then sets itself is an override, not a duplicate.
    """
    builder = YamlStrings(text, duplicates)
    for _item in builder.items(stream=False):
        pass
    return builder.document


class YamlStrings:
    """:func:`load_yaml_strings` of a text or a file; with ``items(stream=True)`` the products
    (the items of a top-level list, or of the ``products`` list of a top-level mapping) come out
    one at a time as they are complete and are not kept: the rest of the document is
    :attr:`document` once they are all out (its ``products`` list left empty)."""

    def __init__(
        self, text: Any, duplicates: list[tuple[dict[str, Any], str]] | None = None
    ) -> None:
        self._text = text
        self.found = duplicates if duplicates is not None else []
        self.document: Any = None
        self.streamed = False

    def items(self, *, stream: bool = True) -> Iterator[Any]:
        found = self.found
        # per open mapping or sequence: [container, pending key, keys a << merge brought in (None
        # until one does), the frame to merge it into when it is the value of a << key (or None),
        # whether its items are the products given out one at a time, and (only on a product
        # given out) True]
        stack: list[list[Any]] = []
        anchors: dict[str, Any] = {}
        roots: list[Any] = []
        out: list[Any] = []
        budget = yaml_bounds.YamlBudget()  # alias bombs and deep nesting refused as they are met

        def merge(frame: list[Any], value: dict[str, Any] | list[Any]) -> None:
            container = frame[0]
            merged_keys = frame[2] if frame[2] is not None else set()
            frame[2] = merged_keys
            for merged in value if isinstance(value, list) else [value]:
                for merged_key, item in (merged if isinstance(merged, dict) else {}).items():
                    if merged_key not in container:  # the mapping's own keys win
                        container[merged_key] = item
                        merged_keys.add(merged_key)

        def add(value: Any) -> None:
            if not stack:
                roots.append(value)
                return
            frame = stack[-1]
            container = frame[0]
            if isinstance(container, list):
                if frame[4]:
                    out.append(value)
                else:
                    container.append(value)
            elif frame[1] is _NO_KEY:
                if value is not None and not isinstance(value, str):
                    raise ValidationError("YAML keys must be plain text, not lists or mappings")
                frame[1] = value
            else:
                key = frame[1]
                if key == "<<" and isinstance(value, dict | list):
                    merge(frame, value)
                else:
                    if key in container:
                        merged_keys = frame[2]
                        if merged_keys is not None and key in merged_keys:
                            merged_keys.discard(key)  # overrides the merged value, once
                        else:
                            found.append((container, key))
                    container[key] = value
                frame[1] = _NO_KEY

        for event in yaml.parse(self._text, Loader=_PARSER_LOADER):
            budget.see(event)
            kind = type(event)
            if isinstance(event, yaml.ScalarEvent):
                plain_null = event.tag is None and event.implicit[0] and event.value in _PLAIN_NULLS
                value = None if plain_null or event.tag == _NULL_TAG else event.value
                if event.anchor:
                    anchors[event.anchor] = value
                add(value)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                container: Any = {} if kind is yaml.MappingStartEvent else []
                if event.anchor:
                    anchors[event.anchor] = container
                parent = stack[-1] if stack else None
                products = (
                    stream
                    and kind is yaml.SequenceStartEvent
                    and not roots
                    and (
                        parent is None
                        or (
                            len(stack) == 1
                            and isinstance(parent[0], dict)
                            and parent[1] == "products"
                        )
                    )
                    and not self.streamed
                    and not event.anchor
                )
                if products:
                    self.streamed = True
                if parent is not None and parent[1] == "<<" and isinstance(parent[0], dict):
                    # '<<: {...}' or '<<: [*a, *b]' written in place: merge it once it is complete
                    parent[1] = _NO_KEY
                    stack.append([container, _NO_KEY, None, parent, False])
                elif parent is not None and parent[4]:
                    # a product: given out once complete (its end event)
                    stack.append([container, _NO_KEY, None, None, False, True])
                else:
                    add(container)
                    stack.append([container, _NO_KEY, None, None, products])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                if frame[3] is not None:
                    merge(frame[3], frame[0])
                elif len(frame) > 5:
                    out.append(frame[0])
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise ValidationError(f"YAML alias *{event.anchor} has no anchor")
                add(anchors[event.anchor])
            while out:
                yield out.pop(0)
        if len(roots) > 1:
            raise ValidationError("expected one YAML document, found several (remove the '---')")
        self.document = roots[0] if roots else None
