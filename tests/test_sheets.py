"""The sheet map (book/sheets.md) lists every exercise of every chapter, with its points read from the
notebooks at build time; chapters not written yet are listed as such, and only they; the introduction
lists the written chapters and names the rest as coming."""

import re
import sys

import pytest

from notebooks import CHAPTERS, ROOT

sys.path.insert(0, str(ROOT / "tools"))
import stage_book  # noqa: E402

PAGE = (ROOT / "book" / "sheets.md").read_text()
INTRO = (ROOT / "book" / "intro.md").read_text()
PLANNED = (4, 5, 8, 9)  # chapters of DESIGN.md whose sheet tasks the map lists before they are written


def exercises(chapter):
    return stage_book.exercise_points(sorted((ROOT / "solutions" / chapter).glob("*.ipynb")))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_exercise_is_on_the_sheet_map(chapter):
    missing = [gid for gid in exercises(chapter) if "{{ points_" + gid.replace("-", "_") + " }}" not in PAGE]
    assert not missing, (
        f"book/sheets.md does not list {missing}: add the sheet task each covers, with "
        "`{{ points_<grade_id with _> }}` for its points"
    )


def test_every_points_substitution_names_an_exercise():
    known = {"points_" + gid.replace("-", "_") for ch in CHAPTERS for gid in exercises(ch)}
    used = set(re.findall(r"\{\{\s*(points_\w+)\s*\}\}", PAGE))
    assert used <= known, f"book/sheets.md reads points of exercises that no chapter has: {sorted(used - known)}"


def test_the_build_substitutes_the_points(tmp_path):
    config = __import__("yaml").safe_load((stage_book.stage(tmp_path / "stage") / "_config.yml").read_text())
    values = config["parse"]["myst_substitutions"]
    assert values["points_ch02_lstm_step4"] == f"{exercises('ch02-gradients')['ch02-lstm-step4']:g}"


@pytest.mark.parametrize("number", sorted({int(ch[2:4]) for ch in CHAPTERS} | set(PLANNED)))
def test_chapters_written_or_coming(number):
    written = any(int(ch[2:4]) == number for ch in CHAPTERS)
    not_yet = f"Chapter {number} (not yet covered)" in PAGE
    coming = re.search(r"More chapters are being written:[^\n]*(\n[^\n]+)*", INTRO)
    coming_text = coming.group(0) if coming else ""
    if written:
        assert not not_yet, f"chapter {number} is written: list its exercises on book/sheets.md, not 'not yet covered'"
        assert re.search(rf"^\| {number}\. ", INTRO, re.M), f"book/intro.md: add chapter {number} to the chapter table"
        assert not re.search(rf"\b{number}\s+\(", coming_text), f"book/intro.md still says chapter {number} is coming"
    else:
        assert not_yet, f"book/sheets.md: list chapter {number}'s sheet tasks as '(not yet covered)'"
        assert re.search(rf"\b{number}\s+\(", coming_text), f"book/intro.md: say that chapter {number} is coming"
