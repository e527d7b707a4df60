"""Several stores in one command (``--connection A --connection B``, ``--connection all``).

The stores run one after another, or ``parallel`` at a time; each run takes its own store's lock
(the service it calls does), and one store's failure (locked, unreachable, a bad secret) never stops
the others: it becomes that store's outcome. The command's exit code is the worst (highest) of them.

    targets = resolve_connections(db, ["all"])
    runs = run_per_store(
        targets,
        lambda cid: export_products(db, ExportRequest(cid, all_products=True)),
        failed=lambda result: result.failed_count > 0,
    )
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlmodel import col, select

from woosync.core.errors import NotFoundError, ValidationError, WoosyncError, param
from woosync.core.exit_codes import ExitCode
from woosync.db.models import Connection
from woosync.services.connections.lookup import connection_or_default, get_connection

if TYPE_CHECKING:
    from woosync.db.engine import Database

ALL = "all"
MAX_PARALLEL = 8

Result = TypeVar("Result")


@dataclass(frozen=True)
class Target:
    connection_id: int
    store_name: str


@dataclass(frozen=True, slots=True)
class StoreRun(Generic[Result]):
    """What one store's run gave: its result, or the error that stopped it."""

    target: Target
    result: Result | None = None
    error: WoosyncError | None = None
    exit_code: int = 0

    def to_dict(self, shape: Callable[[Result], Any] = lambda result: result) -> dict[str, Any]:
        """The store's entry of :func:`envelope` (``shape`` makes the result's JSON)."""
        error = None
        if self.error is not None:
            error = {"message": self.error.message, "hint": self.error.hint}
        return {
            "connectionId": self.target.connection_id,
            "storeName": self.target.store_name,
            "exitCode": self.exit_code,
            "result": None if self.result is None else shape(self.result),
            "error": error,
        }


def several(refs: Sequence[str] | None) -> bool:
    """Whether ``--connection`` asks for the several-store form (more than one, or ``all``)."""
    refs = list(refs or ())
    return len(refs) > 1 or any(ref.strip().lower() == ALL for ref in refs)


def resolve_connections(db: Database, refs: Sequence[str] | None) -> list[Target]:
    """The stores asked for, in the order given, each once: ``all`` is every active connection
    (by id); no ``refs`` is the default connection. An unknown one is an error before any run."""
    found: dict[int, Target] = {}
    with db.session() as session:
        if not refs:
            conn = connection_or_default(session, None)
            return [Target(int(conn.id or 0), conn.store_name)]
        for ref in refs:
            if not ref.strip():
                raise ValidationError(
                    f"{param('connection')} is empty", hint="give an id, a name or 'all'"
                )
            if ref.strip().lower() == ALL:
                active = session.exec(
                    select(Connection)
                    .where(col(Connection.is_active).is_(True))
                    .order_by(col(Connection.id))
                ).all()
                if not active:
                    raise NotFoundError(
                        "no active connections found",
                        hint="add one with 'woosync connections add --name NAME --url URL'",
                    )
                for conn in active:
                    found.setdefault(int(conn.id or 0), Target(int(conn.id or 0), conn.store_name))
                continue
            conn = get_connection(session, ref)
            found.setdefault(int(conn.id or 0), Target(int(conn.id or 0), conn.store_name))
    return list(found.values())


def run_per_store(
    targets: Sequence[Target],
    job: Callable[[int], Result],
    *,
    failed: Callable[[Result], bool],
    parallel: int = 1,
) -> list[StoreRun[Result]]:
    """``job(connection_id)`` for every target, ``parallel`` at a time; the outcomes in target order.

    A :class:`WoosyncError` becomes that store's outcome (its exit code); a result for which
    ``failed`` is true has exit code 1. Anything else (a bug, Ctrl-C) stops the command.
    """
    if not 1 <= parallel <= MAX_PARALLEL:
        raise ValidationError(f"{param('parallel')} must be between 1 and {MAX_PARALLEL}")

    def one(target: Target) -> StoreRun[Result]:
        try:
            result = job(target.connection_id)
        except WoosyncError as exc:
            return StoreRun(target, error=exc, exit_code=int(exc.exit_code))
        code = ExitCode.FAILURE if failed(result) else ExitCode.SUCCESS
        return StoreRun(target, result=result, exit_code=int(code))

    if parallel == 1 or len(targets) < 2:
        return [one(target) for target in targets]
    with ThreadPoolExecutor(max_workers=min(parallel, len(targets))) as pool:
        return list(pool.map(one, targets))


def worst_exit(runs: Sequence[StoreRun[Any]]) -> int:
    """The command's exit code: the highest of the stores' (0 when every store went well)."""
    return max((run.exit_code for run in runs), default=0)


def envelope(
    runs: Sequence[StoreRun[Result]], shape: Callable[[Result], Any] = lambda result: result
) -> dict[str, Any]:
    """The several-store ``--json``: ``{success, exitCode, stores: [{connectionId, storeName,
    exitCode, result, error}]}`` (``result`` is the one-store ``--json`` of that store, made by
    ``shape``)."""
    code = worst_exit(runs)
    stores = [run.to_dict(shape) for run in runs]
    return {"success": code == 0, "exitCode": code, "stores": stores}
