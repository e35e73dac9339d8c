"""The graded course as plain records: one reader of the gradebook (nbgrader's, SQLite or PostgreSQL), the
grader's state file and the autograded notebooks, for the grades CSV, the LMS exports and the course report.

Scores follow nbgrader's own export: `raw_score` is what the cells earned, `late_penalty` what nbgrader's
LateSubmissionPlugin took for lateness, `score` = max(0, raw_score - late_penalty).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from .cells import grade_id, is_answer, is_manual, is_test, meta


def _iso(when) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S UTC") if when is not None else ""


def submissions(course) -> list[dict]:
    """One record per student and chapter in the gradebook, sorted by chapter and student."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(course.db_url) as gb:
        for assignment in sorted(gb.assignments, key=lambda a: a.name):
            for s in sorted(assignment.submissions, key=lambda s: s.student.id):
                e = course.state.get(f"{s.student.id}/{assignment.name}", {})
                raw, penalty = s.score or 0.0, s.late_submission_penalty or 0.0
                code = [g for nb in s.notebooks for g in nb.grades if g.cell_type == "code"]
                rows.append(
                    {
                        "student": s.student.id,
                        "chapter": assignment.name,
                        "score": max(0.0, raw - penalty),
                        "max_score": s.max_score,
                        "status": e.get("status", ""),
                        "reason": "; ".join(e.get("flags", []) + e.get("notes", []) + e.get("reasons", [])),
                        "raw_score": raw,
                        "late_penalty": penalty,
                        "submitted": _iso(s.timestamp),
                        "due": _iso(s.duedate),
                        "hours_late": round(s.total_seconds_late / 3600, 2),
                        "auto_score": sum(g.auto_score or 0.0 for g in code),
                        "auto_max": sum(g.max_score for g in code),
                        "needs_manual_grade": bool(s.needs_manual_grade),
                        "seconds": e.get("seconds"),
                        "notebook_seconds": e.get("notebook_seconds", {}),
                        "environment": e.get("environment", {}),
                        "first_name": s.student.first_name or "",
                        "last_name": s.student.last_name or "",
                        "email": s.student.email or "",
                    }
                )
    return rows


def cell_grades(course) -> list[dict]:
    """One record per graded cell of every submission: student, chapter, notebook, grade_id, cell_type,
    auto_score, score, max_score."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(course.db_url) as gb:
        for assignment in gb.assignments:
            for s in assignment.submissions:
                for nb in s.notebooks:
                    for g in nb.grades:
                        rows.append(
                            {
                                "student": s.student.id,
                                "chapter": assignment.name,
                                "notebook": nb.name,
                                "grade_id": g.name,
                                "cell_type": g.cell_type,
                                "auto_score": g.auto_score,
                                "score": g.score,
                                "max_score": g.max_score,
                            }
                        )
    return rows


def layout(source: Path) -> dict:
    """The graded cells of a source notebook in order: {grade_id: {"kind", "exercise", "points"}}; a test cell
    belongs to the exercise of the answer cell before it (answer cells are their own exercise)."""
    out, exercise = {}, None
    for cell in nbformat.read(source, as_version=4).cells:
        gid = grade_id(cell)
        if not gid:
            continue
        if is_answer(cell) or is_manual(cell):
            exercise = gid
        kind = "test" if is_test(cell) else ("manual" if is_manual(cell) else "answer")
        out[gid] = {"kind": kind, "exercise": exercise or gid, "points": meta(cell).get("points", 0)}
    return out


def failures(autograded: Path) -> dict:
    """{grade_id: "Ename: first line of the message"} for the test cells of an autograded notebook that
    raised (what the checks said)."""
    out = {}
    for cell in nbformat.read(autograded, as_version=4).cells:
        if not is_test(cell):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = (output.get("evalue") or "").strip().splitlines()
                out[grade_id(cell)] = f"{output.get('ename', 'Error')}: {message[0] if message else ''}".strip()
                break
    return out


def answers(notebook: Path) -> dict:
    """{grade_id: source} of the answer cells (autograded and manually graded) of a notebook."""
    nb = nbformat.read(notebook, as_version=4)
    return {grade_id(c): (c.source, c.cell_type) for c in nb.cells if is_answer(c) or is_manual(c)}
