//! Model configurations and their identity.
//!
//! A [`ModelConfig`] fixes a model's architecture: an [`MlpConfig`] (fully connected layers with
//! ReLU) or a [`CnnConfig`] (convolution → ReLU → 2×2 max-pool blocks, then fully connected
//! layers). Its [`canonical bytes`](ModelConfig::canonical_bytes) are a fixed little-endian
//! layout, and [`ModelConfig::id`] is their blake2-256 hash: the model's identity on chain.
//!
//! For an input of `c × h × w` values, an MLP with hidden sizes `h₁ … h_L` computes
//!
//! ```text
//! a₀ = flatten(x),  aᵢ = dropout(relu(Wᵢ aᵢ₋₁ + bᵢ)),  logits = W_{L+1} a_L + b_{L+1}
//! ```
//!
//! and a CNN first applies, per conv block, `maxpool₂ₓ₂(relu(conv(x, K) + b))`.
//!
//! ```rust
//! use swarm_ml::ModelConfig;
//! let mlp = ModelConfig::fashion_mnist_mlp();
//! assert_eq!(mlp.num_params(), 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
//! // The identity changes with the architecture.
//! assert_ne!(mlp.id(), ModelConfig::fashion_mnist_cnn().id());
//! ```

use std::{collections::BTreeMap, path::Path};

use serde::{Deserialize, Serialize};

use crate::{hash::blake2_256, Error, Hash, Result};

/// Version byte at the start of [`ModelConfig::canonical_bytes`].
pub const CONFIG_ENCODING_VERSION: u8 = 1;

/// Largest accepted layer width, channel count or image side (keeps configs from a chain sane).
pub const MAX_DIM: usize = 1 << 16;

/// The shape of one input sample: `channels × height × width`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InputShape {
	/// Number of channels (1 for grey images).
	pub channels: usize,
	/// Height in pixels.
	pub height: usize,
	/// Width in pixels.
	pub width: usize,
}

impl InputShape {
	/// Fashion-MNIST: one 28 × 28 grey channel.
	pub const FASHION_MNIST: InputShape = InputShape { channels: 1, height: 28, width: 28 };

	/// Number of values in one sample.
	pub fn len(&self) -> usize {
		self.channels * self.height * self.width
	}

	/// Whether a sample has no values.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

/// A multi-layer perceptron: `input → hidden… → classes`, ReLU between layers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MlpConfig {
	/// Shape of one input sample (flattened before the first layer).
	pub input: InputShape,
	/// Widths of the hidden layers, in order.
	pub hidden: Vec<usize>,
	/// Number of output classes.
	pub classes: usize,
	/// Dropout after each hidden layer during training, in parts per thousand (0 = none).
	#[serde(default)]
	pub dropout_permille: u16,
}

/// One convolution block of a [`CnnConfig`]: conv (stride 1) → ReLU → 2×2 max-pool (stride 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConvBlock {
	/// Output channels of the convolution.
	pub out_channels: usize,
	/// Side of the square kernel.
	pub kernel: usize,
	/// Zero padding on each side.
	#[serde(default)]
	pub padding: usize,
}

/// A small convolutional classifier: conv blocks, flatten, fully connected layers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CnnConfig {
	/// Shape of one input sample.
	pub input: InputShape,
	/// Convolution blocks, in order.
	pub convs: Vec<ConvBlock>,
	/// Widths of the fully connected hidden layers after flattening.
	pub hidden: Vec<usize>,
	/// Number of output classes.
	pub classes: usize,
	/// Dropout after each fully connected hidden layer during training, in parts per thousand.
	#[serde(default)]
	pub dropout_permille: u16,
}

/// A model architecture; see the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ModelConfig {
	/// A multi-layer perceptron.
	Mlp(MlpConfig),
	/// A convolutional network.
	Cnn(CnnConfig),
}

