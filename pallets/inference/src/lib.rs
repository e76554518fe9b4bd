//! # Inference Pallet
//!
//! Paid inference on registered models, run by several compute nodes at once and accepted when a
//! quorum of them agrees.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for calls, storage, events and errors, and [`Config`] for the fees,
//! bounds and reputation effects. The pallet uses the other pallets only through the traits of
//! `swarm-primitives`: [`swarm_primitives::ModelCatalog`] (versions, owners),
//! [`swarm_primitives::ContentInspector`] (stored files), [`swarm_primitives::NodeRegistry`],
//! [`swarm_primitives::WorkerDirectory`], [`swarm_primitives::Reputation`] and
//! [`swarm_primitives::BondSlasher`] (compute nodes), and [`swarm_primitives::WorkRewards`]
//! (payments from the reward pot). Commit-reveal and quorum counting are
//! [`swarm_primitives::commit_reveal`], shared with training rounds.
//!
//! ## Overview
//!
//! A model's owner **offers** it as a paid service by setting a price per request for the model
//! or for one version ([`Pallet::set_price`]). Anyone may then **request** inference
//! ([`Pallet::request`]) on a version whose weights are stored and whose configuration the ML
//! engine runs (the engine's canonical configuration bytes, stored inline with the version),
//! with a bounded batch of samples carried in the request or stored as a file, and a number of
//! replicas k. The owner's price and the nodes' fee (k × [`Config::NodeFee`]) are held from the
//! requester as escrow, and k eligible compute nodes are chosen from a seed.
//!
//! Each chosen node's offchain worker runs the model with the deterministic engine and sends a
//! **commit** of its result, then, once every seat has committed or the commit window has
//! closed, a **reveal** ([`swarm_primitives::commit_reveal`]). Both are feeless transactions
//! signed by the node's worker key. A seat that misses the commit window is given to another
//! eligible node once, while the job's timeout allows.
//!
//! The job **settles** as soon as every node that committed has revealed and a result has the
//! quorum (at least [`Config::Quorum`] of k, by default ⌈2k/3⌉), or when the reveal window
//! ends. The agreed output is stored; the owner is paid its price at once; the nodes' fee is
//! held for the challenge window ([`Timing::challenge_window`], which may be 0) and then split
//! between the agreeing nodes through the reward pot. Agreeing nodes gain reputation; a node
//! that revealed another result is **slashed** ([`Config::SlashShare`] of its bond) and loses
//! reputation when the payments are final; a node that missed its commit or reveal loses
//! reputation and is jailed after [`Config::MaxMisses`] misses in a row. Without a quorum the
//! requester gets the whole escrow back. Every seat's outcome is an event and stays in the job
//! record, queryable for [`Timing::retention`] blocks, after which the job is removed.
//!
//! ## Disputes
//!
//! A quorum of k nodes is only as honest as the nodes the seed picked. Because the engine gives
//! the same bits on every CPU, any other node can check a result, and a dispute is settled by
//! re-execution and a hash comparison. Within the challenge window anyone (the requester, a
//! node's owner, any account; not the owner of a node that agreed on the result) may
//! **challenge** the result ([`Pallet::challenge`]), placing the bond of [`ChallengeTerms`]. A
//! fresh committee of [`DisputeTerms::replicas`] eligible nodes, none of which held a seat in the
//! job, re-executes it through the same commit and reveal ([`Job::voting`] is the ballot that
//! takes them), and its quorum decides:
//!
//! - the settled result: **confirmed**. The bond goes to the reward pot and pays the committee; the
//!   original payout is made.
//! - another result: **overturned**. The seats that agreed on the settled result lose
//!   [`Config::FraudSlashShare`] of their bonds and are jailed for [`Config::FraudJail`] blocks;
//!   the corrected output becomes the job's result; the requester gets the nodes' fee back; the
//!   seats that revealed the corrected result are paid a replica's fee, and the committee its fee,
//!   from the pot (where the slashed bonds went); the challenger gets its bond back and
//!   [`Config::ChallengerReward`] of the slashed amount.
//! - no quorum: a second committee, excluding the first, re-executes it once; without a quorum
//!   again (or enough eligible nodes) the dispute is **unresolved**: the challenger and the
//!   requester are refunded, and nobody is paid or slashed.
//!
//! A node's owner may let the node's worker challenge on its behalf
//! ([`Pallet::set_auto_challenge`]): when the node was outvoted, its offchain worker sends
//! [`Pallet::challenge_for_owner`], claiming the output the node revealed, with the owner's bond.
//!
//! Every step is an event, and the dispute stays in the job's record ([`Job::dispute`]). The
//! payments and penalties of a job are final only when its window passes or its dispute
//! resolves. A dispute costs the challenger a transaction fee and, if the result stands, the
//! bond (at least the committee's fee, [`DisputeTerms`]); it costs a convicted node half its
//! bond in the runtime.
//!
//! ## Low Level / Implementation Details
//!
//! ### The seed, and what a block author can do to it
//!
//! A job's seats are chosen by `blake2_256(parent_hash ‖ job id)`. The author of the block that
//! includes a request cannot change the parent hash, but it can choose whether to include the
//! request now or leave it to a later block (another parent hash), and a requester can choose
//! when to send: either can try a few seeds. That only helps someone who controls enough
//! registered nodes to fill a quorum of the seats: with a fraction `f` of the eligible nodes,
//! each try gives them a quorum with probability about `f^⌈2k/3⌉`, so a handful of tries with a
//! minority stake rarely succeeds, every try delays the request a block, and a colluding quorum
//! that succeeds still posts bonds that any challenger can have slashed (see Disputes). A
//! dispute committee's seed is drawn when the challenge is included, from that block's parent.
//!
//! ### Deadlines
//!
//! The pallet's hook acts on four queues ([`Queue`]): ends of commit windows, ends of reveal
//! windows (a job's or its dispute committee's), ends of challenge windows (payouts) and ends of
//! retention (removal). Every item of a
//! queue is pushed a fixed window after the block that pushes it, so each queue is in deadline
//! order and the hook only looks at the heads, at most [`Config::MaxExpiriesPerBlock`] items a
//! block. An item whose job moved on early (every seat committed before the window's end) is
//! skipped, and charged only its reads and writes; an item that acts is charged the most any
//! deadline of a job with its number of seats takes, or, for a job that was disputed, the most
//! any deadline takes ([`Pallet::deadline_weight`]). If root shortens a window, items pushed later
//! may be due before older ones: they wait behind them, a delay, never a loss.
//!
//! ### Output size
//!
//! Every output is stored on chain: at most [`Config::MaxLogits`] scores (64 samples × 16
//! classes in the runtime). A request whose output would be larger is refused at request time
//! with [`Error::OutputTooLarge`], before anything is held. Larger outputs as files in the
//! weights store (the quorum agreeing on the file's hash, one node uploading it, as training
//! rounds do with their weights) are not built yet: no model the engine runs today needs them.
//!
//! ### Escrow
//!
//! The escrow is a hold on the requester's balance ([`HoldReason::JobEscrow`]): price plus
//! nodes' fee while the job runs, the nodes' fee alone while it is settled or disputed, nothing
//! after. A challenger's bond is a hold too ([`HoldReason::ChallengeBond`]) until its dispute
//! resolves. `try_state` checks that every requester's hold equals what its jobs hold, and every
//! challenger's what its open disputes hold.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod mock;
pub mod offchain;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod tests;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod tests_offchain;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{
		self,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Restriction},
		},
	},
	frame_system,
	sp_core::H256,
	sp_runtime::{
		traits::{Saturating, Zero},
		Perbill,
	},
};
use swarm_primitives::{
	commit_reveal::{quorum, Tally},
	dispute::{self, forfeit_bond, release_bond, reward_challenger},
	model_config, BondSlasher, ContentInspector, ModelCatalog, NodeRegistry, Reputation, WorkId,
	WorkNeeds, WorkRewards, WorkerDirectory,
};

/// The log target of this pallet.
pub const LOG_TARGET: &str = "runtime::inference";

pub use swarm_primitives::{dispute::MAX_DISPUTE_LEVEL, RECENT_SCAN};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
>>::Balance;

/// The pool priority of commits and reveals: just below heartbeats and above every fee-paying
/// transaction, since a paid job waits on them and only the nodes seated in a job can send them. A
/// fee-paying transaction's priority is `(tip + 1) ×` how many like it fit a block, so at a fixed
/// priority (it was 2^20) a tip of a few thousand planck outranked this work: anyone keeping blocks
/// full with such tips would make honest nodes miss their windows and be slashed. Bounded as it is,
/// the work costs other transactions little.
pub const WORK_PRIORITY: polkadot_sdk::sp_runtime::transaction_validity::TransactionPriority =
	polkadot_sdk::sp_runtime::transaction_validity::TransactionPriority::MAX - 1;

