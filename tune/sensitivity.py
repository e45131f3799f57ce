"""Per-node sensitivity from one profile: which quantization errors reach the outputs.

The model is calibrated once. Its quantization parameters come from the all-INT8
compile over that one profile (the `quantize` pass derives them from the profile's
histograms), and every candidate set reuses them. A noise source is one quantized
tensor or one node's quantized weights. Each source is injected alone into the FP32
graph (`run_module(perturb=...)`: quantize, then dequantize, with the compiled
parameters) over a few calibration inputs, and its output noise power is measured.
Quantization errors are small and nearly independent, so the noise of a precision
assignment is the sum over its active sources, scaled per output so that the sum
over all sources equals the measured all-INT8 noise.

Which sources a set of FP16 groups removes depends on its neighbours. A group's
weights and the tensors inside it are quantized while the group runs in INT8; a
tensor between groups stays quantized while its producer or any consumer runs in
INT8 (an FP16 producer's output is quantized where an INT8 consumer reads it). So
moving one node to FP16 may gain nothing until its neighbour follows, and the
search (`aicc.tune.search`) re-evaluates gains as islands merge.

A group is one kernel of the device program (`conv0,bn0,relu0`: a Conv with its
fused BatchNormalization and activation), so a move lists every node the kernel
fuses, as the spec asks for Conv and BatchNormalization.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import BlockArgument, OpResult, SSAValue

from aicc.base.accuracy import agreement
from aicc.base.calibration import Schema, choose_channelwise_params, choose_params
from aicc.base.int8 import dequantize, quantize
from aicc.dialects.graph import input_ports, main_func, output_ports
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import ConstantOp
from aicc.dialects.quant import QuantCastOp, UniformQuantizedType
from aicc.pipeline.compiler import CompileConfig, compile_model, open_session
from aicc.runtime.inputs import Inference
from aicc.sim.reference.interpreter import run_module

WEIGHT_KINDS = ("Conv", "ConvTranspose", "Gemm", "MatMul")
"""Ops whose multi-dimensional constant operands are quantized as weights."""


@dataclass(frozen=True)
class Group:
    """One candidate for FP16: the nodes of one device kernel."""

    key: str
    """The kernel's name in the device program: its nodes' names joined by commas."""
    names: tuple[str, ...]
    """What FP16NodeInstanceNames lists to move the group, in graph order."""
    output: str
    """The tensor the group produces for the rest of the graph."""
    elements: int
    """Elements of `output`."""
    consumers: tuple[str, ...]
    """Keys of the groups that read `output`."""


@dataclass(frozen=True)
class Source:
    """One quantization error and the output noise power it causes alone."""

    name: str
    kind: str
    """`tensor` or `weight`."""
    owner: str | None
    """The group that produces the tensor or holds the weight; None: none of the groups."""
    consumers: tuple[str, ...]
    """Groups reading the tensor from outside `owner`."""
    noise: tuple[float, ...]
    """Per output: the summed squared error this source alone causes."""

    def active(self, fp16: frozenset[str]) -> bool:
        """Whether this error exists with the groups `fp16` in FP16 and the rest in INT8."""
        if self.kind == "weight":
            return self.owner is not None and self.owner not in fp16
        if self.owner is not None and self.owner not in fp16:
            return True
        return any(c not in fp16 for c in self.consumers) or (
            self.owner is None and not self.consumers
        )


@dataclass(frozen=True)
class Sensitivity:
    """The noise model of one model and profile."""

    outputs: tuple[str, ...]
    signal: tuple[float, ...]
    """Per output: the summed squared FP32 values."""
    groups: tuple[Group, ...]
    """The candidates, in graph order."""
    sources: tuple[Source, ...]
    scale: tuple[float, ...]
    """Per output: measured all-INT8 noise over the sum of every source's noise."""

    def noise(self, fp16: frozenset[str]) -> list[float]:
        total = [0.0] * len(self.outputs)
        for source in self.sources:
            if source.active(fp16):
                total = [t + n for t, n in zip(total, source.noise, strict=True)]
        return [t * s for t, s in zip(total, self.scale, strict=True)]

    def sqnr_db(self, fp16: frozenset[str]) -> list[float]:
        """Per output, the SQNR the model predicts with `fp16` in FP16."""
        return [_db(p, n) for p, n in zip(self.signal, self.noise(fp16), strict=True)]

    def relative_noise(self, fp16: frozenset[str]) -> float:
        """The noise summed over outputs, each relative to its signal: what a move reduces."""
        return sum(
            n / p if p > 0 else 0.0 for p, n in zip(self.signal, self.noise(fp16), strict=True)
        )

    def calibrated(self, measured_sqnr_db: Sequence[float]) -> Sensitivity:
        """Scaled so that all-INT8 predicts `measured_sqnr_db` per output."""
        modeled = Sensitivity(
            self.outputs, self.signal, self.groups, self.sources, (1.0,) * len(self.outputs)
        ).noise(frozenset())
        scale = []
        for p, n, db in zip(self.signal, modeled, measured_sqnr_db, strict=True):
            measured = p / 10 ** (db / 10) if math.isfinite(db) else 0.0
            scale.append(measured / n if n > 0 and measured > 0 else 1.0)
        return Sensitivity(self.outputs, self.signal, self.groups, self.sources, tuple(scale))


