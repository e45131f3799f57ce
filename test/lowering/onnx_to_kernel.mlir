// lower-onnx-to-kernel: NHWC buffers, HWIO weights, fused kernels, edge conversions.
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

// An FP16 node between f32 io: the converts stay (they are not quantize/dequantize edges).
// A 2-D tensor keeps ONNX order; Clip bounds are read off its constants.
func.func @main(%x: tensor<2x5xf32> {onnx.name = "x"}) -> (tensor<2x5xf32> {onnx.name = "y"}) {
  %h = quant.convert %x : tensor<2x5xf32> to tensor<2x5xf16>
  %lo = onnx.Constant() <{value = dense<0.0> : tensor<f16>, output_names = ["lo"]}> : () -> tensor<f16>
  %hi = onnx.Constant() <{value = dense<6.0> : tensor<f16>, output_names = ["hi"]}> : () -> tensor<f16>
  %c = onnx.Clip(%h, %lo, %hi) <{output_names = ["clip0"]}> : (tensor<2x5xf16>, tensor<f16>, tensor<f16>) -> tensor<2x5xf16>
  %y = quant.convert %c : tensor<2x5xf16> to tensor<2x5xf32>
  func.return %y : tensor<2x5xf32>
}
// CHECK-LABEL: func.func @main(%x: memref<2x5xf32> {onnx.name = "x"}) -> (memref<2x5xf32> {onnx.name = "y"})
// CHECK-NEXT:    %[[H:.*]] = kernel.alloc {layout = "rowmajor"} : memref<2x5xf16>
// CHECK-NEXT:    kernel.convert ins(%x : memref<2x5xf32>) outs(%[[H]] : memref<2x5xf16>) {onnx_names = ["h"]}
// CHECK-NEXT:    %[[C:.*]] = kernel.alloc {layout = "rowmajor"} : memref<2x5xf16>
// CHECK-NEXT:    kernel.elementwise ins(%[[H]] : memref<2x5xf16>) outs(%[[C]] : memref<2x5xf16>) {onnx_names = ["clip0"], kind = "clip", params = array<f64: 0.000000e+00, 6.000000e+00>}
// CHECK-NEXT:    %[[Y:.*]] = kernel.alloc {layout = "rowmajor"} : memref<2x5xf32>
// CHECK-NEXT:    kernel.convert ins(%[[C]] : memref<2x5xf16>) outs(%[[Y]] : memref<2x5xf32>) {onnx_names = ["y"]}
// CHECK-NEXT:    func.return %[[Y]] : memref<2x5xf32>

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

