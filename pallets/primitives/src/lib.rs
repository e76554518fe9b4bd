//! # Swarmchain primitives
//!
//! Small, `no_std` pieces shared by the runtime, the pallets and the node:
//!
//! - [`WORKER_KEY_TYPE`] and the [`worker`] key: the sr25519 key a compute node keeps in its
//!   keystore (`swarm-node key insert --key-type swrk --scheme sr25519 ...`) and signs its work
//!   with. It is distinct from the validator's `aura` and `gran` keys, so a node can do ML work
//!   without being a validator, and a validator can rotate one without touching the other.
//! - Glue traits through which pallets use each other without reading each other's storage:
//!   [`ContentInspector`] (weights store → model registry), [`NodeRegistry`], [`Reputation`] and
//!   [`BondSlasher`] (compute nodes → others), [`WorkRewards`] (rewards → others). Each has a `()`
//!   implementation that does nothing, for runtimes and tests without the other pallet.
//! - [`commit_reveal`]: commitments, ballots and quorum counting, shared by every kind of verified
//!   work.
//! - [`dispute`]: the stages, verdicts and terms of a challenge of settled work, shared by
//!   inference jobs and training rounds.
//! - [`model_config`]: the ML engine's model configurations as the runtime reads them.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod commit_reveal;
pub mod dispute;
pub mod model_config;

/// What every offchain worker that sends transactions shares.
pub mod offchain {
	/// How long, in milliseconds, an offchain worker with something to send waits before it
	/// sends it: the fork-aware transaction pool builds its view of the block the worker runs
	/// for meanwhile, and a transaction submitted while it does is checked against the previous
	/// block's view and can be lost (it then waits for its resend).
	pub const POOL_SETTLE_MS: u64 = 250;

	/// Waits [`POOL_SETTLE_MS`] (offchain workers only).
	pub fn let_the_pool_settle() {
		use polkadot_sdk::{sp_io::offchain, sp_runtime::offchain::Duration};
		offchain::sleep_until(offchain::timestamp().add(Duration::from_millis(POOL_SETTLE_MS)));
	}
}

use polkadot_sdk::sp_core::crypto::KeyTypeId;

/// The keystore key type of a compute node's worker key: `swrk`, sr25519.
pub const WORKER_KEY_TYPE: KeyTypeId = KeyTypeId(*b"swrk");

/// The worker key: sr25519 keys and signatures tagged with [`WORKER_KEY_TYPE`], so the keystore
/// and the runtime agree on which key signs a node's work.
pub mod worker {
	use polkadot_sdk::sp_application_crypto::{app_crypto, sr25519};

	app_crypto!(sr25519, super::WORKER_KEY_TYPE);
}

/// What the chain stores of a file, by content hash: used by pallets that reference files (the
/// model registry) without depending on the pallet that stores them (the weights store).
pub trait ContentInspector {
	/// The size in bytes of the file whose blake2-256 hash is `hash`, if the chain holds all of
	/// it.
	fn stored_size(hash: &polkadot_sdk::sp_core::H256) -> Option<u64>;

	/// Records a file of `size` bytes under `hash` as stored, for other pallets' benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_store(_hash: polkadot_sdk::sp_core::H256, _size: u64) {}
}

/// No files stored: for runtimes and tests without a weights store.
impl ContentInspector for () {
	fn stored_size(_hash: &polkadot_sdk::sp_core::H256) -> Option<u64> {
		None
	}
}

/// Storing files that a pallet's own transaction carries (a training round's updates and
/// results), for pallets that take them from compute nodes instead of from an uploader's
/// chunked upload.
pub trait ContentWriter<AccountId> {
	/// The largest file [`ContentWriter::store_tail`] takes, in bytes.
	fn max_tail_file() -> u32;

	/// Stores `data` as a whole file recorded as uploaded by `uploader`, without a deposit, and
	/// returns its blake2-256 hash (also when it was stored already). `data` must be the last
	/// bytes of the transaction being applied (the calling dispatchable's last argument): the
	/// node keeps those bytes as the file. Fails, changing nothing, when it is too large, empty
	/// or not the transaction's tail.
	fn store_tail(
		uploader: &AccountId,
		data: &[u8],
	) -> Result<polkadot_sdk::sp_core::H256, polkadot_sdk::sp_runtime::DispatchError>;
}

/// Stores nothing: for runtimes and tests without a weights store.
impl<AccountId> ContentWriter<AccountId> for () {
	fn max_tail_file() -> u32 {
		0
	}

