// A per-axis quantization along the first axis.
func.func @main(%x: memref<3x4xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<3x4x!quant.uniform<i8:f32:0, {0.1:1, 0.2:2, 0.3:3}>> {onnx.name = "y", aicc.offset = 64 : i64}) attributes {aicc.ddr_bytes = 128 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 64 : i64} : memref<3x4x!quant.uniform<i8:f32:0, {0.1:1, 0.2:2, 0.3:3}>>
  kernel.convert ins(%x : memref<3x4xf32>) outs(%y : memref<3x4x!quant.uniform<i8:f32:0, {0.1:1, 0.2:2, 0.3:3}>>) {onnx_names = ["qa0"]}
  func.return %y : memref<3x4x!quant.uniform<i8:f32:0, {0.1:1, 0.2:2, 0.3:3}>>
}