// Sum of three is a chain; a broadcast constant is permuted to NHWC at compile time;
// Softmax over channels runs along the last physical axis; Flatten of an NHWC buffer
// with H*W > 1 goes through NCHW.
func.func @main(%a: tensor<1x3x2x2xf32> {onnx.name = "a"}, %b: tensor<1x3x2x2xf32> {onnx.name = "b"}) -> (tensor<1x12xf32> {onnx.name = "y"}) {
  %k = onnx.Constant() <{value = dense<[[[1.0]], [[2.0]], [[3.0]]]> : tensor<3x1x1xf32>, output_names = ["k"]}> : () -> tensor<3x1x1xf32>
  %s = onnx.Sum(%a, %b, %k) <{output_names = ["sum0"]}> : (tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32>, tensor<3x1x1xf32>) -> tensor<1x3x2x2xf32>
  %m = onnx.Softmax(%s) <{axis = 1 : i64, output_names = ["sm0"]}> : (tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  %y = onnx.Flatten(%m) <{output_names = ["y"]}> : (tensor<1x3x2x2xf32>) -> tensor<1x12xf32>
  func.return %y : tensor<1x12xf32>
}
// CHECK-LABEL: func.func @main
// CHECK:         %[[K:.*]] = kernel.const #aicc.dense_resource<k> : memref<1x1x1x3xf32>
// CHECK-NEXT:    %[[S1:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x2x2x3xf32>
// CHECK-NEXT:    kernel.elementwise ins(%{{.*}}, %{{.*}} : memref<1x2x2x3xf32>, memref<1x2x2x3xf32>) outs(%[[S1]] : memref<1x2x2x3xf32>) {onnx_names = ["sum0"], kind = "add", params = array<f64>}
// CHECK-NEXT:    %[[S2:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x2x2x3xf32>
// CHECK-NEXT:    kernel.elementwise ins(%[[S1]], %[[K]] : memref<1x2x2x3xf32>, memref<1x1x1x3xf32>) outs(%[[S2]] : memref<1x2x2x3xf32>) {onnx_names = ["sum0"], kind = "add", params = array<f64>}
// CHECK:         kernel.softmax ins(%[[S2]] : memref<1x2x2x3xf32>) outs(%[[M:.*]] : memref<1x2x2x3xf32>) {onnx_names = ["sm0"], axis = 3 : i64, log = 0 : i64}
// CHECK:         kernel.transpose ins(%[[M]] : memref<1x2x2x3xf32>) outs(%[[T:.*]] : memref<1x3x2x2xf32>) {onnx_names = ["y"], perm = array<i64: 0, 3, 1, 2>}
// CHECK:         kernel.reshape ins(%[[T]] : memref<1x3x2x2xf32>) outs(%[[Y:.*]] : memref<1x12xf32>) {onnx_names = ["y"]}
// CHECK-NEXT:    func.return %[[Y]] : memref<1x12xf32>

// -----

// Gemm with transB: the constant B is transposed to [K, N] at compile time; Concat
// along channels of NHWC buffers copies at offsets on the last axis.
func.func @main(%a: tensor<2x3xf32> {onnx.name = "a"}, %x: tensor<1x2x2x2xf32> {onnx.name = "x"}) -> (tensor<2x4xf32> {onnx.name = "y"}, tensor<1x4x2x2xf32> {onnx.name = "z"}) {
  %w = onnx.Constant() <{value = #aicc.splat<1.0 : f32>, output_names = ["w"]}> : () -> tensor<4x3xf32>
  %y = onnx.Gemm(%a, %w) <{alpha = 2.0 : f32, transB = 1 : i64, output_names = ["y"]}> : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  %z = onnx.Concat(%x, %x) <{axis = 1 : i64, output_names = ["z"]}> : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32>
  func.return %y, %z : tensor<2x4xf32>, tensor<1x4x2x2xf32>
}
// CHECK-LABEL: func.func @main
// CHECK:         %[[W:.*]] = kernel.const #aicc.dense_resource<y.w> : memref<3x4xf32>
// CHECK:         kernel.matmul ins(%a, %[[W]] : memref<2x3xf32>, memref<3x4xf32>) outs(%{{.*}} : memref<2x4xf32>) {onnx_names = ["y"], activation = #kernel.act<none>, alpha = 2.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK:         kernel.copy ins(%[[X:.*]] : memref<1x2x2x2xf32>) outs(%[[Z:.*]] : memref<1x2x2x4xf32>) {onnx_names = ["z"], offsets = array<i64: 0, 0, 0, 0>}
// CHECK-NEXT:    kernel.copy ins(%[[X]] : memref<1x2x2x2xf32>) outs(%[[Z]] : memref<1x2x2x4xf32>) {onnx_names = ["z"], offsets = array<i64: 0, 0, 0, 2>}

// -----

// quant.requantize keeps the default convert mode (quantize(dequantize(x))); a Concat
// input or a Reshape result with other parameters moves as the reference's `to_type`.
func.func @main(%x: tensor<2x3xf32> {onnx.name = "x"}) -> (tensor<12xf32> {onnx.name = "y"}) {
  %a = quant.quantize %x : tensor<2x3xf32> to tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  %b = quant.requantize %a {name = "b"} : tensor<2x3x!quant.uniform<i8:f32, 0.1>> to tensor<2x3x!quant.uniform<i8:f32, 0.2:1>>
  %c = onnx.Concat(%a, %b) <{axis = 1 : i64, output_names = ["cat"]}> : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32, 0.2:1>>) -> tensor<2x6x!quant.uniform<i8:f32, 0.2:1>>
  %s = onnx.Constant() <{value = dense<12> : tensor<1xi64>, output_names = ["s"]}> : () -> tensor<1xi64>
  %r = onnx.Reshape(%c, %s) <{output_names = ["rs"]}> : (tensor<2x6x!quant.uniform<i8:f32, 0.2:1>>, tensor<1xi64>) -> tensor<12x!quant.uniform<i8:f32, 0.4>>
  %y = quant.dequantize %r : tensor<12x!quant.uniform<i8:f32, 0.4>> to tensor<12xf32>
  func.return %y : tensor<12xf32>
}
// CHECK-LABEL: func.func @main
// CHECK:         kernel.convert ins(%x : {{.*}}) outs(%[[B:.*]] : memref<2x3x!quant.uniform<i8:f32, 0.2:1>>) {onnx_names = ["b"]}
// CHECK-NEXT:    %[[C:.*]] = kernel.alloc {layout = "rowmajor"} : memref<2x6x!quant.uniform<i8:f32, 0.2:1>>
// CHECK-NEXT:    %[[A:.*]] = kernel.alloc {layout = "rowmajor"} : memref<2x3x!quant.uniform<i8:f32, 0.2:1>>
// CHECK-NEXT:    kernel.convert ins(%x : {{.*}}) outs(%[[A]] : {{.*}}) {onnx_names = ["cat"], mode = "move"}
// CHECK-NEXT:    kernel.copy ins(%[[A]] : {{.*}}) outs(%[[C]] : {{.*}}) {onnx_names = ["cat"], offsets = array<i64: 0, 0>}
// CHECK-NEXT:    kernel.copy ins(%[[B]] : {{.*}}) outs(%[[C]] : {{.*}}) {onnx_names = ["cat"], offsets = array<i64: 0, 3>}
// CHECK:         kernel.reshape ins(%[[C]] : {{.*}}) outs(%[[R:.*]] : memref<12x!quant.uniform<i8:f32, 0.2:1>>) {onnx_names = ["rs"]}
// CHECK:         kernel.convert ins(%[[R]] : {{.*}}) outs(%[[Y:.*]] : memref<12x!quant.uniform<i8:f32, 0.4>>) {onnx_names = ["rs"], mode = "move"}
// CHECK-NEXT:    func.return %[[Y]]
