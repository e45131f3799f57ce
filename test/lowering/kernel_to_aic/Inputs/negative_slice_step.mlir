// A slice stepping backwards along its first axis.
func.func @main(%x: memref<8x16xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<3x4xf32> {onnx.name = "y", aicc.offset = 512 : i64}) attributes {aicc.ddr_bytes = 576 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 512 : i64} : memref<3x4xf32>
  kernel.slice ins(%x : memref<8x16xf32>) outs(%y : memref<3x4xf32>) {onnx_names = ["sl0"], starts = array<i64: 7, 2>, steps = array<i64: -2, 3>}
  func.return %y : memref<3x4xf32>
}
