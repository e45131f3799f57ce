"""Pass `quantize`: give every tensor the element type its op's precision asks for.

It reads the profile (`profile="pgq.yaml"`) and walks `@main` once, in order:

- an op annotated `aicc.precision = "i8"` gets results of type
  `tensor<...x!quant.uniform<i8:f32, s:z>>`, with (s, z) chosen by
  `aicc.base.int8` from the profile entry of the result's name (a fused Conv
  carries its BatchNormalization's name, so it uses the BN's entry). Each float
  activation it reads is expected in the type of the PRODUCER's profile entry, so
  an i8 producer feeding an i8 consumer needs no conversion. Constant weights (Conv
  and ConvTranspose W, Gemm and MatMul B) become symmetric int8 constants, per tensor
  or, with `channelwise`, per output channel; biases (Conv B, Gemm C) become int32
  constants at `s_in * s_w` (or int8 with their own parameters with
  `precision-bias=Int8`); other float constants become int8 at their own range;
- an op annotated "f16" gets f16 float results and reads f16 (its float constants
  become f16 constants);
- an op annotated "f32" (or not annotated) keeps the model's types.

Float parameters that are not data (Resize roi and scales, Dropout ratio) keep
their type. Integer tensors (shapes, indices) are never touched.

Where a value's type differs from what a user expects, the pass inserts a
`builtin.unrealized_conversion_cast` to the expected type, MLIR's marker of a
type conversion in progress; one per value and type, right after the producer.
`@main`'s signature keeps its float types, so graph inputs are cast at the edge
and results cast back before `func.return`. The pass decides every type and
nothing else: `insert-precision-casts` turns each marker into the `quant` op it
stands for. Splitting it this way keeps the parameter choice (this pass, the only
one that reads the profile) apart from the conversion ops, and either can be
tested alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import (
    Float16Type,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    TensorType,
    UnrealizedConversionCastOp,
)
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, BlockArgument, OpResult, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from aicc.base import calibration as cal
from aicc.base import int8 as q
from aicc.base.errors import UserError, remark, warn
from aicc.base.options import check_choices
from aicc.base.precision import precision_of
from aicc.base.profile import Profile, read_profile
from aicc.base.quantization_options import BiasPrecision, QuantizeOptions
from aicc.dialects.elements import elements_array, make_elements, resource_key, shape_of
from aicc.dialects.graph import input_ports, main_func
from aicc.dialects.onnx_base import OnnxOp
from aicc.dialects.onnx_ops import ConstantOp, ReluOp
from aicc.dialects.quant import UniformQuantizedType, float_element, quantized_element

FP16_MAX = 65504.0
FP16_HASH_RULE = (
    "When used with profile guided quantization, model quantization profile needs to be "
    "generated with -node-precision-info"
)

_WEIGHTS = {"onnx.Conv": "W", "onnx.ConvTranspose": "W", "onnx.Gemm": "B", "onnx.MatMul": "B"}
_BIASES = {"onnx.Conv": "B", "onnx.ConvTranspose": "B", "onnx.Gemm": "C"}
_FLOAT_PARAMETERS = {"onnx.Resize": ("roi", "scales"), "onnx.Dropout": ("ratio",)}
"""Float inputs that are parameters, not data: they keep their type in every precision."""


@dataclass(frozen=True)
class QuantizePass(ModulePass, QuantizeOptions):
    """Materialize the annotated precisions as tensor types, from a quantization profile.

    Its options are `profile` and the hashes below, and how INT8 parameters are chosen
    (`schema`, ...), inherited from `QuantizeOptions`.
    """

    name = "quantize"

    profile: str | None = None
    """Path of the profile written by -dump-profile; needed only when an op runs in i8."""
    graph_hash: str | None = None
    """When given, the profile's GraphHash must equal it."""
    fp16_hash: str | None = None
    """When given, the profile's FP16NodeInstanceNamesHash must equal it."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        options = _Options.of(self)
        profile = None
        if self.profile is not None:
            profile = read_profile(Path(self.profile))
            self._check_hashes(profile)
        _Quantizer(options, profile, main_func(op)).run()

    def _check_hashes(self, profile: Profile) -> None:
        if self.graph_hash is not None and profile.graph_hash != self.graph_hash:
            raise UserError(
                f"{profile.source}: GraphHash {profile.graph_hash} differs from the model's "
                f"{self.graph_hash}: the profile was generated for a different model"
            )
        if self.fp16_hash is not None and profile.fp16_hash != self.fp16_hash:
            raise UserError(
                f"{profile.source}: FP16NodeInstanceNamesHash {profile.fp16_hash} differs from "
                f"this compile's {self.fp16_hash}: the FP16 node set changed. {FP16_HASH_RULE}"
            )


@dataclass(frozen=True)
class _Options:
    """The pass options, checked and decoded."""

    schema: cal.Schema
    calibration: cal.Calibration
    percentile: float
    channelwise: bool
    int32_bias: bool

    @staticmethod
    def of(p: QuantizePass) -> _Options:
        check_choices(p, p.name)
        if not 50 < p.percentile <= 100:
            raise UserError(f"quantize: percentile must be in (50, 100], not {p.percentile}")
        return _Options(
            cal.Schema(p.schema),
            cal.Calibration(p.calibration),
            p.percentile,
            p.channelwise,
            BiasPrecision(p.precision_bias) is BiasPrecision.INT32,
        )

    @property
    def weight_schema(self) -> cal.Schema:
        return weight_schema(self.schema)


class _Quantizer:
    """One walk over `@main`: retype results, build converted constants, mark casts."""

    def __init__(self, options: _Options, profile: Profile | None, main: FuncOp) -> None:
        self.options = options
        self.profile = profile
        self.main = main
        self.block = main.body.block
        self.input_names = input_names(main)
        first = self.block.first_op
        self.edge = InsertPoint.before(first) if first else InsertPoint.at_end(self.block)
        """Where casts of graph inputs go: in input order, before every op."""
        self.params: dict[str, UniformQuantizedType] = {}
        self.casts: dict[tuple[SSAValue, Attribute], SSAValue] = {}
        self.constants: dict[tuple[SSAValue, Attribute], SSAValue] = {}
        self.originals: dict[SSAValue, Attribute] = {}
        """The model's type of every value this pass retyped."""

    def run(self) -> None:
        old_constants = [o for o in self.block.ops if isinstance(o, ConstantOp)]
        for op in list(self.block.ops):
            if isinstance(op, ReturnOp):
                outputs = self.main.function_type.outputs.data
                for index, expected in enumerate(outputs):
                    self._expect(op, index, expected)
            elif isinstance(op, OnnxOp) and not isinstance(op, ConstantOp):
                self._op(op)
        for constant in old_constants:
            if not constant.results[0].uses:
                Rewriter.erase_op(constant)

    # -- ops -----------------------------------------------------------------

    def _op(self, op: OnnxOp) -> None:
        precision = precision_of(op)
        if precision == "i8":
            self._i8_operands(op)
            for result, name in zip(op.results, op.onnx_output_names, strict=False):
                if not self._is_data(result):
                    continue
                new_type = self._activation_type(_params_name(result, name), result.type)
                self.params[name] = cast(UniformQuantizedType, new_type.get_element_type())
                self._retype(result, new_type)
        elif precision == "f16":
            self._f16_operands(op)
            for result, name in zip(op.results, op.onnx_output_names, strict=False):
                if self._is_data(result):
                    self._warn_fp16_range(op, name)
                    self._retype(result, _with_element(result.type, Float16Type()))
        else:
            for index, value in enumerate(op.operands):
                self._expect(op, index, self.originals.get(value, value.type))

    def _i8_operands(self, op: OnnxOp) -> None:
        slots = _operand_slot_names(op)
        parameters = _FLOAT_PARAMETERS.get(op.name, ())
        weight_type: UniformQuantizedType | None = None
        for index, (slot, value) in enumerate(zip(slots, list(op.operands), strict=True)):
            if not self._is_data(value) or slot in parameters:
                self._expect(op, index, self.originals.get(value, value.type))
                continue
            constant = _constant_of(value)
            if constant is not None and slot == _WEIGHTS.get(op.name):
                axis = weight_axis(op, value) if self.options.channelwise else None
                new = self._weight(constant, axis)
                weight_type = quantized_element(new.type)
            elif constant is not None and slot == _BIASES.get(op.name):
                new = self._bias(op, constant, weight_type)
            elif constant is not None:
                new = self._own_params_constant(constant)
            else:
                name = tensor_name(value, self.input_names)
                model_type = self.originals.get(value, value.type)
                self._expect(op, index, self._activation_type(name, model_type))
                continue
            op.operands[index] = new

    def _f16_operands(self, op: OnnxOp) -> None:
        parameters = _FLOAT_PARAMETERS.get(op.name, ())
        slots = _operand_slot_names(op)
        for index, (slot, value) in enumerate(zip(slots, list(op.operands), strict=True)):
            original = self.originals.get(value, value.type)
            if not self._is_data(value) or slot in parameters:
                self._expect(op, index, original)
                continue
            constant = _constant_of(value)
            if constant is None:
                self._expect(op, index, _with_element(value.type, Float16Type()))
                continue
            array = constant_array(constant).astype(np.float16)
            op.operands[index] = self._new_constant(constant, array, Float16Type(), ".f16")

    # -- types ---------------------------------------------------------------

    def _is_data(self, value: SSAValue) -> bool:
        """Whether `value` is a float tensor in the model (quantized since, maybe)."""
        return float_element(self.originals.get(value, value.type)) is not None

    def _activation_type(self, name: str, model_type: Attribute) -> TensorType[Attribute]:
        element = self.params.get(name)
        if element is None:
            element = self._profiled_params(name, model_type)
            self.params[name] = element
        return _with_element(model_type, element)

    def _profiled_params(self, name: str, model_type: Attribute) -> UniformQuantizedType:
        if self.profile is None:
            raise UserError(
                f"tensor '{name}' runs in INT8, which needs a quantization profile "
                "(-load-profile=PATH, or the pass option profile=PATH)"
            )
        entry = self.profile.tensors.get(name)
        if entry is None:
            raise UserError(
                f"{self.profile.source}: no entry for tensor '{name}', which runs in INT8; "
                "regenerate the profile for this model"
            )
        o = self.options
        schema, storage = o.schema, np.dtype(np.int8)
        if schema is cal.Schema.SYMMETRIC_WITH_UINT8 and entry.min >= 0:
            # A non-negative range is stored as u8 with zero point 0: Glow's asymmetric
            # choice on [0, max], which is what the schema means for such a range.
            schema, storage = cal.Schema.ASYMMETRIC, np.dtype(np.uint8)
        histogram = cal.profile_histogram(entry)
        if o.calibration is not cal.Calibration.NONE and not cal.calibration_applies(
            histogram, o.calibration
        ):
            remark(
                f"tensor '{name}' has {int(histogram.counts.sum())} profiled values, fewer than "
                f"{cal.MIN_CALIBRATION_SAMPLES}: "
                f"{o.calibration.value} calibration keeps its min/max"
            )
        scale, offset = cal.calibrated_params(
            histogram, schema, storage, o.calibration, o.percentile
        )
        expressed = float_element(model_type)
        return UniformQuantizedType.make(storage, scale, offset, expressed_type=expressed)

    def _retype(self, value: SSAValue, new_type: Attribute) -> None:
        original = value.type
        new_value = Rewriter.replace_value_with_new_type(value, new_type)
        self.originals[new_value] = original

    def _expect(self, op: OnnxOp | ReturnOp, index: int, expected: Attribute) -> None:
        """Make operand `index` of `op` have type `expected`, through a cast marker."""
        value = op.operands[index]
        if value.type == expected:
            return
        key = (value, expected)
        cast = self.casts.get(key)
        if cast is None:
            marker, cast = UnrealizedConversionCastOp.cast_one(value, expected)
            where = InsertPoint.after(value.op) if isinstance(value, OpResult) else self.edge
            Rewriter.insert_op(marker, where)
            self.casts[key] = cast
        op.operands[index] = cast

    def _warn_fp16_range(self, op: OnnxOp, name: str) -> None:
        if self.profile is None:
            return
        entry = self.profile.tensors.get(name)
        if entry is None or max(-entry.min, entry.max) <= FP16_MAX:
            return
        peak = entry.min if -entry.min > entry.max else entry.max
        warn(
            f"{op.describe()} runs in FP16 but tensor '{name}' reaches {peak!r} in "
            f"{self.profile.source}, beyond the FP16 range ({FP16_MAX:g})"
        )

    # -- constants -----------------------------------------------------------

    def _weight(self, constant: ConstantOp, axis: int | None) -> SSAValue:
        w = constant_array(constant)
        scales, offsets = cal.weight_params(w, axis, self.options.weight_schema)
        return self._quantized_constant(constant, w, scales, offsets, axis, np.int8, ".qw")

    def _bias(
        self, op: OnnxOp, constant: ConstantOp, weight: UniformQuantizedType | None
    ) -> SSAValue:
        x = quantized_element(op.operands[0].type)
        b = constant_array(constant)
        if x is not None and weight is not None:
            _check_accumulator(op, b, x.scale * weight.scale_array())
        if not self.options.int32_bias or x is None or weight is None:
            return self._own_params_constant(constant)
        if not _bias_fits_accumulator(op, b, weight):
            return self._own_params_constant(constant)
        axis = None if weight.axis is None else b.ndim - 1
        scales = x.scale * weight.scale_array()
        offsets = np.zeros(scales.shape, np.int64)
        return self._quantized_constant(
            constant, b, scales, offsets, axis, np.int32, f".{op.first_output_name}.bias"
        )

    def _own_params_constant(self, constant: ConstantOp) -> SSAValue:
        array = constant_array(constant)
        low, high = float(array.min(initial=0)), float(array.max(initial=0))
        scale, offset = cal.choose_params(low, high, self.options.schema, np.int8)
        return self._quantized_constant(
            constant, array, np.array(scale), np.array(offset), None, np.int8, ".q"
        )

    def _quantized_constant(
        self,
        constant: ConstantOp,
        array: np.ndarray,
        scales: np.ndarray,
        offsets: np.ndarray,
        axis: int | None,
        storage: type[np.integer],
        suffix: str,
    ) -> SSAValue:
        expressed = float_element(constant.results[0].type)
        element = UniformQuantizedType.make(
            storage, scales, offsets, axis=axis, expressed_type=expressed
        )
        data = q.quantize(array, scales, offsets, storage, axis=axis)
        return self._new_constant(constant, data, element, suffix)

    def _new_constant(
        self, constant: ConstantOp, data: np.ndarray, element: Attribute, suffix: str
    ) -> SSAValue:
        """A constant like `constant` holding `data` as elements of type `element`."""
        old = constant.results[0]
        new_type = _with_element(old.type, element)
        key = (old, new_type)
        cached = self.constants.get(key)
        if cached is not None:
            return cached
        name = constant.first_output_name + suffix
        new = ConstantOp.build(
            result_types=[new_type], properties={"value": make_elements(data, name)}
        )
        new.set_names("", [name])
        new.results[0].name_hint = resource_key(name)
        Rewriter.insert_op(new, InsertPoint.after(constant))
        self.constants[key] = new.results[0]
        return new.results[0]


