// INT8 through the device path in one pipeline: the quantize and dequantize at the graph's
// edges become the ports' types, the NCHW <-> NHWC transposes are layers of their own, and
// each layer waits for the one before it at a barrier on every core. The lowering of each
// op is checked from planned kernel IR in test/lowering/kernel_to_aic/.
// RUN: aicc-opt %s -p 'lower-onnx-to-kernel,plan-memory,lower-kernel-to-aic{num_cores=2}' 2>/dev/null | filecheck %s

func.func @main(%x: tensor<1x3x8x8xf32> {onnx.name = "x"}) -> (tensor<1x4x8x8xf32> {onnx.name = "y"}) {
  %q = quant.quantize %x : tensor<1x3x8x8xf32> to tensor<1x3x8x8x!quant.uniform<i8:f32, 0.05:3>>
  %w = onnx.Constant() <{value = #aicc.splat<2 : i8>, output_names = ["w"]}> : () -> tensor<4x3x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>
  %b = onnx.Constant() <{value = #aicc.splat<7 : i32>, output_names = ["b"]}> : () -> tensor<4x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.015, 0.02}>>
  %c = onnx.Conv(%q, %w, %b) <{pads = array<i64: 1, 1, 1, 1>, output_names = ["conv0"]}> : (tensor<1x3x8x8x!quant.uniform<i8:f32, 0.05:3>>, tensor<4x3x3x3x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>, tensor<4x!quant.uniform<i32:f32:0, {0.005, 0.01, 0.015, 0.02}>>) -> tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-20>>
  %r = onnx.Relu(%c) <{output_names = ["relu0"]}> : (tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-20>>) -> tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-20>>
  %y = quant.dequantize %r : tensor<1x4x8x8x!quant.uniform<i8:f32, 0.1:-20>> to tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}

// CHECK-LABEL: aic.program {target = "cloud_ai_100", cores = 2 : i64
// CHECK:       aic.buffer {name = "x", kind = "input", offset = 0 : i64, type = memref<1x3x8x8x!quant.uniform<i8:f32, 0.05:3>>}
// CHECK-NEXT:  aic.buffer {name = "y", kind = "output", offset = 192 : i64, type = memref<1x4x8x8x!quant.uniform<i8:f32, 0.1:-20>>}
// CHECK:       aic.buffer {name = "conv0_relu0_channels", kind = "constant", offset = 1088 : i64, type = memref<3x4xi32>
// CHECK-NEXT:  aic.layer {node = "x", kind = "transpose", precision = "i8", macs = 0 : i64, bytes = 384 : i64}
// CHECK-NEXT:  aic.layer {node = "conv0,relu0", kind = "conv", precision = "i8", macs = 6912 : i64, bytes = 572 : i64}
// CHECK-NEXT:  aic.layer {node = "y", kind = "transpose", precision = "i8", macs = 0 : i64, bytes = 512 : i64}
// CHECK-NEXT:  aic.core {id = 0 : i64} {
// CHECK-NEXT:    aic.dma {node = "x", src = #aic.view<ddr[0] : {{.*}}>, dst = #aic.view<sp[0] : {{.*}}, tag = 0 : i64}
// CHECK:         aic.barrier {node = "x", id = 0 : i64}
// CHECK:         aic.vector {node = "conv0,relu0", opcode = "requant", {{.*}}params = {zero_point = -20 : i64, qmin = -20 : i64, qmax = 127 : i64}}
// CHECK:         aic.barrier {node = "conv0,relu0", id = 1 : i64}
// CHECK-NEXT:    aic.dma {node = "y", {{.*}}tag = 0 : i64}
// CHECK:         aic.barrier {node = "y", id = 2 : i64}
// CHECK-NEXT:  }
// CHECK-NEXT:  aic.core {id = 1 : i64} {
// CHECK:         aic.barrier {node = "x", id = 0 : i64}
// CHECK:         aic.barrier {node = "conv0,relu0", id = 1 : i64}
// CHECK:         aic.barrier {node = "y", id = 2 : i64}
