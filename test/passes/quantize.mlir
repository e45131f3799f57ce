// RUN: aicc-opt %s --split-input-file -p 'quantize{profile="%S/Inputs/quantize.yaml"}' | filecheck %s
// RUN: aicc-opt %s --split-input-file -p 'quantize{profile="%S/Inputs/quantize.yaml" channelwise=true}' | filecheck %s --check-prefix=CHANNEL
// RUN: aicc-opt %s --split-input-file -p 'quantize{profile="%S/Inputs/quantize.yaml" precision-bias="Int8"}' | filecheck %s --check-prefix=BIAS8
// RUN: aicc-opt %s --split-input-file -p 'quantize{profile="%S/Inputs/quantize.yaml" schema="symmetric_with_uint8"}' | filecheck %s --check-prefix=UINT8
// RUN: aicc-opt %s --split-input-file -p 'quantize{profile="%S/Inputs/quantize.yaml" graph-hash="graph-a" fp16-hash="fp16-a"}' 2>&1 | filecheck %s --check-prefix=WARN
// RUN: not aicc-opt %s --split-input-file -p 'quantize{profile="%S/Inputs/quantize.yaml" graph-hash="graph-b"}' 2>&1 | filecheck %s --check-prefix=GRAPH
// RUN: not aicc-opt %s --split-input-file -p 'quantize{profile="%S/Inputs/quantize.yaml" fp16-hash="fp16-b"}' 2>&1 | filecheck %s --check-prefix=FP16
// RUN: not aicc-opt %s --split-input-file -p 'quantize{profile="%S/Inputs/quantize.yaml" schema="asym"}' 2>&1 | filecheck %s --check-prefix=SCHEMA
// RUN: not aicc-opt %s --split-input-file -p 'quantize{profile="%S/Inputs/quantize_missing.yaml"}' 2>&1 | filecheck %s --check-prefix=MISSING

// Profile (Inputs/quantize.yaml): x [-1, 1], conv0 [-2, 2], relu0 [0, 2].
// Asymmetric x: scale 2/255, zero point 0 (the range is centered). Weights are
// symmetric int8: [-1, 0.5] extends to [-1, 127/128], scale 1/128. The int32 bias
// scale is s_x * s_w, and b = 0.1 -> round(0.1 / 6.127e-05) = 1632. The graph input
// reaches the i8 Conv through a cast marker; i8 -> i8 needs none.
// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %[[X:.*]] = builtin.unrealized_conversion_cast %x : tensor<1x2x2x2xf32> to tensor<1x2x2x2x!quant.uniform<i8:f32, 0.007843137718737125>>
// CHECK-NEXT:    %[[W:.*]] = onnx.Constant() <{value = dense<{{\[\[\[\[}}64]], {{\[\[}}-128]]], {{\[\[\[}}32]], {{\[\[}}16]]]]> : tensor<2x2x1x1xi8>, output_names = ["w.qw"]}> : () -> tensor<2x2x1x1x!quant.uniform<i8:f32, 0.0078125>>
// CHECK-NEXT:    %[[B:.*]] = onnx.Constant() <{value = dense<[1632, -3264]> : tensor<2xi32>, output_names = ["b.conv0.bias"]}> : () -> tensor<2x!quant.uniform<i32:f32, 6.127451342763379e-05>>
// conv0 is read only by the i8 relu0, so it is quantized at relu0's range [0, 2]
// (a fused activation): the Relu keeps the type.
// CHECK-NEXT:    %[[C:.*]] = onnx.Conv(%[[X]], %[[W]], %[[B]]) {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.007843137718737125:-128>>
// CHECK-NEXT:    %[[R:.*]] = onnx.Relu(%[[C]]) {{.*}} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.007843137718737125:-128>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.007843137718737125:-128>>
// The i8 result reaches the f32 Add and the graph output (one shared f32 marker) and
// the f16 Sigmoid; the f16 result reaches the f32 Add.
// CHECK-NEXT:    %[[RF:.*]] = builtin.unrealized_conversion_cast %[[R]] : {{.*}} to tensor<1x2x2x2xf32>
// CHECK-NEXT:    %[[RH:.*]] = builtin.unrealized_conversion_cast %[[R]] : {{.*}} to tensor<1x2x2x2xf16>
// CHECK-NEXT:    %[[S:.*]] = onnx.Sigmoid(%[[RH]]) {{.*}} : (tensor<1x2x2x2xf16>) -> tensor<1x2x2x2xf16>
// CHECK-NEXT:    %[[SF:.*]] = builtin.unrealized_conversion_cast %[[S]] : tensor<1x2x2x2xf16> to tensor<1x2x2x2xf32>
// CHECK-NEXT:    %[[A:.*]] = onnx.Add(%[[SF]], %[[RF]]) {{.*}} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT:    func.return %[[A]], %[[RF]] : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>

// Per-channel weights: channel 1 ([0.25, 0.125]) gets scale 0.25/127 and its own bias scale.
// CHANNEL-LABEL: func.func @main
// CHANNEL:         dense<{{\[\[\[\[}}64]], {{\[\[}}-128]]], {{\[\[\[}}127]], {{\[\[}}64]]]]> : tensor<2x2x1x1xi8>, output_names = ["w.qw"]}> : () -> tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.0078125, 0.0019685039296746254}>>
// CHANNEL-NEXT:    dense<[1632, -12954]> : tensor<2xi32>, output_names = ["b.conv0.bias"]}> : () -> tensor<2x!quant.uniform<i32:f32:0, {6.127451342763379e-05, 1.5439247420313308e-05}>>

