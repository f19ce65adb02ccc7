//! The steps a compiled function runs, in order. Each is one parallel loop whose
//! iterations ("items") are independent: output rows, row panels, chunks.

use super::BufId;
use crate::kernels::dwconv::DwRowFn;

pub(crate) enum Step {
    Gemm(GemmStep),
    Window(WindowStep),
    GlobalPool(GlobalPoolStep),
    Map(MapStep),
    Binary(BinaryStep),
    Copy(CopyStep),
    Transpose(TransposeStep),
    Kernel(KernelStep),
}

/// `kernel(layer, input, output, begin, end)`: a precompiled kernel over items.
pub(crate) type KernelFn = unsafe extern "C" fn(*const u8, *const u8, *mut u8, u64, u64);

/// Items of a precompiled kernel (the input quantized straight to NHWC).
pub(crate) struct KernelStep {
    pub input: BufId,
    pub output: BufId,
    pub items: usize,
    pub layer: i64,
    pub kernel: KernelFn,
    pub what: String,
}

impl Step {
    pub fn items(&self) -> usize {
        match self {
            Step::Gemm(s) => s.groups * s.panels() * s.chunks(),
            Step::Window(s) => s.geom.n * s.geom.oh,
            Step::GlobalPool(s) => s.n,
            Step::Map(s) => match s.op {
                MapOp::FChannel { channels, .. } | MapOp::QChannelClamp { channels, .. } => {
                    (s.len / channels.max(1)).div_ceil(rows_per_item(channels))
                }
                _ => s.len.div_ceil(CHUNK),
            },
            Step::Binary(s) => s.len.div_ceil(CHUNK),
            Step::Copy(s) => s.outer.div_ceil(s.outer_per_item()),
            Step::Transpose(s) => s.n * s.rows,
            Step::Kernel(s) => s.items,
        }
    }

    /// A short description: kind and sizes.
    pub fn describe(&self) -> String {
        match self {
            Step::Gemm(s) => {
                let how = match &s.a {
                    GemmInput::Direct { .. } => "direct".to_string(),
                    GemmInput::Im2col(im) => format!("im2col {}x{} s{}", im.geom.kh, im.geom.kw, im.geom.sh),
                };
                format!("gemm {}x{}x{} groups {} ({how}), tiles {}x{}", s.rows, s.cols, s.k(), s.groups, s.panel_rows, s.col_chunk)
            }
            Step::Window(s) => {
                let g = s.geom;
                let what = match &s.op {
                    WindowOp::QDepthwise(_) | WindowOp::FDepthwise { .. } => "depthwise",
                    WindowOp::Max(_) => "max pool",
                    _ => "avg pool",
                };
                format!("{what} {}x{} s{} on {}x{}x{}x{}", g.kh, g.kw, g.sh, g.n, g.h, g.w, g.c)
            }
            Step::GlobalPool(s) => format!("global pool {}x{}x{}", s.n, s.hw, s.c),
            Step::Map(s) => format!("map {} elements", s.len),
            Step::Binary(s) => format!("binary {} elements", s.len),
            Step::Copy(s) => format!("copy {}x{}", s.outer, s.block),
            Step::Transpose(s) => format!("transpose {}x{}x{}", s.n, s.rows, s.cols),
            Step::Kernel(s) => s.what.clone(),
        }
    }

    /// Buffers read and written, for liveness.
    pub fn io(&self) -> (Vec<BufId>, BufId) {
        match self {
            Step::Gemm(s) => (vec![s.input], s.output),
            Step::Window(s) => (vec![s.input], s.output),
            Step::GlobalPool(s) => (vec![s.input], s.output),
            Step::Map(s) => (vec![s.input], s.output),
            Step::Binary(s) => (vec![s.lhs, s.rhs], s.output),
            Step::Copy(s) => (vec![s.input], s.output),
            Step::Transpose(s) => (vec![s.input], s.output),
            Step::Kernel(s) => (vec![s.input], s.output),
        }
    }

    /// Per-thread scratch bytes.
    pub fn scratch(&self) -> usize {
        match self {
            Step::Gemm(GemmStep { a: GemmInput::Im2col(im), panel_rows, esize, .. }) => panel_rows * im.kp * esize + 64,
            _ => 0,
        }
    }
}

/// Elements per item of flat elementwise loops.
pub(crate) const CHUNK: usize = 16384;

/// Rows of `channels` elements per item of per-channel loops.
pub(crate) fn rows_per_item(channels: usize) -> usize {
    (CHUNK / channels.max(1)).max(1)
}

