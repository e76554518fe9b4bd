//! Seeds and the project's seeded random generator.
//!
//! candle's CPU generator cannot be seeded, so every random choice of the engine (weight
//! initialisation, shuffling, dropout masks, data partitions, synthetic data, poisoned updates in
//! simulations) is drawn from [`SeededRng`]: ChaCha8 keyed by a 32-byte [`Seed`], with one ChaCha
//! stream per purpose ([`Stream`]) so that, for example, turning dropout on does not change the
//! shuffling order.
//!
//! All samplers are written out here (no `rand` distributions), so an upgrade of a dependency
//! cannot change which numbers a seed produces:
//!
//! * `uniform_f32` is `(u32 >> 8) · 2⁻²⁴`, exact in `[0, 1)`;
//! * `below(n)` is rejection sampling on `u64` (no modulo bias);
//! * `shuffle` is Fisher–Yates from the last element down;
//! * `normal` is the Marsaglia polar method and `gamma` is Marsaglia–Tsang, both in `f64` with
//!   `log`/`sqrt`/`pow` from the pure-Rust `libm` crate.
//!
//! ```rust
//! use swarm_ml::{Seed, SeededRng, Stream};
//! let seed = Seed::from(42u64);
//! let mut a = SeededRng::new(&seed, Stream::Shuffle);
//! let mut b = SeededRng::new(&seed, Stream::Shuffle);
//! let mut xs: Vec<u32> = (0..10).collect();
//! let mut ys = xs.clone();
//! a.shuffle(&mut xs);
//! b.shuffle(&mut ys);
//! assert_eq!(xs, ys);
//! assert_ne!(xs, (0..10).collect::<Vec<_>>());
//! ```

use std::{fmt, str::FromStr};

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{
	hash::{blake2_256, from_hex, to_hex},
	Error,
};

/// A 32-byte seed, typically taken from a block hash by the chain.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Seed(pub [u8; 32]);

impl Seed {
	/// A child seed: `blake2_256(self ‖ label ‖ index as u64 LE)`.
	///
	/// Used to give each federated node and round its own seed from the round's seed.
	pub fn derive(&self, label: &str, index: u64) -> Seed {
		let mut bytes = Vec::with_capacity(32 + label.len() + 8);
		bytes.extend_from_slice(&self.0);
		bytes.extend_from_slice(label.as_bytes());
		bytes.extend_from_slice(&index.to_le_bytes());
		Seed(blake2_256(&bytes))
	}
}

impl From<u64> for Seed {
	/// The `u64` in little-endian order in the first 8 bytes, the rest zero.
	fn from(value: u64) -> Self {
		let mut bytes = [0u8; 32];
		bytes[..8].copy_from_slice(&value.to_le_bytes());
		Seed(bytes)
	}
}

impl fmt::Debug for Seed {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "Seed(0x{})", to_hex(&self.0))
	}
}

impl fmt::Display for Seed {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "0x{}", to_hex(&self.0))
	}
}

impl FromStr for Seed {
	type Err = Error;

	/// A decimal `u64` (`42`) or 64 hex digits with an optional `0x` prefix.
	fn from_str(text: &str) -> Result<Self, Error> {
		if let Ok(value) = text.parse::<u64>() {
			return Ok(Seed::from(value));
		}
		let bytes = from_hex(text).ok_or_else(|| Error::Parse {
			what: "seed",
			input: text.to_string(),
			reason: "expected a decimal u64 or 64 hexadecimal digits".into(),
		})?;
		let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| Error::Parse {
			what: "seed",
			input: text.to_string(),
			reason: format!("expected 32 bytes, got {}", b.len()),
		})?;
		Ok(Seed(bytes))
	}
}

impl Serialize for Seed {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&self.to_string())
	}
}

impl<'de> Deserialize<'de> for Seed {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		#[derive(Deserialize)]
		#[serde(untagged)]
		enum Repr {
			Number(u64),
			Text(String),
		}
		match Repr::deserialize(deserializer)? {
			Repr::Number(n) => Ok(Seed::from(n)),
			Repr::Text(t) => t.parse().map_err(serde::de::Error::custom),
		}
	}
}

/// The purpose of a random stream; each purpose reads its own ChaCha stream of the same seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
	/// Initial weights.
	Init,
	/// The order of training samples in each epoch.
	Shuffle,
	/// Dropout masks.
	Dropout,
	/// Splitting a data set across nodes.
	Partition,
	/// Generating synthetic data sets.
	Synthetic,
	/// Poisoned updates in robustness simulations.
	Poison,
}

impl Stream {
	fn id(self) -> u64 {
		match self {
			Stream::Init => 0,
			Stream::Shuffle => 1,
			Stream::Dropout => 2,
			Stream::Partition => 3,
			Stream::Synthetic => 4,
			Stream::Poison => 5,
		}
	}
}

/// ChaCha8 keyed by a [`Seed`], on the ChaCha stream of a [`Stream`].
#[derive(Clone, Debug)]
pub struct SeededRng {
	inner: ChaCha8Rng,
}

