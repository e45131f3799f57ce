// What the device lowering refuses: one line naming the node (or the function) and why,
// exit status 2, no traceback.
// RUN: not aicc-opt %S/Inputs/int8_matrix_bias.mlir -p 'lower-kernel-to-aic{num_cores=2}' 2>&1 | filecheck %s --check-prefix=BIAS
// RUN: not aicc-opt %S/Inputs/negative_slice_step.mlir -p 'lower-kernel-to-aic{num_cores=2}' 2>&1 | filecheck %s --check-prefix=SLICE
// RUN: not aicc-opt %S/Inputs/per_axis_not_last.mlir -p 'lower-kernel-to-aic{num_cores=2}' 2>&1 | filecheck %s --check-prefix=AXIS
// RUN: not aicc-opt %S/Inputs/unplanned.mlir -p 'lower-kernel-to-aic{num_cores=2}' 2>&1 | filecheck %s --check-prefix=PLAN
// RUN: not aicc-opt %S/Inputs/conv_too_big.mlir -p 'lower-kernel-to-aic{num_cores=2 target="%S/Inputs/small_target.yaml"}' 2>&1 | filecheck %s --check-prefix=FIT

// BIAS:      aicc-opt: error: node 'mm1': an INT8 bias that is not per column is not supported
// BIAS-NOT:  Traceback
// SLICE:     aicc-opt: error: node 'sl0': a slice with negative steps is not supported on the device
// SLICE-NOT: Traceback
// AXIS:      aicc-opt: error: node 'qa0': a per-axis conversion along axis 0 (not the last) is not supported on the device
// AXIS-NOT:  Traceback
// PLAN:      aicc-opt: error: @main: no aicc.ddr_bytes; run plan-memory before lower-kernel-to-aic
// PLAN-NOT:  Traceback
// FIT:       aicc-opt: error: node 'conv0': one output row needs 4992 bytes of scratchpad, 2944 are left
// FIT-NOT:   Traceback
