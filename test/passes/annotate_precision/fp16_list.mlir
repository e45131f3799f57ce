// Rule: the instances named in FP16NodeInstanceNames (first output names) run in
// f16, reason `fp16-list`; the other instances of the same kinds keep the base.
// The list also wins over an i8 base.
// RUN: aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{node-precision-info="%S/Inputs/fp16.yaml"}' | filecheck %s --check-prefixes=CHECK,F32
// RUN: aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{node-precision-info="%S/Inputs/fp16.yaml" default=i8}' 2>/dev/null | filecheck %s --check-prefixes=CHECK,I8

// CHECK:      %conv0 = onnx.Conv{{.*}} {aicc.precision = "f16", aicc.precision_reason = "fp16-list"}
// CHECK-NEXT: %bn0 = onnx.BatchNormalization{{.*}} {aicc.precision = "f16", aicc.precision_reason = "fp16-list"}
// CHECK-NEXT: %relu0 = onnx.Relu{{.*}} {aicc.precision = "f16", aicc.precision_reason = "fp16-list"}
// F32-NEXT:   %conv1 = onnx.Conv{{.*}} {aicc.precision = "f32", aicc.precision_reason = "base"}
// F32-NEXT:   %relu1 = onnx.Relu{{.*}} {aicc.precision = "f32", aicc.precision_reason = "base"}
// I8-NEXT:    %conv1 = onnx.Conv{{.*}} {aicc.precision = "i8", aicc.precision_reason = "base"}