def _db(signal: float, noise: float) -> float:
    if noise <= 0:
        return math.inf
    if signal <= 0:
        return -math.inf
    return 10 * math.log10(signal / noise)


Members = Sequence[tuple[str, tuple[str, ...]]]
"""(group key, the node names it lists) per group."""


def kernel_members(kernel_names: Sequence[str], reference: ModuleOp, int8: ModuleOp) -> Members:
    """(key, names) of the device kernels whose every node is in `reference` and
    that run in INT8 in `int8`.

    `kernel_names` are the device program's node names (comma-joined first output
    names); `reference` is the FP32 graph, `int8` the all-INT8 compile.
    """
    quantized = _quantized_types(int8)
    ops = _ops_by_name(reference)
    members: list[tuple[str, tuple[str, ...]]] = []
    owned: set[str] = set()
    for key in kernel_names:
        names = tuple(key.split(","))
        # A kernel that only copies a tensor another kernel makes (to a graph output)
        # follows that kernel's precision: it is no candidate of its own.
        if owned.intersection(names) or not all(name in ops for name in names):
            continue
        if any(name in quantized for name in names):
            members.append((key, names))
            owned.update(names)
    return members


def groups_of(members: Members, reference: ModuleOp) -> list[Group]:
    """The groups (key, names), in graph order, with their outputs and consumers in `reference`."""
    ops = _ops_by_name(reference)
    owner = {name: key for key, names in members for name in names}
    order = [key for key, _ in members]
    groups: list[Group] = []
    for key, names in members:
        output = names[-1]
        readers = {owner.get(op.first_output_name) for op in _readers(reference, output)}
        consumers = sorted((r for r in readers if r is not None and r != key), key=order.index)
        elements = _elements(ops[output].results[0].type)
        groups.append(Group(key, names, output, elements, tuple(consumers)))
    return groups


def rank_moves(
    config: CompileConfig,
    members: Members,
    inferences: Sequence[Inference],
) -> tuple[float, list[tuple[tuple[str, ...], float]]]:
    """The worst output SQNR as `config` compiles, and the predicted worst output SQNR
    with each group (key, names) also in FP16, best first; ties keep graph order.

    One compile and one noise measurement: no compile or profile per group.
    """
    reference = open_session(replace(config, input_list=None))
    compiled = compile_model(replace(config, input_list=None))
    runs = [run.read(reference.inputs()) for run in inferences]
    groups = groups_of(members, reference.module)
    q = config.quantization
    raw = measure_sources(reference.module, compiled.module, groups, runs, q.schema, q.channelwise)
    got = [run_module(compiled.module, r) for r in runs]
    want = [run_module(reference.module, r) for r in runs]
    baseline = [
        agreement(
            np.concatenate([w[o].reshape(-1) for w in want]),
            np.concatenate([g[o].reshape(-1) for g in got]),
        ).sqnr_db
        for o in range(len(raw.outputs))
    ]
    model = raw.calibrated(baseline)
    moves = [(g.names, min(model.sqnr_db(frozenset({g.key})))) for g in groups]
    return min(baseline), sorted(moves, key=lambda move: -move[1])


class _Planned(NamedTuple):
    """A source before its measurement: the error it injects."""

    name: str
    kind: str
    owner: str | None
    consumers: tuple[str, ...]
    inject: Callable[[np.ndarray], np.ndarray]


def measure_sources(
    reference: ModuleOp,
    int8: ModuleOp,
    groups: Sequence[Group],
    runs: Sequence[Sequence[np.ndarray]],
    schema: str,
    channelwise: bool,
) -> Sensitivity:
    """Inject every source alone into `reference` over `runs` and measure its output noise."""
    planned = _plan_sources(reference, int8, groups, schema, channelwise)
    expected = [run_module(reference, run) for run in runs]
    outputs = output_ports(main_func(reference))
    signal = [
        sum(float(np.sum(np.square(e[o], dtype=np.float64))) for e in expected)
        for o in range(len(outputs))
    ]
    sources: list[Source] = []
    for source in planned:

        def perturb(seen: str, array: np.ndarray, source: _Planned = source) -> np.ndarray:
            return source.inject(array) if seen == source.name else array

        noise = [0.0] * len(outputs)
        for run, want in zip(runs, expected, strict=True):
            got = run_module(reference, run, perturb=perturb)
            for o in range(len(outputs)):
                error = got[o].astype(np.float64) - want[o].astype(np.float64)
                noise[o] += float(np.sum(np.square(error)))
        sources.append(
            Source(source.name, source.kind, source.owner, source.consumers, tuple(noise))
        )
    names = tuple(port.name for port in outputs)
    return Sensitivity(names, tuple(signal), tuple(groups), tuple(sources), (1.0,) * len(names))


