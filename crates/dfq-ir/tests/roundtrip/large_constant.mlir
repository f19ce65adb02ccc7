// A constant above the inline limit moves to the resource section on print.
func.func @big() -> tensor<80xi8> {
  %table = arith.constant dense<"0x000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F"> : tensor<80xi8>
  return %table : tensor<80xi8>
}
