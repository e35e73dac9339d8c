"""What the pipeline tests know about chapters: where they are and how their cells are marked."""

from __future__ import annotations

import importlib.util

from nnbook_grader.cells import CHAPTERS, ROOT, is_answer, is_test, meta, read, solution_notebooks  # noqa: F401


def _answers_module(kind: str, chapter: str):
    path = ROOT / "tests" / kind / (chapter.replace("-", "_") + ".py")
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"{kind}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wrong_answers(chapter: str) -> dict[str, str]:
    """The chapter's plausible wrong answers: tests/wrong_answers/<chNN_name>.py, WRONG = {grade_id: source}."""
    module = _answers_module("wrong_answers", chapter)
    return module.WRONG if module else {}


def wrong_variants(chapter: str) -> list[dict[str, str]]:
    """Extra wrong submissions: WRONG_VARIANTS = [{grade_id: source, ...}, ...] in the same file.

    Each variant is graded as a submission of its own (the other answers stay the model answers); the
    test cells that follow a replaced answer cell (up to the next answer cell) must lose points. A
    variant may name the test cells that must lose points itself with the key "_lose" (a list of
    grade_ids), e.g. only the hidden test for an answer hard-coded for the visible case."""
    module = _answers_module("wrong_answers", chapter)
    return list(getattr(module, "WRONG_VARIANTS", [])) if module else []


def right_answers(chapter: str) -> dict[str, str] | None:
    """Correct answers written differently from the model answer: tests/right_answers/<chNN_name>.py,
    RIGHT = {grade_id: source}; None if the chapter has no such file."""
    module = _answers_module("right_answers", chapter)
    return module.RIGHT if module else None


def reseeded_answers(chapter: str) -> dict[str, tuple[str, list[int]]]:
    """Grading-sensitive answers to re-run under several seeds: RESEED = {grade_id: (source, seeds)} in
    tests/right_answers/<chNN_name>.py, where the token __SEED__ in `source` (a correct answer that
    draws its randomness, e.g. its shuffle order, from that seed) is replaced by each seed in turn."""
    module = _answers_module("right_answers", chapter)
    return dict(getattr(module, "RESEED", {})) if module else {}


def answer_ids(chapter: str) -> set[str]:
    return {meta(c)["grade_id"] for p in solution_notebooks(chapter) for c in read(p).cells if is_answer(c)}


def answer_tests(chapter: str) -> dict[str, list[str]]:
    """answer grade_id -> the grade_ids of the test cells that follow it, up to the next answer cell."""
    out: dict[str, list[str]] = {}
    for path in solution_notebooks(chapter):
        current = None
        for cell in read(path).cells:
            if is_answer(cell):
                current = meta(cell)["grade_id"]
                out[current] = []
            elif is_test(cell) and current is not None:
                out[current].append(meta(cell)["grade_id"])
    return out


def variant_targets(variant: dict[str, str], follows: dict[str, list[str]]) -> list[str]:
    """The test cells a wrong variant must lose points in: its "_lose" list, or every test cell after
    the answer cells it replaces."""
    cells = [k for k in variant if not k.startswith("_")]
    return variant.get("_lose") or [t for k in cells for t in follows.get(k, [])]


def harness_variants(chapter: str) -> dict[int, dict[str, str]]:
    """The wrong variants (numbered from 1, as in WRONG_VARIANTS) that one exercise harness can judge: one
    answer cell replaced, every target among that cell's own test cells (tests/test_variants.py judges
    them under several seeds and thread counts); the others are graded as whole submissions
    (tests/test_pipeline.py)."""
    follows, out = answer_tests(chapter), {}
    for i, variant in enumerate(wrong_variants(chapter), 1):
        cells = [k for k in variant if not k.startswith("_")]
        if len(cells) == 1 and set(variant_targets(variant, follows)) <= set(follows.get(cells[0], [])):
            out[i] = variant
    return out


