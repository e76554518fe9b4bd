//! Models built with candle from a [`ModelConfig`] and a set of [`Weights`].
//!
//! A [`Model`] holds one candle [`Var`] per parameter (in name order) and the layers built from
//! them with free constructors over a `VarBuilder` ([`dense`], the conv blocks). Its
//! [`forward`](Model::forward) runs in either [`Mode`]; the training loop differentiates it with
//! candle's autograd and updates the `Var`s in place.
//!
//! ```rust
//! use swarm_ml::{Mode, Model, ModelConfig, Seed, Weights};
//! let config = ModelConfig::fashion_mnist_cnn();
//! let model = Model::new(&config, &Weights::init(&config, &Seed::from(1))?)?;
//! let image = vec![0.5f32; 28 * 28];
//! let logits = model.logits(&image, 1, Mode::Deterministic)?;
//! assert_eq!(logits.len(), 10);
//! // The fast mode computes the same function, up to rounding.
//! let fast = model.logits(&image, 1, Mode::Fast)?;
//! assert!(logits.iter().zip(&fast).all(|(a, b)| (a - b).abs() < 1e-4));
//! # Ok::<(), swarm_ml::Error>(())
//! ```

mod conv;
mod dense;
mod dropout;

use std::collections::BTreeMap;

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{VarBuilder, VarMap};

pub use conv::ConvPool;
pub use dense::{dense, Dense};

use crate::{error::ensure_finite, ops, Error, Mode, ModelConfig, Result, SeededRng, Weights};

/// A model ready to run: parameters as candle `Var`s and the layers using them.
pub struct Model {
	config: ModelConfig,
	vars: BTreeMap<String, Var>,
	convs: Vec<ConvPool>,
	dense: Vec<Dense>,
}

impl Model {
	/// Builds `config` with `weights` (which must [fit](Weights::check_fits) it).
	pub fn new(config: &ModelConfig, weights: &Weights) -> Result<Self> {
		config.validate()?;
		weights.check_fits(config)?;
		let varmap = VarMap::new();
		let mut vars = BTreeMap::new();
		{
			let mut data = varmap.data().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
			for (name, param) in weights.iter() {
				let var = Var::from_vec(param.data().to_vec(), param.shape(), &Device::Cpu)?;
				data.insert(name.to_string(), var.clone());
				vars.insert(name.to_string(), var);
			}
		}
		let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
		let convs = config
			.conv_geometry()?
			.iter()
			.enumerate()
			.map(|(i, g)| conv::conv_pool(g, vb.pp(format!("conv{i}"))))
			.collect::<candle_core::Result<Vec<_>>>()?;
		let dense = config
			.dense_widths()
			.windows(2)
			.enumerate()
			.map(|(i, w)| dense(w[0], w[1], vb.pp(format!("fc{i}"))))
			.collect::<candle_core::Result<Vec<_>>>()?;
		Ok(Model { config: config.clone(), vars, convs, dense })
	}

	/// The architecture.
	pub fn config(&self) -> &ModelConfig {
		&self.config
	}

	/// The parameters as candle variables, in name order.
	pub fn vars(&self) -> &BTreeMap<String, Var> {
		&self.vars
	}

	/// A copy of the current parameter values.
	pub fn weights(&self) -> Result<Weights> {
		let mut weights = Weights::new();
		for (name, var) in &self.vars {
			let data = var.as_tensor().flatten_all()?.to_vec1::<f32>()?;
			weights.insert(name.clone(), var.dims().to_vec(), data)?;
		}
		Ok(weights)
	}

	/// Logits `[B, classes]` for `inputs: [B, input length]`.
	///
	/// `dropout` is the training generator: `Some` applies dropout (if the config has any),
	/// `None` is evaluation.
	pub fn forward(
		&self,
		inputs: &Tensor,
		mode: Mode,
		mut dropout: Option<&mut SeededRng>,
	) -> Result<Tensor> {
		let input = self.config.input();
		let (batch, len) = inputs.dims2()?;
		if len != input.len() {
			return Err(Error::shape("model input (per sample)", &[input.len()], &[len]));
		}
		let mut xs = inputs.clone();
		if !self.convs.is_empty() {
			xs = xs.reshape((batch, input.channels, input.height, input.width))?;
			for block in &self.convs {
				xs = block.forward(&xs, mode)?;
			}
			xs = xs.flatten_from(1)?;
		}
		let last = self.dense.len() - 1;
		for (i, layer) in self.dense.iter().enumerate() {
			xs = layer.forward(&xs, mode)?;
			if i < last {
				xs = ops::relu(&xs, mode)?;
				xs = dropout::dropout(&xs, self.config.dropout_permille(), dropout.as_deref_mut())?;
			}
		}
		Ok(xs)
	}

	/// Logits of `batch` samples given as `batch × input length` values (evaluation mode).
	pub fn logits(&self, inputs: &[f32], batch: usize, mode: Mode) -> Result<Vec<f32>> {
		let len = self.config.input().len();
		if inputs.len() != batch * len {
			return Err(Error::shape("inputs", &[batch, len], &[inputs.len()]));
		}
		ensure_finite(|| "inputs".to_string(), inputs)?;
		let xs = Tensor::from_slice(inputs, (batch, len), &Device::Cpu)?;
		Ok(self.forward(&xs, mode, None)?.flatten_all()?.to_vec1::<f32>()?)
	}

	/// The per-sample mean cross-entropy of `logits` against `labels` as a scalar tensor.
	pub fn loss(&self, logits: &Tensor, labels: &Tensor, mode: Mode) -> Result<Tensor> {
		Ok(ops::cross_entropy(logits, labels, mode)?)
	}
}
