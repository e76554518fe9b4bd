//! The records the training pallet keeps.
//!
//! - [`RoundSpec`]: what a round's opener asks for: the base version, how participants train,
//!   how the committee aggregates, how many take part, the budget and the validation set.
//! - [`Round`]: a round, its escrow, its participants and committee, and where it stands
//!   ([`Phase`]).
//! - [`RoundResult`]: what the committee agrees on: the new weights and their evaluation, the
//!   base's evaluation, and a [`Verdict`] per update.
//! - [`Dispute`]: a challenge of a settled round and the re-run of its aggregation
//!   ([`DisputeStage`], [`DisputeVerdict`]); [`DisputeTerms`]: its bond and committee size.
//! - [`Timing`]: the windows of a round, settable at genesis and by root.
//! - [`Queue`], [`QueueItem`]: the deadlines the pallet's hook acts on, in order.
//! - [`WorkRejection`]: why the transaction pool refuses a participant's or a committee
//!   member's transaction.

use crate::{BalanceOf, Config};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_core::H256,
	sp_runtime::{transaction_validity::InvalidTransaction, Perbill},
};
use scale_info::TypeInfo;
pub use swarm_primitives::dispute::{
	DisputeStage, DisputeTerms, Verdict as DisputeVerdict, Window, MAX_DISPUTE_LEVEL,
};
pub use swarm_primitives::{
	commit_reveal::{Ballot, Outcome, Salt},
	worker::{Public as WorkerKey, Signature as WorkerSignature},
	NodeId,
};
pub use swarm_worker_interface::{
	AggregationMethod, AggregationRule, Evaluation, InvalidUpdate, LabelledFile, Optimizer,
	ServerMomentum, TrainingSpec, Verdict,
};

/// Identifies a training round. Assigned in order, from 0.
pub type RoundId = u64;

/// What the opener of a round asks for.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct RoundSpec<Balance> {
	/// The version participants train from: its weights stored, its configuration one the
	/// engine trains, its model owned by the opener.
	pub base: u64,
	/// How each participant trains.
	pub training: TrainingSpec,
	/// How the committee combines the updates; its `max_samples` also caps the samples a
	/// participant trains on and is paid for.
	pub rule: AggregationRule,
	/// The fewest participants the round goes on with.
	pub min_participants: u32,
	/// The most participants it takes.
	pub max_participants: u32,
	/// The size k of the aggregation committee.
	pub committee: u32,
	/// Paid to the accepted participants when a version is published, by their capped sample
	/// counts.
	pub budget: Balance,
	/// The labelled samples, stored in the weights store, that the base and the result are
	/// evaluated on.
	pub validation: LabelledFile,
	/// How far the result's accuracy may fall below the base's and still be published (as a
	/// share of 1: `Perbill::from_percent(1)` allows one point less).
	pub tolerance: Perbill,
	/// How many rounds in a row (a campaign): each next round trains from the version the
	/// previous one published, with the same specification.
	pub rounds: u32,
}

/// A participant of a round.
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
pub struct Participant {
	/// The compute node.
	pub node: NodeId,
	/// The samples it trains on: what it declared, capped at the rule's `max_samples`.
	pub samples: u64,
	/// How its part ended, once the round is decided.
	pub outcome: Option<Contribution>,
}

/// How a participant's part in a round ended.
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
pub enum Contribution {
	/// Its update was combined into the result: paid (when a version is published), reputation
	/// up.
	Accepted,
	/// Valid, but left out by the robust rule: not paid, reputation down, not slashed (honest
	/// non-IID data can look like an outlier).
	Outlier,
	/// Provably invalid: not paid, slashed, reputation down.
	Invalid(InvalidUpdate),
	/// Valid, but too few updates were valid for the rule: neither paid nor punished.
	Unused,
	/// Joined and never committed: reputation down.
	MissedCommit,
	/// Committed and never revealed its update: reputation down.
	MissedReveal,
}

/// The new weights of a round, as the committee computed them.
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
pub struct NewWeights {
	/// The blake2-256 hash of the weights file (canonical safetensors).
	pub hash: H256,
	/// Its size in bytes.
	pub size: u64,
	/// Its accuracy and loss on the validation set.
	pub evaluation: Evaluation,
}

