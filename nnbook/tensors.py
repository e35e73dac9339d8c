"""Framework-neutral access to tensors and models (NumPy, PyTorch, TensorFlow / Keras): one home for
turning a value into a NumPy array and for counting a model's parameters."""

from __future__ import annotations

import numpy as np


def to_numpy(value, dtype=np.float64) -> np.ndarray:
    """A torch tensor (detached, moved to the CPU), a TensorFlow tensor or Keras variable, an array,
    a nested list or a number as a NumPy array of `dtype` (``None`` keeps the value's own type)."""
    if hasattr(value, "detach"):  # torch
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # TensorFlow, Keras
        value = value.numpy()
    return np.asarray(value, dtype=dtype)


def is_torch(model) -> bool:
    """Whether `model` is a ``torch.nn.Module`` (False when PyTorch is not installed)."""
    try:
        import torch
    except ImportError:  # pragma: no cover
        return False
    return isinstance(model, torch.nn.Module)


def count_parameters(model, trainable_only: bool = True) -> int:
    """Parameters of a torch module or a Keras model (the trainable ones unless told otherwise);
    a tensor shared by two layers counts once."""
    if is_torch(model):
        return int(sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only))
    weights = model.trainable_weights if trainable_only else model.weights
    return int(sum(int(np.prod(w.shape)) for w in weights))
