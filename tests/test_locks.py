from __future__ import annotations

import threading
from pathlib import Path

import pytest

from queued_runs import WAIT, lock_held_until_queued
from woosync.core.errors import LockedError
from woosync.core.locks import store_lock


def test_second_holder_fails_at_once_without_wait(tmp_path: Path) -> None:
    with store_lock(1, directory=tmp_path):
        errors: list[BaseException] = []

        def contender() -> None:
            try:
                with store_lock(1, directory=tmp_path):
                    pass
            except LockedError as exc:
                errors.append(exc)

        thread = threading.Thread(target=contender)
        thread.start()
        thread.join()
    assert len(errors) == 1
    assert "connection 1" in str(errors[0])


def test_waiter_gets_the_lock_when_released(tmp_path: Path, lock_waits: threading.Event) -> None:
    with (
        lock_held_until_queued(2, lock_waits, directory=tmp_path),
        store_lock(2, wait=WAIT, directory=tmp_path),  # queued: let in once released
    ):
        assert lock_waits.is_set()  # it waited: the holder let go only then


def test_different_stores_do_not_block_each_other(tmp_path: Path) -> None:
    with store_lock(3, directory=tmp_path), store_lock(4, directory=tmp_path):
        pass


def test_lock_error_has_its_own_exit_code(tmp_path: Path) -> None:
    with (
        store_lock(5, directory=tmp_path),
        pytest.raises(LockedError) as info,
        store_lock(5, directory=tmp_path),
    ):
        pass
    assert int(info.value.exit_code) == 6


def test_a_waiter_that_gives_up_says_how_long_it_waited(tmp_path: Path) -> None:
    with (
        store_lock(6, directory=tmp_path),
        pytest.raises(LockedError) as info,
        store_lock(6, wait=0.2, label="import from Shop", directory=tmp_path),
    ):
        pass
    assert info.value.message == (
        "another woosync run was still working on connection 6 after 0.2 s; "
        "import from Shop did not start"
    )
    assert "--wait SECONDS" not in str(info.value)


def test_the_same_connection_id_in_two_databases_does_not_block(tmp_path: Path) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    with store_lock(1, directory=tmp_path, database=first):
        with store_lock(1, directory=tmp_path, database=second):
            pass
        same_file = tmp_path / "." / "a.db"
        with pytest.raises(LockedError), store_lock(1, directory=tmp_path, database=same_file):
            pass
