"""Tests of lib.datasets.

The digits tests use scikit-learn's bundled data.  The download tests never touch the
internet: they write small IDX files of their own, serve them from an HTTP server on
127.0.0.1 (a thread, shut down at the end of each test), point the loaders at it by
replacing the entry of ``lib.datasets.SOURCES``, and keep every cache in ``tmp_path``.
"""

import gzip
import hashlib
import http.server
import socket
import struct
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from sklearn.datasets import load_digits as sklearn_digits

from lib import datasets
from lib.datasets import (
    DATA_DIR_ENV,
    DownloadError,
    Source,
    get_data_dir,
    load_dataset,
    load_digits,
    load_fashion_mnist,
    load_mnist,
    read_idx,
    train_val_split,
)

ROLES = ("x_train", "t_train", "x_test", "t_test")
NAMES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "t_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "t_test": "t10k-labels-idx1-ubyte.gz",
}


# ---------------------------------------------------------------------------------------
# Digits
# ---------------------------------------------------------------------------------------


def test_digits_shapes_dtypes_range_and_labels():
    (x_train, t_train), (x_test, t_test) = load_digits()
    n_test = round(1797 * datasets.DIGITS_TEST_FRACTION)
    assert x_train.shape == (1797 - n_test, 64)
    assert x_test.shape == (n_test, 64)
    assert t_train.shape == (1797 - n_test,)
    assert t_test.shape == (n_test,)
    for x in (x_train, x_test):
        assert x.dtype == np.float32
        assert x.min() == 0.0
        assert x.max() == 1.0
    for t in (t_train, t_test):
        assert t.dtype == np.int64
        assert set(np.unique(t).tolist()) == set(range(10))


def test_digits_split_is_stratified_and_covers_the_data():
    (x_train, t_train), (x_test, t_test) = load_digits(normalize=False)
    bunch = sklearn_digits()

    def rows(x, t):
        table = np.column_stack([x, t]).astype(np.int64)
        return table[np.lexsort(table.T[::-1])]

    together = rows(np.vstack([x_train, x_test]), np.concatenate([t_train, t_test]))
    np.testing.assert_array_equal(together, rows(bunch.data, bunch.target))

    counts = np.bincount(bunch.target, minlength=10)
    test_counts = np.bincount(t_test, minlength=10)
    share = counts * datasets.DIGITS_TEST_FRACTION
    assert np.all(test_counts >= np.floor(share))
    assert np.all(test_counts <= np.ceil(share))


def _digits_fingerprint():
    (x_train, t_train), (x_test, t_test) = load_digits()
    digest = hashlib.sha256()
    for a in (x_train, t_train, x_test, t_test):
        digest.update(a.tobytes())
    return digest.hexdigest()


