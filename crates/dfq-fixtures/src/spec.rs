//! Layer descriptions handed to [`crate::NetBuilder`], built fluently:
//! `Conv::new(32, 3).stride(2).same_pad().named("stem")`.

/// A 2-D convolution. Defaults: stride 1, no padding, no dilation, one group,
/// no bias (MobileNet convs are followed by batch norm).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conv {
    pub out_channels: i64,
    pub kernel: [i64; 2],
    pub strides: [i64; 2],
    /// Top, left, bottom, right.
    pub pads: [i64; 4],
    pub dilations: [i64; 2],
    pub groups: i64,
    pub bias: bool,
    /// Layer name; weight constants are `{name}_w` and `{name}_b`.
    pub name: Option<String>,
}

impl Conv {
    pub fn new(out_channels: i64, kernel: i64) -> Conv {
        Conv {
            out_channels,
            kernel: [kernel; 2],
            strides: [1; 2],
            pads: [0; 4],
            dilations: [1; 2],
            groups: 1,
            bias: false,
            name: None,
        }
    }

    /// A 1×1 conv.
    pub fn pointwise(out_channels: i64) -> Conv {
        Conv::new(out_channels, 1)
    }

    /// One filter per channel, padded to keep the size at stride 1.
    pub fn depthwise(channels: i64, kernel: i64) -> Conv {
        Conv::new(channels, kernel).groups(channels).same_pad()
    }

    pub fn kernel_hw(mut self, kh: i64, kw: i64) -> Conv {
        self.kernel = [kh, kw];
        self
    }

    pub fn stride(mut self, stride: i64) -> Conv {
        self.strides = [stride; 2];
        self
    }

    /// The same padding on all four sides.
    pub fn pad(mut self, pad: i64) -> Conv {
        self.pads = [pad; 4];
        self
    }

    /// Top, left, bottom, right.
    pub fn pads(mut self, pads: [i64; 4]) -> Conv {
        self.pads = pads;
        self
    }

    /// Symmetric padding that keeps the size at stride 1 (odd effective kernels).
    pub fn same_pad(mut self) -> Conv {
        let [ph, pw] = [0, 1].map(|i| self.dilations[i] * (self.kernel[i] - 1) / 2);
        self.pads = [ph, pw, ph, pw];
        self
    }

    pub fn dilation(mut self, dilation: i64) -> Conv {
        self.dilations = [dilation; 2];
        self
    }

    pub fn groups(mut self, groups: i64) -> Conv {
        self.groups = groups;
        self
    }

    pub fn bias(mut self, bias: bool) -> Conv {
        self.bias = bias;
        self
    }

    pub fn named(mut self, name: impl Into<String>) -> Conv {
        self.name = Some(name.into());
        self
    }

    /// One filter per input channel.
    pub fn is_depthwise(&self, in_channels: i64) -> bool {
        self.groups > 1 && self.groups == in_channels && self.groups == self.out_channels
    }
}

/// A fully connected layer, `(N, K) → (N, M)`. Bias on by default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linear {
    pub out_features: i64,
    pub bias: bool,
    /// Layer name; weight constants are `{name}_w` and `{name}_b`.
    pub name: Option<String>,
}

impl Linear {
    pub fn new(out_features: i64) -> Linear {
        Linear { out_features, bias: true, name: None }
    }

    pub fn bias(mut self, bias: bool) -> Linear {
        self.bias = bias;
        self
    }

    pub fn named(mut self, name: impl Into<String>) -> Linear {
        self.name = Some(name.into());
        self
    }
}

/// A max or average pooling window. Defaults: stride = kernel, no padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool {
    pub kernel: [i64; 2],
    pub strides: [i64; 2],
    /// Top, left, bottom, right.
    pub pads: [i64; 4],
}

impl Pool {
    pub fn new(kernel: i64) -> Pool {
        Pool { kernel: [kernel; 2], strides: [kernel; 2], pads: [0; 4] }
    }

    pub fn stride(mut self, stride: i64) -> Pool {
        self.strides = [stride; 2];
        self
    }

    pub fn pads(mut self, pads: [i64; 4]) -> Pool {
        self.pads = pads;
        self
    }
}

/// The activations MobileNets use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Relu6,
}

impl Activation {
    pub fn op_name(self) -> &'static str {
        match self {
            Activation::Relu => "nn.relu",
            Activation::Relu6 => "nn.relu6",
        }
    }

    /// The output interval.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Activation::Relu => (0.0, f64::INFINITY),
            Activation::Relu6 => (0.0, 6.0),
        }
    }
}
