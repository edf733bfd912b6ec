"""The GPU seam, proven on the CPU: a stand-in device whose arrays refuse NumPy.

Everything nntricks computes goes through the array namespace of :mod:`nntricks.backend`. The
stand-in of ``standin_device`` has NumPy's arithmetic behind arrays that NumPy's own functions
refuse and that count every copy between host and device, so that a stray ``np.`` call or a
per-step copy to the host fails here, not only on a GPU. Its arithmetic being NumPy's, a run on it
must equal the CPU run bit for bit. The tests that need no CuPy check the message a user without
a GPU gets.
"""

import importlib.util
import sys
import types

import numpy as np
import pytest
from sklearn.datasets import load_digits

import nntricks.backend
from nntricks import MLPClassifier, MLPRegressor, load, optim
from nntricks.backend import DeviceUnavailableError, get_backend, to_numpy
from nntricks.cli import main
from nntricks.gradcheck import check_network
from nntricks.mlp import build_mlp
from nntricks.regularizers import L1, L2
from nntricks.training import Trainer
from standin_device import NAMESPACE, TRANSFERS, DeviceArray, StandInBackend, StrayHostCall

CUPY_INSTALLED = importlib.util.find_spec("cupy") is not None


@pytest.fixture
def standin(monkeypatch):
    """The stand-in device, also answering to ``device="cuda"``."""
    device = StandInBackend()
    monkeypatch.setitem(nntricks.backend._BY_TYPE, DeviceArray, device)
    monkeypatch.setattr(nntricks.backend, "_CUDA", [device])
    # the CPU runs compared with take the same (namespace) code, not the fused CPU kernels
    monkeypatch.setattr(nntricks.backend.NUMPY, "kernels", None)
    TRANSFERS.clear()
    return device


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32)[:600], y[:600]


def data(rng, n_samples=96, n_features=5, n_outputs=3, loss="softmax_cross_entropy"):
    X = rng.standard_normal((n_samples, n_features)).astype(np.float32)
    if loss == "softmax_cross_entropy":
        Y = np.eye(n_outputs, dtype=np.float32)[rng.integers(0, n_outputs, n_samples)]
    elif loss == "binary_cross_entropy":
        Y = (rng.random((n_samples, n_outputs)) < 0.5).astype(np.float32)
    else:  # squared error and Poisson: non-negative targets
        Y = rng.poisson(2.0, (n_samples, n_outputs)).astype(np.float32)
    return X, Y


def train_on(device, X, Y, optimizer, *, epochs=3, sample_weight=None, validation=None,
             **network):
    network.setdefault("dropout", 0.25)
    net = build_mlp(X.shape[1], network.pop("hidden", (8, 6)), Y.shape[1], device=device,
                    regularizers=[L2(1e-3), L1(1e-4)], **network).initialize(7)
    trainer = Trainer(net, optimizer, batch_size=16, random_state=3)
    score = None if validation is None else (lambda X_, Y_, w_: -net.loss(X_, Y_, w_))
    trainer.run(X, Y, sample_weight, max_epochs=epochs, validation=validation, score=score,
                stop_early=False)
    return net, trainer


def assert_same_run(cpu, device):
    (cpu_net, cpu_trainer), (device_net, device_trainer) = cpu, device
    assert isinstance(device_net.params, DeviceArray)
    np.testing.assert_array_equal(to_numpy(device_net.params), cpu_net.params)
    np.testing.assert_array_equal(to_numpy(device_net.buffers), cpu_net.buffers)
    np.testing.assert_allclose([r.loss for r in device_trainer.history],
                               [r.loss for r in cpu_trainer.history], rtol=1e-12)


# -- the stand-in is strict -------------------------------------------------------------------


def test_the_stand_in_refuses_numpy_functions_and_host_arrays(standin):
    x = standin.asarray(np.arange(6.0).reshape(2, 3))
    for stray in (lambda: np.tanh(x), lambda: np.asarray(x), lambda: np.add.reduce(x, axis=0),
                  lambda: np.clip(x, 0, 1), lambda: NAMESPACE.add(x, np.ones(3))):
        with pytest.raises(StrayHostCall):
            stray()
    assert isinstance(NAMESPACE.tanh(x), DeviceArray) and isinstance(x.sum(axis=0), DeviceArray)
    TRANSFERS.clear()
    assert float(x.sum()) == 15.0 and TRANSFERS == {"to host": 1}


# -- the whole training step, optimizer included, through the seam ------------------------------


