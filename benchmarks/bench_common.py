"""What the benchmark scripts share: running one measured worker in a fresh process."""

from __future__ import annotations

import json
import subprocess
from typing import Any


def worker_figures(command: list[str]) -> dict[str, Any]:
    """Run one benchmark worker process (its own CPU time and peak memory); its figures are the JSON
    object on the last line it prints."""
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures
