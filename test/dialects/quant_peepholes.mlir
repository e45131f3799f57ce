// RUN: aicc-opt %s -p canonicalize | filecheck %s

// An exact f16 -> f32 widening feeding quantize goes away: quantize takes f16.
// CHECK-LABEL: func.func @quantize_of_widening
// CHECK-NEXT:    %q = quant.quantize %x {name = "q"} : tensor<4xf16> to tensor<4x!quant.uniform<i8:f32, 0.1>>
// CHECK-NEXT:    func.return %q
func.func @quantize_of_widening(%x: tensor<4xf16>) -> tensor<4x!quant.uniform<i8:f32, 0.1>> {
  %w = quant.convert %x : tensor<4xf16> to tensor<4xf32>
  %q = quant.quantize %w {name = "q"} : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.1>>
  func.return %q : tensor<4x!quant.uniform<i8:f32, 0.1>>
}

// A rounding f32 -> f16 conversion feeding quantize stays.
// CHECK-LABEL: func.func @quantize_of_narrowing
// CHECK-NEXT:    %n = quant.convert %x : tensor<4xf32> to tensor<4xf16>
// CHECK-NEXT:    %q = quant.quantize %n : tensor<4xf16> to tensor<4x!quant.uniform<i8:f32, 0.1>>
func.func @quantize_of_narrowing(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>> {
  %n = quant.convert %x : tensor<4xf32> to tensor<4xf16>
  %q = quant.quantize %n : tensor<4xf16> to tensor<4x!quant.uniform<i8:f32, 0.1>>
  func.return %q : tensor<4x!quant.uniform<i8:f32, 0.1>>
}

// Dequantize to the expressed type, then convert: dequantize straight to f16.
// Dequantizing to f16 and widening back is not the f32 value and stays.
// CHECK-LABEL: func.func @convert_of_dequantize
// CHECK-NEXT:    %h = quant.dequantize %x {name = "h"} : tensor<4x!quant.uniform<i8:f32, 0.1>> to tensor<4xf16>
// CHECK-NEXT:    %d16 = quant.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.1>> to tensor<4xf16>
// CHECK-NEXT:    %f = quant.convert %d16 : tensor<4xf16> to tensor<4xf32>
// CHECK-NEXT:    func.return %h, %f
func.func @convert_of_dequantize(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> (tensor<4xf16>, tensor<4xf32>) {
  %d = quant.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.1>> to tensor<4xf32>
  %h = quant.convert %d {name = "h"} : tensor<4xf32> to tensor<4xf16>
  %d16 = quant.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.1>> to tensor<4xf16>
  %f = quant.convert %d16 : tensor<4xf16> to tensor<4xf32>
  func.return %h, %f : tensor<4xf16>, tensor<4xf32>
}

// f16 -> f32 -> f16 is the identity; f32 -> f16 -> f32 rounds and stays.
// CHECK-LABEL: func.func @convert_round_trips
// CHECK-NEXT:    %n = quant.convert %y : tensor<4xf32> to tensor<4xf16>
// CHECK-NEXT:    %nw = quant.convert %n : tensor<4xf16> to tensor<4xf32>
// CHECK-NEXT:    func.return %x, %nw
func.func @convert_round_trips(%x: tensor<4xf16>, %y: tensor<4xf32>) -> (tensor<4xf16>, tensor<4xf32>) {
  %w = quant.convert %x : tensor<4xf16> to tensor<4xf32>
  %wn = quant.convert %w : tensor<4xf32> to tensor<4xf16>
  %n = quant.convert %y : tensor<4xf32> to tensor<4xf16>
  %nw = quant.convert %n : tensor<4xf16> to tensor<4xf32>
  func.return %wn, %nw : tensor<4xf16>, tensor<4xf32>
}

// dequantize(quantize(x)) rounds and saturates: never removed.
// CHECK-LABEL: func.func @dequantize_of_quantize
// CHECK-NEXT:    %q = quant.quantize %x
// CHECK-NEXT:    %d = quant.dequantize %q
// CHECK-NEXT:    func.return %d
func.func @dequantize_of_quantize(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = quant.quantize %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.1>>
  %d = quant.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.1>> to tensor<4xf32>
  func.return %d : tensor<4xf32>
}

// quantize(dequantize(x)): same 8-bit type -> x, another type -> requantize; int32
// storage does not round-trip through f32 and stays; so does an f16 intermediate.
// CHECK-LABEL: func.func @quantize_of_dequantize
// CHECK-NEXT:    %r = quant.requantize %x {name = "r"} : tensor<4x!quant.uniform<i8:f32, 0.1>> to tensor<4x!quant.uniform<u8:f32, 0.2:128>>
// CHECK-NEXT:    %bd = quant.dequantize %b : tensor<4x!quant.uniform<i32:f32, 0.001>> to tensor<4xf32>
// CHECK-NEXT:    %bq = quant.quantize %bd : tensor<4xf32> to tensor<4x!quant.uniform<i32:f32, 0.001>>
// CHECK-NEXT:    %h = quant.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.1>> to tensor<4xf16>
// CHECK-NEXT:    %hq = quant.quantize %h : tensor<4xf16> to tensor<4x!quant.uniform<i8:f32, 0.1>>
// CHECK-NEXT:    func.return %x, %r, %bq, %hq
func.func @quantize_of_dequantize(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>, %b: tensor<4x!quant.uniform<i32:f32, 0.001>>) -> (tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<u8:f32, 0.2:128>>, tensor<4x!quant.uniform<i32:f32, 0.001>>, tensor<4x!quant.uniform<i8:f32, 0.1>>) {
  %d = quant.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.1>> to tensor<4xf32>
  %same = quant.quantize %d : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.1>>
  %r = quant.quantize %d {name = "r"} : tensor<4xf32> to tensor<4x!quant.uniform<u8:f32, 0.2:128>>
  %bd = quant.dequantize %b : tensor<4x!quant.uniform<i32:f32, 0.001>> to tensor<4xf32>
  %bq = quant.quantize %bd : tensor<4xf32> to tensor<4x!quant.uniform<i32:f32, 0.001>>
  %h = quant.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.1>> to tensor<4xf16>
  %hq = quant.quantize %h : tensor<4xf16> to tensor<4x!quant.uniform<i8:f32, 0.1>>
  func.return %same, %r, %bq, %hq : tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<u8:f32, 0.2:128>>, tensor<4x!quant.uniform<i32:f32, 0.001>>, tensor<4x!quant.uniform<i8:f32, 0.1>>
}

// requantize to the same type is the identity where dequantizing round-trips.
// CHECK-LABEL: func.func @requantize_same_type
// CHECK-NEXT:    %b2 = quant.requantize %b : tensor<4x!quant.uniform<i32:f32, 0.001>> to tensor<4x!quant.uniform<i32:f32, 0.001>>
// CHECK-NEXT:    func.return %x, %b2
func.func @requantize_same_type(%x: tensor<4x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4:5}>>, %b: tensor<4x!quant.uniform<i32:f32, 0.001>>) -> (tensor<4x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4:5}>>, tensor<4x!quant.uniform<i32:f32, 0.001>>) {
  %x2 = quant.requantize %x : tensor<4x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4:5}>> to tensor<4x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4:5}>>
  %b2 = quant.requantize %b : tensor<4x!quant.uniform<i32:f32, 0.001>> to tensor<4x!quant.uniform<i32:f32, 0.001>>
  func.return %x2, %b2 : tensor<4x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4:5}>>, tensor<4x!quant.uniform<i32:f32, 0.001>>
}