/// What a round's committee agrees on. Members commit to, and reveal, the blake2-256 hash of
/// its SCALE encoding.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct RoundResult<T: Config> {
	/// The new weights, or `None` when too few updates are valid for the rule.
	pub weights: Option<NewWeights>,
	/// The base's accuracy and loss on the validation set.
	pub base: Evaluation,
	/// A verdict per revealed update, in the order of the round's participants.
	pub verdicts: BoundedVec<Verdict, T::MaxParticipants>,
}

impl<T: Config> RoundResult<T> {
	/// The hash committee members commit to: blake2-256 of the SCALE encoding.
	pub fn hash(&self) -> H256 {
		H256(polkadot_sdk::sp_io::hashing::blake2_256(&self.encode()))
	}
}

/// How a decided round ended.
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
pub enum End {
	/// The result was published as `version`; the budget pays the accepted participants.
	Published {
		/// The new version.
		version: u64,
	},
	/// The result's accuracy fell below the base's by more than the tolerance: nothing was
	/// published and the budget went back to the opener.
	NotImproved,
	/// Too few updates were valid for the rule: no result, and the budget went back.
	NoResult,
}

/// Why a round ended before the committee decided it; the opener got the escrow back.
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
pub enum FailReason {
	/// Fewer than `min_participants` joined.
	TooFewParticipants,
	/// Fewer than `min_participants` committed to, or revealed, an update.
	TooFewUpdates,
	/// Fewer eligible compute nodes than committee seats.
	NotEnoughNodes,
	/// The committee's reveals can no longer give any result the quorum.
	NoQuorum,
	/// The agreed weights were not stored before the publish window closed.
	NotPublished,
	/// The model registry refused the new version (the error is logged).
	PublishRefused,
	/// The opener cancelled the round while it was open for joining.
	Cancelled,
	/// The round was settled, then challenged, and neither re-run of its aggregation (nor its
	/// escalation) reached a quorum: nobody can say which result is right, so the opener gets
	/// the escrow back and nobody is paid or slashed.
	DisputeUnresolved,
}

/// Where a round stands. Each window ends with the block given (inclusive).
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub enum Phase<BlockNumber> {
	/// Compute nodes with fitting data join.
	Join {
		/// The last block in which a node may join.
		until: BlockNumber,
	},
	/// Participants train and commit to their updates.
	Train {
		/// The last block in which a participant may commit.
		until: BlockNumber,
	},
	/// Participants reveal their updates, each carrying its update file.
	Upload {
		/// The last block in which a participant may reveal.
		until: BlockNumber,
	},
	/// The committee aggregates and evaluates, and commits to its result.
	Commit {
		/// The last block in which a member may commit.
		until: BlockNumber,
	},
	/// The committee reveals its results.
	Reveal {
		/// The last block in which a member may reveal.
		until: BlockNumber,
	},
	/// The committee agreed on new weights that are not stored yet: an agreeing member
	/// uploads them.
	Publish {
		/// The last block in which they may be uploaded.
		until: BlockNumber,
		/// The hash of the agreed [`RoundResult`].
		result: H256,
	},
	/// Decided; payments are held until `payout_at`, the end of the challenge window.
	Settled {
		/// How it ended.
		end: End,
		/// The hash of the agreed [`RoundResult`].
		result: H256,
		/// The block in which the payments are made.
		payout_at: BlockNumber,
	},
	/// Decided and paid.
	Paid {
		/// How it ended.
		end: End,
		/// The hash of the agreed [`RoundResult`].
		result: H256,
	},
	/// Ended before it was decided; the escrow went back to the opener.
	Failed {
		/// Why.
		reason: FailReason,
	},
	/// Settled, and challenged within the challenge window: a fresh committee re-runs the
	/// aggregation and evaluation ([`Round::dispute`]); payments stay held until it resolves.
	Disputed {
		/// How the challenged decision ended.
		end: End,
		/// The hash of the challenged [`RoundResult`].
		result: H256,
	},
}

impl<BlockNumber: Copy> Phase<BlockNumber> {
	/// The end of the phase's window, if the round is in one.
	pub fn window_end(&self) -> Option<BlockNumber> {
		match self {
			Phase::Join { until }
			| Phase::Train { until }
			| Phase::Upload { until }
			| Phase::Commit { until }
			| Phase::Reveal { until }
			| Phase::Publish { until, .. } => Some(*until),
			_ => None,
		}
	}

	/// Whether the round's participants and committee are done with it: decided (paid or
	/// not) or failed. A disputed round is not: a committee is re-running its aggregation.
	pub fn is_closed(&self) -> bool {
		matches!(self, Phase::Settled { .. } | Phase::Paid { .. } | Phase::Failed { .. })
	}

