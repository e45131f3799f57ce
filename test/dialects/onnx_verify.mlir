// One case per verifier error class; every op must be rejected with its message,
// prefixed by the op kind and its first output name.
// RUN: aicc-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @f(%x: tensor<1x4x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = onnx.Conv(%x, %w) <{output_names = ["y"]}> : (tensor<1x4x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: Conv 'y': W has rank 4, X has rank 3

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %y = onnx.Conv(%x, %w) <{output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: Conv 'y': W [4, 3, 3, 3] with group = 1 takes 3 input channels, X has 4

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  %y = onnx.Conv(%x, %w) <{group = 2 : i64, output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  func.return
}
// CHECK: Conv 'y': M = 3 output channels is not a multiple of group = 2

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %b: tensor<3xf32>) {
  %y = onnx.Conv(%x, %w, %b) <{output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: Conv 'y': B has shape [3], expected [4]

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = onnx.Conv(%x, %w) <{strides = array<i64: 1>, output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: Conv 'y': strides has 1 values, expected 2

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = onnx.Conv(%x, %w) <{pads = array<i64: 1, 1>, output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: Conv 'y': pads has 2 values, expected 4

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = onnx.Conv(%x, %w) <{auto_pad = "SAME", output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  func.return
}
// CHECK: Conv 'y': auto_pad 'SAME' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = onnx.Conv(%x, %w) <{auto_pad = "SAME_UPPER", pads = array<i64: 1, 1, 1, 1>, output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  func.return
}
// CHECK: Conv 'y': pads cannot be given with auto_pad = SAME_UPPER

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = onnx.Conv(%x, %w) <{dilations = array<i64: 0, 1>, output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: Conv 'y': dilations must be positive, got [0, 1]

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = onnx.Conv(%x, %w) <{output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  func.return
}
// CHECK: Conv 'y': the result has shape [1, 4, 8, 8], expected [1, 4, 6, 6]

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  %y = onnx.Conv(%x, %w) <{kernel_shape = array<i64: 2, 2>, output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}
// CHECK: Conv 'y': kernel_shape [2, 2] differs from W's [3, 3]

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %s: tensor<3xf32>) {
  %y = onnx.BatchNormalization(%x, %s, %s, %s, %s) <{output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x4x8x8xf32>
  func.return
}
// CHECK: BatchNormalization 'y': scale has shape [3], expected [4]

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %s: tensor<4xf32>) {
  %y = onnx.BatchNormalization(%x, %s, %s, %s, %s) <{training_mode = 2 : i64, output_names = ["y"]}> : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  func.return
}
// CHECK: BatchNormalization 'y': training_mode must be 0 or 1, got 2

// -----

func.func @f(%a: tensor<2x3x1xf32>, %b: tensor<3x4xf32>) {
  %y = onnx.Gemm(%a, %b) <{output_names = ["y"]}> : (tensor<2x3x1xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: Gemm 'y': A and B must have rank 2, got [2, 3, 1] and [3, 4]

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  %y = onnx.Gemm(%a, %b) <{transB = 1 : i64, output_names = ["y"]}> : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  func.return
}
// CHECK: Gemm 'y': K differs: 3 (A) and 4 (B) after transA/transB

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) {
  %y = onnx.Gemm(%a, %b, %c) <{output_names = ["y"]}> : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: Gemm 'y': C [3] does not broadcast to [2, 4]

// -----

func.func @f(%a: tensor<2x2x3xf32>, %b: tensor<3x3x4xf32>) {
  %y = onnx.MatMul(%a, %b) <{output_names = ["y"]}> : (tensor<2x2x3xf32>, tensor<3x3x4xf32>) -> tensor<2x2x4xf32>
  func.return
}
// CHECK: MatMul 'y': shapes [2], [3] do not broadcast

// -----

func.func @f(%x: tensor<1x4x8x8xf32>) {
  %y = onnx.MaxPool(%x) <{kernel_shape = array<i64: 2>, output_names = ["y"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  func.return
}
// CHECK: MaxPool 'y': kernel_shape has 1 values, expected 2

// -----

func.func @f(%x: tensor<1x4x8x8xf32>) {
  %y = onnx.AveragePool(%x) <{ceil_mode = 2 : i64, kernel_shape = array<i64: 2, 2>, output_names = ["y"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  func.return
}
// CHECK: AveragePool 'y': ceil_mode must be 0 or 1, got 2

// -----

func.func @f(%x: tensor<1x4x8x8xf32>) {
  %y = onnx.AveragePool(%x) <{ceil_mode = 1 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, output_names = ["y"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x3x3xf32>
  func.return
}
// CHECK: AveragePool 'y': the result has shape [1, 4, 3, 3], expected [1, 4, 4, 4]

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  %y = onnx.Add(%a, %b) <{output_names = ["y"]}> : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  func.return
}
// CHECK: Add 'y': shapes [2, 3], [4] do not broadcast

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xf16>) {
  %y = onnx.Mul(%a, %b) <{output_names = ["y"]}> : (tensor<2x3xf32>, tensor<3xf16>) -> tensor<2x3xf32>
  func.return
}
// CHECK: Mul 'y': inputs and result must have one element type, got f32, f16

// -----

func.func @f(%a: tensor<2x1xf32>, %b: tensor<3xf32>) {
  %y = onnx.Sub(%a, %b) <{output_names = ["y"]}> : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  func.return
}
// CHECK: Sub 'y': the result has shape [2, 1], expected [2, 3]

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  %y = onnx.Concat(%a, %b) <{axis = 2 : i64, output_names = ["y"]}> : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  func.return
}
// CHECK: Concat 'y': axis 2 is out of range for rank 2

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  %y = onnx.Concat(%a, %b) <{axis = 1 : i64, output_names = ["y"]}> : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  func.return
}
// CHECK: Concat 'y': input shapes [2, 3] and [3, 3] differ off axis 1

// -----

func.func @f(%a: tensor<2x4xf32>) {
  %y, %z = onnx.Split(%a) <{axis = 1 : i64, num_outputs = 3 : i64, output_names = ["y", "z"]}> : (tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>)
  func.return
}
// CHECK: Split 'y': num_outputs = 3 but the op has 2 results

// -----

func.func @f(%a: tensor<2x4xf32>) {
  %y, %z = onnx.Split(%a) <{axis = 1 : i64, output_names = ["y", "z"]}> : (tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x3xf32>)
  func.return
}
// CHECK: Split 'y': results sum to 5 along axis 1, input has 4

// -----

func.func @f(%a: tensor<2x4xf32>, %s: tensor<2xi64>) {
  %y = onnx.Reshape(%a, %s) <{output_names = ["y"]}> : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<3x3xf32>
  func.return
}
// CHECK: Reshape 'y': [2, 4] and [3, 3] have different element counts (8 vs 9)

// -----

func.func @f(%a: tensor<2x3x4xf32>) {
  %y = onnx.Flatten(%a) <{axis = 1 : i64, output_names = ["y"]}> : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  func.return
}
// CHECK: Flatten 'y': the result has shape [6, 4], expected [2, 12]

// -----

func.func @f(%a: tensor<2x3x4xf32>) {
  %y = onnx.Transpose(%a) <{perm = array<i64: 0, 0, 1>, output_names = ["y"]}> : (tensor<2x3x4xf32>) -> tensor<2x2x3xf32>
  func.return
}
// CHECK: Transpose 'y': perm [0, 0, 1] is not a permutation of the 3 axes

// -----

func.func @f(%a: tensor<2x1x4xf32>) {
  %y = onnx.Squeeze(%a) <{output_names = ["y"]}> : (tensor<2x1x4xf32>) -> tensor<2x1x4xf32>
  func.return
}
// CHECK: Squeeze 'y': squeezing every 1 of [2, 1, 4] does not give [2, 1, 4]

// -----

func.func @f(%a: tensor<2x4xf32>, %s: tensor<2xi64>) {
  %y = onnx.Unsqueeze(%a, %s) <{output_names = ["y"]}> : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x4x1xf32>
  func.return
}
// CHECK: Unsqueeze 'y': inserting 2 axes into rank 2 gives rank 4, not 3

// -----

func.func @f(%a: tensor<2x4xf32>) {
  %y = onnx.Softmax(%a) <{axis = 3 : i64, output_names = ["y"]}> : (tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: Softmax 'y': axis 3 is out of range for rank 2

// -----

func.func @f(%a: tensor<2x4xf32>, %s: tensor<3xf32>) {
  %y = onnx.Gather(%a, %s) <{output_names = ["y"]}> : (tensor<2x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  func.return
}
// CHECK: Gather 'y': indices must be i32 or i64, got f32

// -----

func.func @f(%a: tensor<2x4x5xf32>) {
  %y = onnx.Shape(%a) <{start = 1 : i64, output_names = ["y"]}> : (tensor<2x4x5xf32>) -> tensor<3xi64>
  func.return
}
// CHECK: Shape 'y': the result has shape [3], expected [2]

// -----

func.func @f(%a: tensor<2x4xf32>) {
  %y = onnx.Resize(%a) <{mode = "bilinear", output_names = ["y"]}> : (tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: Resize 'y': mode 'bilinear' is not one of nearest, linear, cubic

// -----

func.func @f(%a: tensor<2x4xf32>) {
  %y = onnx.Cast(%a) <{to = 8 : i64, output_names = ["y"]}> : (tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: Cast 'y': to = 8 is not a supported element type

// -----

func.func @f(%a: tensor<2x4xf32>) {
  %y = onnx.Cast(%a) <{to = 7 : i64, output_names = ["y"]}> : (tensor<2x4xf32>) -> tensor<2x4xi32>
  func.return
}
// CHECK: Cast 'y': result element type i32 does not match to = 7 (i64)

// -----

func.func @f(%a: tensor<2x4xf32>, %s: tensor<2xf32>) {
  %y = onnx.Clip(%a, %s) <{output_names = ["y"]}> : (tensor<2x4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  func.return
}
// CHECK: Clip 'y': min must be a scalar, got shape [2]

// -----

func.func @f(%a: tensor<2x4xf32>, %s: tensor<4xi64>) {
  %y = onnx.Pad(%a, %s) <{mode = "symmetric", output_names = ["y"]}> : (tensor<2x4xf32>, tensor<4xi64>) -> tensor<2x4xf32>
  func.return
}
// CHECK: Pad 'y': mode 'symmetric' is not one of constant, reflect, edge, wrap

// -----

func.func @f(%a: tensor<2x4xf32>, %s: tensor<3xi64>) {
  %y = onnx.Pad(%a, %s) <{output_names = ["y"]}> : (tensor<2x4xf32>, tensor<3xi64>) -> tensor<2x4xf32>
  func.return
}
// CHECK: Pad 'y': pads has 3 values, expected 4

// -----

func.func @f(%a: tensor<2x4xf32>) {
  %y = onnx.ReduceSum(%a) <{keepdims = 3 : i64, output_names = ["y"]}> : (tensor<2x4xf32>) -> tensor<1x1xf32>
  func.return
}
// CHECK: ReduceSum 'y': keepdims must be 0 or 1, got 3

// -----

func.func @f(%x: tensor<1x4x8x8xf32>) {
  %y = onnx.LRN(%x) <{size = 0 : i64, output_names = ["y"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  func.return
}
// CHECK: LRN 'y': size must be positive, got 0

// -----

func.func @f() {
  %y = onnx.Constant() <{value = dense<[1.0, 2.0]> : tensor<2xf32>, output_names = ["y"]}> : () -> tensor<3xf32>
  func.return
}
// CHECK: Constant 'y': value has shape [2], result has [3]

// -----

func.func @f() {
  %y = onnx.Constant() <{value = #aicc.splat<1 : i32>, output_names = ["y"]}> : () -> tensor<3xf32>
  func.return
}
// CHECK: Constant 'y': value has element type i32, result has f32

// -----

func.func @f(%a: tensor<2x4xf32>) {
  %y, %z = onnx.Dropout(%a) <{output_names = ["y", "m"]}> : (tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  func.return
}
// CHECK: Dropout 'y': mask must be i1, got f32

// -----

func.func @f(%a: tensor<2x4xf32>) {
  %y = onnx.Relu(%a) <{output_names = ["y"]}> : (tensor<2x4xf32>) -> tensor<2x5xf32>
  func.return
}
// CHECK: Relu 'y': the result has shape [2, 5], expected [2, 4]

// -----

func.func @f(%a: tensor<2x3xf32>) {
  %y = onnx.Transpose(%a) <{output_names = ["y"]}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}
// CHECK: Transpose 'y': the result has shape [2, 3], expected [3, 2]
