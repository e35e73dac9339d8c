"""Small text data for chapter 10: texts that ship with Python, a character vocabulary, training
windows for a character-level language model, and a synthetic story with direct speech whose
characters are labelled inside (1) or outside (0) the quotation marks.

Nothing here touches the network: every text comes from the Python installation itself and every
generator is deterministic given its seed.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io

import numpy as np

QUOTE = '"'


# --------------------------------------------------------------------------- texts shipped with Python


def zen_of_python() -> str:
    """'The Zen of Python, by Tim Peters' (PEP 20), decoded from the stdlib module `this` (which
    stores it ROT13-encoded), without the print that ``import this`` does the first time."""
    with contextlib.redirect_stdout(io.StringIO()):
        import this  # noqa: F401  (prints the Zen on first import; silenced)
    return codecs.decode(this.s, "rot13")


def python_docs_text(ascii_only: bool = True) -> str:
    """The help topics of the Python Language Reference that CPython ships in ``pydoc_data.topics``
    (the text that ``help("assert")`` shows), joined in sorted topic order with blank lines.

    With `ascii_only` every non-ASCII character becomes '?' and tabs become four spaces, so that the
    vocabulary is plain printable ASCII plus the newline. The text is fixed for a given Python
    version (see `text_fingerprint`)."""
    from pydoc_data.topics import topics

    text = "\n\n".join(topics[key].strip("\n") for key in sorted(topics)) + "\n"
    if ascii_only:
        text = text.replace("\t", "    ")
        text = "".join(c if (" " <= c <= "~" or c == "\n") else "?" for c in text)
    return text


TEXTS = {"zen": zen_of_python, "python-docs": python_docs_text}


def shipped_text(name: str = "python-docs") -> str:
    """One of the texts in `TEXTS` by name."""
    if name not in TEXTS:
        raise ValueError(f"unknown text {name!r}; choose one of {sorted(TEXTS)}")
    return TEXTS[name]()


def text_fingerprint(text: str) -> str:
    """Length and the first 12 hex digits of the SHA-256, to record which text a run used."""
    return f"{len(text)} characters, sha256 {hashlib.sha256(text.encode()).hexdigest()[:12]}"


# --------------------------------------------------------------------------- characters <-> integers


class CharVocab:
    """A character vocabulary: the sorted distinct characters of a text, mapped to 0..size-1."""

    def __init__(self, text: str):
        if not text:
            raise ValueError("CharVocab needs a non-empty text")
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    @property
    def size(self) -> int:
        return len(self.chars)

    def __len__(self) -> int:
        return self.size

    def encode(self, text: str) -> np.ndarray:
        missing = sorted(set(text) - set(self.index))
        if missing:
            raise ValueError(f"characters not in the vocabulary: {missing[:10]!r}")
        return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in np.asarray(ids).ravel())


def next_char_batch(ids: np.ndarray, batch_size: int, seq_len: int, rng: np.random.Generator):
    """Random windows for next-character prediction: ``x[b] = ids[s:s+T]``, ``y[b] = ids[s+1:s+T+1]``.

    Returns two int64 arrays of shape (batch_size, seq_len)."""
    ids = np.asarray(ids)
    if len(ids) < seq_len + 1:
        raise ValueError(f"the text has {len(ids)} characters; windows of {seq_len} + 1 do not fit")
    starts = rng.integers(0, len(ids) - seq_len, size=batch_size)
    offsets = np.arange(seq_len)
    x = ids[starts[:, None] + offsets]
    y = ids[starts[:, None] + offsets + 1]
    return x.astype(np.int64), y.astype(np.int64)


# --------------------------------------------------------------------------- direct speech


def direct_speech_labels(text: str, quote: str = QUOTE) -> np.ndarray:
    """1 for every character of a quotation, its two quotation marks included, else 0.

    Straight quotes open and close alternately, so the label of a character is the parity of the
    marks before it (counting the mark itself). The text must hold an even number of marks."""
    marks = np.array([c == quote for c in text], dtype=np.int64)
    if marks.sum() % 2:
        raise ValueError(f"an unclosed quotation: the text holds {int(marks.sum())} quotation marks")
    before = np.cumsum(marks) - marks  # marks strictly before each character
    inside = before % 2 == 1
    return (inside | (marks == 1)).astype(np.int64)


_NAMES = ["Anna", "Tom", "Mia", "Leo", "the captain", "the old man", "Eva", "the girl"]
_SAY = ["said", "asked", "replied", "whispered", "called", "answered"]
_OPENERS = ["I", "We", "You", "They", "It", "Nobody"]
_VERBS = ["saw", "heard", "found", "lost", "wanted", "opened", "closed", "took"]
_THINGS = ["the key", "a light", "the boat", "the letter", "a bird", "the door", "the map", "a song"]
_PLACES = ["in the forest", "by the river", "at the station", "on the hill", "in the kitchen", "at night"]
_ACTIONS = [
    "walked to the window",
    "looked at the sea",
    "sat down",
    "opened the door",
    "closed the book",
    "stood up",
    "laughed",
    "went outside",
    "turned around",
]


def _speech(rng: np.random.Generator) -> str:
    """A short spoken sentence without its final punctuation."""
    pick = lambda xs: xs[rng.integers(len(xs))]  # noqa: E731
    if rng.random() < 0.3:
        return pick(["Where is", "Who has", "Did you see", "Have you found"]) + " " + pick(_THINGS)
    words = f"{pick(_OPENERS)} {pick(_VERBS)} {pick(_THINGS)}"
    if rng.random() < 0.5:
        words += " " + pick(_PLACES)
    return words


def speech_story(n_sentences: int, seed: int = 0) -> str:
    """A synthetic story: narration mixed with direct speech in straight double quotes, e.g.

    ``"I saw a light by the river," said Anna. Tom sat down. Leo asked, "Where is the key?"``

    Deterministic given `seed`; every quotation is closed."""
    rng = np.random.default_rng(seed)
    pick = lambda xs: xs[rng.integers(len(xs))]  # noqa: E731
    cap = lambda s: s[0].upper() + s[1:]  # noqa: E731
    out = []
    for _ in range(n_sentences):
        speech = _speech(rng)
        question = speech.split()[0] in ("Where", "Who", "Did", "Have")
        end = "?" if question else pick([".", "!"])
        form = rng.integers(4)
        who, say = pick(_NAMES), pick(_SAY)
        if form == 0:  # "Speech," said Anna.
            mid = "?" if question else pick([",", "!"])
            out.append(f"{QUOTE}{speech}{mid}{QUOTE} {say} {who}.")
        elif form == 1:  # Anna said, "Speech."
            out.append(f"{cap(who)} {say}, {QUOTE}{speech}{end}{QUOTE}")
        elif form == 2:  # "Speech," said Anna, "more speech."
            more = _speech(rng)
            end2 = "?" if more.split()[0] in ("Where", "Who", "Did", "Have") else "."
            more = more if more.startswith("I ") else more[0].lower() + more[1:]
            out.append(f"{QUOTE}{speech},{QUOTE} {say} {who}, {QUOTE}{more}{end2}{QUOTE}")
        else:  # narration
            out.append(f"{cap(who)} {pick(_ACTIONS)} {pick(_PLACES)}.")
    return " ".join(out)


def speech_windows(text: str, n: int, length: int, seed: int = 0, quote: str = QUOTE):
    """`n` windows of `length` characters cut at random places from `text`, with the labels of
    `direct_speech_labels(text)`: a window may start in the middle of a quotation, as a chunk cut
    from a book does. Returns (windows as a list of str, labels int64 array of shape (n, length))."""
    if len(text) < length:
        raise ValueError(f"the text has {len(text)} characters, fewer than a window of {length}")
    labels = direct_speech_labels(text, quote)
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(text) - length + 1, size=n)
    return [text[s : s + length] for s in starts], np.stack([labels[s : s + length] for s in starts])
