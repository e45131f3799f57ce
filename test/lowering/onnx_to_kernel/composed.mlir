// lower-onnx-to-kernel, the ops the device runs as compositions of other kernels:
// reductions (pools, a matmul with ones), Pad and nearest Resize (slices and copies),
// ConvTranspose (a conv over a zero-inserted input), 3-D pooling (two 2-D pools),
// and operands computed at run time (Clip bounds, Conv weights, BatchNormalization
// parameters), a 1-D MatMul operand.
// RUN: aicc-opt %s --split-input-file -p lower-onnx-to-kernel | filecheck %s

// FP32 ReduceMean over H and W: the NHWC input pooled in place by one window.
func.func @main(%x: tensor<1x3x4x5xf32> {onnx.name = "x"}) -> (tensor<1x3x1x1xf32> {onnx.name = "m"}) {
  %a = onnx.Constant() <{value = dense<[2, 3]> : tensor<2xi64>, output_names = ["a"]}> : () -> tensor<2xi64>
  %m = onnx.ReduceMean(%x, %a) <{output_names = ["m"]}> : (tensor<1x3x4x5xf32>, tensor<2xi64>) -> tensor<1x3x1x1xf32>
  func.return %m : tensor<1x3x1x1xf32>
}
// CHECK-LABEL: func.func @main(%x: memref<1x3x4x5xf32> {onnx.name = "x"})
// CHECK:         kernel.pool ins(%[[X:.*]] : memref<1x4x5x3xf32>) outs(%[[M:.*]] : memref<1x1x1x3xf32>) {onnx_names = ["m"], kind = "avg", count_include_pad = 0 : i64, kernel = array<i64: 4, 5>, strides = array<i64: 4, 5>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}

// -----

// FP16 ReduceSum (reduced axis moved last, a matmul with a column of ones) and
// ReduceMax over negative axes (a 1 x R max pool over K channels).
func.func @main(%x: tensor<2x3x4xf16> {onnx.name = "x"}) -> (tensor<2x4xf16> {onnx.name = "s"}, tensor<1x3x1xf16> {onnx.name = "mx"}) {
  %a = onnx.Constant() <{value = dense<[1]> : tensor<1xi64>, output_names = ["a"]}> : () -> tensor<1xi64>
  %b = onnx.Constant() <{value = dense<[0, -1]> : tensor<2xi64>, output_names = ["b"]}> : () -> tensor<2xi64>
  %s = onnx.ReduceSum(%x, %a) <{keepdims = 0 : i64, output_names = ["s"]}> : (tensor<2x3x4xf16>, tensor<1xi64>) -> tensor<2x4xf16>
  %mx = onnx.ReduceMax(%x, %b) <{output_names = ["mx"]}> : (tensor<2x3x4xf16>, tensor<2xi64>) -> tensor<1x3x1xf16>
  func.return %s, %mx : tensor<2x4xf16>, tensor<1x3x1xf16>
}
// CHECK-LABEL: func.func @main(%x: memref<2x3x4xf16> {onnx.name = "x"})
// CHECK:         kernel.transpose ins(%x : memref<2x3x4xf16>) outs(%{{.*}} : memref<2x4x3xf16>) {onnx_names = ["s"], perm = array<i64: 0, 2, 1>}
// CHECK:         %[[ONES:.*]] = kernel.const #aicc.dense_resource<s.ones> : memref<3x1xf16>
// CHECK:         kernel.matmul ins(%{{.*}}, %[[ONES]] : memref<8x3xf16>, memref<3x1xf16>) outs(%{{.*}} : memref<8x1xf16>)
// CHECK:         kernel.transpose ins(%x : memref<2x3x4xf16>) outs(%{{.*}} : memref<3x2x4xf16>) {onnx_names = ["mx"], perm = array<i64: 1, 0, 2>}
// CHECK:         kernel.pool ins(%{{.*}} : memref<1x1x8x3xf16>) outs(%{{.*}} : memref<1x1x1x3xf16>) {onnx_names = ["mx"], kind = "max", count_include_pad = 0 : i64, kernel = array<i64: 1, 8>

// -----