	fn store_tail(
		_uploader: &AccountId,
		_data: &[u8],
	) -> Result<polkadot_sdk::sp_core::H256, polkadot_sdk::sp_runtime::DispatchError> {
		Err(polkadot_sdk::sp_runtime::DispatchError::Other("no weights store"))
	}
}

/// A version that a pallet (training rounds) publishes in the model registry through
/// [`ModelPublisher`]: the weights it produced from `base`, with the base's configuration.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NewVersion<AccountId> {
	/// The model the version belongs to.
	pub model: u64,
	/// The version it was trained from: its parent, by [`federated round`](NewVersion::round).
	pub base: u64,
	/// The round that produced it (recorded as the version's producer).
	pub round: u64,
	/// Who pays the version's deposit; must be allowed to derive from `base`.
	pub publisher: AccountId,
	/// The blake2-256 hash of the weights file.
	pub weights_hash: polkadot_sdk::sp_core::H256,
	/// The weights file's size in bytes.
	pub weights_size: u64,
	/// Metrics as `(name, value)`, nine-decimal fixed point (see [`metrics`]).
	pub metrics: alloc::vec::Vec<(alloc::vec::Vec<u8>, polkadot_sdk::sp_runtime::FixedI64)>,
	/// The accounts whose work went into it (the owners of a round's accepted participants).
	pub contributors: alloc::vec::Vec<AccountId>,
	/// The version the same round published before, which a dispute overturned and this one
	/// corrects: it is marked overturned (with this one as its correction), and its weights may
	/// be this one's (a result that lied only about its evaluation or verdicts).
	pub replaces: Option<u64>,
}

/// Publishing model versions, for pallets that produce them. The registry reads and updates
/// its own records (owner, name, counters); the caller gives only what is new.
pub trait ModelPublisher<AccountId> {
	/// Publishes `version`; returns its version id, or the registry's error (nothing changed).
	/// With [`NewVersion::replaces`], also marks that version overturned, in the same step.
	fn publish(
		version: NewVersion<AccountId>,
	) -> Result<u64, polkadot_sdk::sp_runtime::DispatchError>;
	/// Records that `version`, which round `round` published, was overturned by a dispute and,
	/// if one was published, replaced by `corrected`. The version itself stays as it was
	/// (versions are immutable); it is deprecated, and queries show the record.
	fn mark_overturned(
		version: u64,
		round: u64,
		corrected: Option<u64>,
	) -> Result<(), polkadot_sdk::sp_runtime::DispatchError>;
}

/// The one encoding of model metrics, used by the ML engine when it reports them and by the model
/// registry when it stores them: a metric is an `i64` with nine decimals, `round(x · 10⁹)`,
/// which is the inner value of the registry's `FixedI64`. Accuracy in parts per billion is
/// already that number; a loss is converted from the engine's micro-units.
pub mod metrics {
	/// The decimals of a metric value.
	pub const DECIMALS: u32 = 9;
	/// `10^DECIMALS`: the value of 1.0.
	pub const SCALE: i64 = 1_000_000_000;
	/// The name under which accuracy is recorded.
	pub const ACCURACY: &[u8] = b"accuracy";
	/// The name under which the mean loss is recorded.
	pub const LOSS: &[u8] = b"loss";

	/// Accuracy, given in parts per billion (exact: parts per billion are nine decimals).
	pub fn accuracy_from_ppb(ppb: u32) -> i64 {
		i64::from(ppb)
	}

	/// A value given in micro-units (six decimals), saturating at `i64::MAX`.
	pub fn from_micro(micro: u64) -> i64 {
		i64::try_from(micro.saturating_mul(1_000)).unwrap_or(i64::MAX)
	}

	/// A metric value as a `FixedI64` (the registry's type).
	pub fn to_fixed(value: i64) -> polkadot_sdk::sp_runtime::FixedI64 {
		polkadot_sdk::sp_runtime::FixedI64::from_inner(value)
	}

	/// A metric value as exact decimal text: `0.8812` for 881_200_000, `-1.5`, `2`; every digit
	/// kept, no trailing zeros, no rounding. The `models_*` RPC and model cards write it so.
	pub fn to_decimal(value: i64) -> alloc::string::String {
		let div = SCALE.unsigned_abs();
		let sign = if value < 0 { "-" } else { "" };
		let abs = value.unsigned_abs();
		let (whole, frac) = (abs.checked_div(div).unwrap_or(0), abs.checked_rem(div).unwrap_or(0));
		if frac == 0 {
			alloc::format!("{sign}{whole}")
		} else {
			let frac = alloc::format!("{frac:09}");
			alloc::format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
		}
	}
}

