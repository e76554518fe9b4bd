//! Commit-reveal and quorum counting: how several nodes agree on the result of one task without
//! copying each other. Shared by every kind of verified work (inference jobs, the aggregation
//! committees of training rounds); the pallets keep one [`Ballot`] per task and decide the
//! windows.
//!
//! A task is given to k nodes, its seats. Each node first **commits**
//! [`commitment`]`(task, node, result_hash, salt)`: the hash binds the task and the node's
//! identity (never a seat index), so a commitment cannot be reused in another task or by another
//! node. Once every seat has committed (or the commit window has closed) each node **reveals**
//! its result hash and salt; a reveal counts only if it hashes to that node's own commitment.
//! A node that waits to copy another's result sees it only after its own commit window, when it
//! can no longer commit to it.
//!
//! The result hash revealed by at least the quorum of seats wins ([`Ballot::tally`]); every seat
//! then has an [`Outcome`]: it agreed, was outvoted, or missed its commit or reveal.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{
	traits::{Get, Hash},
	BoundedVec, Perbill,
};
use scale_info::TypeInfo;

use crate::NodeId;

/// The secret a node mixes into its commitment, so that its result hash cannot be guessed from
/// the commitment before the reveal.
pub type Salt = [u8; 32];

/// What a node commits to: `H("swarm/commit" ‖ task ‖ node ‖ result_hash ‖ salt)`, SCALE-encoded.
/// `task` identifies the work (a job id, a round and phase); the node's own id is part of it, so
/// no other node can reveal against it.
pub fn commitment<H: Hash>(
	task: &impl Encode,
	node: NodeId,
	result_hash: &H::Output,
	salt: &Salt,
) -> H::Output {
	H::hash_of(&(b"swarm/commit", task, node, result_hash, salt))
}

/// The smallest number of agreeing seats out of `seats` that `threshold` asks for:
/// `⌈seats × threshold⌉`, and at least 1. With the default threshold of two thirds
/// ([`two_thirds`]) this is `⌈2k/3⌉`: 1 of 1, 2 of 3, 3 of 4.
pub fn quorum(seats: u32, threshold: Perbill) -> u32 {
	threshold.mul_ceil(seats).max(1)
}

/// Two thirds, rounded down to the part per billion, so that [`quorum`] gives `⌈2k/3⌉`.
pub fn two_thirds() -> Perbill {
	Perbill::from_rational(2u32, 3u32)
}

/// Where one seat of a ballot stands.
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
pub enum Vote<H> {
	/// Assigned; nothing sent yet.
	Pending,
	/// Committed to a hidden result.
	Committed(H),
	/// Revealed this result hash, which matched its commitment.
	Revealed(H),
}

/// A node's seat in a ballot.
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
pub struct Seat<H> {
	/// The node holding the seat.
	pub node: NodeId,
	/// What it has sent.
	pub vote: Vote<H>,
}

/// How a seat ended, once its task is settled.
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
pub enum Outcome {
	/// Revealed the result the quorum agreed on.
	Agreed,
	/// Revealed a different result than the quorum's.
	Outvoted,
	/// Revealed, but no result reached the quorum: nobody can say who was right.
	Inconclusive,
	/// Committed and never revealed.
	MissedReveal,
	/// Never committed.
	MissedCommit,
}

/// Why a ballot refused a node's commit, reveal or seat change.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BallotError {
	/// The node holds no seat.
	NotAssigned,
	/// The node has committed already.
	AlreadyCommitted,
	/// The node has not committed, so it has nothing to reveal.
	NotCommitted,
	/// The node has revealed already.
	AlreadyRevealed,
	/// The reveal does not hash to the node's commitment.
	CommitmentMismatch,
	/// A node would hold two seats.
	DuplicateSeat,
	/// More seats than the ballot's bound.
	TooManySeats,
}

