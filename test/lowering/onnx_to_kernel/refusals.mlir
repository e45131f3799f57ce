// An op the device lowering does not implement, or in a precision it does not
// declare, is refused at compile time: one line naming the model and the node,
// exit status 2 (more refusals: test_onnx_to_kernel.py). Each case is its own
// module, since the first refusal ends the run.
// RUN: not aicc-opt %s -p 'lower-onnx-to-kernel{source="model.onnx"}' 2>&1 | filecheck %s
// CHECK: aicc-opt: error: model.onnx: node 'cast0' (onnx.Cast): not supported on the device (-operators-supported lists what is)
// CHECK-NOT: Traceback

// RUN: not aicc-opt %S/Inputs/resize_scales.mlir -p 'lower-onnx-to-kernel{source="model.onnx"}' 2>&1 | filecheck %s --check-prefix=RESIZE
// RESIZE: aicc-opt: error: model.onnx: node 'up0' (onnx.Resize): Resize roi, scales and sizes must be constants on the device

// RUN: not aicc-opt %S/Inputs/int8_softmax.mlir -p 'lower-onnx-to-kernel{source="model.onnx"}' 2>&1 | filecheck %s --check-prefix=INT8
// INT8: aicc-opt: error: model.onnx: node 'sm0' (onnx.Softmax): not supported on the device in i8 (-operators-supported lists what is)
// INT8-NOT: Traceback

func.func @main(%x: tensor<1x2x4x4xf32> {onnx.name = "x"}) -> (tensor<1x2x4x4xf32> {onnx.name = "cast0"}) {
  %y = onnx.Cast(%x) <{to = 1 : i64, output_names = ["cast0"]}> : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}
