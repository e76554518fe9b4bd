//! Deterministic and fast execution modes.
//!
//! * [`Mode::Deterministic`] (the default, and the only mode whose results a node may submit):
//!   every matmul, convolution, activation, pooling and loss runs through the crate's own
//!   fixed-order kernels ([`crate::kernels`]) wrapped as candle custom ops with backward passes
//!   ([`crate::ops`]). The same inputs give the same bits on any x86-64 (with or without
//!   AVX2/FMA/AVX-512) or aarch64 CPU, with any thread count.
//! * [`Mode::Fast`]: plain candle arithmetic: `gemm` matmuls (also for convolutions, after an
//!   `im2col` data-movement op), candle's ReLU and cross-entropy with the platform's `exp`/`log`.
//!   The bits depend on the CPU and the thread count: for local, unverified use. Max-pooling uses
//!   the crate's exact op in both modes because candle 0.9.2's max-pool gradient is wrong (see
//!   [`ops::max_pool2x2`](crate::ops::max_pool2x2)).
//!
//! ```rust
//! use swarm_ml::Mode;
//! assert_eq!(Mode::default(), Mode::Deterministic);
//! assert_eq!("fast".parse::<Mode>()?, Mode::Fast);
//! # Ok::<(), swarm_ml::Error>(())
//! ```

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::Error;

/// How the model's arithmetic is executed; see the [module docs](self).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
	/// The crate's fixed-order kernels: bitwise reproducible.
	#[default]
	Deterministic,
	/// Plain candle: fast, not reproducible across machines.
	Fast,
}

impl FromStr for Mode {
	type Err = Error;

	fn from_str(text: &str) -> Result<Self, Error> {
		match text {
			"det" | "deterministic" => Ok(Mode::Deterministic),
			"fast" => Ok(Mode::Fast),
			other => Err(Error::Parse {
				what: "mode",
				input: other.to_string(),
				reason: "expected `det` (deterministic) or `fast`".into(),
			}),
		}
	}
}

impl fmt::Display for Mode {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(match self {
			Mode::Deterministic => "deterministic",
			Mode::Fast => "fast",
		})
	}
}
