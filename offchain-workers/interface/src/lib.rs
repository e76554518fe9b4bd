//! # Swarmchain worker interface
//!
//! The narrow, versioned boundary between the inference pallet's offchain worker (wasm, in the
//! runtime) and the node's native ML executor (`swarm-worker`, with candle). The runtime never
//! runs ML: it hands the node a [`Task`] and later asks for its [`TaskStatus`].
//!
//! Two host functions, `ext_swarm_worker_submit_version_1` and `ext_swarm_worker_poll_version_1`
//! ([`swarm_worker`]), carry SCALE bytes both ways. Once a runtime that imports them is on chain,
//! every node that syncs it must serve them forever, so their signatures never change: new kinds
//! of work are new variants of [`Task`] and [`Outcome`] (appended, with explicit indices), and a
//! node that does not know a variant answers [`SubmitError::Malformed`].
//!
//! The calls are asynchronous: `submit` only queues the task (deduplicated by [`Task::id`], the
//! blake2-256 hash of its encoding) and returns at once; `poll` reports where it stands. A task
//! may run for many blocks while the offchain worker threads stay free.
//!
//! On chain (block import, block building) no executor is registered and both calls answer
//! [`SubmitError::Unavailable`] / [`TaskStatus::Unknown`]: the pallet calls them only from its
//! offchain worker.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::{string::String, vec::Vec};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime_interface::{
	pass_by::{AllocateAndReturnByCodec, PassFatPointerAndRead, PassPointerAndReadCopy},
	runtime_interface,
};

/// A task's identity: the blake2-256 hash of its SCALE encoding.
pub type TaskId = [u8; 32];

/// Work the node's executor does for the offchain worker.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum Task {
	/// Runs a model on a batch of samples, deterministically.
	#[codec(index = 0)]
	Infer(InferTask),
	/// Trains a round's base weights on the node's own training data (a participant's part).
	#[codec(index = 1)]
	Train(TrainTask),
	/// Combines a round's updates with a robust rule and evaluates the result (the committee's
	/// part).
	#[codec(index = 2)]
	Aggregate(AggregateTask),
	/// Describes the node's own training data, so that the worker joins the rounds it fits.
	/// Answered at once and never kept: the data may change between runs of the node.
	#[codec(index = 3)]
	DescribeData,
	/// Reads a file the executor made (trained or aggregated weights), by its blake2-256 hash,
	/// so that the worker can send it. Answered at once and never kept.
	#[codec(index = 4)]
	ReadFile([u8; 32]),
}

impl Task {
	/// The task's identity, under which the executor deduplicates and keeps it.
	pub fn id(&self) -> TaskId {
		sp_crypto_hashing::blake2_256(&self.encode())
	}

	/// A short name of the task's kind, for logs and metrics.
	pub fn kind(&self) -> &'static str {
		match self {
			Task::Infer(_) => "inference",
			Task::Train(_) => "training",
			Task::Aggregate(_) => "aggregation",
			Task::DescribeData => "describe",
			Task::ReadFile(_) => "read",
		}
	}

	/// Whether the executor answers the task at once, without queueing or keeping it.
	pub fn is_immediate(&self) -> bool {
		matches!(self, Task::DescribeData | Task::ReadFile(_))
	}
}

/// Inference on a registered model version.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct InferTask {
	/// The model's configuration: the engine's canonical configuration bytes, as stored with
	/// the version on chain.
	pub config: Vec<u8>,
	/// The blake2-256 hash of the weights file (safetensors) in the weights store.
	pub weights: [u8; 32],
	/// The samples.
	pub input: TaskInput,
}

/// The samples of an [`InferTask`]: bytes (e.g. grey pixels), sample after sample, each in the
/// model's input shape; the engine scales them to 0–1 (`byte / 255`).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum TaskInput {
	/// Carried in the task.
	#[codec(index = 0)]
	Inline {
		/// How many samples `data` holds.
		samples: u32,
		/// The values.
		data: Vec<u8>,
	},
	/// A file of the weights store, by its blake2-256 hash.
	#[codec(index = 1)]
	File {
		/// How many samples the file holds.
		samples: u32,
		/// The file's hash.
		hash: [u8; 32],
	},
}

