//! Local training from given weights.
//!
//! [`train`] runs [`TrainSpec::epochs`] epochs of mini-batch training: each epoch visits the data
//! in an order shuffled by [`Stream::Shuffle`] of the spec's seed, in batches of
//! [`TrainSpec::batch_size`] (the last batch may be smaller), minimising the mean softmax
//! cross-entropy with the spec's optimizer. Without initial weights the model starts from
//! [`Weights::init`] with the same seed; dropout masks come from [`Stream::Dropout`]. In
//! [`Mode::Deterministic`] the resulting [`TrainResult::weights_hash`] is the same on every
//! machine, which is what nodes compare.
//!
//! ```rust
//! use swarm_ml::{data::Dataset, train, Mode, ModelConfig, MlpConfig, InputShape, OptimizerConfig, Seed, TrainSpec};
//! let input = InputShape { channels: 1, height: 8, width: 8 };
//! let data = Dataset::synthetic(&Seed::from(1), 256, input, 4)?;
//! let spec = TrainSpec {
//!     model: ModelConfig::Mlp(MlpConfig { input, hidden: vec![16], classes: 4, dropout_permille: 0 }),
//!     optimizer: OptimizerConfig::sgd(0.1, 0.9),
//!     epochs: 3,
//!     batch_size: 32,
//!     seed: Seed::from(7),
//!     mode: Mode::Deterministic,
//! };
//! let a = train(&spec, None, &data)?;
//! let b = train(&spec, None, &data)?;
//! assert_eq!(a.weights_hash, b.weights_hash);
//! assert!(a.metrics.epochs[2].accuracy_ppb() > 900_000_000);
//! # Ok::<(), swarm_ml::Error>(())
//! ```

use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::{
	data::Dataset,
	fixed::parts_per_billion,
	hash::blake2_256,
	seed::{SeededRng, Stream},
	Error, Hash, Mode, Model, ModelConfig, Optimizer, OptimizerConfig, Result, Seed, Weights,
};

/// What to train and how; everything that decides the result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainSpec {
	/// The architecture.
	pub model: ModelConfig,
	/// Optimizer and hyper-parameters.
	pub optimizer: OptimizerConfig,
	/// Passes over the data.
	pub epochs: u32,
	/// Samples per step.
	pub batch_size: u32,
	/// Seed of every random choice (initial weights if none are given, order, dropout).
	pub seed: Seed,
	/// Execution mode.
	#[serde(default)]
	pub mode: Mode,
}

impl TrainSpec {
	/// Checks the model config, the optimizer and that epochs and batch size are positive.
	pub fn validate(&self) -> Result<()> {
		self.model.validate()?;
		self.optimizer.validate()?;
		if self.epochs == 0 || self.batch_size == 0 {
			return Err(Error::InvalidSpec(format!(
				"epochs ({}) and batch_size ({}) must be positive",
				self.epochs, self.batch_size
			)));
		}
		Ok(())
	}

	/// Canonical bytes: model config bytes, optimizer bytes, epochs and batch size (`u32` LE),
	/// the 32 seed bytes and the mode (0 = deterministic, 1 = fast).
	pub fn canonical_bytes(&self) -> Vec<u8> {
		let mut out = self.model.canonical_bytes();
		out.extend(self.optimizer.canonical_bytes());
		out.extend(self.epochs.to_le_bytes());
		out.extend(self.batch_size.to_le_bytes());
		out.extend(self.seed.0);
		out.push(match self.mode {
			Mode::Deterministic => 0,
			Mode::Fast => 1,
		});
		out
	}

	/// blake2-256 of [`TrainSpec::canonical_bytes`]: the identity of a training task.
	pub fn id(&self) -> Hash {
		blake2_256(&self.canonical_bytes())
	}
}