// Pad: reflect (the interior copied in, each border row a slice of the result) and
// constant along given axes (a blob of the pad value).
func.func @main(%x: tensor<1x2x3x4xf32> {onnx.name = "x"}) -> (tensor<1x2x5x4xf32> {onnx.name = "r"}, tensor<1x2x3x6xf32> {onnx.name = "c"}) {
  %p = onnx.Constant() <{value = dense<[0, 0, 1, 0, 0, 0, 1, 0]> : tensor<8xi64>, output_names = ["p"]}> : () -> tensor<8xi64>
  %q = onnx.Constant() <{value = dense<[2, 0]> : tensor<2xi64>, output_names = ["q"]}> : () -> tensor<2xi64>
  %v = onnx.Constant() <{value = dense<1.5> : tensor<f32>, output_names = ["v"]}> : () -> tensor<f32>
  %ax = onnx.Constant() <{value = dense<[3]> : tensor<1xi64>, output_names = ["ax"]}> : () -> tensor<1xi64>
  %r = onnx.Pad(%x, %p) <{mode = "reflect", output_names = ["r"]}> : (tensor<1x2x3x4xf32>, tensor<8xi64>) -> tensor<1x2x5x4xf32>
  %c = onnx.Pad(%x, %q, %v, %ax) <{output_names = ["c"]}> : (tensor<1x2x3x4xf32>, tensor<2xi64>, tensor<f32>, tensor<1xi64>) -> tensor<1x2x3x6xf32>
  func.return %r, %c : tensor<1x2x5x4xf32>, tensor<1x2x3x6xf32>
}
// CHECK-LABEL: func.func @main(%x: memref<1x2x3x4xf32> {onnx.name = "x"})
// CHECK:         %r = kernel.alloc {layout = "nhwc"} : memref<1x5x4x2xf32>
// CHECK-NEXT:    kernel.copy ins(%[[X:.*]] : memref<1x3x4x2xf32>) outs(%r : memref<1x5x4x2xf32>) {onnx_names = ["r"], offsets = array<i64: 0, 1, 0, 0>}
// CHECK:         kernel.slice ins(%r : memref<1x5x4x2xf32>) outs(%[[B:.*]] : memref<1x1x4x2xf32>) {onnx_names = ["r"], starts = array<i64: 0, 2, 0, 0>, steps = array<i64: 1, 1, 1, 1>}
// CHECK-NEXT:    kernel.copy ins(%[[B]] : memref<1x1x4x2xf32>) outs(%r : memref<1x5x4x2xf32>) {onnx_names = ["r"], offsets = array<i64: 0, 0, 0, 0>}
// CHECK:         kernel.slice ins(%r : memref<1x5x4x2xf32>) outs(%[[E:.*]] : memref<1x1x4x2xf32>) {onnx_names = ["r"], starts = array<i64: 0, 2, 0, 0>, steps = array<i64: 1, 1, 1, 1>}
// CHECK-NEXT:    kernel.copy ins(%[[E]] : memref<1x1x4x2xf32>) outs(%r : memref<1x5x4x2xf32>) {onnx_names = ["r"], offsets = array<i64: 0, 4, 0, 0>}
// CHECK:         %c = kernel.alloc {layout = "nhwc"} : memref<1x3x6x2xf32>
// CHECK-NEXT:    kernel.copy ins(%[[X]] : memref<1x3x4x2xf32>) outs(%c : memref<1x3x6x2xf32>) {onnx_names = ["c"], offsets = array<i64: 0, 0, 2, 0>}
// CHECK-NEXT:    %[[FILL:.*]] = kernel.const #aicc.dense_resource<c.pad> : memref<1x3x2x2xf32>
// CHECK-NEXT:    kernel.copy ins(%[[FILL]] : memref<1x3x2x2xf32>) outs(%c : memref<1x3x6x2xf32>) {onnx_names = ["c"], offsets = array<i64: 0, 0, 0, 0>}

// -----

