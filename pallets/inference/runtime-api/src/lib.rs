//! The `InferenceApi` runtime API: inference jobs, their agreed results, the jobs of a node, what
//! a request costs, and what a challenge holds.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
use swarm_primitives::NodeId;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries of inference jobs. `Job` and `Output` are the pallet's `Job<Runtime>` and
	/// `InferenceOutput<Runtime>`; everything is as of the block queried, and a job is there
	/// until its retention period ends.
	///
	/// Version 3 added `recent_jobs`.
	#[api_version(3)]
	pub trait InferenceApi<Balance, Job, Output>
	where
		Balance: Codec,
		Job: Codec,
		Output: Codec,
	{
		/// The job with this id.
		fn job(id: u64) -> Option<Job>;

		/// The agreed output of a settled job.
		fn result(id: u64) -> Option<Output>;

		/// The ids of the newest stored jobs (at most `limit`), newest first.
		#[api_version(3)]
		fn recent_jobs(limit: u32) -> Vec<u64>;

		/// The stored jobs in which `node` holds (or held) a seat, by id.
		fn assigned(node: NodeId) -> Vec<u64>;

		/// What a request of `version` with `replicas` replicas (the default if `None`) holds
		/// in escrow now: `(the owner's price, the nodes' fee, replicas)`, the replicas being
		/// the default where `replicas` is `None`; `None` if the version is not offered. Fees
		/// and the default are governed parameters, read from the state at the block asked.
		fn quote(version: u64, replicas: Option<u32>) -> Option<(Balance, Balance, u32)>;

		/// What a challenge of a settled job holds now, the size of the committee that
		/// re-executes it, and what the challenger pays each member: `(bond, replicas, fee)`.
		fn dispute_terms() -> (Balance, u32, Balance);
	}
}
