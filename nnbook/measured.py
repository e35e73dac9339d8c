"""Measured results shipped with the book: full-mode runs (the exercise sheets' settings) that are too
long for a reader's laptop, stored as small JSON files in ``nnbook/results/`` with their provenance
(machine, GPU, versions, date, wall time). ``tools/full_runs.py`` writes them; chapters plot them
next to their own quick-mode runs."""

from __future__ import annotations

import json
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "results"


def load(name: str) -> dict:
    """The measured run ``nnbook/results/<name>.json``, e.g. ``load("ch06-full-torch")``."""
    path = FOLDER / f"{name}.json"
    if not path.exists():
        known = sorted(p.stem for p in FOLDER.glob("*.json"))
        raise FileNotFoundError(f"no measured run {name!r} in {FOLDER}; known: {known}")
    return json.loads(path.read_text())


def load_all(prefix: str) -> dict[str, dict]:
    """Every measured run whose name starts with ``prefix``, by name, e.g. ``load_all("ch07-full")``."""
    return {path.stem: load(path.stem) for path in sorted(FOLDER.glob(f"{prefix}*.json"))}


# the library versions that matter for each framework's runs
VERSIONS = {"torch": ("torch", "numpy", "python"), "keras": ("keras", "tensorflow", "numpy", "python")}


def provenance_line(run: dict) -> str:
    """Where, when and with which versions a measured run was made: two short lines, so that they fit
    a notebook's output on the website."""
    p = run["provenance"]
    where = p.get("gpu") or f"{p.get('cpu', '?')} CPU ({p.get('cpu_cores', '?')} cores)"
    keys = VERSIONS.get(p["framework"], ("numpy", "python"))
    versions = ", ".join(f"{k} {p[k]}" for k in keys if p.get(k))
    return f"measured {p['date'][:10]} in {p['mode']} mode, {p['framework']}, on {where}\nversions: {versions}"
