"""The catalog of bad inputs: model files, weights, inputs, YAML, profiles, flags and passes.

One row per class (docs/errors.md lists them with their messages). A row builds the
bad input under `tmp_path` and gives the tool, its arguments and the words its one
line must hold. Every row asserts: exit status 2, one stderr line, no traceback, the
file (and line or node) named, and nothing written to the output location `out`.
A `warning` row (NaN weights, a replaced stored shape) asserts exit status 0 and
exactly one `warning:` line instead.

Rows run the console scripts' `main` in-process (Python warnings are errors there, so
a stray numpy warning fails the row); `subprocess` rows start the real script.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
import pytest
from conftest import X_SHAPE, Y_SHAPE, assert_one_line, make_model, run_tool
from onnx import TensorProto, helper, numpy_helper

from aicc.tools import aicc_compile, aicc_opt, aicc_run, aicc_tune

MAINS: dict[str, Callable[[list[str]], None]] = {
    "aicc-compile": aicc_compile.main,
    "aicc-opt": aicc_opt.main,
    "aicc-run": aicc_run.main,
    "aicc-tune": aicc_tune.main,
}


@dataclass(frozen=True)
class Call:
    """What a row runs and what its one stderr line must hold."""

    tool: str
    argv: list[str]
    needles: tuple[str, ...]
    warning: bool = False
    subprocess: bool = False


@dataclass
class Env:
    """The row's folder and the valid files rows start from."""

    tmp: Path
    profile_text: str
    out: Path = field(init=False)

    def __post_init__(self) -> None:
        self.out = self.tmp / "out"

    def path(self, name: str) -> str:
        return str(self.tmp / name)

    def write(self, name: str, data: str | bytes) -> str:
        path = self.tmp / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data)
        return str(path)

    def save(self, model: onnx.ModelProto, name: str = "model.onnx") -> str:
        onnx.save(model, self.tmp / name)
        return self.path(name)

    def model(self) -> str:
        return self.save(make_model())

    def inputs(self) -> tuple[str, str]:
        rng = np.random.default_rng(3)
        x, y = self.path("x.npy"), self.path("y.npy")
        np.save(x, rng.standard_normal(X_SHAPE).astype(np.float32))
        np.save(y, rng.standard_normal(Y_SHAPE).astype(np.float32))
        return x, y

    def input_list(self, text: str | None = None) -> str:
        if text is None:
            text = ",".join(self.inputs()) + "\n"
        return self.write("list.txt", text)

    def compile(self, *flags: str, needles: tuple[str, ...] = ()) -> Call:
        """aicc-compile of the conftest model into the bundle `out`."""
        argv = [f"-m={self.model()}", *flags, f"-aic-binary-dir={self.out}"]
        return Call("aicc-compile", argv, needles)

    def compile_model(self, path: str, *needles: str, flags: tuple[str, ...] = ()) -> Call:
        """aicc-compile of the model in `path` into the bundle `out`; refusals name `path`."""
        argv = [f"-m={path}", *flags, f"-aic-binary-dir={self.out}"]
        return Call("aicc-compile", argv, (path, *needles))

    def tune(self, *flags: str, needles: tuple[str, ...] = ()) -> Call:
        """aicc-tune of the conftest model over one input into `out`."""
        argv = [f"-m={self.model()}", f"-input-list-file={self.input_list()}", *flags]
        return Call("aicc-tune", [*argv, f"-output-dir={self.out}"], needles)

    def opt(self, model: str, *flags: str, needles: tuple[str, ...] = ()) -> Call:
        return Call("aicc-opt", [model, *flags, "-o", str(self.out)], needles)


Row = Callable[[Env], Call]
ROWS: dict[str, Row] = {}


def row(name: str) -> Callable[[Row], Row]:
    def register(build: Row) -> Row:
        ROWS[name] = build
        return build

    return register


def graph(
    nodes: list[onnx.NodeProto],
    initializers: list[TensorProto] | None = None,
    x_dims: list[int | str] | None = None,
    y_dims: list[int | str] | None = None,
    opset: int = 17,
) -> onnx.ModelProto:
    """A one-input (x), one-output (y) float model."""
    x_dims = [1, 4, 6, 6] if x_dims is None else x_dims
    y_dims = x_dims if y_dims is None else y_dims
    g = helper.make_graph(
        nodes,
        "catalog",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_dims)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_dims)],
        initializers or [],
    )
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)


