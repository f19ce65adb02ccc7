//! The ONNX graph being written: value names, initializers (materialized on first
//! use), and nodes.

use std::collections::{HashMap, HashSet};

use dfq_ir::{DenseData, DenseElements, ElementType, Function, OpId, StorageKind, TensorType, Type, Value};

use crate::proto::{
    data_type, AttributeProto, Dimension, DimensionValue, NodeProto, TensorProto, TensorShapeProto, TensorTypeProto,
    TypeProto, ValueInfoProto,
};

/// A constant of the graph: row-major elements, splats expanded.
#[derive(Clone, Debug)]
pub struct ConstTensor {
    pub dims: Vec<i64>,
    pub data: DenseData,
}

impl ConstTensor {
    pub fn from_dense(d: &DenseElements) -> Result<ConstTensor, String> {
        let dims = d.ty().static_shape().ok_or_else(|| format!("constant of dynamic shape {}", d.ty()))?;
        let data = if d.is_splat() {
            let n = d.num_elements() as usize;
            match d.data().kind() {
                StorageKind::F32 => DenseData::F32(d.to_f32_vec()),
                StorageKind::F64 => DenseData::F64((0..n).map(|i| d.get_f64(i)).collect()),
                int => int.from_i64s(&d.to_i64_vec()),
            }
        } else {
            d.data().clone()
        };
        Ok(ConstTensor { dims, data })
    }

    /// The elements as f32, for bounds and weights.
    pub fn to_f32(&self) -> Vec<f32> {
        match &self.data {
            DenseData::F32(v) => v.clone(),
            other => (0..other.len()).map(|i| other.get_f64(i) as f32).collect(),
        }
    }

    fn to_proto(&self, name: &str) -> TensorProto {
        TensorProto {
            name: name.to_string(),
            dims: self.dims.clone(),
            data_type: storage_data_type(self.data.kind()),
            raw_data: self.data.to_le_bytes(),
            ..Default::default()
        }
    }
}

/// What a value of the function is in the graph.
enum Binding {
    /// A tensor of the graph with this name.
    Name(String),
    /// A constant not yet written: it becomes an initializer on first use, so a
    /// float weight that is only quantized leaves nothing behind.
    Constant(ConstTensor),
}

pub struct Writer<'f> {
    pub func: &'f Function,
    /// Names of the function's values, as dfq prints them.
    value_names: HashMap<Value, String>,
    bindings: HashMap<Value, Binding>,
    taken: HashSet<String>,
    pub nodes: Vec<NodeProto>,
    pub initializers: Vec<TensorProto>,
    /// Scalar initializers by (data type, bits), shared by every node that uses them.
    scalars: HashMap<(i32, i64), String>,
    /// The lowest default-domain opset the nodes written so far need.
    pub opset: i64,
}

