builtin.module {
  func.func @main(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x4xf32> {onnx.name = "y"}) {
    %t = onnx.Transpose(%x) <{perm = array<i64: 0, 1>, node_name = "t", output_names = ["t"]}> : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %y = onnx.Relu(%t) <{node_name = "y", output_names = ["y"]}> : (tensor<1x4xf32>) -> tensor<1x4xf32>
    func.return %y : tensor<1x4xf32>
  }
}
