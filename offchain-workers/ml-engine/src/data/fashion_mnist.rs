//! Fashion-MNIST from Debian's `dataset-fashion-mnist` package.
//!
//! 70 000 grey 28 × 28 images of clothing in 10 classes (60 000 for training, 10 000 for
//! testing), by Zalando Research (MIT licence). Debian installs the original gzip-compressed IDX
//! files under [`DEFAULT_DIR`]:
//!
//! ```text
//! sudo apt-get install dataset-fashion-mnist
//! /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
//! ```
//!
//! The folder can be overridden with the environment variable `SWARM_ML_FASHION_MNIST`;
//! uncompressed files (without `.gz`) are read too. Nothing is downloaded.
//!
//! ```rust,no_run
//! use swarm_ml::data::fashion_mnist::{self, Split};
//! let test = fashion_mnist::load(Split::Test)?;
//! assert_eq!(test.len(), 10_000);
//! # Ok::<(), swarm_ml::Error>(())
//! ```

use std::{
	io::Read,
	path::{Path, PathBuf},
};

use super::Dataset;
use crate::{Error, InputShape, Result};

/// Where Debian's `dataset-fashion-mnist` puts the files.
pub const DEFAULT_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// Environment variable that overrides [`DEFAULT_DIR`].
pub const DIR_ENV: &str = "SWARM_ML_FASHION_MNIST";

/// Class names, by label.
pub const CLASS_NAMES: [&str; 10] = [
	"T-shirt/top",
	"Trouser",
	"Pullover",
	"Dress",
	"Coat",
	"Sandal",
	"Shirt",
	"Sneaker",
	"Bag",
	"Ankle boot",
];

/// Which half of the data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
	/// The 60 000 training images.
	Train,
	/// The 10 000 test images.
	Test,
}

impl Split {
	fn prefix(self) -> &'static str {
		match self {
			Split::Train => "train",
			Split::Test => "t10k",
		}
	}
}

/// The folder to read from: `$SWARM_ML_FASHION_MNIST` or [`DEFAULT_DIR`].
pub fn default_dir() -> PathBuf {
	std::env::var_os(DIR_ENV).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_DIR))
}

/// Whether the data set's files are present in [`default_dir`].
pub fn is_installed() -> bool {
	[Split::Train, Split::Test].iter().all(|s| {
		let dir = default_dir();
		locate(&dir, &format!("{}-images-idx3-ubyte", s.prefix())).is_ok() &&
			locate(&dir, &format!("{}-labels-idx1-ubyte", s.prefix())).is_ok()
	})
}

/// Loads `split` from [`default_dir`].
pub fn load(split: Split) -> Result<Dataset> {
	load_from(&default_dir(), split)
}

/// Loads `split` from `dir`.
pub fn load_from(dir: &Path, split: Split) -> Result<Dataset> {
	load_split(dir, split, CLASS_NAMES.len())
}

/// Loads the training split of `dir` with `classes` classes: a node's own training data in
/// Fashion-MNIST's layout, such as a shard written by `swarm-ml split` ([`write`]).
pub fn load_training_data(dir: &Path, classes: usize) -> Result<Dataset> {
	load_split(dir, Split::Train, classes)
}

/// Writes `data` (one channel) into `dir` as the uncompressed IDX files of `split`, which
/// [`load_from`] and [`load_training_data`] read back.
pub fn write(dir: &Path, split: Split, data: &Dataset) -> Result<()> {
	let shape = data.shape();
	if shape.channels != 1 {
		return Err(Error::InvalidInput(format!(
			"IDX image files hold one channel; the data has {}",
			shape.channels
		)));
	}
	let count = u32::try_from(data.len())
		.map_err(|_| Error::InvalidInput("too many samples for an IDX file".into()))?;
	let dim = |n: usize| {
		u32::try_from(n).map_err(|_| Error::InvalidInput("an image side is too large".into()))
	};
	let mut images = vec![0, 0, 8, 3];
	for d in [count, dim(shape.height)?, dim(shape.width)?] {
		images.extend(d.to_be_bytes());
	}
	let mut labels = vec![0, 0, 8, 1];
	labels.extend(count.to_be_bytes());
	labels.extend(data.labels());
	for i in 0..data.len() {
		images.extend(data.pixels(i).unwrap_or_default());
	}
	std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
	for (name, bytes) in [("images-idx3", images), ("labels-idx1", labels)] {
		let path = dir.join(format!("{}-{name}-ubyte", split.prefix()));
		std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
	}
	Ok(())
}

