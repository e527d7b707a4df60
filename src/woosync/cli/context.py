"""State shared by every command of one invocation: global options, the output, the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from woosync.cli.render import Output

if TYPE_CHECKING:
    from woosync.store.engine import Store


@dataclass
class AppContext:
    db_path: Path | None = None
    json_mode: bool = False
    debug: bool = False
    log_level: str = "warning"
    quiet: bool = False
    _output: Output | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    @property
    def output(self) -> Output:
        if self._output is None or self._output.json_mode != self.json_mode:
            self._output = Output(json_mode=self.json_mode, quiet=self.quiet)
        return self._output

    def store(self) -> Store:
        """Open the database on first use (so ``--help`` never touches it)."""
        if self._store is None:
            from woosync.core.paths import default_db_path
            from woosync.store.engine import open_store

            self._store = open_store(self.db_path or default_db_path())
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
            self._store = None


def app_context(ctx: typer.Context, json_flag: bool = False) -> AppContext:
    """The invocation's :class:`AppContext`; a command-level ``--json`` switches JSON on."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppContext):
        root.obj = AppContext()
    if json_flag:
        root.obj.json_mode = True
    return root.obj


JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
YesFlag = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
