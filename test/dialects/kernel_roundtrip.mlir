// Every kernel op prints and parses back unchanged (quantized element types included).
// RUN: aicc-opt %s | aicc-opt | filecheck %s

func.func @main(%x: memref<1x3x8x8x!quant.uniform<i8:f32, 0.05:3>>, %f: memref<2x6xf32>) -> memref<1x4x4x4xf16> {
  %t = kernel.alloc {layout = "nhwc", offset = 128 : i64} : memref<1x8x8x3x!quant.uniform<i8:f32, 0.05:3>>
  kernel.transpose ins(%x : memref<1x3x8x8x!quant.uniform<i8:f32, 0.05:3>>) outs(%t : memref<1x8x8x3x!quant.uniform<i8:f32, 0.05:3>>) {onnx_names = ["x"], perm = array<i64: 0, 2, 3, 1>}
  %w = kernel.const #aicc.dense_resource<w0> {offset = 64 : i64} : memref<3x3x3x4x!quant.uniform<i8:f32:3, {0.1, 0.2, 0.3, 0.4}>>
  %b = kernel.const #aicc.dense_resource<b0> : memref<4x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.015, 0.02}>>
  %y = kernel.alloc {layout = "nhwc"} : memref<1x8x8x4x!quant.uniform<i8:f32, 0.1:-2>>
  kernel.conv ins(%t, %w, %b : memref<1x8x8x3x!quant.uniform<i8:f32, 0.05:3>>, memref<3x3x3x4x!quant.uniform<i8:f32:3, {0.1, 0.2, 0.3, 0.4}>>, memref<4x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.015, 0.02}>>) outs(%y : memref<1x8x8x4x!quant.uniform<i8:f32, 0.1:-2>>) {onnx_names = ["conv0", "bn0", "relu0"], strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, activation = #kernel.act<clip(-2.0, 60.0)>}
  %p = kernel.alloc {layout = "nhwc"} : memref<1x4x4x4x!quant.uniform<i8:f32, 0.1:-2>>
  kernel.pool ins(%y : memref<1x8x8x4x!quant.uniform<i8:f32, 0.1:-2>>) outs(%p : memref<1x4x4x4x!quant.uniform<i8:f32, 0.1:-2>>) {onnx_names = ["pool0"], kind = "avg", kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, count_include_pad = 1 : i64}
  %pm = kernel.alloc {layout = "nhwc"} : memref<1x4x4x4x!quant.uniform<i8:f32, 0.2:1>>
  kernel.convert ins(%p : memref<1x4x4x4x!quant.uniform<i8:f32, 0.1:-2>>) outs(%pm : memref<1x4x4x4x!quant.uniform<i8:f32, 0.2:1>>) {onnx_names = ["cat1"], mode = "move"}
  kernel.convert ins(%p : memref<1x4x4x4x!quant.uniform<i8:f32, 0.1:-2>>) outs(%pm : memref<1x4x4x4x!quant.uniform<i8:f32, 0.2:1>>) {onnx_names = ["rq"], mode = "requantize"}
  %h = kernel.alloc {layout = "nhwc"} : memref<1x4x4x4xf16>
  kernel.convert ins(%p : memref<1x4x4x4x!quant.uniform<i8:f32, 0.1:-2>>) outs(%h : memref<1x4x4x4xf16>) {onnx_names = ["dq"]}
  %s = kernel.const #aicc.dense_resource<s0> : memref<4xf32>
  %n = kernel.alloc {layout = "nhwc"} : memref<1x4x4x4xf16>
  kernel.scale_shift ins(%h, %s, %s : memref<1x4x4x4xf16>, memref<4xf32>, memref<4xf32>) outs(%n : memref<1x4x4x4xf16>) {onnx_names = ["bn1"], activation = #kernel.act<leaky_relu(0.1)>}
  %l = kernel.alloc {layout = "nhwc"} : memref<1x4x4x4xf16>
  kernel.lrn ins(%n : memref<1x4x4x4xf16>) outs(%l : memref<1x4x4x4xf16>) {onnx_names = ["lrn0"], size = 3 : i64, alpha = 1.000000e-04 : f32, beta = 7.500000e-01 : f32, bias = 1.000000e+00 : f32}
  %e = kernel.alloc {layout = "nhwc"} : memref<1x4x4x4xf16>
  kernel.elementwise ins(%l, %n : memref<1x4x4x4xf16>, memref<1x4x4x4xf16>) outs(%e : memref<1x4x4x4xf16>) {onnx_names = ["add0"], kind = "add", params = array<f64>}
  kernel.elementwise ins(%e : memref<1x4x4x4xf16>) outs(%l : memref<1x4x4x4xf16>) {onnx_names = ["hs0"], kind = "hard_sigmoid", params = array<f64: 2.000000e-01, 5.000000e-01>}
  %g = kernel.const #aicc.dense_resource<g0> : memref<6x3xf32>
  %m = kernel.alloc {layout = "rowmajor"} : memref<2x3xf32>
  kernel.matmul ins(%f, %g : memref<2x6xf32>, memref<6x3xf32>) outs(%m : memref<2x3xf32>) {onnx_names = ["fc0"], activation = #kernel.act<none>, alpha = 1.000000e+00 : f64, beta = 1.000000e+00 : f64}
  %sm = kernel.alloc {layout = "rowmajor"} : memref<2x3xf32>
  kernel.softmax ins(%m : memref<2x3xf32>) outs(%sm : memref<2x3xf32>) {onnx_names = ["sm0"], axis = 1 : i64, log = 1 : i64}
  %sl = kernel.alloc {layout = "rowmajor"} : memref<2x2xf32>
  kernel.slice ins(%sm : memref<2x3xf32>) outs(%sl : memref<2x2xf32>) {onnx_names = ["sl0"], starts = array<i64: 0, 2>, steps = array<i64: 1, -2>}
  %r = kernel.alloc {layout = "rowmajor"} : memref<4xf32>
  kernel.reshape ins(%sl : memref<2x2xf32>) outs(%r : memref<4xf32>) {onnx_names = ["r0"]}
  %c = kernel.alloc {layout = "rowmajor"} : memref<8xf32>
  kernel.copy ins(%r : memref<4xf32>) outs(%c : memref<8xf32>) {onnx_names = ["cat0"], offsets = array<i64: 4>}
  func.return %l : memref<1x4x4x4xf16>
}

// CHECK:      %t = kernel.alloc {layout = "nhwc", offset = 128 : i64} : memref<1x8x8x3x!quant.uniform<i8:f32, 0.05:3>>
// CHECK:      %w = kernel.const #aicc.dense_resource<w0> {offset = 64 : i64} : memref<3x3x3x4x!quant.uniform<i8:f32:3, {0.1, 0.2, 0.3, 0.4}>>
// CHECK:      kernel.conv ins(%t, %w, %b : {{.*}}) outs(%y : {{.*}}) {onnx_names = ["conv0", "bn0", "relu0"], {{.*}}, group = 1 : i64, activation = #kernel.act<clip(-2.0, 60.0)>}
// CHECK:      kernel.pool ins(%y : {{.*}}) {onnx_names = ["pool0"], kind = "avg", kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, count_include_pad = 1 : i64}
// CHECK:      kernel.convert ins(%p : {{.*}}) outs(%pm : memref<1x4x4x4x!quant.uniform<i8:f32, 0.2:1>>) {onnx_names = ["cat1"], mode = "move"}
// The default mode (quant.requantize's semantics) is not printed.
// CHECK-NEXT: kernel.convert ins(%p : {{.*}}) outs(%pm : {{.*}}) {onnx_names = ["rq"]}
// CHECK:      kernel.convert ins(%p : memref<1x4x4x4x!quant.uniform<i8:f32, 0.1:-2>>) outs(%h : memref<1x4x4x4xf16>) {onnx_names = ["dq"]}
// CHECK:      activation = #kernel.act<leaky_relu(0.1)>
// CHECK:      kernel.lrn
// CHECK:      kind = "hard_sigmoid", params = array<f64: 2.000000e-01, 5.000000e-01>
// CHECK:      kernel.matmul ins(%f, %g : memref<2x6xf32>, memref<6x3xf32>) outs(%m : memref<2x3xf32>)
// CHECK:      axis = 1 : i64, log = 1 : i64
// CHECK:      kernel.slice {{.*}} {onnx_names = ["sl0"], starts = array<i64: 0, 2>, steps = array<i64: 1, -2>}
// CHECK:      kernel.reshape ins(%sl : memref<2x2xf32>) outs(%r : memref<4xf32>) {onnx_names = ["r0"]}
// CHECK:      kernel.copy ins(%r : memref<4xf32>) outs(%c : memref<8xf32>) {onnx_names = ["cat0"], offsets = array<i64: 4>}
