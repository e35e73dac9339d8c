"""The benchmarks run (a few iterations in test mode) and print a markdown table of positive, finite numbers."""

import math
import os
import re
import subprocess
import sys

import pytest

from notebooks import ROOT

SCRIPTS = sorted((ROOT / "benchmarks").glob("bench_*.py"))
NUMBER = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?$|^[-+]?(?:nan|inf)$", re.I)


def numbers_in(rows: list[str]) -> list[float]:
    """Every table cell that is a number (thousands separators allowed), as a float."""
    cells = [cell.strip() for row in rows for cell in row.strip("|").split("|")]
    return [float(cell.replace(",", "")) for cell in cells if NUMBER.match(cell)]


def test_numbers_in_reads_table_cells():
    rows = ["| Keras | CPU | 161,001 | 2.50 | nan |", "| PyTorch | GPU | 1e-3 | -1 | x2 |"]
    found = numbers_in(rows)
    assert found[:2] == [161001.0, 2.5] and math.isnan(found[2]) and found[3:] == [1e-3, -1.0]


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_benchmark_prints_a_table(script):
    # benchmarks load model answers with nnbook_grader, which lives at the top of the repository
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, NNBOOK_MODE="test", PYTHONPATH=path)
    done = subprocess.run(
        [sys.executable, str(script), "--iters", "1", "--warmup", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert len(rows) >= 3 and "---" in rows[1], done.stdout
    values = numbers_in(rows[2:])
    assert values, f"{script.name}: the table has no numbers:\n{done.stdout}"
    bad = [v for v in values if not (math.isfinite(v) and v > 0)]
    assert not bad, f"{script.name}: numbers that are not positive and finite: {bad}\n{done.stdout}"
