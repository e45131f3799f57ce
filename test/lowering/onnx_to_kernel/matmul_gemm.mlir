// lower-onnx-to-kernel, Gemm and MatMul: row-major operands, constant B laid out
// as [K, N] at compile time, the activation after them fused.
// RUN: aicc-opt %s --split-input-file -p lower-onnx-to-kernel | filecheck %s

// Gemm with transB: the constant B is transposed to [K, N] at compile time.
func.func @main(%a: tensor<2x3xf32> {onnx.name = "a"}) -> (tensor<2x4xf32> {onnx.name = "y"}) {
  %w = onnx.Constant() <{value = #aicc.splat<1.0 : f32>, output_names = ["w"]}> : () -> tensor<4x3xf32>
  %y = onnx.Gemm(%a, %w) <{alpha = 2.0 : f32, transB = 1 : i64, output_names = ["y"]}> : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  func.return %y : tensor<2x4xf32>
}
// CHECK-LABEL: func.func @main
// CHECK:         %[[W:.*]] = kernel.const #aicc.dense_resource<y.w> : memref<3x4xf32>
// CHECK:         kernel.matmul ins(%a, %[[W]] : memref<2x3xf32>, memref<3x4xf32>) outs(%{{.*}} : memref<2x4xf32>) {onnx_names = ["y"], activation = #kernel.act<none>, alpha = 2.000000e+00 : f64, beta = 1.000000e+00 : f64}

// -----

// MatMul of two activations, with the Relu after it fused.
func.func @main(%a: tensor<2x3xf32> {onnx.name = "a"}, %b: tensor<3x4xf32> {onnx.name = "b"}) -> (tensor<2x4xf32> {onnx.name = "y"}) {
  %m = onnx.MatMul(%a, %b) <{output_names = ["mm0"]}> : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %y = onnx.Relu(%m) <{output_names = ["y"]}> : (tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return %y : tensor<2x4xf32>
}
// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %[[Y:.*]] = kernel.alloc {layout = "rowmajor"} : memref<2x4xf32>
// CHECK-NEXT:    kernel.matmul ins(%a, %b : memref<2x3xf32>, memref<3x4xf32>) outs(%[[Y]] : memref<2x4xf32>) {onnx_names = ["mm0", "y"], activation = #kernel.act<relu>, alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
// CHECK-NEXT:    func.return %[[Y]] : memref<2x4xf32>
