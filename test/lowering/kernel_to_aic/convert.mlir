// lower-kernel-to-aic on kernel.convert: float casts, quantize, dequantize, requantize
// (dequantize then quantize) and the fixed-point move, each a vector op on row-split tiles.
// RUN: aicc-opt %s --split-input-file -p 'lower-kernel-to-aic{num_cores=2}' | filecheck %s

// FP16: conversions are vector copies; the f16 op runs on f16 tiles. A layer this small
// (640 bytes) runs on one core: the other only takes part in the barriers.
func.func @main(%x: memref<4x40xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<4x40xf32> {onnx.name = "y", aicc.offset = 1280 : i64}) attributes {aicc.ddr_bytes = 1920 : i64} {
  %h = kernel.alloc {layout = "rowmajor", offset = 640 : i64} : memref<4x40xf16>
  %s = kernel.alloc {layout = "rowmajor", offset = 960 : i64} : memref<4x40xf16>
  %y = kernel.alloc {layout = "rowmajor", offset = 1280 : i64} : memref<4x40xf32>
  kernel.convert ins(%x : memref<4x40xf32>) outs(%h : memref<4x40xf16>) {onnx_names = ["h"]}
  kernel.elementwise ins(%h : memref<4x40xf16>) outs(%s : memref<4x40xf16>) {onnx_names = ["sig0"], kind = "sigmoid", params = array<f64>}
  kernel.convert ins(%s : memref<4x40xf16>) outs(%y : memref<4x40xf32>) {onnx_names = ["y"]}
  func.return %y : memref<4x40xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "h", kind = "convert", precision = "f16"
// CHECK:       aic.layer {node = "sig0", kind = "elementwise", precision = "f16"
// CHECK:       aic.layer {node = "y", kind = "convert", precision = "f32"
// CHECK:       aic.core {id = 0 : i64} {
// CHECK:         aic.vector {node = "h", opcode = "copy", ins = [#aic.view<sp[0] : 4x40xf32, strides [40, 1]>], outs = [#aic.view<sp[{{[0-9]+}}] : 4x40xf16, strides [40, 1]>]}
// CHECK:         aic.vector {node = "sig0", opcode = "sigmoid", ins = [#aic.view<sp[0] : 4x40xf16, {{.*}}>], outs = [#aic.view<sp[{{[0-9]+}}] : 4x40xf16, {{.*}}>]}
// CHECK:         aic.vector {node = "y", opcode = "copy", ins = [#aic.view<sp[0] : 4x40xf16, {{.*}}>], outs = [#aic.view<sp[{{[0-9]+}}] : 4x40xf32, {{.*}}>]}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK-NEXT:    aic.barrier {node = "h", id = 0 : i64}
// CHECK-NEXT:    aic.barrier {node = "sig0", id = 1 : i64}
// CHECK-NEXT:    aic.barrier {node = "y", id = 2 : i64}
// CHECK-NEXT:  }

// -----

// Quantize per tensor; requantize (mode "requantize", quant.requantize's composition) as
// dequantize into an f32 scratch tile then quantize; mode "move" as the fixed-point
// requantize opcode (scale ratio 0.1 / 0.05 = 2).
func.func @main(%x: memref<2x32xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<2x32x!quant.uniform<i8:f32, 0.1:-7>> {onnx.name = "y", aicc.offset = 448 : i64}) attributes {aicc.ddr_bytes = 512 : i64} {
  %q = kernel.alloc {layout = "rowmajor", offset = 256 : i64} : memref<2x32x!quant.uniform<i8:f32, 0.05:3>>
  %r = kernel.alloc {layout = "rowmajor", offset = 320 : i64} : memref<2x32x!quant.uniform<i8:f32, 0.1:-7>>
  %m = kernel.alloc {layout = "rowmajor", offset = 384 : i64} : memref<2x32x!quant.uniform<i8:f32, 0.05:3>>
  %y = kernel.alloc {layout = "rowmajor", offset = 448 : i64} : memref<2x32x!quant.uniform<i8:f32, 0.1:-7>>
  kernel.convert ins(%x : memref<2x32xf32>) outs(%q : memref<2x32x!quant.uniform<i8:f32, 0.05:3>>) {onnx_names = ["quant0"]}
  kernel.convert ins(%q : memref<2x32x!quant.uniform<i8:f32, 0.05:3>>) outs(%r : memref<2x32x!quant.uniform<i8:f32, 0.1:-7>>) {onnx_names = ["rq0"]}
  kernel.convert ins(%r : memref<2x32x!quant.uniform<i8:f32, 0.1:-7>>) outs(%m : memref<2x32x!quant.uniform<i8:f32, 0.05:3>>) {onnx_names = ["mv0"], mode = "move"}
  kernel.convert ins(%m : memref<2x32x!quant.uniform<i8:f32, 0.05:3>>) outs(%y : memref<2x32x!quant.uniform<i8:f32, 0.1:-7>>) {onnx_names = ["rq1"]}
  func.return %y : memref<2x32x!quant.uniform<i8:f32, 0.1:-7>>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.core {id = 0 : i64} {
// CHECK:         aic.vector {node = "quant0", opcode = "quantize", ins = [#aic.view<sp[0] : 2x32xf32, strides [32, 1]>], outs = [#aic.view<sp[256] : 2x32xi8, strides [32, 1]>], params = {scale = 5.000000e-02 : f64, zero_point = 3 : i64, qmin = -128 : i64, qmax = 127 : i64}}
// CHECK:         aic.wait {node = "rq0", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "rq0", opcode = "dequantize", ins = [#aic.view<sp[0] : 2x32xi8, strides [32, 1]>], outs = [#aic.view<sp[256] : 2x32xf32, strides [32, 1]>], params = {scale = 5.000000e-02 : f64, zero_point = 3 : i64, qmin = -128 : i64, qmax = 127 : i64, expressed = "f32"}}
// CHECK-NEXT:    aic.vector {node = "rq0", opcode = "quantize", ins = [#aic.view<sp[256] : 2x32xf32, strides [32, 1]>], outs = [#aic.view<sp[128] : 2x32xi8, strides [32, 1]>], params = {scale = 1.000000e-01 : f64, zero_point = -7 : i64, qmin = -128 : i64, qmax = 127 : i64}}
// CHECK-NEXT:    aic.dma {node = "rq0", src = #aic.view<sp[128] : 2x32xi8, strides [32, 1]>, dst = #aic.view<ddr[320] : 2x32xi8, strides [32, 1]>, tag = 2 : i64}
// CHECK:         aic.wait {node = "mv0", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "mv0", opcode = "requantize", ins = [#aic.view<sp[0] : 2x32xi8, strides [32, 1]>], outs = [#aic.view<sp[128] : 2x32xi8, strides [32, 1]>], params = {multiplier = 1073741824 : i64, shift = -2 : i64, in_zero_point = -7 : i64, zero_point = 3 : i64, qmin = -128 : i64, qmax = 127 : i64}}
// CHECK-NEXT:    aic.dma {node = "mv0", src = #aic.view<sp[128] : 2x32xi8, strides [32, 1]>, dst = #aic.view<ddr[384] : 2x32xi8, strides [32, 1]>, tag = 2 : i64}
// CHECK:         aic.vector {node = "rq1", opcode = "dequantize"
// CHECK-NEXT:    aic.vector {node = "rq1", opcode = "quantize"

// -----

// Dequantize to the f16 expressed type.
func.func @main(%x: memref<2x32x!quant.uniform<i8:f16, 0.25:1>> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<2x32xf16> {onnx.name = "y", aicc.offset = 64 : i64}) attributes {aicc.ddr_bytes = 192 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 64 : i64} : memref<2x32xf16>
  kernel.convert ins(%x : memref<2x32x!quant.uniform<i8:f16, 0.25:1>>) outs(%y : memref<2x32xf16>) {onnx_names = ["dq0"]}
  func.return %y : memref<2x32xf16>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "dq0", kind = "convert", precision = "f16", macs = 0 : i64, bytes = 192 : i64}
// CHECK:         aic.vector {node = "dq0", opcode = "dequantize", ins = [#aic.view<sp[0] : 2x32xi8, strides [32, 1]>], outs = [#aic.view<sp[128] : 2x32xf16, strides [32, 1]>], params = {scale = 2.500000e-01 : f64, zero_point = 1 : i64, qmin = -128 : i64, qmax = 127 : i64, expressed = "f16"}}

// -----

// Per-axis quantize along the last axis: the scales and zero points are new [1, C]
// constants loaded with each tile as extra inputs.
func.func @main(%x: memref<3x4xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<3x4x!quant.uniform<i8:f32:1, {0.1:1, 0.2:2, 0.3:3, 0.4:4}>> {onnx.name = "y", aicc.offset = 64 : i64}) attributes {aicc.ddr_bytes = 128 : i64} {
  %y = kernel.alloc {layout = "rowmajor", offset = 64 : i64} : memref<3x4x!quant.uniform<i8:f32:1, {0.1:1, 0.2:2, 0.3:3, 0.4:4}>>
  kernel.convert ins(%x : memref<3x4xf32>) outs(%y : memref<3x4x!quant.uniform<i8:f32:1, {0.1:1, 0.2:2, 0.3:3, 0.4:4}>>) {onnx_names = ["qa0"]}
  func.return %y : memref<3x4x!quant.uniform<i8:f32:1, {0.1:1, 0.2:2, 0.3:3, 0.4:4}>>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.buffer {name = "qa0_scale", kind = "constant", offset = 128 : i64, type = memref<4xf32>
// CHECK-NEXT:  aic.buffer {name = "qa0_zp", kind = "constant", offset = 192 : i64, type = memref<4xi32>
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "qa0", src = #aic.view<ddr[0] : 3x4xf32, strides [4, 1]>, dst = #aic.view<sp[0] : 3x4xf32, strides [4, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "qa0", src = #aic.view<ddr[128] : 1x4xf32, strides [4, 1]>, dst = #aic.view<sp[128] : 1x4xf32, strides [4, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "qa0", src = #aic.view<ddr[192] : 1x4xi32, strides [4, 1]>, dst = #aic.view<sp[256] : 1x4xi32, strides [4, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "qa0", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "qa0", opcode = "quantize", ins = [#aic.view<sp[0] : 3x4xf32, strides [4, 1]>, #aic.view<sp[128] : 1x4xf32, strides [4, 1]>, #aic.view<sp[256] : 1x4xi32, strides [4, 1]>], outs = [#aic.view<sp[384] : 3x4xi8, strides [4, 1]>], params = {qmin = -128 : i64, qmax = 127 : i64}}
// CHECK:       qa0_scale: "0x10000000CDCCCC3DCDCC4C3E9A99993ECDCCCC3E"
// CHECK:       qa0_zp: "0x1000000001000000020000000300000004000000"
