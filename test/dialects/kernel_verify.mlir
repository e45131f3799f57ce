// The kernel verifiers: one case per rule, each rejected with its message (the op and
// its onnx_names first).
// RUN: aicc-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @f() {
  %a = kernel.alloc {layout = "nhwc"} : memref<2x3xf32>
  func.return
}
// CHECK: kernel.alloc: an nhwc buffer must have rank 4

// -----

func.func @f() {
  %a = kernel.alloc {layout = "blocked"} : memref<2x3xf32>
  func.return
}
// CHECK: kernel.alloc: layout must be one of nhwc, rowmajor

// -----

func.func @f(%x: memref<1x8x8x3xf32>, %w: memref<3x3x3x4xf32>) {
  %y = kernel.alloc {layout = "nhwc"} : memref<1x8x8x4xf32>
  kernel.conv ins(%x, %w : memref<1x8x8x3xf32>, memref<3x3x3x4xf32>) outs(%y : memref<1x8x8x4xf32>) {onnx_names = ["conv0"], strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, activation = #kernel.act<none>}
  func.return
}
// CHECK: kernel.conv (conv0): result shape (1, 8, 8, 4) should be (1, 6, 6, 4)

// -----

func.func @f(%x: memref<1x8x8x3xf32>, %w: memref<3x3x3x4xf32>) {
  %y = kernel.alloc {layout = "nhwc"} : memref<1x8x8x4xf32>
  kernel.conv ins(%x, %w : memref<1x8x8x3xf32>, memref<3x3x3x4xf32>) outs(%y : memref<1x8x8x4xf32>) {onnx_names = ["conv0"], strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 2 : i64, activation = #kernel.act<none>}
  func.return
}
// CHECK: kernel.conv (conv0): 3 channels, weights (3, 3, 3, 4) and group 2 disagree

// -----

func.func @f(%x: memref<1x8x8x3xf16>, %w: memref<3x3x3x4xf32>) {
  %y = kernel.alloc {layout = "nhwc"} : memref<1x8x8x4xf32>
  kernel.conv ins(%x, %w : memref<1x8x8x3xf16>, memref<3x3x3x4xf32>) outs(%y : memref<1x8x8x4xf32>) {onnx_names = ["conv0"], strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, activation = #kernel.act<none>}
  func.return
}
// CHECK: kernel.conv (conv0): operands must all have one float element type, or all be quantized

// -----

func.func @f(%x: memref<1x8x8x3x!quant.uniform<i8:f32, 0.05:3>>, %w: memref<3x3x3x2x!quant.uniform<i8:f32:3, {0.1:1, 0.2}>>) {
  %y = kernel.alloc {layout = "nhwc"} : memref<1x8x8x2x!quant.uniform<i8:f32, 0.1>>
  kernel.conv ins(%x, %w : memref<1x8x8x3x!quant.uniform<i8:f32, 0.05:3>>, memref<3x3x3x2x!quant.uniform<i8:f32:3, {0.1:1, 0.2}>>) outs(%y : memref<1x8x8x2x!quant.uniform<i8:f32, 0.1>>) {onnx_names = ["conv0"], strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, activation = #kernel.act<none>}
  func.return
}
// CHECK: kernel.conv (conv0): per-axis weights must have zero point 0

// -----

func.func @f(%x: memref<1x8x8x3xf32>, %w: memref<3x3x3x4xf32>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<1x8x8x4xf32>
  kernel.conv ins(%x, %w : memref<1x8x8x3xf32>, memref<3x3x3x4xf32>) outs(%y : memref<1x8x8x4xf32>) {onnx_names = ["conv0"], strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, activation = #kernel.act<none>}
  func.return
}
// CHECK: kernel.conv (conv0): needs nhwc buffers, got layout 'rowmajor'

// -----

func.func @f(%a: memref<2x3xf32>, %b: memref<4x5xf32>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x5xf32>
  kernel.matmul ins(%a, %b : memref<2x3xf32>, memref<4x5xf32>) outs(%y : memref<2x5xf32>) {onnx_names = ["fc0"], activation = #kernel.act<none>, alpha = 1.0 : f64, beta = 1.0 : f64}
  func.return
}
// CHECK: kernel.matmul (fc0): contraction sizes 3 and 4 differ

// -----

func.func @f(%a: memref<2x3xf32>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3xf32>
  kernel.elementwise ins(%a : memref<2x3xf32>) outs(%y : memref<2x3xf32>) {onnx_names = ["g0"], kind = "gelu", params = array<f64>}
  func.return
}
// CHECK: kernel.elementwise (g0): unknown kind 'gelu'

// -----

func.func @f(%a: memref<2x3xf32>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3xf32>
  kernel.elementwise ins(%a : memref<2x3xf32>) outs(%y : memref<2x3xf32>) {onnx_names = ["add0"], kind = "add", params = array<f64>}
  func.return
}
// CHECK: kernel.elementwise (add0): kind 'add' takes 2 inputs

// -----

func.func @f(%a: memref<2x3xf32>, %b: memref<4x3xf32>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3xf32>
  kernel.elementwise ins(%a, %b : memref<2x3xf32>, memref<4x3xf32>) outs(%y : memref<2x3xf32>) {onnx_names = ["add0"], kind = "add", params = array<f64>}
  func.return
}
// CHECK: kernel.elementwise (add0): shapes (2, 3), (4, 3), (2, 3) do not broadcast

// -----

func.func @f(%a: memref<2x3x!quant.uniform<i8:f32, 0.1>>, %b: memref<2x3x!quant.uniform<i8:f32, 0.1>>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3x!quant.uniform<i8:f32, 0.1>>
  kernel.elementwise ins(%a, %b : memref<2x3x!quant.uniform<i8:f32, 0.1>>, memref<2x3x!quant.uniform<i8:f32, 0.1>>) outs(%y : memref<2x3x!quant.uniform<i8:f32, 0.1>>) {onnx_names = ["div0"], kind = "div", params = array<f64>}
  func.return
}
// CHECK: kernel.elementwise (div0): kind 'div' has no quantized form

// -----

func.func @f(%a: memref<2x3xf32>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3xf32>
  kernel.elementwise ins(%a : memref<2x3xf32>) outs(%y : memref<2x3xf32>) {onnx_names = ["lr0"], kind = "leaky_relu", params = array<f64>}
  func.return
}
// CHECK: kernel.elementwise (lr0): kind 'leaky_relu' takes 1 parameters

// -----

func.func @f(%x: memref<1x8x8x4xf32>) {
  %y = kernel.alloc {layout = "nhwc"} : memref<1x3x3x4xf32>
  kernel.pool ins(%x : memref<1x8x8x4xf32>) outs(%y : memref<1x3x3x4xf32>) {onnx_names = ["pool0"], kind = "max", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = 0 : i64}
  func.return
}
// CHECK: kernel.pool (pool0): result shape (1, 3, 3, 4) disagrees with the window

// -----

func.func @f(%a: memref<2x3xf32>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3xf32>
  kernel.softmax ins(%a : memref<2x3xf32>) outs(%y : memref<2x3xf32>) {onnx_names = ["sm0"], axis = 2 : i64, log = 0 : i64}
  func.return
}
// CHECK: kernel.softmax (sm0): axis out of range

// -----

func.func @f(%a: memref<2x3xf32>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<3x3xf32>
  kernel.transpose ins(%a : memref<2x3xf32>) outs(%y : memref<3x3xf32>) {onnx_names = ["t0"], perm = array<i64: 1, 1>}
  func.return
}
// CHECK: kernel.transpose (t0): perm (1, 1) is not a permutation of the 2 axes

// -----

func.func @f(%a: memref<2x3xf32>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x4xf32>
  kernel.copy ins(%a : memref<2x3xf32>) outs(%y : memref<2x4xf32>) {onnx_names = ["cat0"], offsets = array<i64: 0, 2>}
  func.return
}
// CHECK: kernel.copy (cat0): (2, 3) at offsets (0, 2) does not fit in (2, 4)

// -----

func.func @f(%a: memref<4x3xf32>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3xf32>
  kernel.slice ins(%a : memref<4x3xf32>) outs(%y : memref<2x3xf32>) {onnx_names = ["sl0"], starts = array<i64: 3, 0>, steps = array<i64: 1, 1>}
  func.return
}
// CHECK: kernel.slice (sl0): slice 3:1 x 2 leaves an axis of size 4

// -----

func.func @f(%a: memref<1x2x2x3xf32>) {
  %x = kernel.alloc {layout = "nhwc"} : memref<1x2x2x3xf32>
  kernel.elementwise ins(%a : memref<1x2x2x3xf32>) outs(%x : memref<1x2x2x3xf32>) {onnx_names = ["r0"], kind = "relu", params = array<f64>}
  %y = kernel.alloc {layout = "rowmajor"} : memref<12xf32>
  kernel.reshape ins(%x : memref<1x2x2x3xf32>) outs(%y : memref<12xf32>) {onnx_names = ["flat0"]}
  func.return
}
// CHECK: kernel.reshape (flat0): reshapes row-major buffers (transpose nhwc ones first)

// -----

func.func @f(%a: memref<2x3x!quant.uniform<i8:f32, 0.1>>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3xi8>
  kernel.transpose ins(%a : memref<2x3x!quant.uniform<i8:f32, 0.1>>) outs(%y : memref<2x3xi8>) {onnx_names = ["t0"], perm = array<i64: 0, 1>}
  func.return
}
// CHECK: kernel.alloc: element type must be f32, f16 or !quant.uniform

// -----

func.func @f(%a: memref<2x3xf32>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3xf32>
  kernel.convert ins(%a : memref<2x3xf32>) outs(%y : memref<2x3xf32>) {onnx_names = ["c0"]}
  func.return
}
// CHECK: kernel.convert (c0): input and result element types are equal

// -----

func.func @f(%a: memref<2x3x!quant.uniform<i8:f32, 0.1>>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3x!quant.uniform<i8:f32, 0.2>>
  kernel.convert ins(%a : memref<2x3x!quant.uniform<i8:f32, 0.1>>) outs(%y : memref<2x3x!quant.uniform<i8:f32, 0.2>>) {onnx_names = ["c0"], mode = "shift"}
  func.return
}
// CHECK: kernel.convert (c0): mode must be one of requantize, move

// -----

func.func @f(%a: memref<2x3x!quant.uniform<i8:f32, 0.1>>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3xf32>
  kernel.convert ins(%a : memref<2x3x!quant.uniform<i8:f32, 0.1>>) outs(%y : memref<2x3xf32>) {onnx_names = ["c0"], mode = "move"}
  func.return
}
// CHECK: kernel.convert (c0): mode 'move' converts between per-tensor quantized types

// -----

func.func @f(%a: memref<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>>) {
  %y = kernel.alloc {layout = "rowmajor"} : memref<2x3x!quant.uniform<i8:f32, 0.2>>
  kernel.convert ins(%a : memref<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>>) outs(%y : memref<2x3x!quant.uniform<i8:f32, 0.2>>) {onnx_names = ["c0"], mode = "move"}
  func.return
}
// CHECK: kernel.convert (c0): mode 'move' converts between per-tensor quantized types

// -----

func.func @f(%a: memref<2x3xf32>) {
  %y = kernel.const #aicc.dense_resource<k> : memref<2x3xf32>
  kernel.elementwise ins(%a : memref<2x3xf32>) outs(%y : memref<2x3xf32>) {onnx_names = ["r0"], kind = "relu", params = array<f64>}
  func.return
}
// CHECK: kernel.elementwise (r0): writes a constant buffer

// -----

func.func @f(%x: memref<1x4x4x2xf32>, %s: memref<3xf32>) {
  %y = kernel.alloc {layout = "nhwc"} : memref<1x4x4x2xf32>
  kernel.scale_shift ins(%x, %s, %s : memref<1x4x4x2xf32>, memref<3xf32>, memref<3xf32>) outs(%y : memref<1x4x4x2xf32>) {onnx_names = ["bn0"], activation = #kernel.act<none>}
  func.return
}
// CHECK: kernel.scale_shift (bn0): scale must have shape (2,)

// -----

func.func @f(%x: memref<1x4x4x2xf32>, %s: memref<2xf32>) {
  %y = kernel.alloc {layout = "nhwc"} : memref<1x4x4x2xf32>
  kernel.scale_shift ins(%x, %s, %s : memref<1x4x4x2xf32>, memref<2xf32>, memref<2xf32>) outs(%y : memref<1x4x4x2xf32>) {onnx_names = ["bn0"], activation = #kernel.act<clip(1.0)>}
  func.return
}
// CHECK: activation 'clip' takes 2 parameters

// -----

func.func @f() {
  %y = kernel.const #aicc.splat<1.0 : f32> : memref<2xf32>
  func.return
}
// CHECK: kernel.const: value must be an #aicc.dense_resource
