//! NumPy `.npy` files ↔ interpreter tensors, through the npyz crate. Shared by
//! `dfq-run` (inputs and results) and the `bias-correct` pass (calibration data).
//!
//! Read: float32, int8, uint8, int32 and int64 in C order, either byte order.
//! Written: the same dtypes, little-endian, C order (what `np.load` expects).

use dfq_interp::{Tensor, TensorData};
use npyz::{DType, NpyFile, NpyHeader, Order, TypeChar, TypeStr, WriterBuilder};

const MAGIC: &[u8] = b"\x93NUMPY";

/// Decodes a `.npy` file; `name` is only for messages.
pub fn decode(name: &str, bytes: &[u8]) -> Result<Tensor, String> {
    if !bytes.starts_with(MAGIC) {
        return Err(format!("'{name}' is not a .npy file (it does not start with the NumPy magic '\\x93NUMPY')"));
    }
    check_nesting(name, bytes)?;
    check_shape_size(name, bytes)?;
    let mut data = bytes;
    let header = NpyHeader::from_reader(&mut data)
        .map_err(|e| format!("'{name}' is not a valid .npy file: malformed header: {e}"))?;
    if header.order() == Order::Fortran {
        return Err(format!(
            "'{name}' is stored in Fortran order; dfq reads C order (save np.ascontiguousarray(x))"
        ));
    }
    let DType::Plain(ts) = header.dtype() else {
        return Err(format!("'{name}' holds a structured dtype; dfq reads plain numeric arrays"));
    };
    let shape = header
        .shape()
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<Result<Vec<usize>, _>>()
        .map_err(|_| format!("'{name}' has a shape too large for this machine"))?;
    let item = element_size(name, &ts)?;
    let wanted = shape.iter().try_fold(item, |acc, &d| acc.checked_mul(d));
    match wanted {
        Some(w) if w == data.len() => {}
        Some(w) => {
            return Err(format!(
                "'{name}' is not a valid .npy file: its header announces {w} bytes of data ({} {}), but {} follow",
                describe_shape(&shape),
                numpy_name(&ts),
                data.len()
            ))
        }
        None => return Err(format!("'{name}' has a shape too large for this machine")),
    }
    let file = NpyFile::with_header(header, data);
    let read_error = |e: std::io::Error| format!("'{name}': cannot read the data: {e}");
    let data = match (ts.type_char(), item) {
        (TypeChar::Float, 4) => TensorData::F32(file.into_vec().map_err(read_error)?),
        (TypeChar::Int, 1) => TensorData::I8(file.into_vec().map_err(read_error)?),
        (TypeChar::Uint, 1) => TensorData::U8(file.into_vec().map_err(read_error)?),
        (TypeChar::Int, 4) => TensorData::I32(file.into_vec().map_err(read_error)?),
        (TypeChar::Int, 8) => TensorData::I64(file.into_vec().map_err(read_error)?),
        _ => unreachable!("element_size accepts only the dtypes above"),
    };
    Ok(Tensor { shape, data })
}

/// The header's text (the dict), as far as the file holds it.
fn header_text(bytes: &[u8]) -> Option<&[u8]> {
    let (start, len) = match bytes.get(6) {
        Some(1) => bytes.get(8..10).map(|l| (10, u16::from_le_bytes([l[0], l[1]]) as usize)),
        Some(2 | 3) => bytes.get(8..12).map(|l| (12, u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize)),
        _ => None,
    }?;
    Some(&bytes[start.min(bytes.len())..start.saturating_add(len).min(bytes.len())])
}

