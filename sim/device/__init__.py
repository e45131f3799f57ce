"""`aicc.sim.device`: the simulator of `aic` programs.

    program = load_program(module, target)       # encode to tables, decode and check once
    program = load_tables(tables, constants, target)  # a bundle's binary program
    outputs, report = program.run({"x": x})      # storage dtypes, ONNX shapes
    print(report.format()); report.to_json()

Modules: `memory` (DDR and scratchpads, `DeviceFault`), `decode` (instructions to
pre-bound callables; a DMA is one `np.copyto`), `matrix` (matmul, implicit-GEMM conv),
`vector` (the vector opcodes and their exact semantics), `cost` (timelines, `Trace`), `report`
(`CostReport`), `program` (`load_program`, `DeviceProgram`).
"""

from aicc.sim.device.cost import Interval, Layer, Trace
from aicc.sim.device.memory import DeviceFault
from aicc.sim.device.program import DeviceProgram, IoBuffer, load_program, load_tables
from aicc.sim.device.report import CostReport, NodeCost

__all__ = [
    "CostReport",
    "DeviceFault",
    "DeviceProgram",
    "Interval",
    "IoBuffer",
    "Layer",
    "NodeCost",
    "Trace",
    "load_program",
    "load_tables",
]
