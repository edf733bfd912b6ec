"""nntricks on a real NVIDIA GPU (CuPy): skipped on machines without one.

``python -m benchmarks gpu`` runs this file on the device machine. A GPU's float arithmetic is
not the CPU's bit for bit (other summation orders in its matrix products), so runs are compared
in float64 to 1e-9, and float32 models to float32 tolerances; dropout masks come from the GPU's
own generator, so runs with dropout are compared by their statistics.
"""

import sys

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import load_digits

import nntricks.backend
from nntricks import MLPClassifier, MLPRegressor, load, optim
from nntricks.backend import DeviceUnavailableError, get_backend, to_numpy
from nntricks.gradcheck import check_network
from nntricks.mlp import build_mlp
from nntricks.regularizers import L1, L2
from nntricks.training import Trainer

try:
    CUDA = get_backend("cuda")
except DeviceUnavailableError as error:
    pytest.skip(f"no GPU here: {error}", allow_module_level=True)

cupy = CUDA.xp


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


def data(rng, n_samples=256, n_features=12, n_outputs=4, loss="softmax_cross_entropy"):
    X = rng.standard_normal((n_samples, n_features))
    if loss == "softmax_cross_entropy":
        Y = np.eye(n_outputs)[rng.integers(0, n_outputs, n_samples)]
    elif loss == "binary_cross_entropy":
        Y = (rng.random((n_samples, n_outputs)) < 0.5).astype(float)
    else:
        Y = rng.poisson(2.0, (n_samples, n_outputs)).astype(float)
    return X, Y


def train(device, X, Y, optimizer, epochs=3, **network):
    net = build_mlp(X.shape[1], (16, 8), Y.shape[1], dtype=np.float64, device=device,
                    regularizers=[L2(1e-3), L1(1e-4)], **network).initialize(0)
    Trainer(net, optimizer, batch_size=32, random_state=0).run(X, Y, max_epochs=epochs,
                                                               stop_early=False)
    return to_numpy(net.params)


@pytest.mark.parametrize("make", [lambda: optim.sgd(0.05, 0.9, nesterov=True),
                                  lambda: optim.adam(0.01), lambda: optim.adagrad(0.05),
                                  lambda: optim.rmsprop(0.01), lambda: optim.adamw(0.01)],
                         ids=["nesterov", "adam", "adagrad", "rmsprop", "adamw"])
def test_each_optimizer_trains_on_the_gpu_as_on_the_cpu(make, rng):
    X, Y = data(rng)
    np.testing.assert_allclose(train("cuda", X, Y, make(), batch_norm=True),
                               train("cpu", X, Y, make(), batch_norm=True), rtol=1e-9,
                               atol=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "hardtanh", "softsign", "relu",
                                        "leaky_relu", "identity"])