def test_digits_split_is_the_same_every_time_and_in_a_fresh_process():
    first = _digits_fingerprint()
    datasets._digits_split.cache_clear()
    assert _digits_fingerprint() == first
    code = (
        "import hashlib\n"
        "from lib.datasets import load_digits\n"
        "d = hashlib.sha256()\n"
        "for part in load_digits():\n"
        "    for a in part:\n"
        "        d.update(a.tobytes())\n"
        "print(d.hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == first


def test_digits_unnormalized_keeps_the_pixel_scale():
    (x_raw, _), (x_raw_test, _) = load_digits(normalize=False)
    (x, _), (x_test, _) = load_digits()
    assert x_raw.dtype == np.float32
    assert x_raw.max() == 16.0
    np.testing.assert_array_equal(x_raw, np.round(x_raw))
    np.testing.assert_allclose(x_raw / 16.0, x)
    np.testing.assert_allclose(x_raw_test / 16.0, x_test)


def test_digits_one_hot_and_unflattened_forms_agree_with_the_default():
    (x, t), (x_test, t_test) = load_digits()
    (x4, t1), (x4_test, t1_test) = load_digits(flatten=False, one_hot=True)
    assert x4.shape == (len(x), 1, 8, 8)
    assert x4_test.shape == (len(x_test), 1, 8, 8)
    np.testing.assert_array_equal(x4.reshape(len(x), -1), x)
    for onehot, labels in ((t1, t), (t1_test, t_test)):
        assert onehot.dtype == np.float32
        assert onehot.shape == (len(labels), 10)
        np.testing.assert_array_equal(onehot.sum(axis=1), 1.0)
        np.testing.assert_array_equal(onehot.argmax(axis=1), labels)


def test_callers_cannot_corrupt_the_cached_digits():
    (x, t), (x_test, _) = load_digits(flatten=False)
    reference = x.copy(), t.copy(), x_test.copy()
    x[:] = -1.0
    t[:] = 3
    x_test *= 2.0
    (x2, t2), (x2_test, _) = load_digits(flatten=False)
    np.testing.assert_array_equal(x2, reference[0])
    np.testing.assert_array_equal(t2, reference[1])
    np.testing.assert_array_equal(x2_test, reference[2])


# ---------------------------------------------------------------------------------------
# train_val_split and load_dataset
# ---------------------------------------------------------------------------------------


def _unbalanced_labels():
    return np.repeat(np.arange(4), [50, 30, 15, 5])


def test_train_val_split_is_stratified_disjoint_and_deterministic():
    t = _unbalanced_labels()
    x = np.arange(len(t) * 3, dtype=np.float64).reshape(len(t), 3)
    x_before, t_before = x.copy(), t.copy()

    (x_tr, t_tr), (x_val, t_val) = train_val_split(x, t, val_fraction=0.2, seed=1)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(t, t_before)

    assert len(x_val) == round(len(x) * 0.2)
    assert len(x_tr) + len(x_val) == len(x)
    ids_tr, ids_val = x_tr[:, 0] // 3, x_val[:, 0] // 3
    assert not set(ids_tr) & set(ids_val)
    np.testing.assert_array_equal(np.sort(np.concatenate([ids_tr, ids_val])), np.arange(len(x)))
    np.testing.assert_array_equal(t[ids_val.astype(int)], t_val)
    np.testing.assert_array_equal(np.bincount(t_val, minlength=4), [10, 6, 3, 1])

    (_, _), (x_val_again, _) = train_val_split(x, t, val_fraction=0.2, seed=1)
    np.testing.assert_array_equal(x_val_again, x_val)
    (_, _), (x_val_other, _) = train_val_split(x, t, val_fraction=0.2, seed=2)
    assert not np.array_equal(x_val_other, x_val)


def test_train_val_split_accepts_one_hot_targets():
    t = _unbalanced_labels()
    onehot = np.eye(4, dtype=np.float32)[t]
    x = np.arange(len(t))
    (_, t_tr), (x_val, t_val) = train_val_split(x, onehot, val_fraction=0.3, seed=0)
    assert t_val.shape == (len(x_val), 4)
    np.testing.assert_array_equal(t_val.argmax(axis=1), t[x_val])
    val_counts = np.bincount(t_val.argmax(axis=1), minlength=4)
    share = np.bincount(t) * 0.3
    assert val_counts.sum() == round(len(t) * 0.3)
    assert np.all((np.floor(share) <= val_counts) & (val_counts <= np.ceil(share)))
    assert len(t_tr) == len(t) - len(x_val)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_train_val_split_rejects_fractions_outside_the_open_interval(fraction):
    t = _unbalanced_labels()
    with pytest.raises(ValueError, match=r"^val_fraction must be a number in \(0, 1\), got "):
        train_val_split(np.zeros((len(t), 2)), t, val_fraction=fraction)


def test_train_val_split_rejects_mismatched_lengths_and_empty_parts():
    with pytest.raises(ValueError, match="same length"):
        train_val_split(np.zeros((10, 2)), np.zeros(9, dtype=int))
    with pytest.raises(ValueError, match="^val_fraction must leave at least one example in each"):
        train_val_split(np.zeros((3, 2)), np.arange(3), val_fraction=0.1)


def test_load_dataset_dispatches_and_forwards_keywords():
    (x, t), (x_test, t_test) = load_dataset("digits", flatten=False)
    (x_ref, t_ref), (x_test_ref, t_test_ref) = load_digits(flatten=False)
    for got, want in ((x, x_ref), (t, t_ref), (x_test, x_test_ref), (t_test, t_test_ref)):
        np.testing.assert_array_equal(got, want)
    assert load_dataset()[0][0].shape == load_digits()[0][0].shape
    with pytest.raises(
        ValueError, match="^name must be one of 'digits', 'mnist', 'fashion_mnist', got 'cifar10'$"
    ):
        load_dataset("cifar10")


# ---------------------------------------------------------------------------------------
# IDX files
# ---------------------------------------------------------------------------------------


def idx_bytes(array, type_code=0x08, big_endian_dtype=">u1"):
    """The IDX encoding of ``array``, written independently of the reader under test."""
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=big_endian_dtype).tobytes()


