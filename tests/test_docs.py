"""Every command has help text and is mentioned in the README; the README's first commands stay true."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from woosync.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _commands(group: typer.Typer, prefix: str = "") -> list[tuple[str, str | None]]:
    import typer.main

    command = typer.main.get_command(group)
    found: list[tuple[str, str | None]] = []

    def walk(cmd: object, path: str) -> None:
        subcommands = getattr(cmd, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, f"{path} {name}".strip())
        else:
            found.append((path, getattr(cmd, "help", None)))

    walk(command, prefix)
    return found


def test_every_command_has_help() -> None:
    missing = [name for name, help_text in _commands(app) if not (help_text or "").strip()]
    assert missing == []


def test_every_command_is_in_the_readme() -> None:
    missing = [name for name, _ in _commands(app) if f"woosync {name}" not in README]
    assert missing == []


def test_readme_starts_with_the_demo_and_test_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    lines = [
        line for line in first_block.group(1).splitlines() if line and not line.startswith("#")
    ]
    assert lines[0].endswith("woosync demo")
    assert "pytest" in lines[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install --quiet -e '.[test]'" in ci
    assert "pytest -n 2" in ci and "pytest -n 2" in README


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def _readme_commands(*titles: str) -> list[list[str]]:
    """Every ``woosync ...`` line of the sections' sh blocks, as argv: continuations joined,
    comments dropped, ``[optional parts]`` left out, globs expanded (from the current directory)."""
    import glob
    import shlex

    commands: list[list[str]] = []
    for title in titles:
        for block in re.findall(r"```sh\n(.*?)```", _section(title), re.S):
            for line in block.replace("\\\n", " ").splitlines():
                words = re.sub(r"\[[^\]]*\]", "", line)  # `list [--sku A,B]` -> `list`
                argv = shlex.split(words, comments=True)
                if argv[:1] != ["woosync"]:
                    continue
                expanded = [m for arg in argv[1:] for m in (sorted(glob.glob(arg)) or [arg])]
                commands.append(expanded)
    return commands


def test_the_readme_mapping_and_catalog_examples_run(cli, db_path, tmp_path, monkeypatch) -> None:
    import shutil

    from mapping_helpers import add_two_stores

    add_two_stores(db_path)  # "Main Retail Store" (1) and "Wholesale Store" (2), as the README
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    commands = _readme_commands("Mappings and mapping files", "The product catalog")
    assert len(commands) >= 20
    for argv in commands:
        result = cli(*argv)
        assert result.exit_code == 0, (argv, result.stderr)
