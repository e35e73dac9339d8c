"""The course report (`make report`, `tools/grade.py report`): how the course went, after grading.

Read from the gradebook, the grader's state file and the autograded notebooks (nnbook_grader/records.py),
written as static files under reports/ that work offline (no server, no network): index.html with
sortable tables (a few lines of inline JavaScript), one PNG per plot (matplotlib, with alternative text)
and report.json with every figure the page shows.

Per chapter: the distribution of scores (histogram, after late penalties), per exercise and per test cell
the pass rate (full points) and the mean score, the most common failure message of each test cell (the
checks' messages grouped, numbers masked), the time each notebook took to grade, and the answer cells
that look copied (nnbook_grader/similarity.py). Per student: the score of each chapter, lateness and
flags. Test cells are flagged when over at least MIN_SUBMISSIONS submissions none or all of them pass
(broken or uninformative), or when passing them goes with a low score on the rest of the exercise (the
point-biserial correlation with the other test cells of the exercise is below MIN_DISCRIMINATION).
Last, the environments that graded the submissions (nnbook_grader/environment.py).
"""

from __future__ import annotations

import html
import json
import re
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

from . import records, similarity
from .environment import PACKAGES

MIN_SUBMISSIONS = 10
MIN_DISCRIMINATION = 0.2


# ---------------------------------------------------------------------------------------------
# the figures


def flag_test(passes: list[bool], rest: list[float] | None) -> list[str]:
    """Why a test cell looks broken or uninformative ([] if it does not): `passes` per submission, `rest`
    the same submissions' fraction of the rest of the exercise (None: no other test cell)."""
    n = len(passes)
    if n < MIN_SUBMISSIONS:
        return []
    rate = sum(passes) / n
    if rate == 0:
        return [f"no submission of {n} passes: a broken test?"]
    if rate == 1:
        return [f"every submission of {n} passes: the test tells nothing"]
    r = correlation([float(p) for p in passes], rest) if rest else None
    if r is not None and r < MIN_DISCRIMINATION:
        return [f"low discrimination: r = {r:.2f} with the rest of its exercise"]
    return []


def correlation(x: list[float], y: list[float]) -> float | None:
    """Pearson's r (None where one side does not vary)."""
    if len(set(x)) < 2 or len(set(y)) < 2:
        return None
    return statistics.correlation(x, y)


def message_group(message: str) -> str:
    """Failure messages that differ only in numbers are one group."""
    return re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", message)


def _chapter_layout(course, chapter: str) -> dict:
    out = {}
    for name in course.notebooks_of(chapter):
        for gid, info in records.layout(course.folder("source") / chapter / f"{name}.ipynb").items():
            out[gid] = {**info, "notebook": name}
    return out


def build(course, threshold: float = similarity.THRESHOLD) -> dict:
    """Every figure of the report, as plain data (also written as report.json)."""
    subs = records.submissions(course)
    grades = defaultdict(dict)  # (chapter, student) -> {grade_id: grade record}
    for g in records.cell_grades(course):
        grades[(g["chapter"], g["student"])][g["grade_id"]] = g
    chapters = []
    for chapter in sorted({r["chapter"] for r in subs}):
        rows = [r for r in subs if r["chapter"] == chapter]
        students = [r["student"] for r in rows]
        layout = _chapter_layout(course, chapter)
        tests = [gid for gid, info in layout.items() if info["kind"] == "test"]
        by_exercise = defaultdict(list)
        for gid in tests:
            by_exercise[layout[gid]["exercise"]].append(gid)
        auto = {s: {gid: _auto(grades[(chapter, s)], gid) for gid in tests} for s in students}
        full = {gid: layout[gid]["points"] for gid in tests}
        messages = _failures(course, chapter, students, layout)
        test_rows = []
        for gid in tests:
            passes = [auto[s][gid] >= full[gid] for s in students]
            siblings = [t for t in by_exercise[layout[gid]["exercise"]] if t != gid]
            rest = None
            if siblings:
                most = sum(full[t] for t in siblings) or 1
                rest = [sum(auto[s][t] for t in siblings) / most for s in students]
            failed = [messages[s][gid] for s in students if gid in messages[s]]
            top = Counter(message_group(m) for m in failed).most_common(1)
            example = next((m for m in failed if message_group(m) == top[0][0]), "") if top else ""
            test_rows.append(
                {
                    "grade_id": gid,
                    "exercise": layout[gid]["exercise"],
                    "n": len(students),
                    "max_score": full[gid],
                    "pass_rate": _rate(passes),
                    "mean": _mean([auto[s][gid] for s in students]),
                    "top_failure": example,
                    "top_failure_count": top[0][1] if top else 0,
                    "flags": flag_test(passes, rest),
                }
            )
        exercise_rows = []
        for exercise, cells in by_exercise.items():
            most = sum(full[t] for t in cells)
            totals = [sum(auto[s][t] for t in cells) for s in students]
            exercise_rows.append(
                {
                    "exercise": exercise,
                    "tests": cells,
                    "max_score": most,
                    "pass_rate": _rate([t >= most for t in totals]),
                    "mean": _mean(totals),
                }
            )
        seconds = defaultdict(list)
        for r in rows:
            for name, s in (r["notebook_seconds"] or {}).items():
                seconds[name].append(s)
        timing = [
            {"notebook": name, "n": len(v), "median": _round(statistics.median(v)), "max": _round(max(v))}
            for name, v in sorted(seconds.items())
        ]
        chapters.append(
            {
                "chapter": chapter,
                "n": len(rows),
                "max_score": max((r["max_score"] or 0) for r in rows),
                "scores": {r["student"]: r["score"] for r in rows},
                "mean": _mean([r["score"] for r in rows]),
                "median": _round(statistics.median([r["score"] for r in rows])),
                "late": sorted(r["student"] for r in rows if r["hours_late"] > 0),
                "manual_pending": sum(r["needs_manual_grade"] for r in rows),
                "exercises": exercise_rows,
                "tests": test_rows,
                "timing": timing,
                "similar": _similar(course, chapter, students, layout, threshold),
            }
        )
    return {
        "generated": time.strftime("%Y-%m-%d %H:%M:%S"),
        "course": str(course.root),
        "threshold": threshold,
        "chapters": chapters,
        "students": _students(subs, chapters),
        "environments": _environments(subs),
    }


