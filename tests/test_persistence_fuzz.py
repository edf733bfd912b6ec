"""Seeded fuzzing of ``nntricks.load``: every damaged or crafted model file is refused with a
``ValueError`` or ``OSError`` and a message, or loads into a model that predicts exactly as the
saved one; and nothing in a file ever runs.

The cases start from one real file (a Pipeline of a trusted scikit-learn ``StandardScaler``,
nntricks' ``Standardize`` and an ``MLPClassifier``): truncations, byte flips, hostile values at
random places of the JSON description, hostile ``.npy`` headers, zip features model files do not
use, and payloads that would create a file if any code from the file ran.
"""

import io
import json
import pickle
import struct
import warnings
import zipfile

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nntricks import MLPClassifier, Standardize, load
from nntricks.persistence import save

SEED = 20240613


class _Pwn:
    """Unpickling this creates ``path``: the proof that code from a file ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    X, y = make_classification(n_samples=60, n_features=5, n_informative=3, n_classes=3,
                               random_state=0)
    model = make_pipeline(StandardScaler(), Standardize(),
                          MLPClassifier(hidden_layer_sizes=(6,), max_iter=3, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    path = save(model, tmp_path_factory.mktemp("original") / "model.npz")
    return path.read_bytes(), X, y, model.predict_proba(X)


def _members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore", UserWarning)  # duplicate names
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def _with(content: bytes, replace: dict[str, bytes]) -> bytes:
    members = _members(content)
    members.update(replace)
    return _zip(list(members.items()))


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _npy_header(header: str, version: bytes = b"\x01\x00", data: bytes = b"") -> bytes:
    padded = header + " " * (-(10 + len(header) + 1) % 64) + "\n"
    return b"\x93NUMPY" + version + struct.pack("<H", len(padded)) + padded.encode() + data


def _meta(content: bytes) -> dict:
    return json.loads(str(np.load(io.BytesIO(_members(content)["__meta__.npy"]))))


def _with_meta(content: bytes, meta_text: str) -> bytes:
    return _with(content, {"__meta__.npy": _npy(np.array(meta_text))})


def _paths(node, path=()):
    """Every place in a JSON document, as a path of keys and indices."""
    yield path
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, value in items:
        yield from _paths(value, (*path, key))


def _get(document, path):
    for key in path:
        document = document[key]
    return document


def _set(document, path, value):
    if not path:
        return value
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return document


HOSTILE_VALUES = [None, True, False, -1, 0, 10**30, -(10**30), 1e308, -1e308, 2.5, "", "x",
                  "os.system", [], {}, [[[[]]]], {"float": "nan"}, {"unknown": 1},
                  {"estimator": ["0", {"class": "builtins.eval"}]}, {"type": "builtins.eval"},
                  {"dtype": "|O"}, {"array": "../0"}, {"objects": [{"list": []}]},
                  {"slice": [1, 2, "3"]}, {"scalar": ["object", 1]}, "1" * 5000, [10**6] * 3]


def _hostile_json_cases(content, rng, count):
    meta = _meta(content)
    paths = list(_paths(meta))
    for _ in range(count):
        path = paths[rng.integers(len(paths))]
        value = HOSTILE_VALUES[rng.integers(len(HOSTILE_VALUES))]
        if isinstance(value, bool) and isinstance(_get(meta, path), bool):
            value = None  # True for False is a valid edit (with_std=False), not a hostile one
        document = _set(json.loads(json.dumps(meta)), path, json.loads(json.dumps(value)))
        yield f"json {'/'.join(map(str, path))} = {value!r:.40}", _with_meta(
            content, json.dumps(document))


def _crafted_meta_cases(content):
    meta = _meta(content)
    text = json.dumps(meta)
    yield "json deeply nested", _with_meta(content, text[:-1] + ', "x": ' + "[" * 200_000
                                           + "]" * 200_000 + "}")
    yield "json not closed", _with_meta(content, "[" * 100_000)
    yield "json not an object", _with_meta(content, "[1, 2]")
    yield "json huge integer", _with_meta(content, text.replace('"format_version": 3',
                                                                '"format_version": ' + "9" * 5000))
    for name in ("os.system", "builtins.eval", "subprocess.Popen", "__builtins__", "Pipeline"):
        yield f"class {name}", _with_meta(content, json.dumps({**meta, "class": name}))
        step = json.loads(text)
        step["steps"][0][1]["class"] = name
        yield f"step class {name}", _with_meta(content, json.dumps(step))
        nested = json.loads(text)
        nested["steps"][0][1]["attributes"]["dict"]["mean_"] = {"estimator": ["0", {
            "class": name, "params": {"dict": {"command": "touch PWNED"}}}]}
        yield f"nested class {name}", _with_meta(content, json.dumps(nested))
    yield "huge declared description", _with(content, {"__meta__.npy": _npy_header(
        "{'descr': '<U20000000', 'fortran_order': False, 'shape': (), }", data=b"{}")})


def _npy_header_cases(content, pwned):
    target = "step2/params.npy"
    headers = {
        "huge shape": "{'descr': '<f8', 'fortran_order': False, 'shape': (10**12,), }",
        "huge shape literal": "{'descr': '<f8', 'fortran_order': False, "
                              "'shape': (1000000000000,), }",
        "huge 2-D shape": "{'descr': '<f8', 'fortran_order': True, "
                          "'shape': (4294967296, 4294967296), }",
        "negative shape": "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }",
        "shape not ints": "{'descr': '<f8', 'fortran_order': False, 'shape': ('1',), }",
        "fortran_order text": "{'descr': '<f8', 'fortran_order': 'yes', 'shape': (3,), }",
        "object dtype": "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
        "structured dtype": "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }",
        "complex dtype": "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
        "bytes dtype": "{'descr': '|S0', 'fortran_order': False, 'shape': (10**9,), }",
        "empty text dtype": "{'descr': '<U0', 'fortran_order': False, 'shape': (10**9,), }",
        "unknown dtype": "{'descr': 'zz', 'fortran_order': False, 'shape': (1,), }",
        "code in header": "{'descr': __import__('os').system('touch PWNED'), "
                          "'fortran_order': False, 'shape': (1,), }",
        "many dimensions": "{'descr': '<f8', 'fortran_order': False, 'shape': "
                           + str((1,) * 60) + ", }",
        "missing keys": "{'descr': '<f8'}",
        "not a dict": "[1, 2, 3]",
        "long header": "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': '"
                       + "x" * 20_000 + "'}",
    }
    for label, header in headers.items():
        yield f"npy {label}", _with(content, {target: _npy_header(header, data=b"\0" * 8)})
    yield "npy fortran order of the right size", _with(content, {target: _npy_header(
        "{'descr': '<f8', 'fortran_order': True, 'shape': (10, 10), }", data=b"\0" * 800)})
    yield "npy bad magic", _with(content, {target: b"\x93NUMPZ\x01\x00" + b"\0" * 100})
    yield "npy version 9", _with(content, {target: _npy_header(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b"\x09\x00", b"\0" * 8)})
    yield "npy empty member", _with(content, {target: b""})
    evil = _npy(np.array([_Pwn(pwned)], dtype=object))
    yield "pickled object as the parameters", _with(content, {target: evil})
    yield "pickled object as an extra member", _with(content, {"evil.npy": evil})
    yield "raw pickle as a member", _with(content, {target: pickle.dumps(_Pwn(pwned))})


def _patch_directory(content: bytes, offset_local: int, offset_central: int, value: int,
                     size: int = 2) -> bytes:
    """Set a field of every zip header: ``offset_local`` into local headers, ``offset_central``
    into central directory headers."""
    data = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", offset_local), (b"PK\x01\x02", offset_central)):
        start = data.find(signature)
        while start != -1:
            data[start + offset:start + offset + size] = value.to_bytes(size, "little")
            start = data.find(signature, start + 4)
    return bytes(data)


def _zip_cases(content, pwned):
    members = list(_members(content).items())
    yield "zip encrypted flag", _patch_directory(content, 6, 8, 0x1)
    for method in (99, 12, 14, 1):
        yield f"zip compression method {method}", _patch_directory(content, 8, 10, method)
    yield "zip member named ..", _zip([*members, ("../escape.npy", _npy(np.ones(2)))])
    yield "zip member named /abs", _zip([*members, ("/abs.npy", _npy(np.ones(2)))])
    yield "zip member not npy", _zip([*members, ("notes.txt", b"hello")])
    yield "zip duplicate member", _zip([*members, (members[-1][0], _npy(np.ones(2)))])
    yield "zip duplicate meta", _zip([*members, ("__meta__.npy", _npy(np.array("{}")))])
    yield "zip no members", _zip([])
    yield "zip huge declared size", _patch_directory(content, 22, 24, 2**32 - 1, size=4)
    yield "zip bad crc", _patch_directory(content, 14, 16, 0xDEADBEEF, size=4)
    yield "zip too many members", _zip([(f"m{i}.npy", b"") for i in range(10_001)])
    yield "whole file a pickle", pickle.dumps(_Pwn(pwned))
    yield "whole file an object npy", _npy(np.array([_Pwn(pwned)], dtype=object))


def _cases(content, pwned):
    rng = np.random.default_rng(SEED)
    yield "original", content
    for offset in sorted({0, 1, 4, 30, len(content) - 1, len(content) - 22,
                          *rng.integers(0, len(content), 80).tolist()}):
        yield f"truncated at {offset}", content[:offset]
    directory = content.rfind(b"PK\x01\x02")
    for i in range(150):
        data = bytearray(content)
        # a third of the flips in the zip directory and headers, the rest anywhere
        position = int(rng.integers(directory if i % 3 == 0 else 0, len(content)))
        data[position] ^= int(rng.integers(1, 256))
        yield f"byte {position} flipped", bytes(data)
    yield from _hostile_json_cases(content, rng, 150)
    yield from _crafted_meta_cases(content)
    yield from _npy_header_cases(content, pwned)
    yield from _zip_cases(content, pwned)


def test_every_damaged_or_crafted_file_is_refused_cleanly_or_loads_intact(original, tmp_path):
    content, X, y, expected = original
    pwned = tmp_path / "pwned" / "PWNED"
    pwned.parent.mkdir()
    outcomes = {"refused": 0, "loaded": 0}
    for label, data in _cases(content, pwned):
        path = tmp_path / "case.npz"
        path.write_bytes(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # a scikit-learn version changed
                model = load(path)
        except (ValueError, OSError) as error:
            assert str(error).strip(), label
            outcomes["refused"] += 1
        else:
            # copies: a file may say copy=False, which scikit-learn's scalers honour in place
            np.testing.assert_array_equal(model.predict_proba(X.copy()), expected, err_msg=label)
            try:  # it trains on, or says why not (early_stopping=True, say), never crashes
                model[-1].partial_fit(model[:-1].transform(X.copy()), y)
            except ValueError as error:
                assert str(error).strip(), label
            outcomes["loaded"] += 1
        assert not pwned.exists(), label
    assert not (tmp_path / "PWNED").exists() and not pwned.parent.joinpath("..", "PWNED").exists()
    assert outcomes["loaded"] >= 1 and outcomes["refused"] >= 300, outcomes


def test_the_pickle_payload_would_run_if_unpickled(tmp_path):
    """The fuzz test's payload is live: unpickling it creates the file it must never see."""
    pwned = tmp_path / "PWNED"
    pickle.loads(pickle.dumps(_Pwn(pwned))).close()
    assert pwned.exists()
