"""How a run's products ended, counted the same way by the export and the import (issue 14: every
run ends with these counts, per store, in the human output and in ``--json``).

Both pipelines import this module; neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RunCounts:
    """One count per way a product can end (a product in conflict is counted under ``conflicts``
    as well as under what happened to its other fields).

    Export: ``created``/``updated`` in the store; ``skipped``: chosen, but gone from the catalog
    before its turn; ``excluded``: left out of this store (deleted there, excluded by hand, or
    outside its ``products:`` selection). Import: ``created``/``updated`` in the catalog (the
    spec's imported and updated); ``skipped``: left alone, with the reason (not a simple product,
    no SKU, removed locally, already in the catalog without ``update_existing``, ...);
    ``excluded``: the catalog product it matches is kept out of this store by hand (``products
    exclude``, ``delete``), so neither direction syncs it.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    excluded: int = 0
    conflicts: int = 0  # products with fields in conflict
    failed: int = 0


__all__ = ["RunCounts"]
