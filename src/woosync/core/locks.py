"""Per-store run locks: two woosync runs on the same store never interleave; other stores proceed.

Backed by filelock (OS-level locks, released when the process dies). Lock files live in
``<data dir>/locks/`` and are named after the database file and the connection id: connection 1
of ``a.db`` and connection 1 of ``b.db`` are different stores and never block each other.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from woosync.core.errors import LockedError
from woosync.core.paths import data_dir, ensure_private_dir

log = logging.getLogger("woosync.lock")


def lock_path(
    connection_id: int, directory: Path | None = None, database: Path | None = None
) -> Path:
    base = ensure_private_dir(directory or data_dir() / "locks")
    if database is None:
        return base / f"connection-{connection_id}.lock"
    digest = hashlib.sha256(str(Path(database).resolve()).encode()).hexdigest()[:12]
    return base / f"{digest}-connection-{connection_id}.lock"


@contextmanager
def store_lock(
    connection_id: int,
    *,
    wait: float = 0.0,
    label: str = "",
    directory: Path | None = None,
    database: Path | None = None,
) -> Iterator[None]:
    """Hold the run lock of one connection; wait up to ``wait`` seconds, else ``LockedError``."""
    from filelock import FileLock, Timeout

    lock = FileLock(lock_path(connection_id, directory, database), mode=0o600)
    try:
        try:
            lock.acquire(timeout=0, poll_interval=0.05)
        except Timeout:
            if wait <= 0:
                raise
            log.info(
                "waiting up to %s s for another woosync run on connection %s",
                f"{wait:g}",
                connection_id,
            )
            lock.acquire(timeout=wait, poll_interval=0.05)
    except Timeout as exc:
        what = f"; {label} did not start" if label else ""
        if wait > 0:
            raise LockedError(
                f"another woosync run was still working on connection {connection_id} "
                f"after {wait:g} s{what}",
                hint="pass a longer --wait, or check for a run that hangs",
            ) from exc
        raise LockedError(
            f"another woosync run is working on connection {connection_id}{what}",
            hint="wait for it to finish, or pass --wait SECONDS to queue behind it",
        ) from exc
    try:
        yield
    finally:
        lock.release()
