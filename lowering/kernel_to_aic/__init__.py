"""Lowering of planned `kernel` IR to the `aic` device-instruction dialect.

`lower` holds the pass and the table of per-op lowerings, `hazards` where barriers
go. The per-op lowerings (`conv_pool`, `matmul`, `elementwise`, `convert`,
`data_movement`) read an op's operands (`operands`), compute the constants the
device needs (`epilogue` for the matrix unit's bias, activation and
requantization) and hand a layer description to an emitter: `windows` (sliding
windows on NHWC), `matmul` (matrix products) or `row_split` (everything cut along
rows). The emitters choose the split across cores and the tiles by estimated
cycles (`tiling`) and emit per-core instruction streams (`streams`) into the
program being built (`program`).
"""

from aicc.lowering.kernel_to_aic.lower import LowerKernelToAicPass

__all__ = ["LowerKernelToAicPass"]
