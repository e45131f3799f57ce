// Rule: every onnx op but onnx.Constant gets the base precision `default`, reason `base`.
// RUN: aicc-opt %S/Inputs/cnn.mlir -p annotate-precision | filecheck %s --check-prefixes=CHECK,F32
// RUN: aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{default=f16}' | filecheck %s --check-prefixes=CHECK,F16

// CHECK-NOT:  aicc.precision = {{.*}} : () ->
// F32:        %conv0 = onnx.Conv{{.*}} {aicc.precision = "f32", aicc.precision_reason = "base"}
// F32-NEXT:   %bn0 = onnx.BatchNormalization{{.*}} {aicc.precision = "f32", aicc.precision_reason = "base"}
// F32-NEXT:   %relu0 = onnx.Relu{{.*}} {aicc.precision = "f32", aicc.precision_reason = "base"}
// F32-NEXT:   %conv1 = onnx.Conv{{.*}} {aicc.precision = "f32", aicc.precision_reason = "base"}
// F32-NEXT:   %relu1 = onnx.Relu{{.*}} {aicc.precision = "f32", aicc.precision_reason = "base"}
// F32-NEXT:   %prob = onnx.Softmax{{.*}} {aicc.precision = "f32", aicc.precision_reason = "base"}
// F16:        %conv0 = onnx.Conv{{.*}} {aicc.precision = "f16", aicc.precision_reason = "base"}
// F16-NEXT:   %bn0 = onnx.BatchNormalization{{.*}} {aicc.precision = "f16", aicc.precision_reason = "base"}
// F16-NEXT:   %relu0 = onnx.Relu{{.*}} {aicc.precision = "f16", aicc.precision_reason = "base"}
// F16-NEXT:   %conv1 = onnx.Conv{{.*}} {aicc.precision = "f16", aicc.precision_reason = "base"}
// F16-NEXT:   %relu1 = onnx.Relu{{.*}} {aicc.precision = "f16", aicc.precision_reason = "base"}
// F16-NEXT:   %prob = onnx.Softmax{{.*}} {aicc.precision = "f16", aicc.precision_reason = "base"}
// CHECK-NEXT: func.return %prob
