// RUN: aicc-opt %s -p canonicalize,dce --print-between-passes | filecheck %s
// RUN: aicc-opt %s -p canonicalize,dce -o %t.mlir && filecheck %s --check-prefix=FINAL < %t.mlir

// canonicalize folds the Identity away and erases the unused Relu; the printout
// between the passes comes from aicc's printer, and the final module follows it.

// CHECK:      IR after canonicalize:
// CHECK-NEXT: builtin.module {
// CHECK-NEXT:   func.func @main(%x: tensor<2x3xf32> {onnx.name = "x"})
// CHECK-NEXT:     %r = onnx.Relu(%x) <{output_names = ["r"]}>
// CHECK-NEXT:     func.return %r
// CHECK-NOT:  IR after dce:
// CHECK:      builtin.module {
// CHECK-NOT:  onnx.Identity
// CHECK:        %r = onnx.Relu(%x)

// FINAL:      func.func @main
// FINAL-NEXT:   %r = onnx.Relu(%x) <{output_names = ["r"]}>
// FINAL-NEXT:   func.return %r : tensor<2x3xf32>

func.func @main(%x: tensor<2x3xf32> {onnx.name = "x"}) -> (tensor<2x3xf32> {onnx.name = "r"}) {
  %unused = onnx.Relu(%x) <{output_names = ["unused"]}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %i = onnx.Identity(%x) <{output_names = ["i"]}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = onnx.Relu(%i) <{output_names = ["r"]}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %r : tensor<2x3xf32>
}
