// Errors: one line on stderr, exit status 2.
// RUN: not aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{node-precision-info="%S/Inputs/fp16_typo.yaml"}' 2>&1 | filecheck %s --check-prefix=NAMES
// NAMES: aicc-opt: error: {{.*}}fp16_typo.yaml: FP16NodeInstanceNames names no op's first output in the model: line 1 'bnn0' (did you mean 'bn0'?); line 1 'relu9' (did you mean 'relu1', 'relu0'?)
// NAMES-NOT: Traceback

// RUN: not aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{keep-original-precision-for-nodes=Conv,Relux}' 2>&1 | filecheck %s --check-prefix=KIND
// KIND: aicc-opt: error: -keep-original-precision-for-nodes: unknown op kind 'Relux' (did you mean 'Relu', {{.*}}?)
// KIND-NOT: Traceback

// RUN: not aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{default=i4}' 2>&1 | filecheck %s --check-prefix=DEFAULT
// DEFAULT: aicc-opt: error: annotate-precision: default='i4' is not one of f32, f16, i8

// RUN: not aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{default=i8 int8-fallback=i8}' 2>&1 | filecheck %s --check-prefix=FALLBACK
// FALLBACK: aicc-opt: error: annotate-precision: int8-fallback='i8' is not one of f32, f16

// RUN: not aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{node-precision-info="%S/Inputs/fp32_key.yaml"}' 2>&1 | filecheck %s --check-prefix=FP32
// FP32: aicc-opt: error: {{.*}}fp32_key.yaml:1: Setting node instances to FP32 is not supported with -node-precision-info; use -keep-original-precision-for-nodes=<op kinds> to keep nodes in original precision

// RUN: not aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{node-precision-info="%S/Inputs/numeric.yaml"}' 2>&1 | filecheck %s --check-prefix=NUMERIC
// NUMERIC: aicc-opt: error: {{.*}}numeric.yaml:1: FP16NodeInstanceNames item 010 is read by YAML as the integer 8, not a name; quote it: '010'

// RUN: not aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{node-precision-info="%S/Inputs/missing.yaml"}' 2>&1 | filecheck %s --check-prefix=MISSING
// MISSING: aicc-opt: error: {{.*}}missing.yaml: cannot read: No such file or directory