# -- helpers -------------------------------------------------------------------


def weight_schema(schema: cal.Schema) -> cal.Schema:
    """The schema of constant weights under the activations' `schema`."""
    # Weights are symmetric like Glow's; power-of-two scales stay so (shift-only requantize).
    if schema is cal.Schema.SYMMETRIC_WITH_POWER2_SCALE:
        return schema
    return cal.Schema.SYMMETRIC


def input_names(main: FuncOp) -> dict[BlockArgument, str]:
    """The ONNX name of each argument of `@main`."""
    return {arg: port.name for arg, port in zip(main.args, input_ports(main), strict=True)}


def tensor_name(value: SSAValue, inputs: Mapping[BlockArgument, str]) -> str:
    """The ONNX name of a graph input or onnx op result ("" for anything else)."""
    if isinstance(value, BlockArgument):
        return inputs.get(value, "")
    if not isinstance(value, OpResult) or not isinstance(value.op, OnnxOp):
        return ""
    names = value.op.onnx_output_names
    return names[value.index] if value.index < len(names) else ""


def _operand_slot_names(op: OnnxOp) -> list[str]:
    """The ONNX input name of each of `op.operands`, in order."""
    names: list[str] = []
    for name, _ in type(op).get_irdl_definition().operands:
        value = getattr(op, name)
        if value is None:
            continue
        names += [name] * (1 if isinstance(value, SSAValue) else len(value))
    return names


