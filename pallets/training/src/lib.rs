//! # Training Pallet
//!
//! Federated training rounds: compute nodes train a registered model on data that never leaves
//! them, a committee of other nodes combines and evaluates their updates, and the chain
//! publishes the result as a new version whose lineage, metrics and contributors are on chain,
//! and pays the data holders whose updates were accepted.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for calls, storage, events and errors, and [`Config`] for the fees,
//! bounds and reputation effects. The pallet uses the other pallets only through the traits of
//! `swarm-primitives`: [`swarm_primitives::ModelCatalog`] and
//! [`swarm_primitives::ModelPublisher`] (the model registry),
//! [`swarm_primitives::ContentInspector`] and [`swarm_primitives::ContentWriter`] (the weights
//! store), [`swarm_primitives::NodeRegistry`], [`swarm_primitives::WorkerDirectory`],
//! [`swarm_primitives::Reputation`] and [`swarm_primitives::BondSlasher`] (compute nodes), and
//! [`swarm_primitives::WorkRewards`] (payments from the reward pot). Commit-reveal and quorum
//! counting are [`swarm_primitives::commit_reveal`], shared with inference jobs; the work itself
//! is two task kinds of the worker interface (`swarm-worker-interface`: training and
//! aggregation).
//!
//! ## Overview
//!
//! A model's owner **opens** a round ([`Pallet::open_round`]) on one of its versions whose
//! weights are stored and whose configuration the engine trains, with a [`RoundSpec`]: how
//! participants train (epochs, batch size, optimizer in fixed point), how the committee combines
//! the updates (FedAvg, median, trimmed mean, Krum, Multi-Krum; a clip bound; a cap on the
//! samples an update counts for; optionally server momentum, FedAvgM, whose state is the
//! campaign's previous base, [`Round::previous_weights`]), how many participants (min, max), the
//! committee's size k, a budget, a validation set stored in the weights store, a tolerance, and
//! optionally a number of consecutive rounds (a campaign). The budget and the committee's fee (k ×
//! [`Config::CommitteeFee`]) of every round of the campaign are held from the opener.
//!
//! A round goes through these phases, each a window of [`Timing`] blocks that ends early when
//! everyone it waits for has acted:
//!
//! 1. **Join**: compute nodes whose own data fits the model join ([`Pallet::join`]), declaring
//!    their sample count (capped at the rule's `max_samples`). Full, or at the window's end with at
//!    least `min_participants`, the round moves on; with fewer it fails.
//! 2. **Train**: each participant trains from the base weights on its data with the round's spec
//!    and seed, deterministically, and commits to its update's hash ([`Pallet::commit_update`]).
//! 3. **Upload**: each participant that committed reveals its update, the transaction carrying the
//!    update file itself, which is stored in the weights store ([`Pallet::reveal_update`]). The
//!    commitment binds the round and the node, so nobody can reveal a copy of another's update as
//!    its own: commits close before the first update is seen.
//! 4. **Commit** and **Reveal**: a committee of k eligible nodes, chosen by the round's seed,
//!    fetches every revealed update, runs the round's rule and evaluates the base and the result on
//!    the validation set, and commits to, then reveals, the [`RoundResult`]
//!    ([`Pallet::commit_result`], [`Pallet::reveal_result`]). The result revealed by at least
//!    [`Config::Quorum`] of k (by default ⌈2k/3⌉) decides the round.
//! 5. **Publish**: a result whose accuracy is not below the base's by more than the tolerance is
//!    published in the model registry as a new version of the model (parent: the base, derivation
//!    `FederatedRound`, producer: the round, metrics: accuracy and loss, contributors: the accepted
//!    participants' owners). Its weights must be stored first: one of the agreeing members sends
//!    them ([`Pallet::upload_result`]), unless they are stored already. The campaign's next round
//!    opens from the new version.
//!
//! **Payments**, after the challenge window ([`Timing::challenge_window`]): the budget is split
//! between the accepted participants by their capped sample counts (when a version was
//! published; otherwise it goes back to the opener), and the committee's fee between its
//! agreeing members, both through the reward pot. A published round's participants also share
//! [`Config::RoundEmission`] from the pot itself (what block emission and fees put there), when
//! the pot can pay it. **Penalties**: an update the committee found
//! provably invalid (unreadable, wrong layout, NaN/Inf, over the clip bound) is slashed
//! ([`Config::SlashShare`] of the node's bond) and its node loses reputation; an update the
//! robust rule left out as an outlier is not paid and loses reputation but is not slashed; a
//! participant or member that missed its commit or reveal loses reputation; a member in the
//! committee's minority is slashed. Every participant's and member's outcome is an event and
//! stays in the round's record, queryable for [`Timing::retention`] blocks. Outcomes are recorded
//! at the decision and take effect with the payments, so that a dispute can still change them.
//!
//! **Disputes**: within the challenge window anyone may challenge the settled result
//! ([`Pallet::challenge`], placing the bond of [`ChallengeTerms`]). A fresh committee of nodes
//! that took no part in the round re-runs the **aggregation and evaluation** over the revealed
//! updates, through the same commit and reveal calls; its quorum confirms the result (the bond
//! pays the committee) or overturns it (the members that agreed on it are slashed
//! [`Config::FraudSlashShare`] and jailed, the challenger is rewarded, the round is decided again
//! on the corrected result and a version it published is marked overturned in the registry and
//! replaced); without a quorum a second committee tries once, then the dispute is unresolved and
//! everyone is refunded. A node's owner may let its worker challenge for it when it is outvoted
//! as a committee member ([`Pallet::set_auto_challenge`], [`Pallet::challenge_for_owner`]).
//! **A dispute cannot re-run the participants' training**: their data is
//! private, so nobody else can. What a dispute checks is what can be computed from public inputs:
//! the updates as revealed, the rule, the validation set. A participant's dishonest training is
//! bounded as described below, not disputed.
//!
//! ## What participants can lie about, and what bounds the damage
//!
//! - **Their sample count.** Nobody can check it: the data is private. It weighs the update in
//!   FedAvg and decides the participant's share of the budget, so both are capped at the rule's
//!   `max_samples`: a participant claiming more gets what one with `max_samples` gets.
//! - **Their data, or their training.** A participant can send any update. One that is not even a
//!   valid update (unreadable, wrong shapes, NaN/Inf, further from the base than the clip bound) is
//!   provably invalid and slashed. A valid but harmful one (trained on poisoned data, or scaled
//!   within the clip bound) is what robust rules are for: the median, the trimmed mean and Krum
//!   resist a minority of such updates, and Krum names them as outliers (unpaid). What gets through
//!   is caught by the validation set: a result that does worse than the base by more than the
//!   tolerance is not published.
//! - **Participants' own training cannot be re-run by others** (their data is private): the chain
//!   verifies what can be verified from public inputs, the aggregation and the evaluation, by k
//!   independent nodes.
//!
//! ## Low Level / Implementation Details
//!
//! ### The seed, and what a block author can do to it
//!
//! A round's seed is `blake2_256(parent_hash ‖ round id)`; it picks the committee and each
//! participant's training seed (mixed with its node id, [`participant_seed`]). As with inference
//! jobs, the author of the block that opens a round can only choose to include the opening now
//! or later, which helps only someone who controls a quorum of the committee's seats among the
//! eligible nodes: each try succeeds with probability about `f^⌈2k/3⌉` for a fraction `f` of
//! them.
//!
//! ### Deadlines
//!
//! The hook acts on one queue per phase ([`Queue`]), each in deadline order since every item of
//! a queue is pushed a fixed window after the block that pushes it; at most
//! [`Config::MaxExpiriesPerBlock`] items a block. An item whose round moved on early is skipped.
//!
//! ### Escrow
//!
//! The escrow is a hold on the opener's balance ([`HoldReason::RoundEscrow`]); each round
//! records what it holds ([`Round::held`]). `try_state` checks that every opener's hold equals
//! what its rounds hold.

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
use codec::Encode;
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
		traits::{One, Saturating, Zero},
		Perbill,
	},
};
use swarm_primitives::{
	commit_reveal::{quorum, Tally},
	dispute::{self, forfeit_bond, release_bond, reward_challenger},
	metrics, model_config, BondSlasher, ContentInspector, ContentWriter, ModelCatalog,
	ModelPublisher, NewVersion, NodeRegistry, Reputation, WorkId, WorkNeeds, WorkRewards,
	WorkerDirectory,
};

/// The log target of this pallet.
pub const LOG_TARGET: &str = "runtime::training";

pub use swarm_primitives::RECENT_SCAN;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
>>::Balance;