def _auto(grades: dict, gid: str) -> float:
    return (grades.get(gid) or {}).get("auto_score") or 0.0


def _failures(course, chapter, students, layout) -> dict:
    out = {}
    for s in students:
        out[s] = {}
        for name in {info["notebook"] for info in layout.values()}:
            path = course.folder("autograded") / s / chapter / f"{name}.ipynb"
            if path.exists():
                out[s].update(records.failures(path))
    return out


def _similar(course, chapter, students, layout, threshold) -> list[dict]:
    answers = defaultdict(dict)
    for s in students:
        for name in {info["notebook"] for info in layout.values()}:
            path = course.folder("autograded") / s / chapter / f"{name}.ipynb"
            if path.exists():
                for gid, (source, cell_type) in records.answers(path).items():
                    answers[gid][s] = (source, cell_type)
    stubs = {}
    for name in {info["notebook"] for info in layout.values()}:
        release = course.folder("release") / chapter / f"{name}.ipynb"
        if release.exists():
            stubs.update(records.answers(release))
    found = []
    for gid in [g for g, info in layout.items() if info["kind"] in ("answer", "manual")]:
        cell = answers.get(gid, {})
        if len(cell) < 2:
            continue
        cell_type = next(iter(cell.values()))[1]
        stub = stubs.get(gid, ("", cell_type))[0]
        sources = {s: src for s, (src, _) in cell.items()}
        for pair in similarity.similar_pairs(sources, cell_type, stub, threshold):
            found.append({"cell": gid, **pair, "source_a": sources[pair["a"]], "source_b": sources[pair["b"]]})
    return found


def _students(subs, chapters) -> list[dict]:
    similar = defaultdict(lambda: defaultdict(list))  # student -> other student -> cells
    for ch in chapters:
        for pair in ch["similar"]:
            similar[pair["a"]][pair["b"]].append(pair["cell"])
            similar[pair["b"]][pair["a"]].append(pair["cell"])
    out = {}
    for r in subs:
        row = out.setdefault(r["student"], {"student": r["student"], "chapters": {}, "total": 0.0, "flags": []})
        row["chapters"][r["chapter"]] = {
            "score": r["score"],
            "max_score": r["max_score"],
            "hours_late": r["hours_late"],
            "late_penalty": r["late_penalty"],
            "status": r["status"],
        }
        row["total"] = _round(row["total"] + r["score"])
        if r["hours_late"] > 0:
            row["flags"].append(f"{r['chapter']} {r['hours_late']:g} h late (-{r['late_penalty']:g})")
        if r["status"] in ("review", "failed", "boxed"):
            row["flags"].append(f"{r['chapter']}: {r['status']}")
    for student, row in out.items():
        for other, cells in sorted(similar[student].items()):
            row["flags"].append(
                f"similar to {other} in {len(cells)} answer{'s' * (len(cells) > 1)}: {', '.join(cells)}"
            )
    return sorted(out.values(), key=lambda r: r["student"])