def relu(x: str = "x", y: str = "y", name: str = "relu0") -> onnx.NodeProto:
    return helper.make_node("Relu", [x], [y], name=name)


def floats(name: str, values: object) -> TensorProto:
    return numpy_helper.from_array(np.asarray(values, dtype=np.float32), name)


def external(name: str, location: str) -> TensorProto:
    tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=[4])
    tensor.data_location = TensorProto.EXTERNAL
    tensor.external_data.add(key="location", value=location)
    return tensor


def add_external(env: Env, location: str) -> Call:
    model = graph(
        [helper.make_node("Add", ["x", "w"], ["y"], name="add0")], [external("w", location)], [4]
    )
    return env.opt(env.save(model), needles=(f"'{location}'", "'w'"))


# -- model files ----------------------------------------------------------------------


@row("random bytes")
def _random_bytes(env: Env) -> Call:
    path = env.write("model.onnx", np.random.default_rng(0).bytes(300))
    return env.compile_model(path, "not a valid ONNX file")


@row("truncated file")
def _truncated(env: Env) -> Call:
    data = make_model().SerializeToString()
    path = env.write("model.onnx", data[: len(data) // 2])
    return env.opt(path, needles=(path, "truncated or corrupt"))


@row("empty file")
def _empty(env: Env) -> Call:
    path = env.write("model.onnx", b"")
    return env.opt(path, needles=(path, "not a valid ONNX file"))


@row("onnxtxt syntax error")
def _onnxtxt_syntax(env: Env) -> Call:
    header = '<ir_version: 8, opset_import: ["" : 17]>\n'
    text = header + "g (float[4] x) => (float[4] y) {\n  y = Relu(x\n}\n"
    path = env.write("model.onnxtxt", text)
    return env.opt(path, needles=(f"{path}:4:1: not valid ONNX text", "Expected character )"))


@row("opset newer than supported")
def _opset_newer(env: Env) -> Call:
    path = env.save(graph([relu()], opset=99))
    return env.opt(path, needles=(path, "opset", "99"))


@row("unsupported op")
def _unsupported_op(env: Env) -> Call:
    path = env.save(graph([helper.make_node("Erf", ["x"], ["y"], name="erf0")]))
    return env.compile_model(path, "erf0", "Erf")


@row("external data ../")
def _external_parent(env: Env) -> Call:
    return add_external(env, "../w.bin")


@row("external data absolute path")
def _external_absolute(env: Env) -> Call:
    return add_external(env, "/etc/passwd")


@row("external data symlink out")
def _external_symlink(env: Env) -> Call:
    secret = env.tmp.parent / f"{env.tmp.name}-secret.bin"
    secret.write_bytes(np.ones(4, dtype=np.float32).tobytes())
    (env.tmp / "link.bin").symlink_to(secret)
    return add_external(env, "link.bin")


@row("external data missing")
def _external_missing(env: Env) -> Call:
    return add_external(env, "missing.bin")


@row("external data escaping from a subgraph")
def _external_subgraph(env: Env) -> Call:
    branch = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["t"], name="add_then")],
        "then",
        [],
        [helper.make_tensor_value_info("t", TensorProto.FLOAT, [4])],
        [external("w", "../w.bin")],
    )
    other = helper.make_graph(
        [relu("x", "e", "relu_else")],
        "else",
        [],
        [helper.make_tensor_value_info("e", TensorProto.FLOAT, [4])],
    )
    nodes = [
        helper.make_node(
            "Constant",
            [],
            ["c"],
            name="c0",
            value=helper.make_tensor("v", TensorProto.BOOL, [], [True]),
        ),
        helper.make_node("If", ["c"], ["y"], name="if0", then_branch=branch, else_branch=other),
    ]
    path = env.save(graph(nodes, x_dims=[4], y_dims=[4]))
    return env.opt(path, needles=(path, "'../w.bin'", "'w'"))


@row("huge dimension")
def _huge_dimension(env: Env) -> Call:
    path = env.save(graph([relu()], x_dims=[1, 3, 10**12, 8], y_dims=[1, 3, 10**12, 8]))
    return env.compile_model(path, "'x'", "limit")


