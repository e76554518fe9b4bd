//! The records the inference pallet keeps.
//!
//! - [`JobInput`]: what a job runs the model on: samples inline, or a file in the weights store.
//! - [`InferenceOutput`]: what the nodes agree on: a label and Q15.16 class scores per sample.
//! - [`Job`]: a request, its escrow, its seats and where it stands ([`Phase`]).
//! - [`Dispute`]: a challenge of a settled job and its re-execution ([`DisputeStage`],
//!   [`Verdict`]); [`DisputeTerms`]: its bond and committee size, settable at genesis and by root.
//! - [`Timing`]: the windows of a job, settable at genesis and by root.
//! - [`PriceTarget`]: a model, or one version of it, that an owner prices.
//! - [`Queue`], [`QueueItem`]: the deadlines the pallet's hook acts on, in order.
//! - [`WorkRejection`]: why the transaction pool refuses a commit, a reveal or a worker's
//!   challenge.

use crate::{BalanceOf, Config};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_core::H256,
	sp_runtime::transaction_validity::InvalidTransaction,
};
use scale_info::TypeInfo;
pub use swarm_primitives::dispute::{DisputeStage, DisputeTerms, Verdict, Window};
pub use swarm_primitives::{
	commit_reveal::{Ballot, Outcome, Salt},
	worker::{Public as WorkerKey, Signature as WorkerSignature},
	NodeId,
};

/// Identifies an inference job. Assigned in order, from 0.
pub type JobId = u64;

/// What a job runs the model on. Values are bytes (e.g. grey pixels 0–255), sample after
/// sample, each sample in the model's input shape (channels × height × width, row-major); the
/// engine scales them to 0–1 as it does for Fashion-MNIST.
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
pub enum JobInput<T: Config> {
	/// `samples` samples, carried in the request.
	Inline {
		/// How many samples `data` holds.
		samples: u32,
		/// The values.
		data: BoundedVec<u8, T::MaxInputBytes>,
	},
	/// `samples` samples in a file of the weights store.
	File {
		/// How many samples the file holds.
		samples: u32,
		/// The file's blake2-256 hash.
		hash: H256,
	},
}

impl<T: Config> JobInput<T> {
	/// How many samples the job runs.
	pub fn samples(&self) -> u32 {
		match self {
			JobInput::Inline { samples, .. } | JobInput::File { samples, .. } => *samples,
		}
	}
}

/// What the nodes of a job agree on. For each sample the predicted class (the first highest
/// score) and, sample after sample, every class's score (logit) in Q15.16 fixed point
/// (`round(x · 65536)`, saturated to `i32`). Nodes commit to, and reveal, the blake2-256 hash of
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
pub struct InferenceOutput<T: Config> {
	/// The predicted class of each sample.
	pub labels: BoundedVec<u32, T::MaxSamples>,
	/// Each sample's class scores, Q15.16.
	pub logits: BoundedVec<i32, T::MaxLogits>,
}

impl<T: Config> InferenceOutput<T> {
	/// The hash nodes commit to: blake2-256 of the labels (`u32` little-endian) followed by the
	/// scores (`i32` little-endian), the output hash `swarm-ml infer` prints for the same
	/// samples. (The job fixes how many labels and scores there are.)
	pub fn hash(&self) -> H256 {
		let mut bytes = alloc::vec::Vec::with_capacity(
			self.labels.len().saturating_add(self.logits.len()).saturating_mul(4),
		);
		self.labels.iter().for_each(|label| bytes.extend_from_slice(&label.to_le_bytes()));
		self.logits.iter().for_each(|score| bytes.extend_from_slice(&score.to_le_bytes()));
		H256(polkadot_sdk::sp_io::hashing::blake2_256(&bytes))
	}
}

/// Where a job stands.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub enum Phase<BlockNumber> {
	/// The seats commit to their results, until the block given (inclusive).
	Commit {
		/// The last block in which a commit is accepted.
		until: BlockNumber,
	},
	/// The seats that committed reveal, until the block given (inclusive).
	Reveal {
		/// The last block in which a reveal is accepted.
		until: BlockNumber,
	},
	/// A quorum agreed on `result`; the model's owner is paid. The nodes' fee is held until
	/// `payout_at`, the end of the challenge window, then paid to the agreeing nodes.
	Settled {
		/// The hash of the agreed [`InferenceOutput`].
		result: H256,
		/// The block in which the agreeing nodes are paid.
		payout_at: BlockNumber,
	},
	/// Settled, and the agreeing nodes have been paid.
	Paid {
		/// The hash of the agreed [`InferenceOutput`].
		result: H256,
	},
	/// No result: the requester got the escrow back.
	Failed {
		/// Why.
		reason: FailReason,
	},
	/// Settled on `result`, and challenged within the challenge window: a fresh committee
	/// re-executes the job ([`Job::dispute`]); the nodes' fee stays held until it resolves.
	Disputed {
		/// The hash of the challenged [`InferenceOutput`].
		result: H256,
	},
}

