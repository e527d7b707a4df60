"""The JSON of a run's counts, the same object in ``export``, ``export --dry-run`` and ``import``
(with ``--dry-run`` too): ``{created, updated, unchanged, skipped, excluded, conflicts, failed}``."""

from __future__ import annotations

from woosync.services.sync.counts import RunCounts

NAMES = ("created", "updated", "unchanged", "skipped", "excluded", "conflicts", "failed")


def run_counts(found: RunCounts) -> dict[str, int]:
    """``{created, updated, unchanged, skipped, excluded, conflicts, failed}``: how a run's
    products ended (:class:`~woosync.services.sync.counts.RunCounts`)."""
    return {name: getattr(found, name) for name in NAMES}