impl<'f> Writer<'f> {
    pub fn new(func: &'f Function) -> Writer<'f> {
        let value_names = value_names(func);
        let taken = value_names.values().cloned().collect();
        Writer {
            func,
            value_names,
            bindings: HashMap::new(),
            taken,
            nodes: Vec::new(),
            initializers: Vec::new(),
            scalars: HashMap::new(),
            opset: super::MIN_OPSET,
        }
    }

    /// The name of `v` in dfq's text, without the `%`.
    pub fn value_name(&self, v: Value) -> &str {
        self.value_names.get(&v).map(String::as_str).unwrap_or("value")
    }

    pub fn bind_name(&mut self, v: Value, name: String) {
        self.bindings.insert(v, Binding::Name(name));
    }

    pub fn bind_constant(&mut self, v: Value, c: ConstTensor) {
        self.bindings.insert(v, Binding::Constant(c));
    }

    /// The constant `v` holds, if it is one not yet known to be anything else.
    pub fn constant(&self, v: Value) -> Option<&ConstTensor> {
        match self.bindings.get(&v)? {
            Binding::Constant(c) => Some(c),
            Binding::Name(_) => None,
        }
    }

    pub fn is_constant(&self, v: Value) -> bool {
        self.constant(v).is_some()
    }

    /// The graph name of `v` as a node input, writing its initializer on first use.
    pub fn input(&mut self, v: Value) -> Result<String, String> {
        let name = match self.bindings.get(&v) {
            Some(Binding::Name(n)) => return Ok(n.clone()),
            Some(Binding::Constant(c)) => {
                let name = self.value_name(v).to_string();
                self.initializers.push(c.to_proto(&name));
                name
            }
            None => return Err(format!("%{} is used before it is defined", self.value_name(v))),
        };
        self.bindings.insert(v, Binding::Name(name.clone()));
        Ok(name)
    }

    /// The name a result gets: its SSA name. Binds it.
    pub fn result(&mut self, id: OpId, index: u32) -> String {
        let v = Value::Result(id, index);
        let name = self.value_name(v).to_string();
        self.bind_name(v, name.clone());
        name
    }

    /// A name no value or earlier tensor has, from `hint`.
    pub fn fresh(&mut self, hint: &str) -> String {
        let mut candidate = hint.to_string();
        let mut n = 1;
        while !self.taken.insert(candidate.clone()) {
            candidate = format!("{hint}_{n}");
            n += 1;
        }
        candidate
    }

    /// A new initializer, named after `hint`.
    pub fn initializer(&mut self, hint: &str, c: &ConstTensor) -> String {
        let name = self.fresh(hint);
        self.initializers.push(c.to_proto(&name));
        name
    }

    /// A shared scalar (shape `[]`) initializer.
    pub fn scalar(&mut self, data: DenseData) -> String {
        let key = (storage_data_type(data.kind()), scalar_bits(&data));
        if let Some(name) = self.scalars.get(&key) {
            return name.clone();
        }
        let hint = match &data {
            DenseData::F32(v) => format!("f32_{}", v.first().copied().unwrap_or(0.0)),
            DenseData::I64(v) => format!("i64_{}", v.first().copied().unwrap_or(0)),
            other => format!("{:?}_{}", other.kind(), other.get_i64(0)).to_lowercase(),
        };
        let name = self.initializer(&sanitize(&hint), &ConstTensor { dims: vec![], data });
        self.scalars.insert(key, name.clone());
        name
    }

    pub fn scalar_f32(&mut self, v: f32) -> String {
        self.scalar(DenseData::F32(vec![v]))
    }

    /// A 1-D INT64 initializer (a Reshape's shape).
    pub fn i64s(&mut self, hint: &str, values: &[i64]) -> String {
        self.initializer(hint, &ConstTensor { dims: vec![values.len() as i64], data: DenseData::I64(values.to_vec()) })
    }

    /// Appends a node named after its first output.
    pub fn node(&mut self, op_type: &str, inputs: Vec<String>, outputs: Vec<String>, attribute: Vec<AttributeProto>) {
        let name = outputs.first().cloned().unwrap_or_default();
        self.nodes.push(NodeProto {
            input: inputs,
            output: outputs,
            name,
            op_type: op_type.to_string(),
            attribute,
            domain: String::new(),
        });
    }

    /// The static shape of `v`.
    pub fn shape(&self, v: Value) -> Result<Vec<i64>, String> {
        let ty = self.func.value_type(v);
        ty.as_tensor()
            .and_then(TensorType::static_shape)
            .ok_or_else(|| format!("%{} has type {ty}; ONNX export needs static shapes here", self.value_name(v)))
    }
}

/// ONNX's `TensorProto.DataType` of dense storage.
fn storage_data_type(kind: StorageKind) -> i32 {
    match kind {
        StorageKind::I8 => data_type::INT8,
        StorageKind::U8 => data_type::UINT8,
        StorageKind::I16 => data_type::INT16,
        StorageKind::U16 => data_type::UINT16,
        StorageKind::I32 => data_type::INT32,
        StorageKind::U32 => data_type::UINT32,
        StorageKind::I64 => data_type::INT64,
        StorageKind::F32 => data_type::FLOAT,
        StorageKind::F64 => data_type::DOUBLE,
    }
}

fn scalar_bits(d: &DenseData) -> i64 {
    match d {
        DenseData::F32(v) => v.first().map_or(0, |x| i64::from(x.to_bits())),
        DenseData::F64(v) => v.first().map_or(0, |x| x.to_bits() as i64),
        other => other.get_i64(0),
    }
}

/// The ONNX element type of a dfq element type; quantized tensors are their storage.
pub fn onnx_elem_type(e: &ElementType) -> Result<i32, String> {
    Ok(match e {
        ElementType::F32 => data_type::FLOAT,
        ElementType::F64 => data_type::DOUBLE,
        ElementType::F16 => data_type::FLOAT16,
        ElementType::BF16 => data_type::BFLOAT16,
        ElementType::Index => data_type::INT64,
        ElementType::Int { .. } => {
            storage_data_type(StorageKind::of(e).ok_or_else(|| format!("{e} has no ONNX type"))?)
        }
        ElementType::Quant(q) => {
            let storage = match (q.storage_signed, q.storage_width) {
                (true, 8) => data_type::INT8,
                (false, 8) => data_type::UINT8,
                (true, 16) => data_type::INT16,
                (false, 16) => data_type::UINT16,
                (true, 32) => data_type::INT32,
                _ => return Err(format!("quantized storage of {e} has no ONNX type (8, 16 or signed 32 bits)")),
            };
            return Ok(storage);
        }
    })
}

/// A graph input or output: element type and shape (`?` dimensions unnamed).
pub fn value_info(name: &str, ty: &Type) -> Result<ValueInfoProto, String> {
    let t =
        ty.as_tensor().ok_or_else(|| format!("'{name}' has type {ty}; ONNX graph inputs and outputs are tensors"))?;
    let dim = t.shape.iter().map(|d| Dimension { value: d.map(DimensionValue::DimValue) }).collect();
    let elem_type = onnx_elem_type(&t.element).map_err(|e| format!("'{name}': {e}"))?;
    Ok(ValueInfoProto {
        name: name.to_string(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto { elem_type, shape: Some(TensorShapeProto { dim }) }),
        }),
    })
}