def test_read_idx_reads_what_the_format_describes(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(5, 3, 4), dtype=np.uint8)
    path = tmp_path / "images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(images)))
    got = read_idx(path)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, images)

    ints = np.arange(-6, 6, dtype=np.int32).reshape(3, 4) * 70000
    plain = tmp_path / "ints-idx2-int"
    plain.write_bytes(idx_bytes(ints, type_code=0x0C, big_endian_dtype=">i4"))
    got = read_idx(plain)
    assert got.dtype == np.dtype(np.int32)
    assert got.dtype.isnative
    np.testing.assert_array_equal(got, ints)


def test_read_idx_rejects_bad_magic_and_short_files(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x01\x02\x08\x01" + struct.pack(">I", 2) + b"\x00\x00")
    with pytest.raises(ValueError, match="magic"):
        read_idx(bad)
    short = tmp_path / "short"
    short.write_bytes(idx_bytes(np.zeros((4, 2, 2), dtype=np.uint8))[:-3])
    with pytest.raises(ValueError, match="bytes"):
        read_idx(short)


# ---------------------------------------------------------------------------------------
# Downloads, served from 127.0.0.1
# ---------------------------------------------------------------------------------------


def _tiny_dataset():
    """40 training and 20 test 28x28 images, balanced over the 10 classes."""
    rng = np.random.default_rng(123)
    t_train = np.tile(np.arange(10, dtype=np.uint8), 4)
    t_test = np.tile(np.arange(10, dtype=np.uint8), 2)
    return {
        "x_train": rng.integers(0, 256, size=(40, 28, 28), dtype=np.uint8),
        "t_train": t_train,
        "x_test": rng.integers(0, 256, size=(20, 28, 28), dtype=np.uint8),
        "t_test": t_test,
    }


@pytest.fixture(scope="module")
def tiny():
    """The arrays and their gzipped IDX files: ``(arrays, {role: bytes})``."""
    arrays = _tiny_dataset()
    files = {role: gzip.compress(idx_bytes(arrays[role]), mtime=0) for role in ROLES}
    return arrays, files


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


class LocalMirrors:
    """An HTTP server on 127.0.0.1 serving several mirrors, each a path prefix.

    ``add(prefix, files, mode)`` serves ``{file name: bytes}`` under ``/prefix/``:
    ``"good"`` as given, ``"corrupt"`` with one byte changed, ``"truncate"`` announcing
    the full length but closing the connection halfway.  ``hits`` lists the paths asked.
    """

    def __init__(self):
        self.routes = {}
        self.hits = []
        mirrors = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.lstrip("/")
                mirrors.hits.append(path)
                if path not in mirrors.routes:
                    self.send_error(404)
                    return
                body, mode = mirrors.routes[path]
                if mode == "corrupt":
                    body = body[:-9] + bytes([body[-9] ^ 0xFF]) + body[-8:]
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if mode == "truncate" else body)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        self.running = True

    def add(self, prefix, files, mode="good"):
        for name, body in files.items():
            self.routes[f"{prefix}/{name}"] = (body, mode)
        return f"http://127.0.0.1:{self.port}/{prefix}/"

    def stop(self):
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=5)
            self.running = False


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    mirrors = LocalMirrors()
    yield mirrors
    mirrors.stop()


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """Keep every download test away from the user's real cache folder."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "env-data"))


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens: connections are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def use_mirrors(monkeypatch, tiny, mirrors, dataset="mnist"):
    """Point ``dataset`` at ``mirrors`` with the tiny files' own checksums."""
    _, files = tiny
    source = Source(
        title="Tiny test data",
        mirrors=tuple(mirrors),
        files={role: (NAMES[role], _sha256(files[role])) for role in ROLES},
    )
    monkeypatch.setitem(datasets.SOURCES, dataset, source)


def named_files(tiny):
    _, files = tiny
    return {NAMES[role]: files[role] for role in ROLES}


