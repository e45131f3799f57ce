// Rule: every instance of a kind in keep-original-precision-for-nodes keeps the
// model's float precision (f32 here, f16 for an FP16 model), reason `kept-kind`.
// The option takes a plain or a quoted comma list.
// RUN: aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{default=f16 keep-original-precision-for-nodes=Relu,Softmax}' | filecheck %s
// RUN: aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{default=f16 keep-original-precision-for-nodes="Relu, Softmax"}' | filecheck %s
// RUN: aicc-opt %S/Inputs/half.mlir -p 'annotate-precision{keep-original-precision-for-nodes=Relu}' | filecheck %s --check-prefix=HALF

// CHECK:      %conv0 = onnx.Conv{{.*}} {aicc.precision = "f16", aicc.precision_reason = "base"}
// CHECK-NEXT: %bn0 = onnx.BatchNormalization{{.*}} {aicc.precision = "f16", aicc.precision_reason = "base"}
// CHECK-NEXT: %relu0 = onnx.Relu{{.*}} {aicc.precision = "f32", aicc.precision_reason = "kept-kind"}
// CHECK-NEXT: %conv1 = onnx.Conv{{.*}} {aicc.precision = "f16", aicc.precision_reason = "base"}
// CHECK-NEXT: %relu1 = onnx.Relu{{.*}} {aicc.precision = "f32", aicc.precision_reason = "kept-kind"}
// CHECK-NEXT: %prob = onnx.Softmax{{.*}} {aicc.precision = "f32", aicc.precision_reason = "kept-kind"}

// HALF:      %relu0 = onnx.Relu{{.*}} {aicc.precision = "f16", aicc.precision_reason = "kept-kind"}
// HALF-NEXT: %exp0 = onnx.Exp{{.*}} {aicc.precision = "f32", aicc.precision_reason = "base"}
