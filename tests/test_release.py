"""The release step's rewrite of MyST for the student notebooks
(nnbook_grader/preprocessors/student_markdown.py): JupyterLab renders
what students read, and no link in a student notebook works only on the website."""

import re

import pytest

from nnbook_grader.preprocessors.student_markdown import bibliography, rewrite
from notebooks import CHAPTERS, ROOT, read

MYST_ROLE = re.compile(r"\{[a-z][\w:-]*\}`")
MYST_DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{[\w-]+\}", re.M)


def test_citations_become_author_year():
    refs = bibliography()
    assert refs["hochreiter1997long"] == ("Hochreiter and Schmidhuber", "1997")
    assert refs["bengio1994learning"][0].endswith("et al.")
    text = rewrite("as shown {cite}`hochreiter1997long,bengio1994learning`.")
    assert text == "as shown (Hochreiter and Schmidhuber, 1997; Bengio et al., 1994)."
    assert rewrite("{cite:t}`hochreiter1997long` showed") == "Hochreiter and Schmidhuber (1997) showed"


def test_website_links_become_text_and_the_own_download_link_goes():
    text = rewrite(
        "# Title\n\nStudent version: {download}`x.ipynb <../../notebooks/ch02-x/x.ipynb>`\n(open it).\n\n"
        "See {doc}`the set-up <../../book/setup>` and {doc}`../../book/references`.",
        base=ROOT / "solutions" / "ch02-x",
    )
    assert "Student version" not in text and "download" not in text
    assert text.startswith("# Title\n\nSee the set-up and *References*.")


def test_directives_become_markdown():
    text = rewrite("```{note} Careful\n:class: dropdown\nOne line with $x$.\n```\n\n```{math}\na = b\n```")
    assert text == "> **Careful.**\n>\n> One line with $x$.\n\n$$\na = b\n$$"
    assert rewrite(":::{tip}\nShort.\n:::") == "> **Tip.**\n>\n> Short."


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_notebooks_have_no_myst_that_lab_cannot_render(chapter):
    for path in sorted((ROOT / "notebooks" / chapter).glob("*.ipynb")):
        for i, cell in enumerate(read(path).cells):
            if cell.cell_type != "markdown":
                continue
            raw = MYST_ROLE.findall(cell.source) + MYST_DIRECTIVE.findall(cell.source)
            assert not raw, f"{path.name} cell {i}: MyST that JupyterLab shows as raw text: {raw} (make release)"
            assert "_build/" not in cell.source and ".html" not in cell.source, (
                f"{path.name} cell {i}: a link to the website's pages"
            )
            for target in re.findall(r"\]\(([^)\s]+)\)|src=\"([^\"]+)\"", cell.source):
                target = next(t for t in target if t)
                if not re.match(r"^([a-z][a-z0-9+.-]*:|#)", target, re.I):
                    assert (path.parent / target.split("#")[0]).exists(), (
                        f"{path.name} cell {i}: the link {target!r} points at nothing beside the notebook"
                    )