/// Loss and accuracy over one epoch, measured on the training batches as they were trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
	/// Mean batch loss, weighted by batch size.
	pub mean_loss: f64,
	/// Samples whose arg-max logit was the label (before the step on their batch).
	pub correct: u64,
	/// Samples seen.
	pub samples: u64,
}

impl EpochMetrics {
	/// Training accuracy in parts per billion.
	pub fn accuracy_ppb(&self) -> u32 {
		parts_per_billion(self.correct, self.samples)
	}
}

/// Metrics of a whole run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainMetrics {
	/// One entry per epoch.
	pub epochs: Vec<EpochMetrics>,
	/// Optimizer steps taken.
	pub steps: u64,
}

/// The outcome of [`train`].
#[derive(Clone, Debug)]
pub struct TrainResult {
	/// The trained weights.
	pub weights: Weights,
	/// Their canonical safetensors bytes.
	pub weights_bytes: Vec<u8>,
	/// blake2-256 of `weights_bytes`.
	pub weights_hash: Hash,
	/// Loss and accuracy per epoch.
	pub metrics: TrainMetrics,
}

/// Reported after every step to a progress callback.
#[derive(Clone, Debug)]
pub struct Progress {
	/// Current epoch, from 0.
	pub epoch: u32,
	/// Total epochs.
	pub epochs: u32,
	/// Step within the epoch, from 1.
	pub step: u64,
	/// Steps per epoch.
	pub steps_per_epoch: u64,
	/// Loss of the step's batch.
	pub loss: f32,
}

/// Trains per `spec` on `data`, from `init` or from fresh weights; see the [module docs](self).
pub fn train(spec: &TrainSpec, init: Option<&Weights>, data: &Dataset) -> Result<TrainResult> {
	train_with_progress(spec, init, data, &mut |_| {})
}

/// [`train`], calling `progress` after every step.
pub fn train_with_progress(
	spec: &TrainSpec,
	init: Option<&Weights>,
	data: &Dataset,
	progress: &mut dyn FnMut(&Progress),
) -> Result<TrainResult> {
	spec.validate()?;
	if data.shape() != spec.model.input() {
		return Err(Error::InvalidInput(format!(
			"data samples are {:?} but the model expects {:?}",
			data.shape(),
			spec.model.input()
		)));
	}
	if data.classes() > spec.model.classes() {
		return Err(Error::InvalidInput(format!(
			"data has {} classes but the model only {}",
			data.classes(),
			spec.model.classes()
		)));
	}
	if data.is_empty() {
		return Err(Error::InvalidInput("cannot train on an empty data set".into()));
	}
	let start = match init {
		Some(w) => w.clone(),
		None => Weights::init(&spec.model, &spec.seed)?,
	};
	let model = Model::new(&spec.model, &start)?;
	let mut optimizer = Optimizer::new(spec.optimizer.clone())?;
	let mut shuffle = SeededRng::new(&spec.seed, Stream::Shuffle);
	let mut dropout = SeededRng::new(&spec.seed, Stream::Dropout);
	let batch_size = spec.batch_size as usize;
	let steps_per_epoch = data.len().div_ceil(batch_size) as u64;
	let classes = spec.model.classes();
	let mut metrics = TrainMetrics::default();
	let mut order: Vec<usize> = (0..data.len()).collect();
	for epoch in 0..spec.epochs {
		shuffle.shuffle(&mut order);
		let mut epoch_metrics = EpochMetrics { mean_loss: 0.0, correct: 0, samples: 0 };
		let mut loss_sum = 0.0f64;
		for (step, indices) in order.chunks(batch_size).enumerate() {
			let (xs, ys) = data.batch(indices)?;
			let n = indices.len();
			let xs = Tensor::from_vec(xs, (n, spec.model.input().len()), &Device::Cpu)?;
			let labels = Tensor::from_slice(&ys, n, &Device::Cpu)?;
			let logits = model.forward(&xs, spec.mode, Some(&mut dropout))?;
			let loss = model.loss(&logits, &labels, spec.mode)?;
			let loss_value = loss.to_scalar::<f32>()?;
			if !loss_value.is_finite() {
				return Err(Error::TrainingDiverged {
					epoch,
					step: step as u64 + 1,
					loss: loss_value,
				});
			}
			let grads = loss.backward()?;
			optimizer.step(&model, &grads)?;
			epoch_metrics.correct +=
				count_correct(&logits.flatten_all()?.to_vec1::<f32>()?, &ys, classes);
			epoch_metrics.samples += n as u64;
			loss_sum += loss_value as f64 * n as f64;
			progress(&Progress {
				epoch,
				epochs: spec.epochs,
				step: step as u64 + 1,
				steps_per_epoch,
				loss: loss_value,
			});
		}
		epoch_metrics.mean_loss = loss_sum / epoch_metrics.samples as f64;
		metrics.epochs.push(epoch_metrics);
	}
	metrics.steps = optimizer.steps();
	let weights = model.weights()?;
	let weights_bytes = weights.to_safetensors()?;
	let weights_hash = blake2_256(&weights_bytes);
	Ok(TrainResult { weights, weights_bytes, weights_hash, metrics })
}

