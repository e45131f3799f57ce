// lower-kernel-to-aic on elementwise ops and activations: kernel.elementwise and
// kernel.scale_shift to row-split tiles, one DMA per operand and the vector opcodes.
// RUN: aicc-opt %s --split-input-file -p 'lower-kernel-to-aic{num_cores=2}' | filecheck %s

// FP32 Add with a [1, 64] operand: 128 KiB moved, so the rows are split across both cores;
// the broadcast operand keeps its one row in every tile.
func.func @main(%a: memref<256x64xf32> {onnx.name = "a", aicc.offset = 0 : i64}, %b: memref<1x64xf32> {onnx.name = "b", aicc.offset = 65536 : i64}) -> (memref<256x64xf32> {onnx.name = "y", aicc.offset = 65792 : i64}) attributes {aicc.ddr_bytes = 131328 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 65792 : i64} : memref<256x64xf32>
  kernel.elementwise ins(%a, %b : memref<256x64xf32>, memref<1x64xf32>) outs(%y : memref<256x64xf32>) {onnx_names = ["add0"], kind = "add", params = array<f64>}
  func.return %y : memref<256x64xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "add0", kind = "elementwise", precision = "f32", macs = 0 : i64, bytes = 131328 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "add0", src = #aic.view<ddr[0] : 128x64xf32, strides [64, 1]>, dst = #aic.view<sp[0] : 128x64xf32, strides [64, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "add0", src = #aic.view<ddr[65536] : 1x64xf32, strides [64, 1]>, dst = #aic.view<sp[32768] : 1x64xf32, strides [64, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "add0", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "add0", opcode = "add", ins = [#aic.view<sp[0] : 128x64xf32, strides [64, 1]>, #aic.view<sp[32768] : 1x64xf32, strides [64, 1]>], outs = [#aic.view<sp[33024] : 128x64xf32, strides [64, 1]>]}
// CHECK-NEXT:    aic.dma {node = "add0", src = #aic.view<sp[33024] : 128x64xf32, strides [64, 1]>, dst = #aic.view<ddr[65792] : 128x64xf32, strides [64, 1]>, tag = 2 : i64}
// CHECK-NEXT:    aic.wait {node = "add0", tag = 2 : i64}
// CHECK-NEXT:    aic.barrier {node = "add0", id = 0 : i64}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK-NEXT:    aic.dma {node = "add0", src = #aic.view<ddr[32768] : 128x64xf32, strides [64, 1]>
// CHECK-NEXT:    aic.dma {node = "add0", src = #aic.view<ddr[65536] : 1x64xf32, strides [64, 1]>
// CHECK:         aic.dma {node = "add0", src = #aic.view<sp[33024] : 128x64xf32, strides [64, 1]>, dst = #aic.view<ddr[98560] : 128x64xf32, strides [64, 1]>, tag = 2 : i64}

// -----

