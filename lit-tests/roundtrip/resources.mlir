// RUN: dfq-opt %s | FileCheck %s
// RUN: dfq-opt %s --inline-elements-limit=4 | FileCheck %s --check-prefix=SMALL

// Resources keep their key; large inline constants move to the resource section
// under a key taken from their SSA name; small ones print inline.
// CHECK-LABEL: func.func @weights
// CHECK: %w = arith.constant dense_resource<conv_w> : tensor<2x2xf32>
// CHECK: %big = arith.constant dense_resource<big> : tensor<80xi8>
// CHECK: %small = arith.constant dense<[1, 2, 3, 4, 5]> : tensor<5xi32>
// CHECK: {-#
// CHECK-NEXT: dialect_resources: {
// CHECK-NEXT: builtin: {
// CHECK-NEXT: big: "0x01000000000102
// CHECK-NEXT: conv_w: "0x040000000000803F000000400000404000008040"
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: #-}

// SMALL: %small = arith.constant dense_resource<small> : tensor<5xi32>
// SMALL: small: "0x040000000100000002000000030000000400000005000000"
func.func @weights() -> (tensor<2x2xf32>, tensor<80xi8>, tensor<5xi32>) {
  %w = arith.constant dense_resource<conv_w> : tensor<2x2xf32>
  %big = arith.constant dense<"0x000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F"> : tensor<80xi8>
  %small = arith.constant dense<[1, 2, 3, 4, 5]> : tensor<5xi32>
  return %w, %big, %small : tensor<2x2xf32>, tensor<80xi8>, tensor<5xi32>
}
{-#
  dialect_resources: {
    builtin: {
      conv_w: "0x040000000000803F000000400000404000008040"
    }
  }
#-}
