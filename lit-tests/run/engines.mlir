// The JIT runs a function by default, --interp the reference interpreter; a
// function the JIT cannot compile runs on the interpreter after one warning.
// RUN: dfq-run %s --random-input --bench --runs 2 --threads 1 | FileCheck %s --check-prefix=BENCH
// RUN: dfq-run %s --random-input --bench --runs 2 --interp | FileCheck %s --check-prefix=INTERP
// RUN: dfq-run %s --entry sig --random-input 2>&1 | FileCheck %s --check-prefix=FALLBACK
// RUN: dfq-run %s --entry sig --random-input --interp 2>&1 | FileCheck %s --check-prefix=SILENT

// BENCH:      model        {{.*}}engines.mlir (@main)
// BENCH-NEXT: engine       jit
// BENCH-NEXT: kernel       {{avx512-vnni|avx-vnni|avx2|portable}}
// BENCH-NEXT: threads      1
// BENCH-NEXT: compile      {{[0-9.]+ (s|ms|µs)}}
// BENCH-NEXT: runs         2 (after 3 warm-up)
// BENCH-NEXT: median       {{[0-9.]+ (s|ms|µs)}}
// BENCH-NEXT: min          {{[0-9.]+ (s|ms|µs)}}
// BENCH-NEXT: p90          {{[0-9.]+ (s|ms|µs)}}
// 8 outputs of 3x3x3 weights, then 4 outputs of 8 weights:
// BENCH-NEXT: MACs         248
// BENCH-NEXT: GOPS         {{[0-9]+\.[0-9][0-9]}}

// INTERP:      engine       interp
// INTERP-NEXT: kernel       -
// INTERP-NEXT: threads      1
// INTERP-NEXT: compile      -

// FALLBACK: dfq-run: warning: the JIT cannot compile '@sig' ({{.*}}engines.mlir:[[@LINE+16]]:3: 'nn.sigmoid' op is not supported by the JIT); running it on the reference interpreter instead (--interp selects the interpreter without this warning)
// FALLBACK-NEXT: result #0: tensor<1x4xf32>
// SILENT-NOT: warning
// SILENT: result #0: tensor<1x4xf32>

func.func @main(%x: tensor<1x3x4x4xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x4xf32> {
  %w = arith.constant dense<0.25> : tensor<2x3x3x3xf32>
  %0 = "nn.conv2d"(%x, %w) {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x2x2xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %2 = "nn.flatten"(%1) {axis = 1 : i64} : (tensor<1x2x2x2xf32>) -> tensor<1x8xf32>
  %v = arith.constant dense<0.5> : tensor<4x8xf32>
  %3 = "nn.linear"(%2, %v) : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<1x4xf32>
  return %3 : tensor<1x4xf32>
}

func.func @sig(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = "nn.sigmoid"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
