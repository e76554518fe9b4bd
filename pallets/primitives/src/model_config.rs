//! The ML engine's model configurations as the chain reads them: the engine's canonical bytes
//! (`ModelConfig::canonical_bytes` in `swarm-ml-engine`, printed by `swarm-ml hash --model`), decoded
//! with integer arithmetic only. A model version whose inline configuration decodes here is one
//! the engine runs; the runtime learns its input shape and classes from it, to check requests.
//!
//! Layout (all numbers little-endian `u32`): version byte `1`; kind byte (`1` MLP, `2` CNN);
//! input channels, height, width; classes; dropout (per mille); for a CNN the number of conv
//! blocks and, per block, out channels, kernel, padding; the number of hidden layers and their
//! widths. Nothing may follow.

/// The version byte of the encoding this module reads.
pub const ENCODING_VERSION: u8 = 1;
/// The largest layer width, channel count or image side the engine accepts.
pub const MAX_DIM: u32 = 1 << 16;
/// The most conv blocks or hidden layers a configuration may have.
pub const MAX_LAYERS: u32 = 64;

/// The kind of network.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ModelKind {
	/// A multi-layer perceptron.
	Mlp,
	/// A convolutional network.
	Cnn,
}

/// What the chain needs to know of a configuration.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ConfigSummary {
	/// The kind of network.
	pub kind: ModelKind,
	/// Channels, height and width of one input sample.
	pub input: [u32; 3],
	/// The number of output classes.
	pub classes: u32,
}

impl ConfigSummary {
	/// The number of values in one input sample.
	pub fn sample_len(&self) -> u32 {
		let [c, h, w] = self.input;
		c.saturating_mul(h).saturating_mul(w)
	}
}

/// Why bytes are not a configuration the engine runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ConfigError {
	/// Another encoding version.
	UnknownVersion,
	/// Neither an MLP nor a CNN.
	UnknownKind,
	/// The bytes end early, or go on after the configuration.
	BadLength,
	/// A size is zero or out of range, or the layers do not fit together.
	BadDimensions,
}

