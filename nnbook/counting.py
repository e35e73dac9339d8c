"""Chapter 3's helpers, gathered from their homes (one home per concern; this module only names them):

* `nnbook.mdrnn` -- the n-D multidirectional RNN: weight shapes and counts, a NumPy forward pass,
  weights read from a torch model;
* `nnbook.dilated` -- stacks of dilated 1-D convolutions: receptive field, dependence measured by
  autodiff, the causal-field check and its figure;
* `nnbook.tensors.count_parameters` -- parameters of a built model (`count_torch`, `count_keras`);
* `nnbook.checks.evaluate_sympy` -- a student's formula at given values (`evaluate`).
"""

from __future__ import annotations

from .checks import evaluate_sympy as evaluate
from .dilated import (
    check_causal_field,
    conv_stack_offsets,
    conv_stack_receptive_field,
    dependence_keras,
    dependence_torch,
    plot_dilated_receptive_field,
)
from .mdrnn import direction_signs, mdrnn_count, mdrnn_forward_numpy, mdrnn_weight_shapes, mdrnn_weights_from_torch
from .tensors import count_parameters


def count_torch(model) -> int:
    """Parameters of a torch module, trainable or not (`nnbook.tensors.count_parameters`)."""
    return count_parameters(model, trainable_only=False)


def count_keras(model) -> int:
    """Parameters of a built Keras model, trainable or not (`nnbook.tensors.count_parameters`)."""
    return count_parameters(model, trainable_only=False)


__all__ = [
    "check_causal_field",
    "conv_stack_offsets",
    "conv_stack_receptive_field",
    "count_keras",
    "count_torch",
    "dependence_keras",
    "dependence_torch",
    "direction_signs",
    "evaluate",
    "mdrnn_count",
    "mdrnn_forward_numpy",
    "mdrnn_weight_shapes",
    "mdrnn_weights_from_torch",
    "plot_dilated_receptive_field",
]
