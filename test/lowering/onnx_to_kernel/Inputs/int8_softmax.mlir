// An INT8 Softmax: the device lowers Softmax in f32 and f16 only.
func.func @main(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x4xf32> {onnx.name = "y"}) {
  %q = quant.quantize %x : tensor<1x4xf32> to tensor<1x4x!quant.uniform<i8:f32, 0.05>>
  %s = onnx.Softmax(%q) <{axis = 1 : i64, output_names = ["sm0"]}> : (tensor<1x4x!quant.uniform<i8:f32, 0.05>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.0078125:-128>>
  %y = quant.dequantize %s : tensor<1x4x!quant.uniform<i8:f32, 0.0078125:-128>> to tensor<1x4xf32>
  func.return %y : tensor<1x4xf32>
}