/// A real header is a dict holding a shape tuple: two levels of brackets.
/// npyz's parser takes exponential time on deeply nested ones (232 bytes of
/// `{{{{...` took over 10 s: found by the npy fuzzer), so those are refused first.
fn check_nesting(name: &str, bytes: &[u8]) -> Result<(), String> {
    const MAX_DEPTH: usize = 8;
    let Some(text) = header_text(bytes) else { return Ok(()) };
    let mut depth = 0usize;
    for &b in text {
        match b {
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_DEPTH {
            return Err(format!("'{name}' is not a valid .npy file: malformed header: brackets nested more than {MAX_DEPTH} deep"));
        }
    }
    Ok(())
}

/// npyz multiplies the shape's dimensions unchecked (element count and strides),
/// which panics on overflow in debug builds (found by the npy fuzzer), so a shape
/// whose nonzero dimensions multiply past 64 bits is refused first (a header with
/// no shape tuple is left to npyz, which reports it).
fn check_shape_size(name: &str, bytes: &[u8]) -> Result<(), String> {
    let Some(text) = header_text(bytes) else { return Ok(()) };
    let Some(key) = text.windows(7).position(|w| w == b"'shape'") else { return Ok(()) };
    let rest = &text[key..];
    let (Some(open), Some(close)) = (rest.iter().position(|&b| b == b'('), rest.iter().position(|&b| b == b')')) else {
        return Ok(());
    };
    if close < open {
        return Ok(());
    }
    let dims = std::str::from_utf8(&rest[open + 1..close]).unwrap_or("");
    let mut count = 1u64;
    for dim in dims.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        // NumPy writes plain decimals (Python 2: a trailing L); npyz also takes
        // expressions such as 0+N, which could hide a huge dimension from this check.
        let digits = dim.strip_suffix('L').unwrap_or(dim);
        let d = match digits.bytes().all(|b| b.is_ascii_digit()).then(|| digits.parse::<u64>()) {
            Some(Ok(d)) => d,
            Some(Err(_)) => return Err(format!("'{name}' has a shape too large for this machine")),
            None => {
                return Err(format!(
                    "'{name}' is not a valid .npy file: malformed header: shape dimension '{dim}' is not a non-negative integer"
                ))
            }
        };
        // Zero dimensions are skipped: npyz's strides multiply the others even when one is 0.
        count = count.checked_mul(d.max(1)).ok_or_else(|| format!("'{name}' has a shape too large for this machine"))?;
    }
    Ok(())
}

/// Reads and decodes the `.npy` file at `path`.
pub fn read(path: &std::path::Path) -> Result<Tensor, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read '{name}': {e}"))?;
    decode(&name, &bytes)
}

/// The size of one element of a supported dtype, or an error naming the dtype.
fn element_size(name: &str, ts: &TypeStr) -> Result<usize, String> {
    match (ts.type_char(), ts.size_field()) {
        (TypeChar::Float, 4) | (TypeChar::Int, 4) => Ok(4),
        (TypeChar::Int, 1) | (TypeChar::Uint, 1) => Ok(1),
        (TypeChar::Int, 8) => Ok(8),
        _ => {
            // NumPy's default dtype is float64, the most likely mistake by far.
            let hint = if ts.type_char() == TypeChar::Float { " (convert with x.astype(np.float32))" } else { "" };
            Err(format!(
                "'{name}' holds unsupported dtype {} ('{ts}'); \
                 dfq reads float32, int8, uint8, int32 and int64{hint}",
                numpy_name(ts)
            ))
        }
    }
}

/// NumPy's name of a dtype: `float64`, `uint16`, `bool`.
fn numpy_name(ts: &TypeStr) -> String {
    let bits = ts.size_field() * 8;
    match ts.type_char() {
        TypeChar::Float => format!("float{bits}"),
        TypeChar::Int => format!("int{bits}"),
        TypeChar::Uint => format!("uint{bits}"),
        TypeChar::Complex => format!("complex{bits}"),
        TypeChar::Bool => "bool".to_string(),
        _ => ts.to_string(),
    }
}

/// NumPy's name of a tensor's element type.
pub fn numpy_dtype(dtype: &str) -> &'static str {
    match dtype {
        "f32" => "float32",
        "i8" => "int8",
        "u8" => "uint8",
        "i32" => "int32",
        "i64" => "int64",
        _ => "unknown",
    }
}

/// `1x3x32x32`, or `scalar` for rank 0.
fn describe_shape(shape: &[usize]) -> String {
    if shape.is_empty() {
        return "scalar".to_string();
    }
    shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("x")
}

