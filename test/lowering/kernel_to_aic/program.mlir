// lower-kernel-to-aic on the program's structure: buffers, layer records, barriers and
// the per-core streams.
// RUN: aicc-opt %s --split-input-file -p 'lower-kernel-to-aic{num_cores=2}' | filecheck %s

// Barriers: n0 and n1 only read x, so they share one barrier; n2 reads what they wrote
// (read after write) and n3 overwrites t, which n2 read (write after read): each waits
// for a barrier, named after the layer before it. The program ends with a barrier. Every
// core takes part in every barrier, with work or not, and every layer ends by waiting
// for its stores.
func.func @main(%x: memref<4x16xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<4x16xf32> {onnx.name = "v", aicc.offset = 768 : i64}) attributes {aicc.ddr_bytes = 1024 : i64} {
  %t = kernel.alloc {layout = "rowmajor", offset = 256 : i64} : memref<4x16xf32>
  %u = kernel.alloc {layout = "rowmajor", offset = 512 : i64} : memref<4x16xf32>
  %v = kernel.alloc {layout = "rowmajor", offset = 768 : i64} : memref<4x16xf32>
  kernel.elementwise ins(%x : memref<4x16xf32>) outs(%t : memref<4x16xf32>) {onnx_names = ["n0"], kind = "relu", params = array<f64>}
  kernel.elementwise ins(%x : memref<4x16xf32>) outs(%u : memref<4x16xf32>) {onnx_names = ["n1"], kind = "sigmoid", params = array<f64>}
  kernel.elementwise ins(%t, %u : memref<4x16xf32>, memref<4x16xf32>) outs(%v : memref<4x16xf32>) {onnx_names = ["n2"], kind = "add", params = array<f64>}
  kernel.elementwise ins(%x : memref<4x16xf32>) outs(%t : memref<4x16xf32>) {onnx_names = ["n3"], kind = "tanh", params = array<f64>}
  func.return %v : memref<4x16xf32>
}
// CHECK-LABEL: aic.program {target = "cloud_ai_100", cores = 2 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 8388608 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
// CHECK-NEXT:    aic.buffer {name = "x", kind = "input", offset = 0 : i64, type = memref<4x16xf32>}
// CHECK-NEXT:    aic.buffer {name = "v", kind = "output", offset = 768 : i64, type = memref<4x16xf32>}
// CHECK-NEXT:    aic.layer {node = "n0", kind = "elementwise", precision = "f32", macs = 0 : i64, bytes = 512 : i64}
// CHECK-NEXT:    aic.layer {node = "n1", kind = "elementwise", precision = "f32", macs = 0 : i64, bytes = 512 : i64}
// CHECK-NEXT:    aic.layer {node = "n2", kind = "elementwise", precision = "f32", macs = 0 : i64, bytes = 768 : i64}
// CHECK-NEXT:    aic.layer {node = "n3", kind = "elementwise", precision = "f32", macs = 0 : i64, bytes = 512 : i64}
// CHECK-NEXT:    aic.core {id = 0 : i64} {
// CHECK-NEXT:      aic.dma {node = "n0", src = #aic.view<ddr[0] : 4x16xf32, strides [16, 1]>
// CHECK:           aic.vector {node = "n0", opcode = "relu"
// CHECK-NEXT:      aic.dma {node = "n0", {{.*}}dst = #aic.view<ddr[256] : 4x16xf32, strides [16, 1]>, tag = 2 : i64}
// CHECK-NEXT:      aic.wait {node = "n0", tag = 2 : i64}
// CHECK-NEXT:      aic.dma {node = "n1", src = #aic.view<ddr[0] : 4x16xf32, strides [16, 1]>
// CHECK:           aic.vector {node = "n1", opcode = "sigmoid"
// CHECK-NEXT:      aic.dma {node = "n1", {{.*}}dst = #aic.view<ddr[512] : 4x16xf32, strides [16, 1]>, tag = 2 : i64}
// CHECK-NEXT:      aic.wait {node = "n1", tag = 2 : i64}
// CHECK-NEXT:      aic.barrier {node = "n1", id = 0 : i64}
// CHECK-NEXT:      aic.dma {node = "n2", src = #aic.view<ddr[256] : 4x16xf32
// CHECK-NEXT:      aic.dma {node = "n2", src = #aic.view<ddr[512] : 4x16xf32
// CHECK:           aic.vector {node = "n2", opcode = "add"
// CHECK-NEXT:      aic.dma {node = "n2", {{.*}}dst = #aic.view<ddr[768] : 4x16xf32, strides [16, 1]>, tag = 2 : i64}
// CHECK-NEXT:      aic.wait {node = "n2", tag = 2 : i64}
// CHECK-NEXT:      aic.barrier {node = "n2", id = 1 : i64}
// CHECK-NEXT:      aic.dma {node = "n3", src = #aic.view<ddr[0] : 4x16xf32
// CHECK:           aic.vector {node = "n3", opcode = "tanh"
// CHECK-NEXT:      aic.dma {node = "n3", {{.*}}dst = #aic.view<ddr[256] : 4x16xf32, strides [16, 1]>, tag = 2 : i64}
// CHECK-NEXT:      aic.wait {node = "n3", tag = 2 : i64}
// CHECK-NEXT:      aic.barrier {node = "n3", id = 2 : i64}
// CHECK-NEXT:    }
// CHECK-NEXT:    aic.core {id = 1 : i64} {
// CHECK-NEXT:      aic.barrier {node = "n1", id = 0 : i64}
// CHECK-NEXT:      aic.barrier {node = "n2", id = 1 : i64}
// CHECK-NEXT:      aic.barrier {node = "n3", id = 2 : i64}
// CHECK-NEXT:    }
// CHECK-NEXT:  }

