"""A faster way back to the store's state just after setup, from the same dump ``reset.sh`` loads.

``reset.sh`` feeds ``clean.sql`` (a ``mariadb-dump`` taken at the end of setup) to MariaDB: every
one of its 47 tables is dropped and made again, about 0.2 s of MariaDB's time for each of the ~55
real-store tests, on the one worker that runs them all. :func:`restore_sql` turns the dump into
statements that put the same rows back in place instead: in one transaction, every dumped table is
emptied and given its dumped rows; then each table's ``AUTO_INCREMENT`` counter is set back to the
dumped value (or 1 where the dump has none), so ids start where they did after setup. About 0.06 s.

What it restores is exactly the dump: ``test_real_fixture`` dumps the store after a reset and
compares it with ``clean.sql``. Tables the dump does not hold are left alone, as by ``reset.sh``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CREATE = re.compile(r"^CREATE TABLE `([^`]+)` \(", re.MULTILINE)
_TABLE_END = re.compile(r"^\) ENGINE=\w+(?: AUTO_INCREMENT=(\d+))?", re.MULTILINE)
_INSERT = re.compile(r"^INSERT INTO `([^`]+)` VALUES\n.*?\);$", re.MULTILINE | re.DOTALL)
# the session settings the dump itself makes before loading rows
PREAMBLE = (
    "SET NAMES utf8mb4;\n"
    "SET TIME_ZONE = '+00:00';\n"
    "SET FOREIGN_KEY_CHECKS = 0;\n"
    "SET UNIQUE_CHECKS = 0;\n"
    "SET SQL_MODE = 'NO_AUTO_VALUE_ON_ZERO';\n"
)


@dataclass
class _Table:
    name: str
    counter: int | None  # the next AUTO_INCREMENT value; None: the table has no such column
    inserts: list[str] = field(default_factory=list)


def _tables(dump: str) -> dict[str, _Table]:
    tables: dict[str, _Table] = {}
    for create in _CREATE.finditer(dump):
        end = _TABLE_END.search(dump, create.end())
        if end is None:
            raise ValueError(f"the dump's CREATE TABLE `{create.group(1)}` has no end")
        body = dump[create.end() : end.start()]
        counted = " AUTO_INCREMENT," in body or body.rstrip().endswith(" AUTO_INCREMENT")
        counter = int(end.group(1)) if end.group(1) else (1 if counted else None)
        tables[create.group(1)] = _Table(create.group(1), counter)
    for insert in _INSERT.finditer(dump):
        if insert.group(1) not in tables:
            raise ValueError(f"the dump inserts into `{insert.group(1)}`, which it does not create")
        tables[insert.group(1)].inserts.append(insert.group(0))
    return tables


def restore_sql(dump: str) -> str:
    """The statements that put back what ``dump`` (a ``mariadb-dump`` of the store) holds."""
    tables = _tables(dump)
    if not tables:
        raise ValueError("the dump creates no table")
    rows = [
        f"DELETE FROM `{t.name}`;\n" + "".join(f"{i}\n" for i in t.inserts) for t in tables.values()
    ]
    counters = [
        f"ALTER TABLE `{t.name}` AUTO_INCREMENT = {t.counter};\n"
        for t in tables.values()
        if t.counter is not None
    ]
    return PREAMBLE + "START TRANSACTION;\n" + "".join(rows) + "COMMIT;\n" + "".join(counters)
