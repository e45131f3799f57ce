// RUN: aicc-opt %s | aicc-opt | filecheck %s
// RUN: aicc-opt %s -o %t.1.mlir && aicc-opt %t.1.mlir -o %t.2.mlir && diff %t.1.mlir %t.2.mlir

// Every form of quantized type prints back as written; scales print as the
// shortest decimal that reads back as the same float64.
// CHECK-LABEL: func.func @types
// CHECK-SAME:    tensor<1x16x8x8x!quant.uniform<i8:f32, 0.05:3>>
// CHECK-SAME:    tensor<4x!quant.uniform<u8:f32, 0.5>>
// CHECK-SAME:    tensor<4x!quant.uniform<u8:f32, 0.0123:128>>
// CHECK-SAME:    tensor<2x3x!quant.uniform<i8:f32:0, {0.1, 0.2:-1}>>
// CHECK-SAME:    tensor<3x!quant.uniform<i32:f32, 0.00015>>
// CHECK-SAME:    tensor<4x!quant.uniform<i8<-127:127>:f32, 0.1>>
// CHECK-SAME:    tensor<4x!quant.uniform<i16:f16, 3.0e-05:-7>>
// CHECK-SAME:    tensor<4x!quant.uniform<i8:f32, 0.1000000000000001>>
// CHECK-SAME:    tensor<4x!quant.uniform<u8:f32, 2.0>>
func.func @types(%a: tensor<1x16x8x8x!quant.uniform<i8:f32, 0.05:3>>,
                 %b: tensor<4x!quant.uniform<u8:f32, 0.5:0>>,
                 %c: tensor<4x!quant.uniform<u8:f32, 1.23e-2:128>>,
                 %d: tensor<2x3x!quant.uniform<i8:f32:0, {0.1:0, 0.2:-1}>>,
                 %e: tensor<3x!quant.uniform<i32:f32, 1.5e-4>>,
                 %f: tensor<4x!quant.uniform<i8<-127:127>:f32, 0.1>>,
                 %g: tensor<4x!quant.uniform<i16:f16, 0.00003:-7>>,
                 %h: tensor<4x!quant.uniform<i8:f32, 0.1000000000000001>>,
                 %i: tensor<4x!quant.uniform<u8:f32, 2>>) {
  func.return
}

// CHECK-LABEL: func.func @ops
// CHECK-NEXT:    %q = quant.quantize %x {name = "x_q"} : tensor<2x3xf32> to tensor<2x3x!quant.uniform<i8:f32, 0.05:3>>
// CHECK-NEXT:    %r = quant.requantize %q : tensor<2x3x!quant.uniform<i8:f32, 0.05:3>> to tensor<2x3x!quant.uniform<u8:f32, 0.1:128>>
// CHECK-NEXT:    %d = quant.dequantize %r : tensor<2x3x!quant.uniform<u8:f32, 0.1:128>> to tensor<2x3xf16>
// CHECK-NEXT:    %c = quant.convert %d : tensor<2x3xf16> to tensor<2x3xf32>
// CHECK-NEXT:    %w = quant.dequantize %wq : tensor<2x3x!quant.uniform<i8:f32:0, {0.1, 0.2:-1}>> to tensor<2x3xf32>
func.func @ops(%x: tensor<2x3xf32>, %wq: tensor<2x3x!quant.uniform<i8:f32:0, {0.1, 0.2:-1}>>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %q = quant.quantize %x {name = "x_q"} : tensor<2x3xf32> to tensor<2x3x!quant.uniform<i8:f32, 0.05:3>>
  %r = quant.requantize %q : tensor<2x3x!quant.uniform<i8:f32, 0.05:3>> to tensor<2x3x!quant.uniform<u8:f32, 0.1:128>>
  %d = quant.dequantize %r : tensor<2x3x!quant.uniform<u8:f32, 0.1:128>> to tensor<2x3xf16>
  %c = quant.convert %d : tensor<2x3xf16> to tensor<2x3xf32>
  %w = quant.dequantize %wq : tensor<2x3x!quant.uniform<i8:f32:0, {0.1, 0.2:-1}>> to tensor<2x3xf32>
  func.return %c, %w : tensor<2x3xf32>, tensor<2x3xf32>
}