def _plan_sources(
    reference: ModuleOp, int8: ModuleOp, groups: Sequence[Group], schema: str, channelwise: bool
) -> list[_Planned]:
    """Every tensor `int8` quantizes that `reference` has, then every group's weights."""
    owner = {name: g.key for g in groups for name in g.names}
    main = main_func(reference)
    known = {port.name for port in input_ports(main)} | set(_ops_by_name(reference))
    planned: list[_Planned] = []
    for name, element in _quantized_types(int8).items():
        if name not in known:
            continue
        producer = owner.get(name)
        readers = {owner.get(op.first_output_name) for op in _readers(reference, name)}
        consumers = tuple(sorted(r for r in readers if r is not None and r != producer))
        planned.append(_Planned(name, "tensor", producer, consumers, _fake_quant(element)))
    for op in main.body.block.ops:
        group = owner.get(op.first_output_name) if isinstance(op, OnnxOp) else None
        if group is None or not isinstance(op, OnnxOp) or op.ONNX_TYPE not in WEIGHT_KINDS:
            continue
        weight = op.operands[1] if len(op.operands) > 1 else None
        constant = weight.owner if isinstance(weight, OpResult) else None
        if isinstance(constant, ConstantOp) and weight is not None and len(_shape(weight)) >= 2:
            inject = _weight_quant(schema, channelwise)
            planned.append(_Planned(constant.first_output_name, "weight", group, (), inject))
    return planned


def _fake_quant(element: UniformQuantizedType) -> Callable[[np.ndarray], np.ndarray]:
    """Quantize to `element`, then back to float32: the error INT8 storage makes."""
    scale, zero_point = element.scale, element.zero_point
    storage = (element.qmin, element.qmax)

    def fake(array: np.ndarray) -> np.ndarray:
        q = quantize(array, scale, zero_point, element.storage_dtype, storage_range=storage)
        return dequantize(q, scale, zero_point).astype(array.dtype, copy=False)

    return fake


def _weight_quant(schema: str, channelwise: bool) -> Callable[[np.ndarray], np.ndarray]:
    """Quantize weights as the `quantize` pass chooses their parameters (output channel 0)."""

    def fake(array: np.ndarray) -> np.ndarray:
        if channelwise:
            scales, offsets = choose_channelwise_params(array, 0, Schema(schema), np.int8)
            q = quantize(array, scales, offsets, np.int8, axis=0)
            return dequantize(q, scales, offsets, axis=0).astype(array.dtype, copy=False)
        params = choose_params(float(array.min()), float(array.max()), Schema(schema), np.int8)
        q = quantize(array, params.scale, params.offset, np.int8)
        return dequantize(q, params.scale, params.offset).astype(array.dtype, copy=False)

    return fake


def _quantized_types(module: ModuleOp) -> dict[str, UniformQuantizedType]:
    """The per-tensor INT8 type of every named tensor of a compiled module, graph order."""
    main = main_func(module)
    ports = {arg: port.name for arg, port in zip(main.args, input_ports(main), strict=True)}
    types: dict[str, UniformQuantizedType] = {}
    for op in main.body.block.ops:
        if isinstance(op, QuantCastOp):
            name = _name_of(op.input, ports)
            element = _element(op.output.type)
            if name is not None and element is not None:
                types.setdefault(name, element)
            continue
        if not isinstance(op, OnnxOp) or isinstance(op, ConstantOp):
            continue
        for name, result in zip(op.onnx_output_names, op.results, strict=False):
            element = _element(result.type)
            if element is not None:
                types.setdefault(name, element)
    return types


def _name_of(value: SSAValue, ports: dict[BlockArgument, str]) -> str | None:
    if isinstance(value, BlockArgument):
        return ports.get(value)
    if isinstance(value, OpResult) and isinstance(value.op, OnnxOp):
        names = value.op.onnx_output_names
        return names[value.index] if value.index < len(names) else None
    return None


def _element(t: object) -> UniformQuantizedType | None:
    if not isinstance(t, TensorType):
        return None
    element = t.get_element_type()
    if isinstance(element, UniformQuantizedType) and not element.is_per_axis:
        return element
    return None


def _ops_by_name(module: ModuleOp) -> dict[str, OnnxOp]:
    return {
        op.first_output_name: op
        for op in main_func(module).body.block.ops
        if isinstance(op, OnnxOp) and not isinstance(op, ConstantOp)
    }


def _readers(module: ModuleOp, name: str) -> list[OnnxOp]:
    """The ops of `module` that read the tensor `name` (a graph input or an op's output)."""
    main = main_func(module)
    ports = {arg: port.name for arg, port in zip(main.args, input_ports(main), strict=True)}
    return [
        op
        for op in main.body.block.ops
        if isinstance(op, OnnxOp) and any(_name_of(v, ports) == name for v in op.operands)
    ]


def _shape(value: SSAValue) -> tuple[int, ...]:
    t = value.type
    return tuple(t.get_shape()) if isinstance(t, TensorType) else ()


def _elements(t: object) -> int:
    return math.prod(t.get_shape()) if isinstance(t, TensorType) else 0
