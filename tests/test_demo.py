"""``woosync demo`` runs the whole job against sandbox stores without touching the user's things."""

from __future__ import annotations

import os
from pathlib import Path

import typer.main
from rich.console import Console

from woosync.cli.app import app
from woosync.cli.demo import run_demo


def test_demo_runs_end_to_end_and_leaves_the_user_alone(cli, db_path: Path, memory_keyring) -> None:
    home_before = os.environ["WOOSYNC_HOME"]
    result = cli("demo", "--latency-ms", "0")
    assert result.exit_code == 0, result.stderr
    assert "5 created" in result.stdout  # two products, and a scarf with its two variations
    # the example catalog: 12 simple products and the variable TEE (its variations are exported
    # with it by the variation export, not as products of their own)
    # the mug's price in /products/batch, one tee variation's in its /variations/batch
    assert "received 2 write request(s)" in result.stdout
    assert "for 13 products and downloaded 0 images" in result.stdout
    # and its 3 variations, and the imported products (the scarf and its 2 variations)
    assert "21 synced, 0 pending, 0 error" in result.stdout
    # the user's database, keyring and environment are untouched
    assert not db_path.exists()
    assert memory_keyring.entries == {}
    assert os.environ["WOOSYNC_HOME"] == home_before
    assert "WOOSYNC_SECRETS" not in os.environ
    assert not (Path(home_before) / "config.toml").exists()  # its settings were its own
    # and it tells a new user nothing to act on: no warning that later commands need a variable
    assert "WARNING" not in result.stderr and "config set secrets" not in result.stderr


def test_demo_figures(tmp_path: Path) -> None:
    console = Console(file=(tmp_path / "out.txt").open("w"), width=120)
    figures = run_demo(console, typer.main.get_command(app), latency_ms=0)
    assert figures["retailProducts"] == 16  # 13 exported + 3 added by the shop manager
    assert figures["wholesaleProducts"] == 13
    assert figures["partialWrites"] == 2  # the mug, and one variation of the tee
    assert figures["heldPrice"] == "14.50"  # the store's edit, held against the catalog's
    assert figures["importedSkus"] == ["LAMP-RATTAN", "RUG-WOOL", "SCARF-SILK"]
