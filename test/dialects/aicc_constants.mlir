// Blob data in the dialect_resources section round-trips byte-exact (including
// odd lengths and bytes that are not valid floats); `__elided__` stays elided.
// RUN: aicc-opt %s | filecheck %s
// RUN: aicc-opt %s | aicc-opt | filecheck %s

func.func @main() -> (tensor<3xi8>, tensor<2xf32>, tensor<2x2xf16>) {
  %a = onnx.Constant() <{value = #aicc.dense_resource<bytes_a>, output_names = ["a"]}> : () -> tensor<3xi8>
  %b = onnx.Constant() <{value = #aicc.dense_resource<nan_b>, output_names = ["b"]}> : () -> tensor<2xf32>
  %c = onnx.Constant() <{value = #aicc.dense_resource<gone>, output_names = ["c"]}> : () -> tensor<2x2xf16>
  func.return %a, %b, %c : tensor<3xi8>, tensor<2xf32>, tensor<2x2xf16>
}

{-#
  dialect_resources: {
    aicc: {
      bytes_a: "0x10000000FF0080",
      nan_b: "0x10000000FFFFFF7F0100807F",
      gone: "__elided__"
    }
  }
#-}

// CHECK:      %a = onnx.Constant() <{value = #aicc.dense_resource<bytes_a>, output_names = ["a"]}> : () -> tensor<3xi8>
// CHECK-NEXT: %b = onnx.Constant() <{value = #aicc.dense_resource<nan_b>, output_names = ["b"]}> : () -> tensor<2xf32>
// CHECK-NEXT: %c = onnx.Constant() <{value = #aicc.dense_resource<gone>, output_names = ["c"]}> : () -> tensor<2x2xf16>
// CHECK:      dialect_resources: {
// CHECK-NEXT: aicc: {
// CHECK-NEXT: bytes_a: "0x10000000FF0080",
// CHECK-NEXT: gone: "__elided__",
// CHECK-NEXT: nan_b: "0x10000000FFFFFF7F0100807F"
// CHECK-NEXT: }
