// lower-onnx-to-kernel, data movement and precision changes: axes mapped to the
// buffer's physical axes, INT8 moves with the reference's `to_type`.
// RUN: aicc-opt %s --split-input-file -p lower-onnx-to-kernel | filecheck %s

// Softmax over channels runs along the last physical axis; Flatten of an NHWC buffer
// with H*W > 1 goes through NCHW.
func.func @main(%x: tensor<1x3x2x2xf32> {onnx.name = "x"}) -> (tensor<1x12xf32> {onnx.name = "y"}) {
  %m = onnx.Softmax(%x) <{axis = 1 : i64, output_names = ["sm0"]}> : (tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  %y = onnx.Flatten(%m) <{output_names = ["y"]}> : (tensor<1x3x2x2xf32>) -> tensor<1x12xf32>
  func.return %y : tensor<1x12xf32>
}
// CHECK-LABEL: func.func @main
// CHECK:         kernel.transpose ins(%x : memref<1x3x2x2xf32>) outs(%[[X:.*]] : memref<1x2x2x3xf32>)
// CHECK:         kernel.softmax ins(%[[X]] : memref<1x2x2x3xf32>) outs(%[[M:.*]] : memref<1x2x2x3xf32>) {onnx_names = ["sm0"], axis = 3 : i64, log = 0 : i64}
// CHECK:         kernel.transpose ins(%[[M]] : memref<1x2x2x3xf32>) outs(%[[T:.*]] : memref<1x3x2x2xf32>) {onnx_names = ["y"], perm = array<i64: 0, 3, 1, 2>}
// CHECK:         kernel.reshape ins(%[[T]] : memref<1x3x2x2xf32>) outs(%[[Y:.*]] : memref<1x12xf32>) {onnx_names = ["y"]}
// CHECK-NEXT:    func.return %[[Y]] : memref<1x12xf32>

// -----

// Concat along channels of NHWC buffers copies at offsets on the last axis.
func.func @main(%x: tensor<1x2x2x2xf32> {onnx.name = "x"}) -> (tensor<1x4x2x2xf32> {onnx.name = "z"}) {
  %z = onnx.Concat(%x, %x) <{axis = 1 : i64, output_names = ["z"]}> : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32>
  func.return %z : tensor<1x4x2x2xf32>
}
// CHECK-LABEL: func.func @main
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

// -----

// Transpose is one `kernel.transpose` with the permutation composed with both
// layouts; Slice starts sit on the physical axes (logical W of NCHW is NHWC axis 2).
func.func @main(%x: tensor<1x2x3x4xf32> {onnx.name = "x"}) -> (tensor<1x4x3x1xf32> {onnx.name = "y"}) {
  %t = onnx.Transpose(%x) <{perm = array<i64: 0, 3, 2, 1>, output_names = ["tr0"]}> : (tensor<1x2x3x4xf32>) -> tensor<1x4x3x2xf32>
  %st = onnx.Constant() <{value = dense<[1]> : tensor<1xi64>, output_names = ["st"]}> : () -> tensor<1xi64>
  %en = onnx.Constant() <{value = dense<[2]> : tensor<1xi64>, output_names = ["en"]}> : () -> tensor<1xi64>
  %ax = onnx.Constant() <{value = dense<[3]> : tensor<1xi64>, output_names = ["ax"]}> : () -> tensor<1xi64>
  %y = onnx.Slice(%t, %st, %en, %ax) <{output_names = ["y"]}> : (tensor<1x4x3x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x4x3x1xf32>
  func.return %y : tensor<1x4x3x1xf32>
}
// CHECK-LABEL: func.func @main
// CHECK:         kernel.transpose ins(%x : memref<1x2x3x4xf32>) outs(%[[X:.*]] : memref<1x3x4x2xf32>)
// CHECK-NEXT:    %[[T:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x3x2x4xf32>
// CHECK-NEXT:    kernel.transpose ins(%[[X]] : memref<1x3x4x2xf32>) outs(%[[T]] : memref<1x3x2x4xf32>) {onnx_names = ["tr0"], perm = array<i64: 0, 1, 3, 2>}
// CHECK-NEXT:    %[[S:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x3x1x4xf32>
// CHECK-NEXT:    kernel.slice ins(%[[T]] : memref<1x3x2x4xf32>) outs(%[[S]] : memref<1x3x1x4xf32>) {onnx_names = ["y"], starts = array<i64: 0, 0, 1, 0>, steps = array<i64: 1, 1, 1, 1>}
