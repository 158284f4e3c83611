"""The Python version pyproject.toml promises is the one the code needs.

The tests run on the machine's Python (3.11 here); vermin reads every module and reports any
language feature or standard-library member newer than the declared minimum, such as
``logging.getLevelNamesMapping`` (3.11), which once slipped into a project that promises 3.10."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def declared_minimum() -> str:
    # tomllib is 3.11+: read the one line as text, so this test runs on the minimum too.
    match = re.search(r'^requires-python\s*=\s*">=\s*(\d+\.\d+)"\s*$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert match, "requires-python should be a plain minimum such as \">=3.10\""
    return match.group(1)


def test_no_module_needs_a_newer_python_than_declared() -> None:
    minimum = declared_minimum()
    result = subprocess.run(
        [str(Path(sys.executable).with_name("vermin")), "--no-tips", "--violations", "--eval-annotations", f"--target={minimum}-",
         "bot", "cards", "sandbox", "bench", "tests"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_run_refuses_an_older_python_with_the_same_minimum() -> None:
    run = (ROOT / "run").read_text()
    assert f"MIN_PYTHON={declared_minimum()}" in run