@row("negative dimension")
def _negative_dimension(env: Env) -> Call:
    path = env.save(graph([relu()], x_dims=[1, -3, 6, 6]))
    return env.opt(path, needles=(path, "'x'", "-3"))


@row("undefined symbolic dimension")
def _undefined_symbol(env: Env) -> Call:
    path = env.save(graph([relu()], x_dims=["N", 4]))
    return env.opt(path, needles=(path, "'x'", "'N'", "-onnx-define-symbol"))


@row("malformed -onnx-define-symbol")
def _malformed_symbol(env: Env) -> Call:
    path = env.save(graph([relu()], x_dims=["N", 4]))
    return env.opt(path, "-onnx-define-symbol=N", needles=("-onnx-define-symbol=N", "NAME,VALUE"))


@row("-onnx-define-symbol out of range")
def _symbol_out_of_range(env: Env) -> Call:
    path = env.save(graph([relu()], x_dims=["N", 4]))
    flag = "-onnx-define-symbol=N,99999999999999999999"
    return env.opt(path, flag, needles=(flag, "limit"))


@row("duplicate tensor names")
def _duplicate_names(env: Env) -> Call:
    nodes = [relu("x", "t", "relu0"), relu("x", "t", "relu1"), relu("t", "y", "relu2")]
    path = env.save(graph(nodes))
    return env.opt(path, needles=(path, "'t'"))


@row("graph cycle")
def _cycle(env: Env) -> Call:
    nodes = [
        helper.make_node("Add", ["x", "b"], ["a"], name="add0"),
        helper.make_node("Relu", ["a"], ["b"], name="relu0"),
        relu("b", "y", "relu1"),
    ]
    path = env.save(graph(nodes))
    return env.opt(
        path, needles=(path, "input 'b' of node: name: add0", "not output of any previous")
    )


@row("node reads an undefined tensor")
def _undefined_tensor(env: Env) -> Call:
    path = env.save(graph([helper.make_node("Add", ["x", "ghost"], ["y"], name="add0")]))
    return env.opt(path, needles=(path, "'ghost' of node: name: add0"))


# Models that onnxruntime and the reference interpreter reject but ONNX shape inference
# lets through: the device compile must refuse them as strictly.


@row("Gemm C that does not broadcast")
def _gemm_c(env: Env) -> Call:
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"], name="flat0"),
        helper.make_node("Gemm", ["f", "w", "c"], ["y"], name="gemm0"),
    ]
    initializers = [floats("w", np.ones((144, 3))), floats("c", np.ones((2, 3)))]
    model = graph(nodes, initializers, y_dims=[1, 3])
    return env.compile_model(env.save(model), "Gemm 'y'", "C [2, 3] does not broadcast")


@row("PRelu slope that does not broadcast")
def _prelu_slope(env: Env) -> Call:
    node = helper.make_node("PRelu", ["x", "s"], ["y"], name="prelu0")
    model = graph([node], [floats("s", np.ones(3))])
    return env.compile_model(env.save(model), "PRelu 'y'", "slope [3] does not broadcast")


@row("Conv group 0")
def _conv_group(env: Env) -> Call:
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv0", group=0)
    model = graph([node], [floats("w", np.ones((4, 4, 1, 1)))])
    return env.compile_model(env.save(model), "Conv 'y'", "group must be positive")


@row("stored shape disagrees with the op's rule")
def _stored_shape(env: Env) -> Call:
    # The last ceil_mode window would start in the end padding; onnxruntime drops it too.
    pool = helper.make_node(
        "AveragePool", ["x"], ["y"], name="pool0", kernel_shape=[2, 2], strides=[3, 3], ceil_mode=1
    )
    path = env.save(graph([pool], x_dims=[1, 1, 3, 3], y_dims=[1, 1, 2, 2]))
    return Call(
        "aicc-opt", [path, "-o", env.path("pool.mlir")], (path, "'y'", "[1, 1, 1, 1]"), warning=True
    )


# -- weights ----------------------------------------------------------------------------


def weights_with(value: float) -> onnx.ModelProto:
    w = np.ones((4, 4, 1, 1), dtype=np.float32)
    w[1, 2, 0, 0] = value
    return graph([helper.make_node("Conv", ["x", "w"], ["y"], name="conv0")], [floats("w", w)])