OPTIMIZERS = {
    "sgd": lambda: optim.sgd(0.05),
    "momentum": lambda: optim.sgd(0.05, momentum=0.9),
    "nesterov": lambda: optim.sgd(0.05, momentum=0.9, nesterov=True),
    "adagrad": lambda: optim.adagrad(0.05),
    "adagrad, ε outside the root": lambda: optim.adagrad(0.05, eps_inside_root=False),
    "rmsprop": lambda: optim.rmsprop(0.01),
    "adam": lambda: optim.adam(0.01),
    "adam, no bias correction": lambda: optim.adam(0.01, bias_correction=False),
    "adamw": lambda: optim.adamw(0.01),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_trains_on_the_device_exactly_as_on_the_cpu(name, standin, rng):
    X, Y = data(rng)
    w = rng.random(len(X)).astype(np.float32) + 0.5
    runs = [train_on(device, X, Y, OPTIMIZERS[name](), sample_weight=w, batch_norm=True,
                     validation=(X[:20], Y[:20], None))
            for device in ("cpu", standin)]
    assert_same_run(*runs)


def test_fan_in_scaling_on_the_device(standin, rng):
    X, Y = data(rng)
    runs = []
    for device in ("cpu", standin):
        net = build_mlp(5, (8,), 3, device=device).initialize(1)
        optimizer = optim.Optimizer(optim.adam(0.01).transform,
                                    optim.scale_by_fan_in(net.fan_in_scale))
        Trainer(net, optimizer, batch_size=16, random_state=0).run(X, Y, max_epochs=2)
        runs.append(to_numpy(net.params))
    np.testing.assert_array_equal(*runs)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "hardtanh", "softsign", "relu",
                                        "leaky_relu", "identity"])
def test_every_activation_on_the_device(activation, standin, rng):
    X, Y = data(rng)
    runs = [train_on(device, X, Y, optim.adam(0.01), activation=activation)
            for device in ("cpu", standin)]
    assert_same_run(*runs)


@pytest.mark.parametrize("loss", ["softmax_cross_entropy", "binary_cross_entropy",
                                  "squared_error", "poisson"])
def test_every_loss_on_the_device(loss, standin, rng):
    X, Y = data(rng, loss=loss)
    runs = [train_on(device, X, Y, optim.sgd(0.01, momentum=0.9), loss=loss, dropout=0.0)
            for device in ("cpu", standin)]
    assert_same_run(*runs)


def run_counting_transfers(device, X, Y, epochs):
    net = build_mlp(X.shape[1], (8, 6), Y.shape[1], batch_norm=True, dropout=0.25,
                    regularizers=[L2(1e-3)], device=device).initialize(0)
    trainer = Trainer(net, optim.adam(0.01), batch_size=16, random_state=3)
    TRANSFERS.clear()
    trainer.run(X, Y, max_epochs=epochs, stop_early=False)
    return net


def test_an_epoch_copies_one_loss_to_the_host_not_one_per_step(standin, rng):
    X, Y = data(rng, n_samples=160)  # 10 steps an epoch
    run_counting_transfers(standin, X, Y, epochs=4)
    # up: the data once (X and Y), then each epoch's sample order; down: each epoch's loss
    assert TRANSFERS == {"to device": 2 + 4, "to host": 4}, TRANSFERS


def test_data_too_big_for_the_device_go_over_batch_by_batch(monkeypatch, rng):
    monkeypatch.setattr(nntricks.backend.NUMPY, "kernels", None)
    small = StandInBackend(free_memory=1000)
    monkeypatch.setitem(nntricks.backend._BY_TYPE, DeviceArray, small)
    X, Y = data(rng, n_samples=160)
    net = run_counting_transfers(small, X, Y, epochs=2)
    assert TRANSFERS == {"to device": 2 * 10 * 2, "to host": 2}, TRANSFERS  # X, Y each step
    np.testing.assert_array_equal(to_numpy(net.params),
                                  run_counting_transfers("cpu", X, Y, epochs=2).params)


def test_prediction_and_the_loss_on_the_device(standin, rng):
    X, Y = data(rng)
    nets = [build_mlp(5, (8,), 3, batch_norm=True, device=device).initialize(0)
            for device in ("cpu", standin)]
    predictions = nets[1].predict(X)
    assert isinstance(predictions, DeviceArray)
    np.testing.assert_array_equal(to_numpy(predictions), nets[0].predict(X))
    assert nets[1].loss(X, Y) == nets[0].loss(X, Y)


def test_the_gradient_checker_checks_a_network_on_the_device(standin, rng):
    X, Y = data(rng, n_samples=12)
    reports = [check_network(build_mlp(5, (4,), 3, activation="tanh", batch_norm=True,
                                       regularizers=[L2(0.1)], dtype=np.float64,
                                       device=device).initialize(0), X, Y)
               for device in ("cpu", standin)]
    assert reports[1].passed
    errors = [[a.max_relative_error for a in report.arrays] for report in reports]
    assert errors[1] == errors[0]


# -- the estimators: NumPy in, NumPy out -------------------------------------------------------