/// A fixed-point hyper-parameter in millionths: `1_000` is 0.001. The engine turns it into a
/// float by one correctly rounded division, the same on every machine.
pub type Millionths = u32;

/// How a participant trains: the part of a round's specification every participant shares.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct TrainingSpec {
	/// Passes over the local data (at least 1).
	pub epochs: u32,
	/// Samples per step (at least 1).
	pub batch_size: u32,
	/// The optimizer and its hyper-parameters.
	pub optimizer: Optimizer,
}

/// An optimizer, its hyper-parameters in [`Millionths`].
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum Optimizer {
	/// Stochastic gradient descent with heavy-ball momentum (below 1) and L2 weight decay.
	#[codec(index = 0)]
	Sgd {
		/// Learning rate (above 0).
		lr: Millionths,
		/// Momentum, `0..1_000_000`.
		momentum: Millionths,
		/// L2 weight decay.
		weight_decay: Millionths,
	},
	/// Adam with decoupled weight decay (β = 0.9, 0.999; ε = 10⁻⁸, PyTorch's defaults).
	#[codec(index = 1)]
	AdamW {
		/// Learning rate (above 0).
		lr: Millionths,
		/// Decoupled weight decay.
		weight_decay: Millionths,
	},
}

/// Why a [`TrainingSpec`] or an [`AggregationRule`] cannot be used.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SpecError {
	/// Epochs or batch size is 0.
	ZeroSteps,
	/// The learning rate is 0, or the momentum is 1 or more.
	BadOptimizer,
	/// A clip bound of 0, a rule that needs more updates than a round may have, or a server
	/// learning rate of 0 or momentum of 1 or more.
	BadRule,
}

impl TrainingSpec {
	/// Checks what the engine would refuse, so that the chain can refuse it first.
	pub fn check(&self) -> Result<(), SpecError> {
		if self.epochs == 0 || self.batch_size == 0 {
			return Err(SpecError::ZeroSteps);
		}
		match self.optimizer {
			Optimizer::Sgd { lr, momentum, .. } if lr > 0 && momentum < 1_000_000 => Ok(()),
			Optimizer::AdamW { lr, .. } if lr > 0 => Ok(()),
			_ => Err(SpecError::BadOptimizer),
		}
	}
}

/// How a committee combines a round's updates.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct AggregationRule {
	/// The combining method.
	pub method: AggregationMethod,
	/// Updates whose change to the base (L2 norm, in [`Millionths`]) is above this are
	/// invalid; `None` sets no bound.
	pub clip: Option<u64>,
	/// The most samples one update's FedAvg weight counts (its sample count is the
	/// participant's claim).
	pub max_samples: u64,
	/// A server optimiser step over the combined change (FedAvgM); `None` applies the method's
	/// result as it is.
	pub server: Option<ServerMomentum>,
}

/// Server momentum (FedAvgM, as Flower's `FedAvgM`): the new weights are `w + η·Δ + β·(w −
/// w_prev)`, with `Δ` the method's combined change and `w_prev` the base of the campaign's
/// previous round (none in a campaign's first round, or a round outside a campaign: no momentum
/// term). The state is the lineage, so nothing is kept between rounds.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct ServerMomentum {
	/// Server learning rate `η` in [`Millionths`] (1,000,000 applies `Δ` as it is).
	pub learning_rate: Millionths,
	/// Momentum `β` in [`Millionths`], below 1,000,000.
	pub momentum: Millionths,
}

/// The robust aggregators of the engine.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum AggregationMethod {
	/// Federated averaging weighted by (capped) sample counts.
	#[codec(index = 0)]
	FedAvg,
	/// Coordinate-wise median.
	#[codec(index = 1)]
	Median,
	/// Coordinate-wise mean without the `trim` lowest and highest values.
	#[codec(index = 2)]
	TrimmedMean {
		/// Values dropped at each end (needs more than `2·trim` valid updates).
		trim: u32,
	},
	/// The single most central update, assuming at most `byzantine` bad ones (needs
	/// `byzantine + 3` valid updates).
	#[codec(index = 3)]
	Krum {
		/// Assumed bad updates.
		byzantine: u32,
	},
	/// FedAvg of the `keep` most central updates.
	#[codec(index = 4)]
	MultiKrum {
		/// Assumed bad updates.
		byzantine: u32,
		/// Updates kept.
		keep: u32,
	},
}

