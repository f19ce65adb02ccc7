// Command-line mistakes get one clear line, and no output file is written.
// RUN: not dfq-opt %s --pass-pipeline='builtin.module(no-such-pass)' 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not dfq-opt %s --canonicalize='max-rewrites=abc' 2>&1 | FileCheck %s --check-prefix=BADOPT
// RUN: not dfq-opt %s --canonicalize --pass-pipeline='dce' 2>&1 | FileCheck %s --check-prefix=MIXED
// RUN: not dfq-opt %S/no-such-file.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: dfq-opt --list-passes | FileCheck %s --check-prefix=LIST
// RUN: dfq-opt --help | FileCheck %s --check-prefix=HELP

// UNKNOWN: dfq-opt: error: unknown pass 'no-such-pass' (known passes: {{.*}}canonicalize{{.*}})
// BADOPT: error: option 'max-rewrites' of pass 'canonicalize' expects int, got 'abc'
// MIXED: error: --pass-pipeline cannot be combined with pass flags
// MISSING: error: cannot read '{{.*}}no-such-file.mlir'

// LIST: Available passes
// LIST: --canonicalize
// LIST-NEXT: max-rewrites=<int>
// LIST: --dce

// HELP: Passes:
// HELP: --canonicalize[=<OPTIONS>]
// HELP: --dce[=<OPTIONS>]
func.func @f() {
  return
}