def classifier(**params):
    params = dict(hidden_layer_sizes=(32,), max_iter=5, random_state=0, dtype="float32",
                  dropout=0.1, batch_norm=True, early_stopping=True, class_weight="balanced",
                  n_iter_no_change=50) | params
    return MLPClassifier(**params)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_classifier_on_the_device_equals_the_cpu_one(standin, digits):
    X, y = digits
    cpu = classifier().fit(X, y)
    gpu = classifier(device="cuda").fit(X, y)
    assert isinstance(gpu.network_.params, DeviceArray)
    for got, expected in zip(gpu.coefs_ + gpu.intercepts_, cpu.coefs_ + cpu.intercepts_,
                             strict=True):
        assert type(got) is np.ndarray
        np.testing.assert_array_equal(got, expected)
    assert gpu.loss_curve_ == cpu.loss_curve_
    assert gpu.validation_scores_ == cpu.validation_scores_
    assert type(gpu.predict(X)) is np.ndarray
    np.testing.assert_array_equal(gpu.predict_proba(X), cpu.predict_proba(X))
    # device arrays in, device arrays out
    on_device = gpu.predict_proba(standin.asarray(X))
    assert isinstance(on_device, DeviceArray)
    np.testing.assert_array_equal(to_numpy(on_device), cpu.predict_proba(X))
    labels = gpu.predict(standin.asarray(X))
    assert isinstance(labels, DeviceArray)
    np.testing.assert_array_equal(to_numpy(labels), cpu.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_the_regressor_on_the_device_equals_the_cpu_one(solver, standin, rng):
    X, Y = data(rng, loss="squared_error")
    params = dict(hidden_layer_sizes=(16,), solver=solver, max_iter=20, random_state=0,
                  dtype="float32")
    cpu = MLPRegressor(**params).fit(X, Y)
    gpu = MLPRegressor(**params, device="cuda").fit(standin.asarray(X), standin.asarray(Y))
    np.testing.assert_array_equal(gpu.predict(X), cpu.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_model_trained_on_the_device_loads_and_predicts_without_one(standin, monkeypatch,
                                                                      digits, tmp_path):
    X, y = digits
    gpu = classifier(device="cuda").fit(X, y)
    gpu.save(tmp_path / "model.nntricks")
    monkeypatch.setattr(nntricks.backend, "_CUDA", [])
    monkeypatch.setitem(sys.modules, "cupy", None)  # this machine has no CuPy
    loaded = load(tmp_path / "model.nntricks")
    assert loaded.device == "cuda" and isinstance(loaded.network_.params, np.ndarray)
    np.testing.assert_allclose(loaded.predict_proba(X), gpu.predict_proba(X), rtol=1e-6,
                               atol=1e-7)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_training_moves_to_the_device_with_its_optimizer_state(standin, digits):
    X, y = digits
    stays, moves = (classifier(early_stopping=False, class_weight=None).partial_fit(
        X, y, classes=np.unique(y)) for _ in range(2))
    stays.partial_fit(X, y)
    moves.set_params(device="cuda").partial_fit(X, y)
    assert isinstance(moves.network_.params, DeviceArray)
    np.testing.assert_array_equal(to_numpy(moves.network_.params), stays.network_.params)


# -- without a GPU: one clear message, before any work -----------------------------------------


@pytest.mark.skipif(CUPY_INSTALLED, reason="CuPy is installed: this machine may train on a GPU")
def test_without_cupy_fit_says_which_extra_to_install(digits):
    X, y = digits
    bad = X.copy()
    bad[0, 0] = np.nan  # the device is checked first, before the data
    for model in (MLPClassifier(device="cuda"), MLPRegressor(device="cuda")):
        with pytest.raises(DeviceUnavailableError, match=r'pip install "nntricks\[gpu\]"'):
            model.fit(bad, y)
        assert not hasattr(model, "network_")


@pytest.mark.skipif(CUPY_INSTALLED, reason="CuPy is installed: this machine may train on a GPU")
def test_without_cupy_the_cli_says_which_extra_to_install(tmp_path, capsys):
    code = main(["train", "--device", "cuda", "--output", str(tmp_path), "--quiet"])
    printed = capsys.readouterr()
    message = printed.err
    assert code == 1 and printed.out == ""  # said before any work (no data loaded, no recipe)
    assert 'needs CuPy, which is not installed: install CuPy with pip install "nntricks[gpu]"' \
        in message and "Traceback" not in message


def test_without_a_cuda_device_fit_says_so(monkeypatch, digits):
    class CUDARuntimeError(RuntimeError):
        pass

    def no_device():
        raise CUDARuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    cupy = types.ModuleType("cupy")
    cupy.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_device))
    cupyx = types.ModuleType("cupyx")
    cupyx.scipy = types.ModuleType("cupyx.scipy")
    cupyx.scipy.sparse = types.ModuleType("cupyx.scipy.sparse")
    for name, module in (("cupy", cupy), ("cupyx", cupyx), ("cupyx.scipy", cupyx.scipy),
                         ("cupyx.scipy.sparse", cupyx.scipy.sparse)):
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(nntricks.backend, "_CUDA", [])
    with pytest.raises(DeviceUnavailableError, match="found no usable CUDA device: "
                                                     "cudaErrorNoDevice"):
        MLPClassifier(device="cuda").fit(*digits)


def test_an_unknown_device_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown device 'gpu'; expected one of 'cpu', 'cuda'"):
        get_backend("gpu")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        MLPClassifier(device="tpu").fit([[0.0], [1.0]], [0, 1])
