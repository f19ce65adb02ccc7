//! The `nn` ops in f32. Results are close to the interpreter's, not equal: GEMMs
//! sum in a different order (depthwise convs, pooling and the elementwise ops
//! keep the interpreter's order and are exact).

use dfq_dialects::nn;
use dfq_ir::{OpId, Value};

use super::conv::{ConvWeights, FConv};
use super::steps::{BinaryOp, BinaryStep, ChannelKind, GlobalOp, MapOp, MapStep, Step, WindowOp};
use super::values::static_shape;
use super::{Elem, Layout, Planner, TVal};

impl Planner<'_> {
    /// Plans op `id` if it is an nn op.
    pub(super) fn nn_op(&mut self, id: OpId, name: &str) -> Result<bool, String> {
        match name {
            nn::Conv2d::NAME => self.conv2d_f(id)?,
            nn::Linear::NAME => self.linear_f(id)?,
            nn::BatchNorm::NAME => self.batch_norm(id)?,
            nn::Relu::NAME => self.clamp_f(id, 0.0, f32::INFINITY)?,
            nn::Relu6::NAME => self.clamp_f(id, 0.0, 6.0)?,
            nn::Clip::NAME => self.clip(id)?,
            nn::Add::NAME => self.binary_f(id, BinaryOp::FAdd)?,
            nn::Mul::NAME => self.binary_f(id, BinaryOp::FMul)?,
            nn::Concat::NAME => self.concat(id, nn::Concat::cast(self.func, id).expect("nn.concat").axis())?,
            nn::MaxPool2d::NAME => {
                let op = nn::MaxPool2d::cast(self.func, id).expect("nn.max_pool2d");
                self.max_pool(id, op.kernel(), op.strides(), op.pads())?
            }
            nn::AvgPool2d::NAME => {
                let op = nn::AvgPool2d::cast(self.func, id).expect("nn.avg_pool2d");
                let x = self.f32_operand(id, 0)?;
                let wop = WindowOp::FAvg { count_include_pad: op.count_include_pad() };
                self.pool_window(id, x, (op.kernel(), op.strides(), op.pads()), Elem::F32, wop)?
            }
            nn::GlobalAvgPool::NAME => {
                let x = self.f32_operand(id, 0)?;
                if x.shape.len() != 4 || x.shape[2] * x.shape[3] == 0 {
                    return Err(format!("needs a non-empty 4-D input, got {:?}", x.shape));
                }
                self.global_pool(id, x, Elem::F32, GlobalOp::F)?
            }
            nn::Flatten::NAME | nn::Reshape::NAME => self.reshape(id)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn f32_operand(&self, id: OpId, i: usize) -> Result<TVal, String> {
        let t = self.value(self.func.op(id).operands()[i])?;
        if t.elem != Elem::F32 {
            return Err(format!("operand #{i} must be f32"));
        }
        Ok(t)
    }

    /// A ReLU, ReLU6 or scalar clip that is the only user of `id`'s result: its
    /// bounds, to fuse into the layer's epilogue.
    fn fusable_activation(&mut self, id: OpId) -> (f32, f32) {
        let users = self.func.users(Value::Result(id, 0));
        let [(user, 0)] = users.as_slice() else { return (f32::NEG_INFINITY, f32::INFINITY) };
        let bounds = match self.func.op(*user).name.as_str() {
            nn::Relu::NAME => Some((0.0, f32::INFINITY)),
            nn::Relu6::NAME => Some((0.0, 6.0)),
            nn::Clip::NAME => self.scalar_clip(*user).ok().flatten(),
            _ => None,
        };
        match bounds {
            Some(b) => {
                self.fused.insert(*user);
                b
            }
            None => (f32::NEG_INFINITY, f32::INFINITY),
        }
    }

    /// The activation fused into `id`, if any, yields the same value.
    fn define_fused(&mut self, id: OpId, y: TVal) {
        if let [(user, 0)] = self.func.users(Value::Result(id, 0)).as_slice() {
            if self.fused.contains(user) {
                self.define(*user, y.clone());
            }
        }
        self.define(id, y);
    }

    fn conv2d_f(&mut self, id: OpId) -> Result<(), String> {
        let op = nn::Conv2d::cast(self.func, id).expect("nn.conv2d");
        let x = self.f32_operand(id, 0)?;
        let wshape = static_shape(self.func.value_type(op.weight()))?;
        let weights = self.floats(op.weight()).map_err(|e| format!("weight {e}"))?;
        let bias = match op.bias() {
            Some(b) => self.floats(b).map_err(|e| format!("bias {e}"))?,
            None => vec![0.0; wshape[0]],
        };
        let (lo, hi) = self.fusable_activation(id);
        let shape = static_shape(self.result_type(id))?;
        let attrs = (op.strides(), op.pads(), op.dilations(), op.groups());
        let y = self.conv(x, &wshape, shape, attrs, Elem::F32, ConvWeights::F(FConv { weights, bias, lo, hi }))?;
        self.define_fused(id, y);
        Ok(())
    }

    fn linear_f(&mut self, id: OpId) -> Result<(), String> {
        let operands = self.func.op(id).operands().to_vec();
        let x = self.f32_operand(id, 0)?;
        let m = static_shape(self.func.value_type(operands[1]))?[0];
        let weights = self.floats(operands[1]).map_err(|e| format!("weight {e}"))?;
        let bias = match operands.get(2) {
            Some(&b) => self.floats(b).map_err(|e| format!("bias {e}"))?,
            None => vec![0.0; m],
        };
        let (lo, hi) = self.fusable_activation(id);
        let y = self.linear(x, m, Elem::F32, ConvWeights::F(FConv { weights, bias, lo, hi }))?;
        self.define_fused(id, y);
        Ok(())
    }

    fn clamp_f(&mut self, id: OpId, lo: f32, hi: f32) -> Result<(), String> {
        let x = self.f32_operand(id, 0)?;
        let y = self.fresh(x.shape.clone(), x.layout, Elem::F32);
        self.push(Step::Map(MapStep { input: x.buf, output: y.buf, len: x.len(), op: MapOp::FClamp { lo, hi } }));
        self.define(id, y);
        Ok(())
    }

    /// The bounds of a clip whose bounds are single constants; `None` for per-channel ones.
    fn scalar_clip(&self, id: OpId) -> Result<Option<(f32, f32)>, String> {
        let operands = self.func.op(id).operands();
        let lo = self.floats(operands[1]).map_err(|e| format!("min {e}"))?;
        let hi = self.floats(operands[2]).map_err(|e| format!("max {e}"))?;
        Ok(match (lo.as_slice(), hi.as_slice()) {
            ([lo], [hi]) => Some((*lo, *hi)),
            _ => None,
        })
    }

    fn clip(&mut self, id: OpId) -> Result<(), String> {
        if let Some((lo, hi)) = self.scalar_clip(id)? {
            return self.clamp_f(id, lo, hi);
        }
        let operands = self.func.op(id).operands().to_vec();
        let lo = self.floats(operands[1])?;
        let hi = self.floats(operands[2])?;
        let x = self.f32_operand(id, 0)?;
        let channels = x.shape.get(1).copied().unwrap_or(1);
        let widen = |b: Vec<f32>| if b.len() == 1 { vec![b[0]; channels] } else { b };
        let (lo, hi) = (widen(lo), widen(hi));
        if lo.len() != channels || hi.len() != channels {
            return Err(format!("clip bounds must hold 1 or {channels} values"));
        }
        let tables = [self.pool.table(&lo), self.pool.table(&hi), 0];
        self.per_channel(id, x, ChannelKind::Clip, tables)
    }

    fn batch_norm(&mut self, id: OpId) -> Result<(), String> {
        let op = nn::BatchNorm::cast(self.func, id).expect("nn.batch_norm");
        let operands = self.func.op(id).operands().to_vec();
        let read = |i: usize| self.floats(operands[i]);
        let (scale, beta, mean, var) = (read(1)?, read(2)?, read(3)?, read(4)?);
        let eps = op.epsilon();
        // As the interpreter computes it: factor once per channel, then (x − mean)·factor + β.
        let factor: Vec<f32> = scale.iter().zip(&var).map(|(&g, &v)| g / (v + eps).sqrt()).collect();
        let x = self.f32_operand(id, 0)?;
        let tables = [self.pool.table(&mean), self.pool.table(&factor), self.pool.table(&beta)];
        self.per_channel(id, x, ChannelKind::BatchNorm, tables)
    }

    /// An elementwise op with per-channel constants, on channels-last data.
    fn per_channel(&mut self, id: OpId, x: TVal, kind: ChannelKind, tables: [i64; 3]) -> Result<(), String> {
        let x = match x.shape.len() {
            4 => self.in_layout(x, Layout::Nhwc),
            2 => x,
            r => return Err(format!("per-channel constants on a rank-{r} tensor are not supported by the JIT")),
        };
        let channels = x.shape[1];
        let y = self.fresh(x.shape.clone(), x.layout, Elem::F32);
        self.push(Step::Map(MapStep { input: x.buf, output: y.buf, len: x.len(), op: MapOp::FChannel { channels, kind, tables } }));
        self.define(id, y);
        Ok(())
    }

    fn binary_f(&mut self, id: OpId, op: BinaryOp) -> Result<(), String> {
        let (l, r) = (self.f32_operand(id, 0)?, self.f32_operand(id, 1)?);
        if l.shape != r.shape {
            return Err(format!("broadcasts {:?} with {:?}; the JIT supports equal shapes only", l.shape, r.shape));
        }
        let r = self.in_layout(r, l.layout);
        let y = self.fresh(l.shape.clone(), l.layout, Elem::F32);
        self.push(Step::Binary(BinaryStep { lhs: l.buf, rhs: r.buf, output: y.buf, len: l.len(), op }));
        self.define(id, y);
        Ok(())
    }
}
