// Round trip of every op of the onnx dialect: non-default attributes, absent
// middle optional operands (`none`), multi-result ops and the three constant forms.
// Absent trailing optional operands are dropped when printed.
// RUN: aicc-opt %s | filecheck %s
// RUN: aicc-opt %s | aicc-opt | filecheck %s

func.func @main(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>, %m: tensor<2x3xf32>, %n: tensor<3x5xf32>, %i: tensor<2xi64>, %c: tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %w_d = onnx.Constant() <{value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>, output_names = ["w_d"]}> : () -> tensor<4xf32>
  %w_s = onnx.Constant() <{value = #aicc.splat<5.000000e-01 : f32>, output_names = ["w_s"]}> : () -> tensor<8xf32>
  %w_r = onnx.Constant() <{value = #aicc.dense_resource<blob0>, output_names = ["w_r"]}> : () -> tensor<4xf32>
  %lo = onnx.Constant() <{value = dense<0.0> : tensor<f32>, output_names = ["lo"]}> : () -> tensor<f32>
  %shape = onnx.Constant() <{value = dense<[1, 256]> : tensor<2xi64>, output_names = ["shape"]}> : () -> tensor<2xi64>
  %abs = onnx.Abs(%x) <{output_names = ["abs"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %add = onnx.Add(%x, %c) <{node_name = "add_node", output_names = ["add"]}> : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %avg = onnx.AveragePool(%x) <{ceil_mode = 1 : i64, count_include_pad = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, output_names = ["avg"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x5x5xf32>
  %bn = onnx.BatchNormalization(%x, %b, %b, %b, %b) <{epsilon = 1.000000e-03 : f32, output_names = ["bn"]}> : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %cast = onnx.Cast(%x) <{to = 10 : i64, output_names = ["cast"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf16>
  %clip = onnx.Clip(%x, none, %lo) <{output_names = ["clip"]}> : (tensor<1x4x8x8xf32>, none, tensor<f32>) -> tensor<1x4x8x8xf32>
  %concat = onnx.Concat(%x, %x) <{axis = 1 : i64, output_names = ["concat"]}> : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32>
  %cos = onnx.ConstantOfShape(%i) <{value = #aicc.splat<7 : i32>, output_names = ["cos"]}> : (tensor<2xi64>) -> tensor<3x2xi32>
  %conv = onnx.Conv(%x, %w, none) <{group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, output_names = ["conv"]}> : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>, none) -> tensor<1x4x8x8xf32>
  %convt = onnx.ConvTranspose(%x, %w, %w_d) <{strides = array<i64: 2, 2>, group = 2 : i64, output_names = ["convt"]}> : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x17x17xf32>
  %div = onnx.Div(%x, %w_s) <{output_names = ["div"]}> : (tensor<1x4x8x8xf32>, tensor<8xf32>) -> tensor<1x4x8x8xf32>
  %drop, %mask = onnx.Dropout(%x) <{seed = 3 : i64, output_names = ["drop", "mask"]}> : (tensor<1x4x8x8xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xi1>)
  %elu = onnx.Elu(%x) <{alpha = 5.000000e-01 : f32, output_names = ["elu"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %exp = onnx.Exp(%x) <{output_names = ["exp"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %flat = onnx.Flatten(%x) <{axis = 2 : i64, output_names = ["flat"]}> : (tensor<1x4x8x8xf32>) -> tensor<4x64xf32>
  %gather = onnx.Gather(%x, %i) <{axis = 1 : i64, output_names = ["gather"]}> : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x2x8x8xf32>
  %gemm = onnx.Gemm(%m, %m, none) <{alpha = 2.000000e+00 : f32, transB = 1 : i64, output_names = ["gemm"]}> : (tensor<2x3xf32>, tensor<2x3xf32>, none) -> tensor<2x2xf32>
  %gap = onnx.GlobalAveragePool(%x) <{output_names = ["gap"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  %gmp = onnx.GlobalMaxPool(%x) <{output_names = ["gmp"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  %hsig = onnx.HardSigmoid(%x) <{alpha = 1.000000e-01 : f32, output_names = ["hsig"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %hswish = onnx.HardSwish(%x) <{output_names = ["hswish"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %id = onnx.Identity(%x) <{output_names = ["id"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %lrn = onnx.LRN(%x) <{size = 3 : i64, bias = 2.000000e+00 : f32, output_names = ["lrn"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %leaky = onnx.LeakyRelu(%x) <{alpha = 2.000000e-01 : f32, output_names = ["leaky"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %log = onnx.Log(%x) <{output_names = ["log"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %lsm = onnx.LogSoftmax(%x) <{axis = 1 : i64, output_names = ["lsm"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %mm = onnx.MatMul(%m, %n) <{output_names = ["mm"]}> : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  %max = onnx.Max(%x, %c, %lo) <{output_names = ["max"]}> : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
  %mp, %mpi = onnx.MaxPool(%x) <{kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, output_names = ["mp", "mpi"]}> : (tensor<1x4x8x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xi64>)
  %min = onnx.Min(%x) <{output_names = ["min"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %mul = onnx.Mul(%x, %x) <{output_names = ["mul"]}> : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %neg = onnx.Neg(%x) <{output_names = ["neg"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %prelu = onnx.PRelu(%x, %lo) <{output_names = ["prelu"]}> : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
  %pads = onnx.Constant() <{value = dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>, output_names = ["pads"]}> : () -> tensor<8xi64>
  %pad = onnx.Pad(%x, %pads, none, none) <{mode = "reflect", output_names = ["pad"]}> : (tensor<1x4x8x8xf32>, tensor<8xi64>, none, none) -> tensor<1x4x10x10xf32>
  %pow = onnx.Pow(%x, %lo) <{output_names = ["pow"]}> : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
  %recip = onnx.Reciprocal(%x) <{output_names = ["recip"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %axes = onnx.Constant() <{value = dense<[2, 3]> : tensor<2xi64>, output_names = ["axes"]}> : () -> tensor<2xi64>
  %rmax = onnx.ReduceMax(%x, %axes) <{keepdims = 0 : i64, output_names = ["rmax"]}> : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x4xf32>
  %rmean = onnx.ReduceMean(%x, %axes) <{output_names = ["rmean"]}> : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x4x1x1xf32>
  %rsum = onnx.ReduceSum(%x) <{noop_with_empty_axes = 1 : i64, output_names = ["rsum"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %relu = onnx.Relu(%x) <{output_names = ["relu"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %reshape = onnx.Reshape(%x, %shape) <{output_names = ["reshape"]}> : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x256xf32>
  %scales = onnx.Constant() <{value = dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>, output_names = ["scales"]}> : () -> tensor<4xf32>
  %resize = onnx.Resize(%x, none, %scales) <{mode = "linear", coordinate_transformation_mode = "asymmetric", output_names = ["resize"]}> : (tensor<1x4x8x8xf32>, none, tensor<4xf32>) -> tensor<1x4x16x16xf32>
  %selu = onnx.Selu(%x) <{gamma = 1.000000e+00 : f32, output_names = ["selu"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %shp = onnx.Shape(%x) <{start = 1 : i64, end = -1 : i64, output_names = ["shp"]}> : (tensor<1x4x8x8xf32>) -> tensor<2xi64>
  %sig = onnx.Sigmoid(%x) <{output_names = ["sig"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %slice = onnx.Slice(%x, %i, %i, none, %i) <{output_names = ["slice"]}> : (tensor<1x4x8x8xf32>, tensor<2xi64>, tensor<2xi64>, none, tensor<2xi64>) -> tensor<1x4x1x1xf32>
  %sm = onnx.Softmax(%x) <{axis = 1 : i64, output_names = ["sm"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %splus = onnx.Softplus(%x) <{output_names = ["splus"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %ssign = onnx.Softsign(%x) <{output_names = ["ssign"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %s0, %s1, %s2 = onnx.Split(%x) <{axis = 1 : i64, num_outputs = 3 : i64, output_names = ["s0", "s1", "s2"]}> : (tensor<1x4x8x8xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32>)
  %sqrt = onnx.Sqrt(%x) <{output_names = ["sqrt"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %sq = onnx.Squeeze(%gap) <{output_names = ["sq"]}> : (tensor<1x4x1x1xf32>) -> tensor<4xf32>
  %sub = onnx.Sub(%x, %x) <{output_names = ["sub"]}> : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %sum = onnx.Sum(%x, %x, %x) <{output_names = ["sum"]}> : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %tanh = onnx.Tanh(%x) <{output_names = ["tanh"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %tr = onnx.Transpose(%x) <{perm = array<i64: 0, 2, 3, 1>, output_names = ["tr"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x8x8x4xf32>
  %unsq = onnx.Unsqueeze(%b, %axes) <{output_names = ["unsq"]}> : (tensor<4xf32>, tensor<2xi64>) -> tensor<4x1x1xf32>
  func.return %relu : tensor<1x4x8x8xf32>
}

{-#
  dialect_resources: {
    aicc: {
      blob0: "0x100000000000803F000000400000404000008040"
    }
  }
#-}

// CHECK: builtin.module {
// CHECK-NEXT: func.func @main(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>, %m: tensor<2x3xf32>, %n: tensor<3x5xf32>, %i: tensor<2xi64>, %c: tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32> {
// CHECK-NEXT: %w_d = onnx.Constant() <{value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>, output_names = ["w_d"]}> : () -> tensor<4xf32>
// CHECK-NEXT: %w_s = onnx.Constant() <{value = #aicc.splat<5.000000e-01 : f32>, output_names = ["w_s"]}> : () -> tensor<8xf32>
// CHECK-NEXT: %w_r = onnx.Constant() <{value = #aicc.dense_resource<blob0>, output_names = ["w_r"]}> : () -> tensor<4xf32>
// CHECK-NEXT: %lo = onnx.Constant() <{value = dense<0.000000e+00> : tensor<f32>, output_names = ["lo"]}> : () -> tensor<f32>
// CHECK-NEXT: %shape = onnx.Constant() <{value = dense<[1, 256]> : tensor<2xi64>, output_names = ["shape"]}> : () -> tensor<2xi64>
// CHECK-NEXT: %abs = onnx.Abs(%x) <{output_names = ["abs"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %add = onnx.Add(%x, %c) <{node_name = "add_node", output_names = ["add"]}> : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %avg = onnx.AveragePool(%x) <{ceil_mode = 1 : i64, count_include_pad = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, output_names = ["avg"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x5x5xf32>
// CHECK-NEXT: %bn = onnx.BatchNormalization(%x, %b, %b, %b, %b) <{epsilon = 1.000000e-03 : f32, output_names = ["bn"]}> : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %cast = onnx.Cast(%x) <{to = 10 : i64, output_names = ["cast"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf16>
// CHECK-NEXT: %clip = onnx.Clip(%x, none, %lo) <{output_names = ["clip"]}> : (tensor<1x4x8x8xf32>, none, tensor<f32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %concat = onnx.Concat(%x, %x) <{axis = 1 : i64, output_names = ["concat"]}> : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32>
// CHECK-NEXT: %cos = onnx.ConstantOfShape(%i) <{value = #aicc.splat<7 : i32>, output_names = ["cos"]}> : (tensor<2xi64>) -> tensor<3x2xi32>
// CHECK-NEXT: %conv = onnx.Conv(%x, %w) <{group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, output_names = ["conv"]}> : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %convt = onnx.ConvTranspose(%x, %w, %w_d) <{strides = array<i64: 2, 2>, group = 2 : i64, output_names = ["convt"]}> : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x17x17xf32>
// CHECK-NEXT: %div = onnx.Div(%x, %w_s) <{output_names = ["div"]}> : (tensor<1x4x8x8xf32>, tensor<8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %drop, %mask = onnx.Dropout(%x) <{seed = 3 : i64, output_names = ["drop", "mask"]}> : (tensor<1x4x8x8xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xi1>)
// CHECK-NEXT: %elu = onnx.Elu(%x) <{alpha = 5.000000e-01 : f32, output_names = ["elu"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %exp = onnx.Exp(%x) <{output_names = ["exp"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %flat = onnx.Flatten(%x) <{axis = 2 : i64, output_names = ["flat"]}> : (tensor<1x4x8x8xf32>) -> tensor<4x64xf32>
// CHECK-NEXT: %gather = onnx.Gather(%x, %i) <{axis = 1 : i64, output_names = ["gather"]}> : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x2x8x8xf32>
// CHECK-NEXT: %gemm = onnx.Gemm(%m, %m) <{alpha = 2.000000e+00 : f32, transB = 1 : i64, output_names = ["gemm"]}> : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
// CHECK-NEXT: %gap = onnx.GlobalAveragePool(%x) <{output_names = ["gap"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
// CHECK-NEXT: %gmp = onnx.GlobalMaxPool(%x) <{output_names = ["gmp"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
// CHECK-NEXT: %hsig = onnx.HardSigmoid(%x) <{alpha = 1.000000e-01 : f32, output_names = ["hsig"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %hswish = onnx.HardSwish(%x) <{output_names = ["hswish"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %id = onnx.Identity(%x) <{output_names = ["id"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %lrn = onnx.LRN(%x) <{size = 3 : i64, bias = 2.000000e+00 : f32, output_names = ["lrn"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %leaky = onnx.LeakyRelu(%x) <{alpha = 2.000000e-01 : f32, output_names = ["leaky"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %log = onnx.Log(%x) <{output_names = ["log"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %lsm = onnx.LogSoftmax(%x) <{axis = 1 : i64, output_names = ["lsm"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %mm = onnx.MatMul(%m, %n) <{output_names = ["mm"]}> : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
// CHECK-NEXT: %max = onnx.Max(%x, %c, %lo) <{output_names = ["max"]}> : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %mp, %mpi = onnx.MaxPool(%x) <{kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, output_names = ["mp", "mpi"]}> : (tensor<1x4x8x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xi64>)
// CHECK-NEXT: %min = onnx.Min(%x) <{output_names = ["min"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %mul = onnx.Mul(%x, %x) <{output_names = ["mul"]}> : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %neg = onnx.Neg(%x) <{output_names = ["neg"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %prelu = onnx.PRelu(%x, %lo) <{output_names = ["prelu"]}> : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %pads = onnx.Constant() <{value = dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>, output_names = ["pads"]}> : () -> tensor<8xi64>
// CHECK-NEXT: %pad = onnx.Pad(%x, %pads) <{mode = "reflect", output_names = ["pad"]}> : (tensor<1x4x8x8xf32>, tensor<8xi64>) -> tensor<1x4x10x10xf32>
// CHECK-NEXT: %pow = onnx.Pow(%x, %lo) <{output_names = ["pow"]}> : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %recip = onnx.Reciprocal(%x) <{output_names = ["recip"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %axes = onnx.Constant() <{value = dense<[2, 3]> : tensor<2xi64>, output_names = ["axes"]}> : () -> tensor<2xi64>
// CHECK-NEXT: %rmax = onnx.ReduceMax(%x, %axes) <{keepdims = 0 : i64, output_names = ["rmax"]}> : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x4xf32>
// CHECK-NEXT: %rmean = onnx.ReduceMean(%x, %axes) <{output_names = ["rmean"]}> : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x4x1x1xf32>
// CHECK-NEXT: %rsum = onnx.ReduceSum(%x) <{noop_with_empty_axes = 1 : i64, output_names = ["rsum"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %relu = onnx.Relu(%x) <{output_names = ["relu"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %reshape = onnx.Reshape(%x, %shape) <{output_names = ["reshape"]}> : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x256xf32>
// CHECK-NEXT: %scales = onnx.Constant() <{value = dense<[1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00]> : tensor<4xf32>, output_names = ["scales"]}> : () -> tensor<4xf32>
// CHECK-NEXT: %resize = onnx.Resize(%x, none, %scales) <{mode = "linear", coordinate_transformation_mode = "asymmetric", output_names = ["resize"]}> : (tensor<1x4x8x8xf32>, none, tensor<4xf32>) -> tensor<1x4x16x16xf32>
// CHECK-NEXT: %selu = onnx.Selu(%x) <{gamma = 1.000000e+00 : f32, output_names = ["selu"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %shp = onnx.Shape(%x) <{start = 1 : i64, end = -1 : i64, output_names = ["shp"]}> : (tensor<1x4x8x8xf32>) -> tensor<2xi64>
// CHECK-NEXT: %sig = onnx.Sigmoid(%x) <{output_names = ["sig"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %slice = onnx.Slice(%x, %i, %i, none, %i) <{output_names = ["slice"]}> : (tensor<1x4x8x8xf32>, tensor<2xi64>, tensor<2xi64>, none, tensor<2xi64>) -> tensor<1x4x1x1xf32>
// CHECK-NEXT: %sm = onnx.Softmax(%x) <{axis = 1 : i64, output_names = ["sm"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %splus = onnx.Softplus(%x) <{output_names = ["splus"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %ssign = onnx.Softsign(%x) <{output_names = ["ssign"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %s0, %s1, %s2 = onnx.Split(%x) <{axis = 1 : i64, num_outputs = 3 : i64, output_names = ["s0", "s1", "s2"]}> : (tensor<1x4x8x8xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32>)
// CHECK-NEXT: %sqrt = onnx.Sqrt(%x) <{output_names = ["sqrt"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %sq = onnx.Squeeze(%gap) <{output_names = ["sq"]}> : (tensor<1x4x1x1xf32>) -> tensor<4xf32>
// CHECK-NEXT: %sub = onnx.Sub(%x, %x) <{output_names = ["sub"]}> : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %sum = onnx.Sum(%x, %x, %x) <{output_names = ["sum"]}> : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %tanh = onnx.Tanh(%x) <{output_names = ["tanh"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %tr = onnx.Transpose(%x) <{perm = array<i64: 0, 2, 3, 1>, output_names = ["tr"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x8x8x4xf32>
// CHECK-NEXT: %unsq = onnx.Unsqueeze(%b, %axes) <{output_names = ["unsq"]}> : (tensor<4xf32>, tensor<2xi64>) -> tensor<4x1x1xf32>
// CHECK-NEXT: func.return %relu : tensor<1x4x8x8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK:      {-#
// CHECK-NEXT: dialect_resources: {
// CHECK-NEXT: aicc: {
// CHECK-NEXT: blob0: "0x100000000000803F000000400000404000008040"
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: #-}

