"""Asking before a command removes something: ``--yes`` skips it, a script without it is refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from woosync.core import terminal
from woosync.core.errors import ValidationError
from woosync.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from woosync.cli.render import Output


def confirm_removal(
    output: Output, label: str, question: str, *, yes: bool, verb: str = "remove"
) -> None:
    """Return when removing ``label`` is confirmed; refuse without a terminal; exit 1 on "no"."""
    if yes:
        return
    if not terminal.stdin_is_terminal():
        raise ValidationError(f"refusing to {verb} {label} without confirmation", hint="pass --yes")
    if not typer.confirm(question, err=True):
        output.info(f"nothing {verb}d")
        raise typer.Exit(int(ExitCode.FAILURE))
