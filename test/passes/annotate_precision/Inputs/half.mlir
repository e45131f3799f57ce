// An FP16 model: its original precision is f16.
func.func @main(%x: tensor<4xf16>) -> tensor<4xf16> {
  %relu0 = onnx.Relu(%x) <{output_names = ["relu0"]}> : (tensor<4xf16>) -> tensor<4xf16>
  %exp0 = onnx.Exp(%relu0) <{output_names = ["exp0"]}> : (tensor<4xf16>) -> tensor<4xf16>
  func.return %exp0 : tensor<4xf16>
}
