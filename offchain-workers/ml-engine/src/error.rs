//! The crate's one error type.
//!
//! Every fallible function returns [`Result<T>`](crate::Result). Variants are grouped by concern
//! and carry what a person (or the node) needs to fix the input: the expected and actual shape,
//! the offending file, the install command of a missing data set.

use std::path::PathBuf;

/// Errors of the ML engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	// === Configuration ===
	/// A model configuration is unusable (zero sizes, a kernel larger than its input, ...).
	#[error("invalid model config: {0}")]
	InvalidConfig(String),
	/// A model kind other than the supported ones was named.
	#[error("unknown model kind `{0}`: expected `mlp`, `cnn` or a path to a JSON model config")]
	UnknownModelKind(String),
	/// A training, federation or aggregation spec is unusable (zero epochs, negative rate, ...).
	#[error("invalid spec: {0}")]
	InvalidSpec(String),
	/// A value given on the command line or in a file could not be parsed.
	#[error("cannot parse {what} from `{input}`: {reason}")]
	Parse {
		/// What was being parsed (a seed, a method, ...).
		what: &'static str,
		/// The text that was given.
		input: String,
		/// Why it was refused.
		reason: String,
	},

	// === Inputs and weights ===
	/// A tensor, batch or parameter has a shape other than the one required.
	#[error("shape mismatch for {what}: expected {expected:?}, got {got:?}")]
	ShapeMismatch {
		/// The tensor or input concerned.
		what: String,
		/// The shape that was required.
		expected: Vec<usize>,
		/// The shape that was given.
		got: Vec<usize>,
	},
	/// A NaN or an infinity was found where only finite numbers are allowed.
	#[error("non-finite value (NaN or infinity) in {what} at flat index {index}")]
	NonFinite {
		/// The tensor or input concerned.
		what: String,
		/// Flat (row-major) index of the first offending element.
		index: usize,
	},
	/// A set of weights does not have the parameters a model needs.
	#[error("weights do not fit the model: {0}")]
	WeightsMismatch(String),
	/// Bytes that should be a safetensors file are not one this engine accepts.
	#[error("invalid safetensors data: {0}")]
	Safetensors(String),
	/// The loss became NaN or infinite during training (usually: the learning rate is too high,
	/// or the starting weights are broken).
	#[error(
		"training diverged (loss {loss}) at epoch {epoch}, step {step}: lower the learning rate"
	)]
	TrainingDiverged {
		/// Epoch, from 0.
		epoch: u32,
		/// Step within the epoch, from 1.
		step: u64,
		/// The non-finite loss.
		loss: f32,
	},
	/// Any other input that is out of range (an empty data set, a label above the class count).
	#[error("invalid input: {0}")]
	InvalidInput(String),

	// === Data sets ===
	/// A data set file is missing.
	#[error(
		"data set file {} not found: install Fashion-MNIST with `sudo apt-get install \
		 dataset-fashion-mnist` (Debian/Ubuntu; files land in /usr/share/datasets/fashion-mnist) \
		 or point --data-dir / SWARM_ML_FASHION_MNIST at a folder holding the four *-ubyte.gz files",
		path.display()
	)]
	DatasetMissing {
		/// The path that was looked for.
		path: PathBuf,
	},
	/// A data set file exists but is not a well-formed IDX file.
	#[error("malformed data set file {}: {reason}", path.display())]
	MalformedDataset {
		/// The file concerned.
		path: PathBuf,
		/// What is wrong with it.
		reason: String,
	},

	// === Aggregation ===
	/// No update survived validation, so there is nothing to aggregate.
	#[error("no valid update to aggregate ({rejected} rejected)")]
	NoValidUpdates {
		/// How many updates were rejected.
		rejected: usize,
	},
	/// The aggregation method cannot run with this many valid updates.
	#[error("{method} needs {needed} valid updates, got {got}")]
	TooFewUpdates {
		/// The method's name.
		method: &'static str,
		/// The minimum number of valid updates it needs.
		needed: usize,
		/// The number of valid updates available.
		got: usize,
	},

	// === Wrapped errors ===
	/// An error raised by candle while building or running a model.
	#[error("candle: {0}")]
	Candle(#[from] candle_core::Error),
	/// A file could not be read or written.
	#[error("i/o error on {}: {source}", path.display())]
	Io {
		/// The file concerned.
		path: PathBuf,
		/// The underlying error.
		source: std::io::Error,
	},
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
	/// A [`Error::ShapeMismatch`] for `what`.
	pub(crate) fn shape(what: impl Into<String>, expected: &[usize], got: &[usize]) -> Self {
		Error::ShapeMismatch { what: what.into(), expected: expected.to_vec(), got: got.to_vec() }
	}

	/// An [`Error::Io`] for `path`.
	pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
		Error::Io { path: path.into(), source }
	}
}

/// Returns [`Error::NonFinite`] for the first NaN or infinity in `values`.
pub(crate) fn ensure_finite(what: impl FnOnce() -> String, values: &[f32]) -> Result<()> {
	match values.iter().position(|v| !v.is_finite()) {
		None => Ok(()),
		Some(index) => Err(Error::NonFinite { what: what(), index }),
	}
}
