"""The reference service for bench/serve.ts: Flask under gunicorn, answering like `repro serve` (echo, and one
games.h5 prediction by a numpy forward pass of its Dense stack). Written for the bench; run by it as
`gunicorn -w 2 -b 127.0.0.1:PORT flask_games:app` with GAMES_H5 set."""
import json
import os

import h5py
import numpy as np
from flask import Flask, jsonify, request

INPUTS = [f"g{i}" for i in range(1, 11)]
ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "linear": lambda x: x,
    "tanh": np.tanh,
}


def load_dense_stack(path):
    """[(kernel, bias, activation)] of a Keras Sequential model's Dense layers, in order; Dropout is skipped."""
    with h5py.File(path, "r") as f:
        config = json.loads(f.attrs["model_config"])
        layers = config["config"]["layers"] if isinstance(config["config"], dict) else config["config"]
        stack = []
        for layer in layers:
            if layer["class_name"] != "Dense":
                continue
            name = layer["config"]["name"]
            group = f["model_weights"][name][name]
            stack.append((group["kernel:0"][()], group["bias:0"][()], ACTIVATIONS[layer["config"]["activation"]]))
        return stack


STACK = load_dense_stack(os.environ["GAMES_H5"]) if os.environ.get("GAMES_H5") else []
app = Flask(__name__)


@app.route("/predict")
def predict():
    if "msg" in request.args:
        return jsonify(response=request.args["msg"], success=True)
    x = np.array([[float(request.args[name]) for name in INPUTS]], dtype=np.float32)
    for kernel, bias, activation in STACK:
        x = activation(x @ kernel + bias)
    return jsonify(prediction=f"{float(x[0, 0]):.6e}", success=True)
