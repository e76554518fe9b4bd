//! A convolution block: `maxpool₂ₓ₂(relu(conv(x, w) + b))`, parameters `{prefix}.weight:
//! [out, in, k, k]` and `{prefix}.bias: [out]`.

use candle_core::Tensor;
use candle_nn::VarBuilder;

use crate::{config::ConvGeometry, ops, Mode};

/// A conv → ReLU → 2×2 max-pool block.
#[derive(Clone, Debug)]
pub struct ConvPool {
	weight: Tensor,
	bias: Tensor,
	padding: usize,
}

/// The block described by `g`, with parameters from `vb`.
pub(crate) fn conv_pool(g: &ConvGeometry, vb: VarBuilder) -> candle_core::Result<ConvPool> {
	Ok(ConvPool {
		weight: vb.get((g.out_channels, g.in_channels, g.kernel, g.kernel), "weight")?,
		bias: vb.get(g.out_channels, "bias")?,
		padding: g.padding,
	})
}

impl ConvPool {
	/// `xs: [B, C, H, W]` → `[B, O, ⌊(H + 2p − k + 1)/2⌋, ⌊(W + 2p − k + 1)/2⌋]`.
	pub fn forward(&self, xs: &Tensor, mode: Mode) -> candle_core::Result<Tensor> {
		let ys = ops::conv2d(xs, &self.weight, &self.bias, self.padding, mode)?;
		ops::max_pool2x2(&ops::relu(&ys, mode)?, mode)
	}
}
