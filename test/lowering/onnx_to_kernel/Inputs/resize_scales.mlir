// Resize by scales given at run time: the device needs its index maps at compile time.
func.func @main(%x: tensor<1x1x2x2xf32> {onnx.name = "x"}, %s: tensor<4xf32> {onnx.name = "s"}) -> (tensor<1x1x4x4xf32> {onnx.name = "up0"}) {
  %y = onnx.Resize(%x, none, %s) <{output_names = ["up0"]}> : (tensor<1x1x2x2xf32>, none, tensor<4xf32>) -> tensor<1x1x4x4xf32>
  func.return %y : tensor<1x1x4x4xf32>
}