def test_each_activation_on_the_gpu(activation, rng):
    X, Y = data(rng)
    np.testing.assert_allclose(train("cuda", X, Y, optim.adam(0.01), activation=activation),
                               train("cpu", X, Y, optim.adam(0.01), activation=activation),
                               rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("loss", ["softmax_cross_entropy", "binary_cross_entropy",
                                  "squared_error", "poisson"])
def test_each_loss_on_the_gpu(loss, rng):
    X, Y = data(rng, loss=loss)
    np.testing.assert_allclose(train("cuda", X, Y, optim.sgd(0.01), loss=loss),
                               train("cpu", X, Y, optim.sgd(0.01), loss=loss), rtol=1e-9,
                               atol=1e-12)


def test_the_gradient_checker_passes_on_the_gpu(rng):
    X, Y = data(rng, n_samples=16, n_features=5, n_outputs=3)
    network = build_mlp(5, (6,), 3, activation="tanh", batch_norm=True, dtype=np.float64,
                        regularizers=[L2(0.1)], device="cuda").initialize(0)
    report = check_network(network, X, Y)
    assert report.passed, report


def test_dropout_on_the_gpu_drops_its_rate_and_scales_the_rest(rng):
    net = build_mlp(1000, (), 1000, input_dropout=0.3, loss="squared_error",
                    device="cuda").initialize(0)
    x = cupy.ones((200, 1000), dtype=cupy.float32)
    out = to_numpy(net.layers[0].forward(x, training=True))
    assert abs((out == 0).mean() - 0.3) < 0.005
    np.testing.assert_allclose(out[out != 0], 1 / 0.7, rtol=1e-6)


def test_data_that_do_not_fit_train_batch_by_batch_to_the_same_result(rng, monkeypatch):
    X, Y = data(rng)
    whole = train("cuda", X, Y, optim.adam(0.01))
    monkeypatch.setattr(type(CUDA), "free_memory", lambda self: 1000)
    np.testing.assert_array_equal(train("cuda", X, Y, optim.adam(0.01)), whole)


# -- the estimators -----------------------------------------------------------------------------


def classifier(**params):
    return MLPClassifier(**{"hidden_layer_sizes": (64,), "max_iter": 15, "random_state": 0,
                            "dtype": "float32", "batch_norm": True, "dropout": 0.1,
                            "early_stopping": True, **params})


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_classifier_on_the_gpu(digits):
    X, y = digits
    cpu, gpu = classifier().fit(X, y), classifier(device="cuda").fit(X, y)
    assert isinstance(gpu.network_.params, cupy.ndarray)
    assert all(type(W) is np.ndarray for W in gpu.coefs_ + gpu.intercepts_)
    assert abs(gpu.score(X, y) - cpu.score(X, y)) < 0.03  # other dropout draws
    labels = gpu.predict(cupy.asarray(X))
    assert isinstance(labels, cupy.ndarray)
    np.testing.assert_array_equal(cupy.asnumpy(labels), gpu.predict(X))
    proba = gpu.predict_proba(cupy.asarray(X))
    assert isinstance(proba, cupy.ndarray)
    np.testing.assert_allclose(cupy.asnumpy(proba), gpu.predict_proba(X), rtol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cupy_and_sparse_input_train_on_the_gpu(digits):
    X, y = digits
    dense = classifier(device="cuda", dropout=0.0).fit(X, y)
    on_device = classifier(device="cuda", dropout=0.0).fit(cupy.asarray(X), cupy.asarray(y))
    sparse = classifier(device="cuda", dropout=0.0).fit(scipy.sparse.csr_matrix(X), y)
    for other in (on_device, sparse):
        np.testing.assert_allclose(other.predict_proba(X), dense.predict_proba(X), rtol=1e-3,
                                   atol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_lbfgs_on_the_gpu(rng):
    X, Y = data(rng, loss="squared_error")
    params = dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=30, random_state=0)
    cpu = MLPRegressor(**params).fit(X, Y)
    gpu = MLPRegressor(**params, device="cuda").fit(X, Y)
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-6, atol=1e-8)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_model_files_cross_between_gpu_and_cpu(digits, tmp_path, monkeypatch):
    X, y = digits
    gpu = classifier(device="cuda").fit(X, y)
    cpu = classifier().fit(X, y)
    gpu.save(tmp_path / "gpu.nntricks")
    cpu.set_params(device="cuda").save(tmp_path / "cpu.nntricks")  # to be loaded onto the GPU
    on_gpu = load(tmp_path / "cpu.nntricks")
    assert isinstance(on_gpu.network_.params, cupy.ndarray)
    np.testing.assert_allclose(on_gpu.predict_proba(X), cpu.predict_proba(X), rtol=1e-4,
                               atol=1e-6)
    monkeypatch.setattr(nntricks.backend, "_CUDA", [])
    monkeypatch.setitem(sys.modules, "cupy", None)  # as on a machine without CuPy
    on_cpu = load(tmp_path / "gpu.nntricks")
    assert isinstance(on_cpu.network_.params, np.ndarray)
    np.testing.assert_allclose(on_cpu.predict_proba(X), gpu.predict_proba(X), rtol=1e-4,
                               atol=1e-6)
