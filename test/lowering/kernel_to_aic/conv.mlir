// lower-kernel-to-aic on convolutions: planned kernel.conv (NHWC input, HWIO weights) to
// per-core weight and channel-table DMAs, padded input tiles, aic.conv and its epilogue.
// RUN: aicc-opt %s --split-input-file -p 'lower-kernel-to-aic{num_cores=2}' | filecheck %s

// FP32 conv + relu: the bias is a new channel-table constant after the planned bytes; each
// pixel of the padded tile sits on an aligned slot, so the border strips (top row, left and
// right columns) are filled with 0 and the interior DMA'd; bias_act applies bias and relu.
// The rows are split across the cores; every core loads the whole weight.
func.func @main(%x: memref<1x8x8x3xf32> {onnx.name = "x", aicc.offset = 2304 : i64}) -> (memref<1x8x8x4xf32> {onnx.name = "y", aicc.offset = 3072 : i64}) attributes {aicc.ddr_bytes = 4096 : i64} {
  %w = kernel.const #aicc.dense_resource<w> {offset = 1792 : i64} : memref<3x3x3x4xf32>
  %b = kernel.const #aicc.dense_resource<b> {offset = 2240 : i64} : memref<4xf32>
  %y = kernel.alloc {layout = "nhwc", offset = 3072 : i64} : memref<1x8x8x4xf32>
  kernel.conv ins(%x, %w, %b : memref<1x8x8x3xf32>, memref<3x3x3x4xf32>, memref<4xf32>) outs(%y : memref<1x8x8x4xf32>) {onnx_names = ["conv0", "y"], strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, activation = #kernel.act<relu>}
  func.return %y : memref<1x8x8x4xf32>
}
{-#
  dialect_resources: {
    aicc: {
      b: "0x100000000000803E0000803E0000803E0000803E",
      w: "0x100000000000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F0000003F"
    }
  }
#-}
// CHECK-LABEL: aic.program {target = "cloud_ai_100", cores = 2 : i64
// CHECK:       aic.buffer {name = "x", kind = "input", offset = 2304 : i64, type = memref<1x8x8x3xf32>}
// CHECK:       aic.buffer {name = "y", kind = "output", offset = 3072 : i64
// CHECK:       aic.buffer {name = "conv0_y_channels", kind = "constant", offset = 4096 : i64, type = memref<1x4xf32>
// CHECK:       aic.layer {node = "conv0,y", kind = "conv", precision = "f32", macs = 6912 : i64, bytes = 2240 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "conv0,y", src = #aic.view<ddr[1792] : 3x3x3x4xf32, {{.*}}, dst = #aic.view<sp[0] : 3x3x3x4xf32, {{.*}}, tag = 4 : i64}
// CHECK-NEXT:    aic.dma {node = "conv0,y", src = #aic.view<ddr[4096] : 1x4xf32, strides [4, 1]>, dst = #aic.view<sp[512] : 1x4xf32, strides [32, 1]>, tag = 4 : i64}
// CHECK-NEXT:    aic.wait {node = "conv0,y", tag = 4 : i64}
// CHECK-NEXT:    aic.vector {node = "conv0,y", opcode = "fill", ins = [], outs = [#aic.view<sp[640] : 1x10x3xf32, strides [320, 32, 1]>], params = {value = 0.000000e+00 : f64}}
// CHECK-NEXT:    aic.vector {node = "conv0,y", opcode = "fill", ins = [], outs = [#aic.view<sp[1920] : 5x1x3xf32, strides [320, 32, 1]>], params = {value = 0.000000e+00 : f64}}
// CHECK-NEXT:    aic.vector {node = "conv0,y", opcode = "fill", ins = [], outs = [#aic.view<sp[3072] : 5x1x3xf32, strides [320, 32, 1]>], params = {value = 0.000000e+00 : f64}}
// CHECK-NEXT:    aic.dma {node = "conv0,y", src = #aic.view<ddr[2304] : 5x8x3xf32, strides [24, 3, 1]>, dst = #aic.view<sp[2048] : 5x8x3xf32, strides [320, 32, 1]>, tag = 0 : i64}
// CHECK-NEXT:    aic.wait {node = "conv0,y", tag = 0 : i64}
// CHECK-NEXT:    aic.conv {node = "conv0,y", input = #aic.view<sp[640] : 6x10x3xf32, strides [320, 32, 1]>, weight = #aic.view<sp[0] : 3x3x3x4xf32, {{.*}}>, output = #aic.view<sp[8832] : 4x8x4xf32, {{.*}}>, {{.*}} mode = "f32"}
// CHECK-NEXT:    aic.vector {node = "conv0,y", opcode = "bias_act", ins = [#aic.view<sp[8832] : 4x8x4xf32, {{.*}}>, #aic.view<sp[512] : 4xf32, strides [1]>], outs = [#aic.view<sp[8320] : 4x8x4xf32, {{.*}}>], params = {act = "relu"}}
// CHECK-NEXT:    aic.dma {node = "conv0,y", src = #aic.view<sp[8320] : 4x8x4xf32, strides [32, 4, 1]>, dst = #aic.view<ddr[3072] : 4x8x4xf32, strides [32, 4, 1]>, tag = 2 : i64}
// CHECK-NEXT:    aic.wait {node = "conv0,y", tag = 2 : i64}
// CHECK-NEXT:    aic.barrier {node = "conv0,y", id = 0 : i64}
// CHECK-NEXT:  }
// The second core computes output rows 4..7 from input rows 3..8: row 8 is the bottom pad.
// CHECK:       aic.core {id = 1 : i64} {
// CHECK-NEXT:    aic.dma {node = "conv0,y", src = #aic.view<ddr[1792] : 3x3x3x4xf32
// CHECK:         aic.vector {node = "conv0,y", opcode = "fill", ins = [], outs = [#aic.view<sp[7040] : 1x10x3xf32, strides [320, 32, 1]>]
// CHECK:         aic.dma {node = "conv0,y", src = #aic.view<ddr[2592] : 5x8x3xf32, strides [24, 3, 1]>, dst = #aic.view<sp[768] : 5x8x3xf32, strides [320, 32, 1]>, tag = 0 : i64}
// CHECK:         aic.dma {node = "conv0,y", src = #aic.view<sp[8320] : 4x8x4xf32, strides [32, 4, 1]>, dst = #aic.view<ddr[3584] : 4x8x4xf32, strides [32, 4, 1]>, tag = 2 : i64}
// CHECK:         aic.barrier {node = "conv0,y", id = 0 : i64}

// -----

// INT8 conv + relu: the channel table holds bias, multipliers and shifts (one DMA); the pad
// is the input zero point; relu narrows the requantization's qmin to the zero point.
func.func @main(%x: memref<1x8x8x3x!quant.uniform<i8:f32, 0.05:3>> {onnx.name = "x", aicc.offset = 640 : i64}) -> (memref<1x8x8x4x!quant.uniform<i8:f32, 0.1:-20>> {onnx.name = "y", aicc.offset = 832 : i64}) attributes {aicc.ddr_bytes = 1088 : i64} {
  %w = kernel.const #aicc.dense_resource<w> {offset = 448 : i64} : memref<3x3x3x4x!quant.uniform<i8:f32:3, {0.1, 0.2, 0.3, 0.4}>>
  %b = kernel.const #aicc.dense_resource<b> {offset = 576 : i64} : memref<4x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.015, 0.02}>>
  %y = kernel.alloc {layout = "nhwc", offset = 832 : i64} : memref<1x8x8x4x!quant.uniform<i8:f32, 0.1:-20>>
  kernel.conv ins(%x, %w, %b : memref<1x8x8x3x!quant.uniform<i8:f32, 0.05:3>>, memref<3x3x3x4x!quant.uniform<i8:f32:3, {0.1, 0.2, 0.3, 0.4}>>, memref<4x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.015, 0.02}>>) outs(%y : memref<1x8x8x4x!quant.uniform<i8:f32, 0.1:-20>>) {onnx_names = ["conv0", "relu0"], strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, activation = #kernel.act<relu>}
  func.return %y : memref<1x8x8x4x!quant.uniform<i8:f32, 0.1:-20>>
}
{-#
  dialect_resources: {
    aicc: {
      b: "0x1000000007000000070000000700000007000000",
      w: "0x10000000020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202"
    }
  }
#-}
// CHECK-LABEL: aic.program
// CHECK:       aic.buffer {name = "x", kind = "input", offset = 640 : i64, type = memref<1x8x8x3x!quant.uniform<i8:f32, 0.05:3>>}
// CHECK:       aic.buffer {name = "conv0_relu0_channels", kind = "constant", offset = 1088 : i64, type = memref<3x4xi32>
// CHECK:       aic.layer {node = "conv0,relu0", kind = "conv", precision = "i8", macs = 6912 : i64, bytes = 572 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK:         aic.dma {node = "conv0,relu0", src = #aic.view<ddr[1088] : 3x4xi32, strides [4, 1]>, dst = #aic.view<sp[128] : 3x4xi32, strides [32, 1]>, tag = 4 : i64}
// CHECK:         aic.vector {node = "conv0,relu0", opcode = "fill", ins = [], outs = [#aic.view<sp[512] : 1x10x3xi8, strides [1280, 128, 1]>], params = {value = 3 : i64}}
// CHECK:         aic.conv {node = "conv0,relu0", {{.*}}output = #aic.view<sp[8320] : 4x8x4xi32, {{.*}}mode = "i8", a_zero_point = 3 : i64}
// CHECK-NEXT:    aic.vector {node = "conv0,relu0", opcode = "requant", ins = [#aic.view<sp[8320] : 4x8x4xi32, {{.*}}>, #aic.view<sp[128] : 4xi32, {{.*}}>, #aic.view<sp[256] : 4xi32, {{.*}}>, #aic.view<sp[384] : 4xi32, {{.*}}>], outs = [#aic.view<sp[8192] : 4x8x4xi8, {{.*}}>], params = {zero_point = -20 : i64, qmin = -20 : i64, qmax = 127 : i64}}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK:         aic.vector {node = "conv0,relu0", opcode = "requant"
// CHECK:       conv0_relu0_channels: "0x10000000

// -----

// Depthwise (group 4): the channels are split across the cores, each loading its own
// weight columns and input channels; a core's chunk of two channels is two groups.
func.func @main(%x: memref<1x6x6x4xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<1x6x6x4xf32> {onnx.name = "y", aicc.offset = 640 : i64}) attributes {aicc.ddr_bytes = 1408 : i64} {
  %w = kernel.const #aicc.dense_resource<w> {offset = 1216 : i64} : memref<3x3x1x4xf32>
  %y = kernel.alloc {layout = "nhwc", offset = 640 : i64} : memref<1x6x6x4xf32>
  kernel.conv ins(%x, %w : memref<1x6x6x4xf32>, memref<3x3x1x4xf32>) outs(%y : memref<1x6x6x4xf32>) {onnx_names = ["dw0"], strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 4 : i64, activation = #kernel.act<none>}
  func.return %y : memref<1x6x6x4xf32>
}
{-#
  dialect_resources: {
    aicc: {
      w: "0x100000000000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E0000803E"
    }
  }
#-}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "dw0", kind = "conv", precision = "f32", macs = 1296 : i64
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "dw0", src = #aic.view<ddr[1216] : 3x3x1x2xf32, strides [12, 4, 4, 1]>, dst = #aic.view<sp[0] : 3x3x1x2xf32, {{.*}}, tag = 4 : i64}
// CHECK:         aic.dma {node = "dw0", src = #aic.view<ddr[0] : 6x6x2xf32, strides [24, 4, 1]>, dst = #aic.view<sp[1280] : 6x6x2xf32, strides [256, 32, 1]>, tag = 0 : i64}
// CHECK:         aic.conv {node = "dw0", input = #aic.view<sp[128] : 8x8x2xf32, {{.*}}, output = #aic.view<sp[{{[0-9]+}}] : 6x6x2xf32, {{.*}}, group = 2 : i64, mode = "f32"}
// CHECK-NEXT:    aic.vector {node = "dw0", opcode = "bias_act", ins = [#aic.view<sp[{{[0-9]+}}] : 6x6x2xf32, strides [12, 2, 1]>], {{.*}}params = {act = "none"}}
// CHECK-NEXT:    aic.dma {node = "dw0", src = #aic.view<sp[{{[0-9]+}}] : 6x6x2xf32, strides [12, 2, 1]>, dst = #aic.view<ddr[640] : 6x6x2xf32, strides [24, 4, 1]>, tag = 2 : i64}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK-NEXT:    aic.dma {node = "dw0", src = #aic.view<ddr[1224] : 3x3x1x2xf32, strides [12, 4, 4, 1]>
// CHECK:         aic.dma {node = "dw0", src = #aic.view<ddr[8] : 6x6x2xf32, strides [24, 4, 1]>
// CHECK:         aic.conv {node = "dw0", {{.*}}group = 2 : i64
// CHECK:         aic.dma {node = "dw0", src = #aic.view<sp[{{[0-9]+}}] : 6x6x2xf32, strides [12, 2, 1]>, dst = #aic.view<ddr[648] : 6x6x2xf32, strides [24, 4, 1]>, tag = 2 : i64}

// -----

// A strided 1x1 conv reads every second pixel only: the input DMA's DDR view skips the
// others, and the conv runs with unit strides on the subsampled tile.
func.func @main(%x: memref<1x8x8x4xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<1x4x4x8xf32> {onnx.name = "y", aicc.offset = 1024 : i64}) attributes {aicc.ddr_bytes = 1664 : i64} {
  %w = kernel.const #aicc.dense_resource<w> {offset = 1536 : i64} : memref<1x1x4x8xf32>
  %y = kernel.alloc {layout = "nhwc", offset = 1024 : i64} : memref<1x4x4x8xf32>
  kernel.conv ins(%x, %w : memref<1x8x8x4xf32>, memref<1x1x4x8xf32>) outs(%y : memref<1x4x4x8xf32>) {onnx_names = ["pw0"], strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, activation = #kernel.act<clip(0.0, 6.0)>}
  func.return %y : memref<1x4x4x8xf32>
}
{-#
  dialect_resources: {
    aicc: {
      w: "0x100000000000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E0000003E"
    }
  }
#-}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "pw0", kind = "conv", precision = "f32", macs = 512 : i64
// CHECK:       aic.core {id = 0 : i64} {
// CHECK-NOT:     opcode = "fill"
// CHECK:         aic.dma {node = "pw0", src = #aic.view<ddr[0] : 2x4x4xf32, strides [64, 8, 1]>, dst = #aic.view<sp[128] : 2x4x4xf32, strides [16, 4, 1]>, tag = 0 : i64}
// CHECK:         aic.conv {node = "pw0", input = #aic.view<sp[128] : 2x4x4xf32, strides [16, 4, 1]>, {{.*}}strides = array<i64: 1, 1>, {{.*}}mode = "f32"}
// CHECK-NEXT:    aic.vector {node = "pw0", opcode = "bias_act", {{.*}}params = {act = "clip", min = 0.000000e+00 : f64, max = 6.000000e+00 : f64}}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK:         aic.dma {node = "pw0", src = #aic.view<ddr[512] : 2x4x4xf32, strides [64, 8, 1]>
// CHECK:         aic.dma {node = "pw0", src = #aic.view<sp[{{[0-9]+}}] : 2x4x8xf32, strides [32, 8, 1]>, dst = #aic.view<ddr[1280] : 2x4x8xf32, strides [32, 8, 1]>, tag = 2 : i64}