def assert_matches_tiny(result, tiny):
    arrays, _ = tiny
    (x_train, t_train), (x_test, t_test) = result
    assert x_train.dtype == np.float32
    assert t_train.dtype == np.int64
    np.testing.assert_allclose(x_train, arrays["x_train"].reshape(40, -1) / 255.0, rtol=1e-6)
    np.testing.assert_allclose(x_test, arrays["x_test"].reshape(20, -1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(t_train, arrays["t_train"])
    np.testing.assert_array_equal(t_test, arrays["t_test"])


def cache_contents(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_first_call_downloads_and_caches_second_call_needs_no_network(
    tmp_path, server, tiny, monkeypatch
):
    use_mirrors(monkeypatch, tiny, [server.add("good", named_files(tiny))])
    cache = tmp_path / "cache"

    assert_matches_tiny(load_mnist(cache_dir=cache), tiny)
    assert sorted(server.hits) == sorted(f"good/{name}" for name in NAMES.values())
    assert cache_contents(cache / "mnist") == sorted([*NAMES.values(), "mnist.npz"])

    assert_matches_tiny(load_mnist(cache_dir=cache), tiny)
    assert len(server.hits) == 4

    server.stop()
    assert_matches_tiny(load_mnist(cache_dir=cache), tiny)
    (x4, onehot), (x4_test, _) = load_mnist(flatten=False, one_hot=True, cache_dir=cache)
    assert x4.shape == (40, 1, 28, 28)
    assert x4_test.shape == (20, 1, 28, 28)
    assert onehot.shape == (40, 10)
    (x_raw, _), _ = load_mnist(normalize=False, cache_dir=cache)
    np.testing.assert_array_equal(x_raw, tiny[0]["x_train"].reshape(40, -1))


def test_the_cache_is_an_npz_without_pickles(tmp_path, server, tiny, monkeypatch):
    use_mirrors(monkeypatch, tiny, [server.add("good", named_files(tiny))])
    load_mnist(cache_dir=tmp_path)
    with np.load(tmp_path / "mnist" / "mnist.npz", allow_pickle=False) as stored:
        for role in ROLES:
            np.testing.assert_array_equal(stored[role], tiny[0][role])
            assert stored[role].dtype == np.uint8


def test_a_damaged_npz_is_rebuilt_from_the_verified_files_offline(
    tmp_path, server, tiny, monkeypatch
):
    use_mirrors(monkeypatch, tiny, [server.add("good", named_files(tiny))])
    load_mnist(cache_dir=tmp_path)
    server.stop()
    npz = tmp_path / "mnist" / "mnist.npz"
    npz.write_bytes(b"PK\x03\x04 this is not a whole zip archive")
    assert_matches_tiny(load_mnist(cache_dir=tmp_path), tiny)
    with np.load(npz, allow_pickle=False) as stored:
        assert set(stored.files) == {*ROLES, "sha256"}


def test_a_corrupted_download_is_rejected_and_the_next_mirror_used(
    tmp_path, server, tiny, monkeypatch
):
    files = named_files(tiny)
    bad = server.add("bad", files, mode="corrupt")
    good = server.add("good", files)
    use_mirrors(monkeypatch, tiny, [bad, good])
    assert_matches_tiny(load_mnist(cache_dir=tmp_path), tiny)
    assert any(hit.startswith("bad/") for hit in server.hits)
    for name, body in files.items():
        assert _sha256((tmp_path / "mnist" / name).read_bytes()) == _sha256(body)


@pytest.mark.parametrize("mode", ["corrupt", "truncate"])
def test_a_bad_only_mirror_leaves_nothing_behind(tmp_path, server, tiny, monkeypatch, mode):
    url = server.add("bad", named_files(tiny), mode=mode)
    use_mirrors(monkeypatch, tiny, [url])
    with pytest.raises(DownloadError) as info:
        load_mnist(cache_dir=tmp_path)
    assert url in str(info.value)
    assert cache_contents(tmp_path / "mnist") == []


def test_a_truncated_transfer_falls_through_to_the_next_mirror(
    tmp_path, server, tiny, monkeypatch
):
    files = named_files(tiny)
    use_mirrors(
        monkeypatch, tiny, [server.add("cut", files, "truncate"), server.add("good", files)]
    )
    assert_matches_tiny(load_mnist(cache_dir=tmp_path), tiny)
    assert cache_contents(tmp_path / "mnist") == sorted([*NAMES.values(), "mnist.npz"])


def test_a_corrupted_cached_file_is_never_used(tmp_path, server, tiny, monkeypatch):
    files = named_files(tiny)
    use_mirrors(monkeypatch, tiny, [server.add("good", files)])
    load_mnist(cache_dir=tmp_path)
    folder = tmp_path / "mnist"
    (folder / "mnist.npz").unlink()
    victim = folder / NAMES["x_test"]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))

    server.stop()
    with pytest.raises(DownloadError, match="load_digits"):
        load_mnist(cache_dir=tmp_path)
    assert NAMES["x_test"] not in cache_contents(folder)
    assert "mnist.npz" not in cache_contents(folder)

    again = LocalMirrors()
    try:
        use_mirrors(monkeypatch, tiny, [again.add("good", files)])
        assert_matches_tiny(load_mnist(cache_dir=tmp_path), tiny)
        assert again.hits == [f"good/{NAMES['x_test']}"]
    finally:
        again.stop()


def test_an_unreachable_mirror_falls_through_to_the_next(tmp_path, server, tiny, monkeypatch):
    use_mirrors(monkeypatch, tiny, [closed_port_url(), server.add("good", named_files(tiny))])
    start = time.perf_counter()
    assert_matches_tiny(load_mnist(cache_dir=tmp_path), tiny)
    assert time.perf_counter() - start < 5.0


def test_with_nothing_reachable_the_error_is_fast_and_names_load_digits(
    tmp_path, tiny, monkeypatch
):
    mirrors = [closed_port_url(), closed_port_url()]
    use_mirrors(monkeypatch, tiny, mirrors)
    start = time.perf_counter()
    with pytest.raises(DownloadError) as info:
        load_mnist(cache_dir=tmp_path)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0
    assert isinstance(info.value, OSError)
    message = str(info.value)
    assert "load_digits()" in message
    for url in mirrors:
        assert url in message
    assert cache_contents(tmp_path / "mnist") == []


def test_fashion_mnist_uses_the_environment_folder_and_load_dataset(
    tmp_path, server, tiny, monkeypatch
):
    use_mirrors(monkeypatch, tiny, [server.add("good", named_files(tiny))], "fashion_mnist")
    env_dir = tmp_path / "from-env"
    monkeypatch.setenv(DATA_DIR_ENV, str(env_dir))
    assert_matches_tiny(load_fashion_mnist(), tiny)
    assert "fashion_mnist.npz" in cache_contents(env_dir / "fashion_mnist")
    server.stop()
    assert_matches_tiny(load_dataset("fashion_mnist"), tiny)


def test_cache_dir_argument_beats_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "env"))
    assert get_data_dir() == tmp_path / "env"
    assert get_data_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv(DATA_DIR_ENV)
    default = get_data_dir()
    assert default.name == "nn-training-book"
    assert default != tmp_path / "env"


