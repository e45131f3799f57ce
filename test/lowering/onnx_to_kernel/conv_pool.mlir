// lower-onnx-to-kernel, Conv, BatchNormalization and pooling: NHWC buffers, HWIO
// weights, fused activations, quantized io at the host edges.
// RUN: aicc-opt %s --split-input-file -p lower-onnx-to-kernel | filecheck %s

// An INT8 Conv + Relu of the same result type fuses; the quantize of the argument and
// the dequantize before the return are host edges: io is quantized, in ONNX layout.
func.func @main(%x: tensor<1x3x8x8xf32> {onnx.name = "x"}) -> (tensor<1x4x8x8xf32> {onnx.name = "y"}) {
  %q = quant.quantize %x : tensor<1x3x8x8xf32> to tensor<1x3x8x8x!quant.uniform<i8:f32, 0.05:3>>
  %w = onnx.Constant() <{value = #aicc.splat<2 : i8>, output_names = ["w"]}> : () -> tensor<4x3x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>
  %b = onnx.Constant() <{value = #aicc.splat<7 : i32>, output_names = ["b"]}> : () -> tensor<4x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.015, 0.02}>>
  %c = onnx.Conv(%q, %w, %b) <{pads = array<i64: 1, 1, 1, 1>, output_names = ["conv0"]}> : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.05:3>>, tensor<4x3x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>, tensor<4x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.015, 0.02}>>) -> tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-128>>
  %r = onnx.Relu(%c) <{output_names = ["relu0"]}> : (tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-128>>) -> tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-128>>
  %y = quant.dequantize %r : tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-128>> to tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}
// CHECK-LABEL: func.func @main(%x: memref<1x3x8x8x!quant.uniform<i8:f32, 0.05:3>> {onnx.name = "x"}) -> (memref<1x4x8x8x!quant.uniform<i8:f32, 0.1:-128>> {onnx.name = "y"})
// CHECK-NEXT:    %[[X:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x8x8x3x!quant.uniform<i8:f32, 0.05:3>>
// CHECK-NEXT:    kernel.transpose ins(%x : {{.*}}) outs(%[[X]] : {{.*}}) {onnx_names = ["x"], perm = array<i64: 0, 2, 3, 1>}
// CHECK-NEXT:    %[[W:.*]] = kernel.const #aicc.dense_resource<conv0.w> : memref<3x3x3x4x!quant.uniform<i8:f32:3, {0.1, 0.2, 0.3, 0.4}>>
// CHECK-NEXT:    %[[B:.*]] = kernel.const #aicc.dense_resource<b> : memref<4x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.015, 0.02}>>
// CHECK-NEXT:    %[[Y:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x8x8x4x!quant.uniform<i8:f32, 0.1:-128>>
// CHECK-NEXT:    kernel.conv ins(%[[X]], %[[W]], %[[B]] : {{.*}}) outs(%[[Y]] : {{.*}}) {onnx_names = ["conv0", "relu0"], strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, activation = #kernel.act<relu>}
// CHECK-NEXT:    %[[O:.*]] = kernel.alloc {layout = "rowmajor"} : memref<1x4x8x8x!quant.uniform<i8:f32, 0.1:-128>>
// CHECK-NEXT:    kernel.transpose ins(%[[Y]] : {{.*}}) outs(%[[O]] : {{.*}}) {onnx_names = ["y"], perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT:    func.return %[[O]]

// -----

// A BatchNormalization with no Conv before it is a per-channel scale_shift (f32
// parameters), with the Relu after it fused.
func.func @main(%x: tensor<1x2x4x4xf32> {onnx.name = "x"}) -> (tensor<1x2x4x4xf32> {onnx.name = "y"}) {
  %s = onnx.Constant() <{value = dense<[1.0, 2.0]> : tensor<2xf32>, output_names = ["s"]}> : () -> tensor<2xf32>
  %b = onnx.Constant() <{value = dense<[0.5, -0.5]> : tensor<2xf32>, output_names = ["b"]}> : () -> tensor<2xf32>
  %m = onnx.Constant() <{value = dense<[0.0, 1.0]> : tensor<2xf32>, output_names = ["m"]}> : () -> tensor<2xf32>
  %v = onnx.Constant() <{value = dense<[1.0, 4.0]> : tensor<2xf32>, output_names = ["v"]}> : () -> tensor<2xf32>
  %n = onnx.BatchNormalization(%x, %s, %b, %m, %v) <{epsilon = 0.0 : f32, output_names = ["bn0"]}> : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %y = onnx.Relu(%n) <{output_names = ["y"]}> : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}
// CHECK-LABEL: func.func @main
// CHECK:         %[[SCALE:.*]] = kernel.const #aicc.dense_resource<bn0.scale> : memref<2xf32>
// CHECK-NEXT:    %[[SHIFT:.*]] = kernel.const #aicc.dense_resource<bn0.shift> : memref<2xf32>
// CHECK-NEXT:    %[[Y:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x4x4x2xf32>
// CHECK-NEXT:    kernel.scale_shift ins(%{{.*}}, %[[SCALE]], %[[SHIFT]] : memref<1x4x4x2xf32>, memref<2xf32>, memref<2xf32>) outs(%[[Y]] : memref<1x4x4x2xf32>) {onnx_names = ["bn0", "y"], activation = #kernel.act<relu>}
// CHECK:       aicc: {
// CHECK-NEXT:    bn0.scale: "0x10000000
// CHECK-NEXT:    bn0.shift: "0x10000000

// -----

// MaxPool keeps its window on NHWC buffers; GlobalAveragePool is an average pool
// whose kernel is the whole H x W.
func.func @main(%x: tensor<1x2x8x8xf32> {onnx.name = "x"}) -> (tensor<1x2x1x1xf32> {onnx.name = "y"}) {
  %p = onnx.MaxPool(%x) <{kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_names = ["pool0"]}> : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
  %y = onnx.GlobalAveragePool(%p) <{output_names = ["y"]}> : (tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32>
  func.return %y : tensor<1x2x1x1xf32>
}
// CHECK-LABEL: func.func @main
// CHECK:         kernel.transpose ins(%x : memref<1x2x8x8xf32>) outs(%[[X:.*]] : memref<1x8x8x2xf32>)
// CHECK-NEXT:    %[[P:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x4x4x2xf32>
// CHECK-NEXT:    kernel.pool ins(%[[X]] : memref<1x8x8x2xf32>) outs(%[[P]] : memref<1x4x4x2xf32>) {onnx_names = ["pool0"], kind = "max", count_include_pad = 0 : i64, kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}
// CHECK-NEXT:    %[[Y:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x1x1x2xf32>
// CHECK-NEXT:    kernel.pool ins(%[[P]] : memref<1x4x4x2xf32>) outs(%[[Y]] : memref<1x1x1x2xf32>) {onnx_names = ["y"], kind = "avg", count_include_pad = 0 : i64, kernel = array<i64: 4, 4>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
