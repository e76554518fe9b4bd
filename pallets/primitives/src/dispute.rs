//! Challenges of settled work: what inference jobs and training rounds share.
//!
//! A settled result (a job's output, a round's aggregation) may be challenged within its
//! challenge window by anyone who places a bond ([`DisputeTerms`]). A fresh committee of nodes
//! that had no part in the work re-executes it through the same commit-reveal as the original
//! ([`DisputeStage`]); its quorum's result confirms or overturns the settled one ([`Verdict`]).
//! A committee that reaches no quorum is replaced once by another ([`MAX_DISPUTE_LEVEL`]); after
//! that the dispute is unresolved and everyone is refunded.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::traits::{
		fungible::{Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
	},
	sp_core::H256,
	sp_runtime::{
		traits::{Get, Saturating, Zero},
		BoundedVec, DispatchError, Perbill,
	},
};
use scale_info::TypeInfo;

use crate::{
	commit_reveal::{Ballot, Outcome},
	NodeId,
};
use alloc::vec::Vec;

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

impl<Balance: Copy + PartialOrd + Saturating + From<u32>> DisputeTerms<Balance> {
	/// Whether the terms are sound: 1 to `max_seats` seats, and a bond that covers their fee at
	/// `seat_fee` a seat.
	pub fn check(&self, seat_fee: Balance, max_seats: u32) -> bool {
		(1..=max_seats).contains(&self.replicas) &&
			self.bond >= seat_fee.saturating_mul(self.replicas.into())
	}
}

/// Moves a challenger's bond, held under `reason`, to the reward `pot`: the result stood. Returns
/// what moved (all of it, unless the hold was reduced meanwhile).
pub fn forfeit_bond<AccountId, Currency: MutateHold<AccountId>>(
	reason: &Currency::Reason,
	challenger: &AccountId,
	pot: &AccountId,
	bond: Currency::Balance,
) -> Currency::Balance {
	Currency::transfer_on_hold(
		reason,
		challenger,
		pot,
		bond,
		Precision::BestEffort,
		Restriction::Free,
		Fortitude::Force,
	)
	.unwrap_or_else(|_| Zero::zero())
}

/// Releases a challenger's bond, held under `reason`: the result was overturned, or the dispute
/// is unresolved. Returns what was released.
pub fn release_bond<AccountId, Currency: MutateHold<AccountId>>(
	reason: &Currency::Reason,
	challenger: &AccountId,
	bond: Currency::Balance,
) -> Currency::Balance {
	Currency::release(reason, challenger, bond, Precision::BestEffort)
		.unwrap_or_else(|_| Zero::zero())
}

/// Pays a challenger that overturned a result its `share` of what the convicted nodes lost
/// (`slashed`, which went to the reward `pot`), from the pot. Returns what was paid (nothing for
/// a zero share).
pub fn reward_challenger<AccountId: Eq, Currency: Mutate<AccountId>>(
	pot: &AccountId,
	challenger: &AccountId,
	share: Perbill,
	slashed: Currency::Balance,
) -> Result<Currency::Balance, DispatchError> {
	let reward = share.mul_floor(slashed);
	if reward.is_zero() {
		return Ok(reward);
	}
	Currency::transfer(pot, challenger, reward, Preservation::Preserve)
}

/// Closes a dispute committee's `ballot`: each seat's outcome (`agreed`: the committee's quorum's
/// result, if it has one) is recorded in `outcomes` (whose bound holds every committee of a
/// dispute) and handed to `effect` (reputation, slashing, an event); returns the agreeing seats.
pub fn close_committee<Seats: Get<u32>, Outcomes: Get<u32>>(
	ballot: &Ballot<H256, Seats>,
	agreed: Option<&H256>,
	outcomes: &mut BoundedVec<(NodeId, Outcome), Outcomes>,
	mut effect: impl FnMut(NodeId, Outcome),
) -> Vec<NodeId> {
	let closed: Vec<(NodeId, Outcome)> = ballot.outcomes(agreed).collect();
	let mut agreeing = Vec::new();
	for (node, outcome) in closed {
		if outcome == Outcome::Agreed {
			agreeing.push(node);
		}
		// The pallets bound `outcomes` to hold `MAX_DISPUTE_LEVEL` committees of `Seats`.
		let _ = outcomes.try_push((node, outcome));
		effect(node, outcome);
	}
	agreeing
}

/// The committee that replaces one of `seats` seats at `level` that reached no quorum: the next
/// level, its nodes (`choose(level)`, which must exclude every node that took part) and their
/// ballot; `None` when the dispute may not escalate further or too few nodes are eligible.
pub fn next_committee<Seats: Get<u32>>(
	level: u32,
	seats: u32,
	choose: impl FnOnce(u32) -> Vec<NodeId>,
) -> Option<(u32, Vec<NodeId>, Ballot<H256, Seats>)> {
	let level = level.saturating_add(1);
	if level > MAX_DISPUTE_LEVEL {
		return None;
	}
	let nodes = choose(level);
	let ballot = Ballot::new(nodes.iter().copied()).ok()?;
	(nodes.len() as u32 == seats).then_some((level, nodes, ballot))
}
