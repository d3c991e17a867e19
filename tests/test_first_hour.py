"""The first hour of a newcomer: the README's run command and the test script's install step.

The test script runs for real here (a real process is the point), with stand-ins for ``python3`` and
``chromium`` on ``PATH`` so that nothing is installed: the stand-in pip prints what pip prints.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FAKE_PYTHON = """#!/usr/bin/env bash
# Stand-in for python3: the PEP 668 check says "not managed", pip prints like pip, lint stops the run.
case "$1 $2" in
  "-c "*) exit 1 ;;
  "-m pip")
    echo "Obtaining file:///repo"
    echo "Requirement already satisfied: networkx in /site-packages"
    echo "Collecting pytest"
    echo "Successfully installed graphsvc pytest"
    exit "${FAKE_PIP_EXIT:-0}" ;;
  "-m ruff") echo "fake lint reached"; exit 7 ;;
esac
exit 9
"""


def run_test_script(tmp_path: Path, pip_exit: int) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in (("python3", FAKE_PYTHON), ("chromium", "#!/bin/sh\nexit 0\n")):
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_PIP_EXIT": str(pip_exit)}
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "test.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_test_script_shows_pip_progress_and_goes_on(tmp_path: Path) -> None:
    done = run_test_script(tmp_path, pip_exit=0)
    assert "== installing graphsvc with its test extras" in done.stdout
    assert "Collecting pytest" in done.stdout  # pip is not silenced
    assert "Successfully installed" in done.stdout
    assert "Requirement already satisfied" not in done.stdout  # the noise is left out
    assert "fake lint reached" in done.stdout
    assert done.returncode == 7  # it went on to the lint step, whose failure fails the run


def test_test_script_fails_when_pip_fails(tmp_path: Path) -> None:
    done = run_test_script(tmp_path, pip_exit=1)
    assert done.returncode == 1
    assert "fake lint reached" not in done.stdout


def run_commands(readme: str) -> list[str]:
    block = re.search(r"## Two commands.*?```bash\n(.*?)```", readme, re.S)
    assert block, "the README's 'Two commands' section has no bash block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_run_command_is_one_line_in_a_virtual_environment() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = run_commands(readme)
    assert len(commands) == 2
    run, test = commands
    assert run.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    assert run.endswith("graphsvc serve --demo")
    assert test == "bash scripts/test.sh"


def test_readme_opens_pages_without_macos_open() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith("open ")] == []
    assert any(line.startswith("xdg-open http://127.0.0.1:8000/pages/overview") for line in lines)
