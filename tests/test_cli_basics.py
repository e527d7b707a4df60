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


def test_usage_errors_are_one_line_on_stderr_with_exit_code_2(cli) -> None:
    cases = {
        ("products", "list", "--limit", "abc"): "'--limit'",
        ("export-mapping", "create", "1", "--fields"): "'--fields' requires an argument",
        ("mappings", "apply"): "Missing argument",
        ("export-mapping", "bogus"): "No such command 'bogus'",
        ("--bogus", "path"): "No such option: --bogus",
        # `export --connection 1` runs on a store; a mapping command takes it as its argument
        ("export-mapping", "create", "--connection", "1", "--fields", "name,sku"): (
            "No such option: --connection; the connection is an argument here: "
            "woosync export-mapping create CONNECTION ..."
        ),
        ("import-mapping", "list", "-c", "1"): "woosync import-mapping list CONNECTION ...",
    }
    for args, expected in cases.items():
        result = cli(*args)
        assert result.exit_code == 2, args
        assert result.stdout == ""
        assert result.stderr.startswith("error: "), result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        assert expected in result.stderr
    shown = cli("products", "list", "--limit", "abc").stderr
    assert shown.endswith("(try 'woosync products list -h' for help)\n")
    assert "argument here" not in cli("export", "--nope").stderr  # only for --connection


def test_a_group_without_a_command_still_shows_its_help(cli) -> None:
    result = cli("export-mapping")
    assert "create" in result.stdout and "error" not in result.stderr


def test_path_prints_json_with_the_global_or_its_own_json_option(cli, tmp_path: Path) -> None:
    import json

    db = str(tmp_path / "x.db")
    for args in (("--db", db, "--json", "path"), ("--db", db, "path", "--json")):
        result = cli(*args)
        assert result.exit_code == 0
        assert json.loads(result.stdout) == {"path": db}


def test_a_reader_that_goes_away_ends_the_command_quietly(cli, monkeypatch) -> None:
    """``woosync ... | head -1``: the pipe closes under the command; no internal error."""
    from woosync.cli.render import Output

    def closed(self: Output, text: str, *, flush: bool = True) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    added = cli("products", "add", "--sku", "A-1", "--name", "A")
    assert added.exit_code == 0, added.stderr
    monkeypatch.setattr(Output, "write", closed)
    monkeypatch.setattr(Output, "write_pieces", lambda self, pieces: closed(self, ""))
    cut = cli("products", "list", "--format", "csv")
    assert (cut.exit_code, cut.stderr) == (1, "")
    assert "internal error" not in cut.stdout


def test_a_closed_pipe_in_a_real_process_is_not_an_internal_error(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "WOOSYNC_HOME": str(tmp_path)}
    code = "from woosync.cli.app import main; main()"
    add = [sys.executable, "-c", code, "products", "add", "--sku", "A-1", "--name", "A"]
    subprocess.run(add, env=env, check=True, capture_output=True)
    listing = subprocess.Popen(
        [sys.executable, "-c", code, "products", "list", "--format", "yaml"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert listing.stdout is not None and listing.stderr is not None
    listing.stdout.close()  # the reader is gone before anything is written
    assert listing.wait(timeout=60) in (0, 1)
    assert listing.stderr.read() == b""
