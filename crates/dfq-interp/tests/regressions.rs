//! The interpreter's part of the bad-input catalogue (docs/hardening.md): a
//! module built in code, which never met the parser's size check, still must
//! not make the interpreter allocate an absurd tensor.

use dfq_interp::run_function;
use dfq_ir::{Argument, Attribute, DenseData, DenseElements, ElementType, Function, Operation, TensorType, Type, Value};

#[test]
fn a_2_pow_40_element_splat_is_refused_before_it_is_expanded() {
    // One stored value standing for 2^40: expanding it would ask for 4 TiB.
    let ty = TensorType::new(&[1 << 40], ElementType::F32);
    let splat = DenseElements::new(ty.clone(), DenseData::F32(vec![1.0])).unwrap();
    let mut f = Function::new("main", vec![], vec![Type::Tensor(ty.clone())]);
    let c = f.push_op(Operation::new("arith.constant", vec![], vec![Type::Tensor(ty)]).with_attr("value", Attribute::Dense(splat)));
    f.push_op(Operation::new("func.return", vec![Value::Result(c, 0)], vec![]));
    let err = run_function(&f, vec![]).unwrap_err();
    assert!(err.message.starts_with("cannot run an invalid function: result #0 of '@main': 'tensor<1099511627776xf32>' has 1099511627776 elements"), "{err}");
    assert!(err.message.contains("result #0 of 'arith.constant': 'tensor<1099511627776xf32>'"), "{err}");
}

#[test]
fn an_argument_whose_dimensions_overflow_is_refused() {
    let ty = Type::tensor(&[1 << 32, 1 << 32, 16], ElementType::F32);
    let mut f = Function::new("main", vec![Argument::new(ty.clone())], vec![ty]);
    f.push_op(Operation::new("func.return", vec![Value::Arg(0)], vec![]));
    let err = run_function(&f, vec![]).unwrap_err();
    assert!(err.message.contains("argument #0: the product of the dimensions of"), "{err}");
}
