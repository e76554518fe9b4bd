//! Evaluation (accuracy and loss on a data set) and inference (logits and labels of a batch),
//! with integer encodings for the chain.
//!
//! In [`Mode::Deterministic`] every sample's logits are computed by fixed-order dot products that
//! involve only that sample, so results do not depend on the batch size or on which other
//! samples share the batch: a verifier may recompute any single sample. Per-sample losses use
//! `libm`'s `exp`/`log` in both modes and are summed in sample order in `f64`.
//!
//! ```rust
//! use swarm_ml::{data::Dataset, evaluate, infer, Mode, Model, ModelConfig, Seed, Weights};
//! let config = ModelConfig::fashion_mnist_mlp();
//! let model = Model::new(&config, &Weights::init(&config, &Seed::from(1))?)?;
//! let data = Dataset::synthetic(&Seed::from(2), 20, config.input(), 10)?;
//! let report = evaluate(&model, &data, Mode::Deterministic, 8)?;
//! assert_eq!(report.total, 20);
//! let (xs, _) = data.batch(&[0, 1, 2])?;
//! let out = infer(&model, &xs, 3, Mode::Deterministic)?;
//! assert_eq!(out.labels.len(), 3);
//! assert_eq!(out.logits_fixed().len(), 30);
//! # Ok::<(), swarm_ml::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::{
	data::Dataset,
	fixed::{logit_to_fixed, parts_per_billion, to_micro},
	hash::blake2_256,
	kernels::softmax_cross_entropy,
	train::argmax_rows,
	Error, Hash, Mode, Model, Result,
};

/// Accuracy and loss of a model on a data set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
	/// Samples whose arg-max logit (first on ties) equals the label.
	pub correct: u64,
	/// Samples evaluated.
	pub total: u64,
	/// Sum of per-sample cross-entropy losses, in sample order.
	pub loss_sum: f64,
}

impl EvalReport {
	/// `correct / total` as a float (for display).
	pub fn accuracy(&self) -> f64 {
		if self.total == 0 {
			0.0
		} else {
			self.correct as f64 / self.total as f64
		}
	}

	/// Accuracy in parts per billion (maps onto Substrate's `Perbill`).
	pub fn accuracy_ppb(&self) -> u32 {
		parts_per_billion(self.correct, self.total)
	}

	/// Mean loss.
	pub fn mean_loss(&self) -> f64 {
		if self.total == 0 {
			0.0
		} else {
			self.loss_sum / self.total as f64
		}
	}

	/// Mean loss in micro-units, `round(mean_loss · 10⁶)`.
	pub fn mean_loss_micro(&self) -> u64 {
		to_micro(self.mean_loss())
	}

	/// Accuracy and mean loss as the chain records them (`swarm_primitives::metrics`: names
	/// and nine-decimal values, the model registry's `FixedI64`), ready for `publish_version`.
	pub fn chain_metrics(&self) -> [(&'static [u8], i64); 2] {
		use swarm_primitives::metrics;
		[
			(metrics::ACCURACY, metrics::accuracy_from_ppb(self.accuracy_ppb())),
			(metrics::LOSS, metrics::from_micro(self.mean_loss_micro())),
		]
	}
}

/// Evaluates `model` on `data` in batches of `batch_size`.
pub fn evaluate(
	model: &Model,
	data: &Dataset,
	mode: Mode,
	batch_size: usize,
) -> Result<EvalReport> {
	let config = model.config();
	if data.shape() != config.input() || data.classes() > config.classes() {
		return Err(Error::InvalidInput(format!(
			"data ({:?}, {} classes) does not fit the model ({:?}, {} classes)",
			data.shape(),
			data.classes(),
			config.input(),
			config.classes()
		)));
	}
	let classes = config.classes();
	let mut report = EvalReport { correct: 0, total: 0, loss_sum: 0.0 };
	let indices: Vec<usize> = (0..data.len()).collect();
	for chunk in indices.chunks(batch_size.max(1)) {
		let (xs, ys) = data.batch(chunk)?;
		let logits = model.logits(&xs, chunk.len(), mode)?;
		for loss in softmax_cross_entropy(&logits, &ys, classes) {
			report.loss_sum += loss as f64;
		}
		report.correct +=
			argmax_rows(&logits, classes).zip(&ys).filter(|(p, y)| p == *y).count() as u64;
		report.total += chunk.len() as u64;
	}
	Ok(report)
}

/// Logits and predicted labels of a batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inference {
	/// Classes per sample.
	pub classes: usize,
	/// Logits, `samples × classes`, row-major.
	pub logits: Vec<f32>,
	/// Arg-max class of each sample (first on ties).
	pub labels: Vec<u32>,
}

impl Inference {
	/// Logits in Q15.16 fixed point ([`logit_to_fixed`]).
	pub fn logits_fixed(&self) -> Vec<i32> {
		self.logits.iter().map(|&z| logit_to_fixed(z)).collect()
	}

	/// blake2-256 over the labels (`u32` LE) followed by the fixed-point logits (`i32` LE): what
	/// nodes compare for an inference task.
	pub fn output_hash(&self) -> Hash {
		let mut bytes = Vec::with_capacity(4 * (self.labels.len() + self.logits.len()));
		for y in &self.labels {
			bytes.extend(y.to_le_bytes());
		}
		for q in self.logits_fixed() {
			bytes.extend(q.to_le_bytes());
		}
		blake2_256(&bytes)
	}
}

/// Runs `model` on `batch` samples given as `batch × input length` values.
pub fn infer(model: &Model, inputs: &[f32], batch: usize, mode: Mode) -> Result<Inference> {
	let classes = model.config().classes();
	let logits = model.logits(inputs, batch, mode)?;
	let labels = argmax_rows(&logits, classes).collect();
	Ok(Inference { classes, logits, labels })
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn chain_metrics_are_nine_decimal_values_the_registry_reads_back() {
		let report = EvalReport { correct: 8812, total: 10_000, loss_sum: 3_456.789 };
		let [(accuracy_name, accuracy), (loss_name, loss)] = report.chain_metrics();
		assert_eq!((accuracy_name, accuracy), (&b"accuracy"[..], 881_200_000));
		// 0.3456789 → 345_679 micro-units → 0.345679000.
		assert_eq!((loss_name, loss), (&b"loss"[..], 345_679_000));
		assert_eq!(swarm_primitives::metrics::to_fixed(accuracy).into_inner(), 881_200_000);
	}
}