@row("NaN weights")
def _nan_weights(env: Env) -> Call:
    path = env.save(weights_with(np.nan))
    argv = [path, "-i", env.path("x.npy"), f"-write-output-dir={env.path('res')}"]
    np.save(argv[2], np.ones((1, 4, 6, 6), dtype=np.float32))
    return Call("aicc-run", argv, (path, "'w'", "1 NaN"), warning=True, subprocess=True)


@row("Inf weights")
def _inf_weights(env: Env) -> Call:
    path = env.save(weights_with(np.inf))
    argv = [f"-m={path}", "-convert-to-fp16", f"-aic-binary-dir={env.path('bundle')}"]
    return Call("aicc-compile", argv, (path, "'w'", "1 Inf"), warning=True)


# -- inputs -----------------------------------------------------------------------------


def run_with(env: Env, *inputs: str) -> list[str]:
    return [env.model(), *(a for i in inputs for a in ("-i", i)), f"-write-output-dir={env.out}"]


@row("input of the wrong size")
def _input_size(env: Env) -> Call:
    x, _ = env.inputs()
    short = env.write("short.bin", b"\0" * 100)
    return Call("aicc-run", run_with(env, x, short), (short, "100 bytes", "'y'"))


@row("input of the wrong dtype")
def _input_dtype(env: Env) -> Call:
    x, y = env.inputs()
    np.save(y, np.load(y).astype(np.float64))
    return Call("aicc-run", run_with(env, x, y), (y, "float64[1,16,8,8]", "'y'"))


@row("input of the wrong shape")
def _input_shape(env: Env) -> Call:
    x, y = env.inputs()
    np.save(y, np.load(y).reshape(1, 8, 16, 8))
    return Call("aicc-run", run_with(env, x, y), (y, "float32[1,8,16,8]", "'y'"))


@row("input .npy corrupt")
def _input_corrupt(env: Env) -> Call:
    x, y = env.inputs()
    Path(y).write_bytes(b"\x93NUMPY garbage")
    return Call("aicc-run", run_with(env, x, y), (y, "not a valid .npy file"))


