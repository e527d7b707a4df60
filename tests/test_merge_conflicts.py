"""Files committed to git and left in the middle of a merge: loading one names the unresolved
conflict and its line, in every format, and loads nothing (a CSV conflict would otherwise load
as rows: one side, or both)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mapping_helpers import run_json

CATALOG = "- {sku: MUG, name: Mug, price: '9.00'}\n"
CONFLICTS = {
    "catalog.yaml": (
        "- sku: MUG\n  name: Mug\n<<<<<<< HEAD\n  price: '9.50'\n=======\n  price: '9.90'\n"
        ">>>>>>> prices\n",
        3,
    ),
    "catalog.csv": (
        "sku,name,price\n<<<<<<< HEAD\nMUG,Mug,9.50\n=======\nMUG,Mug,9.90\n>>>>>>> prices\n",
        2,
    ),
    "catalog.json": (
        '[\n<<<<<<< HEAD\n{"sku": "MUG", "name": "Mug", "price": "9.50"}\n=======\n'
        '{"sku": "MUG", "name": "Mug", "price": "9.90"}\n>>>>>>> prices\n]\n',
        2,
    ),
}


def shown(cli: Any) -> Any:
    return run_json(cli, "products", "list", "--all")


@pytest.mark.parametrize("name", sorted(CONFLICTS))
@pytest.mark.parametrize("skip_invalid", [False, True])
def test_a_product_file_left_mid_merge_names_the_conflict_and_loads_nothing(
    cli: Any, tmp_path: Path, name: str, skip_invalid: bool
) -> None:
    (tmp_path / "first.yaml").write_text(CATALOG)
    assert cli("products", "load", str(tmp_path / "first.yaml")).exit_code == 0
    before = shown(cli)
    text, line = CONFLICTS[name]
    path = tmp_path / name
    path.write_text(text)

    result = cli("products", "load", str(path), *(["--skip-invalid"] if skip_invalid else []))

    assert result.exit_code == 2
    assert f"{path}:{line}: an unresolved merge conflict" in result.stderr
    assert "Traceback" not in result.output
    assert shown(cli) == before


def test_a_conflict_read_from_stdin_is_named_too(cli: Any) -> None:
    text, line = CONFLICTS["catalog.yaml"]

    result = cli("products", "load", "-", "--format", "yaml", input=text)

    assert result.exit_code == 2
    assert f"-:{line}: an unresolved merge conflict" in result.stderr


def test_a_mapping_file_left_mid_merge_names_the_conflict(cli: Any, tmp_path: Path) -> None:
    cli("connections", "add", "--name", "Retail", "--url", "https://retail.example")
    path = tmp_path / "retail.yaml"
    path.write_text(
        "version: 1\nstore: Retail\nexport:\n<<<<<<< HEAD\n  selectedFields: [name, sku]\n"
        "=======\n  selectedFields: [name, sku, price]\n>>>>>>> prices\n"
    )

    result = cli("mappings", "apply", str(path))

    assert result.exit_code == 2
    assert f"{path}:4: an unresolved merge conflict" in result.stderr
    assert "keep one side" in result.stderr


def test_a_description_that_mentions_a_marker_inside_a_line_still_loads(
    cli: Any, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text('sku,name,description\nMUG,Mug,"Arrows: <<<<<<< and >>>>>>>"\n')

    assert cli("products", "load", str(path)).exit_code == 0