// -----

// Buffers: the ports by their ONNX names (an unnamed one by its position), the planned
// constants by their keys at their offsets, the new constants after the planned 1000
// bytes, each on a 64-byte boundary; the program's DDR size rounds up to the alignment.
// A layer records the bytes of all its operands.
func.func @main(%x: memref<3x4xf32> {onnx.name = "x", aicc.offset = 0 : i64}, %arg1: memref<3x4xf32> {aicc.offset = 64 : i64}) -> (memref<3x4x!quant.uniform<i8:f32:1, {0.1:1, 0.2:2, 0.3:3, 0.4:4}>> {onnx.name = "y", aicc.offset = 128 : i64}) attributes {aicc.ddr_bytes = 1000 : i64} {
  %c = kernel.const #aicc.dense_resource<c0> {offset = 192 : i64} : memref<4xf32>
  %t = kernel.alloc {layout = "rowmajor", offset = 256 : i64} : memref<3x4xf32>
  %u = kernel.alloc {layout = "rowmajor", offset = 320 : i64} : memref<3x4xf32>
  %y = kernel.alloc {layout = "rowmajor", offset = 128 : i64} : memref<3x4x!quant.uniform<i8:f32:1, {0.1:1, 0.2:2, 0.3:3, 0.4:4}>>
  kernel.elementwise ins(%x, %arg1 : memref<3x4xf32>, memref<3x4xf32>) outs(%t : memref<3x4xf32>) {onnx_names = ["add0"], kind = "add", params = array<f64>}
  kernel.elementwise ins(%t, %c : memref<3x4xf32>, memref<4xf32>) outs(%u : memref<3x4xf32>) {onnx_names = ["mul0"], kind = "mul", params = array<f64>}
  kernel.convert ins(%u : memref<3x4xf32>) outs(%y : memref<3x4x!quant.uniform<i8:f32:1, {0.1:1, 0.2:2, 0.3:3, 0.4:4}>>) {onnx_names = ["q0"]}
  func.return %y : memref<3x4x!quant.uniform<i8:f32:1, {0.1:1, 0.2:2, 0.3:3, 0.4:4}>>
}
{-#
  dialect_resources: {
    aicc: {
      c0: "0x100000000000803F000000400000404000008040"
    }
  }
#-}
// CHECK-LABEL: aic.program {target = "cloud_ai_100", cores = 2 : i64, ddr_bytes = 1152 : i64,
// CHECK-NEXT:    aic.buffer {name = "x", kind = "input", offset = 0 : i64, type = memref<3x4xf32>}
// CHECK-NEXT:    aic.buffer {name = "argument1", kind = "input", offset = 64 : i64, type = memref<3x4xf32>}
// CHECK-NEXT:    aic.buffer {name = "y", kind = "output", offset = 128 : i64, type = memref<3x4x!quant.uniform<i8:f32:1, {0.1:1, 0.2:2, 0.3:3, 0.4:4}>>}
// CHECK-NEXT:    aic.buffer {name = "c0", kind = "constant", offset = 192 : i64, type = memref<4xf32>, value = #aicc.dense_resource<c0>}
// CHECK-NEXT:    aic.buffer {name = "q0_scale", kind = "constant", offset = 1024 : i64, type = memref<4xf32>, value = #aicc.dense_resource<q0_scale>}
// CHECK-NEXT:    aic.buffer {name = "q0_zp", kind = "constant", offset = 1088 : i64, type = memref<4xi32>, value = #aicc.dense_resource<q0_zp>}
// CHECK-NEXT:    aic.layer {node = "add0", kind = "elementwise", precision = "f32", macs = 0 : i64, bytes = 144 : i64}
// CHECK-NEXT:    aic.layer {node = "mul0", kind = "elementwise", precision = "f32", macs = 0 : i64, bytes = 112 : i64}
// CHECK-NEXT:    aic.layer {node = "q0", kind = "convert", precision = "i8", macs = 0 : i64, bytes = 60 : i64}
// CHECK:         aic.dma {node = "add0", src = #aic.view<ddr[64] : 3x4xf32
// CHECK:         aic.dma {node = "mul0", src = #aic.view<ddr[192] : 1x4xf32, strides [4, 1]>
// CHECK:         aic.dma {node = "q0", src = #aic.view<ddr[1024] : 1x4xf32, strides [4, 1]>
// CHECK-NEXT:    aic.dma {node = "q0", src = #aic.view<ddr[1088] : 1x4xi32, strides [4, 1]>
// CHECK:       c0: "0x100000000000803F000000400000404000008040",
// CHECK-NEXT:  q0_scale: "0x10000000CDCCCC3DCDCC4C3E9A99993ECDCCCC3E",
// CHECK-NEXT:  q0_zp: "0x1000000001000000020000000300000004000000"
