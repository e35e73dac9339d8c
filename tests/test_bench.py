"""The benchmarks run (a few iterations in test mode) and print a markdown table."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from notebooks import ROOT

SCRIPTS = sorted((ROOT / "benchmarks").glob("bench_*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_benchmark_prints_a_table(script):
    env = dict(os.environ, NNBOOK_MODE="test")
    done = subprocess.run([sys.executable, str(script), "--iters", "1", "--warmup", "1"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert len(rows) >= 3 and "---" in rows[1], done.stdout