// Int8 bias: its own parameters, like any other constant: [-0.2, 0.1] -> scale 0.3/255, zero point 42.
// BIAS8-LABEL: func.func @main
// BIAS8:         dense<[127, -128]> : tensor<2xi8>, output_names = ["b.q"]}> : () -> tensor<2x!quant.uniform<i8:f32, 0.0011764706578105688:42>>

// symmetric_with_uint8: the non-negative relu0 is u8 with zero point 0; x is symmetric i8.
// UINT8-LABEL: func.func @main
// UINT8:         onnx.Relu{{.*}} -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.007843137718737125>>
func.func @main(%x: tensor<1x2x2x2xf32> {onnx.name = "x"}) -> (tensor<1x2x2x2xf32> {onnx.name = "add0"}, tensor<1x2x2x2xf32> {onnx.name = "relu0"}) {
  %w = onnx.Constant() <{value = dense<[[[[0.5]], [[-1.0]]], [[[0.25]], [[0.125]]]]> : tensor<2x2x1x1xf32>, output_names = ["w"]}> : () -> tensor<2x2x1x1xf32>
  %b = onnx.Constant() <{value = dense<[0.1, -0.2]> : tensor<2xf32>, output_names = ["b"]}> : () -> tensor<2xf32>
  %conv0 = onnx.Conv(%x, %w, %b) <{output_names = ["conv0"]}> {aicc.precision = "i8", aicc.precision_reason = "base"} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %relu0 = onnx.Relu(%conv0) <{output_names = ["relu0"]}> {aicc.precision = "i8", aicc.precision_reason = "base"} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %sig0 = onnx.Sigmoid(%relu0) <{output_names = ["sig0"]}> {aicc.precision = "f16", aicc.precision_reason = "fp16-list"} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %add0 = onnx.Add(%sig0, %relu0) <{output_names = ["add0"]}> {aicc.precision = "f32", aicc.precision_reason = "kept-kind"} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  func.return %add0, %relu0 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// An f16 op's float constants become f16 constants; integer tensors are untouched.
// mul0 reaches -70000 in the profile: a warning names it. A tensor profiled as all
// zeros (zero0) still gets a valid scale: Glow's 0.1 (as a float32 value).
// CHECK-LABEL: func.func @main
// CHECK:         %[[K:.*]] = onnx.Constant() <{value = #aicc.splat<3.000000e+00 : f16>, output_names = ["k.f16"]}> : () -> tensor<2xf16>
// CHECK:         onnx.Mul(%{{.*}}, %[[K]]) {{.*}} : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
// CHECK:         onnx.Mul{{.*}}output_names = ["zero0"]{{.*}} -> tensor<2x!quant.uniform<i8:f32, 0.10000000149011612>>
// CHECK:         onnx.Reshape(%{{.*}}, %shape) {{.*}} : (tensor<2x!quant.uniform<i8:f32, 0.10000000149011612>>, tensor<1xi64>) -> tensor<2x!quant.uniform<i8:f32, 0.007843137718737125:-128>>
// WARN: warning: Mul 'mul0' runs in FP16 but tensor 'mul0' reaches -70000.0 in {{.*}}quantize.yaml, beyond the FP16 range (65504)
// WARN-NOT: warning
func.func @main(%x: tensor<2xf32> {onnx.name = "x"}) -> (tensor<2xf32> {onnx.name = "mul0"}, tensor<2xf32> {onnx.name = "relu0"}) {
  %k = onnx.Constant() <{value = dense<3.0> : tensor<2xf32>, output_names = ["k"]}> : () -> tensor<2xf32>
  %z = onnx.Constant() <{value = dense<0.0> : tensor<2xf32>, output_names = ["z"]}> : () -> tensor<2xf32>
  %shape = onnx.Constant() <{value = dense<2> : tensor<1xi64>, output_names = ["shape"]}> : () -> tensor<1xi64>
  %mul0 = onnx.Mul(%x, %k) <{output_names = ["mul0"]}> {aicc.precision = "f16", aicc.precision_reason = "fp16-list"} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %zero0 = onnx.Mul(%x, %z) <{output_names = ["zero0"]}> {aicc.precision = "i8", aicc.precision_reason = "base"} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %relu0 = onnx.Reshape(%zero0, %shape) <{output_names = ["relu0"]}> {aicc.precision = "i8", aicc.precision_reason = "base"} : (tensor<2xf32>, tensor<1xi64>) -> tensor<2xf32>
  func.return %mul0, %relu0 : tensor<2xf32>, tensor<2xf32>
}

// GRAPH: error: {{.*}}quantize.yaml: GraphHash graph-a differs from the model's graph-b: the profile was generated for a different model
// FP16: error: {{.*}}quantize.yaml: FP16NodeInstanceNamesHash fp16-a differs from this compile's fp16-b: the FP16 node set changed. When used with profile guided quantization, model quantization profile needs to be generated with -node-precision-info
// SCHEMA: error: quantize: schema 'asym' is not one of asymmetric, symmetric, symmetric_with_uint8, symmetric_with_power2_scale
// MISSING: error: {{.*}}quantize_missing.yaml: no entry for tensor 'relu0', which runs in INT8; regenerate the profile for this model
