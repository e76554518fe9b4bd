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
use codec::{Decode, Encode};
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
		}
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
	fn poll(&mut self, id: PassPointerAndReadCopy<TaskId, 32>) -> AllocateAndReturnByCodec<TaskStatus> {
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