impl AggregationRule {
	/// Checks the rule against a round that may have at most `max_updates` updates.
	pub fn check(&self, max_updates: u32) -> Result<(), SpecError> {
		let enough = match self.method {
			AggregationMethod::FedAvg | AggregationMethod::Median => true,
			AggregationMethod::TrimmedMean { trim } => trim.saturating_mul(2) < max_updates,
			AggregationMethod::Krum { byzantine } => byzantine.saturating_add(3) <= max_updates,
			AggregationMethod::MultiKrum { byzantine, keep } => {
				keep >= 1 && keep <= max_updates && byzantine.saturating_add(3) <= max_updates
			},
		};
		let server_ok = self
			.server
			.is_none_or(|s| s.learning_rate > 0 && s.momentum < 1_000_000);
		if !enough || !server_ok || self.clip == Some(0) || self.max_samples == 0 {
			return Err(SpecError::BadRule);
		}
		Ok(())
	}
}

/// A participant's local training from a round's base weights.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct TrainTask {
	/// The model's configuration (the engine's canonical bytes, as stored with the version).
	pub config: Vec<u8>,
	/// The hash of the base weights file in the weights store.
	pub base: [u8; 32],
	/// How to train.
	pub spec: TrainingSpec,
	/// The seed of every random choice (order, dropout); the chain derives it for the round
	/// and the node.
	pub seed: [u8; 32],
	/// Train on at most this many samples of the local data (the first ones).
	pub max_samples: u32,
}

/// A file of labelled samples in the weights store: for each sample its label byte, then its
/// values (one byte each, in the model's input shape).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct LabelledFile {
	/// The file's blake2-256 hash.
	pub hash: [u8; 32],
	/// How many samples it holds.
	pub samples: u32,
}

/// One participant's revealed update.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct UpdateRef {
	/// Who sent it (its node id, as 32 bytes): updates are combined in this order.
	pub client: [u8; 32],
	/// The hash of its weights file (safetensors) in the weights store.
	pub weights: [u8; 32],
	/// The samples it says it trained on.
	pub samples: u64,
}

/// A committee member's aggregation and evaluation of a round.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct AggregateTask {
	/// The model's configuration (the engine's canonical bytes).
	pub config: Vec<u8>,
	/// The hash of the base weights file.
	pub base: [u8; 32],
	/// The hash of the previous round's base weights, for the rule's server momentum.
	pub previous: Option<[u8; 32]>,
	/// The revealed updates.
	pub updates: Vec<UpdateRef>,
	/// How to combine them.
	pub rule: AggregationRule,
	/// The samples both the base and the result are evaluated on.
	pub validation: LabelledFile,
}

/// Accuracy and loss on a validation set, as integers.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct Evaluation {
	/// Accuracy in parts per billion (a `Perbill`).
	pub accuracy: u32,
	/// Mean cross-entropy loss in millionths.
	pub loss: u64,
}

/// What the committee decided about one update.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum Verdict {
	/// Combined into the result.
	#[codec(index = 0)]
	Accepted,
	/// Valid, but left out by the robust rule as an outlier (Krum, Multi-Krum).
	#[codec(index = 1)]
	Outlier,
	/// Provably invalid, for the reason given.
	#[codec(index = 2)]
	Invalid(InvalidUpdate),
	/// Valid, but too few updates were valid for the rule to give a result.
	#[codec(index = 3)]
	Unused,
}