impl<BlockNumber: Copy> Phase<BlockNumber> {
	/// The deadline of the commit or reveal window, if the job is in one.
	pub fn window_end(&self) -> Option<BlockNumber> {
		match self {
			Phase::Commit { until } | Phase::Reveal { until } => Some(*until),
			_ => None,
		}
	}

	/// Whether the job's nodes are done with it: settled (paid or not) or failed. A disputed
	/// job is not: a committee is re-executing it.
	pub fn is_closed(&self) -> bool {
		matches!(self, Phase::Settled { .. } | Phase::Paid { .. } | Phase::Failed { .. })
	}
}

/// Why a job ended without a result.
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
	/// The reveals can no longer give any result the quorum.
	NoQuorum,
	/// Too few of the seats committed for a quorum, and no replacement could be found in time.
	TooFewCommits,
	/// The job was settled, then challenged, and neither re-execution (nor its escalation)
	/// reached a quorum: nobody can say which result is right, so everyone is refunded.
	DisputeUnresolved,
}

/// A request for inference and everything the chain knows of it.
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
pub struct Job<T: Config> {
	/// Who asked for it and pays for it.
	pub requester: T::AccountId,
	/// The model version it runs.
	pub version: u64,
	/// The version's model.
	pub model: u64,
	/// The model's owner when the job was requested, paid `price`.
	pub owner: T::AccountId,
	/// The version's weights file.
	pub weights_hash: H256,
	/// What it runs the model on.
	pub input: JobInput<T>,
	/// The model's number of classes (the output's scores per sample).
	pub classes: u32,
	/// How many agreeing seats settle it.
	pub quorum: u32,
	/// The owner's price, held from the requester.
	pub price: BalanceOf<T>,
	/// The nodes' fee, held from the requester and split between the agreeing nodes.
	pub node_fee: BalanceOf<T>,
	/// The block that included the request.
	pub requested_at: BlockNumberFor<T>,
	/// The last block in which a replacement seat may still be given a commit window.
	pub timeout: BlockNumberFor<T>,
	/// The seed its seats were chosen by.
	pub seed: [u8; 32],
	/// The memory, in MiB, a node needs for it (see [`swarm_primitives::WorkNeeds`]).
	pub needs_mib: u32,
	/// The seats and what each has sent.
	pub ballot: Seats<T>,
	/// Nodes that lost their seat for missing the commit window, replaced once each.
	pub replaced: BoundedVec<NodeId, T::MaxReplicas>,
	/// Where it stands.
	pub phase: Phase<BlockNumberFor<T>>,
	/// How each seat ended, once closed (replaced nodes first, as `MissedCommit`). After a
	/// dispute overturns the result, each seat's standing against the corrected result.
	pub outcomes: BoundedVec<(NodeId, Outcome), T::MaxOutcomes>,
	/// The challenge of its settled result, if there is one, kept after it resolves.
	pub dispute: Option<Dispute<T>>,
}

/// The seats of a job, or of its dispute committee, and what each has sent.
pub type Seats<T> = Ballot<H256, <T as Config>::MaxReplicas>;

impl<T: Config> Job<T> {
	/// The ballot that takes commits and reveals now, with its window: the job's own while it
	/// runs, its dispute's while a committee re-executes it; `None` otherwise.
	pub fn voting(&self) -> Option<(Window<BlockNumberFor<T>>, &Seats<T>)> {
		match (&self.phase, &self.dispute) {
			(Phase::Commit { until }, _) => Some((Window::Commit { until: *until }, &self.ballot)),
			(Phase::Reveal { until }, _) => Some((Window::Reveal { until: *until }, &self.ballot)),
			(Phase::Disputed { .. }, Some(dispute)) => {
				dispute.stage.window().map(|window| (window, &dispute.ballot))
			},
			_ => None,
		}
	}

	/// The ballot of [`Job::voting`], to record a commit or a reveal in.
	pub fn voting_mut(&mut self) -> Option<&mut Seats<T>> {
		match (&self.phase, &mut self.dispute) {
			(Phase::Commit { .. } | Phase::Reveal { .. }, _) => Some(&mut self.ballot),
			(Phase::Disputed { .. }, Some(dispute)) if dispute.stage.window().is_some() => {
				Some(&mut dispute.ballot)
			},
			_ => None,
		}
	}

	/// The quorum of the ballot of [`Job::voting`].
	pub fn voting_quorum(&self) -> u32 {
		match (&self.phase, &self.dispute) {
			(Phase::Disputed { .. }, Some(dispute)) => dispute.quorum,
			_ => self.quorum,
		}
	}

	/// The last block of the current commit or reveal window, if a ballot is in one.
	pub fn window_end(&self) -> Option<BlockNumberFor<T>> {
		self.voting().map(|(window, _)| window.until())
	}
}

