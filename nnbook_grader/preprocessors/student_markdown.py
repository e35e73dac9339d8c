"""The release step's rewrite of the chapters' prose for the student notebooks.

The chapters are written in MyST Markdown for the website: citations ({cite}), links to other pages
({doc}, {ref}), the download link of the student notebook ({download}) and directives (```{note}).
JupyterLab renders plain Markdown with math, so it would show those as raw text, and the links make
sense only on the website. `StudentMarkdown` runs first in `nbgrader generate_assignment`
(nbgrader_config.py) and rewrites every markdown cell of the student version:

* {cite}`a,b` becomes "(Author et al., 1994; Other and Author, 2013)" from book/references.bib,
  {cite:t}`a` becomes "Author et al. (1994)";
* {doc}`text <target>` and {ref}`text <target>` become the text, {doc}`target` the title of that page;
* a paragraph with a {download} link to the student notebook itself is dropped; other {download}
  links become their text;
* admonition directives (note, tip, warning, admonition, dropdown, ...) become block quotes with a bold
  title, ```{math} becomes $$...$$, a figure or image becomes a Markdown image with its caption;
* any other role becomes its text.

It changes no code cell and no cell of nbgrader's (answers, tests), so grading is untouched.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

from ..cells import ROOT

ROLE = re.compile(r"\{([a-z][\w:-]*)\}`([^`]*)`")
FENCE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<arg>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S
)
ADMONITIONS = {
    "note",
    "tip",
    "hint",
    "important",
    "warning",
    "caution",
    "attention",
    "danger",
    "error",
    "seealso",
    "admonition",
    "dropdown",
    "margin",
    "sidebar",
    "topic",
    "epigraph",
}


def course_file(relative: str | Path) -> Path | None:
    """A file of the book: in the course folder that nbgrader runs in, else beside this package."""
    for base in (Path.cwd(), ROOT):
        if (base / relative).is_file():
            return base / relative
    return None


@cache
def bibliography() -> dict[str, tuple[str, str]]:
    """key -> (authors as cited, year), read from the book's BibTeX file."""
    from pybtex.database import parse_file

    path = course_file("book/references.bib")
    if path is None:
        return {}
    entries = {}
    for key, entry in parse_file(str(path)).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [" ".join(p.last_names).replace("{", "").replace("}", "") for p in people]
        if not names:
            who = entry.fields.get("organization", entry.fields.get("title", key)).strip("{}")
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        entries[key] = (who, entry.fields.get("year", "n.d."))
    return entries


def citation(role: str, keys: str) -> str:
    refs = bibliography()
    found = [refs.get(k.strip(), (k.strip(), "")) for k in keys.split(",") if k.strip()]
    if role.endswith(":t"):
        return "; ".join(f"{who} ({year})" if year else who for who, year in found)
    return "(" + "; ".join(f"{who}, {year}" if year else who for who, year in found) + ")"


def page_title(target: str, base: Path) -> str:
    """The first heading of a page of the book, for a {doc} link without text."""
    import nbformat

    relative = Path(os.path.normpath(base / target)) if not target.startswith("/") else Path(target.lstrip("/"))
    for suffix in (".md", ".ipynb"):
        path = course_file(relative.with_suffix(suffix))
        if path is not None:
            text = (
                path.read_text()
                if suffix == ".md"
                else "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
            )
            match = re.search(r"^#\s+(.+)$", text, re.M)
            if match:
                return match.group(1).strip()
    return relative.name.replace("-", " ")


def role_text(name: str, content: str, base: Path) -> str:
    if name.startswith("cite"):
        return citation(name, content)
    labelled = re.match(r"^(.*?)\s*<([^<>]+)>$", content, re.S)
    if labelled:
        return labelled.group(1)
    if name == "doc":
        return f"*{page_title(content, base)}*"
    if name == "math":
        return f"${content}$"
    if name in ("code", "literal", "samp", "file", "kbd"):
        return f"`{content}`"
    return content


def directive_text(name: str, arg: str, body: str) -> str:
    lines = body.splitlines()
    options = []
    while lines and re.match(r"^:[\w-]+:", lines[0]):
        options.append(lines.pop(0))
    text = "\n".join(lines).strip("\n")
    if name == "math":
        return f"$$\n{text}\n$$"
    if name in ("figure", "image"):
        alt = next((o.split(":", 2)[2].strip() for o in options if o.startswith(":alt:")), "")
        caption = f"\n\n*{text.strip()}*" if name == "figure" and text.strip() else ""
        return f"![{alt or text.strip()}]({arg.strip()}){caption}"
    if name in ADMONITIONS:
        title = arg.strip() or name.capitalize()
        quoted = "\n".join(("> " + line) if line.strip() else ">" for line in text.splitlines())
        return f"> **{title}.**\n>\n{quoted}"
    if name in ("code", "code-block", "sourcecode"):
        return f"```{arg.strip()}\n{text}\n```"
    return text


def rewrite(markdown: str, base: Path = Path(".")) -> str:
    """The markdown as JupyterLab can render it, without links that work only on the website."""
    paragraphs = re.split(r"\n[ \t]*\n", markdown)
    kept = [p for p in paragraphs if not re.search(r"\{download\}`[^`]*notebooks/[^`]*`", p)]
    if len(kept) < len(paragraphs):  # the student notebook's own download link: only the website needs it
        markdown = "\n\n".join(kept)
    while True:
        new = FENCE.sub(lambda m: directive_text(m["name"], m["arg"], m["body"]), markdown)
        if new == markdown:
            break
        markdown = new
    return ROLE.sub(lambda m: role_text(m[1], m[2], base), markdown)


class StudentMarkdown(Preprocessor):
    """nbconvert/nbgrader preprocessor: `rewrite` every markdown cell that nbgrader does not manage, and
    drop the notebook's `nnbook` metadata (the fingerprints of the answers, tests/test_giveaways.py)."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("nnbook", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and "nbgrader" not in cell.metadata:
            folder = (resources.get("metadata") or {}).get("path") or "."
            cell.source = rewrite(cell.source, Path(os.path.relpath(folder)) if os.path.isabs(folder) else Path(folder))
        return cell, resources
