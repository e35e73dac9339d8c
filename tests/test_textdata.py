"""Unit tests for nnbook.textdata (chapter 10's texts, vocabulary and direct-speech data)."""

import numpy as np
import pytest

from nnbook import textdata


def test_zen_is_decoded_and_silent(capsys):
    zen = textdata.zen_of_python()
    assert zen.startswith("The Zen of Python, by Tim Peters")
    assert "Beautiful is better than ugly." in zen
    assert capsys.readouterr().out == ""


def test_python_docs_text_is_ascii_deterministic_and_long():
    a, b = textdata.python_docs_text(), textdata.python_docs_text()
    assert a == b and len(a) > 100_000
    assert all(" " <= c <= "~" or c == "\n" for c in a)
    assert "assert" in a and "\t" not in a
    assert textdata.shipped_text("python-docs") == a
    assert textdata.text_fingerprint(a).startswith(f"{len(a)} characters")
    with pytest.raises(ValueError):
        textdata.shipped_text("moby-dick")


def test_vocab_round_trip_and_errors():
    vocab = textdata.CharVocab("hello world")
    assert vocab.chars == sorted(set("hello world")) and len(vocab) == vocab.size == 8
    ids = vocab.encode("low")
    assert ids.dtype == np.int64 and vocab.decode(ids) == "low"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("xyz")
    with pytest.raises(ValueError):
        textdata.CharVocab("")


def test_next_char_batch_shifts_by_one():
    ids = np.arange(50)
    x, y = textdata.next_char_batch(ids, 4, 10, np.random.default_rng(0))
    assert x.shape == y.shape == (4, 10)
    np.testing.assert_array_equal(y, x + 1)
    np.testing.assert_array_equal(x[:, 1:] - x[:, :-1], 1)
    with pytest.raises(ValueError):
        textdata.next_char_batch(np.arange(5), 2, 5, np.random.default_rng(0))


def test_direct_speech_labels_include_the_marks():
    text = 'Tom said, "Hi." Then "yes" no'
    labels = textdata.direct_speech_labels(text)
    inside = "".join(c for c, l in zip(text, labels) if l)
    assert inside == '"Hi.""yes"'
    assert labels[text.index("Then")] == 0
    with pytest.raises(ValueError, match="unclosed"):
        textdata.direct_speech_labels('He said, "oops')


def test_speech_story_is_deterministic_and_balanced():
    a, b, c = textdata.speech_story(50, 1), textdata.speech_story(50, 1), textdata.speech_story(50, 2)
    assert a == b and a != c
    assert a.count('"') % 2 == 0 and a.count('"') > 20
    labels = textdata.direct_speech_labels(a)
    assert 0.2 < labels.mean() < 0.8  # both classes are well represented
    assert " i " not in a  # "I" stays a capital inside a continued quotation


def test_speech_windows_match_the_story_labels():
    story = textdata.speech_story(100, 3)
    full = textdata.direct_speech_labels(story)
    windows, labels = textdata.speech_windows(story, 20, 40, seed=5)
    assert len(windows) == 20 and labels.shape == (20, 40)
    for w, l in zip(windows, labels):
        start = story.find(w)
        assert start >= 0 and len(w) == 40
        # the window's own text may be ambiguous; its labels come from the whole story
        np.testing.assert_array_equal(l, full[start : start + 40])
    # some windows start inside a quotation
    assert labels[:, 0].any()
    with pytest.raises(ValueError):
        textdata.speech_windows("short", 1, 40)
