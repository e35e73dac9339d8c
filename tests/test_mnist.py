import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from nnbook import mnist

SHARED = Path(os.environ.get("MNIST_DIR") or mnist.SHARED_DIR)
have_mnist = pytest.mark.skipif(not (SHARED / "t10k-labels-idx1-ubyte.gz").exists(), reason=f"no MNIST in {SHARED}")


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No MNIST_DIR, no shared folder, an empty cache, and no network."""
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setattr(mnist, "SHARED_DIR", tmp_path / "no-shared-folder")
    monkeypatch.setenv("NNBOOK_CACHE", str(tmp_path / "cache"))

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", offline)
    return tmp_path


def test_parse_small_idx_written_here(tmp_path):
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4) % 256
    path = tmp_path / "tiny-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(images)))
    assert np.array_equal(mnist.parse_idx(mnist.read_bytes(path)), images)
    plain = tmp_path / "tiny-idx1-ubyte"
    plain.write_bytes(idx_bytes(np.array([3, 1, 4])))
    assert mnist.parse_idx(mnist.read_bytes(plain)).tolist() == [3, 1, 4]


def test_bad_idx_is_a_clear_error():
    with pytest.raises(mnist.MnistError, match="not an IDX file"):
        mnist.parse_idx(b"PK\x03\x04 a zip file")
    data = idx_bytes(np.zeros((4, 2, 2)))
    with pytest.raises(mnist.MnistError, match="truncated or damaged"):
        mnist.parse_idx(data[:-3])


def test_truncated_gzip_is_a_clear_error(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(100) % 10))[:-10])
    with pytest.raises(mnist.MnistError, match="damaged or truncated"):
        mnist.read_bytes(path)


def test_missing_and_offline_says_what_to_set(isolated):
    with pytest.raises(mnist.MnistError, match="MNIST_DIR") as err:
        mnist.load_mnist()
    assert "network is unreachable" in str(err.value)
    assert not any((isolated / "cache").rglob("*.gz")), "a failed download must leave nothing behind"


def test_one_search_order_for_the_loader_and_the_grader_box(isolated, monkeypatch):
    """The box mounts the folder that nnbook.mnist's own search finds, the cache folder included."""
    from nnbook_grader import box

    assert mnist.find_dir() is None and box._mnist_dir({}) is None and box._data_paths({}) == []
    cache, own = isolated / "cache" / "mnist", isolated / "own"
    for folder in (cache, own):
        folder.mkdir(parents=True)
        for name in mnist.FILES:
            (folder / f"{name}.gz").write_bytes(b"")
    assert mnist.find_dir() == cache and box._mnist_dir({}) == str(cache)
    (own / "t10k-labels-idx1-ubyte.gz").unlink()
    assert mnist.find_dir(own) == cache, "a folder without all four files is passed over"
    (own / "t10k-labels-idx1-ubyte").write_bytes(b"")
    monkeypatch.setenv("MNIST_DIR", str(own))
    assert mnist.search_folders()[0] == own and mnist.find_dir() == own
    assert box._mnist_dir({"MNIST_DIR": str(own)}) == str(own)
    assert box._data_paths({"MNIST_DIR": str(own)}) == [os.path.realpath(own)]


@have_mnist
def test_corrupt_file_is_reported_and_left_alone(isolated):
    folder = isolated / "mnist"
    folder.mkdir()
    for name in mnist.FILES:
        (folder / f"{name}.gz").symlink_to(SHARED / f"{name}.gz")
    bad = folder / "t10k-labels-idx1-ubyte.gz"
    bad.unlink()
    content = bytearray(gzip.decompress((SHARED / "t10k-labels-idx1-ubyte.gz").read_bytes()))
    content[100] ^= 0xFF  # one flipped byte, right size
    bad.write_bytes(gzip.compress(bytes(content)))
    before = bad.read_bytes()
    with pytest.raises(mnist.MnistError, match="MD5 .* expected 27ae3e4e09519cfbb04c329615203637"):
        mnist.load_mnist(folder)
    assert bad.read_bytes() == before, "the loader must never overwrite a file it found"
    bad.write_bytes(gzip.compress(bytes(content[:5000])))
    with pytest.raises(mnist.MnistError, match="expected 10,008 decompressed bytes, found 5,000"):
        mnist.load_mnist(folder)


@have_mnist
def test_loads_the_shared_copy(monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(SHARED))
    x_train, y_train, x_test, y_test = mnist.load_mnist(download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    xf, yf, xt, yt = mnist.load_mnist_float(download=False, limit_train=500, limit_test=100)
    assert xf.shape == (500, 784) and xt.shape == (100, 784) and xf.dtype == np.float32
    assert 0.0 <= xf.min() and xf.max() <= 1.0 and yf.dtype == np.int64


def test_the_default_folder_is_defined_in_one_place():
    """Only nnbook.mnist names ../shared/data/mnist in code (the Makefile, CI and tests rely on it)."""
    root = Path(__file__).resolve().parent.parent
    files = [
        p for p in root.rglob("*.py") if not any(part.startswith((".", "_build")) for part in p.relative_to(root).parts)
    ]
    files += [root / "Makefile", root / ".ci" / "run"]

    def names_it(path):
        return any(
            "data" in line and "mnist" in line and "shared" in line and not line.lstrip().startswith("#")
            for line in path.read_text().splitlines()
        )

    naming = sorted(
        str(p.relative_to(root))
        for p in files
        if p.exists() and p.name not in ("mnist.py", "test_mnist.py") and names_it(p)
    )
    assert not naming, f"these files define their own MNIST folder; use nnbook.mnist.SHARED_DIR: {naming}"
