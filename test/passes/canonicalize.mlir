// RUN: aicc-opt %s -p canonicalize | filecheck %s
// RUN: aicc-opt %s -p canonicalize | aicc-opt -p canonicalize | filecheck %s

// Identity vanishes, except when its result is a graph output.
// CHECK-LABEL: func.func @identity
// CHECK-NOT:     ["a"]
// CHECK:         %b = onnx.Relu(%x) <{output_names = ["b"]}>
// CHECK-NEXT:    %c = onnx.Identity(%b) <{output_names = ["c"]}>
// CHECK-NEXT:    func.return %b, %c
func.func @identity(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %a = onnx.Identity(%x) <{output_names = ["a"]}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %b = onnx.Relu(%a) <{output_names = ["b"]}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = onnx.Identity(%b) <{output_names = ["c"]}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %b, %c : tensor<2x3xf32>, tensor<2x3xf32>
}

// Inference Dropout vanishes (ratio is irrelevant, an unused mask too); training
// Dropout and Dropout whose mask is used stay.
// CHECK-LABEL: func.func @dropout
// CHECK-NOT:     ["d0"]
// CHECK-NOT:     ["d1"]
// CHECK:         %r = onnx.Relu(%x)
// CHECK-NEXT:    %d2, %m2 = onnx.Dropout(%r, %ratio, %train)
// CHECK-NEXT:    %d3, %m3 = onnx.Dropout(%d2)
// CHECK-NEXT:    func.return %d3, %m3
func.func @dropout(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
  %ratio = onnx.Constant() <{value = dense<0.5> : tensor<f32>, output_names = ["ratio"]}> : () -> tensor<f32>
  %off = onnx.Constant() <{value = dense<false> : tensor<i1>, output_names = ["off"]}> : () -> tensor<i1>
  %train = onnx.Constant() <{value = dense<true> : tensor<i1>, output_names = ["train"]}> : () -> tensor<i1>
  %d0 = onnx.Dropout(%x, %ratio) <{output_names = ["d0"]}> : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %d1, %m1 = onnx.Dropout(%d0, %ratio, %off) <{output_names = ["d1", "m1"]}> : (tensor<4xf32>, tensor<f32>, tensor<i1>) -> (tensor<4xf32>, tensor<4xi1>)
  %r = onnx.Relu(%d1) <{output_names = ["r"]}> : (tensor<4xf32>) -> tensor<4xf32>
  %d2, %m2 = onnx.Dropout(%r, %ratio, %train) <{output_names = ["d2", "m2"]}> : (tensor<4xf32>, tensor<f32>, tensor<i1>) -> (tensor<4xf32>, tensor<4xi1>)
  %d3, %m3 = onnx.Dropout(%d2) <{output_names = ["d3", "m3"]}> : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>)
  func.return %d3, %m3 : tensor<4xf32>, tensor<4xi1>
}

// Shape of a static tensor is a constant; start/end are honored.
// CHECK-LABEL: func.func @shape
// CHECK-NEXT:    %s = onnx.Constant() <{value = dense<[2, 3, 4, 5]> : tensor<4xi64>, output_names = ["s"]}>
// CHECK-NEXT:    %t = onnx.Constant() <{value = dense<[3, 4]> : tensor<2xi64>, node_name = "shape_t", output_names = ["t"]}>
// CHECK-NEXT:    func.return %s, %t
func.func @shape(%x: tensor<2x3x4x5xf32>) -> (tensor<4xi64>, tensor<2xi64>) {
  %s = onnx.Shape(%x) <{output_names = ["s"]}> : (tensor<2x3x4x5xf32>) -> tensor<4xi64>
  %t = onnx.Shape(%x) <{start = 1 : i64, end = -1 : i64, node_name = "shape_t", output_names = ["t"]}> : (tensor<2x3x4x5xf32>) -> tensor<2xi64>
  func.return %s, %t : tensor<4xi64>, tensor<2xi64>
}

// ConstantOfShape becomes a splat constant that keeps its names, never materialized.
// CHECK-LABEL: func.func @constant_of_shape
// CHECK-NOT:     onnx.ConstantOfShape
// CHECK:         %w = onnx.Constant() <{value = #aicc.splat<2.500000e-01 : f32>, node_name = "cos_w", output_names = ["w"]}> : () -> tensor<1000x1000x64xf32>
// CHECK-NEXT:    %z = onnx.Constant() <{value = #aicc.splat<0.000000e+00 : f32>, output_names = ["z"]}> : () -> tensor<3xf32>
// CHECK-NEXT:    %n = onnx.Constant() <{value = #aicc.splat<7 : i64>, output_names = ["n"]}> : () -> tensor<2x2xi64>
// CHECK-NOT:     dialect_resources
func.func @constant_of_shape() -> (tensor<1000x1000x64xf32>, tensor<3xf32>, tensor<2x2xi64>) {
  %ws = onnx.Constant() <{value = dense<[1000, 1000, 64]> : tensor<3xi64>, output_names = ["ws"]}> : () -> tensor<3xi64>
  %w = onnx.ConstantOfShape(%ws) <{value = dense<0.25> : tensor<1xf32>, node_name = "cos_w", output_names = ["w"]}> : (tensor<3xi64>) -> tensor<1000x1000x64xf32>
  %zs = onnx.Constant() <{value = dense<3> : tensor<1xi64>, output_names = ["zs"]}> : () -> tensor<1xi64>
  %z = onnx.ConstantOfShape(%zs) <{output_names = ["z"]}> : (tensor<1xi64>) -> tensor<3xf32>
  %ns = onnx.Constant() <{value = dense<2> : tensor<2xi64>, output_names = ["ns"]}> : () -> tensor<2xi64>
  %n = onnx.ConstantOfShape(%ns) <{value = dense<7> : tensor<1xi64>, output_names = ["n"]}> : (tensor<2xi64>) -> tensor<2x2xi64>
  func.return %w, %z, %n : tensor<1000x1000x64xf32>, tensor<3xf32>, tensor<2x2xi64>
}

