"""Similar answers between submissions: a flag for a human, never a penalty.

For every answer cell of a chapter, each submission's answer is reduced to a sequence of tokens that
ignores what a copier changes cheaply:

* code is parsed and printed back from its syntax tree (formatting and comments gone), docstrings and
  string constants are blanked, and every name the cell binds (variables, functions, arguments, classes,
  import aliases) is renamed by order of first appearance (V0, V1, ...); names it only uses (np, torch,
  the notebook's given helpers) and attributes stay, as they carry the method. Code that does not parse
  is tokenized as it stands, comments out;
* prose (explanations) is lower-cased words.

The tokens' k-grams are hashed and winnowed (Schleimer, Wilkerson and Aiken 2003, the scheme of MOSS and
copydetect): the smallest hash of each window of w consecutive k-grams is a fingerprint. The fingerprints
of the stub (the code the release gives in the cell) are dropped, so given code never counts. The score of
a pair is the Jaccard index of their fingerprint sets; pairs at or above a threshold are reported.
Answers with fewer than `min_fingerprints` fingerprints left are too short to tell apart and are skipped.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import io
import re
import tokenize
from collections import defaultdict
from itertools import combinations

CODE_K, CODE_W = 5, 4  # tokens per k-gram, k-grams per window
TEXT_K, TEXT_W = 4, 4  # words
THRESHOLD = 0.8
MIN_FINGERPRINTS = 4
BUILTINS = set(dir(builtins))


class _Rename(ast.NodeTransformer):
    def __init__(self, bound: set[str]):
        self.bound, self.names = bound, {}

    def _name(self, name: str) -> str:
        if name not in self.bound:
            return name
        return self.names.setdefault(name, f"V{len(self.names)}")

    def visit_Name(self, node):
        node.id = self._name(node.id)
        return node

    def visit_arg(self, node):
        node.arg = self._name(node.arg)
        node.annotation = None
        return node

    def _def(self, node):
        node.name = self._name(node.name)
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
            node.body = body[1:] or [ast.Pass()]  # the docstring
        if hasattr(node, "returns"):
            node.returns = None
        self.generic_visit(node)
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _def

    def visit_alias(self, node):
        if node.asname:
            node.asname = self._name(node.asname)
        return node

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            node.value = "S"
        return node

    def visit_Expr(self, node):  # a bare string statement is a comment in disguise
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return None
        self.generic_visit(node)
        return node


def _bound(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias) and node.asname:
            names.add(node.asname)
    return names - BUILTINS


def _tokens(code: str) -> list[str]:
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type not in skip:
                out.append(tok.string.strip() or tokenize.tok_name[tok.type])
    except (tokenize.TokenError, IndentationError, SyntaxError):
        out += code.split()
    return out


def code_tokens(source: str) -> list[str]:
    """The normalized token sequence of a code cell (see the module's docstring)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]  # magics
    code = "\n".join(lines)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return _tokens(code)
    tree = _Rename(_bound(tree)).visit(tree)
    return _tokens(ast.unparse(ast.fix_missing_locations(tree)))


def text_tokens(source: str) -> list[str]:
    return re.findall(r"\w+", source.lower())


def _hash(gram) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(gram).encode(), digest_size=8).digest(), "big")


def fingerprints(tokens: list[str], k: int, w: int) -> set[int]:
    """Winnowing: the minimum hash of every window of w consecutive k-gram hashes (a sequence shorter than
    one k-gram is one gram)."""
    grams = [_hash(tokens[i : i + k]) for i in range(max(1, len(tokens) - k + 1))] if tokens else []
    if len(grams) <= w:
        return set(grams[:1]) if len(grams) < w else {min(grams)}
    return {min(grams[i : i + w]) for i in range(len(grams) - w + 1)}


def cell_fingerprints(source: str, cell_type: str = "code") -> set[int]:
    if cell_type == "code":
        return fingerprints(code_tokens(source), CODE_K, CODE_W)
    return fingerprints(text_tokens(source), TEXT_K, TEXT_W)


def similar_pairs(
    answers: dict[str, str],
    cell_type: str = "code",
    stub: str | None = None,
    threshold: float = THRESHOLD,
    min_fingerprints: int = MIN_FINGERPRINTS,
) -> list[dict]:
    """answers: {student: source of one answer cell}; returns [{"a", "b", "score", "shared"}] for the pairs
    at or above `threshold`, the most similar first."""
    given = cell_fingerprints(stub, cell_type) if stub else set()
    prints = {s: cell_fingerprints(src, cell_type) - given for s, src in answers.items()}
    prints = {s: p for s, p in prints.items() if len(p) >= min_fingerprints}
    index = defaultdict(list)
    for student, fps in prints.items():
        for fp in fps:
            index[fp].append(student)
    shared = defaultdict(int)
    for students in index.values():
        for a, b in combinations(sorted(students), 2):
            shared[(a, b)] += 1
    pairs = []
    for (a, b), n in shared.items():
        score = n / (len(prints[a]) + len(prints[b]) - n)
        if score >= threshold:
            pairs.append({"a": a, "b": b, "score": round(score, 3), "shared": n})
    return sorted(pairs, key=lambda p: (-p["score"], p["a"], p["b"]))