// FRAME's macros expand to `expect`s carrying their proofs (e.g. the size of an encoded error);
// the code written in this module uses none.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use polkadot_sdk::sp_runtime::transaction_validity::{
		TransactionValidityWithRefund, ValidTransaction,
	};

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the inference pallet.
	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>>
		+ polkadot_sdk::frame_system::offchain::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The currency of escrows, prices and fees.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// Model versions and their owners.
		type Models: ModelCatalog<Self::AccountId>;

		/// Stored files: a version's weights, a job's input file.
		type Content: ContentInspector;

		/// Compute nodes: eligibility, worker keys, choice, reputation and bonds.
		type Nodes: NodeRegistry<Self::AccountId>
			+ WorkerDirectory
			+ Reputation
			+ BondSlasher<BalanceOf<Self>>;

		/// Payments of verified work from the reward pot.
		type Rewards: WorkRewards<BalanceOf<Self>>;

		/// The reward pot's account, into which the nodes' fee goes before it is paid out.
		type RewardPot: Get<Self::AccountId>;

		/// The fee of each replica, paid to the agreeing nodes.
		#[pallet::constant]
		type NodeFee: Get<BalanceOf<Self>>;

		/// The replicas of a request that does not say.
		#[pallet::constant]
		type DefaultReplicas: Get<u32>;

		/// The most replicas a request may ask for.
		#[pallet::constant]
		type MaxReplicas: Get<u32>;

		/// The most seat outcomes a job records: its seats and the nodes they replaced (at
		/// least twice `MaxReplicas`).
		#[pallet::constant]
		type MaxOutcomes: Get<u32>;

		/// The share of a job's seats that must reveal the same result (rounded up).
		#[pallet::constant]
		type Quorum: Get<Perbill>;

		/// The most samples one request may carry.
		#[pallet::constant]
		type MaxSamples: Get<u32>;

		/// The most input bytes one request may carry inline.
		#[pallet::constant]
		type MaxInputBytes: Get<u32>;

		/// The most class scores an output may hold (samples × classes).
		#[pallet::constant]
		type MaxLogits: Get<u32>;

		/// The most jobs stored at once (running, or closed and not yet removed).
		#[pallet::constant]
		type MaxOpenJobs: Get<u32>;

		/// The most deadlines the hook acts on in one block; the rest wait for the next.
		#[pallet::constant]
		type MaxExpiriesPerBlock: Get<u32>;

		/// The share of its bond a node loses for revealing a result the quorum outvoted.
		#[pallet::constant]
		type SlashShare: Get<Perbill>;

		/// How far towards 1 an agreeing node's reputation moves.
		#[pallet::constant]
		type AgreedReputation: Get<Perbill>;

		/// How far towards 0 an outvoted node's reputation moves.
		#[pallet::constant]
		type OutvotedReputation: Get<Perbill>;

		/// How far towards 0 the reputation of a node that missed its commit or reveal moves.
		#[pallet::constant]
		type MissedReputation: Get<Perbill>;

		/// Misses in a row after which a node is jailed.
		#[pallet::constant]
		type MaxMisses: Get<u32>;

		/// How long, in blocks, a node is jailed for `MaxMisses` misses in a row.
		#[pallet::constant]
		type MissJail: Get<u32>;

		/// A challenge's bond until root sets [`ChallengeTerms`].
		#[pallet::constant]
		type DisputeBond: Get<BalanceOf<Self>>;

		/// The seats of a re-execution committee until root sets [`ChallengeTerms`].
		#[pallet::constant]
		type DisputeReplicas: Get<u32>;

		/// The share of its bond a node loses when a dispute overturns a result it agreed on.
		#[pallet::constant]
		type FraudSlashShare: Get<Perbill>;

		/// How long, in blocks, a node is jailed when a dispute overturns a result it agreed on.
		#[pallet::constant]
		type FraudJail: Get<u32>;

		/// The share of the bonds slashed by an overturning dispute that its challenger gets.
		#[pallet::constant]
		type ChallengerReward: Get<Perbill>;

		/// Weights of this pallet's calls and hook, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Reasons for the pallet's holds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A requester's escrow for its jobs.
		#[codec(index = 0)]
		JobEscrow,
		/// A challenger's bond, until its dispute resolves.
		#[codec(index = 1)]
		ChallengeBond,
	}

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T> = StorageValue<_, JobId, ValueQuery>;

	/// How many jobs are stored (at most [`Config::MaxOpenJobs`]).
	#[pallet::storage]
	pub type JobCount<T> = StorageValue<_, u32, ValueQuery>;

	/// Every stored job.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, Job<T>>;

	/// The outputs revealed in a job, by hash: while it runs, each distinct output; once
	/// settled, the agreed one only.
	#[pallet::storage]
	pub type Outputs<T: Config> =
		StorageDoubleMap<_, Twox64Concat, JobId, Identity, H256, InferenceOutput<T>>;

	/// The jobs each node holds (or held) a seat in, while they are stored.
	#[pallet::storage]
	pub type Assignments<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NodeId, Twox64Concat, JobId, (), OptionQuery>;

	/// Prices per request set by model owners.
	#[pallet::storage]
	pub type Prices<T: Config> = StorageMap<_, Blake2_128Concat, PriceTarget, BalanceOf<T>>;

	/// Each node's misses in a row (commit or reveal); reset when it agrees, or is jailed.
	#[pallet::storage]
	pub type Misses<T> = StorageMap<_, Twox64Concat, NodeId, u32, ValueQuery>;

	/// The windows of jobs.
	#[pallet::storage]
	pub type JobTiming<T: Config> = StorageValue<_, Timing<BlockNumberFor<T>>, ValueQuery>;

	/// The items of each deadline queue, by position.
	#[pallet::storage]
	pub type QueueItems<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		Queue,
		Twox64Concat,
		u64,
		QueueItem<BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// The first and one-past-the-last positions of each deadline queue.
	#[pallet::storage]
	pub type QueueEnds<T> = StorageMap<_, Twox64Concat, Queue, (u64, u64), ValueQuery>;

	/// The nodes whose owners let their workers challenge, on their behalf and with their bond,
	/// a result that outvoted the node's own.
	#[pallet::storage]
	pub type AutoChallenge<T> = StorageMap<_, Twox64Concat, NodeId, (), OptionQuery>;

	/// The terms of challenges until root or genesis sets others: [`Config::DisputeBond`] and
	/// [`Config::DisputeReplicas`].
	#[pallet::type_value]
	pub fn DefaultDisputeTerms<T: Config>() -> DisputeTerms<BalanceOf<T>> {
		DisputeTerms { bond: T::DisputeBond::get(), replicas: T::DisputeReplicas::get() }
	}

	/// The terms of challenges placed from now on (a placed one keeps its own).
	#[pallet::storage]
	pub type ChallengeTerms<T: Config> =
		StorageValue<_, DisputeTerms<BalanceOf<T>>, ValueQuery, DefaultDisputeTerms<T>>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The windows of jobs; the default when not given.
		pub timing: Option<Timing<BlockNumberFor<T>>>,
		/// The terms of challenges; [`DefaultDisputeTerms`] when not given.
		pub dispute_terms: Option<DisputeTerms<BalanceOf<T>>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(timing) = &self.timing {
				assert!(Pallet::<T>::check_timing(timing).is_ok(), "genesis: bad job timing");
				JobTiming::<T>::put(timing);
			}
			if let Some(terms) = &self.dispute_terms {
				assert!(Pallet::<T>::check_terms(terms).is_ok(), "genesis: bad dispute terms");
				ChallengeTerms::<T>::put(terms);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model's owner set (or, with `None`, withdrew) a price.
		PriceSet { target: PriceTarget, price: Option<BalanceOf<T>> },
		/// A job was requested and its seats given to `nodes`; `price` and `node_fee` are held.
		JobRequested {
			job: JobId,
			requester: T::AccountId,
			version: u64,
			nodes: Vec<NodeId>,
			price: BalanceOf<T>,
			node_fee: BalanceOf<T>,
		},
		/// `node` committed to its result.
		Committed { job: JobId, node: NodeId },
		/// The reveal window opened, until block `until`.
		RevealOpened { job: JobId, until: BlockNumberFor<T> },
		/// `node` revealed `result`, which matched its commitment.
		Revealed { job: JobId, node: NodeId, result: H256 },
		/// `missed` lost its seat for missing the commit window; `by` took it.
		SeatReplaced { job: JobId, missed: NodeId, by: NodeId },
		/// A quorum of `agreed` seats agreed on `result`; the owner was paid `price`.
		JobSettled { job: JobId, result: H256, agreed: u32, price: BalanceOf<T> },
		/// How `node`'s seat ended.
		NodeOutcome { job: JobId, node: NodeId, outcome: Outcome },
		/// `node` lost `amount` of its bond for being outvoted.
		NodeSlashed { job: JobId, node: NodeId, amount: BalanceOf<T> },
		/// `node` was jailed for missing `misses` commits or reveals in a row.
		NodeJailed { node: NodeId, misses: u32 },
		/// The agreeing nodes were paid `amount` between `nodes` of them.
		NodesPaid { job: JobId, amount: BalanceOf<T>, nodes: u32 },
		/// Paying the agreeing nodes failed (the error is logged); the requester got
		/// `refunded` back.
		PayoutFailed { job: JobId, refunded: BalanceOf<T> },
		/// The job ended without a result; the requester got `refunded` back.
		JobFailed { job: JobId, reason: FailReason, refunded: BalanceOf<T> },
		/// A closed job was removed after its retention period.
		JobRemoved { job: JobId },
		/// Root changed the windows of jobs.
		TimingSet { timing: Timing<BlockNumberFor<T>> },
		/// `challenger` challenged the settled result of `job`, placing `bond`; the committee
		/// `nodes` re-executes it. `claimed` is the result the challenger says is right.
		Challenged {
			job: JobId,
			challenger: T::AccountId,
			bond: BalanceOf<T>,
			claimed: Option<H256>,
			nodes: Vec<NodeId>,
		},
		/// The committee of `job`'s dispute reached no quorum; a fresh one, `nodes`, re-executes
		/// it (committee `level`).
		DisputeEscalated { job: JobId, level: u32, nodes: Vec<NodeId> },
		/// How `node`'s seat in the dispute committee of `job` ended.
		DisputeOutcome { job: JobId, node: NodeId, outcome: Outcome },
		/// The dispute of `job` was decided: its payments are final.
		DisputeResolved { job: JobId, verdict: Verdict },
		/// `node` agreed on a result that a dispute overturned: it lost `slashed` of its bond
		/// and is jailed for `jailed_for` blocks.
		NodeConvicted { job: JobId, node: NodeId, slashed: BalanceOf<T>, jailed_for: u32 },
		/// The challenger of `job` got its `bond` back and `reward` from the slashed bonds
		/// (the result was overturned), or its bond alone (unresolved).
		ChallengerPaid {
			job: JobId,
			challenger: T::AccountId,
			bond: BalanceOf<T>,
			reward: BalanceOf<T>,
		},
		/// The result of `job` stood: its challenger's `bond` went to the reward pot, which
		/// pays the committee.
		BondForfeited { job: JobId, challenger: T::AccountId, bond: BalanceOf<T> },
		/// The agreeing seats of `job`'s dispute committee were paid `amount` between `nodes`.
		CommitteePaid { job: JobId, amount: BalanceOf<T>, nodes: u32 },
		/// The requester of `job` got the nodes' fee, `amount`, back: the result was overturned
		/// or the dispute unresolved.
		RequesterRefunded { job: JobId, amount: BalanceOf<T> },
		/// Root changed the terms of challenges.
		DisputeTermsSet { terms: DisputeTerms<BalanceOf<T>> },
		/// The owner of `node` let its worker challenge on its behalf, or stopped it.
		AutoChallengeSet { node: NodeId, enabled: bool },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No such model.
		UnknownModel,
		/// No such model version.
		UnknownVersion,
		/// The caller does not own the model.
		NotModelOwner,
		/// The version is deprecated: request a newer one.
		VersionDeprecated,
		/// The version's weights file is not stored.
		WeightsNotStored,
		/// The version's configuration is not one the engine runs (it must be the engine's
		/// canonical configuration bytes, inline).
		UnsupportedConfig,
		/// Neither the version nor its model has a price: the owner does not offer it.
		NotOffered,
		/// A request must carry at least one sample.
		NoSamples,
		/// More samples than `MaxSamples`.
		TooManySamples,
		/// The input's size is not samples × the model's sample size.
		InputSizeMismatch,
		/// The input file is not stored.
		InputFileNotStored,
		/// The output would hold more than `MaxLogits` class scores.
		OutputTooLarge,
		/// Replicas must be 1 to `MaxReplicas`.
		BadReplicas,
		/// Fewer eligible compute nodes than replicas.
		NotEnoughNodes,
		/// The price plus the nodes' fee is more than the request's `max_fee`.
		FeeAboveMax,
		/// The requester cannot pay the escrow.
		InsufficientBalance,
		/// `MaxOpenJobs` jobs are stored: try again later.
		TooManyJobs,
		/// No such job.
		UnknownJob,
		/// The job is not in the phase this needs (its window closed, or has not opened).
		WrongPhase,
		/// The node holds no seat in the job.
		NotAssigned,
		/// The node has committed already.
		AlreadyCommitted,
		/// The node has revealed already.
		AlreadyRevealed,
		/// The node did not commit, so it cannot reveal.
		NotCommitted,
		/// The reveal does not match the node's commitment.
		CommitmentMismatch,
		/// The signature is not the node's worker key's.
		BadSignature,
		/// The output does not have one label per sample and one score per class and sample,
		/// or a label is not a class.
		MalformedOutput,
		/// Every window must be at least one block (the challenge window may be 0).
		BadTiming,
		/// The job has no settled result to challenge: it is still running, or it failed.
		NotSettled,
		/// The job's challenge window has passed: its payments are final.
		ChallengeClosed,
		/// The job's result is being challenged already.
		AlreadyChallenged,
		/// The challenger owns a node that agreed on the result: it cannot dispute its own
		/// node's work.
		ChallengerAgreed,
		/// The challenger claims the result that was settled: there is nothing to dispute.
		SameResult,
		/// The challenger cannot place the bond.
		InsufficientBond,
		/// A committee must have 1 to `MaxReplicas` seats, and the bond must cover its fee.
		BadDisputeTerms,
		/// No such compute node.
		UnknownNode,
		/// The caller does not own the node.
		NotNodeOwner,
		/// The node's owner has not let its worker challenge on its behalf.
		NotOptedIn,
		/// The node did not reveal a result other than the settled one.
		NotOutvoted,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::expire(now)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			offchain::run::<T>(now);
		}

		fn integrity_test() {
			assert!(T::MaxReplicas::get() > 0, "MaxReplicas must be positive");
			assert!(
				T::MaxOutcomes::get() >= T::MaxReplicas::get().saturating_mul(2),
				"MaxOutcomes must hold every seat and every replaced node"
			);
			assert!(
				(1..=T::MaxReplicas::get()).contains(&T::DefaultReplicas::get()),
				"DefaultReplicas must be 1 to MaxReplicas"
			);
			assert!(T::MaxSamples::get() > 0, "MaxSamples must be positive");
			assert!(T::MaxExpiriesPerBlock::get() > 0, "MaxExpiriesPerBlock must be positive");
			assert!(Self::check_timing(&Timing::default()).is_ok(), "the default timing is bad");
			assert!(
				Self::check_terms(&DefaultDisputeTerms::<T>::get()).is_ok(),
				"DisputeReplicas must be 1 to MaxReplicas, and DisputeBond cover its fee"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Sets the price per request of a model, or of one of its versions (which takes
		/// precedence); `None` withdraws it. A model without a price is not offered.
		///
		/// ## Dispatch Origin
		/// Signed: the model's owner.
		///
		/// ## Errors
		/// - [`Error::UnknownModel`], [`Error::UnknownVersion`], [`Error::NotModelOwner`]
		///
		/// ## Events
		/// - [`Event::PriceSet`]
		#[pallet::call_index(0)]
		pub fn set_price(
			origin: OriginFor<T>,
			target: PriceTarget,
			price: Option<BalanceOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let model = match target {
				PriceTarget::Model(model) => model,
				PriceTarget::Version(version) => {
					T::Models::served_version(version).ok_or(Error::<T>::UnknownVersion)?.model
				},
			};
			let owner = T::Models::model_owner(model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(owner == who, Error::<T>::NotModelOwner);
			Prices::<T>::set(target, price);
			Self::deposit_event(Event::PriceSet { target, price });
			Ok(())
		}

		/// Requests inference with `version` on `input`, run by `replicas` nodes (by default
		/// [`Config::DefaultReplicas`]), paying at most `max_fee`.
		///
		/// ## Dispatch Origin
		/// Signed: the requester, who pays.
		///
		/// ## Details
		/// The version's weights must be stored and its configuration be one the engine runs;
		/// the input holds `samples` samples of the model's input shape, one byte per value.
		/// The owner's price and `replicas` × [`Config::NodeFee`] are held as escrow.
		///
		/// ## Errors
		/// - [`Error::UnknownVersion`], [`Error::VersionDeprecated`], [`Error::WeightsNotStored`],
		///   [`Error::UnsupportedConfig`], [`Error::NotOffered`]
		/// - [`Error::NoSamples`], [`Error::TooManySamples`], [`Error::InputSizeMismatch`],
		///   [`Error::InputFileNotStored`], [`Error::OutputTooLarge`]
		/// - [`Error::BadReplicas`], [`Error::NotEnoughNodes`], [`Error::TooManyJobs`]
		/// - [`Error::FeeAboveMax`], [`Error::InsufficientBalance`]
		///
		/// ## Events
		/// - [`Event::JobRequested`]
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::request(
			replicas.unwrap_or_else(T::DefaultReplicas::get),
			match input { JobInput::Inline { data, .. } => data.len() as u32, JobInput::File { .. } => 0 },
		))]
		pub fn request(
			origin: OriginFor<T>,
			version: u64,
			input: JobInput<T>,
			replicas: Option<u32>,
			max_fee: BalanceOf<T>,
		) -> DispatchResult {
			let requester = ensure_signed(origin)?;
			let replicas = replicas.unwrap_or_else(T::DefaultReplicas::get);
			ensure!((1..=T::MaxReplicas::get()).contains(&replicas), Error::<T>::BadReplicas);
			ensure!(JobCount::<T>::get() < T::MaxOpenJobs::get(), Error::<T>::TooManyJobs);
			let served = T::Models::served_version(version).ok_or(Error::<T>::UnknownVersion)?;
			ensure!(!served.deprecated, Error::<T>::VersionDeprecated);
			ensure!(
				T::Content::stored_size(&served.weights_hash) == Some(served.weights_size),
				Error::<T>::WeightsNotStored
			);
			let config = served
				.config
				.as_deref()
				.and_then(|bytes| model_config::decode(bytes).ok())
				.ok_or(Error::<T>::UnsupportedConfig)?;
			let price = Self::price_of(version, served.model).ok_or(Error::<T>::NotOffered)?;
			Self::check_input(&input, config.sample_len())?;
			let logits = input.samples().checked_mul(config.classes);
			ensure!(logits.is_some_and(|l| l <= T::MaxLogits::get()), Error::<T>::OutputTooLarge);

			let node_fee = T::NodeFee::get().saturating_mul(replicas.into());
			let total = price.saturating_add(node_fee);
			ensure!(total <= max_fee, Error::<T>::FeeAboveMax);

			let job_id = NextJobId::<T>::get();
			let seed = Self::seed(job_id);
			let needs = Self::needs(served.weights_size);
			let nodes = T::Nodes::choose(&seed, replicas, &[], &needs);
			ensure!(nodes.len() as u32 == replicas, Error::<T>::NotEnoughNodes);
			let ballot = Ballot::new(nodes.iter().copied()).map_err(|_| Error::<T>::BadReplicas)?;

			T::Currency::hold(&HoldReason::JobEscrow.into(), &requester, total)
				.map_err(|_| Error::<T>::InsufficientBalance)?;

			let now = frame_system::Pallet::<T>::block_number();
			let timing = JobTiming::<T>::get();
			let until = now.saturating_add(timing.commit_window);
			for node in &nodes {
				Assignments::<T>::insert(node, job_id, ());
			}
			Jobs::<T>::insert(
				job_id,
				Job {
					requester: requester.clone(),
					version,
					model: served.model,
					owner: served.owner,
					weights_hash: served.weights_hash,
					input,
					classes: config.classes,
					quorum: quorum(replicas, T::Quorum::get()),
					price,
					node_fee,
					requested_at: now,
					timeout: now.saturating_add(timing.job_timeout),
					seed,
					needs_mib: needs.memory_mib,
					ballot,
					replaced: BoundedVec::new(),
					phase: Phase::Commit { until },
					outcomes: BoundedVec::new(),
					dispute: None,
				},
			);
			Self::push(Queue::Commit, job_id, until.saturating_add(One::one()));
			NextJobId::<T>::put(job_id.saturating_add(1));
			JobCount::<T>::mutate(|count| *count = count.saturating_add(1));
			Self::deposit_event(Event::JobRequested {
				job: job_id,
				requester,
				version,
				nodes,
				price,
				node_fee,
			});
			Ok(())
		}

		/// Records `node`'s commitment to its result for `job` (see
		/// [`swarm_primitives::commit_reveal::commitment`], with the job id as the task): a seat
		/// of the job, or, while the job is disputed, of its dispute committee.
		///
		/// ## Dispatch Origin
		/// Authorized: a general transaction without an account or fee, which the pallet accepts
		/// when `signature` is the node's worker key's over [`commit_payload`]. The node's
		/// offchain worker sends it.
		///
		/// ## Errors
		/// - [`Error::UnknownJob`], [`Error::WrongPhase`], [`Error::NotAssigned`],
		///   [`Error::AlreadyCommitted`], [`Error::AlreadyRevealed`], [`Error::BadSignature`]
		///
		/// ## Events
		/// - [`Event::Committed`]; [`Event::RevealOpened`] when it is the last seat to commit
		#[pallet::call_index(2)]
		#[pallet::authorize(|_source, job, node, commitment, signature| {
			Pallet::<T>::authorize_commit(*job, *node, commitment, signature)
		})]
		pub fn commit(
			origin: OriginFor<T>,
			job: JobId,
			node: NodeId,
			commitment: H256,
			signature: WorkerSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let mut record =
				Self::check_commit(job, node, &commitment, &signature).map_err(Error::<T>::from)?;
			let ballot = record.voting_mut().ok_or(Error::<T>::WrongPhase)?;
			ballot.commit(node, commitment).map_err(Error::<T>::from)?;
			let all_committed = ballot.all_committed();
			Self::deposit_event(Event::Committed { job, node });
			if all_committed {
				Self::open_reveal(job, &mut record);
			}
			Jobs::<T>::insert(job, record);
			Ok(())
		}

		/// Reveals `node`'s `output` for `job` with the `salt` of its commitment. Settles the
		/// job when every committed seat has revealed and a result has the quorum, or when no
		/// result can reach it any more.
		///
		/// ## Dispatch Origin
		/// Authorized, like [`Pallet::commit`]: `signature` is the node's worker key's over
		/// [`reveal_payload`].
		///
		/// ## Errors
		/// - [`Error::UnknownJob`], [`Error::WrongPhase`], [`Error::NotAssigned`],
		///   [`Error::NotCommitted`], [`Error::AlreadyRevealed`], [`Error::CommitmentMismatch`],
		///   [`Error::BadSignature`], [`Error::MalformedOutput`]
		///
		/// ## Events
		/// - [`Event::Revealed`]; when it settles: [`Event::JobSettled`], an [`Event::NodeOutcome`]
		///   per seat, [`Event::NodeSlashed`], [`Event::NodeJailed`], [`Event::NodesPaid`], or
		///   [`Event::JobFailed`]; when a dispute committee's reveal decides: the events of
		///   [`Pallet::challenge`]'s resolution
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::reveal().max(T::WeightInfo::reveal_overturn()))]
		#[pallet::authorize(|_source, job, node, output, salt, signature| {
			Pallet::<T>::authorize_reveal(*job, *node, output, salt, signature)
		})]
		pub fn reveal(
			origin: OriginFor<T>,
			job: JobId,
			node: NodeId,
			output: InferenceOutput<T>,
			salt: Salt,
			signature: WorkerSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let mut record = Self::check_reveal(job, node, &output, &salt, &signature)
				.map_err(Error::<T>::from)?;
			let result = output.hash();
			let quorum = record.voting_quorum();
			let ballot = record.voting_mut().ok_or(Error::<T>::WrongPhase)?;
			ballot
				.reveal::<polkadot_sdk::sp_runtime::traits::BlakeTwo256>(&job, node, result, &salt)
				.map_err(Error::<T>::from)?;
			let (tally, all_revealed) = (ballot.tally(quorum, false), ballot.all_revealed());
			if !Outputs::<T>::contains_key(job, result) {
				Outputs::<T>::insert(job, result, output);
			}
			Self::deposit_event(Event::Revealed { job, node, result });
			match tally {
				Tally::Agreed(result) if all_revealed => Self::decide(job, &mut record, result),
				Tally::NoQuorum => Self::no_quorum(job, &mut record),
				_ => {},
			}
			Jobs::<T>::insert(job, record);
			Ok(())
		}

		/// Sets the windows of jobs requested from now on.
		///
		/// ## Dispatch Origin
		/// Root.
		///
		/// ## Errors
		/// - [`Error::BadTiming`]
		///
		/// ## Events
		/// - [`Event::TimingSet`]
		#[pallet::call_index(4)]
		pub fn set_timing(
			origin: OriginFor<T>,
			timing: Timing<BlockNumberFor<T>>,
		) -> DispatchResult {
			ensure_root(origin)?;
			Self::check_timing(&timing)?;
			JobTiming::<T>::put(&timing);
			Self::deposit_event(Event::TimingSet { timing });
			Ok(())
		}

		/// Challenges the settled result of `job` within its challenge window, placing the bond
		/// of [`ChallengeTerms`]; `claimed` is the result the challenger says is right, if it
		/// says (for the record: the committee decides).
		///
		/// ## Dispatch Origin
		/// Signed: anyone (the requester, a node's owner, any account) except the owner of a
		/// node that agreed on the result.
		///
		/// ## Details
		/// A committee of [`DisputeTerms::replicas`] eligible nodes, none of them the job's own,
		/// is chosen from a fresh seed and re-executes the job with the same commit-reveal as
		/// the original seats ([`Pallet::commit`], [`Pallet::reveal`]). The nodes' fee stays held
		/// until the dispute resolves:
		/// - **Confirmed** (the committee's quorum agrees on the settled result): the bond goes to
		///   the reward pot, which pays the committee its fee; the original payout is made.
		/// - **Overturned** (it agrees on another result): the seats that agreed on the settled
		///   result lose [`Config::FraudSlashShare`] of their bonds and are jailed for
		///   [`Config::FraudJail`] blocks; the corrected output becomes the job's result; the
		///   requester gets the nodes' fee back; the original seats that revealed the corrected
		///   result, and the committee, are paid from the pot (which the slashed bonds went to);
		///   the challenger gets its bond back and [`Config::ChallengerReward`] of the slashed
		///   amount.
		/// - **No quorum**: a second committee, excluding the first, re-executes it once; if it has
		///   no quorum either (or too few nodes are eligible), the dispute is unresolved: the
		///   challenger and the requester are refunded, nobody is paid or slashed, and the job
		///   fails with [`FailReason::DisputeUnresolved`].
		///
		/// ## Errors
		/// - [`Error::UnknownJob`], [`Error::NotSettled`], [`Error::ChallengeClosed`],
		///   [`Error::AlreadyChallenged`]
		/// - [`Error::SameResult`], [`Error::ChallengerAgreed`]
		/// - [`Error::NotEnoughNodes`], [`Error::InsufficientBond`]
		///
		/// ## Events
		/// - [`Event::Challenged`]; as it goes: [`Event::RevealOpened`], [`Event::DisputeOutcome`]
		///   per committee seat, [`Event::DisputeEscalated`], [`Event::DisputeResolved`],
		///   [`Event::BondForfeited`], [`Event::CommitteePaid`], [`Event::NodeConvicted`],
		///   [`Event::RequesterRefunded`], [`Event::ChallengerPaid`]
		#[pallet::call_index(5)]
		pub fn challenge(
			origin: OriginFor<T>,
			job: JobId,
			claimed: Option<H256>,
		) -> DispatchResult {
			let challenger = ensure_signed(origin)?;
			Self::open_dispute(job, challenger, claimed)
		}

		/// Sets the terms of challenges placed from now on.
		///
		/// ## Dispatch Origin
		/// Root.
		///
		/// ## Errors
		/// - [`Error::BadDisputeTerms`]
		///
		/// ## Events
		/// - [`Event::DisputeTermsSet`]
		#[pallet::call_index(6)]
		pub fn set_dispute_terms(
			origin: OriginFor<T>,
			terms: DisputeTerms<BalanceOf<T>>,
		) -> DispatchResult {
			ensure_root(origin)?;
			Self::check_terms(&terms)?;
			ChallengeTerms::<T>::put(&terms);
			Self::deposit_event(Event::DisputeTermsSet { terms });
			Ok(())
		}

		/// Lets `node`'s worker challenge, on the owner's behalf and with the owner's bond, a
		/// settled result that outvoted the node's own ([`Pallet::challenge_for_owner`]); or,
		/// with `enabled` false, stops it. Off by default.
		///
		/// ## Dispatch Origin
		/// Signed: the node's owner.
		///
		/// ## Errors
		/// - [`Error::UnknownNode`], [`Error::NotNodeOwner`]
		///
		/// ## Events
		/// - [`Event::AutoChallengeSet`]
		#[pallet::call_index(7)]
		pub fn set_auto_challenge(
			origin: OriginFor<T>,
			node: NodeId,
			enabled: bool,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let owner = T::Nodes::owner_of(node).ok_or(Error::<T>::UnknownNode)?;
			ensure!(owner == who, Error::<T>::NotNodeOwner);
			if enabled {
				AutoChallenge::<T>::insert(node, ());
			} else {
				AutoChallenge::<T>::remove(node);
			}
			Self::deposit_event(Event::AutoChallengeSet { node, enabled });
			Ok(())
		}

		/// Challenges the settled result of `job` on behalf of `node`'s owner, claiming the
		/// result the node revealed: what [`Pallet::challenge`] does, with the owner as the
		/// challenger and its bond. The node's offchain worker sends it when the node was
		/// outvoted and its owner opted in ([`Pallet::set_auto_challenge`]).
		///
		/// ## Dispatch Origin
		/// Authorized, like [`Pallet::commit`]: `signature` is the node's worker key's over
		/// [`challenge_payload`].
		///
		/// ## Errors
		/// - [`Error::UnknownJob`], [`Error::WrongPhase`], [`Error::NotOptedIn`],
		///   [`Error::NotOutvoted`], [`Error::BadSignature`]
		/// - those of [`Pallet::challenge`] from [`Error::ChallengerAgreed`] on
		///
		/// ## Events
		/// - those of [`Pallet::challenge`]
		#[pallet::call_index(8)]
		#[pallet::authorize(|_source, job, node, signature| {
			Pallet::<T>::authorize_challenge(*job, *node, signature)
		})]
		#[pallet::weight(T::WeightInfo::challenge())]
		pub fn challenge_for_owner(
			origin: OriginFor<T>,
			job: JobId,
			node: NodeId,
			signature: WorkerSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let (owner, claimed, _) =
				Self::check_auto_challenge(job, node, &signature).map_err(Error::<T>::from)?;
			Self::open_dispute(job, owner, Some(claimed))
		}
	}

	impl<T: Config> Pallet<T> {
		/// The agreed output of `job`, once it is settled.
		pub fn result(job: JobId) -> Option<InferenceOutput<T>> {
			match Jobs::<T>::get(job)?.phase {
				Phase::Settled { result, .. } | Phase::Paid { result } => {
					Outputs::<T>::get(job, result)
				},
				_ => None,
			}
		}

		/// The ids of the `limit` newest stored jobs, newest first. Looks at most
		/// [`RECENT_SCAN`] ids below the next job's, so it stays cheap however many jobs the
		/// chain has seen.
		pub fn recent_jobs(limit: u32) -> Vec<JobId> {
			let next = NextJobId::<T>::get();
			(next.saturating_sub(RECENT_SCAN)..next)
				.rev()
				.filter(|id| Jobs::<T>::contains_key(id))
				.take(limit as usize)
				.collect()
		}

		/// The stored jobs in which `node` holds or held a seat (at most
		/// [`Config::MaxOpenJobs`]), in id order.
		pub fn assigned(node: NodeId) -> Vec<JobId> {
			let mut jobs: Vec<JobId> = Assignments::<T>::iter_key_prefix(node)
				.take(T::MaxOpenJobs::get() as usize)
				.collect();
			jobs.sort_unstable();
			jobs
		}

		/// The owner's price, the nodes' fee and the replicas of a request of `version` with
		/// `replicas` replicas (the default if `None`): what it holds now; `None` if the version
		/// is not offered.
		pub fn quote(
			version: u64,
			replicas: Option<u32>,
		) -> Option<(BalanceOf<T>, BalanceOf<T>, u32)> {
			let served = T::Models::served_version(version)?;
			let price = Self::price_of(version, served.model)?;
			let replicas = replicas.unwrap_or_else(T::DefaultReplicas::get);
			Some((price, T::NodeFee::get().saturating_mul(replicas.into()), replicas))
		}

		/// The price of `version` of `model`: its own, or else the model's.
		fn price_of(version: u64, model: u64) -> Option<BalanceOf<T>> {
			Prices::<T>::get(PriceTarget::Version(version))
				.or_else(|| Prices::<T>::get(PriceTarget::Model(model)))
		}

		/// The seed a job's seats are chosen by: `blake2_256(parent_hash ‖ job)` (see the crate
		/// docs for what a block author can do to it).
		fn seed(job: JobId) -> [u8; 32] {
			let parent = frame_system::Pallet::<T>::parent_hash();
			polkadot_sdk::sp_io::hashing::blake2_256(
				&(b"swarm/inference/seats", parent, job).encode(),
			)
		}

		/// What running a model with `weights_size` bytes of weights asks of a node: the
		/// weights and as much again for the work, in MiB, rounded up.
		fn needs(weights_size: u64) -> WorkNeeds {
			let mib = weights_size.saturating_mul(2).div_ceil(1 << 20);
			WorkNeeds { memory_mib: u32::try_from(mib).unwrap_or(u32::MAX) }
		}

		fn check_input(input: &JobInput<T>, sample_len: u32) -> DispatchResult {
			let samples = input.samples();
			ensure!(samples > 0, Error::<T>::NoSamples);
			ensure!(samples <= T::MaxSamples::get(), Error::<T>::TooManySamples);
			let expected = u64::from(samples).saturating_mul(sample_len.into());
			match input {
				JobInput::Inline { data, .. } => {
					ensure!(data.len() as u64 == expected, Error::<T>::InputSizeMismatch)
				},
				JobInput::File { hash, .. } => {
					let size =
						T::Content::stored_size(hash).ok_or(Error::<T>::InputFileNotStored)?;
					ensure!(size == expected, Error::<T>::InputSizeMismatch);
				},
			}
			Ok(())
		}

		/// Checks the window lengths: every window at least a block, except the challenge
		/// window, which may be 0 (paid at settlement).
		pub(crate) fn check_timing(timing: &Timing<BlockNumberFor<T>>) -> DispatchResult {
			let zero = BlockNumberFor::<T>::zero();
			ensure!(
				timing.commit_window > zero &&
					timing.reveal_window > zero &&
					timing.job_timeout >= timing.commit_window &&
					timing.retention > zero,
				Error::<T>::BadTiming
			);
			Ok(())
		}

		/// Checks the terms of challenges: 1 to `MaxReplicas` seats, and a bond that covers
		/// their fee.
		pub(crate) fn check_terms(terms: &DisputeTerms<BalanceOf<T>>) -> DispatchResult {
			ensure!(
				terms.check(T::NodeFee::get(), T::MaxReplicas::get()),
				Error::<T>::BadDisputeTerms
			);
			Ok(())
		}

		/// Opens the dispute of `job`'s settled result by `challenger` (see [`Pallet::challenge`]).
		fn open_dispute(
			job: JobId,
			challenger: T::AccountId,
			claimed: Option<H256>,
		) -> DispatchResult {
			let mut record = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
			let now = frame_system::Pallet::<T>::block_number();
			let result = match record.phase {
				Phase::Settled { result, payout_at } if now < payout_at => result,
				Phase::Settled { .. } | Phase::Paid { .. } => {
					return Err(Error::<T>::ChallengeClosed.into())
				},
				Phase::Disputed { .. } => return Err(Error::<T>::AlreadyChallenged.into()),
				Phase::Commit { .. } | Phase::Reveal { .. } | Phase::Failed { .. } => {
					return Err(Error::<T>::NotSettled.into())
				},
			};
			ensure!(claimed != Some(result), Error::<T>::SameResult);
			let agreed_owner = record
				.outcomes
				.iter()
				.filter(|(_, outcome)| *outcome == Outcome::Agreed)
				.any(|(node, _)| T::Nodes::owner_of(*node).as_ref() == Some(&challenger));
			ensure!(!agreed_owner, Error::<T>::ChallengerAgreed);
			let terms = ChallengeTerms::<T>::get();
			let nodes = Self::choose_committee(job, &record, 1, terms.replicas);
			ensure!(nodes.len() as u32 == terms.replicas, Error::<T>::NotEnoughNodes);
			let ballot = Ballot::new(nodes.iter().copied()).map_err(|_| Error::<T>::BadReplicas)?;
			T::Currency::hold(&HoldReason::ChallengeBond.into(), &challenger, terms.bond)
				.map_err(|_| Error::<T>::InsufficientBond)?;

			let until = now.saturating_add(JobTiming::<T>::get().commit_window);
			for node in &nodes {
				Assignments::<T>::insert(node, job, ());
			}
			record.dispute = Some(Dispute {
				challenger: challenger.clone(),
				bond: terms.bond,
				claimed,
				opened_at: now,
				level: 1,
				fee: T::NodeFee::get().saturating_mul(terms.replicas.into()),
				quorum: quorum(terms.replicas, T::Quorum::get()),
				ballot,
				stage: DisputeStage::Commit { until },
				outcomes: BoundedVec::new(),
			});
			record.phase = Phase::Disputed { result };
			Jobs::<T>::insert(job, record);
			Self::push(Queue::Commit, job, until.saturating_add(One::one()));
			Self::deposit_event(Event::Challenged {
				job,
				challenger,
				bond: terms.bond,
				claimed,
				nodes,
			});
			Ok(())
		}

		/// Checks a worker's challenge on its owner's behalf; returns the owner, the result the
		/// node revealed, and the block from which the challenge window is closed.
		pub(crate) fn check_auto_challenge(
			job: JobId,
			node: NodeId,
			signature: &WorkerSignature,
		) -> Result<(T::AccountId, H256, BlockNumberFor<T>), WorkRejection> {
			use swarm_primitives::commit_reveal::Vote;
			let record = Jobs::<T>::get(job).ok_or(WorkRejection::UnknownJob)?;
			let now = frame_system::Pallet::<T>::block_number();
			let (result, payout_at) = match record.phase {
				Phase::Settled { result, payout_at } if now < payout_at => (result, payout_at),
				_ => return Err(WorkRejection::WrongPhase),
			};
			ensure!(AutoChallenge::<T>::contains_key(node), WorkRejection::NotOptedIn);
			let claimed = match record.ballot.vote(node) {
				Some(Vote::Revealed(revealed)) if *revealed != result => *revealed,
				_ => return Err(WorkRejection::NotOutvoted),
			};
			let payload = challenge_payload(&Self::genesis_hash(), job, node);
			Self::check_signature(node, &payload, signature)?;
			let owner = T::Nodes::owner_of(node).ok_or(WorkRejection::NotOptedIn)?;
			Ok((owner, claimed, payout_at))
		}

		/// The pool's check of a worker's challenge: free, one per job, live until the end of
		/// the challenge window.
		fn authorize_challenge(
			job: JobId,
			node: NodeId,
			signature: &WorkerSignature,
		) -> TransactionValidityWithRefund {
			let (_, _, payout_at) = Self::check_auto_challenge(job, node, signature)
				.map_err(|rejection| TransactionValidityError::Invalid(rejection.into()))?;
			// The last block in which it is accepted is the one before the payout.
			Self::valid_work((b"challenge", job), Some(payout_at.saturating_sub(One::one())))
		}

		/// Up to `count` eligible nodes for committee `level` of `job`'s dispute, chosen by
		/// `blake2_256(parent_hash ‖ job ‖ level)`: none that held a seat in the job or in an
		/// earlier committee.
		fn choose_committee(job: JobId, record: &Job<T>, level: u32, count: u32) -> Vec<NodeId> {
			let mut exclude: Vec<NodeId> = record
				.ballot
				.nodes()
				.chain(record.replaced.iter().copied())
				.chain(record.outcomes.iter().map(|(node, _)| *node))
				.collect();
			if let Some(dispute) = &record.dispute {
				exclude.extend(dispute.ballot.nodes());
				exclude.extend(dispute.outcomes.iter().map(|(node, _)| *node));
			}
			exclude.sort_unstable();
			exclude.dedup();
			let parent = frame_system::Pallet::<T>::parent_hash();
			let seed = polkadot_sdk::sp_io::hashing::blake2_256(
				&(b"swarm/inference/dispute", parent, job, level).encode(),
			);
			T::Nodes::choose(&seed, count, &exclude, &WorkNeeds { memory_mib: record.needs_mib })
		}

		pub(crate) fn genesis_hash() -> T::Hash {
			frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
		}

		/// Checks a commit; returns the job on success.
		pub(crate) fn check_commit(
			job: JobId,
			node: NodeId,
			commitment: &H256,
			signature: &WorkerSignature,
		) -> Result<Job<T>, WorkRejection> {
			let record = Jobs::<T>::get(job).ok_or(WorkRejection::UnknownJob)?;
			let now = frame_system::Pallet::<T>::block_number();
			let Some((Window::Commit { until }, ballot)) = record.voting() else {
				return Err(WorkRejection::WrongPhase);
			};
			ensure!(now <= until, WorkRejection::WrongPhase);
			match ballot.vote(node).ok_or(WorkRejection::NotAssigned)? {
				swarm_primitives::commit_reveal::Vote::Pending => {},
				swarm_primitives::commit_reveal::Vote::Committed(_) => {
					return Err(WorkRejection::AlreadyCommitted)
				},
				swarm_primitives::commit_reveal::Vote::Revealed(_) => {
					return Err(WorkRejection::AlreadyRevealed)
				},
			}
			let payload = commit_payload(&Self::genesis_hash(), job, node, commitment);
			Self::check_signature(node, &payload, signature)?;
			Ok(record)
		}

		/// Checks a reveal; returns the job on success.
		pub(crate) fn check_reveal(
			job: JobId,
			node: NodeId,
			output: &InferenceOutput<T>,
			salt: &Salt,
			signature: &WorkerSignature,
		) -> Result<Job<T>, WorkRejection> {
			use swarm_primitives::commit_reveal::{commitment, Vote};
			let record = Jobs::<T>::get(job).ok_or(WorkRejection::UnknownJob)?;
			let now = frame_system::Pallet::<T>::block_number();
			let Some((Window::Reveal { until }, ballot)) = record.voting() else {
				return Err(WorkRejection::WrongPhase);
			};
			ensure!(now <= until, WorkRejection::WrongPhase);
			let result = output.hash();
			match *ballot.vote(node).ok_or(WorkRejection::NotAssigned)? {
				Vote::Pending => return Err(WorkRejection::NotCommitted),
				Vote::Revealed(_) => return Err(WorkRejection::AlreadyRevealed),
				Vote::Committed(committed) => ensure!(
					commitment::<polkadot_sdk::sp_runtime::traits::BlakeTwo256>(
						&job, node, &result, salt
					) == committed,
					WorkRejection::Mismatch
				),
			}
			let payload = reveal_payload(&Self::genesis_hash(), job, node, &result, salt);
			Self::check_signature(node, &payload, signature)?;
			ensure!(Self::well_formed(&record, output), WorkRejection::Malformed);
			Ok(record)
		}

		fn check_signature(
			node: NodeId,
			payload: &[u8],
			signature: &WorkerSignature,
		) -> Result<(), WorkRejection> {
			use polkadot_sdk::sp_runtime::RuntimeAppPublic;
			let key = T::Nodes::worker_key(node).ok_or(WorkRejection::BadSignature)?;
			ensure!(key.verify(&payload, signature), WorkRejection::BadSignature);
			Ok(())
		}

		/// Whether `output` has a label per sample, a score per class and sample, and labels
		/// that are classes.
		pub(crate) fn well_formed(job: &Job<T>, output: &InferenceOutput<T>) -> bool {
			let samples = job.input.samples();
			output.labels.len() as u64 == u64::from(samples) &&
				output.logits.len() as u64 ==
					u64::from(samples).saturating_mul(job.classes.into()) &&
				output.labels.iter().all(|label| *label < job.classes)
		}

		/// The pool's check of a commit: valid ones are free, one per seat, live until the
		/// commit window's end.
		fn authorize_commit(
			job: JobId,
			node: NodeId,
			commitment: &H256,
			signature: &WorkerSignature,
		) -> TransactionValidityWithRefund {
			let record = Self::check_commit(job, node, commitment, signature)
				.map_err(|rejection| TransactionValidityError::Invalid(rejection.into()))?;
			Self::valid_work((&b"commit"[..], job, node), record.window_end())
		}

		/// The pool's check of a reveal: valid ones are free, one per seat, live until the
		/// reveal window's end.
		fn authorize_reveal(
			job: JobId,
			node: NodeId,
			output: &InferenceOutput<T>,
			salt: &Salt,
			signature: &WorkerSignature,
		) -> TransactionValidityWithRefund {
			let record = Self::check_reveal(job, node, output, salt, signature)
				.map_err(|rejection| TransactionValidityError::Invalid(rejection.into()))?;
			Self::valid_work((&b"reveal"[..], job, node), record.window_end())
		}

		/// A valid feeless work transaction that `provides` its tag, live until block `until`
		/// (inclusive).
		fn valid_work(
			provides: impl Encode,
			until: Option<BlockNumberFor<T>>,
		) -> TransactionValidityWithRefund {
			let now = frame_system::Pallet::<T>::block_number();
			let left = until.unwrap_or(now).saturating_sub(now);
			let longevity = TryInto::<u64>::try_into(left).unwrap_or(u64::MAX).saturating_add(1);
			let valid = ValidTransaction::with_tag_prefix("swarm-inference")
				.priority(WORK_PRIORITY)
				.and_provides(provides)
				.longevity(longevity)
				.propagate(true)
				.build()?;
			Ok((valid, Weight::zero()))
		}

		/// Opens the reveal window of `job`, or of its dispute committee.
		fn open_reveal(job: JobId, record: &mut Job<T>) {
			let until = frame_system::Pallet::<T>::block_number()
				.saturating_add(JobTiming::<T>::get().reveal_window);
			match (&record.phase, record.dispute.as_mut()) {
				(Phase::Disputed { .. }, Some(dispute)) => {
					dispute.stage = DisputeStage::Reveal { until }
				},
				_ => record.phase = Phase::Reveal { until },
			}
			Self::push(Queue::Reveal, job, until.saturating_add(One::one()));
			Self::deposit_event(Event::RevealOpened { job, until });
		}

		/// Settles `job` on `result`: keeps the agreed output, pays the owner, records every
		/// seat's outcome and its effects, and pays the nodes now or after the challenge window.
		fn settle(job: JobId, record: &mut Job<T>, result: H256) {
			Self::keep_output(job, result);
			let reason: T::RuntimeHoldReason = HoldReason::JobEscrow.into();
			let price = match T::Currency::transfer_on_hold(
				&reason,
				&record.requester,
				&record.owner,
				record.price,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			) {
				Ok(paid) => paid,
				Err(error) => {
					// An owner account that cannot receive the price (below the existential
					// deposit): the requester keeps it.
					log::warn!(target: LOG_TARGET, "job {job}: paying the owner failed: {error:?}");
					let _ = T::Currency::release(
						&reason,
						&record.requester,
						record.price,
						Precision::BestEffort,
					);
					Zero::zero()
				},
			};
			let agreed = Self::close_seats(job, record, Some(&result));
			Self::deposit_event(Event::JobSettled { job, result, agreed, price });
			let window = JobTiming::<T>::get().challenge_window;
			if window.is_zero() {
				Self::payout(job, record, result);
			} else {
				let payout_at = frame_system::Pallet::<T>::block_number().saturating_add(window);
				record.phase = Phase::Settled { result, payout_at };
				Self::push(Queue::Payout, job, payout_at);
			}
		}

		/// Makes `job`'s payments final: pays the nodes' fee to its agreeing nodes, through the
		/// reward pot, and penalizes the outvoted ones (held back until now, since a dispute may
		/// show that they were right).
		fn payout(job: JobId, record: &mut Job<T>, result: H256) {
			for (node, outcome) in record.outcomes.iter() {
				if *outcome == Outcome::Outvoted {
					Self::penalize_outvoted(job, *node);
				}
			}
			let shares: Vec<(NodeId, u32)> = record
				.outcomes
				.iter()
				.filter(|(_, outcome)| *outcome == Outcome::Agreed)
				.map(|(node, _)| (*node, 1))
				.collect();
			let reason: T::RuntimeHoldReason = HoldReason::JobEscrow.into();
			let paid = frame_support::storage::with_storage_layer(|| {
				T::Currency::transfer_on_hold(
					&reason,
					&record.requester,
					&T::RewardPot::get(),
					record.node_fee,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Polite,
				)?;
				T::Rewards::pay(WorkId::Job(job), &shares, record.node_fee)
			});
			match paid {
				Ok(amount) => Self::deposit_event(Event::NodesPaid {
					job,
					amount,
					nodes: shares.len() as u32,
				}),
				Err(error) => {
					log::error!(target: LOG_TARGET, "job {job}: paying the nodes failed: {error:?}");
					let refunded = T::Currency::release(
						&reason,
						&record.requester,
						record.node_fee,
						Precision::BestEffort,
					)
					.unwrap_or_else(|_| Zero::zero());
					Self::deposit_event(Event::PayoutFailed { job, refunded });
				},
			}
			record.phase = Phase::Paid { result };
			Self::schedule_removal(job);
		}

		/// Ends `job` without a result: the requester gets the escrow back.
		fn fail(job: JobId, record: &mut Job<T>, reason: FailReason) {
			let refunded = T::Currency::release(
				&HoldReason::JobEscrow.into(),
				&record.requester,
				record.price.saturating_add(record.node_fee),
				Precision::BestEffort,
			)
			.unwrap_or_else(|_| Zero::zero());
			Self::close_seats(job, record, None);
			record.phase = Phase::Failed { reason };
			Self::deposit_event(Event::JobFailed { job, reason, refunded });
			Self::schedule_removal(job);
		}

		/// Records the outcome of every seat of `job` (`agreed`: the quorum's result) with its
		/// effects on reputation, bonds and misses; returns how many seats agreed.
		fn close_seats(job: JobId, record: &mut Job<T>, agreed: Option<&H256>) -> u32 {
			let outcomes: Vec<(NodeId, Outcome)> = record.ballot.outcomes(agreed).collect();
			let mut agreeing = 0u32;
			for (node, outcome) in outcomes {
				match outcome {
					Outcome::Agreed => {
						agreeing = agreeing.saturating_add(1);
						T::Nodes::credit(node, WorkId::Job(job), T::AgreedReputation::get());
						Misses::<T>::remove(node);
					},
					// Penalized when the payments are final ([`Pallet::payout`]).
					Outcome::Outvoted | Outcome::Inconclusive => {},
					Outcome::MissedReveal | Outcome::MissedCommit => Self::note_miss(node),
				}
				Self::record_outcome(job, record, node, outcome);
			}
			agreeing
		}

		/// The penalty of a node whose result the quorum outvoted: its reputation falls and it
		/// loses [`Config::SlashShare`] of its bond.
		fn penalize_outvoted(job: JobId, node: NodeId) {
			T::Nodes::lower(node, T::OutvotedReputation::get());
			match T::Nodes::slash(node, T::SlashShare::get()) {
				Ok(amount) => Self::deposit_event(Event::NodeSlashed { job, node, amount }),
				Err(error) => {
					log::warn!(target: LOG_TARGET, "job {job}: slashing node {node} failed: {error:?}")
				},
			}
		}

		/// Removes every output of `job`: at most a distinct one per seat of the job and of two
		/// committees.
		fn clear_outputs(job: JobId) {
			let _ = Outputs::<T>::clear_prefix(job, T::MaxReplicas::get().saturating_mul(3), None);
		}

		/// Keeps only the output `result` of `job`.
		fn keep_output(job: JobId, result: H256) {
			let kept = Outputs::<T>::take(job, result);
			Self::clear_outputs(job);
			if let Some(output) = kept {
				Outputs::<T>::insert(job, result, output);
			}
		}

		/// The count of the ballot of [`Job::voting`], with no more commits to come.
		fn tally(record: &Job<T>) -> Option<Tally<H256>> {
			record.voting().map(|(_, ballot)| ballot.tally(record.voting_quorum(), false))
		}

		/// A quorum of the current ballot agreed on `result`: the job settles, or its dispute
		/// resolves.
		fn decide(job: JobId, record: &mut Job<T>, result: H256) {
			match record.phase {
				Phase::Disputed { .. } => Self::resolve(job, record, result),
				_ => Self::settle(job, record, result),
			}
		}

		/// The current ballot can no longer reach a quorum: the job fails, or its dispute
		/// escalates or ends unresolved.
		fn no_quorum(job: JobId, record: &mut Job<T>) {
			match record.phase {
				Phase::Disputed { .. } => Self::escalate(job, record),
				_ => Self::fail(job, record, FailReason::NoQuorum),
			}
		}

		/// Records the outcome of every seat of the dispute committee (`agreed`: its quorum's
		/// result) with its effects, at once: the committee's work is final when the dispute
		/// resolves. Returns the agreeing seats.
		fn close_committee(
			job: JobId,
			dispute: &mut Dispute<T>,
			agreed: Option<&H256>,
		) -> Vec<NodeId> {
			// `MaxOutcomes` holds two committees (`integrity_test`).
			dispute::close_committee(
				&dispute.ballot,
				agreed,
				&mut dispute.outcomes,
				|node, outcome| {
					match outcome {
						Outcome::Agreed => {
							T::Nodes::credit(
								node,
								WorkId::Dispute(job),
								T::AgreedReputation::get(),
							);
							Misses::<T>::remove(node);
						},
						Outcome::Outvoted => Self::penalize_outvoted(job, node),
						Outcome::Inconclusive => {},
						Outcome::MissedReveal | Outcome::MissedCommit => Self::note_miss(node),
					}
					Self::deposit_event(Event::DisputeOutcome { job, node, outcome });
				},
			)
		}

		/// At the end of the dispute committee's commit window: opens its reveal window, or
		/// escalates when too few committed for a quorum.
		fn end_dispute_commit(job: JobId, record: &mut Job<T>) {
			match Self::tally(record) {
				Some(Tally::NoQuorum) => Self::escalate(job, record),
				_ => Self::open_reveal(job, record),
			}
		}

		/// The dispute committee of `job` agreed on `decided`: confirms or overturns the
		/// settled result, and makes every payment of the job final.
		fn resolve(job: JobId, record: &mut Job<T>, decided: H256) {
			let (Phase::Disputed { result }, Some(mut dispute)) =
				(record.phase.clone(), record.dispute.take())
			else {
				return;
			};
			let committee = Self::close_committee(job, &mut dispute, Some(&decided));
			let now = frame_system::Pallet::<T>::block_number();
			if decided == result {
				let verdict = Verdict::Confirmed;
				dispute.stage = DisputeStage::Resolved { verdict, at: now };
				let forfeited = forfeit_bond::<_, T::Currency>(
					&HoldReason::ChallengeBond.into(),
					&dispute.challenger,
					&T::RewardPot::get(),
					dispute.bond,
				);
				Self::deposit_event(Event::BondForfeited {
					job,
					challenger: dispute.challenger.clone(),
					bond: forfeited,
				});
				Self::pay_committee(job, &committee, dispute.fee);
				record.dispute = Some(dispute);
				Self::deposit_event(Event::DisputeResolved { job, verdict });
				Self::payout(job, record, result);
				return;
			}

			let verdict = Verdict::Overturned { corrected: decided };
			dispute.stage = DisputeStage::Resolved { verdict, at: now };
			Self::keep_output(job, decided);
			let slashed = Self::convict(job, record, &decided);
			Self::refund_node_fee(job, record);
			// The original seats that revealed the corrected result did their work: the slashed
			// bonds, in the pot, pay them a replica's fee each.
			let honest: Vec<(NodeId, u32)> = record
				.outcomes
				.iter()
				.filter(|(_, outcome)| *outcome == Outcome::Agreed)
				.map(|(node, _)| (*node, 1))
				.collect();
			if !honest.is_empty() {
				let fee = T::NodeFee::get().saturating_mul((honest.len() as u32).into());
				match T::Rewards::pay(WorkId::Job(job), &honest, fee) {
					Ok(amount) => Self::deposit_event(Event::NodesPaid {
						job,
						amount,
						nodes: honest.len() as u32,
					}),
					Err(error) => log::error!(
						target: LOG_TARGET,
						"job {job}: paying the honest seats failed: {error:?}"
					),
				}
			}
			Self::pay_committee(job, &committee, dispute.fee);
			let reward = reward_challenger::<_, T::Currency>(
				&T::RewardPot::get(),
				&dispute.challenger,
				T::ChallengerReward::get(),
				slashed,
			)
			.unwrap_or_else(|error| {
				log::error!(target: LOG_TARGET, "job {job}: rewarding the challenger failed: {error:?}");
				Zero::zero()
			});
			Self::return_bond(job, &dispute, reward);
			record.dispute = Some(dispute);
			record.phase = Phase::Paid { result: decided };
			Self::deposit_event(Event::DisputeResolved { job, verdict });
			Self::schedule_removal(job);
		}

		/// After a dispute overturned `job`'s result with `corrected`: slashes and jails the
		/// seats that agreed on the old result, clears the ones that revealed `corrected`,
		/// penalizes the ones that revealed something else, and rewrites every seat's outcome
		/// against the corrected result. Returns the amount slashed from the convicted seats.
		fn convict(job: JobId, record: &mut Job<T>, corrected: &H256) -> BalanceOf<T> {
			use swarm_primitives::commit_reveal::Vote;
			let mut slashed: BalanceOf<T> = Zero::zero();
			let mut rewritten = Vec::new();
			for (node, outcome) in record.outcomes.iter_mut() {
				let node = *node;
				match *outcome {
					Outcome::Agreed => {
						T::Nodes::revoke(node, WorkId::Job(job));
						T::Nodes::lower(node, T::OutvotedReputation::get());
						let amount = T::Nodes::slash(node, T::FraudSlashShare::get())
							.unwrap_or_else(|error| {
								log::warn!(target: LOG_TARGET, "job {job}: slashing node {node} failed: {error:?}");
								Zero::zero()
							});
						slashed = slashed.saturating_add(amount);
						let jailed_for = T::FraudJail::get();
						T::Nodes::jail(node, jailed_for);
						Misses::<T>::remove(node);
						Self::deposit_event(Event::NodeConvicted {
							job,
							node,
							slashed: amount,
							jailed_for,
						});
						*outcome = Outcome::Outvoted;
						rewritten.push((node, Outcome::Outvoted));
					},
					Outcome::Outvoted
						if record.ballot.vote(node) == Some(&Vote::Revealed(*corrected)) =>
					{
						T::Nodes::credit(node, WorkId::Job(job), T::AgreedReputation::get());
						*outcome = Outcome::Agreed;
						rewritten.push((node, Outcome::Agreed));
					},
					Outcome::Outvoted => Self::penalize_outvoted(job, node),
					Outcome::Inconclusive | Outcome::MissedReveal | Outcome::MissedCommit => {},
				}
			}
			for (node, outcome) in rewritten {
				Self::deposit_event(Event::NodeOutcome { job, node, outcome });
			}
			slashed
		}

		/// Pays a dispute committee's `fee` from the reward pot to its agreeing seats.
		fn pay_committee(job: JobId, committee: &[NodeId], fee: BalanceOf<T>) {
			let shares: Vec<(NodeId, u32)> = committee.iter().map(|node| (*node, 1)).collect();
			if shares.is_empty() {
				return;
			}
			match T::Rewards::pay(swarm_primitives::WorkId::Dispute(job), &shares, fee) {
				Ok(amount) => Self::deposit_event(Event::CommitteePaid {
					job,
					amount,
					nodes: shares.len() as u32,
				}),
				Err(error) => {
					log::error!(target: LOG_TARGET, "job {job}: paying the committee failed: {error:?}")
				},
			}
		}

		/// The dispute committee of `job` reached no quorum: a fresh committee, excluding every
		/// node that sat in the job or its dispute, re-executes it once; after that, or without
		/// enough eligible nodes, the dispute ends unresolved and everyone is refunded.
		fn escalate(job: JobId, record: &mut Job<T>) {
			let Some(dispute) = record.dispute.as_mut() else { return };
			Self::close_committee(job, dispute, None);
			let (level, seats) = (dispute.level, dispute.ballot.seats().len() as u32);
			let next = dispute::next_committee(level, seats, |level| {
				Self::choose_committee(job, record, level, seats)
			});
			match (next, record.dispute.as_mut()) {
				(Some((level, nodes, ballot)), Some(dispute)) => {
					let until = frame_system::Pallet::<T>::block_number()
						.saturating_add(JobTiming::<T>::get().commit_window);
					for node in &nodes {
						Assignments::<T>::insert(node, job, ());
					}
					dispute.level = level;
					dispute.ballot = ballot;
					dispute.stage = DisputeStage::Commit { until };
					Self::push(Queue::Commit, job, until.saturating_add(One::one()));
					Self::deposit_event(Event::DisputeEscalated { job, level, nodes });
				},
				_ => {
					if let Some(dispute) = record.dispute.take() {
						Self::unresolved(job, record, dispute);
					}
				},
			}
		}

		/// Releases the challenger's bond of `dispute`; `reward` (already paid) is for the event.
		fn return_bond(job: JobId, dispute: &Dispute<T>, reward: BalanceOf<T>) {
			let bond = release_bond::<_, T::Currency>(
				&HoldReason::ChallengeBond.into(),
				&dispute.challenger,
				dispute.bond,
			);
			let challenger = dispute.challenger.clone();
			Self::deposit_event(Event::ChallengerPaid { job, challenger, bond, reward });
		}

		/// Gives the requester of `job` the nodes' fee back.
		fn refund_node_fee(job: JobId, record: &Job<T>) {
			let amount = T::Currency::release(
				&HoldReason::JobEscrow.into(),
				&record.requester,
				record.node_fee,
				Precision::BestEffort,
			)
			.unwrap_or_else(|_| Zero::zero());
			Self::deposit_event(Event::RequesterRefunded { job, amount });
		}

		/// Ends `job`'s dispute without a verdict: the challenger gets its bond back, the
		/// requester the nodes' fee; nobody is paid or slashed.
		fn unresolved(job: JobId, record: &mut Job<T>, mut dispute: Dispute<T>) {
			let verdict = Verdict::Unresolved;
			dispute.stage =
				DisputeStage::Resolved { verdict, at: frame_system::Pallet::<T>::block_number() };
			Self::return_bond(job, &dispute, Zero::zero());
			Self::refund_node_fee(job, record);
			Self::clear_outputs(job);
			record.dispute = Some(dispute);
			record.phase = Phase::Failed { reason: FailReason::DisputeUnresolved };
			Self::deposit_event(Event::DisputeResolved { job, verdict });
			Self::schedule_removal(job);
		}

		fn record_outcome(job: JobId, record: &mut Job<T>, node: NodeId, outcome: Outcome) {
			// `MaxOutcomes` holds every seat and every replaced node (`integrity_test`).
			if record.outcomes.try_push((node, outcome)).is_err() {
				log::error!(target: LOG_TARGET, "job {job}: no room for the outcome of {node}");
			}
			Self::deposit_event(Event::NodeOutcome { job, node, outcome });
		}

		/// Counts a missed commit or reveal of `node`: its reputation falls, and after
		/// `MaxMisses` in a row it is jailed.
		fn note_miss(node: NodeId) {
			T::Nodes::lower(node, T::MissedReputation::get());
			let misses = Misses::<T>::mutate(node, |misses| {
				*misses = misses.saturating_add(1);
				*misses
			});
			if misses >= T::MaxMisses::get() {
				T::Nodes::jail(node, T::MissJail::get());
				Misses::<T>::remove(node);
				Self::deposit_event(Event::NodeJailed { node, misses });
			}
		}

		/// At the end of `job`'s commit window: gives the seats that did not commit to other
		/// nodes, once, if the job's timeout allows; otherwise opens the reveal window, or fails
		/// the job when too few committed for a quorum.
		fn end_commit(job: JobId, record: &mut Job<T>, now: BlockNumberFor<T>) {
			let until = now.saturating_add(JobTiming::<T>::get().commit_window);
			let missing: Vec<NodeId> = record.ballot.pending().collect();
			if record.replaced.is_empty() && until <= record.timeout {
				let exclude: Vec<NodeId> = record.ballot.nodes().collect();
				let seed =
					polkadot_sdk::sp_io::hashing::blake2_256(&(record.seed, b"replace").encode());
				let needs = WorkNeeds { memory_mib: record.needs_mib };
				let picks = T::Nodes::choose(&seed, missing.len() as u32, &exclude, &needs);
				for (missed, by) in missing.iter().copied().zip(picks) {
					if record.ballot.replace(missed, by).is_err() ||
						record.replaced.try_push(missed).is_err()
					{
						continue;
					}
					Assignments::<T>::remove(missed, job);
					Assignments::<T>::insert(by, job, ());
					Self::note_miss(missed);
					Self::deposit_event(Event::SeatReplaced { job, missed, by });
					Self::record_outcome(job, record, missed, Outcome::MissedCommit);
				}
				if !record.replaced.is_empty() {
					record.phase = Phase::Commit { until };
					Self::push(Queue::Commit, job, until.saturating_add(One::one()));
					return;
				}
			}
			match record.ballot.tally(record.quorum, false) {
				Tally::NoQuorum => Self::fail(job, record, FailReason::TooFewCommits),
				_ => Self::open_reveal(job, record),
			}
		}

		/// Acts on the deadlines due at `now`, at most `MaxExpiriesPerBlock`; returns the
		/// weight used.
		pub(crate) fn expire(now: BlockNumberFor<T>) -> Weight {
			let mut acted = 0u32;
			let mut used = T::WeightInfo::on_initialize_idle();
			for queue in Queue::ALL {
				let (mut head, _) = QueueEnds::<T>::get(queue);
				while acted < T::MaxExpiriesPerBlock::get() {
					// Acting may push onto this queue: read its end each time.
					let (_, tail) = QueueEnds::<T>::get(queue);
					if head >= tail {
						break;
					}
					let Some(item) = QueueItems::<T>::get(queue, head) else {
						head = head.saturating_add(1);
						continue;
					};
					if item.at > now {
						break;
					}
					QueueItems::<T>::remove(queue, head);
					head = head.saturating_add(1);
					QueueEnds::<T>::mutate(queue, |(first, _)| *first = head);
					acted = acted.saturating_add(1);
					used = used.saturating_add(Self::act(queue, item.job, item.at, now));
				}
				QueueEnds::<T>::mutate(queue, |(first, _)| *first = head);
			}
			used
		}

		/// The weight of acting on a deadline of `record`: for a job that was never disputed,
		/// the most any of its deadlines takes with its own number of seats; for a disputed one,
		/// the most any deadline of any job takes ([`Self::expiry_weight`]).
		pub fn deadline_weight(record: &Job<T>) -> Weight {
			if record.dispute.is_some() {
				return Self::expiry_weight();
			}
			let seats = record.ballot.seats().len() as u32;
			T::WeightInfo::expire_commit(seats)
				.max(T::WeightInfo::expire_reveal(seats))
				.max(T::WeightInfo::payout(seats))
				.max(T::WeightInfo::remove_job(seats))
		}

		/// The weight of a deadline that finds its job gone or moved past it: the queue's and
		/// the job's reads, and the queue's writes.
		pub fn stale_deadline_weight() -> Weight {
			T::DbWeight::get().reads_writes(3, 2)
		}

		/// The most weight acting on one deadline takes.
		pub fn expiry_weight() -> Weight {
			T::WeightInfo::expire_commit(T::MaxReplicas::get())
				.max(T::WeightInfo::expire_reveal(T::MaxReplicas::get()))
				.max(T::WeightInfo::reveal_overturn())
				.max(T::WeightInfo::challenge())
				.max(T::WeightInfo::payout(T::MaxReplicas::get()))
				.max(T::WeightInfo::remove_job(T::MaxReplicas::get()))
		}

		/// Acts on one deadline of `queue` for `job`, due at `at`; a deadline the job has moved
		/// past is ignored. Returns the weight it charges ([`Self::deadline_weight`], measured
		/// before acting, or [`Self::stale_deadline_weight`] for one ignored).
		fn act(queue: Queue, job: JobId, at: BlockNumberFor<T>, now: BlockNumberFor<T>) -> Weight {
			let stale = Self::stale_deadline_weight();
			let Some(mut record) = Jobs::<T>::get(job) else { return stale };
			let weight = Self::deadline_weight(&record);
			let due = |until: BlockNumberFor<T>| until.saturating_add(One::one()) == at;
			let window = record.voting().map(|(window, _)| window);
			match (queue, window, record.phase.clone()) {
				(Queue::Commit, Some(Window::Commit { until }), Phase::Commit { .. })
					if due(until) =>
				{
					Self::end_commit(job, &mut record, now)
				},
				(Queue::Commit, Some(Window::Commit { until }), Phase::Disputed { .. })
					if due(until) =>
				{
					Self::end_dispute_commit(job, &mut record)
				},
				(Queue::Reveal, Some(Window::Reveal { until }), _) if due(until) => {
					match Self::tally(&record) {
						Some(Tally::Agreed(result)) => Self::decide(job, &mut record, result),
						_ => Self::no_quorum(job, &mut record),
					}
				},
				(Queue::Payout, _, Phase::Settled { result, payout_at }) if payout_at == at => {
					Self::payout(job, &mut record, result)
				},
				(Queue::Prune, _, phase) if phase.is_closed() => {
					Self::remove(job, &record);
					return weight;
				},
				_ => return stale,
			}
			Jobs::<T>::insert(job, record);
			weight
		}

		/// Removes a closed job and everything kept for it.
		fn remove(job: JobId, record: &Job<T>) {
			for node in record.ballot.nodes() {
				Assignments::<T>::remove(node, job);
			}
			if let Some(dispute) = &record.dispute {
				for node in
					dispute.ballot.nodes().chain(dispute.outcomes.iter().map(|(node, _)| *node))
				{
					Assignments::<T>::remove(node, job);
				}
			}
			Self::clear_outputs(job);
			Jobs::<T>::remove(job);
			JobCount::<T>::mutate(|count| *count = count.saturating_sub(1));
			Self::deposit_event(Event::JobRemoved { job });
		}

		fn schedule_removal(job: JobId) {
			let at = frame_system::Pallet::<T>::block_number()
				.saturating_add(JobTiming::<T>::get().retention);
			Self::push(Queue::Prune, job, at);
		}

		/// Pushes `job` onto `queue`, due at block `at`.
		fn push(queue: Queue, job: JobId, at: BlockNumberFor<T>) {
			QueueEnds::<T>::mutate(queue, |(_, tail)| {
				QueueItems::<T>::insert(queue, *tail, QueueItem { job, at });
				*tail = tail.saturating_add(1);
			});
		}

		/// Checks the pallet's invariants. The `try_state` hook (feature `try-runtime`) and the
		/// runtime's fuzzer (`runtime/tests/fuzz.rs`) call it.
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			use alloc::collections::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
			let mut held: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			let mut bonds: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			let mut count = 0u32;
			for (job, record) in Jobs::<T>::iter() {
				count = count.saturating_add(1);
				let escrow = match record.phase {
					Phase::Commit { .. } | Phase::Reveal { .. } => {
						record.price.saturating_add(record.node_fee)
					},
					Phase::Settled { .. } | Phase::Disputed { .. } => record.node_fee,
					Phase::Paid { .. } | Phase::Failed { .. } => Zero::zero(),
				};
				match (&record.phase, &record.dispute) {
					(Phase::Disputed { .. }, Some(dispute)) => {
						ensure!(
							!matches!(dispute.stage, DisputeStage::Resolved { .. }),
							"a disputed job's dispute is resolved"
						);
						let bond =
							bonds.entry(dispute.challenger.clone()).or_insert_with(Zero::zero);
						*bond = bond.saturating_add(dispute.bond);
						for node in dispute.ballot.nodes() {
							ensure!(
								Assignments::<T>::contains_key(node, job),
								"a committee seat has no assignment"
							);
						}
					},
					(Phase::Disputed { .. }, None) => {
						return Err("a disputed job has no dispute".into())
					},
					(_, Some(dispute)) => ensure!(
						matches!(dispute.stage, DisputeStage::Resolved { .. }),
						"an open dispute on a job that is not disputed"
					),
					(_, None) => {},
				}
				let sum = held.entry(record.requester.clone()).or_insert_with(Zero::zero);
				*sum = sum.saturating_add(escrow);
				for node in record.ballot.nodes() {
					ensure!(
						Assignments::<T>::contains_key(node, job),
						"a seated node has no assignment"
					);
				}
				ensure!(job < NextJobId::<T>::get(), "a job id was not handed out");
			}
			ensure!(count == JobCount::<T>::get(), "JobCount is not the number of jobs");
			ensure!(count <= T::MaxOpenJobs::get(), "more jobs than MaxOpenJobs");
			for (who, escrow) in held {
				let on_hold = T::Currency::balance_on_hold(&HoldReason::JobEscrow.into(), &who);
				// Settling may have released a price that the owner could not take; never more.
				ensure!(on_hold == escrow, "a requester's escrow hold differs from its jobs'");
			}
			for (who, bond) in bonds {
				let on_hold = T::Currency::balance_on_hold(&HoldReason::ChallengeBond.into(), &who);
				ensure!(
					on_hold == bond,
					"a challenger's bond hold differs from its open disputes'"
				);
			}
			for (job, _) in Assignments::<T>::iter_keys().map(|(node, job)| (job, node)) {
				ensure!(Jobs::<T>::contains_key(job), "an assignment outlived its job");
			}
			for queue in Queue::ALL {
				let (head, tail) = QueueEnds::<T>::get(queue);
				ensure!(head <= tail, "a queue's head is past its tail");
			}
			Ok(())
		}
	}
}