def _constant_of(value: SSAValue) -> ConstantOp | None:
    owner = value.owner
    return owner if isinstance(owner, ConstantOp) else None


def constant_array(constant: ConstantOp) -> np.ndarray:
    return np.asarray(elements_array(constant.value, constant.results[0].type))


def _with_element(t: Attribute, element: Attribute) -> TensorType[Attribute]:
    return TensorType(element, shape_of(t))


def _params_name(result: SSAValue, name: str) -> str:
    """Whose profile entry quantizes `result`: an i8 Relu's when only it reads `result`.

    Quantizing at the Relu's range [0, max] fuses the activation (negative values
    saturate at the zero point, which is what the Relu does) and spends all 256
    levels on values that survive it, as Glow and TFLite do with fused activations.
    """
    if not result.has_one_use():
        return name
    user = next(iter(result.uses)).operation
    if isinstance(user, ReluOp) and precision_of(user) == "i8":
        return user.first_output_name
    return name


def weight_axis(op: OnnxOp, w: SSAValue) -> int | None:
    """The output-channel axis of the weights, or None without channelwise quantization."""
    rank = len(shape_of(w.type))
    if op.name == "onnx.Conv":
        return 0
    if op.name == "onnx.ConvTranspose":
        # W is [C, M/group, ...]: channels along axis 1 only when there is one group.
        return 1 if int_prop(op, "group") == 1 else None
    if op.name == "onnx.Gemm":
        return 0 if int_prop(op, "transB") else 1
    return rank - 1


