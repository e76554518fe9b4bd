//! Optimizers: SGD with momentum and AdamW, written out element by element.
//!
//! candle's `SGD` has no momentum and its `AdamW` uses tensor ops whose reductions and `powf`
//! are not ours to fix, so the update rules live here, applied to each parameter in name order
//! with plain `f32` arithmetic (no FMA; `sqrt` is correctly rounded by IEEE 754; `powf` is
//! `libm`'s). They follow PyTorch's definitions:
//!
//! ```text
//! SGD:    g ← g + λ·w;   v ← μ·v + g;   w ← w − η·v
//! AdamW:  w ← w − η·λ·w;   m ← β₁·m + (1−β₁)·g;   v ← β₂·v + (1−β₂)·g²
//!         w ← w − (η / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
//! ```
//!
//! ```rust
//! use swarm_ml::OptimizerConfig;
//! let sgd = OptimizerConfig::sgd(0.05, 0.9);
//! sgd.validate()?;
//! assert!(OptimizerConfig::sgd(-1.0, 0.9).validate().is_err());
//! # Ok::<(), swarm_ml::Error>(())
//! ```

use std::collections::BTreeMap;

use candle_core::{backprop::GradStore, Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::{Error, Model, Result};

/// An optimizer and its hyper-parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum OptimizerConfig {
	/// Stochastic gradient descent with (heavy-ball) momentum.
	Sgd {
		/// Learning rate η.
		lr: f32,
		/// Momentum μ in `[0, 1)`; 0 is plain SGD.
		#[serde(default)]
		momentum: f32,
		/// L2 weight decay λ added to the gradient.
		#[serde(default)]
		weight_decay: f32,
	},
	/// Adam with decoupled weight decay.
	#[serde(rename = "adamw")]
	AdamW {
		/// Learning rate η.
		lr: f32,
		/// First-moment decay β₁.
		beta1: f32,
		/// Second-moment decay β₂.
		beta2: f32,
		/// Denominator term ε.
		eps: f32,
		/// Decoupled weight decay λ.
		weight_decay: f32,
	},
}

impl OptimizerConfig {
	/// SGD with learning rate `lr` and momentum `momentum`, no weight decay.
	pub fn sgd(lr: f32, momentum: f32) -> Self {
		OptimizerConfig::Sgd { lr, momentum, weight_decay: 0.0 }
	}

	/// AdamW with learning rate `lr` and PyTorch's defaults (β = 0.9, 0.999; ε = 1e-8; λ = 0.01).
	pub fn adamw(lr: f32) -> Self {
		OptimizerConfig::AdamW { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01 }
	}

	/// Checks that every hyper-parameter is finite and in range.
	pub fn validate(&self) -> Result<()> {
		let check = |name: &str, v: f32, ok: bool| {
			if v.is_finite() && ok {
				Ok(())
			} else {
				Err(Error::InvalidSpec(format!("optimizer {name} = {v} is out of range")))
			}
		};
		match *self {
			OptimizerConfig::Sgd { lr, momentum, weight_decay } => {
				check("lr", lr, lr > 0.0)?;
				check("momentum", momentum, (0.0..1.0).contains(&momentum))?;
				check("weight_decay", weight_decay, weight_decay >= 0.0)
			},
			OptimizerConfig::AdamW { lr, beta1, beta2, eps, weight_decay } => {
				check("lr", lr, lr > 0.0)?;
				check("beta1", beta1, (0.0..1.0).contains(&beta1))?;
				check("beta2", beta2, (0.0..1.0).contains(&beta2))?;
				check("eps", eps, eps > 0.0)?;
				check("weight_decay", weight_decay, weight_decay >= 0.0)
			},
		}
	}

	/// Canonical bytes: a tag (1 = SGD, 2 = AdamW) then each hyper-parameter's `f32` bits, LE.
	pub fn canonical_bytes(&self) -> Vec<u8> {
		let (tag, values): (u8, Vec<f32>) = match *self {
			OptimizerConfig::Sgd { lr, momentum, weight_decay } => {
				(1, vec![lr, momentum, weight_decay])
			},
			OptimizerConfig::AdamW { lr, beta1, beta2, eps, weight_decay } => {
				(2, vec![lr, beta1, beta2, eps, weight_decay])
			},
		};
		let mut out = vec![tag];
		for v in values {
			out.extend_from_slice(&v.to_bits().to_le_bytes());
		}
		out
	}
}

/// Per-parameter state: momentum (SGD) or first and second moments (AdamW).
#[derive(Default)]
struct ParamState {
	m: Vec<f32>,
	v: Vec<f32>,
}