fn load_split(dir: &Path, split: Split, classes: usize) -> Result<Dataset> {
	let images_path = locate(dir, &format!("{}-images-idx3-ubyte", split.prefix()))?;
	let labels_path = locate(dir, &format!("{}-labels-idx1-ubyte", split.prefix()))?;
	let (dims, pixels) = read_idx(&images_path, 3)?;
	let (label_dims, labels) = read_idx(&labels_path, 1)?;
	if dims[0] != label_dims[0] {
		return Err(Error::MalformedDataset {
			path: labels_path,
			reason: format!("{} labels for {} images", label_dims[0], dims[0]),
		});
	}
	let shape = InputShape { channels: 1, height: dims[1], width: dims[2] };
	Dataset::new(shape, classes, pixels, labels)
		.map_err(|e| Error::MalformedDataset { path: images_path, reason: e.to_string() })
}

/// `dir/name.gz`, else `dir/name`.
fn locate(dir: &Path, name: &str) -> Result<PathBuf> {
	let gz = dir.join(format!("{name}.gz"));
	if gz.is_file() {
		return Ok(gz);
	}
	let raw = dir.join(name);
	if raw.is_file() {
		return Ok(raw);
	}
	Err(Error::DatasetMissing { path: gz })
}

/// Reads an IDX file of unsigned bytes with `ndims` dimensions: magic `00 00 08 ndims`, then
/// each dimension as a big-endian `u32`, then the values.
fn read_idx(path: &Path, ndims: u8) -> Result<(Vec<usize>, Vec<u8>)> {
	let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
	let mut bytes = Vec::new();
	let read = if path.extension().is_some_and(|e| e == "gz") {
		flate2::read::GzDecoder::new(file).read_to_end(&mut bytes)
	} else {
		std::io::BufReader::new(file).read_to_end(&mut bytes)
	};
	read.map_err(|e| Error::MalformedDataset {
		path: path.into(),
		reason: format!("cannot decompress: {e}"),
	})?;
	let malformed = |reason: String| Error::MalformedDataset { path: path.into(), reason };
	let header = 4 + 4 * ndims as usize;
	if bytes.len() < header || bytes[..4] != [0, 0, 8, ndims] {
		return Err(malformed(format!("not an IDX file of u8 with {ndims} dimensions")));
	}
	let dims: Vec<usize> = bytes[4..header]
		.chunks_exact(4)
		.map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
		.collect();
	let count: usize = dims.iter().product();
	if bytes.len() - header != count {
		return Err(malformed(format!(
			"header says {count} values, file holds {}",
			bytes.len() - header
		)));
	}
	bytes.drain(..header);
	Ok((dims, bytes))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn missing_files_say_how_to_install() {
		let err = load_from(Path::new("/nonexistent"), Split::Test).unwrap_err().to_string();
		assert!(err.contains("apt-get install dataset-fashion-mnist"), "{err}");
	}

	#[test]
	fn malformed_files_are_rejected() {
		let dir = std::env::temp_dir().join(format!("swarm-ml-idx-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		std::fs::write(
			dir.join("t10k-images-idx3-ubyte"),
			[0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1],
		)
		.unwrap();
		std::fs::write(dir.join("t10k-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 1, 3]).unwrap();
		let err = load_from(&dir, Split::Test).unwrap_err().to_string();
		assert!(err.contains("header says 4 values, file holds 1"), "{err}");
		std::fs::write(
			dir.join("t10k-images-idx3-ubyte"),
			[0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2],
		)
		.unwrap();
		let data = load_from(&dir, Split::Test).unwrap();
		assert_eq!((data.len(), data.labels()[0]), (1, 3));
		std::fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn written_files_read_back() {
		let dir = std::env::temp_dir().join(format!("swarm-ml-idx-write-{}", std::process::id()));
		let shape = InputShape { channels: 1, height: 3, width: 2 };
		let data = Dataset::synthetic(&crate::Seed::from(5), 20, shape, 4).unwrap();
		write(&dir, Split::Train, &data).unwrap();
		assert_eq!(load_training_data(&dir, 4).unwrap(), data);
		let err = load_training_data(&dir, 2).unwrap_err().to_string();
		assert!(err.contains("class count 2"), "{err}");
		std::fs::remove_dir_all(&dir).unwrap();
		let rgb = InputShape { channels: 3, height: 2, width: 2 };
		let data = Dataset::synthetic(&crate::Seed::from(5), 2, rgb, 4).unwrap();
		assert!(write(&dir, Split::Train, &data).is_err());
	}
}
