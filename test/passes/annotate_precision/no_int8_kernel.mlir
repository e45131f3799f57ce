// Rule: with an i8 base, an op with no INT8 kernel (Softmax) falls back to
// int8-fallback (f32, or f16 beside -convert-to-fp16), reason `no-int8-kernel`,
// and a remark names it. Ops with an INT8 kernel (Conv) stay i8.
// RUN: aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{default=i8}' 2>%t.err | filecheck %s --check-prefixes=CHECK,F32
// RUN: filecheck %s --check-prefix=REMARK < %t.err
// RUN: aicc-opt %S/Inputs/cnn.mlir -p 'annotate-precision{default=i8 int8-fallback=f16}' 2>/dev/null | filecheck %s --check-prefixes=CHECK,F16

// CHECK: %conv0 = onnx.Conv{{.*}} {aicc.precision = "i8", aicc.precision_reason = "base"}
// CHECK: %conv1 = onnx.Conv{{.*}} {aicc.precision = "i8", aicc.precision_reason = "base"}
// F32:   %prob = onnx.Softmax{{.*}} {aicc.precision = "f32", aicc.precision_reason = "no-int8-kernel"}
// F16:   %prob = onnx.Softmax{{.*}} {aicc.precision = "f16", aicc.precision_reason = "no-int8-kernel"}

// REMARK: remark: Softmax 'prob' has no INT8 kernel; runs in f32