/// Encodes a tensor as a little-endian, C-order `.npy` file.
pub fn encode(t: &Tensor) -> Result<Vec<u8>, String> {
    let shape: Vec<u64> = t.shape.iter().map(|&d| d as u64).collect();
    match &t.data {
        TensorData::F32(v) => write(v, "<f4", &shape),
        TensorData::I8(v) => write(v, "|i1", &shape),
        TensorData::U8(v) => write(v, "|u1", &shape),
        TensorData::I32(v) => write(v, "<i4", &shape),
        TensorData::I64(v) => write(v, "<i8", &shape),
    }
}

fn write<T: npyz::Serialize + Copy>(values: &[T], descr: &str, shape: &[u64]) -> Result<Vec<u8>, String> {
    let type_str: TypeStr = descr.parse().map_err(|e| format!("bad dtype '{descr}': {e}"))?;
    let mut buf = Vec::new();
    let mut writer = npyz::WriteOptions::new()
        .dtype(DType::Plain(type_str))
        .shape(shape)
        .writer(&mut buf)
        .begin_nd()
        .map_err(|e| format!("cannot encode .npy: {e}"))?;
    writer.extend(values.iter().copied()).map_err(|e| format!("cannot encode .npy: {e}"))?;
    writer.finish().map_err(|e| format!("cannot encode .npy: {e}"))?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-1.0 `.npy` file with `descr`, `order` and `shape` in its header.
    fn file(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
        let order = if fortran { "True" } else { "False" };
        let mut header = format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}");
        while !(MAGIC.len() + 4 + header.len() + 1).is_multiple_of(64) {
            header.push(' ');
        }
        header.push('\n');
        let mut out = MAGIC.to_vec();
        out.extend([1, 0]);
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header.bytes());
        out.extend(data);
        out
    }

    #[test]
    fn round_trips_every_dtype() {
        let tensors = [
            Tensor::from_f32(vec![2, 3], vec![0.5, -1.0, 2.25, 3.0, f32::MIN_POSITIVE, -0.0]),
            Tensor::from_i8(vec![3], vec![-128, 0, 127]),
            Tensor::from_u8(vec![1, 2], vec![0, 255]),
            Tensor::from_i32(vec![], vec![-7]),
            Tensor { shape: vec![2, 0], data: TensorData::I64(vec![]) },
        ];
        for t in tensors {
            let bytes = encode(&t).unwrap();
            assert_eq!(decode("t.npy", &bytes).unwrap(), t);
        }
    }

    #[test]
    fn reads_big_endian() {
        let data = [0x3f, 0x80, 0, 0, 0x40, 0, 0, 0];
        let t = decode("be.npy", &file(">f4", false, "(2,)", &data)).unwrap();
        assert_eq!(t, Tensor::from_f32(vec![2], vec![1.0, 2.0]));
    }

    #[test]
    fn names_what_is_wrong() {
        let err = |bytes: &[u8]| decode("x.npy", bytes).unwrap_err();
        assert!(err(b"not numpy").contains("is not a .npy file"));
        assert!(err(MAGIC).contains("malformed header"));
        assert!(err(&file("<f8", false, "(1,)", &[0; 8])).contains("unsupported dtype float64 ('<f8')"));
        assert!(err(&file("|b1", false, "(1,)", &[0])).contains("unsupported dtype bool"));
        assert!(err(&file("<f4", true, "(1, 2)", &[0; 8])).contains("Fortran order"));
        let truncated = err(&file("<f4", false, "(2, 3)", &[0; 20]));
        assert!(truncated.contains("announces 24 bytes of data (2x3 float32), but 20 follow"), "{truncated}");
    }

    #[test]
    fn reads_a_file_and_names_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.npy");
        let t = Tensor::from_f32(vec![2], vec![1.5, -2.0]);
        std::fs::write(&path, encode(&t).unwrap()).unwrap();
        assert_eq!(read(&path).unwrap(), t);
        let err = read(&dir.path().join("missing.npy")).unwrap_err();
        assert!(err.starts_with("cannot read '") && err.contains("missing.npy"), "{err}");
    }
}
