"""Plausible wrong answers for chapter 4: every test cell must reject them (tests/test_pipeline.py).

Each wrong answer is the model answer with one plausible mistake, made by replacing a piece of its
source; a replacement that no longer matches the notebook fails loudly here."""

import json
import re
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions" / "ch04-numpy-rnn" / "ch04-numpy-rnn.ipynb"


def _answer(grade_id: str) -> str:
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            source = "".join(cell["source"])
            return re.sub(r"^[ \t]*### (BEGIN|END) SOLUTION\n", "", source, flags=re.M)
    raise KeyError(grade_id)


def _mutate(grade_id: str, *replacements: tuple[str, str]) -> str:
    source = _answer(grade_id)
    for old, new in replacements:
        if source.count(old) != 1:
            raise ValueError(f"{grade_id}: {old!r} occurs {source.count(old)} times in the model answer")
        source = source.replace(old, new)
    return source


WRONG = {
    # no copies: get_weights hands out the layer's own array and set_weights keeps the caller's
    "ch04-weights": _mutate(
        "ch04-weights",
        ("        return np.array(self.weights, dtype=float)\n", "        return self.weights\n"),
        ("        new = np.array(weights, dtype=float)\n", "        new = np.asarray(weights, dtype=float)\n"),
    ),
    # the layers store their INPUT as `activations` (and differentiate through it correctly)
    "ch04-activations": _mutate(
        "ch04-activations",
        (
            "        self.activations = np.tanh(input_tensor)\n        return self.activations\n",
            "        self.activations = input_tensor\n        return np.tanh(input_tensor)\n",
        ),
        (
            "        return error_tensor * (1.0 - self.activations ** 2)\n",
            "        return error_tensor * (1.0 - np.tanh(self.activations) ** 2)\n",
        ),
        (
            "        self.activations = 0.5 * (1.0 + np.tanh(0.5 * input_tensor))"
            "  # = 1 / (1 + exp(-x)), never overflows\n        return self.activations\n",
            "        self.activations = input_tensor\n        return 0.5 * (1.0 + np.tanh(0.5 * input_tensor))\n",
        ),
        (
            "        return error_tensor * self.activations * (1.0 - self.activations)\n",
            "        s = 0.5 * (1.0 + np.tanh(0.5 * self.activations))\n        return error_tensor * s * (1.0 - s)\n",
        ),
    ),
    # gradients not truncated: the error flows back through every step of the call
    "ch04-rnn": _mutate(
        "ch04-rnn", ("dh_next = 0.0 if t % self.bptt_length == 0 else dz[t] @ w_hh.T", "dh_next = dz[t] @ w_hh.T")
    ),
    # gate order mixed up: the first two column blocks read as forget, input (not input, forget)
    "ch04-lstm": _mutate(
        "ch04-lstm",
        (
            "self.order = np.r_[3 * n_h:4 * n_h, 0:2 * n_h, 2 * n_h:3 * n_h]",
            "self.order = np.r_[3 * n_h:4 * n_h, n_h:2 * n_h, 0:n_h, 2 * n_h:3 * n_h]",
        ),
    ),
}

WRONG_VARIANTS = [
    {  # the hidden state is reset at every call, even with the memory on
        "ch04-rnn": _mutate(
            "ch04-rnn",
            (
                "        if not self.memorize:\n            self.hidden_state = np",
                "        if True:\n            self.hidden_state = np",
            ),
        ),
        # the LSTM keeps h but forgets its cell state between calls
        "ch04-lstm": _mutate(
            "ch04-lstm", ("hs[0], cs[0] = self.hidden_state, self.cell_state", "hs[0], cs[0] = self.hidden_state, 0.0")
        ),
        # the sigmoid's derivative applied to its output once more: sigma'(sigma(x))
        "ch04-activations": _mutate(
            "ch04-activations",
            (
                "        return error_tensor * self.activations * (1.0 - self.activations)\n",
                "        s = 0.5 * (1.0 + np.tanh(0.5 * self.activations))\n"
                "        return error_tensor * s * (1.0 - s)\n",
            ),
        ),
        # set_weights accepts any shape
        "ch04-weights": _mutate(
            "ch04-weights", ("        if new.shape != np.shape(self.weights):\n", "        if False:\n")
        ),
    },
    {  # windows counted from the end of the call instead of its first step
        "ch04-rnn": _mutate(
            "ch04-rnn",
            (
                "dh_next = 0.0 if t % self.bptt_length == 0 else dz[t] @ w_hh.T",
                "dh_next = 0.0 if (T - t) % self.bptt_length == 0 else dz[t] @ w_hh.T",
            ),
        ),
        # LSTM without truncation
        "ch04-lstm": _mutate("ch04-lstm", ("if t % self.bptt_length == 0:", "if t == 0:")),
        # tanh's derivative written as 1 - y (a slip)
        "ch04-activations": _mutate("ch04-activations", ("(1.0 - self.activations ** 2)", "(1.0 - self.activations)")),
        # get_gradient_weights returns the weights
        "ch04-weights": _mutate(
            "ch04-weights", ("        return self.gradient_weights\n", "        return self.weights\n")
        ),
    },
    {  # only the hidden weights are updated; W_y stays as it was
        "ch04-rnn": _mutate(
            "ch04-rnn",
            (
                "            self.output_layer.weights = self._output_optimizer.calculate_update(\n"
                "                self.output_layer.weights, self.output_layer.gradient_weights)\n",
                "",
            ),
        ),
        # the regularization loss counts W only
        "ch04-lstm": _mutate(
            "ch04-lstm",
            ("return regularizer.norm(self._w) + regularizer.norm(self._w_y)", "return regularizer.norm(self._w)"),
        ),
        # the backward pass forgets to multiply by the incoming error
        "ch04-activations": _mutate(
            "ch04-activations",
            ("return error_tensor * (1.0 - self.activations ** 2)", "return 1.0 - self.activations ** 2"),
        ),
        # set_weights keeps the caller's array
        "ch04-weights": _mutate(
            "ch04-weights",
            ("        new = np.array(weights, dtype=float)\n", "        new = np.asarray(weights, dtype=float)\n"),
        ),
    },
    {  # fan-in and fan-out swapped in the LSTM's initialize (a surviving mutant): He draws the wrong spread
        "ch04-lstm": _mutate(
            "ch04-lstm",
            (
                "weights_initializer.initialize((n_in + n_h, 4 * n_h), n_in + n_h, 4 * n_h)",
                "weights_initializer.initialize((n_in + n_h, 4 * n_h), 4 * n_h, n_in + n_h)",
            ),
        ),
        "_lose": ["ch04-lstm-hidden"],
    },
    {  # a fresh copy of the optimizer at every backward call: Adam restarts (its moments and step count lost)
        "ch04-rnn": _mutate(
            "ch04-rnn",
            (
                "self.hidden_layer.weights = self._hidden_optimizer.calculate_update(",
                "self.hidden_layer.weights = copy.deepcopy(self._optimizer).calculate_update(",
            ),
            (
                "self.output_layer.weights = self._output_optimizer.calculate_update(",
                "self.output_layer.weights = copy.deepcopy(self._optimizer).calculate_update(",
            ),
        ),
        # set_weights keeps the caller's array: changing it afterwards changes the layer
        "ch04-lstm": _mutate(
            "ch04-lstm",
            (
                "        self._w = np.array(weights, dtype=float)\n",
                "        self._w = np.asarray(weights, dtype=float)\n",
            ),
        ),
        "_lose": ["ch04-rnn-hidden", "ch04-lstm-hidden"],
    },
]
