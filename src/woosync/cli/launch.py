"""The ``woosync`` script (and ``python -m woosync``): the collector runs rarely while the command
starts (:func:`woosync.core.gc_tuning.quiet_start_up`; what start-up allocated is frozen
once the command opens the database), then the CLI runs (:func:`woosync.cli.app.main`).

Kept apart from :mod:`woosync.cli.app` so that the quiet start-up also covers importing the CLI,
and so that importing the CLI as a library (the tests) leaves the collector alone.
"""

from __future__ import annotations

from woosync.core.gc_tuning import quiet_start_up


def main() -> None:
    quiet_start_up(freeze=True)
    from woosync.cli.app import main as run_command

    run_command()
