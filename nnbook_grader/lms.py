"""Grades in the import formats of Canvas and Moodle gradebooks (`tools/grade.py grades --format canvas|moodle
--mapping students.csv`).

The mapping file is the course roster: a CSV with a `student` column (the nbgrader student id, the folder
name under submitted/) and the columns the learning-management system identifies a student by, named as
that system names them:

* Canvas ("How do I import grades in the Gradebook?", Canvas Instructor Guide): `Student` (the name),
  `ID`, `SIS User ID`, `SIS Login ID`, `Section`; then one column per assignment. Canvas matches rows by
  ID, SIS User ID or SIS Login ID (at least one is needed), creates an assignment for every column name it
  does not know (name a column "Name (canvas id)" in its header to update an existing one), and reads
  the optional second row "Points Possible", as in its own exports.
* Moodle (Grades > Import > CSV file): `First name`, `Last name`, `ID number`, `Email address`,
  `Username`; on import the instructor maps one identifying column ("Map from") to the user field ("Map
  to": ID number, email address, username or user id) and each grade column to a grade item (or a new
  one). Grades must be numbers (Moodle's importer rejects anything else).

Each chapter is one grade column holding the score after the late penalty; a student on the roster
without a submission gets 0, as in nbgrader's own export. A student in the gradebook but not in the
mapping file is an error: no grade may silently go missing.
"""

from __future__ import annotations

import csv
from pathlib import Path

FORMATS = {
    "canvas": {
        "columns": ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"],
        "identify": ["ID", "SIS User ID", "SIS Login ID"],
    },
    "moodle": {
        "columns": ["First name", "Last name", "ID number", "Email address", "Username"],
        "identify": ["ID number", "Email address", "Username"],
    },
}


class MappingError(ValueError):
    """The mapping file cannot name every graded student in the LMS."""


def read_mapping(path, fmt: str) -> list[dict]:
    spec = FORMATS[fmt]
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(f)]
    if not rows or "student" not in rows[0]:
        raise MappingError(f"{path}: a CSV with a 'student' column (the nbgrader id) and {', '.join(spec['columns'])}")
    if not any(c in rows[0] for c in spec["identify"]):
        raise MappingError(f"{path}: {fmt} identifies students by one of {', '.join(spec['identify'])}; none given")
    return rows


def export(records: list[dict], fmt: str, mapping, target: Path) -> Path:
    """Write `target` in `fmt` ("canvas" or "moodle") from nnbook_grader.records.submissions rows."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: csv, {', '.join(FORMATS)}")
    if mapping is None:
        raise MappingError(f"--format {fmt} needs --mapping FILE (the roster: student and {fmt} ids)")
    roster = read_mapping(mapping, fmt)
    columns = [c for c in FORMATS[fmt]["columns"] if c in roster[0]]
    chapters = sorted({r["chapter"] for r in records})
    known = {r["student"] for r in roster}
    missing = sorted({r["student"] for r in records} - known)
    if missing:
        raise MappingError(f"{mapping}: no row for {', '.join(missing)} (graded students must be on the roster)")
    score = {(r["student"], r["chapter"]): r["score"] for r in records}
    most = {r["chapter"]: r["max_score"] for r in records}
    with open(target, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns + chapters)
        if fmt == "canvas":  # Canvas's own exports carry this row; its importer reads it
            w.writerow(["    Points Possible"] + [""] * (len(columns) - 1) + [_number(most[c]) for c in chapters])
        for person in roster:
            w.writerow(
                [person.get(c, "") for c in columns]
                + [_number(score.get((person["student"], c), 0.0)) for c in chapters]
            )
    return target


def _number(x) -> str:
    return f"{float(x or 0):.2f}".rstrip("0").rstrip(".")
