//! The `TrainingApi` runtime API: training rounds, their agreed results, the rounds open for
//! joining, the rounds of a node, and the terms of challenges.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
use swarm_primitives::NodeId;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries of training rounds. `Round` and `RoundResult` are the pallet's `Round<Runtime>`
	/// and `RoundResult<Runtime>`; everything is as of the block queried, and a round is there
	/// until its retention period ends.
	///
	/// Version 3 added `recent_rounds`.
	#[api_version(3)]
	pub trait TrainingApi<Balance, Round, RoundResult>
	where
		Balance: Codec,
		Round: Codec,
		RoundResult: Codec,
	{
		/// The round with this id.
		fn round(id: u64) -> Option<Round>;

		/// The committee's agreed result of a decided round.
		fn result(id: u64) -> Option<RoundResult>;

		/// The ids of the newest stored rounds (at most `limit`), newest first.
		#[api_version(3)]
		fn recent_rounds(limit: u32) -> Vec<u64>;

		/// The rounds nodes may join now, by id.
		fn open_rounds() -> Vec<u64>;

		/// The stored rounds `node` takes (or took) part in, as a participant or a committee
		/// member, by id.
		fn involved(node: NodeId) -> Vec<u64>;

		/// What a challenge of a settled round holds now, the size of the committee that re-runs
		/// its aggregation, and what the challenger pays each member: `(bond, replicas, fee)`.
		fn dispute_terms() -> (Balance, u32, Balance);
	}
}
