//! Runtime tensors: a row-major shape and a flat buffer of one element type.

/// The elements of a tensor, row-major.
#[derive(Clone, Debug, PartialEq)]
pub enum TensorData {
    F32(Vec<f32>),
    I8(Vec<i8>),
    U8(Vec<u8>),
    I32(Vec<i32>),
    I64(Vec<i64>),
}

/// A dense tensor. Rank 0 (shape `[]`) holds one element: a scalar.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: TensorData,
}

/// The element types a tensor can hold, as the interpreter reasons about them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DType {
    F32,
    I8,
    U8,
    I32,
    I64,
}

impl DType {
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::I8 => "i8",
            DType::U8 => "u8",
            DType::I32 => "i32",
            DType::I64 => "i64",
        }
    }

    /// The integer range of the type (f32 has none).
    pub fn int_range(self) -> Option<(i64, i64)> {
        match self {
            DType::F32 => None,
            DType::I8 => Some((i8::MIN.into(), i8::MAX.into())),
            DType::U8 => Some((u8::MIN.into(), u8::MAX.into())),
            DType::I32 => Some((i32::MIN.into(), i32::MAX.into())),
            DType::I64 => Some((i64::MIN, i64::MAX)),
        }
    }
}

impl TensorData {
    pub fn len(&self) -> usize {
        match self {
            TensorData::F32(v) => v.len(),
            TensorData::I8(v) => v.len(),
            TensorData::U8(v) => v.len(),
            TensorData::I32(v) => v.len(),
            TensorData::I64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dtype(&self) -> &'static str {
        self.kind().name()
    }

    pub(crate) fn kind(&self) -> DType {
        match self {
            TensorData::F32(_) => DType::F32,
            TensorData::I8(_) => DType::I8,
            TensorData::U8(_) => DType::U8,
            TensorData::I32(_) => DType::I32,
            TensorData::I64(_) => DType::I64,
        }
    }

    /// Integers of `dtype` from i64 values, or an error naming the first value
    /// outside its range.
    pub(crate) fn from_i64s(dtype: DType, values: impl IntoIterator<Item = i64>) -> Result<TensorData, String> {
        fn narrow<T: TryFrom<i64>>(values: impl IntoIterator<Item = i64>, name: &str) -> Result<Vec<T>, String> {
            values.into_iter().map(|v| T::try_from(v).map_err(|_| format!("value {v} does not fit {name}"))).collect()
        }
        Ok(match dtype {
            DType::I8 => TensorData::I8(narrow(values, "i8")?),
            DType::U8 => TensorData::U8(narrow(values, "u8")?),
            DType::I32 => TensorData::I32(narrow(values, "i32")?),
            DType::I64 => TensorData::I64(values.into_iter().collect()),
            DType::F32 => return Err("expected an integer element type, got f32".into()),
        })
    }

    /// Integers of `dtype` from i32 values (the output of the integer kernels).
    pub(crate) fn from_i32s(dtype: DType, values: Vec<i32>) -> Result<TensorData, String> {
        match dtype {
            DType::I32 => Ok(TensorData::I32(values)),
            _ => TensorData::from_i64s(dtype, values.into_iter().map(i64::from)),
        }
    }

    /// The elements of an 8- or 32-bit integer tensor widened to i32.
    pub(crate) fn to_i32s(&self) -> Option<Vec<i32>> {
        match self {
            TensorData::I8(v) => Some(v.iter().map(|&x| x.into()).collect()),
            TensorData::U8(v) => Some(v.iter().map(|&x| x.into()).collect()),
            TensorData::I32(v) => Some(v.clone()),
            TensorData::F32(_) | TensorData::I64(_) => None,
        }
    }
}

impl Tensor {
    /// A tensor of `shape` holding `data`.
    ///
    /// # Panics
    /// If the number of elements does not match the shape.
    pub fn new(shape: Vec<usize>, data: TensorData) -> Tensor {
        let n: usize = shape.iter().product();
        assert_eq!(n, data.len(), "shape {shape:?} holds {n} elements, but {} were given", data.len());
        Tensor { shape, data }
    }

    /// An f32 tensor. Panics if `data.len()` is not the product of `shape`.
    pub fn from_f32(shape: Vec<usize>, data: Vec<f32>) -> Tensor {
        Tensor::new(shape, TensorData::F32(data))
    }

    /// A u8 tensor. Panics if `data.len()` is not the product of `shape`.
    pub fn from_u8(shape: Vec<usize>, data: Vec<u8>) -> Tensor {
        Tensor::new(shape, TensorData::U8(data))
    }

    /// An i8 tensor. Panics if `data.len()` is not the product of `shape`.
    pub fn from_i8(shape: Vec<usize>, data: Vec<i8>) -> Tensor {
        Tensor::new(shape, TensorData::I8(data))
    }

    /// An i32 tensor. Panics if `data.len()` is not the product of `shape`.
    pub fn from_i32(shape: Vec<usize>, data: Vec<i32>) -> Tensor {
        Tensor::new(shape, TensorData::I32(data))
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// `"f32"`, `"i8"`, `"u8"`, `"i32"` or `"i64"`.
    pub fn dtype(&self) -> &'static str {
        self.data.dtype()
    }

    pub fn as_f32(&self) -> Option<&[f32]> {
        match &self.data {
            TensorData::F32(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_u8(&self) -> Option<&[u8]> {
        match &self.data {
            TensorData::U8(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_i8(&self) -> Option<&[i8]> {
        match &self.data {
            TensorData::I8(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_i32(&self) -> Option<&[i32]> {
        match &self.data {
            TensorData::I32(v) => Some(v),
            _ => None,
        }
    }

    /// Every element converted to f32 as stored: integers are not dequantized
    /// (there is no scale here), and i32/i64 above 2^24 lose precision.
    pub fn to_f32_lossy(&self) -> Vec<f32> {
        match &self.data {
            TensorData::F32(v) => v.clone(),
            TensorData::I8(v) => v.iter().map(|&x| x.into()).collect(),
            TensorData::U8(v) => v.iter().map(|&x| x.into()).collect(),
            TensorData::I32(v) => v.iter().map(|&x| x as f32).collect(),
            TensorData::I64(v) => v.iter().map(|&x| x as f32).collect(),
        }
    }

    /// `tensor<1x3xf32>`: the tensor's type in MLIR's notation, for messages.
    pub(crate) fn describe(&self) -> String {
        let dims: String = self.shape.iter().map(|d| format!("{d}x")).collect();
        format!("tensor<{dims}{}>", self.dtype())
    }
}

/// The Rust element types of [`TensorData`], for kernels generic over them.
pub(crate) trait Element: Copy {
    fn slice(data: &TensorData) -> Option<&[Self]>;
    fn wrap(values: Vec<Self>) -> TensorData;
}

macro_rules! element {
    ($t:ty, $variant:ident) => {
        impl Element for $t {
            fn slice(data: &TensorData) -> Option<&[$t]> {
                match data {
                    TensorData::$variant(v) => Some(v),
                    _ => None,
                }
            }

            fn wrap(values: Vec<$t>) -> TensorData {
                TensorData::$variant(values)
            }
        }
    };
}

element!(f32, F32);
element!(i8, I8);
element!(u8, U8);
element!(i32, I32);
element!(i64, I64);
