// lower-kernel-to-aic on data movement (transpose, concat copies, slice, reshape): no
// compute; the input is read through a strided DDR view in the output's coordinates by one
// DMA into the scratchpad, and a contiguous DMA stores it back.
// RUN: aicc-opt %s --split-input-file -p 'lower-kernel-to-aic{num_cores=2}' | filecheck %s

// A 64 KiB transpose: the view permutes the strides; the rows are split across the cores.
func.func @main(%x: memref<2x64x128xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<128x64x2xf32> {onnx.name = "y", aicc.offset = 65536 : i64}) attributes {aicc.ddr_bytes = 131072 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 65536 : i64} : memref<128x64x2xf32>
  kernel.transpose ins(%x : memref<2x64x128xf32>) outs(%y : memref<128x64x2xf32>) {onnx_names = ["t0"], perm = array<i64: 2, 1, 0>}
  func.return %y : memref<128x64x2xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "t0", kind = "transpose", precision = "f32", macs = 0 : i64, bytes = 131072 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "t0", src = #aic.view<ddr[0] : 64x64x2xf32, strides [1, 128, 8192]>, dst = #aic.view<sp[0] : 64x64x2xf32, strides [128, 2, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "t0", tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "t0", src = #aic.view<sp[0] : 64x64x2xf32, strides [128, 2, 1]>, dst = #aic.view<ddr[65536] : 64x64x2xf32, strides [128, 2, 1]>, tag = 2 : i64}
// CHECK-NEXT:    aic.wait {node = "t0", tag = 2 : i64}
// CHECK-NEXT:    aic.barrier {node = "t0", id = 0 : i64}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK-NEXT:    aic.dma {node = "t0", src = #aic.view<ddr[256] : 64x64x2xf32, strides [1, 128, 8192]>
// CHECK:         aic.dma {node = "t0", src = #aic.view<sp[0] : 64x64x2xf32, strides [128, 2, 1]>, dst = #aic.view<ddr[98304] : 64x64x2xf32, strides [128, 2, 1]>, tag = 2 : i64}

// -----

// Concat as two copies into boxes of one buffer: the store views skip the other input's
// rows (strides [64, 8, 1]); the boxes do not overlap, so both share one barrier.
func.func @main(%a: memref<2x3x8xf32> {onnx.name = "a", aicc.offset = 0 : i64}, %b: memref<2x5x8xf32> {onnx.name = "b", aicc.offset = 192 : i64}) -> (memref<2x8x8xf32> {onnx.name = "y", aicc.offset = 512 : i64}) attributes {aicc.ddr_bytes = 1024 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 512 : i64} : memref<2x8x8xf32>
  kernel.copy ins(%a : memref<2x3x8xf32>) outs(%y : memref<2x8x8xf32>) {onnx_names = ["cat0"], offsets = array<i64: 0, 0, 0>}
  kernel.copy ins(%b : memref<2x5x8xf32>) outs(%y : memref<2x8x8xf32>) {onnx_names = ["cat0"], offsets = array<i64: 0, 3, 0>}
  func.return %y : memref<2x8x8xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "cat0", kind = "copy", precision = "f32", macs = 0 : i64, bytes = 704 : i64}
// CHECK-NEXT:  aic.layer {node = "cat0", kind = "copy", precision = "f32", macs = 0 : i64, bytes = 832 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "cat0", src = #aic.view<ddr[0] : 2x3x8xf32, strides [24, 8, 1]>, dst = #aic.view<sp[0] : 2x3x8xf32, strides [24, 8, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "cat0", tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "cat0", src = #aic.view<sp[0] : 2x3x8xf32, strides [24, 8, 1]>, dst = #aic.view<ddr[512] : 2x3x8xf32, strides [64, 8, 1]>, tag = 2 : i64}
// CHECK-NEXT:    aic.wait {node = "cat0", tag = 2 : i64}
// CHECK-NEXT:    aic.dma {node = "cat0", src = #aic.view<ddr[192] : 2x5x8xf32, strides [40, 8, 1]>, dst = #aic.view<sp[0] : 2x5x8xf32, strides [40, 8, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "cat0", tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "cat0", src = #aic.view<sp[0] : 2x5x8xf32, strides [40, 8, 1]>, dst = #aic.view<ddr[608] : 2x5x8xf32, strides [64, 8, 1]>, tag = 2 : i64}
// CHECK-NEXT:    aic.wait {node = "cat0", tag = 2 : i64}
// CHECK-NEXT:    aic.barrier {node = "cat0", id = 0 : i64}
// CHECK-NEXT:  }

// -----

// Slice with steps (2, 3) from (1, 2): the view starts at element 18 (byte 72) and steps
// the strides.
func.func @main(%x: memref<8x16xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<3x4xf32> {onnx.name = "y", aicc.offset = 512 : i64}) attributes {aicc.ddr_bytes = 576 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 512 : i64} : memref<3x4xf32>
  kernel.slice ins(%x : memref<8x16xf32>) outs(%y : memref<3x4xf32>) {onnx_names = ["sl0"], starts = array<i64: 1, 2>, steps = array<i64: 2, 3>}
  func.return %y : memref<3x4xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "sl0", src = #aic.view<ddr[72] : 3x4xf32, strides [32, 3]>, dst = #aic.view<sp[0] : 3x4xf32, strides [4, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "sl0", tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "sl0", src = #aic.view<sp[0] : 3x4xf32, strides [4, 1]>, dst = #aic.view<ddr[512] : 3x4xf32, strides [4, 1]>, tag = 2 : i64}

// -----

// A reshape onto its input's bytes records its layer and moves nothing (no barrier either);
// one into another buffer is a copy.
func.func @main(%x: memref<4x6xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<24xf32> {onnx.name = "y", aicc.offset = 128 : i64}) attributes {aicc.ddr_bytes = 256 : i64} {
  %r = kernel.alloc {layout = "rowmajor", offset = 0 : i64} : memref<2x12xf32>
  %y = kernel.alloc {layout = "rowmajor", offset = 128 : i64} : memref<24xf32>
  kernel.reshape ins(%x : memref<4x6xf32>) outs(%r : memref<2x12xf32>) {onnx_names = ["r0"]}
  kernel.reshape ins(%r : memref<2x12xf32>) outs(%y : memref<24xf32>) {onnx_names = ["r1"]}
  func.return %y : memref<24xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "r0", kind = "reshape", precision = "f32", macs = 0 : i64, bytes = 192 : i64}
// CHECK-NEXT:  aic.layer {node = "r1", kind = "reshape", precision = "f32", macs = 0 : i64, bytes = 192 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "r1", src = #aic.view<ddr[0] : 24xf32, strides [1]>, dst = #aic.view<sp[0] : 24xf32, strides [1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "r1", tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "r1", src = #aic.view<sp[0] : 24xf32, strides [1]>, dst = #aic.view<ddr[128] : 24xf32, strides [1]>, tag = 2 : i64}
// CHECK-NEXT:    aic.wait {node = "r1", tag = 2 : i64}
// CHECK-NEXT:    aic.barrier {node = "r1", id = 0 : i64}
// CHECK-NEXT:  }
// CHECK-NOT:   node = "r0", id