/// A challenge of a settled job: who placed it, its bond, and the committee that re-executes
/// the job through the same commit-reveal as the original seats.
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
	/// The block in which the challenge was placed.
	pub opened_at: BlockNumberFor<T>,
	/// 1 for the first committee, 2 once escalated after a committee without quorum.
	pub level: u32,
	/// The committee's fee, paid to its agreeing seats when the dispute resolves: from the
	/// bond if the result stands, from the slashed bonds if it falls.
	pub fee: BalanceOf<T>,
	/// How many agreeing seats of the committee decide.
	pub quorum: u32,
	/// The current committee's seats and what each has sent.
	pub ballot: Seats<T>,
	/// Where it stands.
	pub stage: DisputeStage<BlockNumberFor<T>>,
	/// How the seats of every committee ended (the first committee's first, if it escalated).
	pub outcomes: BoundedVec<(NodeId, Outcome), T::MaxOutcomes>,
}

/// The windows of every job, in blocks. Set at genesis and by root ([`Pallet::set_timing`]), so
/// that tests and dev chains can run with short ones.
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
	/// Blocks after the request (or a replacement) in which the seats commit.
	pub commit_window: BlockNumber,
	/// Blocks after the last commit (or the commit window's end) in which the seats reveal.
	pub reveal_window: BlockNumber,
	/// Blocks after the request after which a missing seat is no longer replaced.
	pub job_timeout: BlockNumber,
	/// Blocks after settlement during which the nodes' fee is held (0: paid at once).
	pub challenge_window: BlockNumber,
	/// Blocks a closed job stays queryable before it is removed.
	pub retention: BlockNumber,
}

impl<BlockNumber: From<u32>> Default for Timing<BlockNumber> {
	/// With 3-second blocks: 30 s to commit, 30 s to reveal, a replacement possible for a
	/// minute, payouts after 10 minutes, jobs kept a day.
	fn default() -> Self {
		Timing {
			commit_window: 10.into(),
			reveal_window: 10.into(),
			job_timeout: 20.into(),
			challenge_window: 200.into(),
			retention: 28_800.into(),
		}
	}
}

/// What an owner prices: every version of a model, or one version (which takes precedence).
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
pub enum PriceTarget {
	/// Every version of model `0`.
	Model(u64),
	/// Version `0` only.
	Version(u64),
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
	/// Ends of commit windows.
	Commit,
	/// Ends of reveal windows.
	Reveal,
	/// Ends of challenge windows: the agreeing nodes are paid.
	Payout,
	/// Ends of retention: closed jobs are removed.
	Prune,
}

impl Queue {
	/// Every queue, in the order the hook serves them.
	pub const ALL: [Queue; 4] = [Queue::Commit, Queue::Reveal, Queue::Payout, Queue::Prune];
}

/// A deadline: act on `job` at block `at`.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct QueueItem<BlockNumber> {
	/// The job.
	pub job: JobId,
	/// The block from which the item is due.
	pub at: BlockNumber,
}

/// What a node's worker key signs to commit: the chain's genesis hash ties it to this chain.
pub fn commit_payload<Hash: Encode>(
	genesis: &Hash,
	job: JobId,
	node: NodeId,
	commitment: &H256,
) -> alloc::vec::Vec<u8> {
	(b"swarm/inference/commit", genesis, job, node, commitment).encode()
}

/// What a node's worker key signs to reveal.
pub fn reveal_payload<Hash: Encode>(
	genesis: &Hash,
	job: JobId,
	node: NodeId,
	result: &H256,
	salt: &Salt,
) -> alloc::vec::Vec<u8> {
	(b"swarm/inference/reveal", genesis, job, node, result, salt).encode()
}

/// What a node's worker key signs to challenge, on its owner's behalf, the result that outvoted
/// the node's own.
pub fn challenge_payload<Hash: Encode>(genesis: &Hash, job: JobId, node: NodeId) -> alloc::vec::Vec<u8> {
	(b"swarm/inference/challenge", genesis, job, node).encode()
}

/// Why the transaction pool refuses a commit or a reveal; the code is
/// `InvalidTransaction::Custom(code)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum WorkRejection {
	/// No such job.
	UnknownJob = 1,
	/// The job is not in this phase (its window closed, or has not opened).
	WrongPhase = 2,
	/// The node holds no seat in the job.
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
	/// The output does not have the job's shape.
	Malformed = 9,
	/// The node's owner has not let its worker challenge on its behalf.
	NotOptedIn = 10,
	/// The node did not reveal a result other than the settled one.
	NotOutvoted = 11,
}

impl From<WorkRejection> for InvalidTransaction {
	fn from(rejection: WorkRejection) -> Self {
		InvalidTransaction::Custom(rejection as u8)
	}
}
