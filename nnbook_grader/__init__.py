"""nnbook_grader: what only grading, tests and benchmarks need; never installed for students.

The border (book/authoring.md, "The answer key"): `nnbook` is the students' helper package and
holds no model answer to an exercise. The model answers live once, in the answer cells of the
solution notebooks (solutions/<chapter>/*.ipynb); `nnbook_grader.answers.load` turns chosen answer
cells into a module, so that benchmarks and unit tests use that one copy. Student notebooks (and the
solution notebooks they are generated from) never import this package: their test cells use
independent oracles, so that they also grade where neither this package nor solutions/ is readable.

It is on the path of pytest (pyproject.toml `pythonpath`) and of `make bench`, and nowhere else.
"""
