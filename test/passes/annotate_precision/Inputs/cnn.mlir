// conv0 -> bn0 -> relu0 -> conv1 -> relu1 -> Softmax prob: two instances of
// Conv and Relu, so the rules are seen to act on every instance or on one.
func.func @main(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %w0 = onnx.Constant() <{value = #aicc.splat<1.000000e-01 : f32>, output_names = ["w0"]}> : () -> tensor<4x3x3x3xf32>
  %w1 = onnx.Constant() <{value = #aicc.splat<2.000000e-01 : f32>, output_names = ["w1"]}> : () -> tensor<4x4x1x1xf32>
  %g = onnx.Constant() <{value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>, output_names = ["g"]}> : () -> tensor<4xf32>
  %z = onnx.Constant() <{value = #aicc.splat<0.000000e+00 : f32>, output_names = ["z"]}> : () -> tensor<4xf32>
  %o = onnx.Constant() <{value = #aicc.splat<1.000000e+00 : f32>, output_names = ["o"]}> : () -> tensor<4xf32>
  %conv0 = onnx.Conv(%x, %w0) <{pads = array<i64: 1, 1, 1, 1>, output_names = ["conv0"]}> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %bn0 = onnx.BatchNormalization(%conv0, %g, %z, %z, %o) <{output_names = ["bn0"]}> : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %relu0 = onnx.Relu(%bn0) <{output_names = ["relu0"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %conv1 = onnx.Conv(%relu0, %w1) <{output_names = ["conv1"]}> : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %relu1 = onnx.Relu(%conv1) <{output_names = ["relu1"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %prob = onnx.Softmax(%relu1) <{axis = 1 : i64, output_names = ["prob"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  func.return %prob : tensor<1x4x8x8xf32>
}