/// Integer or f32 elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Num {
    U8,
    F32,
}

/// Where a GEMM's kernel comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum KernelRef {
    /// A precompiled Rust kernel at this address.
    Rust(i64),
    /// The Cranelift-generated integer tile over weights of depth `k16` (K
    /// rounded up to 16); each group's layer is a [`TileLayer`].
    Generated { k16: usize, out: OutRange },
}

/// What the generated tile reads per group: addresses of its weights (i16
/// w − z_w, [col][k16]), bias (i32, input zero point folded), the vector
/// rescale's per-column mult and round (i64), and its shift.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct TileLayer {
    pub weights: i64,
    pub bias: i64,
    pub mult: i64,
    pub round: i64,
    pub shift: i64,
}

/// A conv (1×1 directly, others through im2col) or linear layer: per group, rows
/// of A (output pixels) times the layer's weights, into columns g·cols.. of C.
pub(crate) struct GemmStep {
    pub input: BufId,
    pub output: BufId,
    pub esize: usize,
    pub kernel: KernelRef,
    /// Address of each group's layer (QGemmLayer or FGemmLayer).
    pub layers: Vec<i64>,
    /// A table of `layers` (for the generated code to index by group).
    pub layer_table: i64,
    pub rows: usize,
    pub depth: usize,
    /// Columns per group.
    pub cols: usize,
    pub groups: usize,
    /// Output row stride (all groups' columns), elements.
    pub ldc: usize,
    pub a: GemmInput,
    pub panel_rows: usize,
    pub col_chunk: usize,
}

impl GemmStep {
    /// The dot-product depth.
    pub fn k(&self) -> usize {
        match &self.a {
            GemmInput::Direct { .. } => self.depth,
            GemmInput::Im2col(im) => im.k,
        }
    }

    pub fn panels(&self) -> usize {
        self.rows.div_ceil(self.panel_rows)
    }

    pub fn chunks(&self) -> usize {
        self.cols.div_ceil(self.col_chunk)
    }
}

pub(crate) enum GemmInput {
    /// A is the input: row r at r·lda, group g's columns from g·group_offset (elements).
    Direct { lda: usize, group_offset: usize },
    Im2col(Im2col),
}

/// Gathering conv windows of an NHWC input into rows of (ky, kx, c) elements.
#[derive(Clone, Debug)]
pub(crate) struct Im2col {
    pub geom: Geom,
    /// Channels of one group.
    pub cg: usize,
    /// Row length: kh·kw·cg.
    pub k: usize,
    /// Row stride of the scratch matrix, ≥ k.
    pub kp: usize,
    /// What padded positions hold: the input zero point, or 0.0 (as bits).
    pub fill: u32,
}

/// Sizes of a window op (conv or pool) on an NHWC tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Geom {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub oh: usize,
    pub ow: usize,
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
    pub dh: usize,
    pub dw: usize,
    /// Padding before the first row and column.
    pub pt: usize,
    pub pl: usize,
}

impl Geom {
    /// The taps of the window axis (0 rows, 1 columns) that read inside the input
    /// at output position `o`.
    pub fn valid_taps(&self, axis: usize, o: usize) -> Vec<usize> {
        let (k, s, d, p, size) = if axis == 0 {
            (self.kh, self.sh, self.dh, self.pt, self.h)
        } else {
            (self.kw, self.sw, self.dw, self.pl, self.w)
        };
        (0..k).filter(|&t| (o * s + t * d).checked_sub(p).is_some_and(|i| i < size)).collect()
    }

    /// Output positions along an axis whose every tap is valid: [lo, hi).
    pub fn interior(&self, axis: usize) -> (usize, usize) {
        let (k, out) = if axis == 0 { (self.kh, self.oh) } else { (self.kw, self.ow) };
        let full = |o: usize| self.valid_taps(axis, o).len() == k;
        let lo = (0..out).find(|&o| full(o)).unwrap_or(out);
        let hi = (lo..out).find(|&o| !full(o)).unwrap_or(out);
        // Positions past a gap are handled as border positions.
        (lo, hi)
    }
}

/// Depthwise conv or pooling on NHWC data, vectorized over channels.
pub(crate) struct WindowStep {
    pub input: BufId,
    pub output: BufId,
    pub geom: Geom,
    pub op: WindowOp,
}

