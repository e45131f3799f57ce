// Shape and ConstantOfShape run on the device as constants: the device pipeline
// starts with constant-fold-reference, which settles them (and what is computed
// from them) from the static shapes, so the lowering never sees them. Left
// unfolded, the lowering refuses them in one line naming the node.
// RUN: aicc-opt %s -p 'constant-fold-reference,lower-onnx-to-kernel{source="model.onnx"}' | filecheck %s
// RUN: not aicc-opt %s -p 'lower-onnx-to-kernel{source="model.onnx"}' 2>&1 | filecheck %s --check-prefix=UNFOLDED

// CHECK:     func.func @main
// CHECK-NOT: onnx.Shape
// CHECK-NOT: onnx.ConstantOfShape
// CHECK:     kernel.elementwise
// CHECK-SAME: ["y"]
// CHECK:     kernel.reshape
// CHECK-SAME: ["r"]
// CHECK-NOT: onnx.
// CHECK:     func.return

// UNFOLDED: aicc-opt: error: model.onnx: node 'shp' (onnx.Shape): runs on the device only as a constant folded from static shapes
// UNFOLDED-NOT: Traceback

func.func @main(%x: tensor<1x2x3x4xf32> {onnx.name = "x"}) -> (tensor<1x2x3x4xf32> {onnx.name = "y"}, tensor<2x12xf32> {onnx.name = "r"}) {
  %shp = onnx.Shape(%x) <{output_names = ["shp"]}> : (tensor<1x2x3x4xf32>) -> tensor<4xi64>
  %two = onnx.ConstantOfShape(%shp) <{value = #aicc.splat<2.0 : f32>, output_names = ["two"]}> : (tensor<4xi64>) -> tensor<1x2x3x4xf32>
  %y = onnx.Add(%x, %two) <{output_names = ["y"]}> : (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  %hw = onnx.Shape(%x) <{start = 1 : i64, end = 2 : i64, output_names = ["hw"]}> : (tensor<1x2x3x4xf32>) -> tensor<1xi64>
  %m1 = onnx.Constant() <{value = dense<-1> : tensor<1xi64>, output_names = ["m1"]}> : () -> tensor<1xi64>
  %s = onnx.Concat(%hw, %m1) <{axis = 0 : i64, output_names = ["s"]}> : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %r = onnx.Reshape(%x, %s) <{output_names = ["r"]}> : (tensor<1x2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  func.return %y, %r : tensor<1x2x3x4xf32>, tensor<2x12xf32>
}