	/// A short name of the phase, for queries.
	pub fn name(&self) -> &'static str {
		match self {
			Phase::Join { .. } => "join",
			Phase::Train { .. } => "train",
			Phase::Upload { .. } => "upload",
			Phase::Commit { .. } => "commit",
			Phase::Reveal { .. } => "reveal",
			Phase::Publish { .. } => "publish",
			Phase::Settled { .. } => "settled",
			Phase::Paid { .. } => "paid",
			Phase::Failed { .. } => "failed",
			Phase::Disputed { .. } => "disputed",
		}
	}
}

/// Where a round stands in its campaign.
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
pub struct Campaign {
	/// The campaign's first round.
	pub first: RoundId,
	/// This round's place in it, from 0 (of the spec's `rounds`).
	pub index: u32,
}

/// A round and everything the chain knows of it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Round<T: Config> {
	/// Who opened it and pays for it: the model's owner.
	pub opener: T::AccountId,
	/// The base version's model, where the result is published.
	pub model: u64,
	/// The base version's weights file.
	pub base_weights: H256,
	/// The base version's weights size in bytes (the largest update or result taken).
	pub base_size: u64,
	/// The weights file of the campaign's previous round's base (the server momentum's
	/// `w_prev`); `None` in a campaign's first round.
	pub previous_weights: Option<H256>,
	/// The model's configuration (the engine's canonical bytes).
	pub config: BoundedVec<u8, T::MaxConfigLen>,
	/// What the opener asked for.
	pub spec: RoundSpec<BalanceOf<T>>,
	/// Its place in its campaign.
	pub campaign: Campaign,
	/// The seed of its participants' training and its committee's choice.
	pub seed: [u8; 32],
	/// The block that opened it.
	pub opened_at: BlockNumberFor<T>,
	/// Its participants, in the order they joined.
	pub participants: BoundedVec<Participant, T::MaxParticipants>,
	/// The participants' commitments to, and reveals of, their update hashes.
	pub updates: Ballot<H256, T::MaxParticipants>,
	/// The committee's seats and votes (empty until the uploads close).
	pub committee: Ballot<H256, T::MaxCommittee>,
	/// How each committee seat ended, once decided.
	pub committee_outcomes: BoundedVec<(NodeId, Outcome), T::MaxCommittee>,
	/// How many agreeing committee members decide it.
	pub quorum: u32,
	/// The committee's fee (k × [`Config::CommitteeFee`]), split between the agreeing members.
	pub committee_fee: BalanceOf<T>,
	/// What it holds from the opener now: budget and fee while it runs, the campaign's later
	/// rounds' share until it hands it on, what is still to be paid once decided.
	pub held: BalanceOf<T>,
	/// Where it stands.
	pub phase: Phase<BlockNumberFor<T>>,
	/// The challenge of its settled result, if there is one, kept after it resolves.
	pub dispute: Option<Dispute<T>>,
}

/// The seats of a round's committee, or of its dispute committee, and what each has sent.
pub type Seats<T> = Ballot<H256, <T as Config>::MaxCommittee>;

impl<T: Config> Round<T> {
	/// The committee ballot that takes commits and reveals now, with its window: the round's
	/// own committee's while it aggregates, its dispute committee's while one re-runs the
	/// aggregation; `None` otherwise.
	pub fn voting(&self) -> Option<(Window<BlockNumberFor<T>>, &Seats<T>)> {
		match (&self.phase, &self.dispute) {
			(Phase::Commit { until }, _) => {
				Some((Window::Commit { until: *until }, &self.committee))
			},
			(Phase::Reveal { until }, _) => {
				Some((Window::Reveal { until: *until }, &self.committee))
			},
			(Phase::Disputed { .. }, Some(dispute)) => {
				dispute.stage.window().map(|window| (window, &dispute.ballot))
			},
			_ => None,
		}
	}

	/// The ballot of [`Round::voting`], to record a commit or a reveal in.
	pub fn voting_mut(&mut self) -> Option<&mut Seats<T>> {
		match (&self.phase, &mut self.dispute) {
			(Phase::Commit { .. } | Phase::Reveal { .. }, _) => Some(&mut self.committee),
			(Phase::Disputed { .. }, Some(dispute)) if dispute.stage.window().is_some() => {
				Some(&mut dispute.ballot)
			},
			_ => None,
		}
	}

