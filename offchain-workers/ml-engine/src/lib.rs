//! # Swarmchain ML engine
//!
//! Training, evaluation, inference and federated aggregation for Swarmchain nodes, built on
//! [candle](https://github.com/huggingface/candle), with **bitwise-reproducible results**: the same
//! task gives the same bytes on every machine, so nodes can agree on a result by comparing
//! hashes.
//!
//! ## Overview
//!
//! * **Models** ([`ModelConfig`], [`Model`]): an MLP and a small CNN built from a config whose
//!   canonical bytes hash to the model's [id](ModelConfig::id).
//! * **Weights** ([`Weights`]): canonical safetensors bytes (no metadata, name order) and their
//!   blake2-256 [hash](Weights::hash).
//! * **Training** ([`train()`], [`TrainSpec`]): SGD with momentum or AdamW; every random choice
//!   (initialisation, shuffling, dropout) comes from the spec's [`Seed`] through the project's
//!   ChaCha8 generator [`SeededRng`], because candle's CPU generator cannot be seeded.
//! * **Evaluation and inference** ([`evaluate`], [`infer`]): accuracy and loss, logits and labels,
//!   with integer encodings for the chain ([`fixed`]: accuracy in parts per billion for `Perbill`,
//!   logits as Q15.16 `i32`).
//! * **Deterministic mode** ([`Mode::Deterministic`], the default): matmul, convolution,
//!   activations, pooling and softmax cross-entropy run through the crate's own fixed-order
//!   [`kernels`], wrapped as candle custom ops with backward passes ([`ops`]); `exp`/`log` come
//!   from the pure-Rust `libm`. [`Mode::Fast`] is plain candle, for local unverified use.
//! * **Aggregation** ([`aggregate()`]): weighted FedAvg, coordinate-wise median, trimmed mean, Krum
//!   and Multi-Krum, ordered by client id, rejecting NaN/Inf, wrong shapes and over-norm updates
//!   with a [reason](RejectReason).
//! * **Data** ([`data`]): Fashion-MNIST from Debian's `dataset-fashion-mnist`, seeded synthetic
//!   data, and IID / Dirichlet / k-classes-per-node partitioners; [`federated`] simulates rounds.
//!
//! The `swarm-ml` binary (feature `cli`, on by default) exposes all of this on the command line:
//! `swarm-ml train | eval | infer | aggregate | hash | bench`.
//!
//! ## Example
//!
//! ```rust
//! use swarm_ml::{data::Dataset, evaluate, train, InputShape, Mode, Model, ModelConfig, MlpConfig,
//!     OptimizerConfig, Seed, TrainSpec, Weights};
//! let input = InputShape { channels: 1, height: 8, width: 8 };
//! let data = Dataset::synthetic(&Seed::from(1), 300, input, 3)?;
//! let spec = TrainSpec {
//!     model: ModelConfig::Mlp(MlpConfig { input, hidden: vec![16], classes: 3, dropout_permille: 0 }),
//!     optimizer: OptimizerConfig::adamw(0.01),
//!     epochs: 2,
//!     batch_size: 30,
//!     seed: Seed::from(42),
//!     mode: Mode::Deterministic,
//! };
//! let result = train(&spec, None, &data)?;
//! // What a node would submit: the hash of the canonical weight bytes.
//! assert_eq!(result.weights_hash, Weights::from_safetensors(&result.weights_bytes)?.hash()?);
//! let model = Model::new(&spec.model, &result.weights)?;
//! let report = evaluate(&model, &data, Mode::Deterministic, 100)?;
//! assert!(report.accuracy_ppb() > 900_000_000);
//! # Ok::<(), swarm_ml::Error>(())
//! ```
//!
//! ## Architecture invariants
//!
//! * This crate is `std`-only and uses floats: it runs in the node (a spawned task), **never in the
//!   runtime**. The chain only compares hashes and integers produced here.
//! * Nothing consensus-relevant goes through candle's `gemm`, candle's SIMD reductions or the
//!   platform's `exp`/`log`/`tanh` in deterministic mode; threads split outputs, never sums.
//! * Every random number comes from [`SeededRng`]; nothing reads a clock or the OS generator.

#![warn(missing_docs)]

pub mod aggregate;
pub mod card;
pub mod config;
pub mod data;
pub mod error;
pub mod eval;
pub mod federated;
pub mod fixed;
pub mod hash;
pub mod kernels;
pub mod mode;
pub mod model;
pub mod ops;
pub mod optim;
pub mod seed;
pub mod train;
pub mod weights;

pub use aggregate::{
	aggregate, server_step, Aggregate, AggregateOptions, ClientId, Method, RejectReason, Rejection,
	ServerMomentum, Update,
};
pub use config::{CnnConfig, ConvBlock, InputShape, MlpConfig, ModelConfig};
pub use error::{Error, Result};
pub use eval::{evaluate, infer, EvalReport, Inference};
pub use hash::Hash;
pub use mode::Mode;
pub use model::Model;
pub use optim::{Optimizer, OptimizerConfig};
pub use seed::{Seed, SeededRng, Stream};
pub use train::{
	train, train_with_progress, EpochMetrics, Progress, TrainMetrics, TrainResult, TrainSpec,
};
pub use weights::{Param, Weights};