# A submission that tries to pass without solving anything: each answer cell takes the model answer
# from the grader package (nnbook_grader.answers) or a twin of the same name from the helper package
# (nnbook.*). Graded where students' code runs, it must lose the points of every test cell.
_CHEAT = """# cheating: the model answer from the grader package, or a twin from nnbook
import importlib
import pkgutil

import nnbook

_names = {names!r}
_found = {{}}
try:
    from nnbook_grader import answers as _answers

    _found.update(vars(_answers.load({chapter!r}, {grade_id!r})))
except Exception:
    pass
for _info in pkgutil.iter_modules(nnbook.__path__):
    try:
        _module = importlib.import_module("nnbook." + _info.name)
    except Exception:
        continue
    _found.update({{n: getattr(_module, n) for n in _names if n not in _found and hasattr(_module, n)}})
globals().update({{n: _found[n] for n in _names if n in _found}})
"""

# twins under other names, as a student who read nnbook's source would use them
_RENAMED = {
    "ch06-accuracy": "from nnbook import mnist_models as _mm\naccuracy = getattr(_mm, 'accuracy', None)\n",
    "ch06-linear": "from nnbook import mnist_models as _mm\nbuild_linear_keras = getattr(_mm, 'keras_linear', None)\n"
    "build_linear_torch = getattr(_mm, 'torch_linear', None)\n",
    "ch06-truncsample": "from nnbook import mnist_models as _mm\n_tn = getattr(_mm, 'truncated_normal_numpy', None)\n"
    "truncated_normal = (lambda shape, sd, rng: _tn(shape, sd, rng)) if _tn else None\n",
    "ch06-mlp": "from nnbook import mnist_models as _mm\nbuild_mlp_keras = getattr(_mm, 'keras_mlp', None)\n"
    "build_mlp_torch = getattr(_mm, 'torch_mlp', None)\n",
    "ch06-cnn": "from nnbook import mnist_models as _mm\nbuild_cnn_keras = getattr(_mm, 'keras_cnn', None)\n"
    "build_cnn_torch = getattr(_mm, 'torch_cnn', None)\n",
    "ch06-copy": "from nnbook import mnist_models as _mm\ncopy_weights = getattr(_mm, 'copy_keras_to_torch', None)\n",
    "ch06-step": "from nnbook import mnist_models as _mm\ntrain_step_torch = getattr(_mm, 'torch_train_step', None)\n",
    "ch07-data-make": "from nnbook import series as _s\nmake_series = getattr(_s, 'make_series', None)\n"
    "split_series = getattr(_s, 'split', None)\n",
    "ch07-prior": "from nnbook import series as _s\nsum_counts = getattr(_s, 'sum_counts', None)\n"
    "p_label_zero = getattr(_s, 'label_zero_probability', None)\n",
    "ch07-metrics": "from nnbook import series as _s\nconfusion_matrix = getattr(_s, 'confusion_matrix', None)\n"
    "accuracy = getattr(_s, 'accuracy', None)\n"
    "balanced_accuracy = getattr(_s, 'balanced_accuracy', None)\n",
    "ch07-models": "from nnbook import series as _s\nbuild_keras_model = getattr(_s, 'build_keras_lstm', None)\n"
    "_b = getattr(_s, 'build_torch_lstm', None)\n"
    "TorchLSTMClassifier = (lambda units=200, input_size=1: _b(units, input_size)) if _b else None\n",
    "ch07-copy": "from nnbook import series as _s\n"
    "copy_keras_to_torch = getattr(_s, 'copy_keras_lstm_to_torch', None)\n",
    # chapter 3's oracles once computed the exercise's numbers (gone from nnbook: these now find nothing)
    "ch03-mdrnn-count": "from nnbook import mdrnn as _m\n_c = getattr(_m, 'mdrnn_count', None)\n"
    "weights_3d = _c(3, 3, 16, 20) if _c else None\n",
    "ch03-tcn-count": "from nnbook import dilated as _d\n_f = getattr(_d, 'conv_stack_receptive_field', None)\n"
    "tcn_rf = _f(3, (1, 2, 4)) if _f else None\n",
}


def cheating_answers(chapter: str) -> dict[str, str]:
    """grade_id -> an answer cell that cheats (see _CHEAT), for every answer cell of the chapter."""
    from nnbook_grader import answers

    out = {}
    for _, grade_id, source in answers.answer_cells(chapter):
        try:
            names = sorted(answers.defined_names(source))
        except SyntaxError:
            names = []
        out[grade_id] = _RENAMED.get(grade_id, "") + _CHEAT.format(names=names, chapter=chapter, grade_id=grade_id)
    return out
