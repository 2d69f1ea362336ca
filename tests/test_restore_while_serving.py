"""`vises restore` refuses while a server or scheduler uses the database (storage/inuse.py), with a
message saying how to stop them, and nothing acknowledged is lost; once they stop, it restores."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.app_support import ctrl_c_reaches_children

VISES = Path(sys.executable).parent / "vises"


def vises(config: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "VISES_CONFIG": str(config)}
    return subprocess.run([str(VISES), *args], env=env, capture_output=True, text=True, timeout=120)


def stored_markers(database: Path) -> set[str]:
    conn = sqlite3.connect(database)
    try:
        return {r[0] for r in conn.execute("SELECT value_text FROM answer WHERE question_id = 'what_changed'")}
    finally:
        conn.close()


def test_restore_refuses_while_serving_and_no_acknowledged_answer_is_lost(serving, tmp_path):
    backup = tmp_path / "before.db"
    assert vises(serving.config, "backup", str(backup)).returncode == 0
    before = serving.answer(5)
    refused = vises(serving.config, "restore", str(backup), "--yes")
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert "is in use by a running server or scheduler" in refused.stderr
    assert "nothing was changed. Fix: stop them first" in refused.stderr
    after = serving.answer(3)  # the server goes on, on the same file
    serving.stop()
    assert stored_markers(serving.database) == set(before) | set(after)  # zero loss
    restored = vises(serving.config, "restore", str(backup), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert stored_markers(serving.database) == set()  # the server has stopped: the restore goes through


def test_restore_refuses_while_the_scheduler_runs(faults, tmp_path):
    config = faults.write_config(tmp_path, faults.free_port())
    faults.seed(tmp_path / "vises.db", links=1)
    backup = tmp_path / "before.db"
    assert vises(config, "backup", str(backup)).returncode == 0
    env = {**os.environ, "VISES_CONFIG": str(config), "PYTHONUNBUFFERED": "1"}
    with ctrl_c_reaches_children():  # stopped with Ctrl-C below, even when the suite runs in the background
        scheduler = subprocess.Popen(
            [str(VISES), "scheduler"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    try:
        assert "Weekly refresh" in scheduler.stdout.readline()
        time.sleep(0.5)
        refused = vises(config, "restore", str(backup), "--yes")
        assert refused.returncode == 1 and "in use by a running server or scheduler" in refused.stderr
    finally:
        scheduler.send_signal(signal.SIGINT)
        scheduler.communicate(timeout=60)
    assert vises(config, "restore", str(backup), "--yes").returncode == 0


def test_a_server_does_not_start_while_a_restore_holds_the_database(tmp_path):
    from survey_app import create_app
    from survey_app.storage import inuse

    database = tmp_path / "vises.db"
    with inuse.exclusive(database), pytest.raises(inuse.DatabaseInUse, match="a restore or other maintenance"):
        create_app({"database.path": str(database), "server.secret_key": "x", "schedule.enabled": False})
