// Rule: an FP16-listed instance of a kept kind runs in f16 (the instance list
// wins, reason `fp16-list-over-kept-kind`) and a warning names it; the kind's
// other instances stay kept.
// RUN: aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{node-precision-info="%S/Inputs/fp16.yaml" keep-original-precision-for-nodes=Conv default=f32}' 2>%t.err | filecheck %s
// RUN: filecheck %s --check-prefix=WARN < %t.err

// CHECK:      %conv0 = onnx.Conv{{.*}} {aicc.precision = "f16", aicc.precision_reason = "fp16-list-over-kept-kind"}
// CHECK-NEXT: %bn0 = onnx.BatchNormalization{{.*}} {aicc.precision = "f16", aicc.precision_reason = "fp16-list"}
// CHECK-NEXT: %relu0 = onnx.Relu{{.*}} {aicc.precision = "f16", aicc.precision_reason = "fp16-list"}
// CHECK-NEXT: %conv1 = onnx.Conv{{.*}} {aicc.precision = "f32", aicc.precision_reason = "kept-kind"}

// WARN:     warning: {{.*}}fp16.yaml:1: Conv 'conv0' is listed in FP16NodeInstanceNames and its kind is in -keep-original-precision-for-nodes; the instance list wins: it runs in f16
// WARN-NOT: conv1