/// Shape bookkeeping of one conv block, derived from a [`CnnConfig`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ConvGeometry {
	pub in_channels: usize,
	pub in_height: usize,
	pub in_width: usize,
	pub out_channels: usize,
	pub kernel: usize,
	pub padding: usize,
	/// Height and width of the convolution output (before pooling).
	pub conv_height: usize,
	pub conv_width: usize,
}

impl ModelConfig {
	/// The MLP of the benchmarks: 784 → 256 → 128 → 10 on Fashion-MNIST.
	pub fn fashion_mnist_mlp() -> Self {
		ModelConfig::Mlp(MlpConfig {
			input: InputShape::FASHION_MNIST,
			hidden: vec![256, 128],
			classes: 10,
			dropout_permille: 0,
		})
	}

	/// The CNN of the benchmarks: conv 5×5 ×8 → pool → conv 5×5 ×16 → pool → 256 → 64 → 10.
	pub fn fashion_mnist_cnn() -> Self {
		ModelConfig::Cnn(CnnConfig {
			input: InputShape::FASHION_MNIST,
			convs: vec![
				ConvBlock { out_channels: 8, kernel: 5, padding: 0 },
				ConvBlock { out_channels: 16, kernel: 5, padding: 0 },
			],
			hidden: vec![64],
			classes: 10,
			dropout_permille: 0,
		})
	}

	/// A preset by name (`mlp`, `cnn`) or a JSON file holding a [`ModelConfig`].
	pub fn from_name_or_path(name: &str) -> Result<Self> {
		match name {
			"mlp" => Ok(Self::fashion_mnist_mlp()),
			"cnn" => Ok(Self::fashion_mnist_cnn()),
			path if Path::new(path).is_file() => {
				let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
				let config: ModelConfig =
					serde_json::from_str(&text).map_err(|e| Error::Parse {
						what: "model config",
						input: path.to_string(),
						reason: e.to_string(),
					})?;
				config.validate()?;
				Ok(config)
			},
			other => Err(Error::UnknownModelKind(other.to_string())),
		}
	}

	/// Shape of one input sample.
	pub fn input(&self) -> InputShape {
		match self {
			ModelConfig::Mlp(c) => c.input,
			ModelConfig::Cnn(c) => c.input,
		}
	}

	/// Number of output classes.
	pub fn classes(&self) -> usize {
		match self {
			ModelConfig::Mlp(c) => c.classes,
			ModelConfig::Cnn(c) => c.classes,
		}
	}

	/// Dropout rate during training, in parts per thousand.
	pub fn dropout_permille(&self) -> u16 {
		match self {
			ModelConfig::Mlp(c) => c.dropout_permille,
			ModelConfig::Cnn(c) => c.dropout_permille,
		}
	}

