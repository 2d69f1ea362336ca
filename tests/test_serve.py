"""`vises serve` (what `make run` calls): migrates, prints the setup link, serves, stops on Ctrl-C."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.app_support import ctrl_c_reaches_children, free_port, wait_for

VISES = Path(sys.executable).parent / "vises"


def test_serve_prints_setup_link_serves_home_and_stops_cleanly(tmp_path):
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(f'[server]\nport = {port}\nbase_url = "http://127.0.0.1:{port}"\n[schedule]\nenabled = false\n')
    env = {**os.environ, "VISES_CONFIG": str(config), "PYTHONUNBUFFERED": "1"}
    with ctrl_c_reaches_children():
        process = subprocess.Popen(
            [str(VISES), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    try:
        status, html = wait_for(f"http://127.0.0.1:{port}/?lang=en")
        assert status == 200 and "Share your experience" in html
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Traceback" not in output
    link = re.search(rf"http://127\.0\.0\.1:{port}/setup/[\w-]{{40,}}", output)
    assert link, output
    assert "Stopped." in output
    # The database and the generated secret key live in the instance folder next to the config.
    assert (tmp_path / "instance" / "vises.db").exists()
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600
