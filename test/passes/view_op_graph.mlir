// view-op-graph writes @main's graph as DOT and leaves the IR as it was, at each level.
// RUN: aicc-opt %s -p 'view-op-graph{output=%t.onnx.dot}' | filecheck %s --check-prefix=IR
// RUN: filecheck %s --check-prefix=ONNX < %t.onnx.dot
// RUN: aicc-opt %s -p 'lower-onnx-to-kernel,view-op-graph{output=%t.kernel.dot}' > /dev/null
// RUN: filecheck %s --check-prefix=KERNEL < %t.kernel.dot
// RUN: aicc-opt %s -p 'lower-onnx-to-kernel,plan-memory,lower-kernel-to-aic{num_cores=2},view-op-graph{output=%t.aic.dot}' > /dev/null 2>&1
// RUN: filecheck %s --check-prefix=AIC < %t.aic.dot
// Without `output` the graph goes to standard error, so stdout stays the module.
// RUN: aicc-opt %s -p view-op-graph 2>&1 >/dev/null | filecheck %s --check-prefix=ONNX

func.func @main(%x: tensor<1x4x8x8xf32> {onnx.name = "x"}) -> (tensor<1x4x8x8xf32> {onnx.name = "relu0.convert"}) {
  %h = quant.convert %x {name = "x.convert"} : tensor<1x4x8x8xf32> to tensor<1x4x8x8xf16>
  %r = onnx.Relu(%h) <{node_name = "relu0", output_names = ["relu0"]}> {aicc.precision = "f16", aicc.precision_reason = "fp16-list"} : (tensor<1x4x8x8xf16>) -> tensor<1x4x8x8xf16>
  %y = quant.convert %r {name = "relu0.convert"} : tensor<1x4x8x8xf16> to tensor<1x4x8x8xf32>
  func.return %y : tensor<1x4x8x8xf32>
}

// IR:      func.func @main
// IR-NEXT:   quant.convert %x {name = "x.convert"}
// IR-NEXT:   onnx.Relu

// ONNX:      digraph "main" {
// ONNX:        label="@main (onnx level)"
// ONNX:        "input x" [label="x\ngraph input", fillcolor="#ffffff", shape="ellipse"];
// ONNX:        "x.convert" [label="x.convert\nquant.convert f16", fillcolor="#fdae6b", shape="hexagon"];
// ONNX-NEXT:   "relu0" [label="relu0\nonnx.Relu f16", fillcolor="#fdae6b"];
// ONNX-NEXT:   "relu0.convert" [label="relu0.convert\nquant.convert f32", fillcolor="#9ecae1", shape="hexagon"];
// ONNX-NEXT:   "input x" -> "x.convert" [label="1x4x8x8 f32"];
// ONNX-NEXT:   "x.convert" -> "relu0" [label="1x4x8x8 f16"];
// ONNX-NEXT:   "relu0" -> "relu0.convert" [label="1x4x8x8 f16"];
// ONNX-NEXT:   "relu0.convert" -> "output relu0.convert" [label="1x4x8x8 f32"];
// ONNX:        subgraph cluster_legend {
// ONNX:          "legend f32" [label="FP32", fillcolor="#9ecae1"];
// ONNX-NEXT:     "legend f16" [label="FP16", fillcolor="#fdae6b"];
// ONNX-NEXT:     "legend i8" [label="INT8", fillcolor="#a1d99b"];
// ONNX-NOT:    memory-bound

// The NHWC transposes are nodes of their own; two ops named relu0.convert stay apart.
// KERNEL:      label="@main (kernel level)"
// KERNEL:      "x" [label="x\nkernel.transpose f32", fillcolor="#9ecae1"];
// KERNEL:      "relu0" [label="relu0\nkernel.elementwise f16", fillcolor="#fdae6b"];
// KERNEL-NEXT: "relu0.convert" [label="relu0.convert\nkernel.convert f32", fillcolor="#9ecae1", shape="hexagon"];
// KERNEL-NEXT: "relu0.convert#2" [label="relu0.convert\nkernel.transpose f32", fillcolor="#9ecae1"];
// KERNEL:      "x.convert" -> "relu0" [label="1x8x8x4 f16"];

// One node per aic.layer; edges follow the bytes through DDR.
// AIC:      label="@main (aic level)"
// AIC:      "relu0" [label="relu0\naic elementwise f16", fillcolor="#fdae6b"];
// AIC:      "x.convert" -> "relu0" [label="512 B"];
// AIC-NEXT: "relu0" -> "relu0.convert" [label="512 B"];
// AIC-NEXT: "relu0.convert" -> "output relu0.convert" [label="1024 B"];
