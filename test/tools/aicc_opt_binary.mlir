// Text -> binary -> text is the identity: the `aic` programs of the FP32 and INT8 device
// pipelines, written as binary programs (`-o FILE.aicb`) and read back, print as the
// text they came from; the binary file starts with its magic.
// RUN: aicc-opt %S/aicc_opt_device_pipeline.mlir -p 'lower-onnx-to-kernel,plan-memory,lower-kernel-to-aic{num_cores=2}' 2>/dev/null > %t.aic.mlir
// RUN: aicc-opt %t.aic.mlir -o %t.aicb
// RUN: aicc-opt %t.aicb | diff - %t.aic.mlir
// RUN: head -c 4 %t.aicb | filecheck %s --check-prefix=MAGIC
// RUN: aicc-opt %S/aicc_opt_int8_device_pipeline.mlir -p 'lower-onnx-to-kernel,plan-memory,lower-kernel-to-aic{num_cores=4}' 2>/dev/null > %t.int8.mlir
// RUN: aicc-opt %t.int8.mlir -o %t.int8.aicb
// RUN: aicc-opt %t.int8.aicb | diff - %t.int8.mlir
// RUN: filecheck %s --check-prefix=AIC < %t.int8.mlir
// A module that is not an aic program has no binary form.
// RUN: not aicc-opt %S/aicc_opt_device_pipeline.mlir -o %t.onnx.aicb 2>&1 | filecheck %s --check-prefix=NOTAIC

// MAGIC: AICB
// AIC: aic.program
// AIC: aic.vector
// NOTAIC: aicc-opt: error: {{.*}}.onnx.aicb: the module is not an aic program: {{.*}}
