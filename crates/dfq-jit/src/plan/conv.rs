//! Convolutions and fully connected layers, integer and f32: depthwise convs
//! become window steps, everything else a GEMM (1×1 convs directly on the NHWC
//! input, others through im2col), with weights packed for the chosen kernel.

use super::rescale::SimdRescale;
use super::steps::{GemmInput, GemmStep, Geom, Im2col, KernelRef, OutRange, QDepthwise, Step, TileLayer, WindowOp, WindowStep};
use super::{Elem, Layout, Planner, TVal};
use crate::kernels::dwconv::DwLayer;
use crate::kernels::qgemm::{QGemmSpec, QKernel};

/// An integer layer's constants, output channels first (weights OIHW or (M, K)).
pub(super) struct QConv {
    pub weights: Vec<i8>,
    pub weight_zeros: Vec<i32>,
    pub bias: Vec<i32>,
    pub input_zero: i32,
    pub requant: Vec<(i32, i32)>,
    pub out: OutRange,
}

/// An f32 layer's constants and its fused clamp.
pub(super) struct FConv {
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    pub lo: f32,
    pub hi: f32,
}

pub(super) enum ConvWeights {
    Q(QConv),
    F(FConv),
}

/// The window geometry of an NCHW `input` and `output` shape.
pub(super) fn geom(input: &[usize], kernel: [usize; 2], output: &[usize], strides: &[i64], pads: &[i64], dilations: &[i64]) -> Result<Geom, String> {
    let nonneg = |name: &str, v: &[i64], n: usize| -> Result<Vec<usize>, String> {
        let out: Option<Vec<usize>> = v.iter().map(|&x| usize::try_from(x).ok()).collect();
        out.filter(|o| o.len() == n).ok_or_else(|| format!("attribute '{name}' must hold {n} values ≥ 0, got {v:?}"))
    };
    if input.len() != 4 || output.len() != 4 {
        return Err(format!("needs 4-D (N, C, H, W) tensors, got shapes {input:?} and {output:?}"));
    }
    let (s, p, d) = (nonneg("strides", strides, 2)?, nonneg("pads", pads, 4)?, nonneg("dilations", dilations, 2)?);
    Ok(Geom {
        n: input[0],
        c: input[1],
        h: input[2],
        w: input[3],
        oh: output[2],
        ow: output[3],
        kh: kernel[0],
        kw: kernel[1],
        sh: s[0],
        sw: s[1],
        dh: d[0],
        dw: d[1],
        pt: p[0],
        pl: p[1],
    })
}

type ConvAttrs<'a> = (&'a [i64], &'a [i64], &'a [i64], i64);

