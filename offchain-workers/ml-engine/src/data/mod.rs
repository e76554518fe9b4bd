//! Data sets of labelled images, Fashion-MNIST, synthetic data and partitioners.
//!
//! A [`Dataset`] keeps images as `u8` pixels (one byte per value, `channels × height × width`
//! per sample) and labels as class indices. Batches are converted to `f32` as `pixel / 255`
//! (one correctly rounded division, so identical on every machine).
//!
//! ```rust
//! use swarm_ml::{data::Dataset, InputShape, Seed};
//! let shape = InputShape { channels: 1, height: 4, width: 4 };
//! let data = Dataset::synthetic(&Seed::from(1), 100, shape, 3)?;
//! let (xs, ys) = data.batch(&[0, 1])?;
//! assert_eq!(xs.len(), 2 * 16);
//! assert!(ys.iter().all(|&y| y < 3));
//! # Ok::<(), swarm_ml::Error>(())
//! ```

pub mod fashion_mnist;
pub mod partition;
mod synthetic;

use crate::{Error, InputShape, Result};

/// Labelled images; see the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
	shape: InputShape,
	classes: usize,
	pixels: Vec<u8>,
	labels: Vec<u8>,
}

/// `p / 255` for every byte value.
fn pixel_table() -> &'static [f32; 256] {
	static TABLE: std::sync::OnceLock<[f32; 256]> = std::sync::OnceLock::new();
	TABLE.get_or_init(|| std::array::from_fn(|p| p as f32 / 255.0))
}

/// Bytes (grey pixels) as model inputs, `p / 255` each: how the engine reads every image, so
/// that samples sent to the chain give the same results as the same samples of a data set.
pub fn bytes_to_inputs(bytes: &[u8]) -> Vec<f32> {
	let table = pixel_table();
	bytes.iter().map(|&p| table[p as usize]).collect()
}

impl Dataset {
	/// A data set of `labels.len()` samples; `pixels` holds them back to back.
	pub fn new(
		shape: InputShape,
		classes: usize,
		pixels: Vec<u8>,
		labels: Vec<u8>,
	) -> Result<Self> {
		if shape.is_empty() {
			return Err(Error::InvalidInput("a sample must have at least one value".into()));
		}
		if pixels.len() != labels.len() * shape.len() {
			return Err(Error::shape("pixels", &[labels.len(), shape.len()], &[pixels.len()]));
		}
		if classes == 0 || classes > 256 {
			return Err(Error::InvalidInput(format!("{classes} classes: expected 1..=256")));
		}
		if let Some(bad) = labels.iter().find(|&&y| y as usize >= classes) {
			return Err(Error::InvalidInput(format!(
				"label {bad} is not below the class count {classes}"
			)));
		}
		Ok(Dataset { shape, classes, pixels, labels })
	}

	/// The data as one "labelled samples" file, as rounds keep validation sets in the weights
	/// store: for each sample its label byte, then its values.
	pub fn to_labelled_bytes(&self) -> Vec<u8> {
		let mut out = Vec::with_capacity(self.labels.len() * (1 + self.shape.len()));
		for (label, pixels) in self.labels.iter().zip(self.pixels.chunks_exact(self.shape.len())) {
			out.push(*label);
			out.extend_from_slice(pixels);
		}
		out
	}

	/// Reads a [labelled samples](Self::to_labelled_bytes) file of `samples` samples.
	pub fn from_labelled_bytes(
		bytes: &[u8],
		samples: usize,
		shape: InputShape,
		classes: usize,
	) -> Result<Self> {
		let record = 1 + shape.len();
		if samples.checked_mul(record) != Some(bytes.len()) {
			return Err(Error::InvalidInput(format!(
				"a file of {samples} labelled samples of {} values takes {} bytes, not {}",
				shape.len(),
				samples.saturating_mul(record),
				bytes.len()
			)));
		}
		let mut labels = Vec::with_capacity(samples);
		let mut pixels = Vec::with_capacity(samples * shape.len());
		for chunk in bytes.chunks_exact(record) {
			labels.push(chunk[0]);
			pixels.extend_from_slice(&chunk[1..]);
		}
		Dataset::new(shape, classes, pixels, labels)
	}

