// lower-kernel-to-aic: per-core aic streams from planned kernel IR (FP32 conv, INT8 conv+relu,
// FP16 elementwise, a transpose as strided DMAs), on 2 cores.
// RUN: aicc-opt %s --split-input-file -p 'lower-onnx-to-kernel,plan-memory,lower-kernel-to-aic{num_cores=2}' | filecheck %s
// RUN: aicc-opt %S/Inputs/kernel_to_aic_transpose.mlir -p 'lower-kernel-to-aic{num_cores=2}' | filecheck %s --check-prefix=MOVE

// FP32 conv + relu: the bias is a new channel-table constant; each pixel of the padded tile
// sits on an aligned slot, so the border strips (top row, left and right columns) are
// filled with 0 and the interior DMA'd; bias_act applies bias and relu.
func.func @main(%x: tensor<1x3x8x8xf32> {onnx.name = "x"}) -> (tensor<1x4x8x8xf32> {onnx.name = "y"}) {
  %w = onnx.Constant() <{value = #aicc.splat<0.5 : f32>, output_names = ["w"]}> : () -> tensor<4x3x3x3xf32>
  %b = onnx.Constant() <{value = #aicc.splat<0.25 : f32>, output_names = ["b"]}> : () -> tensor<4xf32>
  %c = onnx.Conv(%x, %w, %b) <{pads = array<i64: 1, 1, 1, 1>, output_names = ["conv0"]}> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %y = onnx.Relu(%c) <{output_names = ["y"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}
// CHECK-LABEL: aic.program {target = "cloud_ai_100", cores = 2 : i64
// CHECK:       aic.buffer {name = "x", kind = "input", offset = 0 : i64, type = memref<1x3x8x8xf32>}
// CHECK:       aic.buffer {name = "y", kind = "output"
// CHECK:       aic.buffer {name = "conv0_y_channels", kind = "constant", offset = 4096 : i64, type = memref<1x4xf32>
// CHECK:       aic.layer {node = "conv0,y", kind = "conv", precision = "f32", macs = 6912 : i64, bytes = 2240 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK:         aic.barrier {node = "x", id = 0 : i64}
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
// CHECK-NEXT:    aic.barrier {node = "conv0,y", id = 1 : i64}
// The second core computes output rows 4..7 from input rows 3..8: row 8 is the bottom pad.
// CHECK:       aic.core {id = 1 : i64} {
// CHECK:         aic.vector {node = "conv0,y", opcode = "fill", ins = [], outs = [#aic.view<sp[7040] : 1x10x3xf32, strides [320, 32, 1]>]
// CHECK:         aic.dma {node = "conv0,y", src = #aic.view<ddr[2592] : 5x8x3xf32, strides [24, 3, 1]>, dst = #aic.view<sp[768] : 5x8x3xf32, strides [320, 32, 1]>, tag = 0 : i64}
// CHECK:         aic.dma {node = "conv0,y", src = #aic.view<sp[8320] : 4x8x4xf32, strides [32, 4, 1]>, dst = #aic.view<ddr[3584] : 4x8x4xf32, strides [32, 4, 1]>, tag = 2 : i64}
// CHECK:         aic.barrier {node = "conv0,y", id = 1 : i64}

// -----

// INT8 conv + relu: the channel table holds bias, multipliers and shifts (one DMA); the pad
// is the input zero point; relu narrows the requantization's qmin to the zero point.
func.func @main(%x: tensor<1x3x8x8xf32> {onnx.name = "x"}) -> (tensor<1x4x8x8xf32> {onnx.name = "y"}) {
  %q = quant.quantize %x : tensor<1x3x8x8xf32> to tensor<1x3x8x8x!quant.uniform<i8:f32, 0.05:3>>
  %w = onnx.Constant() <{value = #aicc.splat<2 : i8>, output_names = ["w"]}> : () -> tensor<4x3x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>
  %b = onnx.Constant() <{value = #aicc.splat<7 : i32>, output_names = ["b"]}> : () -> tensor<4x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.015, 0.02}>>
  %c = onnx.Conv(%q, %w, %b) <{pads = array<i64: 1, 1, 1, 1>, output_names = ["conv0"]}> : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.05:3>>, tensor<4x3x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>, tensor<4x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.015, 0.02}>>) -> tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-20>>
  %r = onnx.Relu(%c) <{output_names = ["relu0"]}> : (tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-20>>) -> tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-20>>
  %y = quant.dequantize %r : tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-20>> to tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.buffer {name = "x", kind = "input", offset = 0 : i64, type = memref<1x3x8x8x!quant.uniform<i8:f32, 0.05:3>>}
// CHECK:       aic.buffer {name = "conv0_relu0_channels", kind = "constant", offset = 1088 : i64, type = memref<3x4xi32>
// CHECK:       aic.layer {node = "conv0,relu0", kind = "conv", precision = "i8", macs = 6912 : i64, bytes = 572 : i64}
// CHECK:       aic.core {id = 0 : i64} {
// CHECK:         aic.dma {node = "conv0,relu0", src = #aic.view<ddr[1088] : 3x4xi32, strides [4, 1]>, dst = #aic.view<sp[128] : 3x4xi32, strides [32, 1]>, tag = 4 : i64}
// CHECK:         aic.vector {node = "conv0,relu0", opcode = "fill", ins = [], outs = [#aic.view<sp[512] : 1x10x3xi8, strides [1280, 128, 1]>], params = {value = 3 : i64}}
// CHECK:         aic.conv {node = "conv0,relu0", {{.*}}output = #aic.view<sp[8320] : 4x8x4xi32, {{.*}}mode = "i8", a_zero_point = 3 : i64}
// CHECK-NEXT:    aic.vector {node = "conv0,relu0", opcode = "requant", ins = [#aic.view<sp[8320] : 4x8x4xi32, {{.*}}>, #aic.view<sp[128] : 4xi32, {{.*}}>, #aic.view<sp[256] : 4xi32, {{.*}}>, #aic.view<sp[384] : 4xi32, {{.*}}>], outs = [#aic.view<sp[8192] : 4x8x4xi8, {{.*}}>], params = {zero_point = -20 : i64, qmin = -20 : i64, qmax = 127 : i64}}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK:         aic.vector {node = "conv0,relu0", opcode = "requant"

// -----

// FP16: conversions are vector copies; the f16 op runs on f16 tiles. A layer this small
// (640 bytes) runs on one core: the other only takes part in the barriers.
func.func @main(%x: tensor<4x40xf32> {onnx.name = "x"}) -> (tensor<4x40xf32> {onnx.name = "y"}) {
  %h = quant.convert %x : tensor<4x40xf32> to tensor<4x40xf16>
  %s = onnx.Sigmoid(%h) <{output_names = ["sig0"]}> : (tensor<4x40xf16>) -> tensor<4x40xf16>
  %y = quant.convert %s : tensor<4x40xf16> to tensor<4x40xf32>
  func.return %y : tensor<4x40xf32>
}
// CHECK-LABEL: aic.program
// CHECK:       aic.layer {node = "h", kind = "convert", precision = "f16"
// CHECK:       aic.layer {node = "sig0", kind = "elementwise", precision = "f16"
// CHECK:       aic.core {id = 0 : i64} {
// CHECK:         aic.vector {node = "h", opcode = "copy", ins = [#aic.view<sp[0] : 4x40xf32, strides [40, 1]>], outs = [#aic.view<sp[{{[0-9]+}}] : 4x40xf16, strides [40, 1]>]}
// CHECK:         aic.vector {node = "sig0", opcode = "sigmoid", ins = [#aic.view<sp[0] : 4x40xf16, {{.*}}>], outs = [#aic.view<sp[{{[0-9]+}}] : 4x40xf16, {{.*}}>]}
// CHECK:         aic.vector {node = "y", opcode = "copy", ins = [#aic.view<sp[0] : 4x40xf16, {{.*}}>], outs = [#aic.view<sp[{{[0-9]+}}] : 4x40xf32, {{.*}}>]}
// CHECK:       aic.core {id = 1 : i64} {
// CHECK-NEXT:    aic.barrier {node = "h", id = 0 : i64}
// CHECK-NEXT:    aic.barrier {node = "sig0", id = 1 : i64}
// CHECK-NEXT:    aic.barrier {node = "y", id = 2 : i64}
// CHECK-NEXT:  }

// A transpose is a strided DMA into the scratchpad and a contiguous one back, split by rows.
// MOVE:       aic.layer {node = "t0", kind = "transpose", precision = "f32", macs = 0 : i64, bytes = 131072 : i64}
// MOVE:       aic.core {id = 0 : i64} {
// MOVE-NEXT:    aic.dma {node = "t0", src = #aic.view<ddr[0] : 64x64x2xf32, strides [1, 128, 8192]>, dst = #aic.view<sp[0] : 64x64x2xf32, strides [128, 2, 1]>, tag = 0 : i64}
// MOVE-NEXT:    aic.wait {node = "t0", tag = 0 : i64}
// MOVE-NEXT:    aic.dma {node = "t0", src = #aic.view<sp[0] : 64x64x2xf32, strides [128, 2, 1]>, dst = #aic.view<ddr[65536] : 64x64x2xf32, strides [128, 2, 1]>, tag = 2 : i64}
// MOVE-NEXT:    aic.wait {node = "t0", tag = 2 : i64}
// MOVE-NEXT:    aic.barrier {node = "t0", id = 0 : i64}
// MOVE:       aic.core {id = 1 : i64} {
// MOVE-NEXT:    aic.dma {node = "t0", src = #aic.view<ddr[256] : 64x64x2xf32, strides [1, 128, 8192]>
// MOVE:         aic.dma {node = "t0", src = #aic.view<sp[0] : 64x64x2xf32, strides [128, 2, 1]>, dst = #aic.view<ddr[98304] : 64x64x2xf32, strides [128, 2, 1]>, tag = 2 : i64}