/// Why an update is invalid: anyone can check each of these from the update and the base.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum InvalidUpdate {
	/// The file is not a safetensors file of `f32` tensors.
	#[codec(index = 0)]
	Unreadable,
	/// A tensor is missing, extra, or of the wrong shape.
	#[codec(index = 1)]
	Layout,
	/// A NaN or an infinity.
	#[codec(index = 2)]
	NonFinite,
	/// Its change to the base is above the clip bound.
	#[codec(index = 3)]
	AboveClip,
	/// It claims no samples, or its client occurs twice.
	#[codec(index = 4)]
	Claim,
}

/// What a finished task produced.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum Outcome {
	/// The result of an [`InferTask`].
	#[codec(index = 0)]
	Inference {
		/// The predicted class of each sample (the first highest score).
		labels: Vec<u32>,
		/// Every sample's class scores, Q15.16 (`round(z · 65536)`, saturated), row-major.
		logits: Vec<i32>,
	},
	/// The result of a [`TrainTask`]: the new weights, kept by the executor as a file.
	#[codec(index = 1)]
	Trained {
		/// The blake2-256 hash of the weights file (canonical safetensors).
		weights: [u8; 32],
		/// Its size in bytes.
		size: u64,
		/// The samples trained on.
		samples: u64,
	},
	/// The result of an [`AggregateTask`].
	#[codec(index = 2)]
	Aggregated {
		/// The new weights, or `None` when too few updates are valid for the rule.
		result: Option<Aggregated>,
		/// The base weights on the validation set.
		base: Evaluation,
		/// One verdict per update, in the task's order.
		verdicts: Vec<Verdict>,
	},
	/// The answer to [`Task::DescribeData`].
	#[codec(index = 3)]
	Data {
		/// Channels, height and width of a sample.
		shape: (u32, u32, u32),
		/// One more than the highest label.
		classes: u32,
		/// How many samples.
		samples: u64,
	},
	/// The answer to [`Task::ReadFile`]: the file's bytes.
	#[codec(index = 4)]
	File(Vec<u8>),
}

/// New weights a committee member computed, kept by its executor as a file.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Aggregated {
	/// The blake2-256 hash of the weights file (canonical safetensors).
	pub weights: [u8; 32],
	/// Its size in bytes.
	pub size: u64,
	/// The new weights on the validation set.
	pub evaluation: Evaluation,
}

/// Where a submitted task stands.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum TaskStatus {
	/// The executor does not know the task (never submitted, or no executor here).
	#[codec(index = 0)]
	Unknown,
	/// Queued or running.
	#[codec(index = 1)]
	Pending,
	/// Finished.
	#[codec(index = 2)]
	Done(Outcome),
	/// Cannot be done (unknown weights, a configuration the engine does not run, bad input);
	/// the reason, for the node's log. Submitting it again gives the same answer.
	#[codec(index = 3)]
	Failed(String),
}

/// Why a task was not accepted.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
pub enum SubmitError {
	/// No executor in this context: on chain, or a node without one.
	#[codec(index = 0)]
	Unavailable,
	/// The bytes are not a [`Task`] this node knows.
	#[codec(index = 1)]
	Malformed,
	/// The executor's queue is full; try again later.
	#[codec(index = 2)]
	Busy,
}

/// How often [`wait_until`] polls the executor, in milliseconds.
pub const POLL_EVERY_MS: u64 = 25;

/// Polls task `id` from an offchain worker until it is no longer pending or `deadline` has
/// passed; returns where it stands then ([`TaskStatus::Pending`] if the deadline passed).
pub fn wait_until(
	id: TaskId,
	deadline: polkadot_sdk::sp_runtime::offchain::Timestamp,
) -> TaskStatus {
	use polkadot_sdk::{sp_io::offchain, sp_runtime::offchain::Duration};
	loop {
		match swarm_worker::poll(id) {
			TaskStatus::Pending if offchain::timestamp() < deadline => offchain::sleep_until(
				offchain::timestamp().add(Duration::from_millis(POLL_EVERY_MS)),
			),
			status => return status,
		}
	}
}

/// The 32-byte client id of compute node `node` in an [`AggregateTask`]: the number
/// big-endian in the last 8 bytes, so that updates are combined in node order.
pub fn client_id(node: u64) -> [u8; 32] {
	let mut id = [0u8; 32];
	id[24..].copy_from_slice(&node.to_be_bytes());
	id
}

