//! # Swarmchain runtime
//!
//! The state transition function of Swarmchain: a solochain with Aura block production, GRANDPA
//! finality over an open validator set (`pallet-session` with our `pallet-validator-set`),
//! balances and fees, and the AI pallets (model registry, weights store, compute nodes, rewards,
//! inference jobs, training rounds).
//!
//! The runtime is `no_std` and compiles to wasm. It never does floating point and never links
//! candle: machine learning runs natively in the node (`offchain-workers/`), and only hashes,
//! integers and fixed-point numbers reach the chain.
//!
//! Layout, by concern:
//! - [`configs`]: one `impl pallet_x::Config for Runtime` per pallet, with the constants they use.
//! - [`apis`]: the runtime APIs the node and clients call.
//! - [`genesis_config_presets`]: the `development` and `local_testnet` genesis presets.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` and `impl_runtime_apis` need a larger recursion limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;

use alloc::vec::Vec;
use polkadot_sdk::{
	sp_runtime::{
		generic, impl_opaque_keys,
		traits::{BlakeTwo256, IdentifyAccount, Verify},
		MultiAddress, MultiSignature,
	},
	*,
};

use sp_version::{runtime_version, RuntimeVersion};

pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
pub use sp_runtime::{Perbill, Permill};

/// Opaque types: the node knows the block format without knowing the runtime's call enum.
pub mod opaque {
	use super::*;
	use sp_runtime::{
		generic,
		traits::{BlakeTwo256, Hash as HashT},
	};

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;

	impl_opaque_keys! {
		/// The session keys of a validator: its Aura (block production) and GRANDPA (finality)
		/// keys.
		pub struct SessionKeys {
			pub aura: super::Aura,
			pub grandpa: super::Grandpa,
		}
	}
}

/// The runtime's version. `spec_version` must be bumped for every runtime change that reaches a
/// live chain.
#[cfg(not(feature = "upgrade-test"))]
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("swarmchain"),
	impl_name: alloc::borrow::Cow::Borrowed("swarmchain"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// The same runtime one `spec_version` later: what the forkless-upgrade test sets as the chain's
/// code (built by `runtime/upgrade-test`, never by the node). Keep it equal to the version above
/// but for `spec_version`, which stays one more (`#[runtime_version]` takes literals only).
#[cfg(feature = "upgrade-test")]
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("swarmchain"),
	impl_name: alloc::borrow::Cow::Borrowed("swarmchain"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Time and blocks.
pub mod time {
	use super::BlockNumber;

	/// The target time between two blocks. Aura gives each slot to one validator in turn.
	pub const MILLI_SECS_PER_BLOCK: u64 = 3000;
	/// Aura's slot duration; equal to the block time.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

	/// Number of blocks in a minute, an hour and a day at the target block time.
	pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
	/// Number of blocks in an hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Number of blocks in a day.
	pub const DAYS: BlockNumber = HOURS * 24;
}

/// Units of the native token, SWARM, which has 12 decimals.
pub mod currency {
	use super::Balance;

	/// Number of decimals of the native token.
	pub const DECIMALS: u8 = 12;
	/// The token symbol shown by wallets.
	pub const TOKEN_SYMBOL: &str = "SWARM";
	/// One SWARM.
	pub const UNIT: Balance = 1_000_000_000_000;
	/// A thousandth of a SWARM.
	pub const MILLI_UNIT: Balance = 1_000_000_000;
	/// A millionth of a SWARM.
	pub const MICRO_UNIT: Balance = 1_000_000;
	/// The smallest balance an account may hold; below it the account is reaped.
	pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;
}

/// Alias to 512-bit hash when used in the context of a transaction signature on the chain.
pub type Signature = MultiSignature;

/// An account's identifier: the 32-byte public key of its signer.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// Balance of an account.
pub type Balance = u128;

/// Index of a transaction in the chain.
pub type Nonce = u32;

/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// An index to a block.
pub type BlockNumber = u32;

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;

/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// A Block signed with a Justification.
pub type SignedBlock = generic::SignedBlock<Block>;

/// BlockId type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, checked in this order for every extrinsic.
///
/// `AuthorizeCall` comes first so that calls with `#[pallet::authorize]` (feeless, unsigned
/// transactions from offchain workers) are validated before the signed-only checks.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// The storage migrations the runtime runs in the first block after an upgrade, in order, before
/// the pallets' own `on_runtime_upgrade` hooks (`frame_system::Config::SingleBlockMigrations`).
/// Each is versioned: it runs only while its pallet's on-chain storage version is the one it
/// migrates from, so one that has run is harmless here until it is removed (ARCHITECTURE.md,
/// "Upgrades and migrations").
type Migrations = (
	pallet_model_registry::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_compute_nodes::migrations::v1::MigrateV0ToV1<Runtime>,
);

/// Executive: handles dispatch to the various modules. (Its last parameter, the migrations, is
/// deprecated: they are `frame_system::Config::SingleBlockMigrations`.)
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
>;

// The pallets of the runtime, in the order their hooks run. Indices are part of the encoding of
// every call and event: never reuse or reorder them on a live chain.
#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type Utility = pallet_utility;

	#[runtime::pallet_index(8)]
	pub type Parameters = pallet_parameters;

	#[runtime::pallet_index(10)]
	pub type ModelRegistry = pallet_model_registry;

	#[runtime::pallet_index(11)]
	pub type WeightsStore = pallet_weights_store;

	#[runtime::pallet_index(12)]
	pub type ComputeNodes = pallet_compute_nodes;

	#[runtime::pallet_index(13)]
	pub type Rewards = pallet_rewards;

	#[runtime::pallet_index(14)]
	pub type Inference = pallet_inference;

	#[runtime::pallet_index(15)]
	pub type Training = pallet_training;

	// The validator set and the session rotation come last, so that in a block that starts a
	// new session every other pallet's hooks (the author's reward among them) still see the
	// validators that authored it.
	#[runtime::pallet_index(16)]
	pub type ValidatorSet = pallet_validator_set;

	#[runtime::pallet_index(17)]
	pub type Session = pallet_session;
}
