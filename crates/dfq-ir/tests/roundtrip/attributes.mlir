// Every attribute kind the IR knows, on an op of an unregistered dialect.
module @m attributes {dfq.producer = "hand-written", dfq.version = 2 : i64} {
  func.func private @attrs() attributes {dfq.note = "fn attrs"} {
    %0 = "test.op"() {a_bool = true, a_unit, an_int = -7 : i32, an_index = 3 : index, an_f64 = 2.5, an_f32 = 0.1 : f32, an_f16 = 1.5 : f16, a_str = "quote\" and \\ and\nnewline", a_type = tensor<2x?xf32>, an_array = [1 : i64, "two", [3.0]], empty_array = [], i64s = array<i64: 1, -2, 3>, no_i64s = array<i64>, a_dict = {inner = 1 : i64, "odd key" = false}, inf = 0x7F800000 : f32, bits = 0x1F : i64} : () -> tensor<2xf32>
    %1 = "test.op"() {splat = dense<7> : tensor<2x3xi32>, list = dense<[[true, false]]> : tensor<1x2xi1>, hex = dense<"0x0000803F00000040"> : tensor<2xf32>, scalar = dense<-3.5> : tensor<f32>, empty = dense<> : tensor<0xf32>, u8 = dense<[255, 0]> : tensor<2xui8>} : () -> tensor<2xf32>
    return
  }
}
