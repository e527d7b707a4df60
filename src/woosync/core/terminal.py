"""Whether a person is at the keyboard: the one check behind every prompt and confirmation."""

from __future__ import annotations

import sys


def stdin_is_terminal() -> bool:
    """True when stdin is a terminal, so a question can be asked (never in cron, pipes or CI)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed or detached
        return False