	/// The quorum of the ballot of [`Round::voting`].
	pub fn voting_quorum(&self) -> u32 {
		match (&self.phase, &self.dispute) {
			(Phase::Disputed { .. }, Some(dispute)) => dispute.quorum,
			_ => self.quorum,
		}
	}

	/// The last block of the current window: a phase's, or a dispute committee's.
	pub fn window_end(&self) -> Option<BlockNumberFor<T>> {
		self.phase.window_end().or_else(|| self.voting().map(|(window, _)| window.until()))
	}

	/// Whether `node` agreed on the round's decided result: a member of its committee, or of
	/// the dispute committee that decided it.
	pub fn agreed(&self, node: NodeId) -> bool {
		let agreed = (node, Outcome::Agreed);
		self.committee_outcomes.contains(&agreed) ||
			self.dispute.as_ref().is_some_and(|dispute| dispute.outcomes.contains(&agreed))
	}
}

/// A challenge of a settled round: who placed it, its bond, and the committee that re-runs the
/// aggregation and evaluation through the same commit-reveal as the round's committee.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Dispute<T: Config> {
	/// Who challenged, and gets the bond back (and a reward) if the result is overturned.
	pub challenger: T::AccountId,
	/// The challenger's bond, held until the dispute resolves.
	pub bond: BalanceOf<T>,
	/// The result the challenger says is right, if it said (informative: the committee decides).
	pub claimed: Option<H256>,
	/// The challenged result's hash.
	pub result: H256,
	/// How the challenged decision ended.
	pub end: End,
	/// The block in which the challenge was placed.
	pub opened_at: BlockNumberFor<T>,
	/// 1 for the first committee, 2 once escalated after a committee without quorum.
	pub level: u32,
	/// The committee's fee, paid from the reward pot to its agreeing members when the dispute
	/// resolves (the bond pays it into the pot if the result stands; the slashed bonds if not).
	pub fee: BalanceOf<T>,
	/// How many agreeing members of the committee decide.
	pub quorum: u32,
	/// The current committee's seats and what each has sent.
	pub ballot: Seats<T>,
	/// Where it stands.
	pub stage: DisputeStage<BlockNumberFor<T>>,
	/// How the seats of every committee ended (the first committee's first, if it escalated).
	pub outcomes: BoundedVec<(NodeId, Outcome), DisputeSeats<T>>,
}

/// The bound of [`Dispute::outcomes`]: [`MAX_DISPUTE_LEVEL`] committees of at most
/// [`Config::MaxCommittee`] seats.
pub struct DisputeSeats<T>(core::marker::PhantomData<T>);

impl<T: Config> Get<u32> for DisputeSeats<T> {
	fn get() -> u32 {
		T::MaxCommittee::get().saturating_mul(MAX_DISPUTE_LEVEL)
	}
}

/// The windows of every round, in blocks. Set at genesis and by root ([`Pallet::set_timing`]),
/// so that tests and dev chains can run with short ones.
///
/// [`Pallet::set_timing`]: crate::Pallet::set_timing
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
pub struct Timing<BlockNumber> {
	/// Blocks after the opening in which nodes join.
	pub join_window: BlockNumber,
	/// Blocks after joining closes in which participants train and commit.
	pub train_window: BlockNumber,
	/// Blocks after the commits in which participants reveal, each with its update file: long
	/// enough for the largest update to be included.
	pub upload_window: BlockNumber,
	/// Blocks after the uploads in which the committee aggregates and commits.
	pub commit_window: BlockNumber,
	/// Blocks after the committee's commits in which it reveals.
	pub reveal_window: BlockNumber,
	/// Blocks after the decision in which an agreeing member stores the new weights.
	pub publish_window: BlockNumber,
	/// Blocks after the decision during which payments are held (0: paid at once).
	pub challenge_window: BlockNumber,
	/// Blocks a closed round stays queryable before it is removed.
	pub retention: BlockNumber,
}

impl<BlockNumber: From<u32>> Default for Timing<BlockNumber> {
	/// With 3-second blocks: a minute to join, five to train, a minute each to upload and to
	/// aggregate, 30 s to reveal and to publish, payouts after 10 minutes, rounds kept a day.
	fn default() -> Self {
		Timing {
			join_window: 20.into(),
			train_window: 100.into(),
			upload_window: 20.into(),
			commit_window: 20.into(),
			reveal_window: 10.into(),
			publish_window: 10.into(),
			challenge_window: 200.into(),
			retention: 28_800.into(),
		}
	}
}

