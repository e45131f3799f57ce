// RUN: aicc-opt %s -p constant-fold-reference | filecheck %s
// RUN: aicc-opt %s -p constant-fold-reference | aicc-opt -p constant-fold-reference | filecheck %s
// RUN: aicc-opt %s -p canonicalize | filecheck %s --check-prefix=CANON

// The PyTorch flatten idiom: Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
// The shape operand folds to one constant named after the Concat; canonicalize
// alone folds the Shape but evaluates nothing.
// CHECK-LABEL: func.func @flatten_idiom
// CHECK-NEXT:    %c = onnx.Constant() <{value = dense<[2, -1]> : tensor<2xi64>, node_name = "concat", output_names = ["c"]}>
// CHECK-NEXT:    %r = onnx.Reshape(%x, %c) <{output_names = ["r"]}> : (tensor<2x3x4x5xf32>, tensor<2xi64>) -> tensor<2x60xf32>
// CHECK-NEXT:    func.return %r
// CANON-LABEL: func.func @flatten_idiom
// CANON:         %s = onnx.Constant() <{value = dense<[2, 3, 4, 5]> : tensor<4xi64>, output_names = ["s"]}>
// CANON:         %g = onnx.Gather(%s, %i)
// CANON:         %u = onnx.Unsqueeze(%g, %ax)
// CANON:         %c = onnx.Concat(%u, %m)
// CANON:         %r = onnx.Reshape(%x, %c)
func.func @flatten_idiom(%x: tensor<2x3x4x5xf32>) -> tensor<2x60xf32> {
  %s = onnx.Shape(%x) <{output_names = ["s"]}> : (tensor<2x3x4x5xf32>) -> tensor<4xi64>
  %i = onnx.Constant() <{value = dense<0> : tensor<i64>, output_names = ["i"]}> : () -> tensor<i64>
  %g = onnx.Gather(%s, %i) <{output_names = ["g"]}> : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %ax = onnx.Constant() <{value = dense<0> : tensor<1xi64>, output_names = ["ax"]}> : () -> tensor<1xi64>
  %u = onnx.Unsqueeze(%g, %ax) <{output_names = ["u"]}> : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %m = onnx.Constant() <{value = dense<-1> : tensor<1xi64>, output_names = ["m"]}> : () -> tensor<1xi64>
  %c = onnx.Concat(%u, %m) <{axis = 0 : i64, node_name = "concat", output_names = ["c"]}> : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %r = onnx.Reshape(%x, %c) <{output_names = ["r"]}> : (tensor<2x3x4x5xf32>, tensor<2xi64>) -> tensor<2x60xf32>
  func.return %r : tensor<2x60xf32>
}

