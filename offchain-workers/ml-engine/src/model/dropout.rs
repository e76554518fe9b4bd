//! Dropout with masks from the project's seeded generator.
//!
//! During training each activation is kept when `below(1000) ≥ rate‰` (a draw from
//! [`Stream::Dropout`](crate::Stream::Dropout)) and scaled by `1000 / (1000 − rate)`, so the
//! expected activation is unchanged; at evaluation dropout is the identity. The mask is applied
//! with an element-wise product, which is exact, so dropout is reproducible in both modes.

use candle_core::Tensor;

use crate::SeededRng;

/// Applies dropout at `permille` to `xs` using `rng`; the identity when `rng` is `None`.
pub(crate) fn dropout(
	xs: &Tensor,
	permille: u16,
	rng: Option<&mut SeededRng>,
) -> candle_core::Result<Tensor> {
	let Some(rng) = rng else { return Ok(xs.clone()) };
	if permille == 0 {
		return Ok(xs.clone());
	}
	let scale = 1000.0f32 / (1000 - permille) as f32;
	let mask: Vec<f32> = (0..xs.elem_count())
		.map(|_| if rng.below(1000) >= permille as u64 { scale } else { 0.0 })
		.collect();
	xs.mul(&Tensor::from_vec(mask, xs.dims(), xs.device())?)
}
