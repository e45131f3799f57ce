// A planned kernel function: one transpose (input of kernel_to_aic.mlir).
func.func @main(%x: memref<2x3x4xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<4x3x2xf32> {onnx.name = "y", aicc.offset = 128 : i64}) attributes {aicc.ddr_bytes = 256 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 128 : i64} : memref<4x3x2xf32>
  kernel.transpose ins(%x : memref<2x3x4xf32>) outs(%y : memref<4x3x2xf32>) {onnx_names = ["t0"], perm = array<i64: 2, 1, 0>}
  func.return %y : memref<4x3x2xf32>
}
