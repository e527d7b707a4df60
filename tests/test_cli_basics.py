from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from woosync import __version__


def test_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"woosync {__version__}"


def test_path_honours_db_option_and_env(cli, tmp_path: Path) -> None:
    assert cli("--db", str(tmp_path / "x.db"), "path").stdout.strip() == str(tmp_path / "x.db")
    result = cli("path", env={"WOOSYNC_DB": str(tmp_path / "y.db")})
    assert result.stdout.strip() == str(tmp_path / "y.db")


def test_bad_log_level_is_a_usage_error(cli) -> None:
    result = cli("--log-level", "loud", "path")
    assert result.exit_code == 2
    assert "--log-level" in result.stderr


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from woosync.cli.app import app; "
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'httpx', 'keyring', 'oauthlib') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_user_text_in_messages_and_tables_is_never_read_as_rich_markup(cli) -> None:
    # A SKU, a name or a field called "[/i]" or "[b]" once crashed the output with a traceback
    # (a MarkupError) or lost its brackets.
    added = cli("products", "add", "--sku", "[/i]", "--name", "[b]Mug[/b]")
    assert added.exit_code == 0, added.stderr
    assert added.stderr == "✓ added product 1 ([/i])\n"
    assert "[b]Mug[/b]" in added.stdout  # the table cell, as written
    again = cli("products", "add", "--sku", "[/i]", "--name", "x")
    assert again.exit_code == 4
    assert again.stderr == (
        "error: a product with SKU '[/i]' already exists (id 1) "
        "(change it with 'woosync products edit 1')\n"
    )
    assert "[/i]" in cli("products", "list").stdout
    shown = cli("products", "show", "1").stdout
    assert "[/i]" in shown and "\\[" not in shown
