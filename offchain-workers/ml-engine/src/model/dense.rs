//! A fully connected layer, `y = x · wᵀ + b`, with parameters `{prefix}.weight: [out, in]` and
//! `{prefix}.bias: [out]`.

use candle_core::Tensor;
use candle_nn::VarBuilder;

use crate::{ops, Mode};

/// A fully connected layer.
#[derive(Clone, Debug)]
pub struct Dense {
	weight: Tensor,
	bias: Tensor,
}

/// The layer `in_dim → out_dim` whose parameters `vb` holds under `weight` and `bias`.
pub fn dense(in_dim: usize, out_dim: usize, vb: VarBuilder) -> candle_core::Result<Dense> {
	Ok(Dense { weight: vb.get((out_dim, in_dim), "weight")?, bias: vb.get(out_dim, "bias")? })
}

impl Dense {
	/// `xs: [B, in]` → `[B, out]`.
	pub fn forward(&self, xs: &Tensor, mode: Mode) -> candle_core::Result<Tensor> {
		ops::linear(xs, &self.weight, &self.bias, mode)
	}
}
