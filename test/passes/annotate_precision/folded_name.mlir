// An FP16-listed op that constant-fold-reference folded away (an identity Transpose) is
// in the model: a remark names it, and the others listed still run in f16.
// RUN: aicc-opt %S/Inputs/identity.mlir -p 'constant-fold-reference,annotate-precision{node-precision-info="%S/Inputs/folded.yaml"}' 2>&1 | filecheck %s

// CHECK: remark: {{.*}}folded.yaml:1: 't' was folded away by constant-fold-reference; it runs in no precision
// CHECK: builtin.module attributes {aicc.folded_names = ["t"]}
// CHECK: %y = onnx.Relu(%x){{.*}} {aicc.precision = "f16", aicc.precision_reason = "fp16-list"}
