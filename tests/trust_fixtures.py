"""Fixtures of the trust tests (R2 2/9): the fault scenario of benchmarks/faults.py as a module,
and a real `vises serve` on a seeded database for the tests that need a running server."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from tests.app_support import ctrl_c_reaches_children

FAULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "faults.py"


@pytest.fixture(scope="session")
def faults() -> ModuleType:
    """benchmarks/faults.py: its HTTP respondent that retries, its seeding and its checks."""
    spec = importlib.util.spec_from_file_location("vises_faults", FAULTS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def serving(faults, tmp_path):
    """A seeded database and `vises serve` on it: .config, .database, .port, .campaign, .open_token,
    .tokens, .stop() (SIGINT, then wait) and .answer(count) -> markers of acknowledged surveys."""
    port = faults.free_port()
    config = faults.write_config(tmp_path, port)
    campaign, open_token, tokens = faults.seed(tmp_path / "vises.db", links=20)
    with ctrl_c_reaches_children():  # stop() sends Ctrl-C, even when the suite runs in the background
        server = faults.start_server(config)
    faults.wait_until_up(port)

    def answer(count: int) -> list[str]:
        markers = []
        for i in range(count):
            marker = f"marker-{len(tokens)}-{i}"
            assert faults.answer_survey(faults.Client(port), f"/s/{tokens.pop()}", marker)
            markers.append(marker)
        return markers

    def stop() -> None:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    yield SimpleNamespace(
        config=config, database=tmp_path / "vises.db", port=port, campaign=campaign, open_token=open_token,
        tokens=tokens, answer=answer, stop=stop,
    )  # fmt: skip
    stop()