// A Reshape to the input's own shape is its input; Reshape of Reshape is one Reshape.
// CHECK-LABEL: func.func @reshapes
// CHECK-NEXT:    %s2 = onnx.Constant() <{value = dense<[6, 4]> : tensor<2xi64>, output_names = ["s2"]}>
// CHECK-NEXT:    %r2 = onnx.Reshape(%x, %s2) <{output_names = ["r2"]}> : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
// CHECK-NEXT:    %y = onnx.Relu(%x)
// CHECK-NEXT:    func.return %r2, %y
func.func @reshapes(%x: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<2x3x4xf32>) {
  %s1 = onnx.Constant() <{value = dense<[2, 12]> : tensor<2xi64>, output_names = ["s1"]}> : () -> tensor<2xi64>
  %r1 = onnx.Reshape(%x, %s1) <{output_names = ["r1"]}> : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  %s2 = onnx.Constant() <{value = dense<[6, 4]> : tensor<2xi64>, output_names = ["s2"]}> : () -> tensor<2xi64>
  %r2 = onnx.Reshape(%r1, %s2) <{output_names = ["r2"]}> : (tensor<2x12xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %s3 = onnx.Constant() <{value = dense<[0, 3, -1]> : tensor<3xi64>, output_names = ["s3"]}> : () -> tensor<3xi64>
  %same = onnx.Reshape(%x, %s3) <{output_names = ["same"]}> : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  %y = onnx.Relu(%same) <{output_names = ["y"]}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  func.return %r2, %y : tensor<6x4xf32>, tensor<2x3x4xf32>
}

// A 0 in the outer shape refers to the inner Reshape's dims: no merge then.
// CHECK-LABEL: func.func @reshape_zero
// CHECK:         %r1 = onnx.Reshape(%x, %s1)
// CHECK:         %r2 = onnx.Reshape(%r1, %s2)
func.func @reshape_zero(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %s1 = onnx.Constant() <{value = dense<[6, 2, 2]> : tensor<3xi64>, output_names = ["s1"]}> : () -> tensor<3xi64>
  %r1 = onnx.Reshape(%x, %s1) <{output_names = ["r1"]}> : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<6x2x2xf32>
  %s2 = onnx.Constant() <{value = dense<[0, -1]> : tensor<2xi64>, output_names = ["s2"]}> : () -> tensor<2xi64>
  %r2 = onnx.Reshape(%r1, %s2) <{output_names = ["r2"]}> : (tensor<6x2x2xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  func.return %r2 : tensor<6x4xf32>
}

// Identity Transpose and Squeeze-of-Unsqueeze are their input; a real Transpose stays.
// CHECK-LABEL: func.func @views
// CHECK-NEXT:    %y = onnx.Relu(%x)
// CHECK-NEXT:    %t = onnx.Transpose(%y) <{perm = array<i64: 1, 0>, output_names = ["t"]}>
// CHECK-NEXT:    func.return %t
func.func @views(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %i = onnx.Transpose(%x) <{perm = array<i64: 0, 1>, output_names = ["i"]}> : (tensor<3x3xf32>) -> tensor<3x3xf32>
  %ax = onnx.Constant() <{value = dense<1> : tensor<1xi64>, output_names = ["ax"]}> : () -> tensor<1xi64>
  %u = onnx.Unsqueeze(%i, %ax) <{output_names = ["u"]}> : (tensor<3x3xf32>, tensor<1xi64>) -> tensor<3x1x3xf32>
  %s = onnx.Squeeze(%u, %ax) <{output_names = ["s"]}> : (tensor<3x1x3xf32>, tensor<1xi64>) -> tensor<3x3xf32>
  %y = onnx.Relu(%s) <{output_names = ["y"]}> : (tensor<3x3xf32>) -> tensor<3x3xf32>
  %t = onnx.Transpose(%y) <{perm = array<i64: 1, 0>, output_names = ["t"]}> : (tensor<3x3xf32>) -> tensor<3x3xf32>
  func.return %t : tensor<3x3xf32>
}

// A view of a splat weight is a splat of the new shape.
// CHECK-LABEL: func.func @splat_view
// CHECK-NEXT:    %v = onnx.Constant() <{value = #aicc.splat<1.000000e+00 : f32>, output_names = ["v"]}> : () -> tensor<64x9xf32>
// CHECK-NEXT:    func.return %v
func.func @splat_view() -> tensor<64x9xf32> {
  %w = onnx.Constant() <{value = #aicc.splat<1.0 : f32>, output_names = ["w"]}> : () -> tensor<64x1x3x3xf32>
  %s = onnx.Constant() <{value = dense<[64, 9]> : tensor<2xi64>, output_names = ["s"]}> : () -> tensor<2xi64>
  %v = onnx.Reshape(%w, %s) <{output_names = ["v"]}> : (tensor<64x1x3x3xf32>, tensor<2xi64>) -> tensor<64x9xf32>
  func.return %v : tensor<64x9xf32>
}
