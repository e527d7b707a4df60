"""Every command's ``--help`` shows flags as flags and defaults as people write them."""

from __future__ import annotations

import functools
import re

import typer.main

from woosync.cli.app import app


@functools.cache
def _root() -> object:
    """``woosync``'s Click command tree, built once: the checks below only read it."""
    return typer.main.get_command(app)


def _paths() -> list[list[str]]:
    """Every command and group below ``woosync``, as the arguments that reach it."""
    found: list[list[str]] = [[]]

    def walk(command: object, path: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            found.append([*path, name])
            walk(sub, [*path, name])

    walk(_root(), [])
    return found


def _flags(command: object) -> list[str]:
    return [
        opt
        for param in getattr(command, "params", ())
        if getattr(param, "is_flag", False)
        for opt in param.opts
        if opt.startswith("--")
    ]


def test_the_walk_reaches_every_group_and_command() -> None:
    paths = [" ".join(path) for path in _paths()]
    assert {"export", "connections add", "mappings dump", "config set", "products list"} <= set(
        paths
    )


def test_no_help_shows_a_flag_with_a_value_or_a_float_default(cli) -> None:
    root = _root()
    problems: list[str] = []
    for path in _paths():
        result = cli(*path, "--help")
        assert result.exit_code == 0, (path, result.stderr)
        text = result.stdout
        where = "woosync " + " ".join(path)
        if re.search(r"<bool>|BOOLEAN", text):
            problems.append(f"{where}: a flag shown with a value")
        typed = re.search(r"<(str|int|float|bool|path|Path|list\[[^\]]*\]|\w+ range)>", text)
        if typed:
            problems.append(f"{where}: a value shown as a Python type ({typed.group()})")
        if "9223372036854775807" in text:
            problems.append(f"{where}: an id's range shown")
        if re.search(r"\[default: [^\]]*(?<![\d.])\d+\.0(?![\d.])", text):
            problems.append(f"{where}: a float default such as 0.0")
        command: object = root
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        for flag in _flags(command):  # each flag's row: the option then straight to its help
            row = next((line for line in text.splitlines() if f" {flag} " in line), None)
            if row is not None and re.search(rf"{re.escape(flag)}\s+(-\w\s+)?<", row):
                problems.append(f"{where}: {flag} shown with a value")
    assert problems == []


def test_values_are_named_as_people_write_them(cli) -> None:
    export = cli("export", "--help").stdout
    assert re.search(r"--connection\s+-c\s+CONNECTION\s", export)
    assert re.search(r"--concurrency\s+N \[1<=x<=16\]", export)
    assert re.search(r"--log-level\s+LEVEL\s", cli("--help").stdout)
    assert re.search(r"--map\s+FIELD=TARGET\s", cli("export-mapping", "create", "--help").stdout)
    delete = cli("export-mapping", "delete", "--help").stdout
    assert "{MAPPING_ID}" in delete and re.search(r"\*\s+MAPPING_ID\s+The mapping id", delete)
    assert re.search(r"--type\s+TYPE\s", cli("products", "add", "--help").stdout)


def test_export_help_shows_the_wait_default_as_written(cli) -> None:
    text = cli("export", "--help").stdout
    wait = next(line for line in text.splitlines() if "--wait" in line)
    assert "[default: 0]" in wait
    json_row = next(line for line in text.splitlines() if "--json" in line)
    assert "<" not in json_row


def test_a_whole_number_default_still_reaches_the_command_as_a_float() -> None:
    export = _root().commands["export"]  # type: ignore[attr-defined]
    context = export.make_context("export", [])
    assert isinstance(context.params["wait"], float) and context.params["wait"] == 0


# every command that prints records: the same --format, --limit and --all
LISTINGS = {
    "sync-status",
    "fields",
    "config list",
    "export-mapping list",
    "import-mapping list",
    "connections list",
    "products list",
}


def _command(path: list[str]) -> object:
    command: object = _root()
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


def _options(command: object) -> set[str]:
    return {opt for param in getattr(command, "params", ()) for opt in param.opts}


def test_every_listing_supports_format_limit_and_all(cli) -> None:
    from woosync.cli.formats import FORMATS

    missing: list[str] = []
    for path in _paths():
        where = " ".join(path)
        options = _options(_command(path))
        if where in LISTINGS or "--limit" in options:
            lacking = {"--format", "--limit", "--all", "--json"} - options
            if where not in LISTINGS or lacking:
                missing.append(f"{where}: {sorted(lacking) or 'not in LISTINGS'}")
                continue
            text = cli(*path, "--help").stdout
            row = next(line for line in text.splitlines() if "--format" in line)
            assert "FORMAT" in row, where
            assert all(name in " ".join(text.split()) for name in FORMATS), where
    assert missing == []


def test_one_vocabulary_for_choosing_stores_and_products() -> None:
    """``--connection/-c`` (id, name or URL), ``--product/-p`` (local ids), ``--sku`` and
    ``--woo-id`` (store ids), the same short names everywhere."""
    problems: list[str] = []
    for path in _paths():
        where = " ".join(path)
        for param in getattr(_command(path), "params", ()):
            if param.hidden:  # an old spelling kept working (--products), not shown
                continue
            opts = set(param.opts)
            if "--connection" in opts and "-c" not in opts:
                problems.append(f"{where}: --connection without -c")
            if "--connection" in opts and "URL" not in (param.help or ""):
                problems.append(f"{where}: --connection does not say it takes a URL")
            if "--product" in opts and "-p" not in opts:
                problems.append(f"{where}: --product without -p")
            if "-p" in opts and "--product" not in opts:
                problems.append(f"{where}: -p is not --product")
            counting = param.metavar != "IDS"  # sandbox serve --products N: how many
            if param.opts[0] in ("--products", "--woo-ids") and not counting:
                problems.append(f"{where}: {param.opts[0]} (say --product / --woo-id)")
    assert problems == []
