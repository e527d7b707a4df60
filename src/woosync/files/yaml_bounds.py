"""The YAML limits of :mod:`woosync.files.bounds`: aliases (a "billion laughs" file) and nesting,
counted on the event stream before any node tree is built."""

from __future__ import annotations

from typing import Any

import yaml

from woosync.core.errors import ValidationError
from woosync.files.bounds import ALIAS_FLOOR, ALIAS_RATIO, MAX_DEPTH


class YamlBudget:
    """Counts a YAML event stream as it would be expanded; raises once aliases or depth go too far.

    Feed it every event (:meth:`see`); it keeps, per open anchor, how many nodes the anchored
    value expands to, so an alias costs what it repeats (aliases inside anchors included).
    """

    def __init__(self, source: str | None = None) -> None:
        self.prefix = f"{source}: " if source else ""  # the caller may add the file name itself
        self.written = 0
        self.expanded = 0  # nodes brought in by aliases
        self._sizes: dict[str, int] = {}
        self._open: list[list[Any]] = []  # [anchor or None, nodes so far] per open collection

    def _add(self, count: int) -> None:
        if self._open:
            self._open[-1][1] += count

    def see(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.ScalarEvent):
            self.written += 1
            if event.anchor:
                self._sizes[event.anchor] = 1
            self._add(1)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self.written += 1
            self._open.append([event.anchor, 1])
            if len(self._open) > MAX_DEPTH:
                raise ValidationError(
                    f"{self.prefix}nested more than {MAX_DEPTH} levels deep",
                    hint="a product or mapping file needs only a few levels",
                )
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            anchor, size = self._open.pop()
            if anchor:
                self._sizes[anchor] = size
            self._add(size)
        elif isinstance(event, yaml.AliasEvent):
            size = self._sizes.get(event.anchor or "", 1)  # an anchor still open: count it once
            self.expanded += size
            self._add(size)
            limit = max(ALIAS_FLOOR, ALIAS_RATIO * self.written)
            if self.expanded > limit:
                raise ValidationError(
                    f"{self.prefix}YAML aliases expand to more than {limit:,} nodes "
                    "(an alias bomb?)",
                    hint="write the repeated values out, or use fewer nested aliases",
                )


def check_yaml(text: str, source: str) -> None:
    """Refuse ``text`` when its aliases or nesting go past the limits (see :class:`YamlBudget`),
    before any node tree is built. YAML syntax errors are left for the real loader to report."""
    budget = YamlBudget(source)
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for event in yaml.parse(text, Loader=loader):
            budget.see(event)
    except yaml.YAMLError:
        return
