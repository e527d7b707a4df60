"""State shared by every command of one invocation: global options, the output, the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from woosync.cli.render import Output

if TYPE_CHECKING:
    from woosync.db.engine import Database
    from woosync.db.quick_read import QuickRead


@dataclass
class AppContext:
    db_path: Path | None = None
    json_mode: bool = False
    debug: bool = False
    log_level: str = "warning"
    quiet: bool = False
    _output: Output | None = field(default=None, repr=False)
    _database: Database | None = field(default=None, repr=False)
    missing_database: Path | None = None  # a read found no database file (nothing was created)
    _quick: QuickRead | None = field(default=None, repr=False)
    _quick_tried: bool = field(default=False, repr=False)

    @property
    def output(self) -> Output:
        if self._output is None or self._output.json_mode != self.json_mode:
            self._output = Output(json_mode=self.json_mode, quiet=self.quiet)
        return self._output

    def database_path(self) -> Path:
        """The database file this invocation uses (opened or not)."""
        if self._database is not None:
            return self._database.path
        from woosync.core.paths import default_db_path

        return (self.db_path or default_db_path()).expanduser()

    def db(self, *, create: bool = True) -> Database:
        """Open the database on first use (so ``--help`` never touches it).

        Read commands pass ``create=False``: when there is no database yet they read an empty one
        in memory and say so on stderr, creating no file and no folder. A database named by
        ``--db`` or ``WOOSYNC_DB`` in a folder that does not exist is an error (a typo would
        otherwise start a new, empty catalog); the default data folder is created when needed.
        """
        if self._database is not None and create and self._database.in_memory:
            self._database.dispose()  # a write after a read: the real file, created now
            self._database = None
        if self._database is None:
            import os

            from woosync.core.errors import ValidationError
            from woosync.core.gc_tuning import end_start_up
            from woosync.core.paths import DB_ENV
            from woosync.db.engine import open_database, open_empty_database

            path = self.database_path()
            given = self.db_path is not None or bool(os.environ.get(DB_ENV))
            if given and not path.parent.is_dir():
                raise ValidationError(
                    f"the folder {path.parent} of the database {path} does not exist",
                    hint="create it first, or correct --db / WOOSYNC_DB",
                )
            if not create and not path.exists():
                self.missing_database = path  # said once the command succeeded (see the app)
                self._database = open_empty_database(path)
            else:
                self._database = open_database(path)
            end_start_up()  # the command's imports are done: its own work begins
        return self._database

    def quick_read(self) -> QuickRead | None:
        """The database for reading connections without SQLAlchemy (:mod:`woosync.db.quick_read`),
        or None when the command must open it with :meth:`db` (no file yet, a schema to upgrade
        or refuse, a missing folder to report, or the database is open already)."""
        if self._database is not None:
            return None
        if not self._quick_tried:
            from woosync.db.quick_read import open_quick_read

            self._quick_tried = True
            self._quick = open_quick_read(self.database_path())
        return self._quick

    def close(self) -> None:
        if self._quick is not None:
            self._quick.close()
            self._quick = None
        if self._database is not None:
            self._database.dispose()
            self._database = None


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