/// An optimizer with its state, stepping a [`Model`]'s parameters.
pub struct Optimizer {
	config: OptimizerConfig,
	state: BTreeMap<String, ParamState>,
	steps: u64,
}

impl Optimizer {
	/// A fresh optimizer (zero state).
	pub fn new(config: OptimizerConfig) -> Result<Self> {
		config.validate()?;
		Ok(Optimizer { config, state: BTreeMap::new(), steps: 0 })
	}

	/// Number of steps taken.
	pub fn steps(&self) -> u64 {
		self.steps
	}

	/// Applies one update to every parameter of `model` that has a gradient in `grads`.
	pub fn step(&mut self, model: &Model, grads: &GradStore) -> Result<()> {
		self.steps += 1;
		let t = self.steps.min(i32::MAX as u64) as f32;
		for (name, var) in model.vars() {
			let Some(grad) = grads.get(var.as_tensor()) else { continue };
			let g = grad.flatten_all()?.to_vec1::<f32>()?;
			let mut w = var.as_tensor().flatten_all()?.to_vec1::<f32>()?;
			let state = self.state.entry(name.clone()).or_default();
			if state.m.len() != w.len() {
				state.m = vec![0.0; w.len()];
				state.v = vec![0.0; w.len()];
			}
			match self.config {
				OptimizerConfig::Sgd { lr, momentum, weight_decay } => {
					for ((w, &g), m) in w.iter_mut().zip(&g).zip(&mut state.m) {
						let g = g + weight_decay * *w;
						*m = momentum * *m + g;
						*w -= lr * *m;
					}
				},
				OptimizerConfig::AdamW { lr, beta1, beta2, eps, weight_decay } => {
					let step_size = lr / (1.0 - libm::powf(beta1, t));
					let bias2_sqrt = (1.0 - libm::powf(beta2, t)).sqrt();
					let decay = 1.0 - lr * weight_decay;
					for (((w, &g), m), v) in
						w.iter_mut().zip(&g).zip(&mut state.m).zip(&mut state.v)
					{
						*w *= decay;
						*m = beta1 * *m + (1.0 - beta1) * g;
						*v = beta2 * *v + (1.0 - beta2) * (g * g);
						let denom = v.sqrt() / bias2_sqrt + eps;
						*w -= step_size * (*m / denom);
					}
				},
			}
			var.set(&Tensor::from_vec(w, var.dims(), &Device::Cpu)?)?;
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{InputShape, MlpConfig, ModelConfig, Weights};

	/// `n` steps of `config` on a tiny model whose loss is `Σ w` (gradient 1 everywhere).
	fn steps(config: OptimizerConfig, n: usize) -> Vec<f32> {
		let model_config = ModelConfig::Mlp(MlpConfig {
			input: InputShape { channels: 1, height: 1, width: 1 },
			hidden: vec![],
			classes: 2,
			dropout_permille: 0,
		});
		let mut w = Weights::new();
		w.insert("fc0.weight", vec![2, 1], vec![1.0, -1.0]).unwrap();
		w.insert("fc0.bias", vec![2], vec![0.0, 0.0]).unwrap();
		let model = Model::new(&model_config, &w).unwrap();
		let mut opt = Optimizer::new(config).unwrap();
		for _ in 0..n {
			let weight = model.vars()["fc0.weight"].as_tensor();
			let grads = weight.sum_all().unwrap().backward().unwrap();
			opt.step(&model, &grads).unwrap();
		}
		model.weights().unwrap().get("fc0.weight").unwrap().data().to_vec()
	}

	#[test]
	fn sgd_momentum_accumulates_velocity() {
		// v₁ = 1, v₂ = 0.9 + 1 = 1.9: w = 1 − 0.1·(1 + 1.9) = 0.71.
		let w = steps(OptimizerConfig::sgd(0.1, 0.9), 2);
		assert!((w[0] - 0.71).abs() < 1e-6 && (w[1] + 1.29).abs() < 1e-6, "{w:?}");
	}

	#[test]
	fn adamw_first_step_is_lr_times_sign_plus_decay() {
		// m̂ = g, v̂ = g², so the step is lr · g / (|g| + ε) ≈ lr, after decoupled decay.
		let w = steps(OptimizerConfig::adamw(0.01), 1);
		let want = 1.0 * (1.0 - 0.01 * 0.01) - 0.01;
		assert!((w[0] - want).abs() < 1e-6, "{w:?}");
	}
}