/// The deadlines the pallet's hook acts on. Each queue is in the order of its deadlines, since
/// every item of a queue is pushed a fixed window after the block that pushes it.
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
pub enum Queue {
	/// Ends of join windows.
	Join,
	/// Ends of training windows.
	Train,
	/// Ends of upload windows.
	Upload,
	/// Ends of the committee's commit windows.
	Commit,
	/// Ends of the committee's reveal windows.
	Reveal,
	/// Ends of publish windows.
	Publish,
	/// Ends of challenge windows: payments.
	Payout,
	/// Ends of retention: closed rounds are removed.
	Prune,
}

impl Queue {
	/// Every queue, in the order the hook serves them.
	pub const ALL: [Queue; 8] = [
		Queue::Join,
		Queue::Train,
		Queue::Upload,
		Queue::Commit,
		Queue::Reveal,
		Queue::Publish,
		Queue::Payout,
		Queue::Prune,
	];
}

/// A deadline: act on `round` at block `at`.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct QueueItem<BlockNumber> {
	/// The round.
	pub round: RoundId,
	/// The block from which the item is due.
	pub at: BlockNumber,
}

/// The tasks of a round's commit-reveal ballots: participants commit to their update hashes
/// under one, the committee to its result hashes under the other, so that a commitment of one
/// kind never counts as the other.
#[derive(Encode, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Work {
	/// A participant's update of round `0`.
	Update(RoundId),
	/// A committee member's result of round `0`.
	Result(RoundId),
}

/// What a node's worker key signs; the chain's genesis hash ties it to this chain.
#[derive(Encode, Clone, PartialEq, Eq, Debug)]
pub enum Payload<Hash> {
	/// Joining `round` with `samples` samples.
	Join { genesis: Hash, round: RoundId, node: NodeId, samples: u64 },
	/// Committing to an update (`Work::Update`) or a result (`Work::Result`).
	Commit { genesis: Hash, task: Work, node: NodeId, commitment: H256 },
	/// Revealing the update or result whose hash is `hash`.
	Reveal { genesis: Hash, task: Work, node: NodeId, hash: H256, salt: Salt },
	/// Storing the agreed weights, whose hash is `hash`.
	Store { genesis: Hash, round: RoundId, node: NodeId, hash: H256 },
	/// Challenging, on its owner's behalf, the result of `round` that outvoted the node's own.
	Challenge { genesis: Hash, round: RoundId, node: NodeId },
}

impl<Hash: Encode> Payload<Hash> {
	/// The bytes the worker key signs.
	pub fn bytes(&self) -> alloc::vec::Vec<u8> {
		(b"swarm/training", self).encode()
	}
}

/// The seed a participant of a round trains with: its node id mixed into the round's seed, so
/// that no two participants shuffle alike.
pub fn participant_seed(round_seed: &[u8; 32], node: NodeId) -> [u8; 32] {
	polkadot_sdk::sp_io::hashing::blake2_256(
		&(b"swarm/training/participant", round_seed, node).encode(),
	)
}

/// Why the transaction pool refuses a participant's or a committee member's transaction; the
/// code is `InvalidTransaction::Custom(code)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum WorkRejection {
	/// No such round.
	UnknownRound = 1,
	/// The round is not in this phase (its window closed, or has not opened).
	WrongPhase = 2,
	/// The node takes no part in this phase of the round.
	NotAssigned = 3,
	/// The node has committed already.
	AlreadyCommitted = 4,
	/// The signature is not the node's worker key's.
	BadSignature = 5,
	/// The reveal does not match the node's commitment.
	Mismatch = 6,
	/// The node has nothing to reveal: it did not commit.
	NotCommitted = 7,
	/// The node has revealed already.
	AlreadyRevealed = 8,
	/// The result or update does not fit the round (its verdicts, its size).
	Malformed = 9,
	/// The node has joined already.
	AlreadyJoined = 10,
	/// The round has all the participants it takes.
	RoundFull = 11,
	/// The node may not take work now (not registered, bonded, heartbeating, or jailed).
	NotEligible = 12,
	/// A participant must train on at least one sample.
	NoSamples = 13,
	/// The weights are not the ones the committee agreed on.
	NotAgreed = 14,
	/// The node's owner has not let its worker challenge for it.
	NotOptedIn = 15,
	/// The node did not reveal a result other than the settled one.
	NotOutvoted = 16,
}

impl From<WorkRejection> for InvalidTransaction {
	fn from(rejection: WorkRejection) -> Self {
		InvalidTransaction::Custom(rejection as u8)
	}
}