def test_subset_is_a_stratified_deterministic_part_of_the_training_set(
    tmp_path, server, tiny, monkeypatch
):
    use_mirrors(monkeypatch, tiny, [server.add("good", named_files(tiny))])
    (x_all, _), _ = load_mnist(cache_dir=tmp_path)
    (x_sub, t_sub), (x_test, t_test) = load_mnist(subset=20, cache_dir=tmp_path)
    assert x_sub.shape == (20, 784)
    np.testing.assert_array_equal(np.bincount(t_sub, minlength=10), np.full(10, 2))
    assert x_test.shape == (20, 784)
    np.testing.assert_array_equal(t_test, tiny[0]["t_test"])
    rows = {row.tobytes() for row in x_all}
    assert all(row.tobytes() in rows for row in x_sub)

    (x_sub_again, _), _ = load_mnist(subset=20, cache_dir=tmp_path)
    np.testing.assert_array_equal(x_sub_again, x_sub)
    for bad in (0, 41, 2.5, True):
        with pytest.raises(ValueError, match=r"^subset must be an integer in \[1, 40\], got "):
            load_mnist(subset=bad, cache_dir=tmp_path)


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_the_published_file_table_is_complete(name):
    source = datasets.SOURCES[name]
    assert len(source.mirrors) >= 2
    assert all(m.startswith(("https://", "http://")) and m.endswith("/") for m in source.mirrors)
    assert set(source.files) == set(ROLES)
    assert [source.files[role][0] for role in ROLES] == [NAMES[role] for role in ROLES]
    for _, sha256 in source.files.values():
        assert len(sha256) == 64
        int(sha256, 16)
    assert len(set(source.hashes())) == 4
