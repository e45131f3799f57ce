"""The options of the `quantize` pass, which `aicc-compile` and the compile config also
carry: declared here, below both, so that the pass (`aicc.passes.quantize.QuantizePass`)
and the config (`aicc.pipeline.compiler.QuantizationConfig`) inherit the same fields."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields

from aicc.base.calibration import Calibration, Schema
from aicc.base.options import Option, option


class BiasPrecision(enum.Enum):
    """How Conv and Gemm biases are stored in INT8."""

    INT32 = "Int32"
    """At scale `s_in * s_w`, added to the int32 accumulator."""
    INT8 = "Int8"
    """In int8 with their own parameters."""


@dataclass(frozen=True, kw_only=True)
class QuantizeOptions:
    """How INT8 parameters are chosen from a profile."""

    schema: str = option(Schema.ASYMMETRIC.value, Option("quantization-schema", choices=Schema))
    calibration: str = option(
        Calibration.NONE.value, Option("quantization-calibration", choices=Calibration)
    )
    percentile: float = option(99.999, Option("percentile-calibration-value", metavar="P"))
    """The percentile kept by Percentile calibration."""
    channelwise: bool = option(
        False, Option("enable-channelwise", help="per-channel weight scales")
    )
    """One weight scale per output channel."""
    precision_bias: str = option(
        BiasPrecision.INT32.value,
        Option("quantization-precision-bias", choices=BiasPrecision),
    )

    def quantize_options(self) -> dict[str, object]:
        """These fields by name, as the `quantize` pass takes them."""
        return {f.name: getattr(self, f.name) for f in fields(QuantizeOptions)}
