"""Plausible wrong answers for chapter 9: every test cell must reject them (tests/test_pipeline.py)."""

WRONG = {
    # the teacher-forced steps are scored too (an off-by-one at the start of the closed loop)
    "ch09-error": '''def closed_loop_error(outputs, targets, n_teacher=15):
    """Mean and sd over sequences of the closed-loop MSE, and the MSE per closed-loop step."""
    y = outputs.detach().cpu().numpy() if torch.is_tensor(outputs) else np.asarray(outputs)
    u = targets.detach().cpu().numpy() if torch.is_tensor(targets) else np.asarray(targets)
    squared = (y[:, n_teacher - 1:].astype(np.float64) - u[:, n_teacher - 1:]) ** 2
    per_sequence = squared.mean(axis=(1, 2, 3))
    return float(per_sequence.mean()), float(per_sequence.std()), squared.mean(axis=(0, 2, 3))''',
    # the teacher-forcing shortcut: every step reads the true input, the closed loop never closes
    "ch09-rollout": '''def rollout(model, inputs, n_teacher):
    """Run model.step over the T steps of inputs: teacher forcing for t < n_teacher, then closed loop."""
    state, outputs = None, []
    for t in range(inputs.shape[1]):
        y, state = model.step(inputs[:, t], state)
        outputs.append(y)
    return torch.stack(outputs, dim=1)''',
    # torch.roll wraps around the border: the pond becomes a torus
    "ch09-lateral": '''def lateral_exchange(lateral):
    """(B, L, H, W) lateral outputs -> (B, 8L, H, W) lateral inputs from the 8 neighbours, zeros beyond the border."""
    return torch.cat([torch.roll(lateral, shifts=(-di, -dj), dims=(2, 3)) for di, dj in waves.OFFSETS], dim=1)''',
    # rows built by a reshape without moving the channels last: PKs read other pixels' numbers
    "ch09-distana": '''class Distana(nn.Module):
    """One weight-shared prediction kernel on every pixel, exchanging lateral outputs with 8 neighbours."""

    def __init__(self, pk, lateral_size):
        super().__init__()
        self.pk = pk
        self.lateral_size = lateral_size

    def step(self, x, state=None):
        b, h, w = x.shape
        if state is None:
            lateral, pk_state = x.new_zeros(b, self.lateral_size, h, w), None
        else:
            lateral, pk_state = state
        inp = torch.cat([x[:, None], lateral_exchange(lateral)], dim=1)
        rows = inp.reshape(b * h * w, inp.shape[1])
        out, pk_state = self.pk(rows, pk_state)
        out = out.reshape(b, 1 + self.lateral_size, h, w)
        return out[:, 0], (out[:, 1:], pk_state)''',
    # a bigger PK, but still without memory: two feed-forward layers; and bias=False is not passed on
    "ch09-pk": '''class WavePK(nn.Module):
    """A prediction kernel with memory: pre-layer (tanh), LSTM cell, linear post-layer."""

    def __init__(self, lateral_size=1, bias=True):
        super().__init__()
        self.lateral_size = lateral_size
        self.pre = nn.Linear(1 + 8 * lateral_size, 16)
        self.post = nn.Linear(16, 1 + lateral_size)

    def forward(self, inp, state=None):
        return self.post(torch.tanh(self.pre(inp))), state''',
}

WRONG_VARIANTS = [
    # a PK whose memory is its own last prediction, the bias switch right: in the closed loop that is the
    # present value again, never the previous one (a memory-less PK is the main wrong answer above). Only
    # the hidden tests look for what the memory holds (the visible test must not tell what the wave needs)
    {
        "_lose": ["ch09-pk-hidden"],
        "ch09-pk": """class WavePK(nn.Module):
    def __init__(self, lateral_size=1, bias=True):
        super().__init__()
        self.linear = nn.Linear(2 + 8 * lateral_size, 1 + lateral_size, bias=bias)

    def forward(self, inp, state=None):
        previous = torch.zeros_like(inp[:, :1]) if state is None else state
        out = self.linear(torch.cat([inp[:, :1], previous, inp[:, 1:]], dim=1))
        return out, out[:, :1]""",
    },
]