// FP32 LeakyRelu then Clip: each opcode takes its parameters by name. The second layer
// reads what the first wrote: a barrier between them. 2 KiB layers run on one core.
func.func @main(%x: memref<4x64xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<4x64xf32> {onnx.name = "y", aicc.offset = 2048 : i64}) attributes {aicc.ddr_bytes = 3072 : i64} {
  %l = kernel.alloc {layout = "rowmajor", offset = 1024 : i64} : memref<4x64xf32>
  %y = kernel.alloc {layout = "rowmajor", offset = 2048 : i64} : memref<4x64xf32>
  kernel.elementwise ins(%x : memref<4x64xf32>) outs(%l : memref<4x64xf32>) {onnx_names = ["lrelu0"], kind = "leaky_relu", params = array<f64: 0.1>}
  kernel.elementwise ins(%l : memref<4x64xf32>) outs(%y : memref<4x64xf32>) {onnx_names = ["clip0"], kind = "clip", params = array<f64: 0.0, 6.0>}
  func.return %y : memref<4x64xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.core {id = 0 : i64} {
// CHECK:         aic.vector {node = "lrelu0", opcode = "leaky_relu", ins = [#aic.view<sp[0] : 4x64xf32, strides [64, 1]>], outs = [#aic.view<sp[1024] : 4x64xf32, strides [64, 1]>], params = {alpha = 1.000000e-01 : f64}}
// CHECK-NEXT:    aic.dma {node = "lrelu0", src = #aic.view<sp[1024] : 4x64xf32, strides [64, 1]>, dst = #aic.view<ddr[1024] : 4x64xf32, strides [64, 1]>, tag = 2 : i64}
// CHECK-NEXT:    aic.wait {node = "lrelu0", tag = 2 : i64}
// CHECK-NEXT:    aic.barrier {node = "lrelu0", id = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "clip0", src = #aic.view<ddr[1024] : 4x64xf32, strides [64, 1]>
// CHECK:         aic.vector {node = "clip0", opcode = "clip", {{.*}}params = {min = 0.000000e+00 : f64, max = 6.000000e+00 : f64}}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK-NEXT:    aic.barrier {node = "lrelu0", id = 0 : i64}
// CHECK-NEXT:    aic.barrier {node = "clip0", id = 1 : i64}
// CHECK-NEXT:  }

// -----

// INT8 Add: qadd with the per-operand multipliers and shifts of the rescaled sum.
func.func @main(%a: memref<4x64x!quant.uniform<i8:f32, 0.1:2>> {onnx.name = "a", aicc.offset = 0 : i64}, %b: memref<4x64x!quant.uniform<i8:f32, 0.2:-1>> {onnx.name = "b", aicc.offset = 256 : i64}) -> (memref<4x64x!quant.uniform<i8:f32, 0.25:5>> {onnx.name = "y", aicc.offset = 512 : i64}) attributes {aicc.ddr_bytes = 768 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 512 : i64} : memref<4x64x!quant.uniform<i8:f32, 0.25:5>>
  kernel.elementwise ins(%a, %b : memref<4x64x!quant.uniform<i8:f32, 0.1:2>>, memref<4x64x!quant.uniform<i8:f32, 0.2:-1>>) outs(%y : memref<4x64x!quant.uniform<i8:f32, 0.25:5>>) {onnx_names = ["qadd0"], kind = "add", params = array<f64>}
  func.return %y : memref<4x64x!quant.uniform<i8:f32, 0.25:5>>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "qadd0", kind = "elementwise", precision = "i8"
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "qadd0", src = #aic.view<ddr[0] : 4x64xi8, strides [64, 1]>, dst = #aic.view<sp[0] : 4x64xi8, strides [64, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "qadd0", src = #aic.view<ddr[256] : 4x64xi8, strides [64, 1]>, dst = #aic.view<sp[256] : 4x64xi8, strides [64, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "qadd0", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "qadd0", opcode = "qadd", ins = [#aic.view<sp[0] : 4x64xi8, strides [64, 1]>, #aic.view<sp[256] : 4x64xi8, strides [64, 1]>], outs = [#aic.view<sp[512] : 4x64xi8, strides [64, 1]>], params = {a_zero_point = 2 : i64, a_multiplier = 1073741824 : i64, a_shift = 1 : i64, b_zero_point = -1 : i64, b_multiplier = 1073741824 : i64, b_shift = 0 : i64, multiplier = 1717986918 : i64, shift = 19 : i64, zero_point = 5 : i64, qmin = -128 : i64, qmax = 127 : i64}}

// -----

// INT8 Relu and Clip: one requantize each (scale ratio 1), Relu raising qmin to the result
// zero point, Clip narrowing both bounds to its storage-integer limits.
func.func @main(%x: memref<4x64x!quant.uniform<i8:f32, 0.1:2>> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<4x64x!quant.uniform<i8:f32, 0.1:-10>> {onnx.name = "y", aicc.offset = 512 : i64}) attributes {aicc.ddr_bytes = 768 : i64} {
  %r = kernel.alloc {layout = "rowmajor", offset = 256 : i64} : memref<4x64x!quant.uniform<i8:f32, 0.1:-10>>
  %y = kernel.alloc {layout = "rowmajor", offset = 512 : i64} : memref<4x64x!quant.uniform<i8:f32, 0.1:-10>>
  kernel.elementwise ins(%x : memref<4x64x!quant.uniform<i8:f32, 0.1:2>>) outs(%r : memref<4x64x!quant.uniform<i8:f32, 0.1:-10>>) {onnx_names = ["qrelu0"], kind = "relu", params = array<f64>}
  kernel.elementwise ins(%r : memref<4x64x!quant.uniform<i8:f32, 0.1:-10>>) outs(%y : memref<4x64x!quant.uniform<i8:f32, 0.1:-10>>) {onnx_names = ["qclip0"], kind = "clip", params = array<f64: -20.0, 50.0>}
  func.return %y : memref<4x64x!quant.uniform<i8:f32, 0.1:-10>>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.core {id = 0 : i64} {
// CHECK:         aic.vector {node = "qrelu0", opcode = "requantize", ins = [#aic.view<sp[0] : 4x64xi8, strides [64, 1]>], outs = [#aic.view<sp[256] : 4x64xi8, strides [64, 1]>], params = {multiplier = 1073741824 : i64, shift = -1 : i64, in_zero_point = 2 : i64, zero_point = -10 : i64, qmin = -10 : i64, qmax = 127 : i64}}
// CHECK:         aic.barrier {node = "qrelu0", id = 0 : i64}
// CHECK:         aic.vector {node = "qclip0", opcode = "requantize", {{.*}}params = {multiplier = 1073741824 : i64, shift = -1 : i64, in_zero_point = -10 : i64, zero_point = -10 : i64, qmin = -20 : i64, qmax = 50 : i64}}

// -----

// FP16 BatchNormalization with f32 parameters: x * scale + shift in an f32 scratch tile,
// then bias_act rounds once into the f16 result; the parameters broadcast as [1, 1, 1, C].
func.func @main(%x: memref<1x4x4x32xf16> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<1x4x4x32xf16> {onnx.name = "y", aicc.offset = 1280 : i64}) attributes {aicc.ddr_bytes = 2304 : i64} {
  %scale = kernel.const #aicc.dense_resource<scale> {offset = 1024 : i64} : memref<32xf32>
  %shift = kernel.const #aicc.dense_resource<shift> {offset = 1152 : i64} : memref<32xf32>
  %y = kernel.alloc {layout = "nhwc", offset = 1280 : i64} : memref<1x4x4x32xf16>
  kernel.scale_shift ins(%x, %scale, %shift : memref<1x4x4x32xf16>, memref<32xf32>, memref<32xf32>) outs(%y : memref<1x4x4x32xf16>) {onnx_names = ["bn0"], activation = #kernel.act<relu>}
  func.return %y : memref<1x4x4x32xf16>
}
{-#
  dialect_resources: {
    aicc: {
      scale: "0x100000000000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040000000400000004000000040",
      shift: "0x10000000000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF000080BF"
    }
  }
#-}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "bn0", kind = "scale_shift", precision = "f16", macs = 0 : i64, bytes = 2304 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "bn0", src = #aic.view<ddr[0] : 16x32xf16, strides [32, 1]>, dst = #aic.view<sp[0] : 16x32xf16, {{.*}}, tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "bn0", src = #aic.view<ddr[1024] : 1x32xf32, strides [32, 1]>, dst = #aic.view<sp[1024] : 1x32xf32, {{.*}}, tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "bn0", src = #aic.view<ddr[1152] : 1x32xf32, strides [32, 1]>, dst = #aic.view<sp[1152] : 1x32xf32, {{.*}}, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "bn0", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "bn0", opcode = "mul", ins = [#aic.view<sp[0] : 16x32xf16, {{.*}}>, #aic.view<sp[1024] : 1x32xf32, {{.*}}>], outs = [#aic.view<sp[2304] : 16x32xf32, {{.*}}>]}
// CHECK-NEXT:    aic.vector {node = "bn0", opcode = "add", ins = [#aic.view<sp[2304] : 16x32xf32, {{.*}}>, #aic.view<sp[1152] : 1x32xf32, {{.*}}>], outs = [#aic.view<sp[2304] : 16x32xf32, {{.*}}>]}
// CHECK-NEXT:    aic.vector {node = "bn0", opcode = "bias_act", ins = [#aic.view<sp[2304] : 16x32xf32, {{.*}}>], outs = [#aic.view<sp[1280] : 16x32xf16, {{.*}}>], params = {act = "relu"}}
// CHECK-NEXT:    aic.dma {node = "bn0", src = #aic.view<sp[1280] : 16x32xf16, {{.*}}>, dst = #aic.view<ddr[1280] : 16x32xf16, strides [32, 1]>, tag = 2 : i64}
