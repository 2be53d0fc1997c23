"""The reference for bench/starcraft.ts: the StarCraft protocol (49 frames x 5 models, fit + predict per frame)
with scikit-learn and xgboost (Debian's python3-sklearn, python3-xgboost). Written for the bench.

Usage: starcraft_sklearn.py DATA_CSV SEED PROCESSES
Prints one JSON object: the loop's wall and CPU seconds, the seconds per model, the mean accuracy per model.
With PROCESSES > 1 that many forked processes take the frames one at a time, most expensive (latest) first, each
going to whichever process is free, as bench/starcraft.ts's worker threads take them. Every library is held to one thread per process
(the caller sets OMP_NUM_THREADS and friends; xgboost gets nthread=1), so PROCESSES is the thread count.

The same protocol as notebooks/lib/starcraft, as closely as the libraries allow:
- censor at each frame (values after the frame become 0), a stratified 75/25 split per frame (sklearn's
  train_test_split, its own random stream, so not the same rows as the TypeScript split);
- boosted_trees: xgboost multi:softmax, exact greedy, max_depth 5, eta 0.3, 10 rounds, num_class 8, lambda 1,
  min_child_weight 1, base_score 0.5, on a sparse matrix (zeros missing, as R's sparse.model.matrix);
- knn_as_published: 1-NN on the training rows with the label as an extra column, test rows' label 0;
- knn_corrected: 1-NN on the features (sklearn breaks distance ties by row order, not R's random/all rules);
- multinomial_logistic: scaled by the standard deviation (not centred; constant columns keep
  scale 1), multinomial
  L-BFGS with the same L2 penalty (1e-4 per row on the mean log-likelihood: C = 1 / (1e-4 n)), 100 iterations,
  tolerance 1e-5;
- cart: Gini tree, min_samples_split 20, min_samples_leaf 7, max_depth 30 (rpart's cp = 0.01 pruning on
  misclassifications has no scikit-learn equivalent: the tree is left unpruned, which costs nothing extra).
"""
import csv
import json
import os
import sys
import time
import warnings
from multiprocessing import get_context

import numpy as np
import xgboost as xgb
from scipy.sparse import csr_matrix
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

MODELS = ["boosted_trees", "knn_as_published", "knn_corrected", "multinomial_logistic", "cart"]
LABEL = "midBuild"


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    label = header.index(LABEL)
    features = [j for j in range(len(header)) if j != label]
    x = np.array([[float(r[j]) for j in features] for r in body])
    names = sorted({r[label] for r in body})
    y = np.array([names.index(r[label]) for r in body])
    return x, y


def published_frames():
    return list(range(17280, -1, -360))


def fit_predict(model, train_x, train_y, test_x):
    if model == "boosted_trees":
        params = {
            "objective": "multi:softmax", "num_class": 8, "max_depth": 5, "eta": 0.3, "lambda": 1,
            "min_child_weight": 1, "base_score": 0.5, "tree_method": "exact", "nthread": 1, "verbosity": 0,
        }
        booster = xgb.train(params, xgb.DMatrix(csr_matrix(train_x), label=train_y), num_boost_round=10)
        return booster.predict(xgb.DMatrix(csr_matrix(test_x))).astype(int)
    if model == "knn_as_published":
        knn = KNeighborsClassifier(n_neighbors=1).fit(np.column_stack([train_x, train_y]), train_y)
        return knn.predict(np.column_stack([test_x, np.zeros(len(test_x))]))
    if model == "knn_corrected":
        return KNeighborsClassifier(n_neighbors=1).fit(train_x, train_y).predict(test_x)
    if model == "multinomial_logistic":
        pipeline = make_pipeline(
            StandardScaler(with_mean=False),
            LogisticRegression(C=1 / (1e-4 * len(train_y)), max_iter=100, tol=1e-5),
        )
        return pipeline.fit(train_x, train_y).predict(test_x)
    if model == "cart":
        tree = DecisionTreeClassifier(min_samples_split=20, min_samples_leaf=7, max_depth=30, random_state=0)
        return tree.fit(train_x, train_y).predict(test_x)
    raise ValueError(model)


def run_frames(x, y, frames, seed):
    """Per frame and model: (frame, model, seconds, accuracy)."""
    # lbfgs stops at 100 iterations on many frames, as nnet::multinom's maxit and the TypeScript fit do.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    out = []
    for frame in frames:
        censored = np.where(x > frame, 0.0, x)
        train_x, test_x, train_y, test_y = train_test_split(
            censored, y, train_size=0.75, stratify=y, random_state=(seed * 100003 + frame) % 2**32,
        )
        for model in MODELS:
            t0 = time.perf_counter()
            predicted = fit_predict(model, train_x, train_y, test_x)
            out.append((frame, model, time.perf_counter() - t0, float(np.mean(predicted == test_y))))
    return out


# The data and the seed, set before the pool forks (so inherited, not sent with every frame).
_shared = None


def _frame_worker(frame):
    x, y, seed = _shared
    return run_frames(x, y, [frame], seed)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: starcraft_sklearn.py DATA_CSV SEED PROCESSES")
    path, seed, processes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if processes < 1:
        sys.exit(f"PROCESSES must be at least 1, got {processes}")
    x, y = load(path)
    frames = published_frames()
    cpu0 = time.process_time()
    children0 = os.times()
    t0 = time.perf_counter()
    if processes == 1:
        results = run_frames(x, y, frames, seed)
    else:
        global _shared
        _shared = (x, y, seed)
        with get_context("fork").Pool(processes) as pool:
            parts = pool.imap_unordered(_frame_worker, sorted(frames, reverse=True), chunksize=1)
            # In frame order whatever the order they finished in: the same means, to the bit, as one process's.
            results = sorted((r for part in parts for r in part), key=lambda r: (frames.index(r[0]), MODELS.index(r[1])))
    wall = time.perf_counter() - t0
    children = os.times()
    cpu = time.process_time() - cpu0 + (children.children_user - children0.children_user) + (
        children.children_system - children0.children_system)
    per_model = {m: sum(r[2] for r in results if r[1] == m) for m in MODELS}
    accuracy = {m: float(np.mean([r[3] for r in results if r[1] == m])) for m in MODELS}
    print(json.dumps({
        "processes": processes, "frames": len(frames), "wall": wall, "cpu": cpu,
        "seconds": per_model, "accuracy": accuracy,
        "versions": {"sklearn": __import__("sklearn").__version__, "xgboost": xgb.__version__, "numpy": np.__version__},
    }))


if __name__ == "__main__":
    main()
