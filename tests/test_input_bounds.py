"""Bounded inputs: alias bombs, deep nesting and oversized files are one-line usage errors (exit 2),
refused before anything is built, and the database is left as it was."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from woosync.files.bounds import ALIAS_FLOOR, MAX_DEPTH


def alias_bomb(levels: int = 9) -> str:
    """The classic: each level repeats the one below ten times (10^levels nodes expanded)."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def product_count(cli) -> int:
    listed = cli("--json", "products", "list", "--limit", "0")
    assert listed.exit_code == 0, listed.stderr
    data = json.loads(listed.stdout)
    items = data.get("products", data) if isinstance(data, dict) else data
    return len(items)


def test_a_yaml_alias_bomb_in_a_mapping_file_is_refused_at_once(cli, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("version: 1\nstore: Main\n" + alias_bomb())
    started = time.monotonic()
    result = cli("mappings", "apply", str(bomb))
    assert result.exit_code == 2, result.stderr
    assert time.monotonic() - started < 5
    assert f"bomb.yaml: YAML aliases expand to more than {ALIAS_FLOOR:,} nodes" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_yaml_alias_bomb_in_a_product_file_is_refused(cli, tmp_path: Path) -> None:
    bomb = tmp_path / "products.yaml"
    bomb.write_text(alias_bomb() + "products: *a9\n")
    result = cli("products", "load", str(bomb))
    assert result.exit_code == 2, result.stderr
    assert "products.yaml: YAML aliases expand to more than" in result.stderr
    assert product_count(cli) == 0


def test_ordinary_aliases_still_load(cli, tmp_path: Path) -> None:
    rows = "\n".join(f"  - {{<<: *defaults, sku: SKU-{n}, name: Mug {n}}}" for n in range(1, 201))
    path = tmp_path / "products.yaml"
    path.write_text(f"defaults: &defaults {{price: '9.50', status: publish}}\nproducts:\n{rows}\n")
    result = cli("products", "load", str(path))
    assert result.exit_code == 0, result.stderr
    assert product_count(cli) == 200


def test_json_nested_200000_deep_is_a_usage_error_not_a_crash(cli, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    result = cli("products", "load", str(deep))
    assert result.exit_code == 2, result.stderr
    assert "deep.json: nested too deeply to read" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("command", [("products", "load"), ("mappings", "apply")])
def test_yaml_nested_past_the_limit_is_refused(
    cli, tmp_path: Path, command: tuple[str, ...]
) -> None:
    deep = tmp_path / "deep.yaml"
    depth = MAX_DEPTH + 20
    deep.write_text("version: 1\nstore: Main\nexport: " + "[" * depth + "]" * depth + "\n")
    result = cli(*command, str(deep))
    assert result.exit_code == 2, result.stderr
    assert f"deep.yaml: nested more than {MAX_DEPTH} levels deep" in result.stderr


@pytest.mark.parametrize("name", ["products.json", "mapping.yaml"])
def test_a_file_past_the_size_limit_is_refused_before_it_is_read(
    cli, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(json.dumps([{"sku": f"S-{n}", "name": "x" * 40} for n in range(100)]))
    command = ("products", "load") if name.endswith(".json") else ("mappings", "apply")
    result = cli(*command, str(path), env={"WOOSYNC_MAX_FILE_MB": "0.001"})
    assert result.exit_code == 2, result.stderr
    assert f"{name} is larger than the 0.001 MB limit" in result.stderr
    assert "WOOSYNC_MAX_FILE_MB" in result.stderr
    assert cli(*command, str(path), env={"WOOSYNC_MAX_FILE_MB": "abc"}).exit_code == 2


def test_standard_input_past_the_size_limit_is_refused(cli) -> None:
    text = json.dumps([{"sku": f"S-{n}", "name": "x" * 40} for n in range(100)])
    result = cli(
        "products",
        "load",
        "-",
        "--format",
        "json",
        input=text,
        env={"WOOSYNC_MAX_FILE_MB": "0.001"},
    )
    assert result.exit_code == 2, result.stderr
    assert "standard input is larger than" in result.stderr