/// Index of the largest logit of each row (the first one on ties).
pub(crate) fn argmax_rows(logits: &[f32], classes: usize) -> impl Iterator<Item = u32> + '_ {
	logits.chunks_exact(classes).map(|row| {
		let mut best = 0;
		for (j, &z) in row.iter().enumerate() {
			if z > row[best] {
				best = j;
			}
		}
		best as u32
	})
}

fn count_correct(logits: &[f32], labels: &[u32], classes: usize) -> u64 {
	argmax_rows(logits, classes).zip(labels).filter(|(p, y)| p == *y).count() as u64
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{InputShape, MlpConfig};

	fn spec(lr: f32) -> TrainSpec {
		TrainSpec {
			model: ModelConfig::Mlp(MlpConfig {
				input: InputShape { channels: 1, height: 4, width: 4 },
				hidden: vec![8],
				classes: 3,
				dropout_permille: 0,
			}),
			optimizer: OptimizerConfig::sgd(lr, 0.9),
			epochs: 2,
			batch_size: 8,
			seed: Seed::from(1),
			mode: Mode::Deterministic,
		}
	}

	fn data() -> Dataset {
		Dataset::synthetic(&Seed::from(2), 64, InputShape { channels: 1, height: 4, width: 4 }, 3)
			.unwrap()
	}

	#[test]
	fn divergence_is_an_error_that_says_what_to_do() {
		let err = train(&spec(1e30), None, &data()).unwrap_err();
		assert!(matches!(err, Error::TrainingDiverged { .. }), "{err}");
		assert!(err.to_string().contains("lower the learning rate"));
	}

	#[test]
	fn unusable_specs_and_data_are_rejected() {
		let mut bad = spec(0.1);
		bad.epochs = 0;
		assert!(matches!(train(&bad, None, &data()), Err(Error::InvalidSpec(_))));
		let other = Dataset::synthetic(
			&Seed::from(2),
			8,
			InputShape { channels: 1, height: 5, width: 4 },
			3,
		)
		.unwrap();
		assert!(matches!(train(&spec(0.1), None, &other), Err(Error::InvalidInput(_))));
		assert!(matches!(train(&spec(0.1), None, &data().take(0)), Err(Error::InvalidInput(_))));
	}

	#[test]
	fn training_from_given_weights_continues_from_them() {
		let first = train(&spec(0.1), None, &data()).unwrap();
		let resumed = train(&spec(0.1), Some(&first.weights), &data()).unwrap();
		assert_ne!(resumed.weights_hash, first.weights_hash);
		assert!(resumed.metrics.epochs[0].mean_loss < first.metrics.epochs[0].mean_loss);
		assert_eq!(resumed.metrics.steps, 16);
		assert_ne!(spec(0.1).id(), spec(0.2).id());
	}
}