pub(crate) enum WindowOp {
    /// Σ_taps x·w'[tap][c] + bias'(taps) with w' = w − z_w[c], then rescaled.
    QDepthwise(QDepthwise),
    /// bias[c] + Σ_taps x·w[tap][c], clamped (a fused activation).
    FDepthwise { weights: Vec<f32>, bias: Vec<f32>, lo: f32, hi: f32 },
    /// Max of the valid taps (padding never wins).
    Max(Num),
    /// Integer average: Σ (x − z) over the valid taps, rescaled by the count's multiplier.
    QAvg { zero: i32, count_include_pad: bool, scales: (f64, f64), out: OutRange },
    /// f32 average: sum / count.
    FAvg { count_include_pad: bool },
}

pub(crate) struct QDepthwise {
    /// A precompiled row kernel (`kernels::dwconv`) and its layer, for the
    /// AVX-512 and AVX2 families; else the rows are generated code.
    pub kernel: Option<(i64, DwRowFn)>,
    /// w − z_w[c], [tap][c].
    pub weights: Vec<i32>,
    pub bias: Vec<i32>,
    pub input_zero: i32,
    pub requant: Vec<(i32, i32)>,
    pub out: OutRange,
}

/// clamp(zero + r, lo, hi), in the stored u8 domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OutRange {
    pub zero: i32,
    pub lo: i32,
    pub hi: i32,
}

/// Mean over all spatial positions of each channel of an NHWC image.
pub(crate) struct GlobalPoolStep {
    pub input: BufId,
    pub output: BufId,
    pub n: usize,
    pub c: usize,
    pub hw: usize,
    pub op: GlobalOp,
}

pub(crate) enum GlobalOp {
    Q { zero: i32, requant: (i32, i32), out: OutRange },
    F,
}

/// y = f(x) elementwise over `len` elements.
pub(crate) struct MapStep {
    pub input: BufId,
    pub output: BufId,
    pub len: usize,
    pub op: MapOp,
}

pub(crate) enum MapOp {
    /// u8 → u8 through a 256-entry table (requantize, clamp, i8 import/export).
    Lut(i64),
    /// f32 → stored u8: clamp(round_half_even(x / scale) + zero, lo, hi).
    Quantize { scale: f32, zero: i32, lo: i32, hi: i32 },
    /// stored u8 → f32: (q − zero)·scale.
    Dequantize { scale: f32, zero: i32 },
    /// min(max(x, lo), hi).
    FClamp { lo: f32, hi: f32 },
    /// Per channel (the last axis in memory, `channels` long): a batch norm
    /// (x − mean)·factor + beta, or a clip to [lo, hi]; tables of f32.
    FChannel { channels: usize, kind: ChannelKind, tables: [i64; 3] },
    /// Stored u8 clamped per channel (the last axis in memory, `channels` long)
    /// to [lo[c], hi[c]]; `tables` are the u8 bound tables lo and hi.
    QChannelClamp { channels: usize, tables: [i64; 2] },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChannelKind {
    BatchNorm,
    Clip,
}

/// z = f(x, y) elementwise over equal shapes.
pub(crate) struct BinaryStep {
    pub lhs: BufId,
    pub rhs: BufId,
    pub output: BufId,
    pub len: usize,
    pub op: BinaryOp,
}

pub(crate) enum BinaryOp {
    /// qnn.add through a 256×256 table of the exact result.
    QAddLut(i64),
    FAdd,
    FMul,
}

/// For each of `outer` blocks: `block` elements from input offset o·in_stride to
/// output offset out_offset + o·out_stride (elements), optionally through a u8 table.
pub(crate) struct CopyStep {
    pub input: BufId,
    pub output: BufId,
    pub esize: usize,
    pub outer: usize,
    pub block: usize,
    pub in_stride: usize,
    pub out_stride: usize,
    pub out_offset: usize,
    pub lut: Option<i64>,
}

impl CopyStep {
    pub fn outer_per_item(&self) -> usize {
        (CHUNK / self.block.max(1)).max(1)
    }
}

/// Per image, an (rows × cols) matrix transposed: NCHW ↔ NHWC.
pub(crate) struct TransposeStep {
    pub input: BufId,
    pub output: BufId,
    pub esize: usize,
    pub n: usize,
    pub rows: usize,
    pub cols: usize,
}

/// The exact multiplier of a window or pool average, by count.
pub(crate) fn avg_rescale(scales: (f64, f64), count: usize) -> Result<(i32, i32), String> {
    let real = scales.0 / (scales.1 * count as f64);
    dfq_interp::quant::Requantizer::new(real).map(|r| (r.multiplier, r.shift))
}