def _environments(subs) -> list[dict]:
    seen = {}
    for r in subs:
        env = r["environment"]
        if not env:
            continue
        key = json.dumps({k: v for k, v in env.items() if k != "source_sha256"}, sort_keys=True)
        entry = seen.setdefault(key, {"environment": {k: v for k, v in env.items() if k != "source_sha256"}, "n": 0})
        entry["n"] += 1
        entry.setdefault("sources", {})[r["chapter"]] = env.get("source_sha256", "")
    return list(seen.values())


def _rate(flags) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0


def _mean(values) -> float:
    return round(statistics.fmean(values), 4) if values else 0.0


def _round(x) -> float:
    return round(float(x), 4)


# ---------------------------------------------------------------------------------------------
# the plots


def plot_scores(chapter: dict, path: Path) -> str:
    """A histogram of the chapter's scores; returns its alternative text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores, most = list(chapter["scores"].values()), chapter["max_score"] or 1
    fig, ax = plt.subplots(figsize=(5.2, 2.8), dpi=100)
    bins = [most * i / 10 for i in range(11)]
    counts, _, _ = ax.hist(scores, bins=bins, color="#3b6ea5", edgecolor="white")
    ax.set_xlabel(f"score (of {most:g} points, after late penalties)")
    ax.set_ylabel("submissions")
    ax.set_title(f"{chapter['chapter']}: {chapter['n']} submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    spread = ", ".join(f"{int(c)} in {bins[i]:g}-{bins[i + 1]:g}" for i, c in enumerate(counts) if c)
    return f"Histogram of {chapter['n']} scores in {chapter['chapter']} (mean {chapter['mean']:g}): {spread}"


def plot_tests(chapter: dict, path: Path) -> str:
    """The pass rate of each test cell (bars); returns its alternative text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tests = chapter["tests"]
    fig, ax = plt.subplots(figsize=(5.2, 0.3 * len(tests) + 1.0), dpi=100)
    names = [t["grade_id"] for t in tests][::-1]
    rates = [100 * t["pass_rate"] for t in tests][::-1]
    colors = ["#c0392b" if t["flags"] else "#3b6ea5" for t in tests][::-1]
    ax.barh(names, rates, color=colors)
    ax.set_xlim(0, 100)
    ax.set_xlabel("submissions with full points (%)")
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return f"Pass rate of each test cell of {chapter['chapter']}: " + ", ".join(
        f"{t['grade_id']} {100 * t['pass_rate']:.0f} %" for t in tests
    )


