// lower-kernel-to-aic on pooling: kernel.pool to padded input tiles and one vector op per
// tile (pool_max, pool_avg with its divisors), split across the cores.
// RUN: aicc-opt %s --split-input-file -p 'lower-kernel-to-aic{num_cores=2}' | filecheck %s

// FP32 max pool 3x3 / 2, pad 1: the pad is -inf (at or below every value), filled
// into the top row and left column only (the window never reaches the bottom or right
// pad). The cores split the channels (2 each), so each reads all rows of its channels.
func.func @main(%x: memref<1x8x8x4xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<1x4x4x4xf32> {onnx.name = "y", aicc.offset = 1024 : i64}) attributes {aicc.ddr_bytes = 1280 : i64} {
  %y = kernel.alloc {layout = "nhwc", offset = 1024 : i64} : memref<1x4x4x4xf32>
  kernel.pool ins(%x : memref<1x8x8x4xf32>) outs(%y : memref<1x4x4x4xf32>) {onnx_names = ["mp0"], kind = "max", kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = 0 : i64}
  func.return %y : memref<1x4x4x4xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "mp0", kind = "pool", precision = "f32", macs = 576 : i64, bytes = 1280 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.vector {node = "mp0", opcode = "fill", ins = [], outs = [#aic.view<sp[0] : 1x9x2xf32, strides [288, 32, 1]>], params = {value = 0xfff0000000000000 : f64}}
// CHECK-NEXT:    aic.vector {node = "mp0", opcode = "fill", ins = [], outs = [#aic.view<sp[1152] : 8x1x2xf32, strides [288, 32, 1]>], params = {value = 0xfff0000000000000 : f64}}
// CHECK-NEXT:    aic.dma {node = "mp0", src = #aic.view<ddr[0] : 8x8x2xf32, strides [32, 4, 1]>, dst = #aic.view<sp[1280] : 8x8x2xf32, strides [288, 32, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "mp0", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "mp0", opcode = "pool_max", ins = [#aic.view<sp[0] : 9x9x2xf32, strides [288, 32, 1]>], outs = [#aic.view<sp[10368] : 4x4x2xf32, strides [8, 2, 1]>], params = {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>}}
// CHECK-NEXT:    aic.dma {node = "mp0", src = #aic.view<sp[10368] : 4x4x2xf32, strides [8, 2, 1]>, dst = #aic.view<ddr[1024] : 4x4x2xf32, strides [16, 4, 1]>, tag = 2 : i64}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK:         aic.dma {node = "mp0", src = #aic.view<ddr[8] : 8x8x2xf32, strides [32, 4, 1]>
// CHECK:         aic.dma {node = "mp0", src = #aic.view<sp[10368] : 4x4x2xf32, strides [8, 2, 1]>, dst = #aic.view<ddr[1032] : 4x4x2xf32, strides [16, 4, 1]>, tag = 2 : i64}

// -----

// FP32 average pool 3x3 / 1, pad 1, pads not counted: the divisors (taps per output
// position: 4 in the corners, 6 on the edges, 9 inside) are a new [OH, OW] constant
// loaded with each tile as a second input of pool_avg.
func.func @main(%x: memref<1x4x4x8xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<1x4x4x8xf32> {onnx.name = "y", aicc.offset = 512 : i64}) attributes {aicc.ddr_bytes = 1024 : i64} {
  %y = kernel.alloc {layout = "nhwc", offset = 512 : i64} : memref<1x4x4x8xf32>
  kernel.pool ins(%x : memref<1x4x4x8xf32>) outs(%y : memref<1x4x4x8xf32>) {onnx_names = ["ap0"], kind = "avg", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = 0 : i64}
  func.return %y : memref<1x4x4x8xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.buffer {name = "ap0_divisor", kind = "constant", offset = 1024 : i64, type = memref<4x4xf32>
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-COUNT-4: opcode = "fill", {{.*}}params = {value = 0.000000e+00 : f64}}
// CHECK-NEXT:    aic.dma {node = "ap0", src = #aic.view<ddr[0] : 4x4x4xf32, strides [32, 8, 1]>, dst = #aic.view<sp[896] : 4x4x4xf32, strides [192, 32, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "ap0", src = #aic.view<ddr[1024] : 4x4xf32, strides [4, 1]>, dst = #aic.view<sp[4864] : 4x4xf32, strides [4, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "ap0", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "ap0", opcode = "pool_avg", ins = [#aic.view<sp[0] : 6x6x4xf32, strides [192, 32, 1]>, #aic.view<sp[4864] : 4x4xf32, strides [4, 1]>], outs = [#aic.view<sp[4608] : 4x4x4xf32, strides [16, 4, 1]>], params = {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>}}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK:         aic.dma {node = "ap0", src = #aic.view<ddr[16] : 4x4x4xf32, strides [32, 8, 1]>
// CHECK-NEXT:    aic.dma {node = "ap0", src = #aic.view<ddr[1024] : 4x4xf32, strides [4, 1]>
// CHECK:       ap0_divisor: "0x10000000000080400000C0400000C040000080400000C04000001041000010410000C0400000C04000001041000010410000C040000080400000C0400000C04000008040"

// -----

// INT8 average pool 2x2 / 2: no padding, so no fill; the parameters carry both types,
// the divisors are i32; the cores split the output rows and each loads its divisor row.
func.func @main(%x: memref<1x4x4x8x!quant.uniform<i8:f32, 0.1:4>> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<1x2x2x8x!quant.uniform<i8:f32, 0.05:-3>> {onnx.name = "y", aicc.offset = 128 : i64}) attributes {aicc.ddr_bytes = 192 : i64} {
  %y = kernel.alloc {layout = "nhwc", offset = 128 : i64} : memref<1x2x2x8x!quant.uniform<i8:f32, 0.05:-3>>
  kernel.pool ins(%x : memref<1x4x4x8x!quant.uniform<i8:f32, 0.1:4>>) outs(%y : memref<1x2x2x8x!quant.uniform<i8:f32, 0.05:-3>>) {onnx_names = ["ap1"], kind = "avg", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = 0 : i64}
  func.return %y : memref<1x2x2x8x!quant.uniform<i8:f32, 0.05:-3>>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.buffer {name = "ap1_divisor", kind = "constant", offset = 192 : i64, type = memref<2x2xi32>
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "ap1", src = #aic.view<ddr[0] : 2x4x8xi8, strides [32, 8, 1]>, dst = #aic.view<sp[0] : 2x4x8xi8, strides [32, 8, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.dma {node = "ap1", src = #aic.view<ddr[192] : 1x2xi32, strides [2, 1]>, dst = #aic.view<sp[256] : 1x2xi32, strides [2, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "ap1", tag = 0 : i64}
// CHECK-NEXT:    aic.vector {node = "ap1", opcode = "pool_avg", ins = [#aic.view<sp[0] : 2x4x8xi8, strides [32, 8, 1]>, #aic.view<sp[256] : 1x2xi32, strides [2, 1]>], outs = [#aic.view<sp[128] : 1x2x8xi8, strides [16, 8, 1]>], params = {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, in_scale = 1.000000e-01 : f64, in_zero_point = 4 : i64, out_scale = 5.000000e-02 : f64, zero_point = -3 : i64, qmin = -128 : i64, qmax = 127 : i64}}
// CHECK-NEXT:    aic.dma {node = "ap1", src = #aic.view<sp[128] : 1x2x8xi8, strides [16, 8, 1]>, dst = #aic.view<ddr[128] : 1x2x8xi8, strides [16, 8, 1]>, tag = 2 : i64}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK-NEXT:    aic.dma {node = "ap1", src = #aic.view<ddr[64] : 2x4x8xi8, strides [32, 8, 1]>
// CHECK-NEXT:    aic.dma {node = "ap1", src = #aic.view<ddr[200] : 1x2xi32, strides [2, 1]>
// CHECK:         aic.dma {node = "ap1", src = #aic.view<sp[128] : 1x2x8xi8, strides [16, 8, 1]>, dst = #aic.view<ddr[144] : 1x2x8xi8, strides [16, 8, 1]>, tag = 2 : i64}
// CHECK:       ap1_divisor: "0x1000000004000000040000000400000004000000"

// -----

// INT8 max pool between two quantized types: pool_max on storage values, then one
// requantize (scale ratio 0.1 / 0.05 = 2) moves the result to the output type.
func.func @main(%x: memref<1x4x4x8x!quant.uniform<i8:f32, 0.1:4>> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<1x2x2x8x!quant.uniform<i8:f32, 0.05:-3>> {onnx.name = "y", aicc.offset = 128 : i64}) attributes {aicc.ddr_bytes = 192 : i64} {
  %y = kernel.alloc {layout = "nhwc", offset = 128 : i64} : memref<1x2x2x8x!quant.uniform<i8:f32, 0.05:-3>>
  kernel.pool ins(%x : memref<1x4x4x8x!quant.uniform<i8:f32, 0.1:4>>) outs(%y : memref<1x2x2x8x!quant.uniform<i8:f32, 0.05:-3>>) {onnx_names = ["mp1"], kind = "max", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = 0 : i64}
  func.return %y : memref<1x2x2x8x!quant.uniform<i8:f32, 0.05:-3>>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.core {id = 0 : i64} {
// CHECK:         aic.vector {node = "mp1", opcode = "pool_max", ins = [#aic.view<sp[0] : 2x4x8xi8, strides [32, 8, 1]>], outs = [#aic.view<sp[256] : 1x2x8xi8, strides [16, 8, 1]>], params = {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>}}
// CHECK-NEXT:    aic.vector {node = "mp1", opcode = "requantize", ins = [#aic.view<sp[256] : 1x2x8xi8, strides [16, 8, 1]>], outs = [#aic.view<sp[128] : 1x2x8xi8, strides [16, 8, 1]>], params = {multiplier = 1073741824 : i64, shift = -2 : i64, in_zero_point = 4 : i64, zero_point = -3 : i64, qmin = -128 : i64, qmax = 127 : i64}}
// CHECK-NEXT:    aic.dma {node = "mp1", src = #aic.view<sp[128] : 1x2x8xi8, strides [16, 8, 1]>, dst = #aic.view<ddr[128] : 1x2x8xi8, strides [16, 8, 1]>, tag = 2 : i64}