impl Planner<'_> {
    /// A conv of `x` by weights of shape (O, C / groups, KH, KW).
    pub(super) fn conv(&mut self, x: TVal, wshape: &[usize], out_shape: Vec<usize>, (strides, pads, dilations, groups): ConvAttrs, elem: Elem, w: ConvWeights) -> Result<TVal, String> {
        let [o, cg, kh, kw] = <[usize; 4]>::try_from(wshape).map_err(|_| format!("weight must be 4-D (O, C / groups, KH, KW), got {wshape:?}"))?;
        let geom = geom(&x.shape, [kh, kw], &out_shape, strides, pads, dilations)?;
        let groups = usize::try_from(groups).ok().filter(|&g| g >= 1 && geom.c % g == 0 && o % g == 0 && geom.c / g == cg);
        let groups = groups.ok_or_else(|| format!("groups must divide the {} input and {o} output channels", geom.c))?;
        let x = self.in_layout(x, Layout::Nhwc);
        let x = self.in_arena(x);
        let y = self.fresh(out_shape, Layout::Nhwc, elem);
        if groups == geom.c && cg == 1 && o == geom.c {
            let mut op = depthwise(w, o, kh * kw);
            if let (WindowOp::QDepthwise(dw), Some(isa)) = (&mut op, self.qkernel.and_then(QKernel::depthwise)) {
                dw.kernel = Some((self.pool.dwlayer(DwLayer::new(geom, dw, isa)), DwLayer::entry(isa)));
            }
            self.push(Step::Window(WindowStep { input: x.buf, output: y.buf, geom, op }));
            return Ok(y);
        }
        let k = kh * kw * cg;
        let direct = kh == 1 && kw == 1 && geom.sh == 1 && geom.sw == 1 && geom.pt == 0 && geom.pl == 0 && geom.oh == geom.h && geom.ow == geom.w;
        let esize = elem.size();
        let a = if direct {
            GemmInput::Direct { lda: geom.c, group_offset: cg }
        } else {
            let (kp, fill) = match &w {
                ConvWeights::Q(q) => (k.div_ceil(4) * 4, q.input_zero as u32),
                ConvWeights::F(_) => (k, 0f32.to_bits()),
            };
            GemmInput::Im2col(Im2col { geom, cg, k, kp, fill })
        };
        // Weights (O, Cg, KH, KW) to rows in im2col order (ky, kx, c).
        let w = match w {
            ConvWeights::Q(q) => ConvWeights::Q(QConv { weights: reorder(&q.weights, o, cg, kh * kw), ..q }),
            ConvWeights::F(f) => ConvWeights::F(FConv { weights: reorder(&f.weights, o, cg, kh * kw), ..f }),
        };
        let rows = geom.n * geom.oh * geom.ow;
        self.gemm(&x, &y, rows, o / groups, k, groups, a, o, w, esize)?;
        Ok(y)
    }

    /// (N, K) by weights (M, K).
    pub(super) fn linear(&mut self, x: TVal, m: usize, elem: Elem, w: ConvWeights) -> Result<TVal, String> {
        let x = self.in_layout(x, Layout::RowMajor);
        let x = self.in_arena(x);
        let [n, k] = <[usize; 2]>::try_from(x.shape.as_slice()).map_err(|_| format!("input must be 2-D (N, K), got {:?}", x.shape))?;
        let y = self.fresh(vec![n, m], Layout::RowMajor, elem);
        self.gemm(&x, &y, n, m, k, 1, GemmInput::Direct { lda: k, group_offset: 0 }, m, w, elem.size())?;
        Ok(y)
    }

    #[allow(clippy::too_many_arguments)]
    fn gemm(&mut self, x: &TVal, y: &TVal, rows: usize, cols: usize, k: usize, groups: usize, a: GemmInput, ldc: usize, w: ConvWeights, esize: usize) -> Result<(), String> {
        let (kernel, block, layers) = match w {
            ConvWeights::Q(q) if self.qkernel.is_none() => {
                let layers = (0..groups).map(|g| self.tile_layer(&q, g * cols..(g + 1) * cols, k)).collect::<Result<Vec<i64>, String>>()?;
                (KernelRef::Generated { k16: k.div_ceil(16) * 16, out: q.out }, 4, layers)
            }
            ConvWeights::Q(q) => {
                let family = self.qkernel.unwrap_or(QKernel::Portable);
                let layers: Vec<i64> = (0..groups)
                    .map(|g| {
                        let cs = g * cols..(g + 1) * cols;
                        let spec = QGemmSpec {
                            n: cols,
                            k,
                            weights: q.weights[cs.start * k..cs.end * k].to_vec(),
                            weight_zeros: q.weight_zeros[cs.clone()].to_vec(),
                            bias: q.bias[cs.clone()].to_vec(),
                            input_zero: q.input_zero,
                            requant: q.requant[cs].to_vec(),
                            output: (q.out.zero, q.out.lo, q.out.hi),
                        };
                        self.pool.qlayer(family.build(&spec))
                    })
                    .collect();
                (KernelRef::Rust(family.entry() as usize as i64), family.block(), layers)
            }
            ConvWeights::F(f) => {
                let family = self.fkernel;
                let layers: Vec<i64> = (0..groups)
                    .map(|g| {
                        let cs = g * cols..(g + 1) * cols;
                        let layer = family.build(cols, k, &f.weights[cs.start * k..cs.end * k], &f.bias[cs], (f.lo, f.hi));
                        self.pool.flayer(layer)
                    })
                    .collect();
                (KernelRef::Rust(family.entry() as usize as i64), family.block(), layers)
            }
        };
        let layer_table = self.pool.table(&layers);
        let (panel_rows, col_chunk) = self.tiles(rows, cols, k, groups, esize, block, &a);
        self.push(Step::Gemm(GemmStep {
            input: x.buf,
            output: y.buf,
            esize,
            kernel,
            layers,
            layer_table,
            rows,
            depth: k,
            cols,
            groups,
            ldc,
            a,
            panel_rows,
            col_chunk,
        }));
        Ok(())
    }

    /// The generated tile's constants for output columns `cols` (see [`TileLayer`]).
    fn tile_layer(&mut self, q: &QConv, cols: std::ops::Range<usize>, k: usize) -> Result<i64, String> {
        let k16 = k.div_ceil(16) * 16;
        let n = cols.len();
        let mut weights = vec![0i16; (n.div_ceil(4) * 4) * k16];
        let mut bias = vec![0i32; n.div_ceil(4) * 4];
        let mut bounds = Vec::with_capacity(n);
        for (j, o) in cols.clone().enumerate() {
            let w: Vec<i16> = q.weights[o * k..(o + 1) * k].iter().map(|&v| i16::from(v) - q.weight_zeros[o] as i16).collect();
            let sum: i64 = w.iter().map(|&v| i64::from(v)).sum();
            bias[j] = (i64::from(q.bias[o]) - i64::from(q.input_zero) * sum) as i32;
            bounds.push(i64::from(q.bias[o]).abs() + 255 * w.iter().map(|&v| i64::from(v).abs()).sum::<i64>());
            weights[j * k16..j * k16 + k].copy_from_slice(&w);
        }
        let simd = SimdRescale::new(&q.requant[cols], &bounds).ok_or("the Cranelift GEMM tile cannot rescale this layer exactly in vectors")?;
        let pad = |v: Vec<i64>| v.into_iter().chain(std::iter::repeat_n(0, 4)).collect::<Vec<i64>>();
        let layer = TileLayer {
            weights: self.pool.table(&weights),
            bias: self.pool.table(&bias),
            mult: self.pool.table(&pad(simd.mult)),
            round: self.pool.table(&pad(simd.round)),
            shift: i64::from(simd.shift),
        };
        Ok(self.pool.table(&[layer]))
    }

    /// Row panels and column chunks: panels of im2col rows fit in L2 with the
    /// weights, weight chunks of direct GEMMs stay in L2, and there are enough
    /// items of equal size (a multiple of the thread count, or many) to keep
    /// every thread busy.
    #[allow(clippy::too_many_arguments)]
    fn tiles(&self, rows: usize, cols: usize, k: usize, groups: usize, esize: usize, block: usize, a: &GemmInput) -> (usize, usize) {
        const MR: usize = 12;
        let im2col = matches!(a, GemmInput::Im2col(_));
        let panel = if im2col { ((64 << 10) / (k.max(1) * esize)).clamp(MR, 96) } else { 96 };
        let chunk = if im2col { cols } else { ((256 << 10) / (k.max(1) * esize)).max(block) };
        let mut panels = rows.div_ceil(panel).max(1);
        let mut chunks = cols.div_ceil(chunk).max(1);
        let threads = self.threads;
        let balanced = |p: usize, c: usize| {
            let items = groups * p * c;
            threads == 1 || items >= 8 * threads || items.is_multiple_of(threads) && items >= 2 * threads
        };
        while !balanced(panels, chunks) {
            if rows / (panels + 1) >= MR {
                panels += 1;
            } else if !im2col && cols.div_ceil(block) > chunks {
                chunks += 1;
            } else {
                break;
            }
        }
        (rows.div_ceil(panels).next_multiple_of(MR).min(rows.next_multiple_of(MR)), cols.div_ceil(chunks).next_multiple_of(block))
    }
}

/// Weights (O, Cg, T) to (O, T, Cg).
fn reorder<T: Copy>(src: &[T], o: usize, cg: usize, taps: usize) -> Vec<T> {
    (0..o).flat_map(|oc| (0..taps).flat_map(move |t| (0..cg).map(move |c| src[(oc * cg + c) * taps + t]))).collect()
}

/// A depthwise conv's window op: weights as [tap][channel].
fn depthwise(w: ConvWeights, channels: usize, taps: usize) -> WindowOp {
    match w {
        ConvWeights::Q(q) => {
            let weights = (0..taps)
                .flat_map(|t| (0..channels).map(move |c| (c, t)))
                .map(|(c, t)| i32::from(q.weights[c * taps + t]) - q.weight_zeros[c])
                .collect();
            WindowOp::QDepthwise(QDepthwise { kernel: None, weights, bias: q.bias, input_zero: q.input_zero, requant: q.requant, out: q.out })
        }
        ConvWeights::F(f) => {
            let weights = (0..taps).flat_map(|t| (0..channels).map(move |c| (c, t))).map(|(c, t)| f.weights[c * taps + t]).collect();
            WindowOp::FDepthwise { weights, bias: f.bias, lo: f.lo, hi: f.hi }
        }
    }
}