# ---------------------------------------------------------------------------------------------
# the page

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #eef2f7; cursor: pointer; user-select: none; }
th.sorted-asc::after { content: " \\25B2"; } th.sorted-desc::after { content: " \\25BC"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.flag { color: #a61b0f; } .late { color: #8a5a00; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5em; margin-bottom: 1em; }
.pair pre { background: #f7f7f7; border: 1px solid #ddd; padding: 0.5em; overflow-x: auto; font-size: 0.8em;
  margin: 0; }
.note { color: #555; font-size: 0.9em; }
"""

SORT = """
document.querySelectorAll('table.sortable th').forEach((th) => th.addEventListener('click', () => {
  const table = th.closest('table'), body = table.tBodies[0], i = [...th.parentNode.children].indexOf(th);
  const asc = !th.classList.contains('sorted-asc');
  table.querySelectorAll('th').forEach((h) => h.classList.remove('sorted-asc', 'sorted-desc'));
  th.classList.add(asc ? 'sorted-asc' : 'sorted-desc');
  const key = (row) => { const c = row.children[i], v = c.dataset.sort ?? c.textContent.trim();
    return v !== '' && !isNaN(v) ? [0, parseFloat(v)] : [1, v.toLowerCase()]; };
  [...body.rows].sort((a, b) => { const x = key(a), y = key(b);
    const c = x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0); return asc ? c : -c; })
    .forEach((row) => body.appendChild(row));
}));
"""


def _e(x) -> str:
    return html.escape(str(x))


def _table(header: list[str], rows: list[list], sortable=True) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, tuple):  # (html, sort key)
                cells.append(f'<td data-sort="{_e(value[1])}">{value[0]}</td>')
            elif isinstance(value, int | float):
                cells.append(f'<td class="num">{value:g}</td>')
            else:
                cells.append(f"<td>{_e(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    kind = ' class="sortable"' if sortable else ""
    return f"<table{kind}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _flags(flags) -> tuple:
    return ("<br>".join(f'<span class="flag">{_e(f)}</span>' for f in flags), len(flags))


def render(data: dict, folder: Path) -> Path:
    """Write index.html, the plots and report.json into `folder`; returns the page."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = [
        f"<h1>Course report</h1><p class='note'>{_e(data['course'])}, generated {_e(data['generated'])}. "
        "Click a column's header to sort. Similarity and test flags are for a human to read, never a "
        "penalty (book/instructor-guide.md, The course report).</p>"
    ]
    chapter_names = [c["chapter"] for c in data["chapters"]]
    parts.append("<h2>Chapters</h2><div class='figures'>")
    for ch in data["chapters"]:
        png = f"{ch['chapter']}-scores.png"
        alt = plot_scores(ch, folder / png)
        parts.append(f"<a href='#{_e(ch['chapter'])}'><img src='{png}' alt='{_e(alt)}'></a>")
    parts.append("</div><h2>Students</h2>")
    rows = []
    for s in data["students"]:
        row = [s["student"]]
        for ch in chapter_names:
            c = s["chapters"].get(ch)
            if c is None:
                row.append(("&ndash;", -1))
            else:
                late = f' <span class="late">late {c["hours_late"]:g} h</span>' if c["hours_late"] > 0 else ""
                row.append((f"{c['score']:g} / {c['max_score']:g}{late}", c["score"]))
        row += [s["total"], _flags(s["flags"])]
        rows.append(row)
    parts.append(_table(["student", *chapter_names, "total", "flags"], rows))
    for ch in data["chapters"]:
        name = ch["chapter"]
        tests_png = f"{name}-tests.png"
        alt_tests = plot_tests(ch, folder / tests_png)
        parts.append(
            f"<h2 id='{_e(name)}'>{_e(name)}</h2><p>{ch['n']} submissions, mean {ch['mean']:g}, median "
            f"{ch['median']:g} of {ch['max_score']:g} points; late: {_e(', '.join(ch['late']) or 'none')}; "
            f"waiting for manual grading: {ch['manual_pending']}.</p>"
            f"<div class='figures'><img src='{tests_png}' alt='{_e(alt_tests)}'></div><h3>Exercises</h3>"
        )
        parts.append(
            _table(
                ["exercise", "test cells", "points", "pass rate (%)", "mean score"],
                [
                    [e["exercise"], ", ".join(e["tests"]), e["max_score"], round(100 * e["pass_rate"], 1), e["mean"]]
                    for e in ch["exercises"]
                ],
            )
        )
        parts.append("<h3>Test cells</h3>")
        parts.append(
            _table(
                ["test cell", "points", "pass rate (%)", "mean score", "most common failure", "times", "flags"],
                [
                    [
                        t["grade_id"],
                        t["max_score"],
                        round(100 * t["pass_rate"], 1),
                        t["mean"],
                        t["top_failure"],
                        t["top_failure_count"],
                        _flags(t["flags"]),
                    ]
                    for t in ch["tests"]
                ],
            )
        )
        parts.append("<h3>Time to grade</h3>")
        parts.append(
            _table(
                ["notebook", "submissions", "median (s)", "max (s)"],
                [[t["notebook"], t["n"], t["median"], t["max"]] for t in ch["timing"]],
            )
        )
        parts.append(
            f"<h3>Similar answers (score &ge; {data['threshold']:g}): {len(ch['similar'])} pairs</h3>"
            "<p class='note'>Open a pair to read both answers side by side.</p>"
        )
        for p in ch["similar"]:
            parts.append(
                f"<details><summary><b>{_e(p['cell'])}</b>: {_e(p['a'])} and {_e(p['b'])}, similarity "
                f"{p['score']:g} ({p['shared']} shared fingerprints)</summary><div class='pair'>"
                f"<pre>{_e(p['source_a'])}</pre><pre>{_e(p['source_b'])}</pre></div></details>"
            )
    parts.append("<h2>Graded with</h2>")
    env_rows = []
    for env in data["environments"]:
        e = env["environment"]
        versions = ", ".join(f"{k} {e[k]}" for k in ("python", *PACKAGES) if k in e)
        limits = ", ".join(f"{k} {v}" for k, v in e.get("limits", {}).items())
        sources = "; ".join(f"{c} {h[:16]}" for c, h in sorted(env.get("sources", {}).items()))
        env_rows.append([env["n"], versions, e.get("mode", ""), limits, sources, e.get("platform", "")])
    parts.append(
        _table(["submissions", "versions", "mode", "box limits", "chapter source sha256", "platform"], env_rows)
    )
    page = folder / "index.html"
    page.write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Course report</title>"
        f"<style>{STYLE}</style></head><body>{''.join(parts)}<script>{SORT}</script></body></html>"
    )
    (folder / "report.json").write_text(json.dumps(data, indent=1, sort_keys=True))
    return page


def report(root=".", db_url: str | None = None, folder: str = "reports", threshold=similarity.THRESHOLD) -> Path:
    from .autograde import Course

    course = Course(Path(root), db_url)
    return render(build(course, threshold), course.root / folder)
