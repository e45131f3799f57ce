// Every diagnostic of the aic program verifier: bounds, tile size, alignment, shapes and
// dtypes per instruction, buffers, core ids and barrier order. Each names core,
// instruction index and node.
// RUN: aicc-opt %s --split-input-file --verify-diagnostics | filecheck %s
aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.vector {opcode = "relu", ins = [#aic.view<sp[0] : 32xf32>], outs = [#aic.view<sp[4096] : 32xf32>], node = "r"}
  }
}
// CHECK: core 0, instruction 0 (aic.vector.relu, node 'r'): outs[0]: sp address 4096 + 128 bytes is outside the 4096-byte scratchpad

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.vector {opcode = "fill", ins = [], outs = [#aic.view<sp[0] : 2048xf32>], params = {value = 0.0 : f64}, node = "f"}
  }
}
// CHECK: core 0, instruction 0 (aic.vector.fill, node 'f'): outs[0] tile of 8192 bytes is larger than the 4096-byte scratchpad

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.wait {tag = 0 : i64, node = "w"}
    aic.vector {opcode = "relu", ins = [#aic.view<sp[64] : 32xf32>], outs = [#aic.view<sp[256] : 32xf32>], node = "r"}
  }
}
// CHECK: core 0, instruction 1 (aic.vector.relu, node 'r'): ins[0]: sp address 64 is not a multiple of 128

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.dma {src = #aic.view<ddr[960] : 32xf32>, dst = #aic.view<sp[0] : 32xf32>, tag = 0 : i64, node = "d"}
  }
}
// CHECK: core 0, instruction 0 (aic.dma, node 'd'): src: ddr address 960 + 128 bytes is outside the 1024-byte DDR

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.dma {src = #aic.view<ddr[2] : 32xf32>, dst = #aic.view<sp[0] : 32xf32>, tag = 0 : i64, node = "d"}
  }
}
// CHECK: core 0, instruction 0 (aic.dma, node 'd'): src: ddr address 2 is not aligned to its 4-byte elements

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.dma {src = #aic.view<sp[0] : 32xf32>, dst = #aic.view<sp[128] : 32xf32>, tag = 0 : i64, node = "d"}
  }
}
// CHECK: core 0, instruction 0 (aic.dma, node 'd'): copies sp to sp; a DMA moves between ddr and sp

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.dma {src = #aic.view<ddr[0] : 4x8xf32>, dst = #aic.view<sp[0] : 8x4xf32>, tag = 0 : i64, node = "d"}
  }
}
// CHECK: core 0, instruction 0 (aic.dma, node 'd'): src [4, 8] float32 and dst [8, 4] float32 differ in shape or element type

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.matmul {a = #aic.view<sp[0] : 8x16xi8>, b = #aic.view<sp[128] : 8x8xi8>, c = #aic.view<sp[256] : 8x8xi32>, mode = "i8", node = "m"}
  }
}
// CHECK: core 0, instruction 0 (aic.matmul, node 'm'): shapes [8, 16] @ [8, 8] do not give [8, 8]

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.matmul {a = #aic.view<sp[0] : 8x8xf16>, b = #aic.view<sp[128] : 8x8xf16>, c = #aic.view<sp[256] : 8x8xf16>, mode = "f16", node = "m"}
  }
}
// CHECK: core 0, instruction 0 (aic.matmul, node 'm'): mode f16 takes float16 operands and a float32 result, not float16, float16 -> float16

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.matmul {a = #aic.view<sp[0] : 8x8xf32>, b = #aic.view<ddr[0] : 8x8xf32>, c = #aic.view<sp[256] : 8x8xf32>, mode = "f32", node = "m"}
  }
}
// CHECK: core 0, instruction 0 (aic.matmul, node 'm'): b is in ddr; aic.matmul works on scratchpad views

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.conv {input = #aic.view<sp[0] : 6x6x4xi8>, weight = #aic.view<sp[256] : 3x3x4x8xi8>, output = #aic.view<sp[1024] : 5x4x8xi32>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, mode = "i8", node = "c"}
  }
}
// CHECK: core 0, instruction 0 (aic.conv, node 'c'): output [5, 4, 8]: dimension 0 is 5, the padded input and window give 4

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.conv {input = #aic.view<sp[0] : 6x6x4xi8>, weight = #aic.view<sp[256] : 3x3x4x8xi8>, output = #aic.view<sp[1024] : 4x4x8xi32>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64, mode = "i8", node = "c"}
  }
}
// CHECK: core 0, instruction 0 (aic.conv, node 'c'): input [6, 6, 4] and weight [3, 3, 4, 8] with group 2 do not match

// -----

aic.program {target = "t", cores = 2 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
  }
  aic.core {id = 0 : i64} {
  }
}
// CHECK: aic.program: core ids [0, 0] must be 0..n-1 with n <= cores = 2

// -----

aic.program {target = "t", cores = 2 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.barrier {id = 0 : i64, node = "a"}
    aic.barrier {id = 1 : i64, node = "b"}
  }
  aic.core {id = 1 : i64} {
    aic.barrier {id = 1 : i64, node = "b"}
  }
}
// CHECK: aic.program: core 1 reaches barriers [1], core 0 reaches [0, 1]; every core must reach the same in order

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.buffer {name = "x", kind = "input", offset = 32 : i64, type = memref<4xf32>}
}
// CHECK: aic.buffer 'x': offset 32 is not a multiple of 64

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.buffer {name = "y", kind = "output", offset = 768 : i64, type = memref<128xf32>}
}
// CHECK: aic.buffer 'y': offset 768 + 512 bytes is outside the 1024-byte DDR

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.vector {opcode = "frobnicate", ins = [], outs = [#aic.view<sp[0] : 4xf32>], node = "x"}
  }
}
// CHECK: core 0, instruction 0 (aic.vector.frobnicate, node 'x'): unknown vector opcode 'frobnicate'

// -----

aic.program {target = "t", cores = 1 : i64, ddr_bytes = 1024 : i64, scratchpad_bytes = 4096 : i64, ddr_alignment = 64 : i64, sp_alignment = 128 : i64} {
  aic.core {id = 0 : i64} {
    aic.vector {opcode = "add", ins = [#aic.view<sp[0] : 4x8xf32>, #aic.view<sp[256] : 3xf32>], outs = [#aic.view<sp[512] : 4x8xf32>], node = "a"}
  }
}
// CHECK: core 0, instruction 0 (aic.vector.add, node 'a'): ins[1] [3] does not broadcast to [4, 8]