use polkadot_sdk::sp_runtime::traits::One;

impl<T: Config> From<swarm_primitives::commit_reveal::BallotError> for Error<T> {
	fn from(error: swarm_primitives::commit_reveal::BallotError) -> Self {
		use swarm_primitives::commit_reveal::BallotError;
		match error {
			BallotError::NotAssigned => Error::NotAssigned,
			BallotError::AlreadyCommitted => Error::AlreadyCommitted,
			BallotError::NotCommitted => Error::NotCommitted,
			BallotError::AlreadyRevealed => Error::AlreadyRevealed,
			BallotError::CommitmentMismatch => Error::CommitmentMismatch,
			BallotError::DuplicateSeat | BallotError::TooManySeats => Error::BadReplicas,
		}
	}
}

impl<T: Config> From<WorkRejection> for Error<T> {
	fn from(rejection: WorkRejection) -> Self {
		match rejection {
			WorkRejection::UnknownJob => Error::UnknownJob,
			WorkRejection::WrongPhase => Error::WrongPhase,
			WorkRejection::NotAssigned => Error::NotAssigned,
			WorkRejection::AlreadyCommitted => Error::AlreadyCommitted,
			WorkRejection::AlreadyRevealed => Error::AlreadyRevealed,
			WorkRejection::BadSignature => Error::BadSignature,
			WorkRejection::Mismatch => Error::CommitmentMismatch,
			WorkRejection::NotCommitted => Error::NotCommitted,
			WorkRejection::Malformed => Error::MalformedOutput,
			WorkRejection::NotOptedIn => Error::NotOptedIn,
			WorkRejection::NotOutvoted => Error::NotOutvoted,
		}
	}
}