impl SeededRng {
	/// The generator for `stream` of `seed`.
	pub fn new(seed: &Seed, stream: Stream) -> Self {
		let mut inner = ChaCha8Rng::from_seed(seed.0);
		inner.set_stream(stream.id());
		SeededRng { inner }
	}

	/// The next 32 random bits.
	pub fn next_u32(&mut self) -> u32 {
		self.inner.next_u32()
	}

	/// The next 64 random bits.
	pub fn next_u64(&mut self) -> u64 {
		self.inner.next_u64()
	}

	/// Uniform in `[0, 1)` with 24 random bits, exactly representable in `f32`.
	pub fn uniform_f32(&mut self) -> f32 {
		(self.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
	}

	/// Uniform in `[0, 1)` with 53 random bits.
	pub fn uniform_f64(&mut self) -> f64 {
		(self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
	}

	/// Uniform in `[0, n)`; `n` must be positive. Rejection sampling, no modulo bias.
	pub fn below(&mut self, n: u64) -> u64 {
		debug_assert!(n > 0);
		let n = n.max(1);
		// The largest multiple of n that fits: values at or above it are redrawn.
		let zone = u64::MAX - (u64::MAX % n);
		loop {
			let v = self.next_u64();
			if v < zone {
				return v % n;
			}
		}
	}

	/// Fisher–Yates shuffle in place.
	pub fn shuffle<T>(&mut self, items: &mut [T]) {
		for i in (1..items.len()).rev() {
			let j = self.below(i as u64 + 1) as usize;
			items.swap(i, j);
		}
	}

	/// A standard normal sample (Marsaglia polar method; the second value is discarded).
	pub fn normal(&mut self) -> f64 {
		loop {
			let u = 2.0 * self.uniform_f64() - 1.0;
			let v = 2.0 * self.uniform_f64() - 1.0;
			let s = u * u + v * v;
			if s > 0.0 && s < 1.0 {
				return u * libm::sqrt(-2.0 * libm::log(s) / s);
			}
		}
	}

	/// A Gamma(`shape`, 1) sample (Marsaglia–Tsang; `shape < 1` uses the `U^(1/shape)` boost).
	pub fn gamma(&mut self, shape: f64) -> f64 {
		if shape < 1.0 {
			let boost = libm::pow(self.uniform_f64(), 1.0 / shape);
			return self.gamma(shape + 1.0) * boost;
		}
		let d = shape - 1.0 / 3.0;
		let c = 1.0 / libm::sqrt(9.0 * d);
		loop {
			let x = self.normal();
			let v = 1.0 + c * x;
			if v <= 0.0 {
				continue;
			}
			let v = v * v * v;
			let u = self.uniform_f64();
			if u < 1.0 - 0.0331 * (x * x) * (x * x) ||
				libm::log(u) < 0.5 * x * x + d * (1.0 - v + libm::log(v))
			{
				return d * v;
			}
		}
	}

	/// A Dirichlet(`alpha`, ..., `alpha`) sample of `k` proportions that sum to 1.
	pub fn dirichlet(&mut self, alpha: f64, k: usize) -> Vec<f64> {
		let draws: Vec<f64> = (0..k).map(|_| self.gamma(alpha)).collect();
		let total: f64 = draws.iter().sum();
		if total > 0.0 {
			draws.iter().map(|g| g / total).collect()
		} else {
			// Every draw underflowed (tiny alpha): all mass on one uniformly chosen entry.
			let mut out = vec![0.0; k];
			if k > 0 {
				out[self.below(k as u64) as usize] = 1.0;
			}
			out
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn streams_are_independent_and_reproducible() {
		let seed = Seed::from(7u64);
		let a: Vec<u32> = (0..4)
			.map({
				let mut r = SeededRng::new(&seed, Stream::Init);
				move |_| r.next_u32()
			})
			.collect();
		let b: Vec<u32> = (0..4)
			.map({
				let mut r = SeededRng::new(&seed, Stream::Shuffle);
				move |_| r.next_u32()
			})
			.collect();
		let mut again = SeededRng::new(&seed, Stream::Init);
		assert_eq!(a[0], again.next_u32());
		assert_ne!(a, b);
	}

	#[test]
	fn seed_parses_numbers_and_hex() {
		assert_eq!("42".parse::<Seed>().unwrap(), Seed::from(42));
		let hex = Seed::from(42).to_string();
		assert_eq!(hex.parse::<Seed>().unwrap(), Seed::from(42));
		assert!("0x12".parse::<Seed>().is_err());
		assert!("seed".parse::<Seed>().is_err());
	}

	#[test]
	fn samplers_stay_in_range() {
		let mut r = SeededRng::new(&Seed::from(1), Stream::Partition);
		for _ in 0..1000 {
			let u = r.uniform_f32();
			assert!((0.0..1.0).contains(&u));
			assert!(r.below(7) < 7);
			assert!(r.gamma(0.3) >= 0.0);
		}
		let p = r.dirichlet(0.5, 10);
		assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
	}
}
