// lower-onnx-to-kernel, elementwise ops and activations: unary, binary with
// broadcast constants, n-ary chains, in f32 and f16.
// RUN: aicc-opt %s --split-input-file -p lower-onnx-to-kernel | filecheck %s

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

// Sum of three is a chain; a broadcast constant is permuted to NHWC at compile time.
func.func @main(%a: tensor<1x3x2x2xf32> {onnx.name = "a"}, %b: tensor<1x3x2x2xf32> {onnx.name = "b"}) -> (tensor<1x3x2x2xf32> {onnx.name = "y"}) {
  %k = onnx.Constant() <{value = dense<[[[1.0]], [[2.0]], [[3.0]]]> : tensor<3x1x1xf32>, output_names = ["k"]}> : () -> tensor<3x1x1xf32>
  %s = onnx.Sum(%a, %b, %k) <{output_names = ["sum0"]}> : (tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32>, tensor<3x1x1xf32>) -> tensor<1x3x2x2xf32>
  func.return %s : tensor<1x3x2x2xf32>
}
// CHECK-LABEL: func.func @main
// CHECK:         %[[K:.*]] = kernel.const #aicc.dense_resource<k> : memref<1x1x1x3xf32>
// CHECK-NEXT:    %[[S1:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x2x2x3xf32>
// CHECK-NEXT:    kernel.elementwise ins(%{{.*}}, %{{.*}} : memref<1x2x2x3xf32>, memref<1x2x2x3xf32>) outs(%[[S1]] : memref<1x2x2x3xf32>) {onnx_names = ["sum0"], kind = "add", params = array<f64>}
// CHECK-NEXT:    %[[S2:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x2x2x3xf32>
// CHECK-NEXT:    kernel.elementwise ins(%[[S1]], %[[K]] : memref<1x2x2x3xf32>, memref<1x1x1x3xf32>) outs(%[[S2]] : memref<1x2x2x3xf32>) {onnx_names = ["sum0"], kind = "add", params = array<f64>}
// CHECK:         kernel.transpose ins(%[[S2]] : memref<1x2x2x3xf32>) outs(%[[Y:.*]] : memref<1x3x2x2xf32>) {onnx_names = ["y"], perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT:    func.return %[[Y]] : memref<1x3x2x2xf32>

// -----

// A binary op reads a broadcast constant at its own rank; a unary activation after
// an op that does not absorb it is its own kernel, its parameters in `params`.
func.func @main(%x: tensor<1x3x2x2xf32> {onnx.name = "x"}) -> (tensor<1x3x2x2xf32> {onnx.name = "y"}) {
  %k = onnx.Constant() <{value = dense<[[[1.0]], [[2.0]], [[3.0]]]> : tensor<3x1x1xf32>, output_names = ["k"]}> : () -> tensor<3x1x1xf32>
  %m = onnx.Mul(%x, %k) <{output_names = ["mul0"]}> : (tensor<1x3x2x2xf32>, tensor<3x1x1xf32>) -> tensor<1x3x2x2xf32>
  %s = onnx.Sigmoid(%m) <{output_names = ["sig0"]}> : (tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  %y = onnx.LeakyRelu(%s) <{alpha = 0.25 : f32, output_names = ["y"]}> : (tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  func.return %y : tensor<1x3x2x2xf32>
}
// CHECK-LABEL: func.func @main
// CHECK:         kernel.transpose ins(%x : memref<1x3x2x2xf32>) outs(%[[X:.*]] : memref<1x2x2x3xf32>)
// CHECK-NEXT:    %[[K:.*]] = kernel.const #aicc.dense_resource<k> : memref<1x1x1x3xf32>
// CHECK-NEXT:    %[[M:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x2x2x3xf32>
// CHECK-NEXT:    kernel.elementwise ins(%[[X]], %[[K]] : memref<1x2x2x3xf32>, memref<1x1x1x3xf32>) outs(%[[M]] : memref<1x2x2x3xf32>) {onnx_names = ["mul0"], kind = "mul", params = array<f64>}
// CHECK-NEXT:    %[[S:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x2x2x3xf32>
// CHECK-NEXT:    kernel.elementwise ins(%[[M]] : memref<1x2x2x3xf32>) outs(%[[S]] : memref<1x2x2x3xf32>) {onnx_names = ["sig0"], kind = "sigmoid", params = array<f64>}
// CHECK-NEXT:    %[[Y:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x2x2x3xf32>
// CHECK-NEXT:    kernel.elementwise ins(%[[S]] : memref<1x2x2x3xf32>) outs(%[[Y]] : memref<1x2x2x3xf32>) {onnx_names = ["y"], kind = "leaky_relu", params = array<f64: 2.500000e-01>}
