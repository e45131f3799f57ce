// The device path one step at a time: each level prints, parses back (the next
// aicc-opt reads the previous one's output) and prints unchanged.
// RUN: aicc-opt %s -p lower-onnx-to-kernel > %t.kernel.mlir
// RUN: filecheck %s --check-prefix=KERNEL < %t.kernel.mlir
// RUN: aicc-opt %t.kernel.mlir | diff - %t.kernel.mlir
// RUN: aicc-opt %t.kernel.mlir -p plan-memory 2> %t.remark > %t.planned.mlir
// RUN: filecheck %s --check-prefix=PLAN < %t.planned.mlir
// RUN: filecheck %s --check-prefix=REMARK < %t.remark
// RUN: aicc-opt %t.planned.mlir | diff - %t.planned.mlir
// RUN: aicc-opt %t.planned.mlir -p 'lower-kernel-to-aic{num_cores=2}' > %t.aic.mlir
// RUN: filecheck %s --check-prefix=AIC < %t.aic.mlir
// RUN: aicc-opt %t.aic.mlir | diff - %t.aic.mlir
// The three passes in one pipeline give the same program.
// RUN: aicc-opt %s -p 'lower-onnx-to-kernel,plan-memory,lower-kernel-to-aic{num_cores=2}' 2>/dev/null | diff - %t.aic.mlir

// KERNEL:      func.func @main(%x: memref<1x3x8x8xf32> {onnx.name = "x"}) -> (memref<1x4x8x8xf32> {onnx.name = "relu0"})
// KERNEL-NEXT:   %0 = kernel.alloc {layout = "nhwc"} : memref<1x8x8x3xf32>
// KERNEL-NEXT:   kernel.transpose ins(%x : memref<1x3x8x8xf32>) outs(%0 : memref<1x8x8x3xf32>) {onnx_names = ["x"], perm = array<i64: 0, 2, 3, 1>}
// KERNEL-NEXT:   %1 = kernel.const #aicc.dense_resource<conv0.w> : memref<3x3x3x4xf32>
// KERNEL:        kernel.conv ins(%0, %1, %2 : {{.*}}) outs(%relu0 : memref<1x8x8x4xf32>) {onnx_names = ["conv0", "relu0"], {{.*}}pads = array<i64: 1, 1, 1, 1>, {{.*}}activation = #kernel.act<relu>}
// KERNEL:        kernel.transpose ins(%relu0 : memref<1x8x8x4xf32>) outs(%3 : memref<1x4x8x8xf32>) {onnx_names = ["relu0"], perm = array<i64: 0, 3, 1, 2>}
// KERNEL-NEXT:   func.return %3 : memref<1x4x8x8xf32>
// KERNEL:      conv0.w: "0x10000000

// PLAN:      func.func @main(%x: memref<1x3x8x8xf32> {onnx.name = "x", aicc.offset = 0 : i64}) -> (memref<1x4x8x8xf32> {onnx.name = "relu0", aicc.offset = 768 : i64}) attributes {aicc.ddr_bytes = 4096 : i64, aicc.peak_activation_bytes = 1792 : i64}
// PLAN-NEXT:   kernel.alloc {layout = "nhwc", offset = 2304 : i64}
// PLAN:        kernel.const #aicc.dense_resource<conv0.w> {offset = 1792 : i64}
// PLAN:        kernel.alloc {layout = "nhwc", offset = 3072 : i64}

// REMARK: remark: plan-memory: peak activation memory 1792 bytes

// AIC:      aic.program {target = "cloud_ai_100", cores = 2 : i64, {{.*}}} {
// AIC-NEXT:   aic.buffer {name = "x", kind = "input", offset = 0 : i64, type = memref<1x3x8x8xf32>}
// AIC-NEXT:   aic.buffer {name = "relu0", kind = "output", offset = 768 : i64, type = memref<1x4x8x8xf32>}
// AIC:        aic.layer {node = "conv0,relu0", kind = "conv", precision = "f32", macs = 6912 : i64, {{.*}}}
// AIC:        aic.core {id = 0 : i64} {
// AIC:          aic.dma {node = "conv0,relu0", src = #aic.view<ddr[1792] : 3x3x3x4xf32, {{.*}}>, dst = #aic.view<sp[{{[0-9]+}}] : 3x3x3x4xf32
// AIC:          aic.conv {node = "conv0,relu0", {{.*}}mode = "f32"}
// AIC-NEXT:     aic.vector {node = "conv0,relu0", opcode = "bias_act", {{.*}}params = {act = "relu"}}
// AIC:          aic.barrier {node = "conv0,relu0", id = 1 : i64}
// AIC:        aic.core {id = 1 : i64} {
// AIC:          aic.conv {node = "conv0,relu0"
// AIC-NOT:    aic.core {id = 2

builtin.module {
  func.func @main(%x: tensor<1x3x8x8xf32> {onnx.name = "x"}) -> (tensor<1x4x8x8xf32> {onnx.name = "relu0"}) {
    %w = onnx.Constant() <{value = #aicc.dense_resource<w>, output_names = ["w"]}> : () -> tensor<4x3x3x3xf32>
    %b = onnx.Constant() <{value = dense<[1.000000e-01, -2.000000e-01, 3.000000e-01, 0.000000e+00]> : tensor<4xf32>, output_names = ["b"]}> : () -> tensor<4xf32>
    %conv0 = onnx.Conv(%x, %w, %b) <{pads = array<i64: 1, 1, 1, 1>, node_name = "conv0", output_names = ["conv0"]}> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    %relu0 = onnx.Relu(%conv0) <{node_name = "relu0", output_names = ["relu0"]}> : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    func.return %relu0 : tensor<1x4x8x8xf32>
  }
}

{-#
  dialect_resources: {
    aicc: {
      w: "0x100000000AD7233D0AD723BD5C8F423E8FC2F53C0AD723BEAE47E13D14AEC73E295C8F3E3D0A57BE5C8FC2BE5C8F42BE0AD7233C333333BF295C8FBDA470BDBEAE4761BE0AD723BEEC51B8BD8FC2F53D52B89E3E0AD723BD85EBD13ECDCC4CBEAE47E13D713D8A3E8FC2F53CAE4761BE295C8FBE295C0FBE295C8F3D9A9999BE8FC275BDCDCC4CBD0AD7233E8FC2753DAE47E13DCDCC4CBE0AD723BD8FC2753E6666E63E5C8FC2BE6666E63ECDCCCC3E1F856B3E0AD7A33DEC51B8BDAE47E13E3D0A173F713D0A3F14AEC73EAE47E13DEC51B8BE00000080CDCC4C3E14AEC7BE8FC2F53DB81E053E3D0A573EEC51B8BECDCC4CBEB81E05BE3333B3BEB81E053F9A9919BECDCCCC3D0AD7A3BD8FC2F53ECDCCCC3E5C8F423EC3F528BF0AD7A33C3D0A573E9A99993E5C8F42BECDCC0C3FCDCCCCBECDCC4CBE295C8F3E0AD7233C9A99193F8FC2753D5C8F42BEAE47E1BDC3F5A8BE5C8FC2BE5C8F423E7B142E3E14AEC73E1F856BBE5C8F023FEC51B8BDD7A3F03EB81E05BEAE4761BE295C8F3D52B89E3ECDCC4C3DEC5138BECDCCCCBE3D0AD7BE9A99193E9A99993ECDCC4CBD0AD7A3BEB81E853E5C8FC2BE3D0A57BE5C8F423E"
    }
  }
#-}