/// Identifies a compute node. Assigned in order of registration, from 0.
pub type NodeId = u64;

/// How many ids below the next one the runtime APIs that list the newest jobs or rounds look
/// at: their cost stays bounded however many the chain has seen, and stored items live far
/// fewer ids than this (they are removed after their retention period, oldest first).
pub const RECENT_SCAN: u64 = 4_096;

/// A balance for accounts that benchmarks fund: large enough for any deposit, bond or fee, and
/// small enough that a million accounts holding it do not overflow the total issuance (setting a
/// balance that would is refused, and the benchmark then measures a failing call).
#[cfg(feature = "runtime-benchmarks")]
pub fn benchmark_balance<Balance>() -> Balance
where
	Balance:
		polkadot_sdk::sp_runtime::traits::Bounded + core::ops::Div<Output = Balance> + From<u32>,
{
	Balance::max_value() / Balance::from(1u32 << 20)
}

/// Identifies a unit of work that rewards are paid for: each kind of work numbers its own.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum WorkId {
	/// Inference job `0` (its agreeing nodes).
	#[codec(index = 0)]
	Job(u64),
	/// Training round `0`: its accepted participants.
	#[codec(index = 1)]
	Round(u64),
	/// Training round `0`: its agreeing aggregation committee.
	#[codec(index = 2)]
	Committee(u64),
	/// Work paid by root with `pay_work` (its own numbering).
	#[codec(index = 3)]
	Other(u64),
	/// The re-execution of inference job `0` by a dispute committee (its agreeing seats).
	#[codec(index = 4)]
	Dispute(u64),
	/// The re-run of training round `0`'s aggregation by a dispute committee (its agreeing
	/// members).
	#[codec(index = 5)]
	RoundDispute(u64),
}

/// What other pallets may know of compute nodes.
pub trait NodeRegistry<AccountId> {
	/// The account that owns `node` and receives its rewards.
	fn owner_of(node: NodeId) -> Option<AccountId>;
	/// Whether `node` may take work now: registered, bonded, heartbeating, not jailed.
	fn is_eligible(node: NodeId) -> bool;
	/// Registers a node owned by `owner`, funding what it needs, for other pallets'
	/// benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_node(owner: &AccountId) -> NodeId;
}

impl<AccountId> NodeRegistry<AccountId> for () {
	fn owner_of(_node: NodeId) -> Option<AccountId> {
		None
	}
	fn is_eligible(_node: NodeId) -> bool {
		false
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_node(_owner: &AccountId) -> NodeId {
		0
	}
}

/// What a piece of work asks of the nodes that do it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct WorkNeeds {
	/// Memory the work takes, in MiB: a node must declare at least this much.
	pub memory_mib: u32,
}

/// Choosing compute nodes for work, and the keys their work is signed with.
pub trait WorkerDirectory {
	/// The worker key of `node`: it signs the node's commits and reveals.
	fn worker_key(node: NodeId) -> Option<worker::Public>;
	/// The node whose worker key is `key`, if one is registered (for offchain workers, which
	/// know their keys).
	fn node_of(key: &worker::Public) -> Option<NodeId>;
	/// Up to `count` distinct nodes that may take work now ([`NodeRegistry::is_eligible`]),
	/// declare the safetensors format and `needs`, and are not in `exclude`; chosen uniformly
	/// from the registered nodes by `seed`, with a bounded number of draws. Fewer than `count`
	/// when too few qualify.
	fn choose(
		seed: &[u8; 32],
		count: u32,
		exclude: &[NodeId],
		needs: &WorkNeeds,
	) -> alloc::vec::Vec<NodeId>;
}

impl WorkerDirectory for () {
	fn worker_key(_node: NodeId) -> Option<worker::Public> {
		None
	}
	fn node_of(_key: &worker::Public) -> Option<NodeId> {
		None
	}
	fn choose(
		_seed: &[u8; 32],
		_count: u32,
		_exclude: &[NodeId],
		_needs: &WorkNeeds,
	) -> alloc::vec::Vec<NodeId> {
		alloc::vec::Vec::new()
	}
}

