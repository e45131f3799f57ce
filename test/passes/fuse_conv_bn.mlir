// RUN: aicc-opt %s -p fuse-conv-bn | filecheck %s
// RUN: aicc-opt %s -p fuse-conv-bn 2>&1 | filecheck %s --check-prefix=WARN

// a = gamma / sqrt(var + eps) = [1, 2]; W' = W * a per output channel;
// b' = (b - mean) * a + beta = [0.5, 1.5]. The fused Conv takes the BN's names
// and precision annotation; the old constants and ops go.
// CHECK-LABEL: func.func @fused
// CHECK-NEXT:    %[[W:.*]] = onnx.Constant() <{value = dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}2.000000e+00]]], {{\[\[\[}}6.000000e+00]], {{\[\[}}8.000000e+00]]]]> : tensor<2x2x1x1xf32>, output_names = ["bn0.fused_W"]}>
// CHECK-NEXT:    %[[B:.*]] = onnx.Constant() <{value = dense<[5.000000e-01, 1.500000e+00]> : tensor<2xf32>, output_names = ["bn0.fused_B"]}>
// CHECK-NEXT:    %[[Y:.*]] = onnx.Conv(%x, %[[W]], %[[B]]) <{node_name = "BN_0", output_names = ["bn0"]}> {aicc.precision = "f16", aicc.precision_reason = "fp16-list", aicc.fused_from = ["conv0", "bn0"]}
// CHECK-NEXT:    func.return %[[Y]]
func.func @fused(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = onnx.Constant() <{value = dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>, output_names = ["w"]}> : () -> tensor<2x2x1x1xf32>
  %b = onnx.Constant() <{value = dense<[1.0, 2.0]> : tensor<2xf32>, output_names = ["b"]}> : () -> tensor<2xf32>
  %g = onnx.Constant() <{value = dense<[2.0, 8.0]> : tensor<2xf32>, output_names = ["g"]}> : () -> tensor<2xf32>
  %be = onnx.Constant() <{value = dense<[0.5, -0.5]> : tensor<2xf32>, output_names = ["be"]}> : () -> tensor<2xf32>
  %m = onnx.Constant() <{value = dense<1.0> : tensor<2xf32>, output_names = ["m"]}> : () -> tensor<2xf32>
  %v = onnx.Constant() <{value = dense<[4.0, 16.0]> : tensor<2xf32>, output_names = ["v"]}> : () -> tensor<2xf32>
  %conv0 = onnx.Conv(%x, %w, %b) <{output_names = ["conv0"], node_name = "Conv_0"}> {aicc.precision = "f16", aicc.precision_reason = "fp16-list"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %bn0 = onnx.BatchNormalization(%conv0, %g, %be, %m, %v) <{epsilon = 0.0 : f32, output_names = ["bn0"], node_name = "BN_0"}> {aicc.precision = "f16", aicc.precision_reason = "fp16-list"} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %bn0 : tensor<1x2x4x4xf32>
}

// An FP16 Conv feeding an FP32 BatchNormalization stays unfused, with a warning.
// CHECK-LABEL: func.func @mixed
// CHECK:         %conv1 = onnx.Conv
// CHECK:         %bn1 = onnx.BatchNormalization(%conv1
// WARN: warning: Conv 'conv1' (f16) and BatchNormalization 'bn1' (f32) are not fused: they run in different precisions; add bn1 to FP16NodeInstanceNames
// WARN: warning: Conv 'conv2' (f32) and BatchNormalization 'bn2' (f16) are not fused: they run in different precisions; add conv2 to FP16NodeInstanceNames
// WARN: warning: Conv 'conv3' (i8) and BatchNormalization 'bn3' (f32) are not fused: they run in different precisions; give both the same precision
// WARN-NOT: warning:
func.func @mixed(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = onnx.Constant() <{value = dense<1.0> : tensor<2x2x1x1xf32>, output_names = ["w1"]}> : () -> tensor<2x2x1x1xf32>
  %p = onnx.Constant() <{value = dense<1.0> : tensor<2xf32>, output_names = ["p1"]}> : () -> tensor<2xf32>
  %conv1 = onnx.Conv(%x, %w) <{output_names = ["conv1"]}> {aicc.precision = "f16", aicc.precision_reason = "fp16-list"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %bn1 = onnx.BatchNormalization(%conv1, %p, %p, %p, %p) <{output_names = ["bn1"]}> {aicc.precision = "f32", aicc.precision_reason = "base"} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %conv2 = onnx.Conv(%x, %w) <{output_names = ["conv2"]}> {aicc.precision = "f32", aicc.precision_reason = "base"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %bn2 = onnx.BatchNormalization(%conv2, %p, %p, %p, %p) <{output_names = ["bn2"]}> {aicc.precision = "f16", aicc.precision_reason = "fp16-list"} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %conv3 = onnx.Conv(%x, %w) <{output_names = ["conv3"]}> {aicc.precision = "i8", aicc.precision_reason = "base"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %bn3 = onnx.BatchNormalization(%conv3, %p, %p, %p, %p) <{output_names = ["bn3"]}> {aicc.precision = "f32", aicc.precision_reason = "no-int8-kernel"} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %bn1, %bn2, %bn3 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// A Conv result that is also used elsewhere must stay: no fusion, no warning.
// CHECK-LABEL: func.func @multi_use
// CHECK:         %conv4 = onnx.Conv
// CHECK:         %bn4 = onnx.BatchNormalization(%conv4
// CHECK:         onnx.Add(%bn4, %conv4)
func.func @multi_use(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = onnx.Constant() <{value = dense<1.0> : tensor<2x2x1x1xf32>, output_names = ["w4"]}> : () -> tensor<2x2x1x1xf32>
  %p = onnx.Constant() <{value = dense<1.0> : tensor<2xf32>, output_names = ["p4"]}> : () -> tensor<2xf32>
  %conv4 = onnx.Conv(%x, %w) <{output_names = ["conv4"]}> : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %bn4 = onnx.BatchNormalization(%conv4, %p, %p, %p, %p) <{output_names = ["bn4"]}> : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %sum = onnx.Add(%bn4, %conv4) <{output_names = ["sum"]}> : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  func.return %sum : tensor<1x2x4x4xf32>
}

// BatchNormalization parameters that are graph inputs cannot be folded.
// CHECK-LABEL: func.func @nonconst
// CHECK:         %conv5 = onnx.Conv
// CHECK:         %bn5 = onnx.BatchNormalization(%conv5, %gamma
func.func @nonconst(%x: tensor<1x2x4x4xf32>, %gamma: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = onnx.Constant() <{value = dense<1.0> : tensor<2x2x1x1xf32>, output_names = ["w5"]}> : () -> tensor<2x2x1x1xf32>
  %p = onnx.Constant() <{value = dense<1.0> : tensor<2xf32>, output_names = ["p5"]}> : () -> tensor<2xf32>
  %conv5 = onnx.Conv(%x, %w) <{output_names = ["conv5"]}> : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %bn5 = onnx.BatchNormalization(%conv5, %gamma, %p, %p, %p) <{output_names = ["bn5"]}> : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %bn5 : tensor<1x2x4x4xf32>
}
