"""Where woosync keeps its files. ``WOOSYNC_HOME`` moves the whole data directory."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "woosync"
DB_ENV = "WOOSYNC_DB"
HOME_ENV = "WOOSYNC_HOME"


def data_dir() -> Path:
    """The per-user data directory (platformdirs), or ``$WOOSYNC_HOME`` when set."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    """``$WOOSYNC_DB`` when set, else ``woosync.db`` in the data directory."""
    override = os.environ.get(DB_ENV)
    if override:
        return Path(override).expanduser()
    return data_dir() / "woosync.db"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (mode 0700 when new) and return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