/// Decodes the engine's canonical configuration bytes.
pub fn decode(bytes: &[u8]) -> Result<ConfigSummary, ConfigError> {
	let mut reader = Reader(bytes);
	if reader.byte()? != ENCODING_VERSION {
		return Err(ConfigError::UnknownVersion);
	}
	let kind = match reader.byte()? {
		1 => ModelKind::Mlp,
		2 => ModelKind::Cnn,
		_ => return Err(ConfigError::UnknownKind),
	};
	let input = [reader.dim()?, reader.dim()?, reader.dim()?];
	let classes = reader.dim()?;
	let dropout = reader.u32()?;
	if classes < 2 || dropout >= 1000 {
		return Err(ConfigError::BadDimensions);
	}
	if kind == ModelKind::Cnn {
		let [mut channels, mut height, mut width] = input;
		let blocks = reader.count()?;
		if blocks == 0 {
			return Err(ConfigError::BadDimensions);
		}
		for _ in 0..blocks {
			let (out, kernel, padding) = (reader.dim()?, reader.u32()?, reader.u32()?);
			if kernel == 0 || kernel > 64 || padding > 64 {
				return Err(ConfigError::BadDimensions);
			}
			// Conv with stride 1, then a 2 × 2 max-pool with stride 2.
			let side = |x: u32| {
				x.checked_add(padding.saturating_mul(2))
					.and_then(|padded| padded.checked_sub(kernel))
					.map(|conv| conv.saturating_add(1) / 2)
					.filter(|pooled| *pooled > 0)
					.ok_or(ConfigError::BadDimensions)
			};
			(channels, height, width) = (out, side(height)?, side(width)?);
		}
		let _ = channels;
	}
	let hidden = reader.count()?;
	for _ in 0..hidden {
		reader.dim()?;
	}
	if !reader.0.is_empty() {
		return Err(ConfigError::BadLength);
	}
	Ok(ConfigSummary { kind, input, classes })
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
	fn byte(&mut self) -> Result<u8, ConfigError> {
		let (&first, rest) = self.0.split_first().ok_or(ConfigError::BadLength)?;
		self.0 = rest;
		Ok(first)
	}

	fn u32(&mut self) -> Result<u32, ConfigError> {
		let (head, rest) = self.0.split_first_chunk::<4>().ok_or(ConfigError::BadLength)?;
		self.0 = rest;
		Ok(u32::from_le_bytes(*head))
	}

	/// A size: 1 to [`MAX_DIM`].
	fn dim(&mut self) -> Result<u32, ConfigError> {
		let value = self.u32()?;
		if value == 0 || value > MAX_DIM {
			return Err(ConfigError::BadDimensions);
		}
		Ok(value)
	}

	/// A number of layers: at most [`MAX_LAYERS`].
	fn count(&mut self) -> Result<u32, ConfigError> {
		let value = self.u32()?;
		if value > MAX_LAYERS {
			return Err(ConfigError::BadDimensions);
		}
		Ok(value)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn encode(kind: u8, words: &[u32]) -> Vec<u8> {
		let mut out = vec![ENCODING_VERSION, kind];
		for w in words {
			out.extend_from_slice(&w.to_le_bytes());
		}
		out
	}

	/// 784 → 256 → 128 → 10, as the engine's `fashion_mnist_mlp` encodes it.
	fn mlp() -> Vec<u8> {
		encode(1, &[1, 28, 28, 10, 0, 2, 256, 128])
	}

	/// conv 5×5 ×8 → pool → conv 5×5 ×16 → pool → (256) → 64 → 10.
	fn cnn() -> Vec<u8> {
		encode(2, &[1, 28, 28, 10, 0, 2, 8, 5, 0, 16, 5, 0, 1, 64])
	}

	#[test]
	fn decodes_the_engines_mlp_and_cnn() {
		let summary = decode(&mlp()).unwrap();
		assert_eq!(
			summary,
			ConfigSummary { kind: ModelKind::Mlp, input: [1, 28, 28], classes: 10 }
		);
		assert_eq!(summary.sample_len(), 784);
		assert_eq!(decode(&cnn()).unwrap().kind, ModelKind::Cnn);
	}

	#[test]
	fn refuses_what_the_engine_would_not_run() {
		let mut other_version = mlp();
		other_version[0] = 2;
		assert_eq!(decode(&other_version), Err(ConfigError::UnknownVersion));
		assert_eq!(decode(&encode(3, &[1, 28, 28, 10, 0, 0])), Err(ConfigError::UnknownKind));
		assert_eq!(decode(b"{\"layers\":[784,10]}"), Err(ConfigError::UnknownVersion));
		assert_eq!(decode(&[]), Err(ConfigError::BadLength));
		assert_eq!(decode(&mlp()[..20]), Err(ConfigError::BadLength));
		let mut trailing = mlp();
		trailing.push(0);
		assert_eq!(decode(&trailing), Err(ConfigError::BadLength));
		for words in [
			[0, 28, 28, 10, 0, 0],
			[1, 28, 28, 1, 0, 0],
			[1, 28, 28, 10, 1000, 0],
			[1, MAX_DIM + 1, 28, 10, 0, 0],
			[1, 28, 28, 10, 0, MAX_LAYERS + 1],
		] {
			assert_eq!(decode(&encode(1, &words)), Err(ConfigError::BadDimensions), "{words:?}");
		}
		// A CNN without conv blocks, or whose kernel is larger than its image.
		assert_eq!(decode(&encode(2, &[1, 28, 28, 10, 0, 0, 0])), Err(ConfigError::BadDimensions));
		assert_eq!(
			decode(&encode(2, &[1, 4, 4, 10, 0, 1, 8, 5, 0, 0])),
			Err(ConfigError::BadDimensions)
		);
	}
}