	/// Number of samples.
	pub fn len(&self) -> usize {
		self.labels.len()
	}

	/// Whether there are no samples.
	pub fn is_empty(&self) -> bool {
		self.labels.is_empty()
	}

	/// Shape of one sample.
	pub fn shape(&self) -> InputShape {
		self.shape
	}

	/// Number of classes.
	pub fn classes(&self) -> usize {
		self.classes
	}

	/// Every label, in sample order.
	pub fn labels(&self) -> &[u8] {
		&self.labels
	}

	/// The pixels of sample `i`.
	pub fn pixels(&self, i: usize) -> Option<&[u8]> {
		let n = self.shape.len();
		self.pixels.get(i * n..(i + 1) * n)
	}

	/// The samples at `indices`, in that order.
	pub fn subset(&self, indices: &[usize]) -> Result<Dataset> {
		let n = self.shape.len();
		let mut pixels = Vec::with_capacity(indices.len() * n);
		let mut labels = Vec::with_capacity(indices.len());
		for &i in indices {
			let p = self.pixels(i).ok_or_else(|| self.out_of_range(i))?;
			pixels.extend_from_slice(p);
			labels.push(self.labels[i]);
		}
		Ok(Dataset { shape: self.shape, classes: self.classes, pixels, labels })
	}

	/// The first `n` samples (all of them if there are fewer).
	pub fn take(&self, n: usize) -> Dataset {
		let n = n.min(self.len());
		Dataset {
			shape: self.shape,
			classes: self.classes,
			pixels: self.pixels[..n * self.shape.len()].to_vec(),
			labels: self.labels[..n].to_vec(),
		}
	}

	/// The samples at `indices` as `f32` inputs (`pixel / 255`, `indices.len() × sample length`)
	/// and their labels.
	pub fn batch(&self, indices: &[usize]) -> Result<(Vec<f32>, Vec<u32>)> {
		let table = pixel_table();
		let mut xs = Vec::with_capacity(indices.len() * self.shape.len());
		let mut ys = Vec::with_capacity(indices.len());
		for &i in indices {
			let p = self.pixels(i).ok_or_else(|| self.out_of_range(i))?;
			xs.extend(p.iter().map(|&v| table[v as usize]));
			ys.push(self.labels[i] as u32);
		}
		Ok((xs, ys))
	}

	/// How many samples each class has.
	pub fn class_counts(&self) -> Vec<usize> {
		let mut counts = vec![0; self.classes];
		for &y in &self.labels {
			counts[y as usize] += 1;
		}
		counts
	}

	fn out_of_range(&self, i: usize) -> Error {
		Error::InvalidInput(format!(
			"sample index {i} is out of range (data set has {})",
			self.len()
		))
	}
}

pub use synthetic::synthetic;

impl Dataset {
	/// A seeded synthetic data set; see [`synthetic`].
	pub fn synthetic(
		seed: &crate::Seed,
		n: usize,
		shape: InputShape,
		classes: usize,
	) -> Result<Dataset> {
		synthetic(seed, n, shape, classes)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::Seed;

	#[test]
	fn labelled_bytes_round_trip_and_check_their_size() {
		let shape = InputShape { channels: 1, height: 2, width: 3 };
		let data = Dataset::synthetic(&Seed::from(9), 7, shape, 5).unwrap();
		let bytes = data.to_labelled_bytes();
		assert_eq!(bytes.len(), 7 * 7);
		assert_eq!(bytes[0], data.labels()[0]);
		assert_eq!(&bytes[1..7], data.pixels(0).unwrap());
		assert_eq!(Dataset::from_labelled_bytes(&bytes, 7, shape, 5).unwrap(), data);
		let err = Dataset::from_labelled_bytes(&bytes, 6, shape, 5).unwrap_err().to_string();
		assert!(err.contains("takes 42 bytes, not 49"), "{err}");
		assert!(Dataset::from_labelled_bytes(&bytes[..0], 0, shape, 5).unwrap().is_empty());
	}
}
