//! Challenges of settled work: what inference jobs and training rounds share.
//!
//! A settled result (a job's output, a round's aggregation) may be challenged within its
//! challenge window by anyone who places a bond ([`DisputeTerms`]). A fresh committee of nodes
//! that had no part in the work re-executes it through the same commit-reveal as the original
//! ([`DisputeStage`]); its quorum's result confirms or overturns the settled one ([`Verdict`]).
//! A committee that reaches no quorum is replaced once by another ([`MAX_DISPUTE_LEVEL`]); after
//! that the dispute is unresolved and everyone is refunded.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_core::H256;
use scale_info::TypeInfo;

/// How many committees may re-execute disputed work: the first, and one more when the first
/// reaches no quorum.
pub const MAX_DISPUTE_LEVEL: u32 = 2;

/// The window a ballot is in: its seats commit, or reveal, until the block given (inclusive).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Window<BlockNumber> {
	/// The seats commit.
	Commit {
		/// The last block in which a commit is accepted.
		until: BlockNumber,
	},
	/// The seats that committed reveal.
	Reveal {
		/// The last block in which a reveal is accepted.
		until: BlockNumber,
	},
}

impl<BlockNumber: Copy> Window<BlockNumber> {
	/// The window's last block.
	pub fn until(&self) -> BlockNumber {
		match self {
			Window::Commit { until } | Window::Reveal { until } => *until,
		}
	}
}

/// Where a dispute stands.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub enum DisputeStage<BlockNumber> {
	/// The committee commits to its results, until the block given (inclusive).
	Commit {
		/// The last block in which a commit is accepted.
		until: BlockNumber,
	},
	/// The committee reveals, until the block given (inclusive).
	Reveal {
		/// The last block in which a reveal is accepted.
		until: BlockNumber,
	},
	/// Decided in block `at`.
	Resolved {
		/// What the re-execution found.
		verdict: Verdict,
		/// The block of the decision.
		at: BlockNumber,
	},
}

impl<BlockNumber: Copy> DisputeStage<BlockNumber> {
	/// The committee's commit or reveal window, if it is in one.
	pub fn window(&self) -> Option<Window<BlockNumber>> {
		match self {
			DisputeStage::Commit { until } => Some(Window::Commit { until: *until }),
			DisputeStage::Reveal { until } => Some(Window::Reveal { until: *until }),
			DisputeStage::Resolved { .. } => None,
		}
	}
}

/// What a dispute's re-execution found.
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
	/// The committee's quorum agreed on the settled result: it stands, the bond pays the
	/// committee and the rest goes to the reward pot.
	Confirmed,
	/// The committee's quorum agreed on another result, which replaces it; the nodes that
	/// agreed on the settled result are slashed and jailed.
	Overturned {
		/// The hash of the corrected result, now the work's result.
		corrected: H256,
	},
	/// No committee reached a quorum: everyone is refunded, nobody is paid or slashed.
	Unresolved,
}

/// The terms of a challenge: its bond, and the size of the committee that re-executes the work.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct DisputeTerms<Balance> {
	/// What a challenger places, held until the dispute resolves; at least the committee's fee
	/// (`replicas` × the fee of a seat), which it pays if the result stands.
	pub bond: Balance,
	/// The seats of a re-execution committee, none of them nodes that took part in the work
	/// (nor in an earlier committee).
	pub replicas: u32,
}
