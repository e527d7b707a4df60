"""The line a run ends with, for each store: its counts in the same words for ``export`` and
``import`` (``1 created, 2 updated, 197 unchanged, 0 skipped, 0 excluded, 0 conflicts, 0 failed``);
a dry run says what a real run would do (``1 to create, 2 to update, ..., 0 with errors``)."""

from __future__ import annotations

from collections.abc import Mapping

from woosync.shapes.counts import NAMES

_PLANNED = {"created": "to create", "updated": "to update", "failed": "with errors"}


def counts_line(counts: Mapping[str, int], dry_run: bool = False) -> str:
    """``counts``: the JSON's ``counts`` object (``shapes.counts.run_counts``)."""
    if dry_run:
        planned = ", ".join(f"{counts[name]} {_PLANNED.get(name, name)}" for name in NAMES)
        return planned + " (dry run: nothing was written)"
    return ", ".join(f"{counts[name]} {name}" for name in NAMES)
