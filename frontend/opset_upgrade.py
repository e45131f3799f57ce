"""Rewrite the nodes of an older-opset model into their latest-opset forms.

The `onnx` dialect knows only the latest schema of each operator, so every node
of a model that declares an older opset is rewritten here, before shape
inference: attributes that later became inputs become int64/typed initializers,
Softmax/LogSoftmax before 13 get their 2-D coercion made explicit, legacy
attributes are dropped, and forms the latest schema cannot express are refused.

Opsets before 7 are upgraded too: legacy `broadcast`/`axis` of the binary ops
and PRelu's per-channel slope become explicit Unsqueezes of the second operand
(numpy broadcasting then gives the legacy result), attributes that later became
inputs or changed form (Reshape `shape`, Pad `paddings`, Cast `to` as a string)
take their latest form, and an old default that differs from the latest one
(Selu-1) is written out.

Names are sacred: every node keeps its name and its first output name (the
identity of an op instance); helper nodes and initializers get fresh names that
cannot collide with any name of the graph.

Resize-10 `nearest` maps to `coordinate_transformation_mode='asymmetric'`,
`nearest_mode='floor'`, as ONNX's version converter (Resize_10_11) does. Note
that onnxruntime's opset-10 kernel rounds up instead of down when it
downsamples; we follow the ONNX converter and warn when the scales downsample.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import cache

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from aicc.base.errors import UserError, warn
from aicc.dialects.onnx import OPS_BY_TYPE
from aicc.frontend.names import fresh_name

LATEST_OPSET = onnx.defs.onnx_opset_version()
OLDEST_OPSET = 1
_DATA_MAX = 64

# Element types that the dialect and the interpreter hold; anything else
# (string, complex, float8, 4-bit and 2-bit types, ...) is refused at Cast.
SUPPORTED_ELEM_TYPES = frozenset(
    {
        TensorProto.FLOAT,
        TensorProto.FLOAT16,
        TensorProto.DOUBLE,
        TensorProto.BFLOAT16,
        TensorProto.BOOL,
        TensorProto.INT8,
        TensorProto.INT16,
        TensorProto.INT32,
        TensorProto.INT64,
        TensorProto.UINT8,
        TensorProto.UINT16,
        TensorProto.UINT32,
        TensorProto.UINT64,
    }
)

# Attributes of opsets before 7 that exporters still leave behind.
_LEGACY_ATTRS = ("consumed_inputs", "is_test")

# (op type, first version where the attribute is an input, attributes in input order
# starting at input 1).
_ATTRS_TO_INPUTS: dict[str, tuple[int, tuple[str, ...]]] = {
    "Squeeze": (13, ("axes",)),
    "Unsqueeze": (13, ("axes",)),
    "ReduceSum": (13, ("axes",)),
    "ReduceMean": (18, ("axes",)),
    "ReduceMax": (18, ("axes",)),
    "Slice": (10, ("starts", "ends", "axes")),
    "Reshape": (5, ("shape",)),
}


def model_opset(model: onnx.ModelProto) -> int:
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx"):
            return opset.version
    return LATEST_OPSET


def _where(node: onnx.NodeProto) -> str:
    return f"node '{node.name or node.output[0]}' ({node.op_type})"


def _attr(node: onnx.NodeProto, name: str) -> onnx.AttributeProto | None:
    for attr in node.attribute:
        if attr.name == name:
            return attr
    return None


def _pop_attr(node: onnx.NodeProto, name: str) -> onnx.AttributeProto | None:
    for index, attr in enumerate(node.attribute):
        if attr.name == name:
            found = onnx.AttributeProto()
            found.CopyFrom(attr)
            del node.attribute[index]
            return found
    return None


def _set_input(node: onnx.NodeProto, index: int, name: str) -> None:
    while len(node.input) <= index:
        node.input.append("")
    node.input[index] = name


class _Upgrader:
    """Rewrites the nodes of one graph; collects the helper initializers."""

    def __init__(self, model: onnx.ModelProto, opset: int) -> None:
        self.model = model
        self.graph = model.graph
        self.opset = opset
        self.names: set[str] = {n for node in self.graph.node for n in (*node.input, *node.output)}
        self.names |= {node.name for node in self.graph.node}
        self.names |= {i.name for i in self.graph.initializer}
        self.names |= {i.name for i in (*self.graph.input, *self.graph.output)}
        self.initializers = {i.name: i for i in self.graph.initializer}
        self.consumed = {n for node in self.graph.node for n in node.input}
        self.consumed |= {o.name for o in self.graph.output}
        self.new_initializers: list[TensorProto] = []
        self.infos = _declared_infos(self.graph)
        # Upgraded nodes whose results are not inferred yet (see `value_type`).
        self.upgraded: list[onnx.NodeProto] = []
        self.inferred = 0

    # -- helpers -------------------------------------------------------------

    def fresh(self, base: str) -> str:
        return fresh_name(base, self.names)

    def constant(self, base: str, array: np.ndarray) -> str:
        name = self.fresh(base)
        self.new_initializers.append(numpy_helper.from_array(array, name))
        return name

    def value_type(self, name: str) -> tuple[int, int | None]:
        """(ONNX element type, rank or None) of a graph input or an upgraded node's result."""
        if _rank(self.infos.get(name)) is None:
            self.infer_upgraded()
        info = self.infos.get(name)
        if info is None:
            return TensorProto.UNDEFINED, None
        return info.type.tensor_type.elem_type, _rank(info)

    def infer_upgraded(self) -> None:
        """Infer the results of the nodes upgraded since the last call.

        The nodes are in their latest forms, whose schemas all infer shapes
        (version-1 schemas mostly do not); each node is inferred once.
        """
        nodes = self.upgraded[self.inferred :]
        self.inferred = len(self.upgraded)
        if not nodes:
            return
        produced = {o for node in nodes for o in node.output}
        outside = dict.fromkeys(i for node in nodes for i in node.input if i and i not in produced)
        data = self.initializers | {i.name: i for i in self.new_initializers}
        # Small initializers stay data so that inference sees shapes given as data (Reshape).
        small = [data[n] for n in outside if n in data and math.prod(data[n].dims) <= _DATA_MAX]
        held = {i.name for i in small}
        inputs = [
            self.infos.get(n) or helper.make_value_info(n, onnx.TypeProto())
            for n in outside
            if n not in held
        ]
        model = helper.make_model(
            helper.make_graph(nodes, "upgraded", inputs, [], small),
            opset_imports=[helper.make_opsetid("", LATEST_OPSET)],
        )
        try:
            inferred = onnx.shape_inference.infer_shapes(model, data_prop=True)
        except onnx.shape_inference.InferenceError as e:
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise UserError(f"shape inference of the upgraded nodes failed: {first}") from None
        for info in inferred.graph.value_info:
            if _rank(self.infos.get(info.name)) is None:
                self.infos[info.name] = info

    def scalar_of_input_type(self, node: onnx.NodeProto, value: float, base: str) -> str:
        elem = self.value_type(node.input[0])[0]
        if elem == TensorProto.UNDEFINED:
            raise UserError(
                f"{_where(node)}: the element type of input '{node.input[0]}' is unknown"
            )
        dtype = helper.tensor_dtype_to_np_dtype(elem)
        return self.constant(base, np.array(value, dtype=dtype))

    def unsqueeze(self, node: onnx.NodeProto, index: int, axes: Iterable[int]) -> onnx.NodeProto:
        """An Unsqueeze of input `index` of `node` at `axes`; the node then reads its result."""
        value = node.input[index]
        out = self.fresh(f"{value}_unsqueezed")
        axes_name = self.constant(f"{out}_axes", np.asarray(list(axes), dtype=np.int64))
        node.input[index] = out
        return helper.make_node("Unsqueeze", [value, axes_name], [out], name=out)

    def ranks(self, node: onnx.NodeProto, what: str) -> tuple[int, int]:
        """Ranks of the first two inputs of `node`; `what` says why they are needed."""
        first, second = (self.value_type(name)[1] for name in node.input[:2])
        if first is None or second is None:
            raise UserError(f"{_where(node)}: {what} needs the ranks of both inputs")
        return first, second

    def attr_to_input(self, node: onnx.NodeProto, attr_name: str, index: int) -> None:
        attr = _pop_attr(node, attr_name)
        if attr is None:
            return
        array = np.asarray(list(attr.ints), dtype=np.int64)
        _set_input(node, index, self.constant(f"{node.output[0]}_{attr_name}", array))

    # -- the walk ------------------------------------------------------------

    def run(self) -> None:
        for node in self.graph.node:
            self.upgraded.extend(self.upgrade(node))
        del self.graph.node[:]
        self.graph.node.extend(self.upgraded)
        self.graph.initializer.extend(self.new_initializers)

    def upgrade(self, node: onnx.NodeProto) -> list[onnx.NodeProto]:
        if node.domain not in ("", "ai.onnx") or node.op_type not in OPS_BY_TYPE:
            raise UserError(
                f"node '{node.name or node.output[0]}': operator "
                f"{node.domain or 'ai.onnx'}.{node.op_type} is not supported"
            )
        self.drop_legacy_attrs(node)
        try:
            since = onnx.defs.get_schema(node.op_type, self.opset, "").since_version
        except onnx.defs.SchemaError:
            raise UserError(
                f"{_where(node)}: the operator does not exist in opset {self.opset}"
            ) from None
        _pin_changed_defaults(node, since)
        rule = _RULES.get(node.op_type)
        if rule is None:
            return [node]
        return rule(self, node, since)

    def drop_legacy_attrs(self, node: onnx.NodeProto) -> None:
        for name in _LEGACY_ATTRS:
            attr = _pop_attr(node, name)
            if attr is not None and name == "is_test" and attr.i == 0:
                warn(f"{_where(node)}: is_test=0 (training mode) ignored; aicc runs inference")