/// A model version as the pallets that serve it see it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ServedVersion<AccountId> {
	/// The model it belongs to.
	pub model: u64,
	/// The model's owner, who sets its price and is paid it.
	pub owner: AccountId,
	/// The blake2-256 hash of its weights file.
	pub weights_hash: polkadot_sdk::sp_core::H256,
	/// The weights file's size in bytes.
	pub weights_size: u64,
	/// Its configuration bytes, when stored inline (see [`model_config`]).
	pub config: Option<alloc::vec::Vec<u8>>,
	/// Whether its owner deprecated it.
	pub deprecated: bool,
}

/// Looking up model versions, for pallets that run them (inference, training).
pub trait ModelCatalog<AccountId> {
	/// Version `version`, if it exists.
	fn served_version(version: u64) -> Option<ServedVersion<AccountId>>;
	/// The owner of model `model`, if it exists.
	fn model_owner(model: u64) -> Option<AccountId>;
	/// Publishes a version owned by `owner` with weights of `weights_size` bytes stored under
	/// `weights_hash` and inline configuration `config`, for other pallets' benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_version(
		owner: &AccountId,
		config: alloc::vec::Vec<u8>,
		weights_hash: polkadot_sdk::sp_core::H256,
		weights_size: u64,
	) -> u64;
}

/// Raising and lowering a node's reputation, and counting its verified work, for pallets that
/// verify its work.
pub trait Reputation {
	/// Counts `work` as done by `node` (work the chain verified: an agreeing seat, an accepted
	/// contribution) and moves `node`'s score towards 1 by `by` of the remaining distance.
	fn credit(node: NodeId, work: WorkId, by: polkadot_sdk::sp_runtime::Perbill);
	/// Takes back a [`Reputation::credit`] for `work` that a dispute overturned (the score is
	/// lowered apart, with [`Reputation::lower`]).
	fn revoke(node: NodeId, work: WorkId);
	/// Moves `node`'s score towards 0 by `by` of its value (rejected work).
	fn lower(node: NodeId, by: polkadot_sdk::sp_runtime::Perbill);
	/// Stops `node` from taking work for `blocks` blocks; its owner can unjail it afterwards.
	fn jail(node: NodeId, blocks: u32);
}

impl Reputation for () {
	fn credit(_node: NodeId, _work: WorkId, _by: polkadot_sdk::sp_runtime::Perbill) {}
	fn revoke(_node: NodeId, _work: WorkId) {}
	fn lower(_node: NodeId, _by: polkadot_sdk::sp_runtime::Perbill) {}
	fn jail(_node: NodeId, _blocks: u32) {}
}

/// Slashing a node's bond, for pallets that catch it cheating.
pub trait BondSlasher<Balance> {
	/// Takes `share` of `node`'s bond; returns the amount taken.
	fn slash(
		node: NodeId,
		share: polkadot_sdk::sp_runtime::Perbill,
	) -> Result<Balance, polkadot_sdk::sp_runtime::DispatchError>;
}

impl<Balance> BondSlasher<Balance> for () {
	fn slash(
		_node: NodeId,
		_share: polkadot_sdk::sp_runtime::Perbill,
	) -> Result<Balance, polkadot_sdk::sp_runtime::DispatchError> {
		Err(polkadot_sdk::sp_runtime::DispatchError::Other("no compute nodes to slash"))
	}
}

/// Paying nodes for verified work from the reward pot.
pub trait WorkRewards<Balance> {
	/// Pays `amount` from the pot for `work`, split between nodes in proportion to their
	/// weights; each share goes to the node's owner. Returns the amount paid (the remainder of
	/// the integer division stays in the pot). Fails, paying nothing, if the pot holds less, a
	/// node has two shares, or any share cannot be paid. Nodes are paid whatever their status
	/// (jailed nodes too): leave out of `shares` a node that should not be paid.
	fn pay(
		work: WorkId,
		shares: &[(NodeId, u32)],
		amount: Balance,
	) -> Result<Balance, polkadot_sdk::sp_runtime::DispatchError>;

	/// The most weight [`WorkRewards::pay`] uses for `shares` shares, for callers to account
	/// for it (a hook's weight, a call's).
	fn pay_weight(shares: u32) -> polkadot_sdk::sp_runtime::Weight;
}

impl<Balance> WorkRewards<Balance> for () {
	fn pay(
		_work: WorkId,
		_shares: &[(NodeId, u32)],
		_amount: Balance,
	) -> Result<Balance, polkadot_sdk::sp_runtime::DispatchError> {
		Err(polkadot_sdk::sp_runtime::DispatchError::Other("no reward pot"))
	}

	fn pay_weight(_shares: u32) -> polkadot_sdk::sp_runtime::Weight {
		polkadot_sdk::sp_runtime::Weight::zero()
	}
}