@row("input .npy of Python objects")
def _input_pickle(env: Env) -> Call:
    x, y = env.inputs()
    np.save(y, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    return Call("aicc-run", run_with(env, x, y), (y, "not a valid .npy file", "allow_pickle"))


@row("input list naming a missing file")
def _list_missing(env: Env) -> Call:
    x, _ = env.inputs()
    listed = env.input_list(f"{x},{env.path('gone.npy')}\n")
    argv = [env.model(), f"-input-list-file={listed}", f"-write-output-dir={env.out}"]
    return Call("aicc-run", argv, (f"{listed}:1", "gone.npy"))


@row("empty input list")
def _list_empty(env: Env) -> Call:
    listed = env.input_list("# nothing\n\n")
    return env.compile(
        f"-input-list-file={listed}",
        f"-dump-profile={env.path('p.yaml')}",
        needles=(listed, "no inference"),
    )


@row("input list line with the wrong number of files")
def _list_arity(env: Env) -> Call:
    x, y = env.inputs()
    listed = env.input_list(f"{x},{y}\n{x}\n")
    argv = [env.model(), f"-input-list-file={listed}", f"-write-output-dir={env.out}"]
    return Call("aicc-run", argv, (f"{listed}:2", "1 file(s)", "2 input(s)"))


@row("-dump-profile shard with an unreadable input (-parallel=processes:2)")
def _shard_missing(env: Env) -> Call:
    x, y = env.inputs()
    listed = env.input_list(f"{x},{y}\n{x},{env.path('gone.npy')}\n")
    return env.compile(
        f"-input-list-file={listed}",
        f"-dump-profile={env.path('p.yaml')}",
        "-parallel=processes:2",
        needles=(f"shard 2 of 2 ({listed}:2)", f"{listed}:2", "gone.npy"),
    )


@row("-parallel=ray:ADDRESS with no cluster there")
def _parallel_unreachable(env: Env) -> Call:
    x, y = env.inputs()
    listed = env.input_list(f"{x},{y}\n")
    return env.compile(
        f"-input-list-file={listed}",
        f"-dump-profile={env.path('p.yaml')}",
        "-parallel=ray:127.0.0.1:1",
        needles=("cannot connect to 127.0.0.1:1",),
    )


@row("-parallel without -dump-profile")
def _parallel_ignored(env: Env) -> Call:
    call = env.compile("-parallel=processes:2", needles=("-parallel=processes:2", "-dump-profile"))
    return Call(call.tool, call.argv, call.needles, warning=True)


@row("-parallel malformed")
def _parallel_malformed(env: Env) -> Call:
    return env.compile("-parallel=threads:2", needles=("-parallel=threads:2", "processes:N"))


@row("input list not a multiple of -batchsize")
def _list_batch(env: Env) -> Call:
    listed = env.input_list()
    return env.compile(
        "-batchsize=2",
        f"-input-list-file={listed}",
        needles=(listed, "1 sample(s)", "not a multiple of the batch size 2"),
    )


# -- -batchsize ---------------------------------------------------------------------------


@row("-batchsize of a fixed batch dimension")
def _batch_fixed(env: Env) -> Call:
    path = env.save(graph([relu()], x_dims=[2, 4, 6, 6]))
    return env.compile_model(path, "'x'", "fixed batch dimension of 2", flags=("-batchsize=4",))


@row("-batchsize of a graph that folds the batch away")
def _batch_folded(env: Env) -> Call:
    shape = numpy_helper.from_array(np.array([144], dtype=np.int64), "shape")
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"], name="flat0")]
    path = env.save(graph(nodes, [shape], y_dims=[144]))
    return env.compile_model(path, "output 'y'", "dim 0 of size 144", flags=("-batchsize=2",))


@row("-batchsize below 1")
def _batch_zero(env: Env) -> Call:
    return env.compile("-batchsize=0", needles=("model.onnx", "-batchsize=0", "at least 1"))


# -- YAML: -node-precision-info -----------------------------------------------------------


def node_precision(env: Env, text: str, *needles: str) -> Call:
    path = env.write("np.yaml", text)
    return env.compile(f"-node-precision-info={path}", needles=(path, *needles))


NODE_PRECISION_ROWS = {
    "YAML syntax error": ("FP16NodeInstanceNames: [relu0\n", ("np.yaml:2", "does not parse")),
    "YAML empty file": ("", ("empty file",)),
    "YAML not a mapping": ("- relu0\n", ("np.yaml:1", "must be a mapping")),
    "YAML unknown key": ("FP16NodeInstanceNames: [relu0]\nFP8: []\n", ("np.yaml:2", "'FP8'")),
    "YAML duplicate key": (
        "FP16NodeInstanceNames: [relu0]\nFP16NodeInstanceNames: [conv0]\n",
        ("np.yaml:2", "duplicate key"),
    ),
    "YAML FP32 key": ("FP32NodeInstanceNames: [relu0]\n", ("np.yaml:1", "keep-original-precision")),
    "YAML missing key": ("{}\n", ("np.yaml:1", "missing key")),
    "YAML names not a list": ("FP16NodeInstanceNames: relu0\n", ("np.yaml:1", "must be a list")),
    "YAML name read as a number": (
        "FP16NodeInstanceNames:\n  - relu0\n  - 010\n",
        ("np.yaml:3", "integer 8", "'010'"),
    ),
    "YAML name not a scalar": ("FP16NodeInstanceNames: [[relu0]]\n", ("np.yaml:1", "a list")),
    "YAML empty name": ("FP16NodeInstanceNames: ['']\n", ("np.yaml:1", "empty name")),
    "YAML unknown name": ("FP16NodeInstanceNames: [relu9]\n", ("line 1", "'relu9'", "'relu/0'")),
}


def _node_precision_row(text: str, needles: tuple[str, ...]) -> Row:
    return lambda env: node_precision(env, text, *needles)


for _name, (_text, _needles) in NODE_PRECISION_ROWS.items():
    ROWS[_name] = _node_precision_row(_text, _needles)


# -- profiles -----------------------------------------------------------------------------


def load_profile(env: Env, text: str | bytes, *needles: str, flags: tuple[str, ...] = ()) -> Call:
    path = env.write("pgq.yaml", text)
    return env.compile(
        f"-input-list-file={env.input_list()}",
        f"-load-profile={path}",
        *flags,
        needles=(path, *needles),
    )


def edited(env: Env, old: str, new: str) -> str:
    assert old in env.profile_text
    return env.profile_text.replace(old, new, 1)


@row("profile of another model")
def _profile_other_model(env: Env) -> Call:
    text = edited(env, "GraphHash: ", "GraphHash: 0")
    return load_profile(env, text, "GraphHash", "different model")


@row("profile of another FP16 set")
def _profile_other_fp16(env: Env) -> Call:
    np_yaml = env.write("np.yaml", "FP16NodeInstanceNames: [relu/0]\n")
    return load_profile(
        env,
        env.profile_text,
        "FP16NodeInstanceNamesHash",
        flags=(f"-node-precision-info={np_yaml}",),
    )


@row("profile truncated")
def _profile_truncated(env: Env) -> Call:
    return load_profile(env, env.profile_text[: len(env.profile_text) * 2 // 3], "pgq.yaml:")


@row("profile corrupt")
def _profile_corrupt(env: Env) -> Call:
    return load_profile(env, np.random.default_rng(1).bytes(200), "cannot read")


def edit_line(env: Env, key: str, edit: Callable[[str], str]) -> tuple[str, int]:
    """The profile with its first `key:` line edited, and that line's number."""
    lines = env.profile_text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{key}:"))
    lines[index] = edit(lines[index])
    return "".join(lines), index + 1


@row("profile Min above Max")
def _profile_min_max(env: Env) -> Call:
    text, line = edit_line(env, "Min", lambda _: "  Min: 1000.0\n")
    # The error points at the tensor's entry, the line above Min.
    return load_profile(env, text, f"pgq.yaml:{line - 1}:", "Min 1000.0 is above Max")


@row("profile NaN")
def _profile_nan(env: Env) -> Call:
    text, line = edit_line(env, "Max", lambda _: "  Max: .nan\n")
    return load_profile(env, text, f"pgq.yaml:{line}:", "finite")


@row("profile negative histogram count")
def _profile_negative(env: Env) -> Call:
    text, line = edit_line(env, "Histogram", lambda old: old.replace(": ", ": -", 1))
    return load_profile(env, text, f"pgq.yaml:{line}:", "Histogram must be counts")


@row("profile without channel sums for bias correction")
def _profile_without_sums(env: Env) -> Call:
    flags = ("-quantization-bias-correction",)
    return load_profile(env, env.profile_text, "no ChannelSums for tensor", flags=flags)


@row("profile malformed channel sums")
def _profile_bad_sums(env: Env) -> Call:
    text, line = edit_line(
        env, "Histogram", lambda old: old + "  ChannelSums: 1 x\n  ChannelSumExponent: 0\n"
    )
    text = text.replace("FormatVersion: 1", "FormatVersion: 2", 1)
    return load_profile(env, text, f"pgq.yaml:{line + 1}:", "ChannelSums must be integers")


@row("-quantization-bias-correction without a profile")
def _bias_correction_without_profile(env: Env) -> Call:
    return env.compile(
        "-quantization-bias-correction", needles=("-quantization-bias-correction", "-load-profile")
    )


# -- flags and passes ----------------------------------------------------------------------


@row("misspelt flag (aicc-compile)")
def _misspelt_compile(env: Env) -> Call:
    return env.compile("-load-profil=pgq.yaml", needles=("-load-profil=pgq.yaml", "unrecognized"))


@row("misspelt flag (aicc-opt)")
def _misspelt_opt(env: Env) -> Call:
    return env.opt(env.model(), "--print-betwen-passes", needles=("--print-betwen-passes",))


@row("misspelt flag (aicc-run)")
def _misspelt_run(env: Env) -> Call:
    return Call(
        "aicc-run", [env.model(), "--write-outptu-dir", str(env.out)], ("--write-outptu-dir",)
    )


@row("flag value of the wrong type")
def _flag_value(env: Env) -> Call:
    return env.compile("-num-histogram-bins=many", needles=("-num-histogram-bins", "'many'"))


@row("unknown pass")
def _unknown_pass(env: Env) -> Call:
    return env.opt(env.model(), "-p", "canonicalise", needles=("canonicalise",))


@row("bad pass option")
def _bad_pass_option(env: Env) -> Call:
    mlir = mlir_file(env)
    return env.opt(
        mlir,
        "-p",
        "lower-kernel-to-aic{num_cores=many}",
        needles=("lower-kernel-to-aic", "num_cores"),
    )


@row("pass pipeline syntax error")
def _pass_syntax(env: Env) -> Call:
    return env.opt(mlir_file(env), "-p", "canonicalize{", needles=("-p 'canonicalize{'", "column"))


@row("MLIR syntax error")
def _mlir_syntax(env: Env) -> Call:
    text = mlir_text().replace("onnx.Relu(%x)", "onnx.Relu(%x", 1)
    path = env.write("model.mlir", text)
    return env.opt(path, needles=(f"{path}:",))


@row("aicc-tune without a target")
def _tune_no_target(env: Env) -> Call:
    return env.tune(needles=("-target-sqnr=DB", "-max-cycles=N"))


@row("aicc-tune with two targets")
def _tune_two_targets(env: Env) -> Call:
    return env.tune("-target-sqnr=40", "-max-cycles=100", needles=("not allowed with",))


@row("aicc-tune agreement above 1")
def _tune_agreement(env: Env) -> Call:
    return env.tune("-target-agreement=1.5", needles=("-target-agreement=1.5", "[0, 1]"))


@row("aicc-tune cycle budget not positive")
def _tune_cycles(env: Env) -> Call:
    return env.tune("-max-cycles=0", needles=("-max-cycles=0", "positive"))


@row("aicc-tune given a profile")
def _tune_profile(env: Env) -> Call:
    pgq = env.write("pgq.yaml", env.profile_text)
    return env.tune("-target-sqnr=40", f"-load-profile={pgq}", needles=("-load-profile",))


@row("aicc-tune target out of reach")
def _tune_unreachable(env: Env) -> Call:
    return env.tune("-target-sqnr=500", needles=("model.onnx", "no point meets SQNR >= 500 dB"))


@row("IR that fails verification")
def _mlir_verify(env: Env) -> Call:
    # Relu's result must have its input's shape.
    text = (
        mlir_text()
        .replace("-> tensor<4xf32>", "-> tensor<5xf32>")
        .replace("return %y : tensor<4xf32>", "return %y : tensor<5xf32>")
    )
    path = env.write("model.mlir", text)
    return env.opt(path, needles=(path, "Relu 'y'", "[5]"))


def mlir_text() -> str:
    return (
        "builtin.module {\n"
        "  func.func @main(%x : tensor<4xf32>) -> tensor<4xf32> {\n"
        '    %y = onnx.Relu(%x) <{node_name = "relu0", output_names = ["y"]}> '
        ": (tensor<4xf32>) -> tensor<4xf32>\n"
        "    func.return %y : tensor<4xf32>\n"
        "  }\n"
        "}\n"
    )


def mlir_file(env: Env) -> str:
    return env.write("model.mlir", mlir_text())


# -- the test ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def profile_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A valid profile of conftest's model, written once per worker."""
    env = Env(tmp_path_factory.mktemp("profile"), "")
    path = env.path("pgq.yaml")
    argv = [f"-m={env.model()}", f"-input-list-file={env.input_list()}", f"-dump-profile={path}"]
    aicc_compile.main([*argv, "-num-histogram-bins=8"])
    return Path(path).read_text()


def run_in_process(call: Call, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    status = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            MAINS[call.tool](call.argv)
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else 1
    return status, capsys.readouterr().err


def run_call(call: Call, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    if call.subprocess:
        result = run_tool(call.tool, *call.argv)
        return result.returncode, result.stderr
    return run_in_process(call, capsys)


def assert_nothing_written(env: Env) -> None:
    assert not env.out.exists() or (env.out.is_dir() and not any(env.out.iterdir()))
    leftovers = [
        p.name for p in env.tmp.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")
    ]
    assert not leftovers


@pytest.mark.parametrize("name", ROWS)
def test_catalog(
    name: str,
    tmp_path: Path,
    profile_text: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    env = Env(tmp_path, profile_text)
    call = ROWS[name](env)
    status, stderr = run_call(call, capsys)
    assert "Traceback" not in stderr, stderr
    if call.warning:
        assert status == 0, stderr
        lines = [line for line in stderr.splitlines() if not line.startswith("remark:")]
        assert len(lines) == 1 and lines[0].startswith("warning: "), stderr
        assert_one_line(lines[0], *call.needles)
        return
    assert status == 2, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"{call.tool}: error: "), lines[0]
    assert_one_line(lines[0], *call.needles)
    assert_nothing_written(env)


def test_catalog_is_large_enough() -> None:
    assert len(ROWS) >= 25
