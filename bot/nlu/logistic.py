"""Fit scikit-learn's ``LogisticRegression(solver="lbfgs")`` faster on our feature matrix.

A reading's row is about a thousand dense numbers (the two sentence vectors and the cues)
beside a few dozen hashed words in 32,768 sparse columns. Kept as one sparse matrix, as
scikit-learn needs it, every product of L-BFGS's 250-odd iterations walks the dense part
entry by entry: the intent reader took 80 s to train. :func:`fit` minimises the same
objective (scikit-learn 1.1's multinomial, or binary for two classes: the sum of the
sample-weighted log losses plus ``0.5 / C`` times the squared weights, the intercept
unpenalised, "balanced" class weights as scikit-learn computes them) with the same
L-BFGS-B, starting point and stopping rule, but multiplies the sparse columns as sparse
and the dense ones with BLAS. It returns a fitted ``LogisticRegression``, so prediction,
persistence and models stored before are unchanged (tests/nlu/test_logistic.py compares
the two fits).
"""

from __future__ import annotations

import logging
from typing import Optional, Sequence

import numpy as np

logger = logging.getLogger(__name__)


class _Columns:
    """A CSR matrix as its sparse columns and its dense columns, for ``X @ W`` and ``X.T @ G``."""

    def __init__(self, matrix, dense_from: int) -> None:
        self.shape = matrix.shape
        self._split = dense_from
        self._sparse = matrix[:, :dense_from].tocsr()
        self._dense = np.ascontiguousarray(matrix[:, dense_from:].toarray(), dtype=np.float64)

    def times(self, weights: np.ndarray) -> np.ndarray:
        """``X @ weights`` for ``weights`` of shape (n_features, k)."""
        split = self._split
        return self._sparse @ weights[:split] + self._dense @ weights[split:]

    def transposed_times(self, gradients: np.ndarray) -> np.ndarray:
        """``X.T @ gradients`` for ``gradients`` of shape (n_samples, k)."""
        return np.vstack([self._sparse.T @ gradients, self._dense.T @ gradients])


def _multinomial(theta, x: _Columns, onehot, weights, l2):
    k = onehot.shape[1]
    coef = theta.reshape(k, -1)
    w, b = coef[:, :-1], coef[:, -1]
    z = x.times(w.T) + b
    top = z.max(axis=1, keepdims=True)
    log_norm = top + np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    loss = float(weights @ (log_norm[:, 0] - (z * onehot).sum(axis=1)))
    loss += 0.5 * l2 * float((w * w).sum())
    g = weights[:, None] * (np.exp(z - log_norm) - onehot)
    grad = np.empty_like(coef)
    grad[:, :-1] = x.transposed_times(g).T + l2 * w
    grad[:, -1] = g.sum(axis=0)
    return loss, grad.ravel()


def _binomial(theta, x: _Columns, y, weights, l2):
    w, b = theta[:-1], theta[-1]
    z = x.times(w[:, None])[:, 0] + b
    loss = float(weights @ (np.logaddexp(0.0, z) - y * z)) + 0.5 * l2 * float(w @ w)
    g = weights * (0.5 * (1.0 + np.tanh(0.5 * z)) - y)
    grad = np.empty_like(theta)
    grad[:-1] = x.transposed_times(g[:, None])[:, 0] + l2 * w
    grad[-1] = g.sum()
    return loss, grad


def fit(
    matrix,
    labels: Sequence[str],
    *,
    dense_from: int,
    c: float = 1.0,
    class_weight: Optional[str] = "balanced",
    max_iter: int = 2000,
    tol: float = 1e-4,
):
    """A fitted ``LogisticRegression(C=c, class_weight=..., solver="lbfgs")`` for the rows
    of ``matrix`` (CSR; columns from ``dense_from`` on are mostly non-zero)."""
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils.class_weight import compute_class_weight

    y = np.asarray(labels)
    classes, index = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError("a logistic regression needs at least two classes")
    weights = np.ones(len(y))
    if class_weight is not None:
        weights = compute_class_weight(class_weight, classes=classes, y=y)[index]
    x = _Columns(matrix, dense_from)
    n = matrix.shape[1]
    if len(classes) == 2:
        objective, target, rows = _binomial, index.astype(np.float64), 1
    else:
        objective, target, rows = _multinomial, np.eye(len(classes))[index], len(classes)
    result = minimize(
        objective,
        np.zeros(rows * (n + 1)),
        args=(x, target, weights, 1.0 / c),
        method="L-BFGS-B",
        jac=True,
        options={"gtol": tol, "maxiter": max_iter},
    )
    if result.nit >= max_iter:
        logger.warning("logistic regression stopped after %d iterations", result.nit)
    coef = result.x.reshape(rows, n + 1)
    model = LogisticRegression(C=c, max_iter=max_iter, class_weight=class_weight, solver="lbfgs")
    model.classes_ = classes
    model.coef_ = np.ascontiguousarray(coef[:, :-1])
    model.intercept_ = coef[:, -1].copy()
    model.n_iter_ = np.asarray([result.nit], dtype=np.int32)
    model.n_features_in_ = n
    return model
