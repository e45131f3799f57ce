// RUN: aicc-opt %s -p insert-precision-casts | filecheck %s
// RUN: aicc-opt %S/quantize.mlir --split-input-file -p 'quantize{profile="%S/Inputs/quantize.yaml"},insert-precision-casts,canonicalize' 2>/dev/null | filecheck %s --check-prefix=PIPE

// Each marker left by `quantize` becomes the quant op it stands for, named after
// the tensor it converts: f32 -> i8 quantize, i8 -> i8 requantize, i8 -> f32 and
// i8 -> f16 dequantize (directly), f16 -> f32 convert, f16 -> i8 quantize (directly).
// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %[[XQ:.*]] = quant.quantize %x {name = "x.quantize"} : tensor<2xf32> to tensor<2x!quant.uniform<i8:f32, 0.1>>
// CHECK-NEXT:    %[[R:.*]] = onnx.Relu(%[[XQ]])
// CHECK-NEXT:    %[[RQ:.*]] = quant.requantize %[[R]] {name = "relu0.requantize"} : tensor<2x!quant.uniform<i8:f32, 0.1>> to tensor<2x!quant.uniform<i8:f32, 0.2:3>>
// CHECK-NEXT:    %[[RF:.*]] = quant.dequantize %[[R]] {name = "relu0.dequantize"} : tensor<2x!quant.uniform<i8:f32, 0.1>> to tensor<2xf32>
// CHECK-NEXT:    %[[RH:.*]] = quant.dequantize %[[R]] {name = "relu0.dequantize"} : tensor<2x!quant.uniform<i8:f32, 0.1>> to tensor<2xf16>
// CHECK-NEXT:    %[[S:.*]] = onnx.Sigmoid(%[[RH]])
// CHECK-NEXT:    %[[SF:.*]] = quant.convert %[[S]] {name = "sig0.convert"} : tensor<2xf16> to tensor<2xf32>
// CHECK-NEXT:    %[[SQ:.*]] = quant.quantize %[[S]] {name = "sig0.quantize"} : tensor<2xf16> to tensor<2x!quant.uniform<i8:f32, 0.2:3>>
// CHECK-NEXT:    %[[A:.*]] = onnx.Add(%[[RQ]], %[[SQ]])
// CHECK-NEXT:    %[[AF:.*]] = quant.dequantize %[[A]] {name = "add0.dequantize"}
// CHECK-NEXT:    func.return %[[AF]], %[[RF]], %[[SF]]
// CHECK-NOT:     unrealized_conversion_cast
func.func @main(%x: tensor<2xf32> {onnx.name = "x"}) -> (tensor<2xf32> {onnx.name = "add0"}, tensor<2xf32> {onnx.name = "relu0"}, tensor<2xf32> {onnx.name = "sig0"}) {
  %xq = builtin.unrealized_conversion_cast %x : tensor<2xf32> to tensor<2x!quant.uniform<i8:f32, 0.1>>
  %relu0 = onnx.Relu(%xq) <{output_names = ["relu0"]}> {aicc.precision = "i8", aicc.precision_reason = "base"} : (tensor<2x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x!quant.uniform<i8:f32, 0.1>>
  %rq = builtin.unrealized_conversion_cast %relu0 : tensor<2x!quant.uniform<i8:f32, 0.1>> to tensor<2x!quant.uniform<i8:f32, 0.2:3>>
  %rf = builtin.unrealized_conversion_cast %relu0 : tensor<2x!quant.uniform<i8:f32, 0.1>> to tensor<2xf32>
  %rh = builtin.unrealized_conversion_cast %relu0 : tensor<2x!quant.uniform<i8:f32, 0.1>> to tensor<2xf16>
  %sig0 = onnx.Sigmoid(%rh) <{output_names = ["sig0"]}> {aicc.precision = "f16", aicc.precision_reason = "fp16-list"} : (tensor<2xf16>) -> tensor<2xf16>
  %sf = builtin.unrealized_conversion_cast %sig0 : tensor<2xf16> to tensor<2xf32>
  %sq = builtin.unrealized_conversion_cast %sig0 : tensor<2xf16> to tensor<2x!quant.uniform<i8:f32, 0.2:3>>
  %add0 = onnx.Add(%rq, %sq) <{output_names = ["add0"]}> {aicc.precision = "i8", aicc.precision_reason = "base"} : (tensor<2x!quant.uniform<i8:f32, 0.2:3>>, tensor<2x!quant.uniform<i8:f32, 0.2:3>>) -> tensor<2x!quant.uniform<i8:f32, 0.2:3>>
  %af = builtin.unrealized_conversion_cast %add0 : tensor<2x!quant.uniform<i8:f32, 0.2:3>> to tensor<2xf32>
  func.return %af, %rf, %sf : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// After quantize, insert-precision-casts and canonicalize, the quantize.mlir graph
// verifies, holds no marker, and its edges are quant ops.
// PIPE-LABEL: func.func @main
// PIPE-NOT:     unrealized_conversion_cast
// PIPE:         quant.quantize %x {name = "x.quantize"}
// PIPE:         quant.dequantize %relu0 {name = "relu0.dequantize"} : {{.*}} to tensor<1x2x2x2xf32>
// PIPE:         quant.dequantize %relu0 {name = "relu0.dequantize"} : {{.*}} to tensor<1x2x2x2xf16>
// PIPE:         quant.convert %sig0 {name = "sig0.convert"}
// PIPE-NOT:     unrealized_conversion_cast
