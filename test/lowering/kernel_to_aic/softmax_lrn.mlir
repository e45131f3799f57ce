// lower-kernel-to-aic on softmax and LRN: the vector unit normalizes along the last axis of a
// tile, so tiles keep that axis whole and softmax along another axis reads permuted views.
// RUN: aicc-opt %s --split-input-file -p 'lower-kernel-to-aic{num_cores=2}' | filecheck %s

// Softmax along the last axis: one tile of whole rows (3 KiB: one core).
func.func @main(%x: memref<8x100xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<8x100xf32> {onnx.name = "y", aicc.offset = 3200 : i64}) attributes {aicc.ddr_bytes = 6400 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 3200 : i64} : memref<8x100xf32>
  kernel.softmax ins(%x : memref<8x100xf32>) outs(%y : memref<8x100xf32>) {onnx_names = ["sm0"], axis = 1 : i64, log = 0 : i64}
  func.return %y : memref<8x100xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "sm0", kind = "softmax", precision = "f32", macs = 0 : i64, bytes = 6400 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "sm0", src = #aic.view<ddr[0] : 8x100xf32, strides [100, 1]>, dst = #aic.view<sp[0] : 8x100xf32, strides [100, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "sm0", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "sm0", opcode = "softmax", ins = [#aic.view<sp[0] : 8x100xf32, strides [100, 1]>], outs = [#aic.view<sp[3200] : 8x100xf32, strides [100, 1]>]}
// CHECK-NEXT:    aic.dma {node = "sm0", src = #aic.view<sp[3200] : 8x100xf32, strides [100, 1]>, dst = #aic.view<ddr[3200] : 8x100xf32, strides [100, 1]>, tag = 2 : i64}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK-NEXT:    aic.barrier {node = "sm0", id = 0 : i64}
// CHECK-NEXT:  }

// -----

// Softmax along axis 0 of [16, 8]: the tile is [8, 16], the input read through the
// transposed DDR view (strides [1, 8]) and the result stored back through the same view.
func.func @main(%x: memref<16x8xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<16x8xf32> {onnx.name = "y", aicc.offset = 512 : i64}) attributes {aicc.ddr_bytes = 1024 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 512 : i64} : memref<16x8xf32>
  kernel.softmax ins(%x : memref<16x8xf32>) outs(%y : memref<16x8xf32>) {onnx_names = ["sm1"], axis = 0 : i64, log = 0 : i64}
  func.return %y : memref<16x8xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "sm1", src = #aic.view<ddr[0] : 8x16xf32, strides [1, 8]>, dst = #aic.view<sp[0] : 8x16xf32, strides [16, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "sm1", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "sm1", opcode = "softmax", ins = [#aic.view<sp[0] : 8x16xf32, strides [16, 1]>], outs = [#aic.view<sp[512] : 8x16xf32, strides [16, 1]>]}
// CHECK-NEXT:    aic.dma {node = "sm1", src = #aic.view<sp[512] : 8x16xf32, strides [16, 1]>, dst = #aic.view<ddr[512] : 8x16xf32, strides [1, 8]>, tag = 2 : i64}

// -----

// LogSoftmax of a 1-D f16 tensor: a [1, 10] tile.
func.func @main(%x: memref<10xf16> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<10xf16> {onnx.name = "y", aicc.offset = 64 : i64}) attributes {aicc.ddr_bytes = 128 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 64 : i64} : memref<10xf16>
  kernel.softmax ins(%x : memref<10xf16>) outs(%y : memref<10xf16>) {onnx_names = ["lsm0"], axis = 0 : i64, log = 1 : i64}
  func.return %y : memref<10xf16>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "lsm0", kind = "softmax", precision = "f16", macs = 0 : i64, bytes = 40 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "lsm0", src = #aic.view<ddr[0] : 1x10xf16, strides [10, 1]>, dst = #aic.view<sp[0] : 1x10xf16, strides [10, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "lsm0", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "lsm0", opcode = "log_softmax", ins = [#aic.view<sp[0] : 1x10xf16, strides [10, 1]>], outs = [#aic.view<sp[128] : 1x10xf16, strides [10, 1]>]}
// CHECK-NEXT:    aic.dma {node = "lsm0", src = #aic.view<sp[128] : 1x10xf16, strides [10, 1]>, dst = #aic.view<ddr[64] : 1x10xf16, strides [10, 1]>, tag = 2 : i64}

// -----

// LRN across the channels of an NHWC tensor, its parameters by name.
func.func @main(%x: memref<1x4x4x8xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<1x4x4x8xf32> {onnx.name = "y", aicc.offset = 512 : i64}) attributes {aicc.ddr_bytes = 1024 : i64} {
  %y = kernel.alloc {layout = "nhwc", offset = 512 : i64} : memref<1x4x4x8xf32>
  kernel.lrn ins(%x : memref<1x4x4x8xf32>) outs(%y : memref<1x4x4x8xf32>) {onnx_names = ["lrn0"], size = 5 : i64, alpha = 1.000000e-04 : f32, beta = 7.500000e-01 : f32, bias = 2.000000e+00 : f32}
  func.return %y : memref<1x4x4x8xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "lrn0", kind = "lrn", precision = "f32", macs = 0 : i64, bytes = 1024 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "lrn0", src = #aic.view<ddr[0] : 16x8xf32, strides [8, 1]>, dst = #aic.view<sp[0] : 16x8xf32, strides [8, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "lrn0", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "lrn0", opcode = "lrn", ins = [#aic.view<sp[0] : 16x8xf32, {{.*}}>], outs = [#aic.view<sp[512] : 16x8xf32, {{.*}}>], params = {size = 5 : i64, alpha = 9.9999997473787516e-05 : f64, beta = 7.500000e-01 : f64, bias = 2.000000e+00 : f64}}
// CHECK-NEXT:    aic.dma {node = "lrn0", src = #aic.view<sp[512] : 16x8xf32, {{.*}}>, dst = #aic.view<ddr[512] : 16x8xf32, strides [8, 1]>, tag = 2 : i64}