_INT32_MAX = 2**31 - 1
_PRODUCT_MAX = 255 * 255
"""The largest |(x - z_x) * (w - z_w)| of two 8-bit operands."""


def _check_accumulator(op: OnnxOp, b: np.ndarray, s_acc: np.ndarray) -> None:
    """Refuse, at compile time, an op whose bias and products could overflow the int32
    accumulator (a bias far larger than the input scale times the weight scale)."""
    ratio = 1.0
    if op.name == "onnx.Gemm":
        ratio = abs(float_prop(op, "beta") / float_prop(op, "alpha"))
    w = shape_of(op.operands[1].type)
    if op.name == "onnx.Conv":
        reduction = int(np.prod(w[1:]))
    else:
        reduction = w[0] if op.name != "onnx.Gemm" or not int_prop(op, "transB") else w[-1]
    scale = s_acc.reshape(-1) if s_acc.size == b.size else np.max(s_acc)
    steps = float(np.max(np.abs(b.astype(np.float64).reshape(-1)) * ratio / scale, initial=0.0))
    if steps + reduction * _PRODUCT_MAX > _INT32_MAX:
        raise UserError(
            f"{op.describe()}: its bias reaches {steps:.3g} accumulator steps (input scale x "
            "weight scale), more than the int32 accumulator holds; run it in FP16 "
            "(FP16NodeInstanceNames) or keep its kind in original precision"
        )


def _bias_fits_accumulator(op: OnnxOp, b: np.ndarray, weight: UniformQuantizedType) -> bool:
    """Whether the bias can be added to the int32 accumulator at scale `s_in * s_w`.

    Gemm scales C by beta and the product by alpha, so only alpha = beta = 1 adds C as
    is; per-channel weights need C to lie along their channels (its last axis).
    """
    if op.name == "onnx.Gemm" and any(float_prop(op, p) != 1.0 for p in ("alpha", "beta")):
        return False
    return weight.axis is None or (b.ndim > 0 and b.shape[-1] == len(weight.scales))


def int_prop(op: OnnxOp, name: str) -> int:
    attr = op.properties[name]
    assert isinstance(attr, IntegerAttr)
    return attr.value.data


def float_prop(op: OnnxOp, name: str) -> float:
    attr = op.properties[name]
    assert isinstance(attr, FloatAttr)
    return attr.value.data
