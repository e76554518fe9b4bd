//! The knobs root turns with a call instead of an upgrade: `pallet-parameters`' dynamic
//! parameters (`parameters.setParameter`, root only). Each is read where a pallet reads its
//! `Config` constant, so a new value applies from the next read; a job or round records its fees
//! and quorum when it opens, so a change never alters work in flight.
//!
//! Other knobs live in their pallets' storage, with root calls of their own: job and round
//! windows (`inference.setTiming`, `training.setTiming`), dispute bonds and committees
//! (`setDisputeTerms`), emission and the author's share (`rewards.setEmission`,
//! `setAuthorShare`), and the validator set's bond, size and sessions (`validatorSet.setTerms`).

use crate::{
	currency::{MICRO_UNIT, MILLI_UNIT, UNIT},
	time::{DAYS, MINUTES},
	Balance, BlockNumber, Runtime,
};
use polkadot_sdk::{
	frame_support::{
		dynamic_params::{dynamic_pallet_params, dynamic_params},
		traits::Get,
	},
	sp_runtime::Perbill,
	*,
};

#[dynamic_params(RuntimeParameters, pallet_parameters::Parameters::<Runtime>)]
pub mod dynamic_params {
	use super::*;

	/// Inference jobs.
	#[dynamic_pallet_params]
	#[codec(index = 0)]
	pub mod inference {
		/// What a request pays each seat: 0.01 SWARM.
		#[codec(index = 0)]
		pub static NodeFee: Balance = 10 * MILLI_UNIT;
		/// The seats of a request that names none (requests of another number are refused
		/// unless 1 to `MaxReplicas`).
		#[codec(index = 1)]
		pub static DefaultReplicas: u32 = 3;
		/// How long a node that missed `MaxMisses` seats in a row is jailed: an hour.
		#[codec(index = 2)]
		pub static MissJail: BlockNumber = 60 * MINUTES;
	}

	/// Federated training rounds.
	#[dynamic_pallet_params]
	#[codec(index = 1)]
	pub mod training {
		/// What an opener pays each committee member: 0.01 SWARM.
		#[codec(index = 0)]
		pub static CommitteeFee: Balance = 10 * MILLI_UNIT;
		/// What the pot adds to every round that publishes a version: two blocks' emission.
		#[codec(index = 1)]
		pub static RoundEmission: Balance = 2 * UNIT;
	}

	/// Verified work of both kinds: quorum, slashing, reputation and fraud.
	#[dynamic_pallet_params]
	#[codec(index = 2)]
	pub mod work {
		/// The share of seats (rounded up) that must reveal one result; read as at least a
		/// majority ([`Quorum`](super::super::Quorum)).
		#[codec(index = 0)]
		pub static Quorum: Perbill = Perbill::from_rational(2u32, 3u32);
		/// What an outvoted node (or a participant with an invalid update) loses of its bond.
		#[codec(index = 1)]
		pub static SlashShare: Perbill = Perbill::from_percent(10);
		/// What a node whose agreed result a dispute overturns loses of its bond.
		#[codec(index = 2)]
		pub static FraudSlashShare: Perbill = Perbill::from_percent(50);
		/// How long such a node is jailed: a day.
		#[codec(index = 3)]
		pub static FraudJail: BlockNumber = DAYS;
		/// The challenger's share of what the convicted nodes lost.
		#[codec(index = 4)]
		pub static ChallengerReward: Perbill = Perbill::from_percent(50);
		/// Reputation an agreeing node gains (a share of what it lacks).
		#[codec(index = 5)]
		pub static AgreedReputation: Perbill = Perbill::from_percent(2);
		/// Reputation an outvoted node loses.
		#[codec(index = 6)]
		pub static OutvotedReputation: Perbill = Perbill::from_percent(20);
		/// Reputation a node that misses its seat loses.
		#[codec(index = 7)]
		pub static MissedReputation: Perbill = Perbill::from_percent(5);
	}

	/// Compute nodes.
	#[dynamic_pallet_params]
	#[codec(index = 3)]
	pub mod compute_nodes {
		/// The smallest bond a node registers with, and stays eligible for work with: 100 SWARM.
		#[codec(index = 0)]
		pub static MinBond: Balance = 100 * UNIT;
		/// Blocks between deregistration and the withdrawal of the bond: a day.
		#[codec(index = 1)]
		pub static UnbondingPeriod: BlockNumber = DAYS;
		/// Blocks without a heartbeat after which a node is inactive: five minutes.
		#[codec(index = 2)]
		pub static HeartbeatTimeout: BlockNumber = 5 * MINUTES;
	}

	/// Transaction fees.
	#[dynamic_pallet_params]
	#[codec(index = 4)]
	pub mod fees {
		/// Fee per byte of an extrinsic: one micro-SWARM.
		#[codec(index = 0)]
		pub static TransactionByteFee: Balance = MICRO_UNIT;
	}
}

/// The value `pallet-parameters` benchmarks `set_parameter` with: one of the longest.
#[cfg(feature = "runtime-benchmarks")]
impl Default for RuntimeParameters {
	fn default() -> Self {
		RuntimeParameters::Inference(dynamic_params::inference::Parameters::NodeFee(
			dynamic_params::inference::NodeFee,
			Some(MILLI_UNIT),
		))
	}
}

/// Root sets every parameter.
impl pallet_parameters::Config for Runtime {
	type RuntimeEvent = crate::RuntimeEvent;
	type RuntimeParameters = RuntimeParameters;
	type AdminOrigin = frame_support::traits::AsEnsureOriginWithArg<
		frame_system::EnsureRoot<crate::AccountId>,
	>;
	// The SDK's benchmarked weights (its `SubstrateWeight` is private; `()` carries the same
	// figures, with RocksDB's costs, above ParityDb's).
	type WeightInfo = ();
}

/// The quorum of jobs and rounds: [`dynamic_params::work::Quorum`], read as at least a majority
/// (50 % and one part per billion), so that two results can never both reach it whatever value
/// is set.
pub struct Quorum;
impl Get<Perbill> for Quorum {
	fn get() -> Perbill {
		dynamic_params::work::Quorum::get().max(Perbill::from_parts(500_000_001))
	}
}