/// Value names as dfq's printer assigns them: the SSA name when there is one
/// (made unique with `_1`, …), `argN` for unnamed arguments, and numbers in
/// program order for unnamed results; `name#i` for the results of a group.
fn value_names(func: &Function) -> HashMap<Value, String> {
    let mut names = HashMap::new();
    let mut used = HashSet::new();
    let mut claim = |hint: Option<&str>, fallback: &mut dyn FnMut() -> String| -> String {
        if let Some(h) = hint.map(sanitize).filter(|h| !h.is_empty()) {
            let mut candidate = h.clone();
            let mut n = 1;
            while !used.insert(candidate.clone()) {
                candidate = format!("{h}_{n}");
                n += 1;
            }
            return candidate;
        }
        loop {
            let c = fallback();
            if used.insert(c.clone()) {
                return c;
            }
        }
    };
    for (i, arg) in func.args.iter().enumerate() {
        let mut n = i;
        let name = claim(arg.name.as_deref(), &mut || {
            let s = format!("arg{n}");
            n += func.args.len();
            s
        });
        names.insert(Value::Arg(i as u32), name);
    }
    let mut counter = 0;
    for id in func.ops() {
        let op = func.op(id);
        if op.results.is_empty() {
            continue;
        }
        let name = claim(op.result_names.first().and_then(Option::as_deref), &mut || {
            counter += 1;
            (counter - 1).to_string()
        });
        if op.results.len() == 1 {
            names.insert(Value::Result(id, 0), name);
        } else {
            for r in 0..op.results.len() as u32 {
                names.insert(Value::Result(id, r), format!("{name}#{r}"));
            }
        }
    }
    names
}

/// SSA-name characters only; ONNX allows any string, but tools print these.
fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "_.-$".contains(c) { c } else { '_' }).collect()
}