	/// Short name of the kind: `mlp` or `cnn`.
	pub fn kind(&self) -> &'static str {
		match self {
			ModelConfig::Mlp(_) => "mlp",
			ModelConfig::Cnn(_) => "cnn",
		}
	}

	/// Checks sizes: everything positive and at most [`MAX_DIM`], kernels fit their inputs,
	/// dropout below 1000 ‰.
	pub fn validate(&self) -> Result<()> {
		let bad = |msg: String| Err(Error::InvalidConfig(msg));
		let input = self.input();
		for (name, v) in [
			("input channels", input.channels),
			("input height", input.height),
			("input width", input.width),
		] {
			if v == 0 || v > MAX_DIM {
				return bad(format!("{name} is {v}, expected 1..={MAX_DIM}"));
			}
		}
		if self.classes() < 2 || self.classes() > MAX_DIM {
			return bad(format!("classes is {}, expected 2..={MAX_DIM}", self.classes()));
		}
		if self.dropout_permille() >= 1000 {
			return bad(format!(
				"dropout_permille is {}, expected below 1000",
				self.dropout_permille()
			));
		}
		let hidden = match self {
			ModelConfig::Mlp(c) => &c.hidden,
			ModelConfig::Cnn(c) => {
				if c.convs.is_empty() {
					return bad("a cnn needs at least one conv block".into());
				}
				for (i, block) in c.convs.iter().enumerate() {
					if block.out_channels == 0 || block.out_channels > MAX_DIM {
						return bad(format!("conv {i}: out_channels is {}", block.out_channels));
					}
					if block.kernel == 0 || block.kernel > 64 || block.padding > 64 {
						return bad(format!(
							"conv {i}: kernel {} / padding {} out of range (kernel 1..=64, padding ..=64)",
							block.kernel, block.padding
						));
					}
				}
				self.conv_geometry()?;
				&c.hidden
			},
		};
		if let Some(pos) = hidden.iter().position(|&h| h == 0 || h > MAX_DIM) {
			return bad(format!(
				"hidden layer {pos} has width {}, expected 1..={MAX_DIM}",
				hidden[pos]
			));
		}
		if self.num_params() > 1 << 28 {
			return bad(format!(
				"{} parameters is more than this engine accepts",
				self.num_params()
			));
		}
		Ok(())
	}

	/// Geometry of each conv block (empty for an MLP); errors if a kernel does not fit.
	pub(crate) fn conv_geometry(&self) -> Result<Vec<ConvGeometry>> {
		let ModelConfig::Cnn(c) = self else { return Ok(Vec::new()) };
		let (mut ch, mut h, mut w) = (c.input.channels, c.input.height, c.input.width);
		let mut out = Vec::with_capacity(c.convs.len());
		for (i, block) in c.convs.iter().enumerate() {
			let (ph, pw) = (h + 2 * block.padding, w + 2 * block.padding);
			if ph < block.kernel || pw < block.kernel {
				return Err(Error::InvalidConfig(format!(
					"conv {i}: kernel {} does not fit its {h}×{w} input (padding {})",
					block.kernel, block.padding
				)));
			}
			let (ch_out, cw_out) = (ph - block.kernel + 1, pw - block.kernel + 1);
			if ch_out < 2 || cw_out < 2 {
				return Err(Error::InvalidConfig(format!(
					"conv {i}: output {ch_out}×{cw_out} is too small for the 2×2 max-pool"
				)));
			}
			out.push(ConvGeometry {
				in_channels: ch,
				in_height: h,
				in_width: w,
				out_channels: block.out_channels,
				kernel: block.kernel,
				padding: block.padding,
				conv_height: ch_out,
				conv_width: cw_out,
			});
			ch = block.out_channels;
			h = ch_out / 2;
			w = cw_out / 2;
		}
		Ok(out)
	}

	/// Widths of the fully connected layers: `[in, hidden…, classes]`.
	pub(crate) fn dense_widths(&self) -> Vec<usize> {
		let (first, hidden, classes) = match self {
			ModelConfig::Mlp(c) => (c.input.len(), &c.hidden, c.classes),
			ModelConfig::Cnn(c) => {
				let flat = self
					.conv_geometry()
					.ok()
					.and_then(|g| {
						g.last().map(|l| l.out_channels * (l.conv_height / 2) * (l.conv_width / 2))
					})
					.unwrap_or(0);
				(flat, &c.hidden, c.classes)
			},
		};
		let mut widths = Vec::with_capacity(hidden.len() + 2);
		widths.push(first);
		widths.extend_from_slice(hidden);
		widths.push(classes);
		widths
	}

	/// Every parameter's name and shape, in name order.
	///
	/// Names: `conv{i}.weight` `[out, in, k, k]`, `conv{i}.bias` `[out]`, `fc{i}.weight`
	/// `[out, in]`, `fc{i}.bias` `[out]`, numbered from 0 in layer order.
	pub fn param_shapes(&self) -> BTreeMap<String, Vec<usize>> {
		let mut shapes = BTreeMap::new();
		for (i, g) in self.conv_geometry().unwrap_or_default().iter().enumerate() {
			shapes.insert(
				format!("conv{i}.weight"),
				vec![g.out_channels, g.in_channels, g.kernel, g.kernel],
			);
			shapes.insert(format!("conv{i}.bias"), vec![g.out_channels]);
		}
		for (i, pair) in self.dense_widths().windows(2).enumerate() {
			shapes.insert(format!("fc{i}.weight"), vec![pair[1], pair[0]]);
			shapes.insert(format!("fc{i}.bias"), vec![pair[1]]);
		}
		shapes
	}

	/// Total number of parameters.
	pub fn num_params(&self) -> usize {
		self.param_shapes().values().map(|s| s.iter().product::<usize>()).sum()
	}

	/// The canonical encoding hashed by [`ModelConfig::id`]; all integers `u32` little-endian:
	///
	/// ```text
	/// version: u8 (= 1) | kind: u8 (1 = mlp, 2 = cnn)
	/// channels | height | width | classes | dropout_permille
	/// [cnn only] n_convs | (out_channels | kernel | padding) × n_convs
	/// n_hidden | hidden × n_hidden
	/// ```
	pub fn canonical_bytes(&self) -> Vec<u8> {
		let mut out = vec![CONFIG_ENCODING_VERSION];
		let put = |out: &mut Vec<u8>, v: usize| out.extend_from_slice(&(v as u32).to_le_bytes());
		let input = self.input();
		out.push(match self {
			ModelConfig::Mlp(_) => 1,
			ModelConfig::Cnn(_) => 2,
		});
		for v in [input.channels, input.height, input.width, self.classes()] {
			put(&mut out, v);
		}
		put(&mut out, self.dropout_permille() as usize);
		let hidden = match self {
			ModelConfig::Mlp(c) => &c.hidden,
			ModelConfig::Cnn(c) => {
				put(&mut out, c.convs.len());
				for block in &c.convs {
					put(&mut out, block.out_channels);
					put(&mut out, block.kernel);
					put(&mut out, block.padding);
				}
				&c.hidden
			},
		};
		put(&mut out, hidden.len());
		for &h in hidden {
			put(&mut out, h);
		}
		out
	}

	/// Reads [`ModelConfig::canonical_bytes`] back (as stored with a version on chain), and
	/// [validates](ModelConfig::validate) the result. Trailing bytes, an unknown version or kind,
	/// and more than [`MAX_DIM`] layers are errors.
	pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Self> {
		let bad = |reason: &str| Error::Parse {
			what: "canonical model config",
			input: format!("{} bytes", bytes.len()),
			reason: reason.into(),
		};
		let (Some(&version), Some(&kind)) = (bytes.first(), bytes.get(1)) else {
			return Err(bad("too short"));
		};
		if version != CONFIG_ENCODING_VERSION {
			return Err(bad("unknown encoding version"));
		}
		let mut u32s = bytes.get(2..).unwrap_or_default().chunks(4);
		let mut word = || -> Result<usize> {
			let chunk = u32s.next().filter(|c| c.len() == 4).ok_or_else(|| bad("too short"))?;
			Ok(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) as usize)
		};
		let input = InputShape { channels: word()?, height: word()?, width: word()? };
		let classes = word()?;
		let dropout_permille =
			u16::try_from(word()?).map_err(|_| bad("dropout_permille above 65535"))?;
		let list = |word: &mut dyn FnMut() -> Result<usize>| -> Result<usize> {
			let n = word()?;
			if n > MAX_DIM {
				return Err(bad("too many layers"));
			}
			Ok(n)
		};
		let config = match kind {
			1 => {
				let n = list(&mut word)?;
				let hidden = (0..n).map(|_| word()).collect::<Result<_>>()?;
				ModelConfig::Mlp(MlpConfig { input, hidden, classes, dropout_permille })
			},
			2 => {
				let n = list(&mut word)?;
				let convs = (0..n)
					.map(|_| {
						Ok(ConvBlock { out_channels: word()?, kernel: word()?, padding: word()? })
					})
					.collect::<Result<_>>()?;
				let n = list(&mut word)?;
				let hidden = (0..n).map(|_| word()).collect::<Result<_>>()?;
				ModelConfig::Cnn(CnnConfig { input, convs, hidden, classes, dropout_permille })
			},
			_ => return Err(bad("unknown model kind")),
		};
		if u32s.next().is_some() {
			return Err(bad("trailing bytes"));
		}
		config.validate()?;
		Ok(config)
	}

	/// The model's identity: blake2-256 of [`ModelConfig::canonical_bytes`].
	pub fn id(&self) -> Hash {
		blake2_256(&self.canonical_bytes())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn presets_are_valid_and_have_expected_shapes() {
		let cnn = ModelConfig::fashion_mnist_cnn();
		cnn.validate().unwrap();
		let shapes = cnn.param_shapes();
		assert_eq!(shapes["conv0.weight"], vec![8, 1, 5, 5]);
		assert_eq!(shapes["conv1.weight"], vec![16, 8, 5, 5]);
		assert_eq!(shapes["fc0.weight"], vec![64, 256]);
		assert_eq!(shapes["fc1.weight"], vec![10, 64]);
		ModelConfig::fashion_mnist_mlp().validate().unwrap();
	}

	#[test]
	fn bad_configs_are_rejected_with_a_reason() {
		let mut cnn = ModelConfig::fashion_mnist_cnn();
		if let ModelConfig::Cnn(c) = &mut cnn {
			c.convs[0].kernel = 30;
		}
		let err = cnn.validate().unwrap_err().to_string();
		assert!(err.contains("does not fit"), "{err}");
		let mlp = ModelConfig::Mlp(MlpConfig {
			input: InputShape::FASHION_MNIST,
			hidden: vec![0],
			classes: 10,
			dropout_permille: 0,
		});
		assert!(mlp.validate().unwrap_err().to_string().contains("hidden layer 0"));
		assert!(matches!(
			ModelConfig::from_name_or_path("resnet"),
			Err(Error::UnknownModelKind(_))
		));
	}

	#[test]
	fn the_chain_decodes_the_canonical_bytes_of_every_preset() {
		use swarm_primitives::model_config::{decode, ModelKind};
		for (config, kind) in [
			(ModelConfig::fashion_mnist_mlp(), ModelKind::Mlp),
			(ModelConfig::fashion_mnist_cnn(), ModelKind::Cnn),
		] {
			let summary = decode(&config.canonical_bytes()).unwrap();
			assert_eq!(summary.kind, kind);
			assert_eq!(summary.input, [1, 28, 28]);
			assert_eq!(summary.classes as usize, config.classes());
		}
	}

	#[test]
	fn canonical_bytes_read_back_to_the_same_config() {
		for config in [ModelConfig::fashion_mnist_mlp(), ModelConfig::fashion_mnist_cnn()] {
			let bytes = config.canonical_bytes();
			assert_eq!(ModelConfig::from_canonical_bytes(&bytes).unwrap(), config);
			for cut in 0..bytes.len() {
				assert!(ModelConfig::from_canonical_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
			}
			let mut longer = bytes.clone();
			longer.extend([0; 4]);
			assert!(ModelConfig::from_canonical_bytes(&longer).is_err());
			let mut other_kind = bytes.clone();
			other_kind[1] = 9;
			assert!(ModelConfig::from_canonical_bytes(&other_kind).is_err());
		}
		// Decodes, but is not a valid model (no classes).
		let mut bytes = ModelConfig::fashion_mnist_mlp().canonical_bytes();
		bytes[14..18].copy_from_slice(&0u32.to_le_bytes());
		assert!(matches!(
			ModelConfig::from_canonical_bytes(&bytes),
			Err(Error::InvalidConfig(_))
		));
	}

	#[test]
	fn canonical_bytes_round_trip_through_json_and_identify_the_config() {
		let cnn = ModelConfig::fashion_mnist_cnn();
		let json = serde_json::to_string(&cnn).unwrap();
		let back: ModelConfig = serde_json::from_str(&json).unwrap();
		assert_eq!(back.id(), cnn.id());
		let mut other = cnn.clone();
		if let ModelConfig::Cnn(c) = &mut other {
			c.hidden[0] = 65;
		}
		assert_ne!(other.id(), cnn.id());
	}
}