/// Where a ballot's count stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tally<H> {
	/// This result hash was revealed by at least the quorum.
	Agreed(H),
	/// No result has the quorum yet, but the seats still to reveal could give it one.
	Open,
	/// No result can reach the quorum any more.
	NoQuorum,
}

/// The seats of one task and what each has sent; at most `S` seats.
#[derive(Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(S))]
#[codec(mel_bound(H: MaxEncodedLen))]
pub struct Ballot<H, S: Get<u32>> {
	seats: BoundedVec<Seat<H>, S>,
}

// By hand, so that the bound `S` need not be `Clone`, `PartialEq` or `Debug` itself.
impl<H: Clone, S: Get<u32>> Clone for Ballot<H, S> {
	fn clone(&self) -> Self {
		Self { seats: self.seats.clone() }
	}
}

impl<H: PartialEq, S: Get<u32>> PartialEq for Ballot<H, S> {
	fn eq(&self, other: &Self) -> bool {
		self.seats == other.seats
	}
}

impl<H: Eq, S: Get<u32>> Eq for Ballot<H, S> {}

impl<H: core::fmt::Debug, S: Get<u32>> core::fmt::Debug for Ballot<H, S> {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.debug_struct("Ballot").field("seats", &self.seats).finish()
	}
}

impl<H: Copy + PartialEq, S: Get<u32>> Ballot<H, S> {
	/// A ballot without seats, to which [`Ballot::seat`] adds them.
	pub fn empty() -> Self {
		Self { seats: BoundedVec::new() }
	}

	/// A ballot with a pending seat for each of `nodes`.
	pub fn new(nodes: impl IntoIterator<Item = NodeId>) -> Result<Self, BallotError> {
		let mut ballot = Self::empty();
		for node in nodes {
			ballot.seat(node)?;
		}
		Ok(ballot)
	}

	/// The seats, in the order they were given.
	pub fn seats(&self) -> &[Seat<H>] {
		&self.seats
	}

