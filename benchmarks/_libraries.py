"""One-epoch (or k-epoch) fits of the same MLP by nntricks, scikit-learn and PyTorch.

Each ``fit_*`` function does what a user's ``fit`` does, from float32 arrays to a trained
model: build the model, convert the labels, shuffle, train ``epochs`` epochs over minibatches,
and accumulate the epoch loss. The three are configured to run the same computation:

* network ``n_features - hidden... - n_classes``, ReLU, softmax cross-entropy, Glorot-uniform
  weights and zero biases, float32 throughout;
* ``solver="sgd"``: SGD with Nesterov momentum 0.9 (scikit-learn's and nntricks' default
  ``nesterovs_momentum=True``; ``torch.optim.SGD(momentum=0.9, nesterov=True)``, the same
  trajectory at a constant learning rate);
* ``solver="adam"``: Adam with beta_1=0.9, beta_2=0.999, epsilon=1e-8;
* learning rate 1e-3 and L2 penalty ``alpha=1e-4`` on the weights only, divided by the batch
  size (scikit-learn's rule; in PyTorch a ``weight_decay`` of ``alpha / batch_size`` on the
  weight tensors' parameter group, the biases in a group without decay).

PyTorch runs a DataLoader-free loop over a pre-shuffled index permutation split into batches,
indexing the whole-data tensors (``index_select``), with its default number of threads.

On a GPU (``device="cuda"``) both libraries copy the data to the device once, and PyTorch adds
the epoch loss up on the device and reads it once an epoch, as nntricks does.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

LEARNING_RATE = 1e-3
ALPHA = 1e-4
MOMENTUM = 0.9

try:  # optional: never a dependency of nntricks
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

TORCH_HINT = "pip install torch==2.13.0   # installs the CPU wheel from this machine's disk"


def _estimator_params(hidden, solver, batch_size, epochs, seed):
    return dict(hidden_layer_sizes=tuple(hidden), solver=solver, batch_size=batch_size,
                max_iter=epochs, shuffle=True, tol=0.0, n_iter_no_change=math.inf,
                momentum=MOMENTUM, nesterovs_momentum=True, learning_rate_init=LEARNING_RATE,
                alpha=ALPHA, random_state=seed)


def fit_nntricks(X, y, hidden, solver, batch_size, epochs=1, seed=0, device="cpu"):
    from nntricks import MLPClassifier

    model = MLPClassifier(dtype="float32", device=device,
                          **_estimator_params(hidden, solver, batch_size, epochs, seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: max_iter reached on purpose
        return model.fit(X, y)


def fit_sklearn(X, y, hidden, solver, batch_size, epochs=1, seed=0):
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(**_estimator_params(hidden, solver, batch_size, epochs, seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def fit_torch(X, y, hidden, solver, batch_size, epochs=1, seed=0, device="cpu"):
    from torch import nn

    generator = torch.Generator(device=device).manual_seed(seed)
    torch.manual_seed(seed)
    features = torch.from_numpy(X).to(device)
    classes, codes = np.unique(y, return_inverse=True)
    labels = torch.from_numpy(codes.astype(np.int64)).to(device)
    layers, width = [], X.shape[1]
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU()]
        width = size
    layers.append(nn.Linear(width, len(classes)))
    model = nn.Sequential(*layers).to(device)
    dense = [layer for layer in model if isinstance(layer, nn.Linear)]
    with torch.no_grad():
        for layer in dense:
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    groups = [{"params": [layer.weight for layer in dense], "weight_decay": ALPHA / batch_size},
              {"params": [layer.bias for layer in dense], "weight_decay": 0.0}]
    if solver == "sgd":
        optimizer = torch.optim.SGD(groups, lr=LEARNING_RATE, momentum=MOMENTUM, nesterov=True)
    else:
        optimizer = torch.optim.Adam(groups, lr=LEARNING_RATE, betas=(0.9, 0.999), eps=1e-8)
    loss_function = nn.CrossEntropyLoss()
    n_samples = X.shape[0]
    for _ in range(epochs):
        total = torch.zeros((), device=device)
        for index in torch.randperm(n_samples, generator=generator, device=device).split(
                batch_size):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(model(features.index_select(0, index)),
                                 labels.index_select(0, index))
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(index)
        total.item()  # the epoch loss, read once
    return model


FITTERS = {"nntricks": fit_nntricks, "sklearn": fit_sklearn, "torch": fit_torch}


def available_libraries() -> list[str]:
    return ["nntricks", "sklearn"] + (["torch"] if torch is not None else [])
