// ReduceMean: the compiler accepts it and the reference runs it; the device does not.
func.func @main(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x1xf32> {onnx.name = "mean0"}) {
  %y = onnx.ReduceMean(%x) <{output_names = ["mean0"]}> : (tensor<1x4xf32>) -> tensor<1x1xf32>
  func.return %y : tensor<1x1xf32>
}