	/// The nodes holding the seats, in order.
	pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
		self.seats.iter().map(|seat| seat.node)
	}

	/// What `node` has sent, if it holds a seat.
	pub fn vote(&self, node: NodeId) -> Option<&Vote<H>> {
		self.seats.iter().find(|seat| seat.node == node).map(|seat| &seat.vote)
	}

	/// Whether `node` holds a seat.
	pub fn has_seat(&self, node: NodeId) -> bool {
		self.vote(node).is_some()
	}

	/// Adds a pending seat for `node`.
	pub fn seat(&mut self, node: NodeId) -> Result<(), BallotError> {
		if self.has_seat(node) {
			return Err(BallotError::DuplicateSeat);
		}
		self.seats
			.try_push(Seat { node, vote: Vote::Pending })
			.map_err(|_| BallotError::TooManySeats)
	}

	/// Gives the seat of `old`, which has not committed, to `new`.
	pub fn replace(&mut self, old: NodeId, new: NodeId) -> Result<(), BallotError> {
		if self.has_seat(new) {
			return Err(BallotError::DuplicateSeat);
		}
		let seat = self.seat_mut(old)?;
		if seat.vote != Vote::Pending {
			return Err(BallotError::AlreadyCommitted);
		}
		seat.node = new;
		Ok(())
	}

	/// Records `node`'s commitment.
	pub fn commit(&mut self, node: NodeId, commitment: H) -> Result<(), BallotError> {
		let seat = self.seat_mut(node)?;
		match seat.vote {
			Vote::Pending => {
				seat.vote = Vote::Committed(commitment);
				Ok(())
			},
			Vote::Committed(_) => Err(BallotError::AlreadyCommitted),
			Vote::Revealed(_) => Err(BallotError::AlreadyRevealed),
		}
	}

	/// Records `node`'s reveal of `result_hash` with `salt`, if it hashes to the node's
	/// commitment for `task` (see [`commitment`]).
	pub fn reveal<Hasher: Hash<Output = H>>(
		&mut self,
		task: &impl Encode,
		node: NodeId,
		result_hash: H,
		salt: &Salt,
	) -> Result<(), BallotError> {
		let seat = self.seat_mut(node)?;
		match seat.vote {
			Vote::Pending => Err(BallotError::NotCommitted),
			Vote::Revealed(_) => Err(BallotError::AlreadyRevealed),
			Vote::Committed(committed) => {
				if commitment::<Hasher>(task, node, &result_hash, salt) != committed {
					return Err(BallotError::CommitmentMismatch);
				}
				seat.vote = Vote::Revealed(result_hash);
				Ok(())
			},
		}
	}

	/// Whether every seat has committed (or revealed).
	pub fn all_committed(&self) -> bool {
		self.seats.iter().all(|seat| seat.vote != Vote::Pending)
	}

	/// Whether every seat that committed has revealed too.
	pub fn all_revealed(&self) -> bool {
		self.seats.iter().all(|seat| matches!(seat.vote, Vote::Revealed(_) | Vote::Pending))
	}

	/// The nodes whose seats are still pending (they have not committed).
	pub fn pending(&self) -> impl Iterator<Item = NodeId> + '_ {
		self.seats.iter().filter(|seat| seat.vote == Vote::Pending).map(|seat| seat.node)
	}

	/// Counts the reveals against `quorum`. Seats that may still reveal: those that committed
	/// and, while `commits_open`, those that may still commit.
	pub fn tally(&self, quorum: u32, commits_open: bool) -> Tally<H> {
		let mut best: Option<(H, u32)> = None;
		let mut undecided = 0u32;
		for seat in self.seats.iter() {
			match seat.vote {
				Vote::Revealed(hash) => {
					let count = self.revealed(&hash);
					if best.is_none_or(|(_, most)| count > most) {
						best = Some((hash, count));
					}
				},
				Vote::Committed(_) => undecided = undecided.saturating_add(1),
				Vote::Pending if commits_open => undecided = undecided.saturating_add(1),
				Vote::Pending => {},
			}
		}
		let most = best.map_or(0, |(_, count)| count);
		match best {
			Some((hash, count)) if count >= quorum => Tally::Agreed(hash),
			_ if most.saturating_add(undecided) >= quorum => Tally::Open,
			_ => Tally::NoQuorum,
		}
	}

	/// How many seats revealed `hash`.
	fn revealed(&self, hash: &H) -> u32 {
		let count = self.seats.iter().filter(|seat| seat.vote == Vote::Revealed(*hash)).count();
		u32::try_from(count).unwrap_or(u32::MAX)
	}

	/// Each seat's outcome once the task is settled with `agreed` (`None`: no quorum).
	pub fn outcomes<'a>(
		&'a self,
		agreed: Option<&'a H>,
	) -> impl Iterator<Item = (NodeId, Outcome)> + 'a {
		self.seats.iter().map(move |seat| {
			let outcome = match (&seat.vote, agreed) {
				(Vote::Revealed(hash), Some(agreed)) if hash == agreed => Outcome::Agreed,
				(Vote::Revealed(_), Some(_)) => Outcome::Outvoted,
				(Vote::Revealed(_), None) => Outcome::Inconclusive,
				(Vote::Committed(_), _) => Outcome::MissedReveal,
				(Vote::Pending, _) => Outcome::MissedCommit,
			};
			(seat.node, outcome)
		})
	}

	fn seat_mut(&mut self, node: NodeId) -> Result<&mut Seat<H>, BallotError> {
		self.seats.iter_mut().find(|seat| seat.node == node).ok_or(BallotError::NotAssigned)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::{
		sp_core::{ConstU32, H256},
		sp_runtime::traits::BlakeTwo256,
	};

	type TestBallot = Ballot<H256, ConstU32<5>>;
	const TASK: (u64, u8) = (7, 0);

	fn result(byte: u8) -> H256 {
		H256::repeat_byte(byte)
	}

	fn salt(node: NodeId) -> Salt {
		[node as u8; 32]
	}

	fn commit_and_reveal(ballot: &mut TestBallot, node: NodeId, result: H256) {
		let c = commitment::<BlakeTwo256>(&TASK, node, &result, &salt(node));
		ballot.commit(node, c).unwrap();
		ballot.reveal::<BlakeTwo256>(&TASK, node, result, &salt(node)).unwrap();
	}

	#[test]
	fn the_default_quorum_is_two_thirds_rounded_up() {
		for k in 1..=64u32 {
			assert_eq!(quorum(k, two_thirds()), (2 * k).div_ceil(3), "k = {k}");
		}
		assert_eq!(quorum(0, two_thirds()), 1);
		assert_eq!(quorum(4, Perbill::one()), 4);
	}

	#[test]
	fn a_commitment_binds_the_task_the_node_the_result_and_the_salt() {
		let base = commitment::<BlakeTwo256>(&TASK, 1, &result(1), &salt(1));
		assert_ne!(base, commitment::<BlakeTwo256>(&(8u64, 0u8), 1, &result(1), &salt(1)));
		assert_ne!(base, commitment::<BlakeTwo256>(&TASK, 2, &result(1), &salt(1)));
		assert_ne!(base, commitment::<BlakeTwo256>(&TASK, 1, &result(2), &salt(1)));
		assert_ne!(base, commitment::<BlakeTwo256>(&TASK, 1, &result(1), &salt(2)));
	}

	#[test]
	fn a_copied_reveal_does_not_match_the_copiers_commitment() {
		let mut ballot = TestBallot::new([1, 2]).unwrap();
		// Node 2 commits to node 1's commitment (seen in the pool), then copies node 1's reveal.
		let honest = commitment::<BlakeTwo256>(&TASK, 1, &result(9), &salt(1));
		ballot.commit(1, honest).unwrap();
		ballot.commit(2, honest).unwrap();
		ballot.reveal::<BlakeTwo256>(&TASK, 1, result(9), &salt(1)).unwrap();
		assert_eq!(
			ballot.reveal::<BlakeTwo256>(&TASK, 2, result(9), &salt(1)),
			Err(BallotError::CommitmentMismatch)
		);
		// Nor does a reveal replayed from another task.
		let mut other = TestBallot::new([1]).unwrap();
		other.commit(1, commitment::<BlakeTwo256>(&(8u64, 0u8), 1, &result(9), &salt(1))).unwrap();
		assert_eq!(
			other.reveal::<BlakeTwo256>(&TASK, 1, result(9), &salt(1)),
			Err(BallotError::CommitmentMismatch)
		);
	}

	#[test]
	fn each_refusal_is_named() {
		assert_eq!(TestBallot::new([1, 1]), Err(BallotError::DuplicateSeat));
		assert_eq!(TestBallot::new(0..6), Err(BallotError::TooManySeats));
		let mut ballot = TestBallot::new([1, 2]).unwrap();
		assert_eq!(ballot.commit(3, result(0)), Err(BallotError::NotAssigned));
		assert_eq!(
			ballot.reveal::<BlakeTwo256>(&TASK, 1, result(1), &salt(1)),
			Err(BallotError::NotCommitted)
		);
		commit_and_reveal(&mut ballot, 1, result(1));
		assert_eq!(ballot.commit(1, result(0)), Err(BallotError::AlreadyRevealed));
		assert_eq!(
			ballot.reveal::<BlakeTwo256>(&TASK, 1, result(1), &salt(1)),
			Err(BallotError::AlreadyRevealed)
		);
		ballot.commit(2, result(0)).unwrap();
		assert_eq!(ballot.commit(2, result(0)), Err(BallotError::AlreadyCommitted));
		assert_eq!(ballot.replace(2, 3), Err(BallotError::AlreadyCommitted));
		assert_eq!(ballot.replace(4, 3), Err(BallotError::NotAssigned));
		assert_eq!(ballot.replace(1, 2), Err(BallotError::DuplicateSeat));
	}

	#[test]
	fn a_pending_seat_can_be_given_to_another_node() {
		let mut ballot = TestBallot::new([1, 2]).unwrap();
		ballot.replace(2, 3).unwrap();
		assert!(!ballot.has_seat(2));
		assert_eq!(ballot.pending().collect::<Vec<_>>(), vec![1, 3]);
		commit_and_reveal(&mut ballot, 3, result(1));
		assert_eq!(ballot.pending().collect::<Vec<_>>(), vec![1]);
	}

	#[test]
	fn the_quorum_wins_as_soon_as_it_is_reached() {
		let mut ballot = TestBallot::new([1, 2, 3]).unwrap();
		let q = quorum(3, two_thirds());
		assert_eq!(ballot.tally(q, true), Tally::Open);
		commit_and_reveal(&mut ballot, 1, result(1));
		assert_eq!(ballot.tally(q, true), Tally::Open);
		commit_and_reveal(&mut ballot, 2, result(1));
		assert_eq!(ballot.tally(q, true), Tally::Agreed(result(1)));
		assert!(ballot.all_revealed());
		assert!(!ballot.all_committed());
		let outcomes: Vec<_> = ballot.outcomes(Some(&result(1))).collect();
		assert_eq!(
			outcomes,
			vec![(1, Outcome::Agreed), (2, Outcome::Agreed), (3, Outcome::MissedCommit)]
		);
	}

	#[test]
	fn a_minority_is_outvoted_and_a_silent_node_missed_its_reveal() {
		let mut ballot = TestBallot::new([1, 2, 3, 4]).unwrap();
		let q = quorum(4, two_thirds());
		commit_and_reveal(&mut ballot, 1, result(1));
		commit_and_reveal(&mut ballot, 2, result(1));
		commit_and_reveal(&mut ballot, 4, result(6));
		ballot.commit(3, commitment::<BlakeTwo256>(&TASK, 3, &result(1), &salt(3))).unwrap();
		// Two of four agree; node 3, which committed, could still make it three.
		assert_eq!(ballot.tally(q, false), Tally::Open);
		assert!(!ballot.all_revealed());
		ballot.reveal::<BlakeTwo256>(&TASK, 3, result(1), &salt(3)).unwrap();
		assert_eq!(ballot.tally(q, false), Tally::Agreed(result(1)));
		let outcomes: Vec<_> = ballot.outcomes(Some(&result(1))).collect();
		assert_eq!(outcomes[3], (4, Outcome::Outvoted));
		let mut silent = TestBallot::new([1, 2]).unwrap();
		silent.commit(1, result(0)).unwrap();
		assert_eq!(
			silent.outcomes(None).collect::<Vec<_>>(),
			vec![(1, Outcome::MissedReveal), (2, Outcome::MissedCommit)]
		);
	}

	#[test]
	fn no_quorum_is_known_as_soon_as_it_is_out_of_reach() {
		let mut ballot = TestBallot::new([1, 2, 3]).unwrap();
		let q = quorum(3, two_thirds());
		commit_and_reveal(&mut ballot, 1, result(1));
		commit_and_reveal(&mut ballot, 2, result(2));
		// Node 3 could still agree with either while it may commit or has committed...
		assert_eq!(ballot.tally(q, true), Tally::Open);
		// ...but not once the commit window has closed without its commit.
		assert_eq!(ballot.tally(q, false), Tally::NoQuorum);
		commit_and_reveal(&mut ballot, 3, result(3));
		assert_eq!(ballot.tally(q, true), Tally::NoQuorum);
		assert!(ballot.outcomes(None).all(|(_, outcome)| outcome == Outcome::Inconclusive));
	}
}