@cache
def _changed_defaults(op_type: str, since: int) -> tuple[onnx.AttributeProto, ...]:
    """Defaults of version `since` of `op_type` that the latest version changed."""
    latest = onnx.defs.get_schema(op_type, LATEST_OPSET, "").attributes
    old = onnx.defs.get_schema(op_type, since, "").attributes
    changed: list[onnx.AttributeProto] = []
    for name, attr in old.items():
        if not attr.default_value.name or name not in latest:
            continue
        if attr.default_value != latest[name].default_value:
            changed.append(attr.default_value)
    return tuple(changed)


def _pin_changed_defaults(node: onnx.NodeProto, since: int) -> None:
    """Write out an omitted attribute whose default the latest version changed."""
    for default in _changed_defaults(node.op_type, since):
        if _attr(node, default.name) is None:
            node.attribute.append(default)


def _declared_infos(graph: onnx.GraphProto) -> dict[str, onnx.ValueInfoProto]:
    infos = {
        info.name: info
        for info in (*graph.input, *graph.value_info, *graph.output)
        if info.type.HasField("tensor_type")
    }
    for init in graph.initializer:
        infos[init.name] = helper.make_tensor_value_info(init.name, init.data_type, init.dims)
    return infos


def _rank(info: onnx.ValueInfoProto | None) -> int | None:
    if info is None or not info.type.tensor_type.HasField("shape"):
        return None
    return len(info.type.tensor_type.shape.dim)


