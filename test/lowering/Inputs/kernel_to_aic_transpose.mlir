// A planned kernel function: one 64 KiB transpose (input of kernel_to_aic.mlir).
func.func @main(%x: memref<2x64x128xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<128x64x2xf32> {onnx.name = "y", aicc.offset = 65536 : i64}) attributes {aicc.ddr_bytes = 131072 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 65536 : i64} : memref<128x64x2xf32>
  kernel.transpose ins(%x : memref<2x64x128xf32>) outs(%y : memref<128x64x2xf32>) {onnx_names = ["t0"], perm = array<i64: 2, 1, 0>}
  func.return %y : memref<128x64x2xf32>
}
