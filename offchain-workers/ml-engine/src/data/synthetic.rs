//! Seeded synthetic images: class prototypes plus noise.
//!
//! Each class gets a random prototype image (pixels uniform in `0..=255`); a sample of class
//! `y` (uniform) is its prototype plus independent noise uniform in `−48..=48`, clamped to
//! `0..=255`. Learnable, needs no files, and identical for a given seed everywhere: used by the
//! golden-hash tests and the examples.

use super::Dataset;
use crate::{Error, InputShape, Result, Seed, SeededRng, Stream};

/// `n` samples of `shape` in `classes` classes from `seed` ([`Stream::Synthetic`]).
pub fn synthetic(seed: &Seed, n: usize, shape: InputShape, classes: usize) -> Result<Dataset> {
	if classes == 0 || classes > 256 {
		return Err(Error::InvalidInput(format!("{classes} classes: expected 1..=256")));
	}
	let mut rng = SeededRng::new(seed, Stream::Synthetic);
	let len = shape.len();
	let prototypes: Vec<Vec<u8>> =
		(0..classes).map(|_| (0..len).map(|_| rng.below(256) as u8).collect()).collect();
	let mut pixels = Vec::with_capacity(n * len);
	let mut labels = Vec::with_capacity(n);
	for _ in 0..n {
		let y = rng.below(classes as u64) as usize;
		labels.push(y as u8);
		for &p in &prototypes[y] {
			let noise = rng.below(97) as i32 - 48;
			pixels.push((p as i32 + noise).clamp(0, 255) as u8);
		}
	}
	Dataset::new(shape, classes, pixels, labels)
}
