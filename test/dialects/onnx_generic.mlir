// The generic form (as `--print-op-generic` prints it) parses back to the custom
// form: segment sizes become `none` slots, properties equal to defaults vanish.
// (aicc-opt itself ignores --print-op-generic; the pytest round-trip covers the printer.)
// RUN: aicc-opt %s | filecheck %s
// RUN: aicc-opt %s | aicc-opt | filecheck %s

"builtin.module"() ({
  "func.func"() <{sym_name = "main", function_type = (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>}> ({
  ^bb0(%x: tensor<1x4x8x8xf32>, %lo: tensor<f32>):
    %clip = "onnx.Clip"(%x, %lo) <{output_names = ["clip"], operandSegmentSizes = array<i32: 1, 0, 1>, node_name = ""}> : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
    %s0, %s1 = "onnx.Split"(%clip) <{axis = 1 : i64, num_outputs = 2 : i64, output_names = ["s0", "s1"], node_name = ""}> : (tensor<1x4x8x8xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>)
    %w = "onnx.Constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>, output_names = ["w"], node_name = ""}> : () -> tensor<2xf32>
    %bn, %rm, %rv = "onnx.BatchNormalization"(%s0, %w, %w, %w, %w) <{training_mode = 1 : i64, output_names = ["bn", "rm", "rv"], resultSegmentSizes = array<i32: 1, 1, 1>, epsilon = 1.000000e-05 : f32, momentum = 9.000000e-01 : f32, node_name = "bn_node"}> : (tensor<1x2x8x8xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x8x8xf32>, tensor<2xf32>, tensor<2xf32>)
    "func.return"(%x) : (tensor<1x4x8x8xf32>) -> ()
  }) : () -> ()
}) : () -> ()

// CHECK:      %clip = onnx.Clip(%x, none, %lo) <{output_names = ["clip"]}> : (tensor<1x4x8x8xf32>, none, tensor<f32>) -> tensor<1x4x8x8xf32>
// CHECK-NEXT: %s0, %s1 = onnx.Split(%clip) <{axis = 1 : i64, num_outputs = 2 : i64, output_names = ["s0", "s1"]}> : (tensor<1x4x8x8xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>)
// CHECK-NEXT: %w = onnx.Constant() <{value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>, output_names = ["w"]}> : () -> tensor<2xf32>
// CHECK-NEXT: %bn, %rm, %rv = onnx.BatchNormalization(%s0, %w, %w, %w, %w) <{training_mode = 1 : i64, output_names = ["bn", "rm", "rv"], node_name = "bn_node"}> : (tensor<1x2x8x8xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x8x8xf32>, tensor<2xf32>, tensor<2xf32>)