// Shape arithmetic on constant int64 tensors folds (Slice, Add, Mul, Div, Sub, Cast).
// CHECK-LABEL: func.func @shape_arithmetic
// CHECK-NEXT:    %q = onnx.Constant() <{value = dense<[2, 3]> : tensor<2xi32>, output_names = ["q"]}>
// CHECK-NEXT:    func.return %q
// CANON-LABEL: func.func @shape_arithmetic
// CANON:         %hw = onnx.Slice(%s, %b, %e)
// CANON:         %q = onnx.Cast(%h)
func.func @shape_arithmetic(%x: tensor<4x6x8xf32>) -> tensor<2xi32> {
  %s = onnx.Shape(%x) <{output_names = ["s"]}> : (tensor<4x6x8xf32>) -> tensor<3xi64>
  %b = onnx.Constant() <{value = dense<0> : tensor<1xi64>, output_names = ["b"]}> : () -> tensor<1xi64>
  %e = onnx.Constant() <{value = dense<2> : tensor<1xi64>, output_names = ["e"]}> : () -> tensor<1xi64>
  %hw = onnx.Slice(%s, %b, %e) <{output_names = ["hw"]}> : (tensor<3xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %two = onnx.Constant() <{value = dense<2> : tensor<i64>, output_names = ["two"]}> : () -> tensor<i64>
  %p = onnx.Add(%hw, %hw) <{output_names = ["p"]}> : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %t = onnx.Mul(%p, %two) <{output_names = ["t"]}> : (tensor<2xi64>, tensor<i64>) -> tensor<2xi64>
  %d = onnx.Div(%t, %two) <{output_names = ["d"]}> : (tensor<2xi64>, tensor<i64>) -> tensor<2xi64>
  %k = onnx.Sub(%d, %hw) <{output_names = ["k"]}> : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %h = onnx.Div(%k, %two) <{output_names = ["h"]}> : (tensor<2xi64>, tensor<i64>) -> tensor<2xi64>
  %q = onnx.Cast(%h) <{to = 6 : i64, output_names = ["q"]}> : (tensor<2xi64>) -> tensor<2xi32>
  func.return %q : tensor<2xi32>
}

// Every result of an evaluated op becomes a constant with its own output name.
// CHECK-LABEL: func.func @split
// CHECK-NEXT:    %lo = onnx.Constant() <{value = dense<[1, 2]> : tensor<2xi64>, node_name = "halves", output_names = ["lo"]}>
// CHECK-NEXT:    %hi = onnx.Constant() <{value = dense<[3, 4]> : tensor<2xi64>, node_name = "halves", output_names = ["hi"]}>
// CHECK-NEXT:    func.return %lo, %hi
// CANON-LABEL: func.func @split
// CANON:         %lo, %hi = onnx.Split(%v)
func.func @split() -> (tensor<2xi64>, tensor<2xi64>) {
  %v = onnx.Constant() <{value = dense<[1, 2, 3, 4]> : tensor<4xi64>, output_names = ["v"]}> : () -> tensor<4xi64>
  %lo, %hi = onnx.Split(%v) <{num_outputs = 2 : i64, node_name = "halves", output_names = ["lo", "hi"]}> : (tensor<4xi64>) -> (tensor<2xi64>, tensor<2xi64>)
  func.return %lo, %hi : tensor<2xi64>, tensor<2xi64>
}

// Forwarding ops are never evaluated: an Identity or Dropout whose result is a
// graph output keeps its name by staying, and a training Dropout has no value
// at compile time.
// CHECK-LABEL: func.func @forwarding
// CHECK:         %i = onnx.Identity(%k)
// CHECK-NEXT:    %d, %dm = onnx.Dropout(%k, %ratio, %train)
// CHECK-NEXT:    func.return %i, %d
func.func @forwarding() -> (tensor<4xf32>, tensor<4xf32>) {
  %k = onnx.Constant() <{value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>, output_names = ["k"]}> : () -> tensor<4xf32>
  %ratio = onnx.Constant() <{value = dense<0.5> : tensor<f32>, output_names = ["ratio"]}> : () -> tensor<f32>
  %train = onnx.Constant() <{value = dense<true> : tensor<i1>, output_names = ["train"]}> : () -> tensor<i1>
  %i = onnx.Identity(%k) <{output_names = ["i"]}> : (tensor<4xf32>) -> tensor<4xf32>
  %d, %dm = onnx.Dropout(%k, %ratio, %train) <{output_names = ["d", "dm"]}> : (tensor<4xf32>, tensor<f32>, tensor<i1>) -> (tensor<4xf32>, tensor<4xi1>)
  func.return %i, %d : tensor<4xf32>, tensor<4xf32>
}

// Large results and large inputs are never evaluated: weights stay blobs.
// CHECK-LABEL: func.func @limits
// CHECK:         %n = onnx.Neg(%big)
// CHECK:         %sum = onnx.ReduceSum(%huge)
// CHECK-NEXT:    func.return %n, %sum
func.func @limits() -> (tensor<2048xf32>, tensor<1xf32>) {
  %big = onnx.Constant() <{value = #aicc.dense_resource<big>, output_names = ["big"]}> : () -> tensor<2048xf32>
  %n = onnx.Neg(%big) <{output_names = ["n"]}> : (tensor<2048xf32>) -> tensor<2048xf32>
  %huge = onnx.Constant() <{value = #aicc.splat<1.0 : f32>, output_names = ["huge"]}> : () -> tensor<65537xf32>
  %sum = onnx.ReduceSum(%huge) <{output_names = ["sum"]}> : (tensor<65537xf32>) -> tensor<1xf32>
  func.return %n, %sum : tensor<2048xf32>, tensor<1xf32>
}
