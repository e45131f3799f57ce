// plan-memory: [inputs | outputs | constants | activations], 64-byte aligned (the shipped
// target); activations reuse space once their last reader has run.
// RUN: aicc-opt %s -p plan-memory 2>&1 | filecheck %s
// The alignment comes from the target file; a missing one is a one-line error.
// RUN: not aicc-opt %s -p 'plan-memory{target="%S/missing.yaml"}' 2>&1 | filecheck %s --check-prefix=TARGET
// TARGET: aicc-opt: error: {{.*}}missing.yaml: cannot read: No such file or directory
// It plans kernel buffers only:
// RUN: not aicc-opt %S/../lowering/onnx_to_kernel/refusals.mlir -p plan-memory 2>&1 | filecheck %s --check-prefix=TENSORS
// TENSORS: aicc-opt: error: plan-memory: @main passes tensor<1x2x4x4xf32>, not a buffer: run lower-onnx-to-kernel first

func.func @main(%x: memref<64xf32> {onnx.name = "x"}) -> (memref<64xf32> {onnx.name = "o"}) {
  %w = kernel.const #aicc.dense_resource<w> : memref<10xf32>
  %w2 = kernel.const #aicc.dense_resource<w> : memref<10xf32>
  %a = kernel.alloc {layout = "rowmajor"} : memref<64xf32>
  kernel.elementwise ins(%x : memref<64xf32>) outs(%a : memref<64xf32>) {onnx_names = ["a"], kind = "relu", params = array<f64>}
  %b = kernel.alloc {layout = "rowmajor"} : memref<64xf32>
  kernel.elementwise ins(%a : memref<64xf32>) outs(%b : memref<64xf32>) {onnx_names = ["b"], kind = "relu", params = array<f64>}
  %c = kernel.alloc {layout = "rowmajor"} : memref<64xf32>
  kernel.elementwise ins(%b : memref<64xf32>) outs(%c : memref<64xf32>) {onnx_names = ["c"], kind = "relu", params = array<f64>}
  %d = kernel.alloc {layout = "rowmajor"} : memref<64xf32>
  kernel.elementwise ins(%c, %b : memref<64xf32>, memref<64xf32>) outs(%d : memref<64xf32>) {onnx_names = ["d"], kind = "add", params = array<f64>}
  %e = kernel.alloc {layout = "rowmajor"} : memref<10xf32>
  kernel.elementwise ins(%w, %w2 : memref<10xf32>, memref<10xf32>) outs(%e : memref<10xf32>) {onnx_names = ["e"], kind = "add", params = array<f64>}
  %o = kernel.alloc {layout = "rowmajor"} : memref<64xf32>
  kernel.elementwise ins(%d : memref<64xf32>) outs(%o : memref<64xf32>) {onnx_names = ["o"], kind = "relu", params = array<f64>}
  func.return %o : memref<64xf32>
}

// CHECK:      remark: plan-memory: peak activation memory 768 bytes (5 buffers, 1088 bytes without reuse); DDR image 1344 bytes
// CHECK:      func.func @main(%x: memref<64xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<64xf32> {onnx.name = "o", aicc.offset = 256 : i64})
// CHECK-SAME:   attributes {aicc.ddr_bytes = 1344 : i64, aicc.peak_activation_bytes = 768 : i64}
// Both constants read blob `w`: one slot.
// CHECK-NEXT:   %w = kernel.const #aicc.dense_resource<w> {offset = 512 : i64}
// CHECK-NEXT:   %w2 = kernel.const #aicc.dense_resource<w> {offset = 512 : i64}
// CHECK-NEXT:   %a = kernel.alloc {layout = "rowmajor", offset = 576 : i64}
// CHECK:        %b = kernel.alloc {layout = "rowmajor", offset = 832 : i64}
// `a` is dead once `b` is written: `c` takes its place.
// CHECK:        %c = kernel.alloc {layout = "rowmajor", offset = 576 : i64}
// `b` and `c` are both read by `d`.
// CHECK:        %d = kernel.alloc {layout = "rowmajor", offset = 1088 : i64}
// `b` and `c` are dead: their blocks merged, and `e` takes the start of that block.
// CHECK:        %e = kernel.alloc {layout = "rowmajor", offset = 576 : i64}
// CHECK:        %o = kernel.alloc {layout = "rowmajor", offset = 256 : i64}