/// The pool priority of participants' and committee members' transactions (those of inference
/// commits and reveals too): just below heartbeats and above every fee-paying transaction, since a
/// round waits on them and only its participants and members can send them. A fee-paying
/// transaction's priority is `(tip + 1) ×` how many like it fit a block, so at a fixed priority (it
/// was 2^20) a tip of a few thousand planck outranked this work: anyone keeping blocks full with
/// such tips would make honest nodes miss their windows and be slashed. Bounded as it is, the work
/// costs other transactions little.
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

	/// Configuration of the training pallet.
	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>>
		+ polkadot_sdk::frame_system::offchain::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The currency of budgets and fees.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// Model versions, their owners, and publishing new ones.
		type Models: ModelCatalog<Self::AccountId> + ModelPublisher<Self::AccountId>;

		/// Stored files (base weights, validation sets) and storing updates and results.
		type Content: ContentInspector + ContentWriter<Self::AccountId>;

		/// Compute nodes: eligibility, worker keys, choice, reputation and bonds.
		type Nodes: NodeRegistry<Self::AccountId>
			+ WorkerDirectory
			+ Reputation
			+ BondSlasher<BalanceOf<Self>>;

		/// Payments of verified work from the reward pot.
		type Rewards: WorkRewards<BalanceOf<Self>>;

		/// The reward pot's account, into which budgets and fees go before they are paid out.
		type RewardPot: Get<Self::AccountId>;

		/// The fee of each committee seat, paid to the agreeing members.
		#[pallet::constant]
		type CommitteeFee: Get<BalanceOf<Self>>;

		/// The emission share of a round that publishes a version: paid from the reward pot
		/// (what block emission and fees put there) to the accepted participants by their
		/// capped samples, on top of the opener's budget. Zero pays nothing.
		#[pallet::constant]
		type RoundEmission: Get<BalanceOf<Self>>;

		/// The most participants a round may take.
		#[pallet::constant]
		type MaxParticipants: Get<u32>;

		/// The largest committee.
		#[pallet::constant]
		type MaxCommittee: Get<u32>;

		/// The most rounds of one campaign.
		#[pallet::constant]
		type MaxCampaign: Get<u32>;

		/// The most rounds stored at once (running, or closed and not yet removed).
		#[pallet::constant]
		type MaxOpenRounds: Get<u32>;

		/// The most configuration bytes a round's model may have.
		#[pallet::constant]
		type MaxConfigLen: Get<u32>;

		/// The most deadlines the hook acts on in one block; the rest wait for the next.
		#[pallet::constant]
		type MaxExpiriesPerBlock: Get<u32>;

		/// The share of a committee that must reveal the same result (rounded up).
		#[pallet::constant]
		type Quorum: Get<Perbill>;

		/// The share of its bond a node loses for an invalid update or an outvoted result.
		#[pallet::constant]
		type SlashShare: Get<Perbill>;

		/// How far towards 1 the reputation of an accepted participant or an agreeing member
		/// moves.
		#[pallet::constant]
		type ReputationGain: Get<Perbill>;

		/// How far towards 0 the reputation of a node whose work was rejected or missing
		/// moves.
		#[pallet::constant]
		type ReputationLoss: Get<Perbill>;

		/// The default bond of a challenge ([`DisputeTerms::bond`]); root changes it with
		/// [`Pallet::set_dispute_terms`].
		#[pallet::constant]
		type DisputeBond: Get<BalanceOf<Self>>;

		/// The default size of a dispute committee ([`DisputeTerms::replicas`]).
		#[pallet::constant]
		type DisputeReplicas: Get<u32>;

		/// The share of its bond a committee member loses when a dispute overturns the result it
		/// agreed on.
		#[pallet::constant]
		type FraudSlashShare: Get<Perbill>;

		/// How many blocks such a member is jailed for.
		#[pallet::constant]
		type FraudJail: Get<u32>;

		/// The share of the slashed amount a challenger is paid when it overturns a result.
		#[pallet::constant]
		type ChallengerReward: Get<Perbill>;

		/// Weights of this pallet's calls and hook, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Reasons for the pallet's holds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An opener's escrow for its rounds: budgets and committee fees.
		#[codec(index = 0)]
		RoundEscrow,
		/// A challenger's bond, until its dispute resolves.
		#[codec(index = 1)]
		ChallengeBond,
	}

	/// The id the next round gets.
	#[pallet::storage]
	pub type NextRoundId<T> = StorageValue<_, RoundId, ValueQuery>;

	/// How many rounds are stored (at most [`Config::MaxOpenRounds`]).
	#[pallet::storage]
	pub type RoundCount<T> = StorageValue<_, u32, ValueQuery>;

	/// Every stored round.
	#[pallet::storage]
	pub type Rounds<T: Config> = StorageMap<_, Twox64Concat, RoundId, Round<T>>;

	/// The results revealed in a round, by hash: while it runs, each distinct result; once
	/// decided, the agreed one only.
	#[pallet::storage]
	pub type Results<T: Config> =
		StorageDoubleMap<_, Twox64Concat, RoundId, Identity, H256, RoundResult<T>>;

	/// The updates revealed in a round: each participant's update file and its size.
	#[pallet::storage]
	pub type Updates<T: Config> =
		StorageDoubleMap<_, Twox64Concat, RoundId, Twox64Concat, NodeId, (H256, u64)>;

	/// The rounds each node takes (or took) part in, as a participant or a committee member,
	/// while they are stored.
	#[pallet::storage]
	pub type Involvements<T: Config> =
		StorageDoubleMap<_, Twox64Concat, NodeId, Twox64Concat, RoundId, (), OptionQuery>;

	/// The windows of rounds.
	#[pallet::storage]
	pub type RoundTiming<T: Config> = StorageValue<_, Timing<BlockNumberFor<T>>, ValueQuery>;

	/// The nodes whose owners let their workers challenge, on their behalf, a settled result
	/// that outvoted the node's own ([`Pallet::set_auto_challenge`]).
	#[pallet::storage]
	pub type AutoChallenge<T> = StorageMap<_, Twox64Concat, NodeId, (), OptionQuery>;

	/// The terms of challenges placed from now on.
	#[pallet::storage]
	pub type ChallengeTerms<T: Config> =
		StorageValue<_, DisputeTerms<BalanceOf<T>>, ValueQuery, DefaultDisputeTerms<T>>;

	/// The terms of challenges before genesis or root set any: the pallet's constants.
	#[pallet::type_value]
	pub fn DefaultDisputeTerms<T: Config>() -> DisputeTerms<BalanceOf<T>> {
		DisputeTerms { bond: T::DisputeBond::get(), replicas: T::DisputeReplicas::get() }
	}

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

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The windows of rounds; the default when not given.
		pub timing: Option<Timing<BlockNumberFor<T>>>,
		/// The terms of challenges; the pallet's constants when not given.
		pub dispute_terms: Option<DisputeTerms<BalanceOf<T>>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(timing) = &self.timing {
				assert!(Pallet::<T>::check_timing(timing).is_ok(), "genesis: bad round timing");
				RoundTiming::<T>::put(timing);
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
		/// A round was opened on `base`; nodes may join until block `until`.
		RoundOpened {
			round: RoundId,
			opener: T::AccountId,
			base: u64,
			campaign: Campaign,
			until: BlockNumberFor<T>,
		},
		/// `node` joined with `samples` samples (capped).
		Joined { round: RoundId, node: NodeId, samples: u64 },
		/// Joining closed with `participants` participants; they train and commit until `until`.
		TrainingStarted { round: RoundId, participants: u32, until: BlockNumberFor<T> },
		/// `node` committed to its update.
		UpdateCommitted { round: RoundId, node: NodeId },
		/// Participants reveal their updates until block `until`.
		UploadOpened { round: RoundId, until: BlockNumberFor<T> },
		/// `node` revealed its update `update` (`size` bytes), now stored.
		UpdateRevealed { round: RoundId, node: NodeId, update: H256, size: u64 },
		/// The committee `nodes` was chosen; it commits until `until`.
		CommitteeChosen { round: RoundId, nodes: Vec<NodeId>, until: BlockNumberFor<T> },
		/// `node` committed to its result.
		ResultCommitted { round: RoundId, node: NodeId },
		/// The committee reveals until block `until`.
		ResultRevealOpened { round: RoundId, until: BlockNumberFor<T> },
		/// `node` revealed `result`, which matched its commitment.
		ResultRevealed { round: RoundId, node: NodeId, result: H256 },
		/// A quorum of `agreed` members agreed on `result`.
		RoundDecided { round: RoundId, result: H256, agreed: u32 },
		/// How `node`'s part as a participant ended.
		ParticipantOutcome { round: RoundId, node: NodeId, outcome: Contribution },
		/// How `node`'s committee seat ended.
		CommitteeOutcome { round: RoundId, node: NodeId, outcome: Outcome },
		/// `node` lost `amount` of its bond (an invalid update, or an outvoted result).
		NodeSlashed { round: RoundId, node: NodeId, amount: BalanceOf<T> },
		/// The agreed weights were published as `version` of `model`.
		VersionPublished { round: RoundId, model: u64, version: u64 },
		/// The round ended; payments are made at block `payout_at`.
		RoundEnded { round: RoundId, end: End, payout_at: BlockNumberFor<T> },
		/// `amount` was paid between `nodes` accepted participants.
		ParticipantsPaid { round: RoundId, amount: BalanceOf<T>, nodes: u32 },
		/// The round's emission share, `amount`, was paid from the pot between its accepted
		/// participants.
		EmissionPaid { round: RoundId, amount: BalanceOf<T> },
		/// The pot could not pay the round's emission share (the error is logged).
		EmissionUnpaid { round: RoundId, amount: BalanceOf<T> },
		/// `amount` was paid between `nodes` agreeing committee members.
		CommitteePaid { round: RoundId, amount: BalanceOf<T>, nodes: u32 },
		/// A payment failed (the error is logged); the opener got `refunded` back.
		PayoutFailed { round: RoundId, refunded: BalanceOf<T> },
		/// The round ended before it was decided; the opener got `refunded` back.
		RoundFailed { round: RoundId, reason: FailReason, refunded: BalanceOf<T> },
		/// The campaign of `round` could not open its next round (the error is logged); the
		/// opener got `refunded` back.
		CampaignStopped { round: RoundId, refunded: BalanceOf<T> },
		/// A closed round was removed after its retention period.
		RoundRemoved { round: RoundId },
		/// Root changed the windows of rounds.
		TimingSet { timing: Timing<BlockNumberFor<T>> },
		/// `challenger` challenged the settled result of `round` with `bond`, claiming `claimed`
		/// is right (if it said); the committee `nodes` re-runs its aggregation.
		Challenged {
			round: RoundId,
			challenger: T::AccountId,
			bond: BalanceOf<T>,
			claimed: Option<H256>,
			nodes: Vec<NodeId>,
		},
		/// The dispute committee of `round` reached no quorum; committee `level`, `nodes`,
		/// re-runs the aggregation.
		DisputeEscalated { round: RoundId, level: u32, nodes: Vec<NodeId> },
		/// How `node`'s seat in the dispute committee of `round` ended.
		DisputeOutcome { round: RoundId, node: NodeId, outcome: Outcome },
		/// The dispute of `round` resolved with `verdict`.
		DisputeResolved { round: RoundId, verdict: DisputeVerdict },
		/// `node` agreed on a result a dispute overturned: it lost `slashed` and is jailed for
		/// `jailed_for` blocks.
		NodeConvicted { round: RoundId, node: NodeId, slashed: BalanceOf<T>, jailed_for: u32 },
		/// The challenger of `round` got its `bond` back and `reward` from the slashed bonds.
		ChallengerPaid {
			round: RoundId,
			challenger: T::AccountId,
			bond: BalanceOf<T>,
			reward: BalanceOf<T>,
		},
		/// The result of `round` stood: the challenger's `bond` went to the reward pot.
		BondForfeited { round: RoundId, challenger: T::AccountId, bond: BalanceOf<T> },
		/// `amount` was paid from the pot between `nodes` agreeing dispute committee members.
		DisputeCommitteePaid { round: RoundId, amount: BalanceOf<T>, nodes: u32 },
		/// `version`, which `round` published, was marked overturned in the model registry;
		/// `corrected` replaces it, if one was published.
		VersionOverturned { round: RoundId, version: u64, corrected: Option<u64> },
		/// Root changed the terms of challenges.
		DisputeTermsSet { terms: DisputeTerms<BalanceOf<T>> },
		/// The owner of `node` let its worker challenge for it (`enabled`), or stopped it.
		AutoChallengeSet { node: NodeId, enabled: bool },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No such model version.
		UnknownVersion,
		/// Only the model's owner opens rounds on it.
		NotModelOwner,
		/// The version is deprecated.
		VersionDeprecated,
		/// The version's weights file is not stored.
		WeightsNotStored,
		/// The version's configuration is not one the engine trains (the engine's canonical
		/// configuration bytes, inline, at most `MaxConfigLen` bytes).
		UnsupportedConfig,
		/// Epochs or batch size is 0, the learning rate is 0, or the momentum is 1 or more.
		BadTrainingSpec,
		/// The aggregation rule needs more updates than the round takes, or its clip bound or
		/// sample cap is 0.
		BadAggregationRule,
		/// Participants must be 1 ≤ min ≤ max ≤ `MaxParticipants`.
		BadParticipants,
		/// The committee must have 1 to `MaxCommittee` seats.
		BadCommittee,
		/// A campaign has 1 to `MaxCampaign` rounds.
		BadCampaign,
		/// Fewer eligible compute nodes than committee seats.
		NotEnoughNodes,
		/// The validation file is not stored.
		ValidationNotStored,
		/// The validation file's size is not its samples × (1 + the model's sample size), or it
		/// has no samples.
		ValidationSizeMismatch,
		/// The opener cannot pay the escrow.
		InsufficientBalance,
		/// `MaxOpenRounds` rounds are stored: try again later.
		TooManyRounds,
		/// No such round.
		UnknownRound,
		/// The round is not in the phase this needs (its window closed, or has not opened).
		WrongPhase,
		/// Only the round's opener may do this.
		NotOpener,
		/// The node takes no part in this phase of the round.
		NotAssigned,
		/// The node has joined already.
		AlreadyJoined,
		/// The round has all the participants it takes.
		RoundFull,
		/// The node may not take work now.
		NotEligible,
		/// A participant must train on at least one sample.
		NoSamples,
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
		/// The result does not have a verdict per revealed update, or the update or weights
		/// are empty or larger than the base weights or a file a transaction can carry.
		MalformedResult,
		/// The weights are not the ones the committee agreed on, or the node did not agree.
		NotAgreed,
		/// Every window must be at least one block (the challenge window may be 0).
		BadTiming,
		/// The round is not settled: it is still running, failed, or is being disputed.
		NotSettled,
		/// The round's challenge window has passed (its payments are final).
		ChallengeClosed,
		/// The round's result has been challenged already.
		AlreadyChallenged,
		/// The claimed result is the settled one: there is nothing to dispute.
		SameResult,
		/// The challenger owns a committee member that agreed on the result.
		ChallengerAgreed,
		/// The challenger cannot place the bond.
		InsufficientBond,
		/// A dispute committee has 1 to `MaxCommittee` seats, and the bond covers their fee.
		BadDisputeTerms,
		/// No such compute node.
		UnknownNode,
		/// Only the node's owner may do this.
		NotNodeOwner,
		/// The node's owner has not let its worker challenge for it.
		NotOptedIn,
		/// The node did not reveal a result other than the settled one: there is nothing it
		/// could claim.
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
			assert!(T::MaxParticipants::get() > 0, "MaxParticipants must be positive");
			assert!(T::MaxCommittee::get() > 0, "MaxCommittee must be positive");
			assert!(T::MaxCampaign::get() > 0, "MaxCampaign must be positive");
			assert!(T::MaxExpiriesPerBlock::get() > 0, "MaxExpiriesPerBlock must be positive");
			assert!(Self::check_timing(&Timing::default()).is_ok(), "the default timing is bad");
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
		/// Opens a round (or the first of a campaign of `spec.rounds` rounds) on `spec.base`.
		///
		/// ## Dispatch Origin
		/// Signed: the base model's owner, who pays.
		///
		/// ## Details
		/// The base's weights must be stored and its configuration be one the engine trains;
		/// the validation file must be stored with `samples × (1 + sample size)` bytes. For
		/// every round of the campaign, the budget and k × [`Config::CommitteeFee`] are held;
		/// every round of the campaign keeps that fee, whatever root sets later.
		///
		/// ## Errors
		/// - [`Error::UnknownVersion`], [`Error::NotModelOwner`], [`Error::VersionDeprecated`],
		///   [`Error::WeightsNotStored`], [`Error::UnsupportedConfig`]
		/// - [`Error::BadTrainingSpec`], [`Error::BadAggregationRule`], [`Error::BadParticipants`],
		///   [`Error::BadCommittee`], [`Error::BadCampaign`]
		/// - [`Error::ValidationNotStored`], [`Error::ValidationSizeMismatch`]
		/// - [`Error::NotEnoughNodes`], [`Error::TooManyRounds`], [`Error::InsufficientBalance`]
		///
		/// ## Events
		/// - [`Event::RoundOpened`]
		#[pallet::call_index(0)]
		pub fn open_round(origin: OriginFor<T>, spec: RoundSpec<BalanceOf<T>>) -> DispatchResult {
			let opener = ensure_signed(origin)?;
			ensure!((1..=T::MaxCampaign::get()).contains(&spec.rounds), Error::<T>::BadCampaign);
			let committee_fee = T::CommitteeFee::get().saturating_mul(spec.committee.into());
			let total =
				spec.budget.saturating_add(committee_fee).saturating_mul(spec.rounds.into());
			let prepared = Self::prepare(&opener, &spec)?;
			T::Currency::hold(&HoldReason::RoundEscrow.into(), &opener, total)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			let round = NextRoundId::<T>::get();
			let campaign = Campaign { first: round, index: 0 };
			Self::open(opener, spec, campaign, total, committee_fee, prepared, None);
			Ok(())
		}

		/// Joins `round` as `node`, with `samples` samples of its own data.
		///
		/// ## Dispatch Origin
		/// Authorized: a general transaction without an account or fee, which the pallet accepts
		/// when `signature` is the node's worker key's over [`Payload::Join`]. The node's
		/// offchain worker sends it when the node's training data fits the round's model.
		///
		/// ## Errors
		/// - [`Error::UnknownRound`], [`Error::WrongPhase`], [`Error::NotEligible`],
		///   [`Error::AlreadyJoined`], [`Error::RoundFull`], [`Error::NoSamples`],
		///   [`Error::BadSignature`]
		///
		/// ## Events
		/// - [`Event::Joined`]; [`Event::TrainingStarted`] when it fills the round
		#[pallet::call_index(1)]
		#[pallet::authorize(|_source, round, node, samples, signature| {
			Pallet::<T>::check_join(*round, *node, *samples, signature)
				.map_err(|r| TransactionValidityError::Invalid(r.into()))
				.and_then(|record| Pallet::<T>::valid_work(b"join", *round, *node, record.window_end()))
		})]
		pub fn join(
			origin: OriginFor<T>,
			round: RoundId,
			node: NodeId,
			samples: u64,
			signature: WorkerSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let mut record =
				Self::check_join(round, node, samples, &signature).map_err(Error::<T>::from)?;
			let samples = samples.min(record.spec.rule.max_samples);
			record
				.participants
				.try_push(Participant { node, samples, outcome: None })
				.map_err(|_| Error::<T>::RoundFull)?;
			record.updates.seat(node).map_err(|_| Error::<T>::RoundFull)?;
			Involvements::<T>::insert(node, round, ());
			Self::deposit_event(Event::Joined { round, node, samples });
			if record.participants.len() as u32 >= record.spec.max_participants {
				Self::start_training(round, &mut record);
			}
			Rounds::<T>::insert(round, record);
			Ok(())
		}

		/// Records participant `node`'s commitment to its update of `round` (see
		/// [`swarm_primitives::commit_reveal::commitment`], with [`Work::Update`] as the task).
		///
		/// ## Dispatch Origin
		/// Authorized, like [`Pallet::join`]: `signature` over [`Payload::Commit`].
		///
		/// ## Errors
		/// - [`Error::UnknownRound`], [`Error::WrongPhase`], [`Error::NotAssigned`],
		///   [`Error::AlreadyCommitted`], [`Error::AlreadyRevealed`], [`Error::BadSignature`]
		///
		/// ## Events
		/// - [`Event::UpdateCommitted`]; [`Event::UploadOpened`] when it is the last to commit
		#[pallet::call_index(2)]
		#[pallet::authorize(|_source, round, node, commitment, signature| {
			Pallet::<T>::check_commit(Work::Update(*round), *node, commitment, signature)
				.map_err(|r| TransactionValidityError::Invalid(r.into()))
				.and_then(|record| Pallet::<T>::valid_work(b"commit-update", *round, *node, record.window_end()))
		})]
		pub fn commit_update(
			origin: OriginFor<T>,
			round: RoundId,
			node: NodeId,
			commitment: H256,
			signature: WorkerSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let mut record = Self::check_commit(Work::Update(round), node, &commitment, &signature)
				.map_err(Error::<T>::from)?;
			record.updates.commit(node, commitment).map_err(Error::<T>::from)?;
			Self::deposit_event(Event::UpdateCommitted { round, node });
			if record.updates.all_committed() {
				Self::open_upload(round, &mut record);
			}
			Rounds::<T>::insert(round, record);
			Ok(())
		}

		/// Reveals participant `node`'s update of `round` with the `salt` of its commitment; the
		/// transaction carries the update file (`update`, safetensors), which is stored in the
		/// weights store.
		///
		/// ## Dispatch Origin
		/// Authorized, like [`Pallet::join`]: `signature` over [`Payload::Reveal`] with the
		/// update's blake2-256 hash.
		///
		/// ## Details
		/// `update` must be the call's last argument and the transaction's tail (the weights
		/// store keeps those bytes), and no larger than the base weights or one chunk of the
		/// weights store.
		///
		/// ## Errors
		/// - [`Error::UnknownRound`], [`Error::WrongPhase`], [`Error::NotAssigned`],
		///   [`Error::NotCommitted`], [`Error::AlreadyRevealed`], [`Error::CommitmentMismatch`],
		///   [`Error::BadSignature`], [`Error::MalformedResult`]
		///
		/// ## Events
		/// - [`Event::UpdateRevealed`]; [`Event::CommitteeChosen`] (or [`Event::RoundFailed`]) when
		///   it is the last to reveal
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::reveal_update(update.len() as u32))]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_reveal_update(update.len() as u32))]
		#[pallet::authorize(|_source, round, node, salt, signature, update| {
			Pallet::<T>::check_reveal_update(*round, *node, salt, signature, update)
				.map_err(|r| TransactionValidityError::Invalid(r.into()))
				.and_then(|record| Pallet::<T>::valid_work(b"reveal-update", *round, *node, record.window_end()))
		})]
		pub fn reveal_update(
			origin: OriginFor<T>,
			round: RoundId,
			node: NodeId,
			salt: Salt,
			signature: WorkerSignature,
			update: Vec<u8>,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let mut record = Self::check_reveal_update(round, node, &salt, &signature, &update)
				.map_err(Error::<T>::from)?;
			let hash = H256(polkadot_sdk::sp_io::hashing::blake2_256(&update));
			record
				.updates
				.reveal::<polkadot_sdk::sp_runtime::traits::BlakeTwo256>(
					&Work::Update(round),
					node,
					hash,
					&salt,
				)
				.map_err(Error::<T>::from)?;
			let uploader = T::Nodes::owner_of(node).unwrap_or_else(|| record.opener.clone());
			T::Content::store_tail(&uploader, &update)?;
			let size = update.len() as u64;
			Updates::<T>::insert(round, node, (hash, size));
			Self::deposit_event(Event::UpdateRevealed { round, node, update: hash, size });
			if record.updates.all_revealed() {
				Self::close_upload(round, &mut record);
			}
			Rounds::<T>::insert(round, record);
			Ok(())
		}

		/// Records committee member `node`'s commitment to its result for `round` (with
		/// [`Work::Result`] as the task): a member of the round's committee, or of the committee
		/// re-running its aggregation in a dispute.
		///
		/// ## Dispatch Origin
		/// Authorized, like [`Pallet::join`]: `signature` over [`Payload::Commit`].
		///
		/// ## Errors
		/// - [`Error::UnknownRound`], [`Error::WrongPhase`], [`Error::NotAssigned`],
		///   [`Error::AlreadyCommitted`], [`Error::AlreadyRevealed`], [`Error::BadSignature`]
		///
		/// ## Events
		/// - [`Event::ResultCommitted`]; [`Event::ResultRevealOpened`] when it is the last seat to
		///   commit
		#[pallet::call_index(4)]
		#[pallet::authorize(|_source, round, node, commitment, signature| {
			Pallet::<T>::check_commit(Work::Result(*round), *node, commitment, signature)
				.map_err(|r| TransactionValidityError::Invalid(r.into()))
				.and_then(|record| Pallet::<T>::valid_work(b"commit-result", *round, *node, record.window_end()))
		})]
		pub fn commit_result(
			origin: OriginFor<T>,
			round: RoundId,
			node: NodeId,
			commitment: H256,
			signature: WorkerSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let mut record = Self::check_commit(Work::Result(round), node, &commitment, &signature)
				.map_err(Error::<T>::from)?;
			let ballot = record.voting_mut().ok_or(Error::<T>::WrongPhase)?;
			ballot.commit(node, commitment).map_err(Error::<T>::from)?;
			let all_committed = ballot.all_committed();
			Self::deposit_event(Event::ResultCommitted { round, node });
			if all_committed {
				Self::open_reveal(round, &mut record);
			}
			Rounds::<T>::insert(round, record);
			Ok(())
		}

		/// Reveals committee member `node`'s `result` for `round` with the `salt` of its
		/// commitment. Decides the round when every committed seat has revealed and a result
		/// has the quorum, or fails it when no result can reach it any more; in a dispute,
		/// resolves it, or escalates it (see [`Pallet::challenge`]).
		///
		/// ## Dispatch Origin
		/// Authorized, like [`Pallet::join`]: `signature` over [`Payload::Reveal`] with the
		/// result's hash.
		///
		/// ## Errors
		/// - [`Error::UnknownRound`], [`Error::WrongPhase`], [`Error::NotAssigned`],
		///   [`Error::NotCommitted`], [`Error::AlreadyRevealed`], [`Error::CommitmentMismatch`],
		///   [`Error::BadSignature`], [`Error::MalformedResult`]
		///
		/// ## Events
		/// - [`Event::ResultRevealed`]; when it decides: [`Event::RoundDecided`], an
		///   [`Event::CommitteeOutcome`] per seat and an [`Event::ParticipantOutcome`] per
		///   participant, [`Event::NodeSlashed`], [`Event::VersionPublished`],
		///   [`Event::RoundEnded`], and the payments' events; or [`Event::RoundFailed`]; in a
		///   dispute, those of its resolution (see [`Pallet::challenge`])
		#[pallet::call_index(5)]
		#[pallet::weight(
			T::WeightInfo::reveal_result(T::MaxParticipants::get())
				.max(T::WeightInfo::resolve_dispute(T::MaxParticipants::get()))
				.saturating_add(Pallet::<T>::payments_weight())
		)]
		#[pallet::authorize(|_source, round, node, result, salt, signature| {
			Pallet::<T>::check_reveal_result(*round, *node, result, salt, signature)
				.map_err(|r| TransactionValidityError::Invalid(r.into()))
				.and_then(|record| Pallet::<T>::valid_work(b"reveal-result", *round, *node, record.window_end()))
		})]
		pub fn reveal_result(
			origin: OriginFor<T>,
			round: RoundId,
			node: NodeId,
			result: RoundResult<T>,
			salt: Salt,
			signature: WorkerSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let mut record = Self::check_reveal_result(round, node, &result, &salt, &signature)
				.map_err(Error::<T>::from)?;
			let hash = result.hash();
			let quorum = record.voting_quorum();
			let ballot = record.voting_mut().ok_or(Error::<T>::WrongPhase)?;
			ballot
				.reveal::<polkadot_sdk::sp_runtime::traits::BlakeTwo256>(
					&Work::Result(round),
					node,
					hash,
					&salt,
				)
				.map_err(Error::<T>::from)?;
			let (tally, all_revealed) = (ballot.tally(quorum, false), ballot.all_revealed());
			if !Results::<T>::contains_key(round, hash) {
				Results::<T>::insert(round, hash, result);
			}
			Self::deposit_event(Event::ResultRevealed { round, node, result: hash });
			match tally {
				Tally::Agreed(agreed) if all_revealed => Self::agree(round, &mut record, agreed),
				Tally::NoQuorum => Self::no_quorum(round, &mut record),
				_ => {},
			}
			Rounds::<T>::insert(round, record);
			Ok(())
		}

		/// Stores the weights the committee of `round` agreed on, carried by the transaction
		/// (`weights`, safetensors), and publishes them as the round's new version.
		///
		/// ## Dispatch Origin
		/// Authorized, like [`Pallet::join`]: `signature` over [`Payload::Store`], by a committee
		/// member that agreed.
		///
		/// ## Details
		/// `weights` must be the call's last argument and the transaction's tail.
		///
		/// ## Errors
		/// - [`Error::UnknownRound`], [`Error::WrongPhase`], [`Error::NotAgreed`],
		///   [`Error::BadSignature`]
		///
		/// ## Events
		/// - [`Event::VersionPublished`] and [`Event::RoundEnded`] (a campaign's next
		///   [`Event::RoundOpened`]), or [`Event::RoundFailed`] if the registry refuses it
		#[pallet::call_index(6)]
		#[pallet::weight(
			T::WeightInfo::upload_result(weights.len() as u32)
				.saturating_add(Pallet::<T>::payments_weight())
		)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_upload_result(weights.len() as u32))]
		#[pallet::authorize(|_source, round, node, signature, weights| {
			Pallet::<T>::check_upload_result(*round, *node, signature, weights)
				.map_err(|r| TransactionValidityError::Invalid(r.into()))
				.and_then(|record| Pallet::<T>::valid_work(b"upload-result", *round, 0, record.window_end()))
		})]
		pub fn upload_result(
			origin: OriginFor<T>,
			round: RoundId,
			node: NodeId,
			signature: WorkerSignature,
			weights: Vec<u8>,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let mut record = Self::check_upload_result(round, node, &signature, &weights)
				.map_err(Error::<T>::from)?;
			let Phase::Publish { result, .. } = record.phase else {
				return Err(Error::<T>::WrongPhase.into());
			};
			let uploader = T::Nodes::owner_of(node).unwrap_or_else(|| record.opener.clone());
			T::Content::store_tail(&uploader, &weights)?;
			Self::publish(round, &mut record, result);
			Rounds::<T>::insert(round, record);
			Ok(())
		}

		/// Cancels `round` while it is open for joining; the opener gets the escrow back (of
		/// the rest of its campaign too).
		///
		/// ## Dispatch Origin
		/// Signed: the round's opener.
		///
		/// ## Errors
		/// - [`Error::UnknownRound`], [`Error::NotOpener`], [`Error::WrongPhase`]
		///
		/// ## Events
		/// - [`Event::RoundFailed`] with [`FailReason::Cancelled`]
		#[pallet::call_index(7)]
		pub fn cancel_round(origin: OriginFor<T>, round: RoundId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Rounds::<T>::get(round).ok_or(Error::<T>::UnknownRound)?;
			ensure!(record.opener == who, Error::<T>::NotOpener);
			ensure!(matches!(record.phase, Phase::Join { .. }), Error::<T>::WrongPhase);
			Self::fail(round, &mut record, FailReason::Cancelled);
			Rounds::<T>::insert(round, record);
			Ok(())
		}

		/// Sets the windows of rounds opened from now on (and of the phases that open from now
		/// on).
		///
		/// ## Dispatch Origin
		/// Root.
		///
		/// ## Errors
		/// - [`Error::BadTiming`]
		///
		/// ## Events
		/// - [`Event::TimingSet`]
		#[pallet::call_index(8)]
		pub fn set_timing(
			origin: OriginFor<T>,
			timing: Timing<BlockNumberFor<T>>,
		) -> DispatchResult {
			ensure_root(origin)?;
			Self::check_timing(&timing)?;
			RoundTiming::<T>::put(&timing);
			Self::deposit_event(Event::TimingSet { timing });
			Ok(())
		}

		/// Challenges the settled result of `round`, placing the bond of [`ChallengeTerms`];
		/// `claimed` is the [`RoundResult`] hash the challenger says is right, if it says.
		///
		/// ## Dispatch Origin
		/// Signed: anyone (the opener, a participant's or a member's owner, any account) but
		/// the owner of a committee member that agreed on the result.
		///
		/// ## Details
		/// Only within the round's challenge window ([`Timing::challenge_window`]): its payments
		/// are held until it passes, and the challenge keeps them held. A committee of
		/// [`DisputeTerms::replicas`] eligible nodes that took no part in the round (neither
		/// participants nor committee members) is chosen; it re-runs the aggregation and the
		/// evaluation over the revealed updates with the deterministic engine and commits, then
		/// reveals, its results through [`Pallet::commit_result`] and [`Pallet::reveal_result`],
		/// in windows as long as the round's. The participants' own training is not re-run:
		/// their data is private, so nobody else can. Its quorum decides:
		/// - **Confirmed** (it agrees with the settled result): the bond goes to the reward pot,
		///   which pays the committee its fee ([`Config::CommitteeFee`] a seat), and the round's
		///   payments are made at once.
		/// - **Overturned**: the members that agreed on the settled result are slashed
		///   [`Config::FraudSlashShare`] of their bond and jailed for [`Config::FraudJail`] blocks;
		///   the round is decided again on the corrected result (participants' and members'
		///   outcomes against it), a version the round published is marked overturned in the model
		///   registry (it stays as it was) and the corrected weights are published in its place
		///   with the same parent, derivation and producer (a member of the dispute committee
		///   uploads them if they are not stored; they may be the overturned version's own weights,
		///   when the lie was only in the evaluation or the verdicts); the payments are made at
		///   once by the corrected outcomes. The committee is paid from the pot, the challenger
		///   gets its bond back and [`Config::ChallengerReward`] of the slashed amount.
		/// - **No quorum**: a second committee, excluding the first, re-runs it once; if it has no
		///   quorum either (or too few nodes are eligible), the dispute is unresolved: the
		///   challenger and the opener are refunded, nobody is paid or slashed (not even for an
		///   update the challenged result called invalid: without a quorum nobody can say which
		///   verdicts are right), and the round fails with [`FailReason::DisputeUnresolved`].
		///
		/// A campaign's next round, opened from a version a dispute later overturns, goes on
		/// from it (its lineage shows the overturned parent); a dispute never reopens a
		/// campaign.
		///
		/// ## Errors
		/// - [`Error::UnknownRound`], [`Error::NotSettled`], [`Error::ChallengeClosed`],
		///   [`Error::AlreadyChallenged`]
		/// - [`Error::SameResult`], [`Error::ChallengerAgreed`]
		/// - [`Error::NotEnoughNodes`], [`Error::InsufficientBond`]
		///
		/// ## Events
		/// - [`Event::Challenged`]; as it goes: [`Event::ResultRevealOpened`],
		///   [`Event::DisputeOutcome`] per seat, [`Event::DisputeEscalated`],
		///   [`Event::DisputeResolved`], [`Event::BondForfeited`], [`Event::DisputeCommitteePaid`],
		///   [`Event::NodeConvicted`], [`Event::ChallengerPaid`], [`Event::VersionOverturned`], the
		///   events of a decision ([`Event::RoundDecided`], ...) and of the payments
		#[pallet::call_index(9)]
		pub fn challenge(
			origin: OriginFor<T>,
			round: RoundId,
			claimed: Option<H256>,
		) -> DispatchResult {
			let challenger = ensure_signed(origin)?;
			Self::open_dispute(round, challenger, claimed)
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
		#[pallet::call_index(10)]
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
		/// settled round whose result outvoted the one the node revealed as a committee member
		/// ([`Pallet::challenge_for_owner`]); or, with `enabled` false, stops it. Off by default.
		///
		/// ## Dispatch Origin
		/// Signed: the node's owner.
		///
		/// ## Errors
		/// - [`Error::UnknownNode`], [`Error::NotNodeOwner`]
		///
		/// ## Events
		/// - [`Event::AutoChallengeSet`]
		#[pallet::call_index(11)]
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

		/// Challenges the settled result of `round` on behalf of `node`'s owner, claiming the
		/// result the node revealed as a member of its committee: what [`Pallet::challenge`]
		/// does, with the owner as the challenger and its bond. The node's offchain worker sends
		/// it when the node was outvoted and its owner opted in ([`Pallet::set_auto_challenge`]).
		///
		/// ## Dispatch Origin
		/// Authorized, like [`Pallet::join`]: `signature` is the node's worker key's over
		/// [`Payload::Challenge`].
		///
		/// ## Errors
		/// - [`Error::UnknownRound`], [`Error::WrongPhase`], [`Error::NotOptedIn`],
		///   [`Error::NotOutvoted`], [`Error::BadSignature`]
		/// - those of [`Pallet::challenge`] from [`Error::ChallengerAgreed`] on
		///
		/// ## Events
		/// - those of [`Pallet::challenge`]
		#[pallet::call_index(12)]
		#[pallet::authorize(|_source, round, node, signature| {
			Pallet::<T>::check_auto_challenge(*round, *node, signature)
				.map_err(|r| TransactionValidityError::Invalid(r.into()))
				// One per round; the last block in which it is accepted is the one before the
				// payout.
				.and_then(|(_, _, payout_at)| Pallet::<T>::valid_work(
					b"challenge", *round, 0, Some(payout_at.saturating_sub(One::one()))
				))
		})]
		#[pallet::weight(T::WeightInfo::challenge())]
		pub fn challenge_for_owner(
			origin: OriginFor<T>,
			round: RoundId,
			node: NodeId,
			signature: WorkerSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let (owner, claimed, _) =
				Self::check_auto_challenge(round, node, &signature).map_err(Error::<T>::from)?;
			Self::open_dispute(round, owner, Some(claimed))
		}
	}

	/// What [`Pallet::prepare`] found out about a round's base.
	pub(crate) struct Prepared<T: Config> {
		pub model: u64,
		pub base_weights: H256,
		pub base_size: u64,
		pub config: BoundedVec<u8, T::MaxConfigLen>,
		pub seed: [u8; 32],
	}

	impl<T: Config> Pallet<T> {
		/// The agreed result of `round`, once it is decided (while it is disputed: the
		/// challenged one).
		pub fn result(round: RoundId) -> Option<RoundResult<T>> {
			match Rounds::<T>::get(round)?.phase {
				Phase::Publish { result, .. } |
				Phase::Settled { result, .. } |
				Phase::Disputed { result, .. } |
				Phase::Paid { result, .. } => Results::<T>::get(round, result),
				_ => None,
			}
		}

		/// The ids of the `limit` newest stored rounds, newest first. Looks at most
		/// [`RECENT_SCAN`] ids below the next round's.
		pub fn recent_rounds(limit: u32) -> Vec<RoundId> {
			let next = NextRoundId::<T>::get();
			(next.saturating_sub(RECENT_SCAN)..next)
				.rev()
				.filter(|id| Rounds::<T>::contains_key(id))
				.take(limit as usize)
				.collect()
		}

		/// The stored rounds that nodes may join now, in id order (at most
		/// [`Config::MaxOpenRounds`]).
		pub fn open_rounds() -> Vec<RoundId> {
			let now = frame_system::Pallet::<T>::block_number();
			let mut rounds: Vec<RoundId> = Rounds::<T>::iter()
				.take(T::MaxOpenRounds::get() as usize)
				.filter(|(_, r)| matches!(r.phase, Phase::Join { until } if now <= until))
				.map(|(id, _)| id)
				.collect();
			rounds.sort_unstable();
			rounds
		}

		/// The stored rounds in which `node` takes or took part (at most
		/// [`Config::MaxOpenRounds`]), in id order.
		pub fn involved(node: NodeId) -> Vec<RoundId> {
			let mut rounds: Vec<RoundId> = Involvements::<T>::iter_key_prefix(node)
				.take(T::MaxOpenRounds::get() as usize)
				.collect();
			rounds.sort_unstable();
			rounds
		}

		/// Checks that `opener` may open a round of `spec` now.
		pub(crate) fn prepare(
			opener: &T::AccountId,
			spec: &RoundSpec<BalanceOf<T>>,
		) -> Result<Prepared<T>, DispatchError> {
			ensure!(RoundCount::<T>::get() < T::MaxOpenRounds::get(), Error::<T>::TooManyRounds);
			let served = T::Models::served_version(spec.base).ok_or(Error::<T>::UnknownVersion)?;
			ensure!(served.owner == *opener, Error::<T>::NotModelOwner);
			ensure!(!served.deprecated, Error::<T>::VersionDeprecated);
			ensure!(
				T::Content::stored_size(&served.weights_hash) == Some(served.weights_size),
				Error::<T>::WeightsNotStored
			);
			let config_bytes = served.config.unwrap_or_default();
			let config =
				model_config::decode(&config_bytes).map_err(|_| Error::<T>::UnsupportedConfig)?;
			let config = BoundedVec::try_from(config_bytes)
				.ok()
				.filter(|_| config.classes > 0)
				.ok_or(Error::<T>::UnsupportedConfig)?;
			spec.training.check().map_err(|_| Error::<T>::BadTrainingSpec)?;
			ensure!(
				spec.min_participants >= 1 &&
					spec.min_participants <= spec.max_participants &&
					spec.max_participants <= T::MaxParticipants::get(),
				Error::<T>::BadParticipants
			);
			spec.rule.check(spec.max_participants).map_err(|_| Error::<T>::BadAggregationRule)?;
			ensure!(
				(1..=T::MaxCommittee::get()).contains(&spec.committee),
				Error::<T>::BadCommittee
			);
			let record_len = u64::from(
				model_config::decode(&config).map_or(0, |c| c.sample_len()).saturating_add(1),
			);
			let size = T::Content::stored_size(&H256(spec.validation.hash))
				.ok_or(Error::<T>::ValidationNotStored)?;
			ensure!(
				spec.validation.samples > 0 &&
					size == u64::from(spec.validation.samples).saturating_mul(record_len),
				Error::<T>::ValidationSizeMismatch
			);
			let seed = Self::seed(NextRoundId::<T>::get());
			let needs = Self::needs(served.weights_size, 0);
			ensure!(
				T::Nodes::choose(&seed, spec.committee, &[], &needs).len() as u32 == spec.committee,
				Error::<T>::NotEnoughNodes
			);
			Ok(Prepared {
				model: served.model,
				base_weights: served.weights_hash,
				base_size: served.weights_size,
				config,
				seed,
			})
		}

		/// Stores a new round, open for joining, holding `held` (already on hold), of which
		/// `committee_fee` pays its committee; `previous` is the base weights of the campaign's
		/// round before.
		fn open(
			opener: T::AccountId,
			spec: RoundSpec<BalanceOf<T>>,
			campaign: Campaign,
			held: BalanceOf<T>,
			committee_fee: BalanceOf<T>,
			prepared: Prepared<T>,
			previous_weights: Option<H256>,
		) -> RoundId {
			let round = NextRoundId::<T>::get();
			let now = frame_system::Pallet::<T>::block_number();
			let until = now.saturating_add(RoundTiming::<T>::get().join_window);
			let base = spec.base;
			Rounds::<T>::insert(
				round,
				Round {
					opener: opener.clone(),
					model: prepared.model,
					base_weights: prepared.base_weights,
					base_size: prepared.base_size,
					previous_weights,
					config: prepared.config,
					quorum: quorum(spec.committee, T::Quorum::get()),
					committee_fee,
					spec,
					campaign,
					seed: prepared.seed,
					opened_at: now,
					participants: BoundedVec::new(),
					updates: Ballot::empty(),
					committee: Ballot::empty(),
					committee_outcomes: BoundedVec::new(),
					held,
					phase: Phase::Join { until },
					dispute: None,
				},
			);
			Self::push(Queue::Join, round, until.saturating_add(One::one()));
			NextRoundId::<T>::put(round.saturating_add(1));
			RoundCount::<T>::mutate(|count| *count = count.saturating_add(1));
			Self::deposit_event(Event::RoundOpened { round, opener, base, campaign, until });
			round
		}

		/// The seed of round `round`: `blake2_256(parent_hash ‖ round)` (see the crate docs for
		/// what a block author can do to it).
		fn seed(round: RoundId) -> [u8; 32] {
			let parent = frame_system::Pallet::<T>::parent_hash();
			polkadot_sdk::sp_io::hashing::blake2_256(
				&(b"swarm/training/round", parent, round).encode(),
			)
		}

		/// What combining `updates` updates of `weights_size` bytes asks of a committee member:
		/// the base, the updates and the result, in MiB, rounded up.
		fn needs(weights_size: u64, updates: u32) -> WorkNeeds {
			let copies = u64::from(updates).saturating_add(2);
			let mib = weights_size.saturating_mul(copies).div_ceil(1 << 20);
			WorkNeeds { memory_mib: u32::try_from(mib).unwrap_or(u32::MAX) }
		}

		/// Checks the window lengths: every window at least a block, except the challenge
		/// window, which may be 0 (paid at once).
		pub(crate) fn check_timing(timing: &Timing<BlockNumberFor<T>>) -> DispatchResult {
			let zero = BlockNumberFor::<T>::zero();
			ensure!(
				[
					timing.join_window,
					timing.train_window,
					timing.upload_window,
					timing.commit_window,
					timing.reveal_window,
					timing.publish_window,
					timing.retention,
				]
				.iter()
				.all(|window| *window > zero),
				Error::<T>::BadTiming
			);
			Ok(())
		}

		pub(crate) fn genesis_hash() -> T::Hash {
			frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
		}

		/// The round, if it is in a phase `matches` accepts and its window is open.
		fn in_phase(
			round: RoundId,
			matches: impl Fn(&Phase<BlockNumberFor<T>>) -> bool,
		) -> Result<Round<T>, WorkRejection> {
			let record = Rounds::<T>::get(round).ok_or(WorkRejection::UnknownRound)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				matches(&record.phase) && record.phase.window_end().is_some_and(|end| now <= end),
				WorkRejection::WrongPhase
			);
			Ok(record)
		}

		/// The round, if its committee's ballot ([`Round::voting`]: its own committee's, or its
		/// dispute committee's) is in a window `matches` accepts and the window is open.
		fn in_window(
			round: RoundId,
			matches: impl Fn(&Window<BlockNumberFor<T>>) -> bool,
		) -> Result<Round<T>, WorkRejection> {
			let record = Rounds::<T>::get(round).ok_or(WorkRejection::UnknownRound)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				record
					.voting()
					.is_some_and(|(window, _)| matches(&window) && now <= window.until()),
				WorkRejection::WrongPhase
			);
			Ok(record)
		}

		/// What `node` has sent to the committee ballot of [`Round::voting`], if it has a seat.
		fn seat(
			record: &Round<T>,
			node: NodeId,
		) -> Option<swarm_primitives::commit_reveal::Vote<H256>> {
			record.voting().and_then(|(_, ballot)| ballot.vote(node).copied())
		}

		/// Checks a join; returns the round on success.
		pub(crate) fn check_join(
			round: RoundId,
			node: NodeId,
			samples: u64,
			signature: &WorkerSignature,
		) -> Result<Round<T>, WorkRejection> {
			let record = Self::in_phase(round, |p| matches!(p, Phase::Join { .. }))?;
			ensure!(!record.updates.has_seat(node), WorkRejection::AlreadyJoined);
			ensure!(
				(record.participants.len() as u32) < record.spec.max_participants,
				WorkRejection::RoundFull
			);
			ensure!(samples > 0, WorkRejection::NoSamples);
			ensure!(T::Nodes::is_eligible(node), WorkRejection::NotEligible);
			let payload = Payload::Join { genesis: Self::genesis_hash(), round, node, samples };
			Self::check_signature(node, &payload.bytes(), signature)?;
			Ok(record)
		}

		/// Checks a commit of a participant ([`Work::Update`]) or a committee member
		/// ([`Work::Result`]); returns the round on success.
		pub(crate) fn check_commit(
			task: Work,
			node: NodeId,
			commitment: &H256,
			signature: &WorkerSignature,
		) -> Result<Round<T>, WorkRejection> {
			use swarm_primitives::commit_reveal::Vote;
			let (record, vote) = match task {
				Work::Update(round) => {
					let record = Self::in_phase(round, |p| matches!(p, Phase::Train { .. }))?;
					let vote = record.updates.vote(node).copied();
					(record, vote)
				},
				Work::Result(round) => {
					let record = Self::in_window(round, |w| matches!(w, Window::Commit { .. }))?;
					let vote = Self::seat(&record, node);
					(record, vote)
				},
			};
			match vote.ok_or(WorkRejection::NotAssigned)? {
				Vote::Pending => {},
				Vote::Committed(_) => return Err(WorkRejection::AlreadyCommitted),
				Vote::Revealed(_) => return Err(WorkRejection::AlreadyRevealed),
			}
			let payload = Payload::Commit {
				genesis: Self::genesis_hash(),
				task,
				node,
				commitment: *commitment,
			};
			Self::check_signature(node, &payload.bytes(), signature)?;
			Ok(record)
		}

		/// Checks that `node` may reveal `hash` with `salt` against its commitment `vote`.
		fn check_vote(
			task: Work,
			node: NodeId,
			vote: Option<swarm_primitives::commit_reveal::Vote<H256>>,
			hash: &H256,
			salt: &Salt,
			signature: &WorkerSignature,
		) -> Result<(), WorkRejection> {
			use swarm_primitives::commit_reveal::{commitment, Vote};
			match vote.ok_or(WorkRejection::NotAssigned)? {
				Vote::Pending => return Err(WorkRejection::NotCommitted),
				Vote::Revealed(_) => return Err(WorkRejection::AlreadyRevealed),
				Vote::Committed(committed) => ensure!(
					commitment::<polkadot_sdk::sp_runtime::traits::BlakeTwo256>(
						&task, node, hash, salt
					) == committed,
					WorkRejection::Mismatch
				),
			}
			let payload = Payload::Reveal {
				genesis: Self::genesis_hash(),
				task,
				node,
				hash: *hash,
				salt: *salt,
			};
			Self::check_signature(node, &payload.bytes(), signature)
		}

		/// Checks a participant's reveal; returns the round on success.
		pub(crate) fn check_reveal_update(
			round: RoundId,
			node: NodeId,
			salt: &Salt,
			signature: &WorkerSignature,
			update: &[u8],
		) -> Result<Round<T>, WorkRejection> {
			let record = Self::in_phase(round, |p| matches!(p, Phase::Upload { .. }))?;
			let hash = H256(polkadot_sdk::sp_io::hashing::blake2_256(update));
			let vote = record.updates.vote(node).copied();
			Self::check_vote(Work::Update(round), node, vote, &hash, salt, signature)?;
			ensure!(Self::fits(&record, update.len() as u64), WorkRejection::Malformed);
			Ok(record)
		}

		/// Whether a file of `size` bytes may be a round's update or result: not empty, no
		/// larger than the base weights (a layout the engine accepts has the base's size) or
		/// than a transaction may carry.
		fn fits(record: &Round<T>, size: u64) -> bool {
			size > 0 && size <= record.base_size && size <= u64::from(T::Content::max_tail_file())
		}

		/// Checks a committee member's reveal; returns the round on success.
		pub(crate) fn check_reveal_result(
			round: RoundId,
			node: NodeId,
			result: &RoundResult<T>,
			salt: &Salt,
			signature: &WorkerSignature,
		) -> Result<Round<T>, WorkRejection> {
			let record = Self::in_window(round, |w| matches!(w, Window::Reveal { .. }))?;
			let vote = Self::seat(&record, node);
			Self::check_vote(Work::Result(round), node, vote, &result.hash(), salt, signature)?;
			let revealed = Self::revealed(&record).count();
			ensure!(
				result.verdicts.len() == revealed &&
					result.weights.is_none_or(|w| Self::fits(&record, w.size)),
				WorkRejection::Malformed
			);
			Ok(record)
		}

		/// Checks an upload of the agreed weights; returns the round on success.
		pub(crate) fn check_upload_result(
			round: RoundId,
			node: NodeId,
			signature: &WorkerSignature,
			weights: &[u8],
		) -> Result<Round<T>, WorkRejection> {
			let record = Self::in_phase(round, |p| matches!(p, Phase::Publish { .. }))?;
			ensure!(record.agreed(node), WorkRejection::NotAgreed);
			let hash = H256(polkadot_sdk::sp_io::hashing::blake2_256(weights));
			let agreed = match record.phase {
				Phase::Publish { result, .. } => {
					Results::<T>::get(round, result).and_then(|r| r.weights)
				},
				_ => None,
			};
			ensure!(
				agreed.is_some_and(|w| w.hash == hash && w.size == weights.len() as u64),
				WorkRejection::NotAgreed
			);
			let payload = Payload::Store { genesis: Self::genesis_hash(), round, node, hash };
			Self::check_signature(node, &payload.bytes(), signature)?;
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

		/// The pool's view of a valid participant's or member's transaction: free, one per
		/// node and kind, live until its window's end.
		pub(crate) fn valid_work(
			kind: &[u8],
			round: RoundId,
			node: NodeId,
			until: Option<BlockNumberFor<T>>,
		) -> TransactionValidityWithRefund {
			let now = frame_system::Pallet::<T>::block_number();
			let left = until.unwrap_or(now).saturating_sub(now);
			let longevity = TryInto::<u64>::try_into(left).unwrap_or(u64::MAX).saturating_add(1);
			let valid = ValidTransaction::with_tag_prefix("swarm-training")
				.priority(WORK_PRIORITY)
				.and_provides((kind, round, node))
				.longevity(longevity)
				.propagate(true)
				.build()?;
			Ok((valid, Weight::zero()))
		}

		/// The participants that revealed an update, in the order they joined, with it.
		pub fn revealed(record: &Round<T>) -> impl Iterator<Item = (Participant, H256)> + '_ {
			use swarm_primitives::commit_reveal::Vote;
			record.participants.iter().filter_map(|p| match record.updates.vote(p.node) {
				Some(Vote::Revealed(hash)) => Some((*p, *hash)),
				_ => None,
			})
		}

		/// Closes joining: the participants train, or the round fails with too few.
		fn start_training(round: RoundId, record: &mut Round<T>) {
			let participants = record.participants.len() as u32;
			if participants < record.spec.min_participants {
				return Self::fail(round, record, FailReason::TooFewParticipants);
			}
			let until = frame_system::Pallet::<T>::block_number()
				.saturating_add(RoundTiming::<T>::get().train_window);
			record.phase = Phase::Train { until };
			Self::push(Queue::Train, round, until.saturating_add(One::one()));
			Self::deposit_event(Event::TrainingStarted { round, participants, until });
		}

		/// Closes the commits: the participants that committed reveal, or the round fails with
		/// too few.
		fn open_upload(round: RoundId, record: &mut Round<T>) {
			let committed =
				record.updates.seats().len().saturating_sub(record.updates.pending().count());
			if (committed as u32) < record.spec.min_participants {
				return Self::fail(round, record, FailReason::TooFewUpdates);
			}
			let until = frame_system::Pallet::<T>::block_number()
				.saturating_add(RoundTiming::<T>::get().upload_window);
			record.phase = Phase::Upload { until };
			Self::push(Queue::Upload, round, until.saturating_add(One::one()));
			Self::deposit_event(Event::UploadOpened { round, until });
		}

		/// Closes the uploads: a committee is chosen, or the round fails with too few updates or
		/// too few eligible nodes.
		fn close_upload(round: RoundId, record: &mut Round<T>) {
			let revealed = Self::revealed(record).count() as u32;
			if revealed < record.spec.min_participants {
				return Self::fail(round, record, FailReason::TooFewUpdates);
			}
			let seed =
				polkadot_sdk::sp_io::hashing::blake2_256(&(record.seed, b"committee").encode());
			let needs = Self::needs(record.base_size, revealed);
			let nodes = T::Nodes::choose(&seed, record.spec.committee, &[], &needs);
			let committee = match Ballot::new(nodes.iter().copied()) {
				Ok(committee) if nodes.len() as u32 == record.spec.committee => committee,
				_ => return Self::fail(round, record, FailReason::NotEnoughNodes),
			};
			record.committee = committee;
			for node in &nodes {
				Involvements::<T>::insert(node, round, ());
			}
			let until = frame_system::Pallet::<T>::block_number()
				.saturating_add(RoundTiming::<T>::get().commit_window);
			record.phase = Phase::Commit { until };
			Self::push(Queue::Commit, round, until.saturating_add(One::one()));
			Self::deposit_event(Event::CommitteeChosen { round, nodes, until });
		}

		/// Opens the reveal window of the committee's ballot: the round's, or its dispute's.
		fn open_reveal(round: RoundId, record: &mut Round<T>) {
			let until = frame_system::Pallet::<T>::block_number()
				.saturating_add(RoundTiming::<T>::get().reveal_window);
			match (&record.phase, record.dispute.as_mut()) {
				(Phase::Disputed { .. }, Some(dispute)) => {
					dispute.stage = DisputeStage::Reveal { until }
				},
				_ => record.phase = Phase::Reveal { until },
			}
			Self::push(Queue::Reveal, round, until.saturating_add(One::one()));
			Self::deposit_event(Event::ResultRevealOpened { round, until });
		}

		/// A quorum of the committee's ballot agreed on `result`: the round is decided, or its
		/// dispute resolves.
		fn agree(round: RoundId, record: &mut Round<T>, result: H256) {
			match record.phase {
				Phase::Disputed { .. } => Self::resolve(round, record, result),
				_ => Self::decide(round, record, result),
			}
		}

		/// The committee's ballot can no longer reach a quorum: the round fails, or its dispute
		/// escalates or ends unresolved.
		fn no_quorum(round: RoundId, record: &mut Round<T>) {
			match record.phase {
				Phase::Disputed { .. } => Self::escalate(round, record),
				_ => Self::fail(round, record, FailReason::NoQuorum),
			}
		}

		/// Keeps only the result `hash` of `round` (of every distinct one its committees
		/// revealed); returns it.
		fn keep_result(round: RoundId, hash: H256) -> Option<RoundResult<T>> {
			let kept = Results::<T>::take(round, hash);
			Self::clear_results(round);
			if let Some(result) = &kept {
				Results::<T>::insert(round, hash, result);
			}
			kept
		}

		/// Removes every result of `round`: at most a distinct one per seat of its committee and
		/// of its dispute committees.
		fn clear_results(round: RoundId) {
			let most = T::MaxCommittee::get().saturating_mul(MAX_DISPUTE_LEVEL.saturating_add(1));
			let _ = Results::<T>::clear_prefix(round, most, None);
		}

		/// Decides `round` on the agreed result `agreed` (the committee's, or the corrected one
		/// of a dispute that overturned it): records every seat's and every participant's
		/// outcome, whose effects come when the round closes ([`Pallet::apply_outcomes`]), then
		/// publishes the new weights, or ends the round without a version.
		pub(crate) fn decide(round: RoundId, record: &mut Round<T>, agreed: H256) {
			let Some(result) = Self::keep_result(round, agreed) else {
				// Every revealed result is kept until the decision: unreachable.
				log::error!(target: LOG_TARGET, "round {round}: the agreed result is not stored");
				return Self::fail(round, record, FailReason::NoQuorum);
			};
			let agreeing = Self::close_committee(round, record, Some(&agreed));
			Self::deposit_event(Event::RoundDecided { round, result: agreed, agreed: agreeing });
			Self::close_participants(round, record, &result);
			match result.weights {
				None => Self::end(round, record, agreed, End::NoResult),
				Some(weights)
					if weights
						.evaluation
						.accuracy
						.saturating_add(record.spec.tolerance.deconstruct()) <
						result.base.accuracy =>
				{
					Self::end(round, record, agreed, End::NotImproved)
				},
				Some(weights) => {
					if T::Content::stored_size(&weights.hash) == Some(weights.size) {
						Self::publish(round, record, agreed);
					} else {
						let until = frame_system::Pallet::<T>::block_number()
							.saturating_add(RoundTiming::<T>::get().publish_window);
						record.phase = Phase::Publish { until, result: agreed };
						Self::push(Queue::Publish, round, until.saturating_add(One::one()));
					}
				},
			}
		}

		/// Records each committee seat's outcome (`agreed`: the quorum's result, if any), in place
		/// of any recorded before; returns how many agreed.
		fn close_committee(round: RoundId, record: &mut Round<T>, agreed: Option<&H256>) -> u32 {
			let outcomes: Vec<(NodeId, Outcome)> = record.committee.outcomes(agreed).collect();
			record.committee_outcomes.clear();
			let mut agreeing = 0u32;
			for (node, outcome) in outcomes {
				if outcome == Outcome::Agreed {
					agreeing = agreeing.saturating_add(1);
				}
				// One outcome per seat: the committee's bound holds them all.
				let _ = record.committee_outcomes.try_push((node, outcome));
				Self::deposit_event(Event::CommitteeOutcome { round, node, outcome });
			}
			agreeing
		}

		/// Records each participant's outcome from the committee's verdicts.
		fn close_participants(round: RoundId, record: &mut Round<T>, result: &RoundResult<T>) {
			use swarm_primitives::commit_reveal::Vote;
			let mut verdicts = result.verdicts.iter();
			for participant in record.participants.iter_mut() {
				let outcome = match record.updates.vote(participant.node) {
					Some(Vote::Revealed(_)) => match verdicts.next() {
						Some(Verdict::Accepted) => Contribution::Accepted,
						Some(Verdict::Outlier) => Contribution::Outlier,
						Some(Verdict::Invalid(reason)) => Contribution::Invalid(*reason),
						Some(Verdict::Unused) | None => Contribution::Unused,
					},
					Some(Vote::Committed(_)) => Contribution::MissedReveal,
					_ => Contribution::MissedCommit,
				};
				participant.outcome = Some(outcome);
				let node = participant.node;
				Self::deposit_event(Event::ParticipantOutcome { round, node, outcome });
			}
		}

		/// Records the outcome of the participants that did not commit or reveal in time, when the
		/// round fails for lack of updates.
		fn close_missing(round: RoundId, record: &mut Round<T>) {
			use swarm_primitives::commit_reveal::Vote;
			for participant in record.participants.iter_mut() {
				let outcome = match record.updates.vote(participant.node) {
					Some(Vote::Pending) => Contribution::MissedCommit,
					Some(Vote::Committed(_)) if matches!(record.phase, Phase::Upload { .. }) => {
						Contribution::MissedReveal
					},
					_ => continue,
				};
				participant.outcome = Some(outcome);
				Self::deposit_event(Event::ParticipantOutcome {
					round,
					node: participant.node,
					outcome,
				});
			}
		}

		/// Applies the effects of every outcome recorded in `round`, once, when it closes (paid,
		/// or failed), so that a dispute can still change them before: reputation up for the
		/// accepted participants and the agreeing members, down for the others; a slash for an
		/// invalid update and an outvoted member. A member that a dispute convicted was
		/// punished for that already ([`Pallet::convict`]).
		fn apply_outcomes(round: RoundId, record: &Round<T>) {
			for participant in &record.participants {
				let node = participant.node;
				match participant.outcome {
					Some(Contribution::Accepted) => {
						T::Nodes::credit(node, WorkId::Round(round), T::ReputationGain::get())
					},
					Some(Contribution::Invalid(_)) => Self::punish(round, node, true),
					Some(
						Contribution::Outlier |
						Contribution::MissedCommit |
						Contribution::MissedReveal,
					) => Self::punish(round, node, false),
					Some(Contribution::Unused) | None => {},
				}
			}
			for (node, outcome) in &record.committee_outcomes {
				match outcome {
					Outcome::Agreed => {
						T::Nodes::credit(*node, WorkId::Committee(round), T::ReputationGain::get())
					},
					Outcome::Outvoted if Self::convicted(record, *node) => {},
					Outcome::Outvoted => Self::punish(round, *node, true),
					Outcome::Inconclusive => {},
					Outcome::MissedReveal | Outcome::MissedCommit => {
						T::Nodes::lower(*node, T::ReputationLoss::get())
					},
				}
			}
		}

		/// Whether a dispute of `round` overturned a result `node` revealed as a member of its
		/// committee.
		fn convicted(record: &Round<T>, node: NodeId) -> bool {
			use swarm_primitives::commit_reveal::Vote;
			record.dispute.as_ref().is_some_and(|dispute| {
				matches!(
					dispute.stage,
					DisputeStage::Resolved { verdict: DisputeVerdict::Overturned { .. }, .. }
				) && record.committee.vote(node) == Some(&Vote::Revealed(dispute.result))
			})
		}

		/// Lowers `node`'s reputation and, when `slash`, takes a share of its bond.
		fn punish(round: RoundId, node: NodeId, slash: bool) {
			T::Nodes::lower(node, T::ReputationLoss::get());
			if !slash {
				return;
			}
			match T::Nodes::slash(node, T::SlashShare::get()) {
				Ok(amount) => Self::deposit_event(Event::NodeSlashed { round, node, amount }),
				Err(error) => log::warn!(
					target: LOG_TARGET,
					"round {round}: slashing node {node} failed: {error:?}"
				),
			}
		}

		/// Publishes the agreed weights (stored by now) as a new version of the round's model,
		/// ends the round and opens its campaign's next one.
		pub(crate) fn publish(round: RoundId, record: &mut Round<T>, agreed: H256) {
			let Some(weights) = Results::<T>::get(round, agreed).and_then(|r| r.weights) else {
				return Self::fail(round, record, FailReason::NotPublished);
			};
			let contributors = record
				.participants
				.iter()
				.filter(|p| p.outcome == Some(Contribution::Accepted))
				.filter_map(|p| T::Nodes::owner_of(p.node))
				.collect();
			let evaluation = weights.evaluation;
			let new = NewVersion {
				model: record.model,
				base: record.spec.base,
				round,
				publisher: record.opener.clone(),
				weights_hash: weights.hash,
				weights_size: weights.size,
				metrics: alloc::vec![
					(
						metrics::ACCURACY.to_vec(),
						metrics::to_fixed(metrics::accuracy_from_ppb(evaluation.accuracy))
					),
					(
						metrics::LOSS.to_vec(),
						metrics::to_fixed(metrics::from_micro(evaluation.loss))
					),
				],
				contributors,
				replaces: Self::overturned_version(record),
			};
			let replaces = new.replaces;
			let version = match T::Models::publish(new) {
				Ok(version) => version,
				Err(error) => {
					log::warn!(target: LOG_TARGET, "round {round}: publishing failed: {error:?}");
					return Self::fail(round, record, FailReason::PublishRefused);
				},
			};
			Self::deposit_event(Event::VersionPublished { round, model: record.model, version });
			if let Some(old) = replaces {
				let corrected = Some(version);
				Self::deposit_event(Event::VersionOverturned { round, version: old, corrected });
			}
			// The campaign's share of the escrow moves on first: what stays is this round's. A
			// round decided again by a dispute moved it on (or gave it back) the first time.
			if record.dispute.is_none() {
				Self::continue_campaign(round, record, version);
			}
			Self::end(round, record, agreed, End::Published { version });
		}

		/// Opens the campaign's next round from `version`, handing it its share of the escrow;
		/// if it cannot open, the rest of the campaign's escrow goes back to the opener.
		fn continue_campaign(round: RoundId, record: &mut Round<T>, version: u64) {
			let remaining =
				record.spec.rounds.saturating_sub(record.campaign.index.saturating_add(1));
			if remaining == 0 {
				return;
			}
			// Every round of the campaign has the committee fee its first was opened with: the
			// escrow was held at that fee, whatever root has set since.
			let per_round = record.spec.budget.saturating_add(record.committee_fee);
			let reserve = per_round.saturating_mul(remaining.into());
			record.held = record.held.saturating_sub(reserve);
			let spec = RoundSpec { base: version, ..record.spec.clone() };
			match Self::prepare(&record.opener, &spec) {
				Ok(prepared) => {
					let campaign = Campaign {
						first: record.campaign.first,
						index: record.campaign.index.saturating_add(1),
					};
					let previous = Some(record.base_weights);
					let (opener, fee) = (record.opener.clone(), record.committee_fee);
					Self::open(opener, spec, campaign, reserve, fee, prepared, previous);
				},
				Err(error) => {
					log::warn!(target: LOG_TARGET, "round {round}: the campaign stops: {error:?}");
					let refunded = Self::release(&record.opener, reserve);
					Self::deposit_event(Event::CampaignStopped { round, refunded });
				},
			}
		}

		/// Ends a decided round: payments are made after the challenge window (what they do not
		/// take, such as the budget of a round without a version, goes back to the opener then),
		/// or at once when there is no window or a dispute decided the round again.
		fn end(round: RoundId, record: &mut Round<T>, result: H256, end: End) {
			// A corrected version marked the overturned one when it was published.
			if let (Some(old), End::NotImproved | End::NoResult) =
				(Self::overturned_version(record), end)
			{
				Self::mark_overturned(round, old, None);
			}
			let window = match record.dispute {
				Some(_) => Zero::zero(),
				None => RoundTiming::<T>::get().challenge_window,
			};
			let payout_at = frame_system::Pallet::<T>::block_number().saturating_add(window);
			Self::deposit_event(Event::RoundEnded { round, end, payout_at });
			if window.is_zero() {
				Self::payout(round, record, end, result);
			} else {
				record.phase = Phase::Settled { end, result, payout_at };
				Self::push(Queue::Payout, round, payout_at);
			}
		}

		/// Pays a decided round: the budget (if a version was published) to the accepted
		/// participants by their capped samples, the committee's fee to its agreeing members,
		/// both through the reward pot. What cannot be paid goes back to the opener.
		fn payout(round: RoundId, record: &mut Round<T>, end: End, result: H256) {
			Self::apply_outcomes(round, record);
			let committee_fee = record.committee_fee;
			if let End::Published { .. } = end {
				let shares: Vec<(NodeId, u32)> = record
					.participants
					.iter()
					.filter(|p| p.outcome == Some(Contribution::Accepted))
					.map(|p| (p.node, u32::try_from(p.samples).unwrap_or(u32::MAX)))
					.collect();
				let budget = record.spec.budget.min(record.held.saturating_sub(committee_fee));
				let paid = Self::pay(round, record, WorkId::Round(round), &shares, budget);
				Self::deposit_event(Event::ParticipantsPaid {
					round,
					amount: paid,
					nodes: shares.len() as u32,
				});
				Self::pay_emission(round, &shares);
			}
			let shares: Vec<(NodeId, u32)> = record
				.committee_outcomes
				.iter()
				.filter(|(_, outcome)| *outcome == Outcome::Agreed)
				.map(|(node, _)| (*node, 1))
				.collect();
			let paid = Self::pay(round, record, WorkId::Committee(round), &shares, committee_fee);
			Self::deposit_event(Event::CommitteePaid {
				round,
				amount: paid,
				nodes: shares.len() as u32,
			});
			let rest = record.held;
			if !rest.is_zero() {
				Self::release(&record.opener, rest);
				record.held = Zero::zero();
			}
			record.phase = Phase::Paid { end, result };
			Self::schedule_removal(round);
		}

		/// Pays the round's emission share from the pot between `shares` (nobody to pay: none).
		fn pay_emission(round: RoundId, shares: &[(NodeId, u32)]) {
			let amount = T::RoundEmission::get();
			if shares.is_empty() || amount.is_zero() {
				return;
			}
			let paid = frame_support::storage::with_storage_layer(|| {
				T::Rewards::pay(WorkId::Round(round), shares, amount)
			});
			match paid {
				Ok(amount) => Self::deposit_event(Event::EmissionPaid { round, amount }),
				Err(error) => {
					log::warn!(target: LOG_TARGET, "round {round}: the emission share: {error:?}");
					Self::deposit_event(Event::EmissionUnpaid { round, amount });
				},
			}
		}

		/// Pays `amount` of the round's escrow between `shares` through the pot; returns what
		/// was paid (nothing, and the amount stays held, when it fails or there is nobody to
		/// pay).
		fn pay(
			round: RoundId,
			record: &mut Round<T>,
			work: WorkId,
			shares: &[(NodeId, u32)],
			amount: BalanceOf<T>,
		) -> BalanceOf<T> {
			if shares.is_empty() || amount.is_zero() {
				return Zero::zero();
			}
			let reason: T::RuntimeHoldReason = HoldReason::RoundEscrow.into();
			let paid = frame_support::storage::with_storage_layer(|| {
				T::Currency::transfer_on_hold(
					&reason,
					&record.opener,
					&T::RewardPot::get(),
					amount,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Polite,
				)?;
				T::Rewards::pay(work, shares, amount)
			});
			match paid {
				Ok(paid) => {
					record.held = record.held.saturating_sub(amount);
					paid
				},
				Err(error) => {
					log::error!(target: LOG_TARGET, "round {round}: paying {work:?} failed: {error:?}");
					let refunded = Self::release(&record.opener, amount);
					record.held = record.held.saturating_sub(amount);
					Self::deposit_event(Event::PayoutFailed { round, refunded });
					Zero::zero()
				},
			}
		}

		/// Releases `amount` of `opener`'s escrow; returns what was released.
		fn release(opener: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
			if amount.is_zero() {
				return amount;
			}
			T::Currency::release(
				&HoldReason::RoundEscrow.into(),
				opener,
				amount,
				Precision::BestEffort,
			)
			.unwrap_or_else(|_| Zero::zero())
		}

		/// Ends `round` before it is decided (or, after a dispute overturned its result, before
		/// the corrected one is published): the opener gets everything it holds back, and the
		/// outcomes recorded so far take effect (the participants and members that did not act
		/// lose reputation).
		pub(crate) fn fail(round: RoundId, record: &mut Round<T>, reason: FailReason) {
			match record.phase {
				Phase::Train { .. } | Phase::Upload { .. } => Self::close_missing(round, record),
				// Not when the committee decided and the publication failed: its outcomes stand.
				Phase::Commit { .. } | Phase::Reveal { .. }
					if record.committee_outcomes.is_empty() =>
				{
					Self::close_committee(round, record, None);
				},
				_ => {},
			}
			Self::apply_outcomes(round, record);
			if let Some(old) = Self::overturned_version(record) {
				Self::mark_overturned(round, old, None);
			}
			let refunded = Self::release(&record.opener, record.held);
			record.held = Zero::zero();
			record.phase = Phase::Failed { reason };
			Self::deposit_event(Event::RoundFailed { round, reason, refunded });
			Self::schedule_removal(round);
		}

		/// Checks the terms of challenges: 1 to `MaxCommittee` seats, and a bond that covers
		/// their fee.
		pub(crate) fn check_terms(terms: &DisputeTerms<BalanceOf<T>>) -> DispatchResult {
			ensure!(
				terms.check(T::CommitteeFee::get(), T::MaxCommittee::get()),
				Error::<T>::BadDisputeTerms
			);
			Ok(())
		}

		/// Checks a worker's challenge on its owner's behalf; returns the owner, the result the
		/// node revealed, and the block from which the challenge window is closed.
		pub(crate) fn check_auto_challenge(
			round: RoundId,
			node: NodeId,
			signature: &WorkerSignature,
		) -> Result<(T::AccountId, H256, BlockNumberFor<T>), WorkRejection> {
			use swarm_primitives::commit_reveal::Vote;
			let record = Rounds::<T>::get(round).ok_or(WorkRejection::UnknownRound)?;
			let now = frame_system::Pallet::<T>::block_number();
			let (result, payout_at) = match record.phase {
				Phase::Settled { result, payout_at, .. } if now < payout_at => (result, payout_at),
				_ => return Err(WorkRejection::WrongPhase),
			};
			ensure!(AutoChallenge::<T>::contains_key(node), WorkRejection::NotOptedIn);
			let claimed = match record.committee.vote(node) {
				Some(Vote::Revealed(revealed)) if *revealed != result => *revealed,
				_ => return Err(WorkRejection::NotOutvoted),
			};
			let payload = Payload::Challenge { genesis: Self::genesis_hash(), round, node };
			Self::check_signature(node, &payload.bytes(), signature)?;
			let owner = T::Nodes::owner_of(node).ok_or(WorkRejection::NotOptedIn)?;
			Ok((owner, claimed, payout_at))
		}

		/// Opens the dispute of `round`'s settled result by `challenger` (see
		/// [`Pallet::challenge`]).
		fn open_dispute(
			round: RoundId,
			challenger: T::AccountId,
			claimed: Option<H256>,
		) -> DispatchResult {
			let mut record = Rounds::<T>::get(round).ok_or(Error::<T>::UnknownRound)?;
			let now = frame_system::Pallet::<T>::block_number();
			let (end, result) = match record.phase {
				Phase::Settled { end, result, payout_at } if now < payout_at => (end, result),
				Phase::Settled { .. } | Phase::Paid { .. } => {
					return Err(Error::<T>::ChallengeClosed.into())
				},
				Phase::Disputed { .. } => return Err(Error::<T>::AlreadyChallenged.into()),
				_ => return Err(Error::<T>::NotSettled.into()),
			};
			ensure!(claimed != Some(result), Error::<T>::SameResult);
			let agreed_owner = record
				.committee_outcomes
				.iter()
				.filter(|(_, outcome)| *outcome == Outcome::Agreed)
				.any(|(node, _)| T::Nodes::owner_of(*node).as_ref() == Some(&challenger));
			ensure!(!agreed_owner, Error::<T>::ChallengerAgreed);
			let terms = ChallengeTerms::<T>::get();
			let nodes = Self::choose_dispute_committee(round, &record, 1, terms.replicas);
			let ballot = match Ballot::new(nodes.iter().copied()) {
				Ok(ballot) if nodes.len() as u32 == terms.replicas => ballot,
				_ => return Err(Error::<T>::NotEnoughNodes.into()),
			};
			T::Currency::hold(&HoldReason::ChallengeBond.into(), &challenger, terms.bond)
				.map_err(|_| Error::<T>::InsufficientBond)?;

			let until = now.saturating_add(RoundTiming::<T>::get().commit_window);
			for node in &nodes {
				Involvements::<T>::insert(node, round, ());
			}
			record.dispute = Some(Dispute {
				challenger: challenger.clone(),
				bond: terms.bond,
				claimed,
				result,
				end,
				opened_at: now,
				level: 1,
				fee: T::CommitteeFee::get().saturating_mul(terms.replicas.into()),
				quorum: quorum(terms.replicas, T::Quorum::get()),
				ballot,
				stage: DisputeStage::Commit { until },
				outcomes: BoundedVec::new(),
			});
			record.phase = Phase::Disputed { end, result };
			Rounds::<T>::insert(round, record);
			Self::push(Queue::Commit, round, until.saturating_add(One::one()));
			Self::deposit_event(Event::Challenged {
				round,
				challenger,
				bond: terms.bond,
				claimed,
				nodes,
			});
			Ok(())
		}

		/// Chooses `count` eligible nodes for the dispute committee `level` of `round`: none of
		/// its participants, its committee's members, or an earlier dispute committee's members.
		fn choose_dispute_committee(
			round: RoundId,
			record: &Round<T>,
			level: u32,
			count: u32,
		) -> Vec<NodeId> {
			let mut exclude: Vec<NodeId> = Self::nodes_of(record).collect();
			exclude.sort_unstable();
			exclude.dedup();
			let parent = frame_system::Pallet::<T>::parent_hash();
			let seed = polkadot_sdk::sp_io::hashing::blake2_256(
				&(b"swarm/training/dispute", parent, round, level).encode(),
			);
			let needs = Self::needs(record.base_size, Self::revealed(record).count() as u32);
			T::Nodes::choose(&seed, count, &exclude, &needs)
		}

		/// The dispute committee of `round` agreed on `decided`: confirms the settled result
		/// (the round is paid at once), or overturns it (the round is decided again on
		/// `decided`, and paid at once).
		fn resolve(round: RoundId, record: &mut Round<T>, decided: H256) {
			let (Phase::Disputed { end, result }, Some(mut dispute)) =
				(record.phase.clone(), record.dispute.take())
			else {
				return;
			};
			let committee = Self::close_dispute_committee(round, &mut dispute, Some(&decided));
			let at = frame_system::Pallet::<T>::block_number();
			if decided == result {
				let verdict = DisputeVerdict::Confirmed;
				dispute.stage = DisputeStage::Resolved { verdict, at };
				let forfeited = forfeit_bond::<_, T::Currency>(
					&HoldReason::ChallengeBond.into(),
					&dispute.challenger,
					&T::RewardPot::get(),
					dispute.bond,
				);
				Self::deposit_event(Event::BondForfeited {
					round,
					challenger: dispute.challenger.clone(),
					bond: forfeited,
				});
				Self::pay_dispute_committee(round, &committee, dispute.fee);
				record.dispute = Some(dispute);
				Self::deposit_event(Event::DisputeResolved { round, verdict });
				Self::keep_result(round, result);
				return Self::payout(round, record, end, result);
			}

			let verdict = DisputeVerdict::Overturned { corrected: decided };
			dispute.stage = DisputeStage::Resolved { verdict, at };
			let slashed = Self::convict(round, record);
			Self::pay_dispute_committee(round, &committee, dispute.fee);
			let reward = reward_challenger::<_, T::Currency>(
				&T::RewardPot::get(),
				&dispute.challenger,
				T::ChallengerReward::get(),
				slashed,
			)
			.unwrap_or_else(|error| {
				log::error!(target: LOG_TARGET, "round {round}: rewarding the challenger failed: {error:?}");
				Zero::zero()
			});
			Self::return_bond(round, &dispute, reward);
			record.dispute = Some(dispute);
			Self::deposit_event(Event::DisputeResolved { round, verdict });
			Self::decide(round, record, decided);
		}

		/// After a dispute overturned `round`'s result: slashes ([`Config::FraudSlashShare`])
		/// and jails ([`Config::FraudJail`]) the committee members that agreed on it. Returns the
		/// amount slashed.
		fn convict(round: RoundId, record: &Round<T>) -> BalanceOf<T> {
			let mut slashed: BalanceOf<T> = Zero::zero();
			for (node, outcome) in &record.committee_outcomes {
				if *outcome != Outcome::Agreed {
					continue;
				}
				let node = *node;
				T::Nodes::lower(node, T::ReputationLoss::get());
				let amount =
					T::Nodes::slash(node, T::FraudSlashShare::get()).unwrap_or_else(|error| {
						log::warn!(target: LOG_TARGET, "round {round}: slashing node {node} failed: {error:?}");
						Zero::zero()
					});
				slashed = slashed.saturating_add(amount);
				let jailed_for = T::FraudJail::get();
				T::Nodes::jail(node, jailed_for);
				Self::deposit_event(Event::NodeConvicted {
					round,
					node,
					slashed: amount,
					jailed_for,
				});
			}
			slashed
		}

		/// Records the outcome of every seat of the dispute committee (`agreed`: its quorum's
		/// result) with its effects, at once: its work is final when the dispute resolves or
		/// escalates. Returns the agreeing seats.
		fn close_dispute_committee(
			round: RoundId,
			dispute: &mut Dispute<T>,
			agreed: Option<&H256>,
		) -> Vec<NodeId> {
			// `DisputeSeats` holds every committee of a dispute.
			dispute::close_committee(
				&dispute.ballot,
				agreed,
				&mut dispute.outcomes,
				|node, outcome| {
					match outcome {
						Outcome::Agreed => T::Nodes::credit(
							node,
							WorkId::RoundDispute(round),
							T::ReputationGain::get(),
						),
						Outcome::Outvoted => Self::punish(round, node, true),
						Outcome::Inconclusive => {},
						Outcome::MissedReveal | Outcome::MissedCommit => {
							T::Nodes::lower(node, T::ReputationLoss::get())
						},
					}
					Self::deposit_event(Event::DisputeOutcome { round, node, outcome });
				},
			)
		}

		/// Pays a dispute committee's `fee` from the reward pot to its agreeing seats.
		fn pay_dispute_committee(round: RoundId, committee: &[NodeId], fee: BalanceOf<T>) {
			let shares: Vec<(NodeId, u32)> = committee.iter().map(|node| (*node, 1)).collect();
			if shares.is_empty() {
				return;
			}
			match T::Rewards::pay(WorkId::RoundDispute(round), &shares, fee) {
				Ok(amount) => Self::deposit_event(Event::DisputeCommitteePaid {
					round,
					amount,
					nodes: shares.len() as u32,
				}),
				Err(error) => log::error!(
					target: LOG_TARGET,
					"round {round}: paying the dispute committee failed: {error:?}"
				),
			}
		}

		/// The dispute committee of `round` reached no quorum: a fresh committee, excluding
		/// every node that took part in the round or its dispute, re-runs the aggregation once;
		/// after that, or without enough eligible nodes, the dispute ends unresolved.
		fn escalate(round: RoundId, record: &mut Round<T>) {
			let Some(dispute) = record.dispute.as_mut() else { return };
			Self::close_dispute_committee(round, dispute, None);
			let (level, seats) = (dispute.level, dispute.ballot.seats().len() as u32);
			let next = dispute::next_committee(level, seats, |level| {
				Self::choose_dispute_committee(round, record, level, seats)
			});
			match (next, record.dispute.as_mut()) {
				(Some((level, nodes, ballot)), Some(dispute)) => {
					let until = frame_system::Pallet::<T>::block_number()
						.saturating_add(RoundTiming::<T>::get().commit_window);
					for node in &nodes {
						Involvements::<T>::insert(node, round, ());
					}
					dispute.level = level;
					dispute.ballot = ballot;
					dispute.stage = DisputeStage::Commit { until };
					Self::push(Queue::Commit, round, until.saturating_add(One::one()));
					Self::deposit_event(Event::DisputeEscalated { round, level, nodes });
				},
				_ => {
					if let Some(dispute) = record.dispute.take() {
						Self::unresolved(round, record, dispute);
					}
				},
			}
		}

		/// Releases the challenger's bond of `dispute`; `reward` (already paid) is for the event.
		fn return_bond(round: RoundId, dispute: &Dispute<T>, reward: BalanceOf<T>) {
			let bond = release_bond::<_, T::Currency>(
				&HoldReason::ChallengeBond.into(),
				&dispute.challenger,
				dispute.bond,
			);
			let challenger = dispute.challenger.clone();
			Self::deposit_event(Event::ChallengerPaid { round, challenger, bond, reward });
		}

		/// Ends `round`'s dispute without a verdict: the challenger gets its bond back and the
		/// opener its escrow; nobody is paid or slashed for the round (a version it published
		/// stays as it is), and it fails with [`FailReason::DisputeUnresolved`].
		fn unresolved(round: RoundId, record: &mut Round<T>, mut dispute: Dispute<T>) {
			let verdict = DisputeVerdict::Unresolved;
			dispute.stage =
				DisputeStage::Resolved { verdict, at: frame_system::Pallet::<T>::block_number() };
			Self::return_bond(round, &dispute, Zero::zero());
			Self::clear_results(round);
			record.dispute = Some(dispute);
			let refunded = Self::release(&record.opener, record.held);
			record.held = Zero::zero();
			let reason = FailReason::DisputeUnresolved;
			record.phase = Phase::Failed { reason };
			Self::deposit_event(Event::DisputeResolved { round, verdict });
			Self::deposit_event(Event::RoundFailed { round, reason, refunded });
			Self::schedule_removal(round);
		}

		/// The version `round` published, if a dispute overturned the result it came from.
		fn overturned_version(record: &Round<T>) -> Option<u64> {
			let dispute = record.dispute.as_ref()?;
			match (&dispute.stage, dispute.end) {
				(
					DisputeStage::Resolved { verdict: DisputeVerdict::Overturned { .. }, .. },
					End::Published { version },
				) => Some(version),
				_ => None,
			}
		}

		/// Marks `version`, which `round` published, overturned in the model registry, with the
		/// `corrected` version that replaces it, if one was published.
		fn mark_overturned(round: RoundId, version: u64, corrected: Option<u64>) {
			match T::Models::mark_overturned(version, round, corrected) {
				Ok(()) => {
					Self::deposit_event(Event::VersionOverturned { round, version, corrected })
				},
				Err(error) => log::error!(
					target: LOG_TARGET,
					"round {round}: marking version {version} overturned failed: {error:?}"
				),
			}
		}

		/// Acts on the deadlines due at `now`, at most `MaxExpiriesPerBlock`; returns the
		/// weight used. Deadlines of phases that ended early are dropped on the way, up to four
		/// times as many, each for a read and a write.
		pub(crate) fn expire(now: BlockNumberFor<T>) -> Weight {
			let max = T::MaxExpiriesPerBlock::get();
			let max_stale = max.saturating_mul(4);
			let (mut acted, mut stale) = (0u32, 0u32);
			for queue in Queue::ALL {
				let (mut head, _) = QueueEnds::<T>::get(queue);
				while acted < max && stale < max_stale {
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
					if Self::act(queue, item.round, item.at) {
						acted = acted.saturating_add(1);
					} else {
						stale = stale.saturating_add(1);
					}
				}
				QueueEnds::<T>::mutate(queue, |(first, _)| *first = head);
			}
			T::WeightInfo::on_initialize_idle()
				.saturating_add(Self::expiry_weight().saturating_mul(acted.into()))
				.saturating_add(T::DbWeight::get().reads_writes(3, 2).saturating_mul(stale.into()))
		}

		/// The most weight acting on one deadline takes.
		pub fn expiry_weight() -> Weight {
			let p = T::MaxParticipants::get();
			T::WeightInfo::end_phase()
				.max(T::WeightInfo::reveal_result(p))
				.max(T::WeightInfo::resolve_dispute(p))
				.max(T::WeightInfo::payout(p))
				.max(T::WeightInfo::remove_round(p))
				.saturating_add(Self::payments_weight())
		}

		/// The pot's payments when a round is paid: the participants' budget, the emission
		/// share and the committee's fee.
		pub fn payments_weight() -> Weight {
			T::Rewards::pay_weight(T::MaxParticipants::get()).saturating_mul(3)
		}

		/// Acts on one deadline of `queue` for `round`, due at `at`; a deadline the round has
		/// moved past is ignored. Returns whether it acted.
		fn act(queue: Queue, round: RoundId, at: BlockNumberFor<T>) -> bool {
			let Some(mut record) = Rounds::<T>::get(round) else { return false };
			let due = |until: BlockNumberFor<T>| until.saturating_add(One::one()) == at;
			match (queue, record.phase.clone()) {
				(Queue::Join, Phase::Join { until }) if due(until) => {
					Self::start_training(round, &mut record)
				},
				(Queue::Train, Phase::Train { until }) if due(until) => {
					Self::open_upload(round, &mut record)
				},
				(Queue::Upload, Phase::Upload { until }) if due(until) => {
					Self::close_upload(round, &mut record)
				},
				(Queue::Commit | Queue::Reveal, _) => {
					let Some((window, ballot)) = record.voting() else { return false };
					let tally = ballot.tally(record.voting_quorum(), false);
					match (queue, window) {
						(Queue::Commit, Window::Commit { until }) if due(until) => match tally {
							Tally::NoQuorum => Self::no_quorum(round, &mut record),
							_ => Self::open_reveal(round, &mut record),
						},
						(Queue::Reveal, Window::Reveal { until }) if due(until) => match tally {
							Tally::Agreed(result) => Self::agree(round, &mut record, result),
							_ => Self::no_quorum(round, &mut record),
						},
						_ => return false,
					}
				},
				(Queue::Publish, Phase::Publish { until, .. }) if due(until) => {
					Self::fail(round, &mut record, FailReason::NotPublished)
				},
				(Queue::Payout, Phase::Settled { end, result, payout_at }) if payout_at == at => {
					Self::payout(round, &mut record, end, result)
				},
				(Queue::Prune, phase) if phase.is_closed() => {
					Self::remove(round, &record);
					return true;
				},
				_ => return false,
			}
			Rounds::<T>::insert(round, record);
			true
		}

		/// Removes a closed round and everything kept for it.
		fn remove(round: RoundId, record: &Round<T>) {
			for node in Self::nodes_of(record) {
				Involvements::<T>::remove(node, round);
			}
			Self::clear_results(round);
			let _ = Updates::<T>::clear_prefix(round, T::MaxParticipants::get(), None);
			Rounds::<T>::remove(round);
			RoundCount::<T>::mutate(|count| *count = count.saturating_sub(1));
			Self::deposit_event(Event::RoundRemoved { round });
		}

		/// Every node that takes or took part in `record`: its participants, its committee's
		/// members, and its dispute committees' members.
		fn nodes_of(record: &Round<T>) -> impl Iterator<Item = NodeId> + '_ {
			let disputes = record.dispute.iter().flat_map(|dispute| {
				dispute.ballot.nodes().chain(dispute.outcomes.iter().map(|(node, _)| *node))
			});
			record.updates.nodes().chain(record.committee.nodes()).chain(disputes)
		}

		fn schedule_removal(round: RoundId) {
			let at = frame_system::Pallet::<T>::block_number()
				.saturating_add(RoundTiming::<T>::get().retention);
			Self::push(Queue::Prune, round, at);
		}

		/// Pushes `round` onto `queue`, due at block `at`.
		fn push(queue: Queue, round: RoundId, at: BlockNumberFor<T>) {
			QueueEnds::<T>::mutate(queue, |(_, tail)| {
				QueueItems::<T>::insert(queue, *tail, QueueItem { round, at });
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
			for (round, record) in Rounds::<T>::iter() {
				count = count.saturating_add(1);
				if matches!(record.phase, Phase::Paid { .. } | Phase::Failed { .. }) {
					ensure!(record.held.is_zero(), "a closed round still holds escrow");
				}
				let sum = held.entry(record.opener.clone()).or_insert_with(Zero::zero);
				*sum = sum.saturating_add(record.held);
				for node in Self::nodes_of(&record) {
					ensure!(
						Involvements::<T>::contains_key(node, round),
						"a participant or member has no involvement"
					);
				}
				match (&record.phase, &record.dispute) {
					(Phase::Disputed { .. }, Some(dispute)) => {
						ensure!(
							dispute.stage.window().is_some(),
							"a disputed round's dispute is resolved"
						);
						let sum =
							bonds.entry(dispute.challenger.clone()).or_insert_with(Zero::zero);
						*sum = sum.saturating_add(dispute.bond);
					},
					(Phase::Disputed { .. }, None) => {
						return Err("a disputed round has no dispute".into())
					},
					(_, Some(dispute)) => ensure!(
						dispute.stage.window().is_none(),
						"an open dispute of a round that is not disputed"
					),
					(_, None) => {},
				}
				ensure!(
					record.participants.len() == record.updates.seats().len(),
					"participants and update seats differ"
				);
				ensure!(round < NextRoundId::<T>::get(), "a round id was not handed out");
			}
			ensure!(count == RoundCount::<T>::get(), "RoundCount is not the number of rounds");
			ensure!(count <= T::MaxOpenRounds::get(), "more rounds than MaxOpenRounds");
			for (who, escrow) in held {
				let on_hold = T::Currency::balance_on_hold(&HoldReason::RoundEscrow.into(), &who);
				ensure!(on_hold == escrow, "an opener's escrow hold differs from its rounds'");
			}
			for (who, bond) in bonds {
				let on_hold = T::Currency::balance_on_hold(&HoldReason::ChallengeBond.into(), &who);
				ensure!(on_hold == bond, "a challenger's bond hold differs from its disputes'");
			}
			for (_, round) in Involvements::<T>::iter_keys() {
				ensure!(Rounds::<T>::contains_key(round), "an involvement outlived its round");
			}
			for queue in Queue::ALL {
				let (head, tail) = QueueEnds::<T>::get(queue);
				ensure!(head <= tail, "a queue's head is past its tail");
			}
			Ok(())
		}
	}
}