# -- per-operator rules --------------------------------------------------------

Rule = Callable[[_Upgrader, onnx.NodeProto, int], list[onnx.NodeProto]]


def _attrs_to_inputs(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    first_as_input, names = _ATTRS_TO_INPUTS[node.op_type]
    if since < first_as_input:
        for index, name in enumerate(names, start=1):
            up.attr_to_input(node, name, index)
    return [node]


def _legacy_broadcast(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    if since >= 7:
        return [node]
    broadcast = _pop_attr(node, "broadcast")
    axis = _pop_attr(node, "axis")
    # Without broadcast the shapes are equal; without axis the suffixes match:
    # numpy broadcasting gives the same result in both cases.
    if broadcast is None or broadcast.i == 0 or axis is None:
        return [node]
    rank_a, rank_b = up.ranks(node, f"broadcasting at axis {axis.i}")
    start = axis.i + rank_a if axis.i < 0 else axis.i
    trailing = rank_a - start - rank_b
    if not 0 <= start < rank_a or trailing < 0:
        raise UserError(
            f"{_where(node)}: a rank-{rank_b} operand does not fit a rank-{rank_a} "
            f"operand at axis {axis.i}"
        )
    if trailing == 0:
        return [node]
    return [up.unsqueeze(node, 1, range(rank_b, rank_b + trailing)), node]


def _prelu(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    if since >= 7:
        return [node]
    # Before 7 a 1-D slope holds one value per channel (axis 1), or one for all.
    rank_x, rank_slope = up.ranks(node, "the per-channel slope")
    if rank_slope != 1 or rank_x <= 2:
        return [node]
    return [up.unsqueeze(node, 1, range(1, rank_x - 1)), node]


def _gemm(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    if since < 7:
        _pop_attr(node, "broadcast")  # C always broadcasts unidirectionally now
    return [node]


def _concat(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    if since < 4 and _attr(node, "axis") is None:
        node.attribute.append(helper.make_attribute("axis", 1))
    return [node]


def _clip(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    if since >= 11:
        return [node]
    for index, name in enumerate(("min", "max"), start=1):
        attr = _pop_attr(node, name)
        if attr is not None:
            base = f"{node.output[0]}_{name}"
            _set_input(node, index, up.scalar_of_input_type(node, attr.f, base))
    return [node]


def _split(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    if since < 13:
        up.attr_to_input(node, "split", 1)
    has_split = len(node.input) > 1 and node.input[1] != ""
    if since < 18 and not has_split:
        node.attribute.append(helper.make_attribute("num_outputs", len(node.output)))
    return [node]


def _pad(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    if since >= 11:
        return [node]
    paddings = _attr(node, "paddings")
    if paddings is not None:  # Pad-1's name; the layout is the same
        paddings.name = "pads"
    up.attr_to_input(node, "pads", 1)
    value = _pop_attr(node, "value")
    if value is not None and value.f != 0.0:
        _set_input(node, 2, up.scalar_of_input_type(node, value.f, f"{node.output[0]}_value"))
    return [node]


def _dropout(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    if since < 12:
        ratio = _pop_attr(node, "ratio")
        if ratio is not None:
            array = np.array(ratio.f, dtype=np.float32)
            _set_input(node, 1, up.constant(f"{node.output[0]}_ratio", array))
    mask = node.output[1] if len(node.output) > 1 else ""
    if since >= 10 or not mask:
        return [node]
    if mask not in up.consumed:
        del node.output[1]  # an unused mask: the latest form's bool mask is not needed
        return [node]
    # Before opset 10 the mask had the data's type; the latest mask is bool. Its
    # inference-mode value was unspecified: onnxruntime's old kernel gives zeros,
    # the latest schema (and ONNX's reference) ones.
    warn(
        f"{_where(node)}: the opset-{up.opset} mask '{mask}' is taken as all ones "
        "(latest semantics)"
    )
    elem = up.value_type(node.input[0])[0]
    node.output[1] = up.fresh(f"{mask}_bool")
    cast = helper.make_node(
        "Cast", [node.output[1]], [mask], name=up.fresh(f"{mask}_cast"), to=elem
    )
    return [node, cast]


def _batch_normalization(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    spatial = _pop_attr(node, "spatial")
    if since < 9 and spatial is not None and spatial.i == 0:
        scale = node.input[1]
        if up.value_type(scale)[1] != 1:
            raise UserError(
                f"{_where(node)}: spatial=0 (per-activation statistics) is not supported"
            )
    extra = [o for o in node.output[1:] if o]
    if extra:
        raise UserError(
            f"{_where(node)}: training-mode outputs ({', '.join(extra)}) are not supported"
        )
    return [node]


def _softmax(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    if since >= 13:
        return [node]
    axis_attr = _pop_attr(node, "axis")
    axis = axis_attr.i if axis_attr is not None else 1
    rank = up.value_type(node.output[0])[1]
    if rank is None:
        rank = up.value_type(node.input[0])[1]
    if rank is not None and axis % rank == rank - 1:
        return [node]  # coercing to 2-D at the last axis changes nothing
    # Before 13 the input is coerced to 2-D at `axis` and normalized along the
    # flattened trailing dimensions; make the coercion explicit.
    out, x = node.output[0], node.input[0]
    shape = up.fresh(f"{out}_shape")
    flat = up.fresh(f"{out}_flat")
    normalized = up.fresh(f"{out}_2d")
    return [
        helper.make_node("Shape", [x], [shape], name=shape),
        helper.make_node("Flatten", [x], [flat], name=flat, axis=axis),
        helper.make_node(node.op_type, [flat], [normalized], name=normalized, axis=-1),
        helper.make_node("Reshape", [normalized, shape], [out], name=node.name),
    ]


def _resize(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    mode = _attr(node, "mode")
    mode_name = mode.s.decode() if mode is not None else "nearest"
    if mode_name != "nearest":
        raise UserError(f"{_where(node)}: mode '{mode_name}' is not supported (only 'nearest')")
    if since < 11:
        _warn_if_downsampling(up, node)
        scales = node.input[1]
        del node.input[1:]
        node.input.extend(["", scales])
        node.attribute.append(helper.make_attribute("coordinate_transformation_mode", "asymmetric"))
        node.attribute.append(helper.make_attribute("nearest_mode", "floor"))
        return [node]
    transform = _attr(node, "coordinate_transformation_mode")
    if transform is not None and transform.s == b"tf_half_pixel_for_nn":
        raise UserError(
            f"{_where(node)}: coordinate_transformation_mode 'tf_half_pixel_for_nn' "
            "is not supported"
        )
    # Opsets 11-12 required roi and scales, empty when unused; the latest form omits them.
    for index in (1, 2):
        init = up.initializers.get(node.input[index]) if len(node.input) > index else None
        if init is not None and 0 in init.dims:
            node.input[index] = ""
    return [node]


def _warn_if_downsampling(up: _Upgrader, node: onnx.NodeProto) -> None:
    init = up.initializers.get(node.input[1]) if len(node.input) > 1 else None
    if init is not None and np.any(numpy_helper.to_array(init) < 1):
        warn(
            f"{_where(node)}: opset-10 nearest downsampling follows ONNX's converter "
            "(asymmetric, floor); onnxruntime's opset-10 kernel rounds up instead"
        )


def _cast(up: _Upgrader, node: onnx.NodeProto, since: int) -> list[onnx.NodeProto]:
    to = _attr(node, "to")
    if to is not None and to.type == onnx.AttributeProto.STRING:
        _enum_cast_target(node, to)
    if to is not None and to.i not in SUPPORTED_ELEM_TYPES:
        name = TensorProto.DataType.Name(to.i) if to.i in TensorProto.DataType.values() else to.i
        raise UserError(f"{_where(node)}: cast to {name} is not supported")
    return [node]


def _enum_cast_target(node: onnx.NodeProto, to: onnx.AttributeProto) -> None:
    """Cast-1 names its target type as a string; later versions hold the enum."""
    name = to.s.decode(errors="replace")
    try:
        elem = TensorProto.DataType.Value(name.upper())
    except ValueError:
        raise UserError(f"{_where(node)}: unknown cast target type '{name}'") from None
    to.ClearField("s")
    to.type = onnx.AttributeProto.INT
    to.i = elem


_RULES: dict[str, Rule] = {
    **dict.fromkeys(("Add", "Sub", "Mul", "Div", "Pow"), _legacy_broadcast),
    "PRelu": _prelu,
    "Gemm": _gemm,
    "Concat": _concat,
    **dict.fromkeys(_ATTRS_TO_INPUTS, _attrs_to_inputs),
    "Clip": _clip,
    "Split": _split,
    "Pad": _pad,
    "Dropout": _dropout,
    "BatchNormalization": _batch_normalization,
    "Softmax": _softmax,
    "LogSoftmax": _softmax,
    "Resize": _resize,
    "Cast": _cast,
}


def upgrade_model(model: onnx.ModelProto) -> None:
    """Rewrite `model` in place to the latest opset; refuse what it cannot express."""
    opset = model_opset(model)
    if opset < OLDEST_OPSET:
        raise UserError(f"opset {opset} is not supported (the oldest supported is {OLDEST_OPSET})")
    if opset > LATEST_OPSET:
        raise UserError(f"opset {opset} is newer than the latest known ({LATEST_OPSET})")
    _Upgrader(model, opset).run()
    _set_latest_opset(model.opset_import)
    model.ir_version = max(model.ir_version, onnx.IR_VERSION)


def _set_latest_opset(opsets: Iterable[onnx.OperatorSetIdProto]) -> None:
    for opset in opsets:
        if opset.domain in ("", "ai.onnx"):
            opset.version = LATEST_OPSET
