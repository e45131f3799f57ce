// Kernel IR before plan-memory: no DDR offsets.
func.func @main(%x: memref<4x16xf32> {onnx.name = "x"}) -> (memref<4x16xf32> {onnx.name = "y"}) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<4x16xf32>
  kernel.elementwise ins(%x : memref<4x16xf32>) outs(%y : memref<4x16xf32>) {onnx_names = ["relu0"], kind = "relu", params = array<f64>}
  func.return %y : memref<4x16xf32>
}
