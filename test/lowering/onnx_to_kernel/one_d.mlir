// lower-onnx-to-kernel, the N, C, W forms of pooling and BatchNormalization: each
// runs as its 2-D kernel over a unit H (N, C, 1, W; no window or padding along H),
// with reshapes around it, in every precision the op claims.
// RUN: aicc-opt %s --split-input-file -p lower-onnx-to-kernel | filecheck %s

// FP32 MaxPool (every window attribute) and GlobalAveragePool.
func.func @main(%x: tensor<1x2x9xf32> {onnx.name = "x"}) -> (tensor<1x2x1xf32> {onnx.name = "g"}) {
  %y = onnx.MaxPool(%x) <{kernel_shape = array<i64: 3>, strides = array<i64: 2>, dilations = array<i64: 2>, pads = array<i64: 1, 2>, ceil_mode = 1 : i64, output_names = ["y"]}> : (tensor<1x2x9xf32>) -> tensor<1x2x5xf32>
  %g = onnx.GlobalAveragePool(%y) <{output_names = ["g"]}> : (tensor<1x2x5xf32>) -> tensor<1x2x1xf32>
  func.return %g : tensor<1x2x1xf32>
}
// CHECK-LABEL: func.func @main(%x: memref<1x2x9xf32> {onnx.name = "x"})
// CHECK:         kernel.reshape ins(%x : memref<1x2x9xf32>) outs(%{{.*}} : memref<1x2x1x9xf32>) {onnx_names = ["y"]}
// CHECK:         %[[X:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x1x9x2xf32>
// CHECK:         %y = kernel.alloc {layout = "nhwc"} : memref<1x1x5x2xf32>
// CHECK-NEXT:    kernel.pool ins(%[[X]] : memref<1x1x9x2xf32>) outs(%y : memref<1x1x5x2xf32>) {onnx_names = ["y"], kind = "max", count_include_pad = 0 : i64, kernel = array<i64: 1, 3>, strides = array<i64: 1, 2>, dilations = array<i64: 1, 2>, pads = array<i64: 0, 1, 0, 2>}
// CHECK:         kernel.reshape ins(%{{.*}} : memref<1x2x1x5xf32>) outs(%{{.*}} : memref<1x2x5xf32>) {onnx_names = ["y"]}
// CHECK:         %g = kernel.alloc {layout = "nhwc"} : memref<1x1x1x2xf32>
// CHECK-NEXT:    kernel.pool ins(%{{.*}} : memref<1x1x5x2xf32>) outs(%g : memref<1x1x1x2xf32>) {onnx_names = ["g"], kind = "avg", count_include_pad = 0 : i64, kernel = array<i64: 1, 5>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
// CHECK-NEXT:    %[[G:.*]] = kernel.alloc {layout = "rowmajor"} : memref<1x2x1xf32>
// CHECK-NEXT:    kernel.reshape ins(%g : memref<1x1x1x2xf32>) outs(%[[G]] : memref<1x2x1xf32>) {onnx_names = ["g"]}
// CHECK-NEXT:    func.return %[[G]]

// -----

// INT8 AveragePool counting the padding: quantized buffers throughout.
func.func @main(%x: tensor<1x2x8x!quant.uniform<i8:f32, 0.05:3>> {onnx.name = "x"}) -> (tensor<1x2x8x!quant.uniform<i8:f32, 0.05:3>> {onnx.name = "a"}) {
  %a = onnx.AveragePool(%x) <{kernel_shape = array<i64: 3>, pads = array<i64: 1, 1>, count_include_pad = 1 : i64, output_names = ["a"]}> : (tensor<1x2x8x!quant.uniform<i8:f32, 0.05:3>>) -> tensor<1x2x8x!quant.uniform<i8:f32, 0.05:3>>
  func.return %a : tensor<1x2x8x!quant.uniform<i8:f32, 0.05:3>>
}
// CHECK-LABEL: func.func @main(%x: memref<1x2x8x!quant.uniform<i8:f32, 0.05:3>> {onnx.name = "x"})
// CHECK:         %a = kernel.alloc {layout = "nhwc"} : memref<1x1x8x2x!quant.uniform<i8:f32, 0.05:3>>
// CHECK-NEXT:    kernel.pool ins(%{{.*}} : memref<1x1x8x2x!quant.uniform<i8:f32, 0.05:3>>) outs(%a : {{.*}}) {onnx_names = ["a"], kind = "avg", count_include_pad = 1 : i64, kernel = array<i64: 1, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 1, 0, 1>}
// CHECK:         kernel.reshape ins(%{{.*}} : memref<1x2x1x8x!quant.uniform<i8:f32, 0.05:3>>) outs(%{{.*}} : memref<1x2x8x!quant.uniform<i8:f32, 0.05:3>>) {onnx_names = ["a"]}

// -----

// FP16 BatchNormalization of rank 3 with its Relu fused: a per-channel scale_shift
// along C of the NHWC buffer (f32 parameters).
func.func @main(%x: tensor<1x2x6xf16> {onnx.name = "x"}) -> (tensor<1x2x6xf16> {onnx.name = "r"}) {
  %s = onnx.Constant() <{value = dense<[1.0, 2.0]> : tensor<2xf16>, output_names = ["s"]}> : () -> tensor<2xf16>
  %b = onnx.Constant() <{value = dense<[0.5, -0.5]> : tensor<2xf16>, output_names = ["b"]}> : () -> tensor<2xf16>
  %m = onnx.Constant() <{value = dense<[0.0, 1.0]> : tensor<2xf16>, output_names = ["m"]}> : () -> tensor<2xf16>
  %v = onnx.Constant() <{value = dense<[1.0, 4.0]> : tensor<2xf16>, output_names = ["v"]}> : () -> tensor<2xf16>
  %n = onnx.BatchNormalization(%x, %s, %b, %m, %v) <{epsilon = 0.0 : f32, output_names = ["bn0"]}> : (tensor<1x2x6xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>) -> tensor<1x2x6xf16>
  %r = onnx.Relu(%n) <{output_names = ["r"]}> : (tensor<1x2x6xf16>) -> tensor<1x2x6xf16>
  func.return %r : tensor<1x2x6xf16>
}
// CHECK-LABEL: func.func @main(%x: memref<1x2x6xf16> {onnx.name = "x"})
// CHECK:         %[[SCALE:.*]] = kernel.const #aicc.dense_resource<bn0.scale> : memref<2xf32>
// CHECK-NEXT:    %[[SHIFT:.*]] = kernel.const #aicc.dense_resource<bn0.shift> : memref<2xf32>
// CHECK:         kernel.reshape ins(%x : memref<1x2x6xf16>) outs(%{{.*}} : memref<1x2x1x6xf16>) {onnx_names = ["bn0"]}
// CHECK:         %[[X:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x1x6x2xf16>
// CHECK:         %r = kernel.alloc {layout = "nhwc"} : memref<1x1x6x2xf16>
// CHECK-NEXT:    kernel.scale_shift ins(%[[X]], %[[SCALE]], %[[SHIFT]] : {{.*}}) outs(%r : memref<1x1x6x2xf16>) {onnx_names = ["bn0", "r"], activation = #kernel.act<relu>}
// CHECK:         kernel.reshape ins(%{{.*}} : memref<1x2x1x6xf16>) outs(%{{.*}} : memref<1x2x6xf16>) {onnx_names = ["bn0"]}