impl<T: Config> From<swarm_primitives::commit_reveal::BallotError> for Error<T> {
	fn from(error: swarm_primitives::commit_reveal::BallotError) -> Self {
		use swarm_primitives::commit_reveal::BallotError;
		match error {
			BallotError::NotAssigned => Error::NotAssigned,
			BallotError::AlreadyCommitted => Error::AlreadyCommitted,
			BallotError::NotCommitted => Error::NotCommitted,
			BallotError::AlreadyRevealed => Error::AlreadyRevealed,
			BallotError::CommitmentMismatch => Error::CommitmentMismatch,
			BallotError::DuplicateSeat => Error::AlreadyJoined,
			BallotError::TooManySeats => Error::RoundFull,
		}
	}
}

impl<T: Config> From<WorkRejection> for Error<T> {
	fn from(rejection: WorkRejection) -> Self {
		match rejection {
			WorkRejection::UnknownRound => Error::UnknownRound,
			WorkRejection::WrongPhase => Error::WrongPhase,
			WorkRejection::NotAssigned => Error::NotAssigned,
			WorkRejection::AlreadyCommitted => Error::AlreadyCommitted,
			WorkRejection::AlreadyRevealed => Error::AlreadyRevealed,
			WorkRejection::BadSignature => Error::BadSignature,
			WorkRejection::Mismatch => Error::CommitmentMismatch,
			WorkRejection::NotCommitted => Error::NotCommitted,
			WorkRejection::Malformed => Error::MalformedResult,
			WorkRejection::AlreadyJoined => Error::AlreadyJoined,
			WorkRejection::RoundFull => Error::RoundFull,
			WorkRejection::NotEligible => Error::NotEligible,
			WorkRejection::NoSamples => Error::NoSamples,
			WorkRejection::NotAgreed => Error::NotAgreed,
			WorkRejection::NotOptedIn => Error::NotOptedIn,
			WorkRejection::NotOutvoted => Error::NotOutvoted,
		}
	}
}
