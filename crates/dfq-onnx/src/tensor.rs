//! ONNX tensors (initializers, `Constant` node values) as plain element vectors.

use crate::proto::{data_type, TensorProto};

/// A constant tensor of the graph, decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct Constant {
    pub dims: Vec<i64>,
    pub data: ConstData,
}

/// Floats are what ops compute on; integers only ever give shapes and axes.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstData {
    F32(Vec<f32>),
    I64(Vec<i64>),
}

impl Constant {
    pub fn num_elements(&self) -> usize {
        match &self.data {
            ConstData::F32(v) => v.len(),
            ConstData::I64(v) => v.len(),
        }
    }

    pub fn as_f32(&self) -> Option<&[f32]> {
        match &self.data {
            ConstData::F32(v) => Some(v),
            ConstData::I64(_) => None,
        }
    }

    pub fn as_i64(&self) -> Option<&[i64]> {
        match &self.data {
            ConstData::I64(v) => Some(v),
            ConstData::F32(_) => None,
        }
    }

    /// The single value of a one-element float tensor (a scalar bound).
    pub fn scalar_f32(&self) -> Option<f32> {
        match self.as_f32()? {
            [v] => Some(*v),
            _ => None,
        }
    }
}

/// Decodes `t`'s elements from `raw_data` or the typed field that holds them.
pub fn decode_tensor(t: &TensorProto) -> Result<Constant, String> {
    if t.data_location == 1 || !t.external_data.is_empty() {
        return Err("its data is stored in an external file, which dfq does not read".into());
    }
    if let Some(d) = t.dims.iter().find(|&&d| d < 0) {
        return Err(format!("it has a negative dimension {d}"));
    }
    // Checked: the dimensions come from the file, and their product can overflow.
    let expected = t
        .dims
        .iter()
        .try_fold(1i64, |n, &d| n.checked_mul(d))
        .filter(|&n| n as u64 <= dfq_ir::MAX_TENSOR_ELEMENTS)
        .ok_or_else(|| format!("its shape {:?} has more than 2^31 elements, more than dfq supports", t.dims))?;
    let raw = &t.raw_data;
    let data = match t.data_type {
        data_type::FLOAT if !raw.is_empty() => ConstData::F32(le_chunks(raw, f32::from_le_bytes)?),
        data_type::FLOAT => ConstData::F32(t.float_data.clone()),
        data_type::DOUBLE if !raw.is_empty() => {
            ConstData::F32(le_chunks(raw, f64::from_le_bytes)?.into_iter().map(|v| v as f32).collect())
        }
        data_type::DOUBLE => ConstData::F32(t.double_data.iter().map(|&v| v as f32).collect()),
        data_type::INT64 if !raw.is_empty() => ConstData::I64(le_chunks(raw, i64::from_le_bytes)?),
        data_type::INT64 => ConstData::I64(t.int64_data.clone()),
        data_type::INT32 if !raw.is_empty() => {
            ConstData::I64(le_chunks(raw, i32::from_le_bytes)?.into_iter().map(i64::from).collect())
        }
        data_type::INT32 => ConstData::I64(t.int32_data.iter().map(|&v| i64::from(v)).collect()),
        other => {
            return Err(format!(
                "its data type {} is not supported (only FLOAT, DOUBLE, INT32, INT64)",
                data_type::name(other)
            ))
        }
    };
    // NaN has no use as a weight: an exporter wrote garbage, and every output
    // the weight reaches would be NaN too. (Infinities stay: Clip bounds use them.)
    if let ConstData::F32(v) = &data {
        if let Some(i) = v.iter().position(|x| x.is_nan()) {
            return Err(format!("it holds NaN at element {i}; dfq refuses NaN weights (fix the model, or re-export it)"));
        }
    }
    let constant = Constant { dims: t.dims.clone(), data };
    if constant.num_elements() as i64 != expected {
        return Err(format!("it has {} elements but its shape {:?} needs {expected}", constant.num_elements(), t.dims));
    }
    Ok(constant)
}

/// Splits little-endian bytes into `N`-byte elements.
fn le_chunks<T, const N: usize>(raw: &[u8], from_le: fn([u8; N]) -> T) -> Result<Vec<T>, String> {
    if !raw.chunks_exact(N).remainder().is_empty() {
        return Err(format!("its raw data has {} bytes, not a multiple of the element size {N}", raw.len()));
    }
    Ok(raw.chunks_exact(N).map(|c| from_le(c.try_into().expect("chunks_exact gives N bytes"))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(dims: &[i64], data_type: i32) -> TensorProto {
        TensorProto { dims: dims.to_vec(), data_type, ..Default::default() }
    }

    #[test]
    fn reads_raw_and_typed_fields() {
        let mut t = tensor(&[2], data_type::FLOAT);
        t.raw_data = [1.5f32.to_le_bytes(), (-2.0f32).to_le_bytes()].concat();
        assert_eq!(decode_tensor(&t).unwrap().as_f32().unwrap(), &[1.5, -2.0]);
        let mut t = tensor(&[1, 2], data_type::INT64);
        t.int64_data = vec![-1, 7];
        assert_eq!(decode_tensor(&t).unwrap().as_i64().unwrap(), &[-1, 7]);
        let mut t = tensor(&[], data_type::DOUBLE);
        t.double_data = vec![6.0];
        assert_eq!(decode_tensor(&t).unwrap().scalar_f32(), Some(6.0));
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        let mut t = tensor(&[3], data_type::FLOAT);
        t.float_data = vec![1.0];
        assert!(decode_tensor(&t).unwrap_err().contains("needs 3"));
        assert!(decode_tensor(&tensor(&[1], 10)).unwrap_err().contains("FLOAT16"));
        let mut t = tensor(&[1], data_type::FLOAT);
        t.raw_data = vec![0; 3];
        assert!(decode_tensor(&t).unwrap_err().contains("multiple"));
    }
}
