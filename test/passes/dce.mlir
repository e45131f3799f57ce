// RUN: aicc-opt %s -p dce | filecheck %s

// Unused onnx ops (and the constants only they used) go; graph outputs stay.
// CHECK-LABEL: func.func @main
// CHECK-NOT:     ["unused"]
// CHECK-NOT:     ["k"]
// CHECK:         %y = onnx.Relu(%x) <{output_names = ["y"]}>
// CHECK-NEXT:    func.return %y
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %k = onnx.Constant() <{value = dense<2.0> : tensor<4xf32>, output_names = ["k"]}> : () -> tensor<4xf32>
  %unused = onnx.Mul(%x, %k) <{output_names = ["unused"]}> : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = onnx.Relu(%x) <{output_names = ["y"]}> : (tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