// Nearest Resize doubling H (asymmetric, floor: indices 0 0 1 1): each run of rows
// whose indices step by one is one slice copied into place.
func.func @main(%x: tensor<1x1x2x3xf32> {onnx.name = "x"}) -> (tensor<1x1x4x3xf32> {onnx.name = "up"}) {
  %s = onnx.Constant() <{value = dense<[1.0, 1.0, 2.0, 1.0]> : tensor<4xf32>, output_names = ["s"]}> : () -> tensor<4xf32>
  %y = onnx.Resize(%x, none, %s) <{coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", output_names = ["up"]}> : (tensor<1x1x2x3xf32>, none, tensor<4xf32>) -> tensor<1x1x4x3xf32>
  func.return %y : tensor<1x1x4x3xf32>
}
// CHECK-LABEL: func.func @main(%x: memref<1x1x2x3xf32> {onnx.name = "x"})
// CHECK:         %[[UP:.*]] = kernel.alloc {layout = "nhwc"} : memref<1x4x3x1xf32>
// CHECK:         kernel.slice ins(%[[X:.*]] : memref<1x2x3x1xf32>) outs(%[[R0:.*]] : memref<1x1x3x1xf32>) {onnx_names = ["up"], starts = array<i64: 0, 0, 0, 0>, steps = array<i64: 1, 1, 1, 1>}
// CHECK-NEXT:    kernel.copy ins(%[[R0]] : memref<1x1x3x1xf32>) outs(%[[UP]] : memref<1x4x3x1xf32>) {onnx_names = ["up"], offsets = array<i64: 0, 0, 0, 0>}
// CHECK-NEXT:    kernel.copy ins(%[[X]] : memref<1x2x3x1xf32>) outs(%[[UP]] : memref<1x4x3x1xf32>) {onnx_names = ["up"], offsets = array<i64: 0, 1, 0, 0>}
// CHECK:         kernel.slice ins(%[[X]] : memref<1x2x3x1xf32>) outs(%[[R3:.*]] : memref<1x1x3x1xf32>) {onnx_names = ["up"], starts = array<i64: 0, 1, 0, 0>, steps = array<i64: 1, 1, 1, 1>}
// CHECK-NEXT:    kernel.copy ins(%[[R3]] : memref<1x1x3x1xf32>) outs(%[[UP]] : memref<1x4x3x1xf32>) {onnx_names = ["up"], offsets = array<i64: 0, 3, 0, 0>}

// -----

// ConvTranspose with stride 2: the input copied into a zero-filled [N, H, 2, W, 2, C]
// buffer, sliced to the upsampled image, then a conv with the flipped kernel padded
// by k - 1.
func.func @main(%x: tensor<1x2x3x3xf32> {onnx.name = "x"}) -> (tensor<1x2x6x6xf32> {onnx.name = "up0"}) {
  %w = onnx.Constant() <{value = dense<1.0> : tensor<2x2x2x2xf32>, output_names = ["w"]}> : () -> tensor<2x2x2x2xf32>
  %y = onnx.ConvTranspose(%x, %w) <{strides = array<i64: 2, 2>, output_names = ["up0"]}> : (tensor<1x2x3x3xf32>, tensor<2x2x2x2xf32>) -> tensor<1x2x6x6xf32>
  func.return %y : tensor<1x2x6x6xf32>
}
// CHECK-LABEL: func.func @main(%x: memref<1x2x3x3xf32> {onnx.name = "x"})
// CHECK:         %[[GRID:.*]] = kernel.alloc {layout = "rowmajor"} : memref<1x3x2x3x2x2xf32>
// CHECK-NEXT:    %[[ZERO:.*]] = kernel.const #aicc.dense_resource<up0.zero> : memref<1x1x1x1x1x1xf32>
// CHECK-NEXT:    kernel.elementwise ins(%[[ZERO]], %[[ZERO]] : {{.*}}) outs(%[[GRID]] : memref<1x3x2x3x2x2xf32>) {onnx_names = ["up0"], kind = "max", params = array<f64>}
// CHECK:         kernel.copy ins(%{{.*}} : memref<1x3x1x3x1x2xf32>) outs(%[[GRID]] : memref<1x3x2x3x2x2xf32>) {onnx_names = ["up0"], offsets = array<i64: 0, 0, 0, 0, 0, 0>}
// CHECK:         kernel.slice ins(%{{.*}} : memref<1x6x6x2xf32>) outs(%[[UP:.*]] : memref<1x5x5x2xf32>)
// CHECK:         %[[W:.*]] = kernel.const #aicc.dense_resource<up0.w> : memref<2x2x2x2xf32>
// CHECK-NEXT:    kernel.conv ins(%[[UP]], %[[W]] : memref<1x5x5x2xf32>, memref<2x2x2x2xf32>) outs(%{{.*}} : memref<1x6x6x2xf32>) {onnx_names = ["up0"], strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, activation = #kernel.act<none>}

// -----

// 3-D MaxPool: a 2-D pool over H, W of the [N, C * D, H, W] view, then one over D.
func.func @main(%x: tensor<1x2x4x4x4xf32> {onnx.name = "x"}) -> (tensor<1x2x2x2x2xf32> {onnx.name = "mp"}) {
  %y = onnx.MaxPool(%x) <{kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>, output_names = ["mp"]}> : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32>
  func.return %y : tensor<1x2x2x2x2xf32>
}
// CHECK-LABEL: func.func @main(%x: memref<1x2x4x4x4xf32> {onnx.name = "x"})
// CHECK:         kernel.pool ins(%{{.*}} : memref<1x4x4x8xf32>) outs(%y : memref<1x2x2x8xf32>) {onnx_names = ["mp"], kind = "max", count_include_pad = 0 : i64, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>
// CHECK:         kernel.pool ins(%{{.*}} : memref<1x4x4x2xf32>) outs(%y_1 : memref<1x2x4x2xf32>) {onnx_names = ["mp"], kind = "max", count_include_pad = 0 : i64, kernel = array<i64: 2, 1>, strides = array<i64: 2, 1>
// CHECK:         kernel.reshape ins(%{{.*}} : memref<1x2x2x4xf32>) outs(%{{.*}} : memref<1x2x2x2x2xf32>)

// -----

// A Clip bound given at run time (max with it) and a 1-D MatMul operand (a column).
func.func @main(%x: tensor<2x3xf32> {onnx.name = "x"}, %lo: tensor<f32> {onnx.name = "lo"}, %k: tensor<3xf32> {onnx.name = "k"}) -> (tensor<2x3xf32> {onnx.name = "c"}, tensor<2xf32> {onnx.name = "mm"}) {
  %c = onnx.Clip(%x, %lo) <{output_names = ["c"]}> : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %mm = onnx.MatMul(%x, %k) <{output_names = ["mm"]}> : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  func.return %c, %mm : tensor<2x3xf32>, tensor<2xf32>
}
// CHECK-LABEL: func.func @main(%x: memref<2x3xf32> {onnx.name = "x"}, %lo: memref<f32> {onnx.name = "lo"}, %k: memref<3xf32> {onnx.name = "k"})
// CHECK:         kernel.elementwise ins(%x, %{{.*}} : memref<2x3xf32>, memref<1x1xf32>) outs(%{{.*}} : memref<2x3xf32>) {onnx_names = ["c"], kind = "max", params = array<f64>}
// CHECK:         kernel.reshape ins(%k : memref<3xf32>) outs(%[[K:.*]] : memref<3x1xf32>) {onnx_names = ["mm"]}
// CHECK:         kernel.matmul ins(%x, %[[K]] : memref<2x3xf32>, memref<3x1xf32>) outs(%[[MM:.*]] : memref<2x1xf32>)
// CHECK:         kernel.reshape ins(%[[MM]] : memref<2x1xf32>) outs(%{{.*}} : memref<2xf32>) {onnx_names = ["mm"]}

// -----

// Conv weights and BatchNormalization parameters given at run time: the weights
// transposed to HWIO on the device; scale and shift computed by elementwise ops.
func.func @main(%x: tensor<1x2x3x3xf32> {onnx.name = "x"}, %w: tensor<4x2x1x1xf32> {onnx.name = "w"}, %v: tensor<4xf32> {onnx.name = "v"}) -> (tensor<1x4x3x3xf32> {onnx.name = "bn0"}) {
  %c = onnx.Conv(%x, %w) <{output_names = ["conv0"]}> : (tensor<1x2x3x3xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x3x3xf32>
  %n = onnx.BatchNormalization(%c, %v, %v, %v, %v) <{output_names = ["bn0"]}> : (tensor<1x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  func.return %n : tensor<1x4x3x3xf32>
}
// CHECK-LABEL: func.func @main(%x: memref<1x2x3x3xf32> {onnx.name = "x"}, %w: memref<4x2x1x1xf32> {onnx.name = "w"}, %v: memref<4xf32> {onnx.name = "v"})
// CHECK:         kernel.transpose ins(%{{.*}} : memref<4x1x1x2xf32>) outs(%[[W:.*]] : memref<1x1x2x4xf32>) {onnx_names = ["conv0"], perm = array<i64: 1, 2, 3, 0>}
// CHECK:         kernel.conv ins(%{{.*}}, %[[W]] : memref<1x3x3x2xf32>, memref<1x1x2x4xf32>) outs(%c : memref<1x3x3x4xf32>)
// CHECK:         kernel.elementwise ins(%v, %{{.*}} : memref<4xf32>, memref<1xf32>) outs(%{{.*}} : memref<4xf32>) {onnx_names = ["bn0"], kind = "add", params = array<f64>}
// CHECK:         kernel.elementwise ins(%{{.*}} : memref<4xf32>) outs(%[[SD:.*]] : memref<4xf32>) {onnx_names = ["bn0"], kind = "sqrt", params = array<f64>}
// CHECK:         kernel.elementwise ins(%v, %[[SD]] : memref<4xf32>, memref<4xf32>) outs(%[[SCALE:.*]] : memref<4xf32>) {onnx_names = ["bn0"], kind = "div", params = array<f64>}
// CHECK:         kernel.elementwise ins(%v, %{{.*}} : memref<4xf32>, memref<4xf32>) outs(%[[SHIFT:.*]] : memref<4xf32>) {onnx_names = ["bn0"], kind = "sub", params = array<f64>}
// CHECK:         kernel.scale_shift ins(%c, %[[SCALE]], %[[SHIFT]] : {{.*}}) outs(%n : memref<1x3x3x4xf32>)