/// The node side of the interface: what the node registers for its offchain workers.
#[cfg(not(substrate_runtime))]
pub trait Executor: Send + Sync {
	/// Queues the task encoded in `task` (or finds it, if known) and returns its id.
	fn submit(&self, task: &[u8]) -> Result<TaskId, SubmitError>;
	/// Where the task `id` stands.
	fn poll(&self, id: &TaskId) -> TaskStatus;
}

#[cfg(not(substrate_runtime))]
sp_externalities::decl_extension! {
	/// The node's executor, registered as an externalities extension of offchain worker calls.
	pub struct ExecutorExt(alloc::sync::Arc<dyn Executor>);
}

/// The host functions: `swarm_worker::submit` and `swarm_worker::poll`.
#[runtime_interface]
pub trait SwarmWorker {
	/// Queues an encoded [`Task`] with the node's executor; returns its [`TaskId`].
	fn submit(
		&mut self,
		task: PassFatPointerAndRead<&[u8]>,
	) -> AllocateAndReturnByCodec<Result<TaskId, SubmitError>> {
		use sp_externalities::ExternalitiesExt;
		match self.extension::<ExecutorExt>() {
			Some(executor) => executor.0.submit(task),
			None => Err(SubmitError::Unavailable),
		}
	}

	/// Where the task `id` stands.
	fn poll(
		&mut self,
		id: PassPointerAndReadCopy<TaskId, 32>,
	) -> AllocateAndReturnByCodec<TaskStatus> {
		use sp_externalities::ExternalitiesExt;
		match self.extension::<ExecutorExt>() {
			Some(executor) => executor.0.poll(&id),
			None => TaskStatus::Unknown,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use alloc::sync::Arc;
	use polkadot_sdk::sp_io::TestExternalities;

	struct Echo;
	impl Executor for Echo {
		fn submit(&self, task: &[u8]) -> Result<TaskId, SubmitError> {
			Task::decode(&mut &task[..]).map(|t| t.id()).map_err(|_| SubmitError::Malformed)
		}
		fn poll(&self, _id: &TaskId) -> TaskStatus {
			TaskStatus::Pending
		}
	}

	fn task() -> Task {
		Task::Infer(InferTask {
			config: vec![1, 1],
			weights: [7; 32],
			input: TaskInput::Inline { samples: 1, data: vec![0; 4] },
		})
	}

	#[test]
	fn the_id_is_the_hash_of_the_encoding() {
		let task = task();
		assert_eq!(task.id(), sp_crypto_hashing::blake2_256(&task.encode()));
		assert_eq!(task.kind(), "inference");
	}

	#[test]
	fn the_encoding_is_stable() {
		// Tasks cross the host boundary and are kept on disk: their bytes must never change.
		let bytes = task().encode();
		assert_eq!(&bytes[..3], &[0, 8, 1]);
		let status = TaskStatus::Done(Outcome::Inference { labels: vec![3], logits: vec![-1] });
		assert_eq!(status.encode(), vec![2, 0, 4, 3, 0, 0, 0, 4, 255, 255, 255, 255]);
	}

	#[test]
	fn without_an_executor_the_calls_say_so() {
		TestExternalities::default().execute_with(|| {
			assert_eq!(swarm_worker::submit(&task().encode()), Err(SubmitError::Unavailable));
			assert_eq!(swarm_worker::poll(task().id()), TaskStatus::Unknown);
		});
	}

	#[test]
	fn with_an_executor_the_calls_reach_it() {
		let mut ext = TestExternalities::default();
		ext.register_extension(ExecutorExt(Arc::new(Echo)));
		ext.execute_with(|| {
			assert_eq!(swarm_worker::submit(&task().encode()), Ok(task().id()));
			assert_eq!(swarm_worker::submit(&[9, 9]), Err(SubmitError::Malformed));
			assert_eq!(swarm_worker::poll(task().id()), TaskStatus::Pending);
		});
	}
}
