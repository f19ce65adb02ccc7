// RUN: dfq-opt %s --verify-diagnostics
// A Latin-1 byte in a comment is not UTF-8.

// expected-error @+1 {{invalid UTF-8 byte 0xE9}}
// café
func.func @f() {
  return
}
