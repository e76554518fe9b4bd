//! Softmax cross-entropy with `exp`/`log` from the pure-Rust `libm` crate.
//!
//! For logits `z ∈ ℝ^{B×C}` and labels `y`:
//!
//! ```text
//! mᵢ = maxⱼ zᵢⱼ,   sᵢ = Σⱼ exp(zᵢⱼ − mᵢ),   ℓᵢ = mᵢ + log sᵢ − z_{i,yᵢ}
//! loss = (Σᵢ ℓᵢ) / B,   ∂loss/∂zᵢⱼ = (exp(zᵢⱼ − mᵢ)/sᵢ − [j = yᵢ]) / B
//! ```
//!
//! Sums run sequentially in index order.

/// Per-sample losses `ℓᵢ` of `logits: rows×classes` against `labels` (each `< classes`).
pub fn softmax_cross_entropy(logits: &[f32], labels: &[u32], classes: usize) -> Vec<f32> {
	assert_eq!(logits.len(), labels.len() * classes, "softmax_cross_entropy: shape mismatch");
	logits
		.chunks_exact(classes.max(1))
		.zip(labels)
		.map(|(row, &label)| {
			let max = row_max(row);
			let mut sum = 0.0f32;
			for &z in row {
				sum += libm::expf(z - max);
			}
			max + libm::logf(sum) - row[label as usize]
		})
		.collect()
}

/// Gradient of the mean loss with respect to the logits, scaled by `grad_scale / rows`.
pub fn softmax_cross_entropy_backward(
	logits: &[f32],
	labels: &[u32],
	classes: usize,
	grad_scale: f32,
) -> Vec<f32> {
	assert_eq!(
		logits.len(),
		labels.len() * classes,
		"softmax_cross_entropy_backward: shape mismatch"
	);
	let scale = grad_scale / labels.len().max(1) as f32;
	let mut out = Vec::with_capacity(logits.len());
	for (row, &label) in logits.chunks_exact(classes.max(1)).zip(labels) {
		let max = row_max(row);
		let exps: Vec<f32> = row.iter().map(|&z| libm::expf(z - max)).collect();
		let mut sum = 0.0f32;
		for &e in &exps {
			sum += e;
		}
		for (j, &e) in exps.iter().enumerate() {
			let target = if j == label as usize { 1.0 } else { 0.0 };
			out.push((e / sum - target) * scale);
		}
	}
	out
}

fn row_max(row: &[f32]) -> f32 {
	row.iter().copied().fold(f32::NEG_INFINITY, |m, z| if z > m { z } else { m })
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn loss_and_gradient_match_the_definition() {
		let logits = [1.0f32, 2.0, 3.0, 0.0, 0.0, 0.0];
		let labels = [2u32, 0];
		let losses = softmax_cross_entropy(&logits, &labels, 3);
		let want0 = -(3.0f64.exp() / (1f64.exp() + 2f64.exp() + 3f64.exp())).ln();
		assert!((losses[0] as f64 - want0).abs() < 1e-6);
		assert!((losses[1] as f64 - 3f64.ln()).abs() < 1e-6);
		let grad = softmax_cross_entropy_backward(&logits, &labels, 3, 1.0);
		let row_sums: Vec<f32> = grad.chunks(3).map(|r| r.iter().sum()).collect();
		assert!(row_sums.iter().all(|s| s.abs() < 1e-6));
		assert!((grad[3] - (1.0 / 3.0 - 1.0) / 2.0).abs() < 1e-6);
	}
}
