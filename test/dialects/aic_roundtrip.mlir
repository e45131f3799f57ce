// Round trip of every aic op and of #aic.view (strided and contiguous views print their
// strides; zero points, accumulate and params survive; -inf prints as hex).
// RUN: aicc-opt %s | filecheck %s
// RUN: aicc-opt %s | aicc-opt | filecheck %s

aic.program {target = "cloud_ai_100", cores = 3 : i64, ddr_bytes = 1048576 : i64, scratchpad_bytes = 8388608 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.buffer {name = "x", kind = "input", offset = 0 : i64, type = memref<1x3x32x32xf32>}
  aic.buffer {name = "w0", kind = "constant", offset = 12288 : i64, type = memref<2x2xi8>, value = #aicc.dense_resource<w0>}
  aic.buffer {name = "y", kind = "output", offset = 14336 : i64, type = memref<1x10x!quant.uniform<i8:f32, 0.1:3>>}
  aic.layer {node = "conv0", kind = "conv", precision = "i8", macs = 442368 : i64, bytes = 20480 : i64}
  aic.core {id = 0 : i64} {
    aic.dma {src = #aic.view<ddr[64] : 32x96xi8, strides [128, 1]>, dst = #aic.view<sp[4096] : 32x96xi8>, tag = 0 : i64, node = "conv0"}
    aic.wait {tag = 0 : i64, node = "conv0"}
    aic.matmul {a = #aic.view<sp[0] : 8x32xui8>, b = #aic.view<sp[256] : 32x8xi8>, c = #aic.view<sp[512] : 8x8xi32>, mode = "i8", a_zero_point = 128 : i64, b_zero_point = -1 : i64, accumulate, node = "conv0"}
    aic.conv {input = #aic.view<sp[0] : 4x4x2xf16>, weight = #aic.view<sp[128] : 3x3x1x4xf16>, output = #aic.view<sp[512] : 2x2x4xf32>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64, mode = "f16", node = "conv0"}
    aic.vector {opcode = "requant", ins = [#aic.view<sp[512] : 8x8xi32>, #aic.view<sp[1024] : 1xi32>, #aic.view<sp[1152] : 1xi32>], outs = [#aic.view<sp[1280] : 8x8xi8>], params = {zero_point = 3 : i64, qmin = -128 : i64, qmax = 127 : i64}, node = "conv0"}
    aic.vector {opcode = "fill", ins = [], outs = [#aic.view<sp[2048] : 6x6x2xf32>], params = {value = 0xFFF0000000000000 : f64}, node = "pool0"}
    aic.vector {opcode = "pool_avg", ins = [#aic.view<sp[2048] : 6x6x2xf32>, #aic.view<sp[4096] : 2x2xf32>], outs = [#aic.view<sp[8192] : 2x2x2xf32>], params = {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, scale = 0.1 : f64}, node = "pool0"}
    aic.barrier {id = 0 : i64, node = "conv0"}
  }
  aic.core {id = 1 : i64} {
    aic.barrier {id = 0 : i64, node = "conv0"}
  }
  aic.core {id = 2 : i64} {
    aic.barrier {id = 0 : i64, node = "conv0"}
  }
}

{-#
  dialect_resources: {
    aicc: {
      w0: "0x1000000001FF7F80"
    }
  }
#-}

// CHECK:      aic.program {target = "cloud_ai_100", cores = 3 : i64, ddr_bytes = 1048576 : i64, scratchpad_bytes = 8388608 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
// CHECK-NEXT: aic.buffer {name = "x", kind = "input", offset = 0 : i64, type = memref<1x3x32x32xf32>}
// CHECK-NEXT: aic.buffer {name = "w0", kind = "constant", offset = 12288 : i64, type = memref<2x2xi8>, value = #aicc.dense_resource<w0>}
// CHECK-NEXT: aic.buffer {name = "y", kind = "output", offset = 14336 : i64, type = memref<1x10x!quant.uniform<i8:f32, 0.1:3>>}
// CHECK-NEXT: aic.layer {node = "conv0", kind = "conv", precision = "i8", macs = 442368 : i64, bytes = 20480 : i64}
// CHECK-NEXT: aic.core {id = 0 : i64} {
// CHECK-NEXT: aic.dma {src = #aic.view<ddr[64] : 32x96xi8, strides [128, 1]>, dst = #aic.view<sp[4096] : 32x96xi8, strides [96, 1]>, tag = 0 : i64, node = "conv0"}
// CHECK-NEXT: aic.wait {tag = 0 : i64, node = "conv0"}
// CHECK-NEXT: aic.matmul {a = #aic.view<sp[0] : 8x32xui8, strides [32, 1]>, b = #aic.view<sp[256] : 32x8xi8, strides [8, 1]>, c = #aic.view<sp[512] : 8x8xi32, strides [8, 1]>, mode = "i8", a_zero_point = 128 : i64, b_zero_point = -1 : i64, accumulate, node = "conv0"}
// CHECK-NEXT: aic.conv {input = #aic.view<sp[0] : 4x4x2xf16, strides [8, 2, 1]>, weight = #aic.view<sp[128] : 3x3x1x4xf16, strides [12, 4, 4, 1]>, output = #aic.view<sp[512] : 2x2x4xf32, strides [8, 4, 1]>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64, mode = "f16", node = "conv0"}
// CHECK-NEXT: aic.vector {opcode = "requant", ins = [#aic.view<sp[512] : 8x8xi32, strides [8, 1]>, #aic.view<sp[1024] : 1xi32, strides [1]>, #aic.view<sp[1152] : 1xi32, strides [1]>], outs = [#aic.view<sp[1280] : 8x8xi8, strides [8, 1]>], params = {zero_point = 3 : i64, qmin = -128 : i64, qmax = 127 : i64}, node = "conv0"}
// CHECK-NEXT: aic.vector {opcode = "fill", ins = [], outs = [#aic.view<sp[2048] : 6x6x2xf32, strides [12, 2, 1]>], params = {value = 0xfff0000000000000 : f64}, node = "pool0"}
// CHECK-NEXT: aic.vector {opcode = "pool_avg", ins = [#aic.view<sp[2048] : 6x6x2xf32, strides [12, 2, 1]>, #aic.view<sp[4096] : 2x2xf32, strides [2, 1]>], outs = [#aic.view<sp[8192] : 2x2x2xf32, strides [4, 2, 1]>], params = {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, scale = 1.000000e-01 : f64}, node = "pool0"}
// CHECK-NEXT: aic.barrier {id = 0 : i64, node = "conv0"}
// CHECK-NEXT: }
// CHECK-NEXT: aic.core {id = 1 : i64} {
// CHECK-NEXT: aic.barrier {id = 0 : i64, node = "conv0"}
// CHECK-NEXT: }
// CHECK-NEXT: aic.core {id = 2 : i64} {
// CHECK-NEXT: aic.barrier {id = 0 : i64, node = "conv0"}
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK: w0: "0x1000000001FF7F80"
