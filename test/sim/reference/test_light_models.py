"""The nine ONNX light models, with random weights, against onnxruntime."""

from pathlib import Path

import numpy as np
import onnx
import pytest

from aicc.frontend.models import randomize_constant_of_shape
from aicc.frontend.onnx_import import import_model
from aicc.frontend.onnx_load import prepare_model
from aicc.sim.reference.interpreter import run_module

ort = pytest.importorskip("onnxruntime")

LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
MODELS = sorted(p.stem for p in LIGHT.glob("*.onnx"))


def test_all_nine_light_models_are_found() -> None:
    assert len(MODELS) == 9


@pytest.mark.parametrize("name", MODELS)
def test_light_model_matches_onnxruntime(name: str) -> None:
    path = LIGHT / f"{name}.onnx"
    model = randomize_constant_of_shape(onnx.load(path), seed=1)
    module = import_model(prepare_model(model, path, {}))
    initializers = {i.name for i in model.graph.initializer}
    (graph_input,) = [i for i in model.graph.input if i.name not in initializers]
    dims = [d.dim_value for d in graph_input.type.tensor_type.shape.dim]
    x = np.random.default_rng(0).standard_normal(dims).astype(np.float32)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    expected = session.run(None, {graph_input.name: x})
    actual = run_module(module, [x])
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
