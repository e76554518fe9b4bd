//! # Compute Nodes Pallet
//!
//! Persistent, bonded on-chain identities for the machines that do Swarmchain's ML work.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for calls, storage, events and errors, and [`Config`] for the
//! bond, timing and size parameters. Other pallets use nodes through the traits of
//! `swarm-primitives`: [`swarm_primitives::NodeRegistry`] (owner, eligibility),
//! [`swarm_primitives::Reputation`] (credit verified work, lower, jail) and
//! [`swarm_primitives::BondSlasher`]. Queries are in the `ComputeNodesApi` runtime API.
//!
//! ## Overview
//!
//! An account registers a **node**: the node's **worker key** (an sr25519 key of type `swrk` in
//! the node's own keystore), a signature by that key proving the node holds it, the node's
//! libp2p peer id, what it can do (cores, memory, accelerator, weights formats) and a **bond**
//! held from the account's balance, at least [`Config::MinBond`]. One account may register
//! several nodes.
//!
//! The node then proves it is alive: its offchain worker sends a **heartbeat** signed by the
//! worker key every [`Config::HeartbeatInterval`] blocks. Heartbeats are free, unsigned by any
//! account, and accepted at most once per [`Config::MinHeartbeatInterval`] blocks per node; each
//! must be signed after the block that recorded the node's previous one, so none is accepted
//! twice. They have the highest pool priority, so full blocks cannot starve them, and
//! `integrity_test` checks that all [`Config::MaxNodes`] nodes heartbeating as fast as allowed fit
//! in [`Config::MaxHeartbeatShare`] of a block. A
//! node that misses heartbeats for [`Config::HeartbeatTimeout`] blocks becomes inactive; its
//! next heartbeat makes it active again.
//!
//! Each node has a **reputation** between 0 and 1 (new nodes start at one half) that the pallets
//! verifying its work raise or lower, and can be **jailed** by them or by root; after the jail
//! time the owner unjails it. The same pallets credit it with each piece of work they verify:
//! its [`WorkDone`] counts the jobs, rounds and committees it did.
//!
//! The owner can **rotate** the worker key at any time, with a proof from the new key: a node
//! whose key was lost keeps its identity, reputation and history. The owner **deregisters** a
//! node to stop it; the bond can be withdrawn [`Config::UnbondingPeriod`] blocks later.
//!
//! ## Low Level / Implementation Details
//!
//! ### Proof of the worker key
//!
//! The worker key signs the SCALE encoding of
//! `(b"swarm/node-key", genesis_hash, owner, nonce, worker_key)`
//! ([`Pallet::key_proof_payload`], also a runtime API). The genesis hash ties the proof to this
//! chain, the owner to this account, and `nonce` ([`KeyNonce`], bumped by every registration and
//! rotation of the owner) to this one use: a proof cannot be replayed.
//!
//! ### Heartbeats
//!
//! A heartbeat is a general transaction authorized by the pallet (`#[pallet::authorize]`) rather
//! than signed by an account: no fee, no nonce. The worker key signs
//! `(b"swarm/heartbeat", genesis_hash, heartbeat)`. The pool refuses heartbeats that are
//! forged, too frequent or stale, with an [`HeartbeatRejection`] code, so they cost a spammer
//! nothing and the chain nothing. Nodes that stop heartbeating are swept to `Inactive` in
//! `on_idle`, a bounded number per block; queries compute the status without waiting for the
//! sweep.
//!
//! ### Bonds and slashing
//!
//! The bond is a hold on the owner's balance ([`HoldReason::NodeBond`]). A slash takes a share of
//! it and hands the funds to [`Config::OnSlash`] (the runtime sends them to the reward pot). A
//! node whose bond falls below `MinBond` is not eligible for work until topped up with
//! [`Pallet::bond_extra`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod impls;
pub mod migrations;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod mock;
pub mod offchain;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod testing_utils;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod tests;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{self, traits::fungible::Inspect},
	frame_system,
};

/// The logging target of this pallet.
pub const LOG_TARGET: &str = "runtime::compute-nodes";

/// The pool priority of heartbeats: the highest there is, as polkadot-sdk's `im-online` gave its
/// heartbeats. A node whose heartbeats wait behind fee-paying transactions goes inactive while
/// blocks are full, so anyone able to keep blocks full for `HeartbeatTimeout` blocks would take
/// every compute node offline (the load benchmark showed it: 0 of 41 heartbeats included in 10
/// minutes of full blocks). Going first costs other transactions little: only registered nodes'
/// workers can send them, at most one per node per `MinHeartbeatInterval`, and `integrity_test`
/// checks that all of them together fit `MaxHeartbeatShare` of a block.
pub const HEARTBEAT_PRIORITY: polkadot_sdk::sp_runtime::transaction_validity::TransactionPriority =
	polkadot_sdk::sp_runtime::transaction_validity::TransactionPriority::MAX;

/// The balance type of the currency that holds bonds.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// Capabilities as a caller gives them: unbounded, checked by the pallet.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	scale_info::TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
)]
pub struct CapabilitiesInput {
	/// CPU cores available for work.
	pub cores: u32,
	/// Memory available for work, in MiB.
	pub memory_mib: u32,
	/// The accelerator, if any, as free text.
	pub accelerator: Option<Vec<u8>>,
	/// The weights formats it can load.
	pub formats: Vec<ModelFormat>,
}

// FRAME's macros expand to `expect`s carrying their proofs (e.g. the size of an encoded error);
// the code written in this module uses none.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{hold::Balanced as BalancedHold, Credit, Mutate, MutateHold},
			tokens::Precision,
			OnUnbalanced,
		},
	};
	use frame_system::pallet_prelude::*;
	use polkadot_sdk::sp_runtime::{
		traits::{Saturating, Zero},
		Perbill,
	};

	/// Version 1 added each node's count of work done ([`migrations::v1`]). A new chain starts
	/// at it; a chain at 0 reaches it with [`migrations::v1::MigrateV0ToV1`].
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the compute-nodes pallet.
	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>>
		+ polkadot_sdk::frame_system::offchain::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The currency that holds bonds.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>
			+ Mutate<Self::AccountId>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// Where slashed bonds go (the runtime: the reward pot).
		type OnSlash: OnUnbalanced<Credit<Self::AccountId, Self::Currency>>;

		/// The smallest bond a node may have, in the currency's smallest unit.
		#[pallet::constant]
		type MinBond: Get<BalanceOf<Self>>;

		/// Blocks between the heartbeats a node's worker sends.
		#[pallet::constant]
		type HeartbeatInterval: Get<BlockNumberFor<Self>>;

		/// The fewest blocks between two accepted heartbeats of a node (the rate limit).
		#[pallet::constant]
		type MinHeartbeatInterval: Get<BlockNumberFor<Self>>;

		/// How many blocks a signed heartbeat stays valid.
		#[pallet::constant]
		type HeartbeatValidity: Get<BlockNumberFor<Self>>;

		/// Blocks without a heartbeat after which a node is inactive.
		#[pallet::constant]
		type HeartbeatTimeout: Get<BlockNumberFor<Self>>;

		/// Blocks between deregistration and the withdrawal of the bond.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;

		/// The most nodes one account may own.
		#[pallet::constant]
		type MaxNodesPerOwner: Get<u32>;

		/// The most nodes the chain tracks (bounds queries and the sweep).
		#[pallet::constant]
		type MaxNodes: Get<u32>;

		/// The longest peer id, in bytes.
		#[pallet::constant]
		type MaxPeerIdLen: Get<u32>;

		/// The longest accelerator description, in bytes.
		#[pallet::constant]
		type MaxAcceleratorLen: Get<u32>;

		/// The most weights formats a node may declare.
		#[pallet::constant]
		type MaxFormats: Get<u32>;

		/// The most nodes `on_idle` checks for missed heartbeats in one block.
		#[pallet::constant]
		type MaxSweepPerBlock: Get<u32>;

		/// The largest share of a block's normal weight that heartbeats may take in the worst
		/// case: every one of `MaxNodes` nodes heartbeating as often as `MinHeartbeatInterval`
		/// allows. `integrity_test` refuses a runtime whose constants break it.
		#[pallet::constant]
		type MaxHeartbeatShare: Get<Perbill>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A compute node's bond.
		#[codec(index = 0)]
		NodeBond,
	}

	/// The id the next registered node gets.
	#[pallet::storage]
	pub type NextNodeId<T> = StorageValue<_, NodeId, ValueQuery>;

	/// How many nodes are registered (including unbonding ones).
	#[pallet::storage]
	pub type NodeCount<T> = StorageValue<_, u32, ValueQuery>;

	/// Every registered node, by id.
	// Hasher: Twox64Concat is safe, ids are assigned by the pallet in sequence.
	#[pallet::storage]
	pub type Nodes<T: Config> = StorageMap<_, Twox64Concat, NodeId, NodeInfo<T>>;

	/// The node each worker key belongs to.
	// Hasher: Blake2_128Concat, keys are chosen by users.
	#[pallet::storage]
	pub type NodeByKey<T: Config> = StorageMap<_, Blake2_128Concat, WorkerKey, NodeId>;

	/// The nodes of each owner.
	// Hasher: Blake2_128Concat for the account, Twox64Concat for the pallet-assigned id.
	#[pallet::storage]
	pub type NodesByOwner<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, NodeId, ()>;

	/// How many nodes each owner has.
	// Hasher: Blake2_128Concat, accounts are chosen by users.
	#[pallet::storage]
	pub type OwnerNodeCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The nonce each account's next key proof must sign; bumped by each registration and
	/// rotation, so that a proof works once.
	// Hasher: Blake2_128Concat, accounts are chosen by users.
	#[pallet::storage]
	pub type KeyNonce<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The id the inactivity sweep checks next.
	/// The nodes work may be given to: every registered node that is not unbonding (whether
	/// it is eligible now is checked when it is drawn). At most `MaxNodes`.
	#[pallet::storage]
	pub type Candidates<T: Config> = StorageValue<_, BoundedVec<NodeId, T::MaxNodes>, ValueQuery>;

	#[pallet::storage]
	pub type SweepCursor<T> = StorageValue<_, NodeId, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A node was registered and its bond held.
		NodeRegistered {
			node: NodeId,
			owner: T::AccountId,
			worker_key: WorkerKey,
			bond: BalanceOf<T>,
		},
		/// A node's heartbeat was accepted.
		HeartbeatReceived { node: NodeId },
		/// A node missed heartbeats for `HeartbeatTimeout` blocks and is inactive.
		NodeInactive { node: NodeId },
		/// An inactive node heartbeated and is active again.
		NodeReactivated { node: NodeId },
		/// A node's worker key was replaced.
		WorkerKeyRotated { node: NodeId, old_key: WorkerKey, new_key: WorkerKey },
		/// A node's peer id or capabilities changed.
		NodeUpdated { node: NodeId },
		/// A node's bond grew.
		BondIncreased { node: NodeId, bond: BalanceOf<T> },
		/// A node's reputation changed.
		ReputationChanged { node: NodeId, reputation: Perbill },
		/// A node was jailed until the given block.
		NodeJailed { node: NodeId, until: BlockNumberFor<T> },
		/// A node was released from jail by its owner.
		NodeUnjailed { node: NodeId },
		/// A share of a node's bond was slashed.
		NodeSlashed { node: NodeId, amount: BalanceOf<T> },
		/// A node was deregistered; its bond unlocks at the given block.
		NodeDeregistered { node: NodeId, unbonds_at: BlockNumberFor<T> },
		/// A node's bond was returned to its owner and the node removed.
		BondWithdrawn { node: NodeId, owner: T::AccountId, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No node has this id.
		UnknownNode,
		/// Only the node's owner may do this.
		NotNodeOwner,
		/// The proof is not a signature by the worker key over this chain's registration payload
		/// for this account and its current key nonce (see `key_proof_payload`).
		BadProof,
		/// The proof was valid once, for an earlier registration or rotation: sign a new one.
		ProofReplayed,
		/// Another node already uses this worker key.
		DuplicateWorkerKey,
		/// The bond is below `MinBond`.
		BondTooLow,
		/// The account cannot afford the bond.
		InsufficientBalance,
		/// The account owns `MaxNodesPerOwner` nodes already.
		TooManyNodes,
		/// The chain tracks `MaxNodes` nodes already.
		NodeLimitReached,
		/// The peer id is empty or longer than `MaxPeerIdLen` bytes.
		BadPeerId,
		/// The accelerator description is longer than `MaxAcceleratorLen` bytes.
		AcceleratorTooLong,
		/// More weights formats than `MaxFormats`, or one twice.
		BadFormats,
		/// The heartbeat's signature is not the node's worker key's.
		BadHeartbeatSignature,
		/// The node sent a heartbeat less than `MinHeartbeatInterval` blocks ago.
		HeartbeatTooSoon,
		/// The heartbeat is older than `HeartbeatValidity` blocks, or from the future.
		StaleHeartbeat,
		/// The heartbeat was signed at or before the node's last accepted heartbeat: a replay.
		HeartbeatReplayed,
		/// The node is unbonding: it takes no work and cannot be changed.
		NodeUnbonding,
		/// The node is not unbonding: deregister it first.
		NotUnbonding,
		/// The unbonding period has not ended.
		StillUnbonding,
		/// The node is not jailed.
		NotJailed,
		/// The node's jail time has not ended.
		StillJailed,
		/// An update must change something.
		NothingToUpdate,
		/// The extra bond must be positive.
		ZeroAmount,
		/// An id counter is exhausted.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::sweep(now, remaining)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			offchain::send_heartbeats::<T>(now);
		}

		fn integrity_test() {
			assert!(!T::MinBond::get().is_zero(), "MinBond must be positive");
			assert!(
				T::MinHeartbeatInterval::get() <= T::HeartbeatInterval::get(),
				"the rate limit must let the regular heartbeats through"
			);
			assert!(
				T::HeartbeatInterval::get() < T::HeartbeatTimeout::get(),
				"a node must be able to heartbeat before it times out"
			);
			assert!(T::MaxSweepPerBlock::get() > 0, "the sweep must make progress");
			let (worst, limit) = Self::heartbeat_load();
			assert!(
				worst.all_lte(limit),
				"MaxNodes heartbeating every MinHeartbeatInterval blocks take {worst} per block, \
				 more than MaxHeartbeatShare of the normal class ({limit})"
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
		/// Registers a compute node owned by the caller, holding `bond` from its balance.
		///
		/// ## Dispatch Origin
		/// Signed: the owner.
		///
		/// ## Details
		/// `proof` is the worker key's signature over [`Pallet::key_proof_payload`] for the
		/// caller and `worker_key`. `peer_id` is the node's libp2p peer id as bytes.
		///
		/// ## Errors
		/// - [`Error::BadProof`], [`Error::ProofReplayed`], [`Error::DuplicateWorkerKey`]
		/// - [`Error::BondTooLow`], [`Error::InsufficientBalance`]
		/// - [`Error::BadPeerId`], [`Error::AcceleratorTooLong`], [`Error::BadFormats`]
		/// - [`Error::TooManyNodes`], [`Error::NodeLimitReached`], [`Error::Overflow`]
		///
		/// ## Events
		/// - [`Event::NodeRegistered`]
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_node().max(T::WeightInfo::reject_key_proof()))]
		pub fn register_node(
			origin: OriginFor<T>,
			worker_key: WorkerKey,
			proof: WorkerSignature,
			peer_id: Vec<u8>,
			capabilities: CapabilitiesInput,
			bond: BalanceOf<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			ensure!(!NodeByKey::<T>::contains_key(&worker_key), Error::<T>::DuplicateWorkerKey);
			Self::check_key_proof(&owner, &worker_key, &proof)?;
			ensure!(bond >= T::MinBond::get(), Error::<T>::BondTooLow);
			let peer_id = Self::check_peer_id(peer_id)?;
			let capabilities = Self::check_capabilities(capabilities)?;
			let owned = OwnerNodeCount::<T>::get(&owner);
			ensure!(owned < T::MaxNodesPerOwner::get(), Error::<T>::TooManyNodes);
			ensure!(NodeCount::<T>::get() < T::MaxNodes::get(), Error::<T>::NodeLimitReached);
			let id = NextNodeId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;

			T::Currency::hold(&HoldReason::NodeBond.into(), &owner, bond)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			let now = frame_system::Pallet::<T>::block_number();
			Nodes::<T>::insert(
				id,
				NodeInfo {
					owner: owner.clone(),
					worker_key: worker_key.clone(),
					peer_id,
					capabilities,
					bond,
					registered_at: now,
					last_heartbeat: now,
					status: NodeStatus::Active,
					reputation: Perbill::from_percent(50),
					work_done: WorkDone::default(),
				},
			);
			Candidates::<T>::try_mutate(|candidates| candidates.try_push(id))
				.map_err(|_| Error::<T>::NodeLimitReached)?;
			NodeByKey::<T>::insert(&worker_key, id);
			NodesByOwner::<T>::insert(&owner, id, ());
			OwnerNodeCount::<T>::insert(&owner, owned.saturating_add(1));
			NodeCount::<T>::mutate(|count| *count = count.saturating_add(1));
			KeyNonce::<T>::mutate(&owner, |nonce| *nonce = nonce.wrapping_add(1));
			NextNodeId::<T>::put(next);
			Self::deposit_event(Event::NodeRegistered { node: id, owner, worker_key, bond });
			Ok(())
		}

		/// Records that `heartbeat.node` is alive.
		///
		/// ## Dispatch Origin
		/// Authorized: a general transaction, without an account or fee, that the pallet
		/// accepts when `signature` is the node's worker key's over the heartbeat (see the
		/// crate docs). The node's offchain worker sends it.
		///
		/// ## Errors
		/// - [`Error::UnknownNode`], [`Error::NodeUnbonding`], [`Error::BadHeartbeatSignature`],
		///   [`Error::HeartbeatTooSoon`], [`Error::StaleHeartbeat`], [`Error::HeartbeatReplayed`]
		///
		/// ## Events
		/// - [`Event::HeartbeatReceived`]; [`Event::NodeReactivated`] if it was inactive
		#[pallet::call_index(1)]
		#[pallet::authorize(|_source, heartbeat, signature| Pallet::<T>::authorize_heartbeat(heartbeat, signature))]
		pub fn heartbeat(
			origin: OriginFor<T>,
			heartbeat: Heartbeat<BlockNumberFor<T>>,
			signature: WorkerSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let mut node =
				Self::check_heartbeat(&heartbeat, &signature).map_err(
					|rejection| match rejection {
						HeartbeatRejection::UnknownNode => Error::<T>::UnknownNode,
						HeartbeatRejection::BadSignature => Error::<T>::BadHeartbeatSignature,
						HeartbeatRejection::TooSoon => Error::<T>::HeartbeatTooSoon,
						HeartbeatRejection::Stale => Error::<T>::StaleHeartbeat,
						HeartbeatRejection::Unbonding => Error::<T>::NodeUnbonding,
						HeartbeatRejection::Replayed => Error::<T>::HeartbeatReplayed,
					},
				)?;
			node.last_heartbeat = frame_system::Pallet::<T>::block_number();
			let reactivated = node.status == NodeStatus::Inactive;
			if reactivated {
				node.status = NodeStatus::Active;
			}
			Nodes::<T>::insert(heartbeat.node, node);
			Self::deposit_event(Event::HeartbeatReceived { node: heartbeat.node });
			if reactivated {
				Self::deposit_event(Event::NodeReactivated { node: heartbeat.node });
			}
			Ok(())
		}

		/// Replaces the worker key of `node`, keeping its identity, bond and reputation.
		///
		/// ## Dispatch Origin
		/// Signed by the node's owner; works when the old key is lost.
		///
		/// ## Details
		/// `proof` is the new key's signature over [`Pallet::key_proof_payload`] for the owner
		/// and `new_key`.
		///
		/// ## Errors
		/// - [`Error::UnknownNode`], [`Error::NotNodeOwner`], [`Error::NodeUnbonding`]
		/// - [`Error::DuplicateWorkerKey`], [`Error::BadProof`], [`Error::ProofReplayed`]
		///
		/// ## Events
		/// - [`Event::WorkerKeyRotated`]
		#[pallet::call_index(2)]
		#[pallet::weight(
			T::WeightInfo::rotate_worker_key().max(T::WeightInfo::reject_key_proof())
		)]
		pub fn rotate_worker_key(
			origin: OriginFor<T>,
			node: NodeId,
			new_key: WorkerKey,
			proof: WorkerSignature,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let mut info = Self::owned_node(&owner, node)?;
			ensure!(!NodeByKey::<T>::contains_key(&new_key), Error::<T>::DuplicateWorkerKey);
			Self::check_key_proof(&owner, &new_key, &proof)?;
			let old_key = core::mem::replace(&mut info.worker_key, new_key.clone());
			NodeByKey::<T>::remove(&old_key);
			NodeByKey::<T>::insert(&new_key, node);
			Nodes::<T>::insert(node, info);
			KeyNonce::<T>::mutate(&owner, |nonce| *nonce = nonce.wrapping_add(1));
			Self::deposit_event(Event::WorkerKeyRotated { node, old_key, new_key });
			Ok(())
		}

		/// Changes the peer id and/or the capabilities of `node`.
		///
		/// ## Dispatch Origin
		/// Signed by the node's owner.
		///
		/// ## Errors
		/// - [`Error::UnknownNode`], [`Error::NotNodeOwner`], [`Error::NodeUnbonding`]
		/// - [`Error::NothingToUpdate`], [`Error::BadPeerId`], [`Error::AcceleratorTooLong`],
		///   [`Error::BadFormats`]
		///
		/// ## Events
		/// - [`Event::NodeUpdated`]
		#[pallet::call_index(3)]
		pub fn update_node(
			origin: OriginFor<T>,
			node: NodeId,
			peer_id: Option<Vec<u8>>,
			capabilities: Option<CapabilitiesInput>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let mut info = Self::owned_node(&owner, node)?;
			ensure!(peer_id.is_some() || capabilities.is_some(), Error::<T>::NothingToUpdate);
			if let Some(peer_id) = peer_id {
				info.peer_id = Self::check_peer_id(peer_id)?;
			}
			if let Some(capabilities) = capabilities {
				info.capabilities = Self::check_capabilities(capabilities)?;
			}
			Nodes::<T>::insert(node, info);
			Self::deposit_event(Event::NodeUpdated { node });
			Ok(())
		}

		/// Adds `amount` to the bond of `node`.
		///
		/// ## Dispatch Origin
		/// Signed by the node's owner.
		///
		/// ## Errors
		/// - [`Error::UnknownNode`], [`Error::NotNodeOwner`], [`Error::NodeUnbonding`]
		/// - [`Error::ZeroAmount`], [`Error::InsufficientBalance`]
		///
		/// ## Events
		/// - [`Event::BondIncreased`]
		#[pallet::call_index(4)]
		pub fn bond_extra(
			origin: OriginFor<T>,
			node: NodeId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let mut info = Self::owned_node(&owner, node)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			T::Currency::hold(&HoldReason::NodeBond.into(), &owner, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			info.bond = info.bond.saturating_add(amount);
			let bond = info.bond;
			Nodes::<T>::insert(node, info);
			Self::deposit_event(Event::BondIncreased { node, bond });
			Ok(())
		}

		/// Deregisters `node`: it stops taking work, and its bond can be withdrawn after
		/// `UnbondingPeriod` blocks.
		///
		/// ## Dispatch Origin
		/// Signed by the node's owner.
		///
		/// ## Errors
		/// - [`Error::UnknownNode`], [`Error::NotNodeOwner`], [`Error::NodeUnbonding`]
		/// - [`Error::StillJailed`]: a jailed node serves its time first.
		///
		/// ## Events
		/// - [`Event::NodeDeregistered`]
		#[pallet::call_index(5)]
		pub fn deregister(origin: OriginFor<T>, node: NodeId) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let mut info = Self::owned_node(&owner, node)?;
			let now = frame_system::Pallet::<T>::block_number();
			if let NodeStatus::Jailed { until } = info.status {
				ensure!(now >= until, Error::<T>::StillJailed);
			}
			let until = now.saturating_add(T::UnbondingPeriod::get());
			info.status = NodeStatus::Unbonding { until };
			Nodes::<T>::insert(node, info);
			Candidates::<T>::mutate(|candidates| candidates.retain(|id| *id != node));
			Self::deposit_event(Event::NodeDeregistered { node, unbonds_at: until });
			Ok(())
		}

		/// Returns the bond of a deregistered `node` to its owner and removes the node.
		///
		/// ## Dispatch Origin
		/// Signed by the node's owner.
		///
		/// ## Errors
		/// - [`Error::UnknownNode`], [`Error::NotNodeOwner`]
		/// - [`Error::NotUnbonding`], [`Error::StillUnbonding`]
		///
		/// ## Events
		/// - [`Event::BondWithdrawn`]
		#[pallet::call_index(6)]
		pub fn withdraw_bond(origin: OriginFor<T>, node: NodeId) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let info = Nodes::<T>::get(node).ok_or(Error::<T>::UnknownNode)?;
			ensure!(info.owner == owner, Error::<T>::NotNodeOwner);
			let NodeStatus::Unbonding { until } = info.status else {
				return Err(Error::<T>::NotUnbonding.into());
			};
			ensure!(frame_system::Pallet::<T>::block_number() >= until, Error::<T>::StillUnbonding);

			let released = T::Currency::release(
				&HoldReason::NodeBond.into(),
				&owner,
				info.bond,
				Precision::BestEffort,
			)
			.unwrap_or_else(|error| {
				log::error!(target: LOG_TARGET, "releasing the bond of node {node} failed: {error:?}");
				Zero::zero()
			});
			Nodes::<T>::remove(node);
			NodeByKey::<T>::remove(&info.worker_key);
			NodesByOwner::<T>::remove(&owner, node);
			OwnerNodeCount::<T>::mutate(&owner, |count| *count = count.saturating_sub(1));
			NodeCount::<T>::mutate(|count| *count = count.saturating_sub(1));
			Self::deposit_event(Event::BondWithdrawn { node, owner, amount: released });
			Ok(())
		}

		/// Releases `node` from jail once its jail time is over.
		///
		/// ## Dispatch Origin
		/// Signed by the node's owner.
		///
		/// ## Errors
		/// - [`Error::UnknownNode`], [`Error::NotNodeOwner`], [`Error::NodeUnbonding`]
		/// - [`Error::NotJailed`], [`Error::StillJailed`]
		///
		/// ## Events
		/// - [`Event::NodeUnjailed`]
		#[pallet::call_index(7)]
		pub fn unjail(origin: OriginFor<T>, node: NodeId) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let mut info = Self::owned_node(&owner, node)?;
			let NodeStatus::Jailed { until } = info.status else {
				return Err(Error::<T>::NotJailed.into());
			};
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now >= until, Error::<T>::StillJailed);
			info.status = Self::liveness(&info, now);
			Nodes::<T>::insert(node, info);
			Self::deposit_event(Event::NodeUnjailed { node });
			Ok(())
		}

		/// Jails `node` for `blocks` blocks.
		///
		/// ## Dispatch Origin
		/// Root.
		///
		/// ## Errors
		/// - [`Error::UnknownNode`], [`Error::NodeUnbonding`]
		///
		/// ## Events
		/// - [`Event::NodeJailed`]
		#[pallet::call_index(8)]
		pub fn force_jail(origin: OriginFor<T>, node: NodeId, blocks: u32) -> DispatchResult {
			ensure_root(origin)?;
			let info = Nodes::<T>::get(node).ok_or(Error::<T>::UnknownNode)?;
			ensure!(
				!matches!(info.status, NodeStatus::Unbonding { .. }),
				Error::<T>::NodeUnbonding
			);
			Self::do_jail(node, info, blocks);
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The bytes a worker key signs to prove it belongs to a node of `owner`: see the crate
		/// docs. The nonce is `owner`'s current [`KeyNonce`].
		pub fn key_proof_payload(owner: &T::AccountId, worker_key: &WorkerKey) -> Vec<u8> {
			Self::key_proof_payload_with_nonce(owner, worker_key, KeyNonce::<T>::get(owner))
		}

		fn key_proof_payload_with_nonce(
			owner: &T::AccountId,
			worker_key: &WorkerKey,
			nonce: u32,
		) -> Vec<u8> {
			(b"swarm/node-key", Self::genesis_hash(), owner, nonce, worker_key).encode()
		}

		/// The bytes a worker key signs for a heartbeat.
		pub fn heartbeat_payload(heartbeat: &Heartbeat<BlockNumberFor<T>>) -> Vec<u8> {
			(b"swarm/heartbeat", Self::genesis_hash(), heartbeat).encode()
		}

		fn genesis_hash() -> T::Hash {
			frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
		}

		/// Checks a key proof against the owner's current nonce; a proof for the previous nonce
		/// is a replay. A bad proof costs two signature checks (benchmarked as
		/// `reject_key_proof`), which the calls that take a proof declare.
		pub(crate) fn check_key_proof(
			owner: &T::AccountId,
			worker_key: &WorkerKey,
			proof: &WorkerSignature,
		) -> DispatchResult {
			use polkadot_sdk::sp_runtime::RuntimeAppPublic;
			let nonce = KeyNonce::<T>::get(owner);
			if worker_key
				.verify(&Self::key_proof_payload_with_nonce(owner, worker_key, nonce), proof)
			{
				return Ok(());
			}
			let replayed = nonce.checked_sub(1).is_some_and(|previous| {
				worker_key
					.verify(&Self::key_proof_payload_with_nonce(owner, worker_key, previous), proof)
			});
			Err(if replayed { Error::<T>::ProofReplayed } else { Error::<T>::BadProof }.into())
		}

		fn check_peer_id(peer_id: Vec<u8>) -> Result<BoundedVec<u8, T::MaxPeerIdLen>, Error<T>> {
			let peer_id: BoundedVec<u8, T::MaxPeerIdLen> =
				peer_id.try_into().map_err(|_| Error::<T>::BadPeerId)?;
			ensure!(!peer_id.is_empty(), Error::<T>::BadPeerId);
			Ok(peer_id)
		}

		fn check_capabilities(input: CapabilitiesInput) -> Result<Capabilities<T>, Error<T>> {
			let accelerator = input
				.accelerator
				.map(|a| a.try_into().map_err(|_| Error::<T>::AcceleratorTooLong))
				.transpose()?;
			let formats: BoundedVec<ModelFormat, T::MaxFormats> =
				input.formats.try_into().map_err(|_| Error::<T>::BadFormats)?;
			for (i, format) in formats.iter().enumerate() {
				ensure!(!formats.iter().take(i).any(|f| f == format), Error::<T>::BadFormats);
			}
			Ok(Capabilities {
				cores: input.cores,
				memory_mib: input.memory_mib,
				accelerator,
				formats,
			})
		}

		fn owned_node(owner: &T::AccountId, node: NodeId) -> Result<NodeInfo<T>, DispatchError> {
			let info = Nodes::<T>::get(node).ok_or(Error::<T>::UnknownNode)?;
			ensure!(&info.owner == owner, Error::<T>::NotNodeOwner);
			ensure!(
				!matches!(info.status, NodeStatus::Unbonding { .. }),
				Error::<T>::NodeUnbonding
			);
			Ok(info)
		}

		/// Checks a heartbeat; returns the node on success.
		pub(crate) fn check_heartbeat(
			heartbeat: &Heartbeat<BlockNumberFor<T>>,
			signature: &WorkerSignature,
		) -> Result<NodeInfo<T>, HeartbeatRejection> {
			use polkadot_sdk::sp_runtime::RuntimeAppPublic;
			let node = Nodes::<T>::get(heartbeat.node).ok_or(HeartbeatRejection::UnknownNode)?;
			if matches!(node.status, NodeStatus::Unbonding { .. }) {
				return Err(HeartbeatRejection::Unbonding);
			}
			if !node.worker_key.verify(&Self::heartbeat_payload(heartbeat), signature) {
				return Err(HeartbeatRejection::BadSignature);
			}
			// A heartbeat is signed after the block that recorded the previous one: an accepted
			// heartbeat can never be accepted again, whatever the timing constants.
			if heartbeat.at <= node.last_heartbeat {
				return Err(HeartbeatRejection::Replayed);
			}
			let now = frame_system::Pallet::<T>::block_number();
			if heartbeat.at > now || now.saturating_sub(heartbeat.at) > T::HeartbeatValidity::get()
			{
				return Err(HeartbeatRejection::Stale);
			}
			if now < node.last_heartbeat.saturating_add(T::MinHeartbeatInterval::get()) {
				return Err(HeartbeatRejection::TooSoon);
			}
			Ok(node)
		}

		/// The worst-case weight of heartbeats in one block (every node heartbeating as often as
		/// the rate limit allows, each costing its dispatch, its authorization and the base
		/// weight that `CheckWeight` charges every transaction of the normal class) and the most
		/// `MaxHeartbeatShare` allows.
		pub fn heartbeat_load() -> (Weight, Weight) {
			use frame_support::dispatch::DispatchClass;
			let base = <T as frame_system::Config>::BlockWeights::get()
				.get(DispatchClass::Normal)
				.base_extrinsic;
			let per_heartbeat = T::WeightInfo::heartbeat()
				.saturating_add(T::WeightInfo::authorize_heartbeat())
				.saturating_add(base);
			let min_interval: u64 =
				T::MinHeartbeatInterval::get().try_into().unwrap_or(u64::MAX).max(1);
			let per_block = u64::from(T::MaxNodes::get()).div_ceil(min_interval);
			let worst = per_heartbeat.saturating_mul(per_block);
			let normal = <T as frame_system::Config>::BlockWeights::get()
				.get(DispatchClass::Normal)
				.max_total
				.unwrap_or(<T as frame_system::Config>::BlockWeights::get().max_block);
			let share = T::MaxHeartbeatShare::get();
			let limit = Weight::from_parts(
				share.mul_floor(normal.ref_time()),
				share.mul_floor(normal.proof_size()),
			);
			(worst, limit)
		}

		/// The pool's check of a heartbeat: valid ones are free, at most one per node per
		/// `MinHeartbeatInterval`, and live until `HeartbeatValidity` runs out. They have the
		/// highest priority ([`HEARTBEAT_PRIORITY`]), so a block builder takes them before any
		/// fee-paying transaction.
		fn authorize_heartbeat(
			heartbeat: &Heartbeat<BlockNumberFor<T>>,
			signature: &WorkerSignature,
		) -> TransactionValidityWithRefund {
			let node = Self::check_heartbeat(heartbeat, signature)
				.map_err(|rejection| TransactionValidityError::Invalid(rejection.into()))?;
			let longevity: u64 = T::HeartbeatValidity::get().try_into().unwrap_or(u64::MAX);
			let validity = ValidTransaction::with_tag_prefix("swarm-heartbeat")
				.priority(HEARTBEAT_PRIORITY)
				.and_provides((heartbeat.node, node.last_heartbeat))
				.longevity(longevity.max(1))
				.propagate(true)
				.build()?;
			Ok((validity, Weight::zero()))
		}

		/// Active or inactive, from the node's last heartbeat (for a node that is neither
		/// jailed nor unbonding).
		pub(crate) fn liveness(
			info: &NodeInfo<T>,
			now: BlockNumberFor<T>,
		) -> NodeStatus<BlockNumberFor<T>> {
			if now.saturating_sub(info.last_heartbeat) > T::HeartbeatTimeout::get() {
				NodeStatus::Inactive
			} else {
				NodeStatus::Active
			}
		}

		/// Whether `node` may take work that `needs` this much now: eligible, and declaring the
		/// safetensors format and at least the memory.
		pub(crate) fn fits(node: NodeId, needs: &swarm_primitives::WorkNeeds) -> bool {
			let now = frame_system::Pallet::<T>::block_number();
			Nodes::<T>::get(node).is_some_and(|info| {
				Self::eligible(&info, now) &&
					info.capabilities.formats.contains(&ModelFormat::Safetensors) &&
					info.capabilities.memory_mib >= needs.memory_mib
			})
		}

		/// Whether a node may take work at `now`: bonded at least `MinBond`, and active.
		pub(crate) fn eligible(info: &NodeInfo<T>, now: BlockNumberFor<T>) -> bool {
			info.bond >= T::MinBond::get() &&
				Self::effective_status(info, now) == NodeStatus::Active
		}

		/// A node's status as of `now`, whether or not the sweep has reached it yet.
		pub fn effective_status(
			info: &NodeInfo<T>,
			now: BlockNumberFor<T>,
		) -> NodeStatus<BlockNumberFor<T>> {
			match info.status {
				NodeStatus::Active | NodeStatus::Inactive => Self::liveness(info, now),
				other => other,
			}
		}

		/// Jails `node` for `blocks` blocks from now. A jail only extends: a node jailed until
		/// later stays jailed until then (and no event is emitted).
		pub(crate) fn do_jail(node: NodeId, mut info: NodeInfo<T>, blocks: u32) {
			let until = frame_system::Pallet::<T>::block_number().saturating_add(blocks.into());
			if let NodeStatus::Jailed { until: current } = info.status {
				if current >= until {
					return;
				}
			}
			info.status = NodeStatus::Jailed { until };
			Nodes::<T>::insert(node, info);
			Self::deposit_event(Event::NodeJailed { node, until });
		}

		pub(crate) fn do_slash(
			node: NodeId,
			share: Perbill,
		) -> Result<BalanceOf<T>, DispatchError> {
			let mut info = Nodes::<T>::get(node).ok_or(Error::<T>::UnknownNode)?;
			let amount = share.mul_floor(info.bond);
			let (credit, missing) =
				T::Currency::slash(&HoldReason::NodeBond.into(), &info.owner, amount);
			let taken = amount.saturating_sub(missing);
			T::OnSlash::on_unbalanced(credit);
			info.bond = info.bond.saturating_sub(taken);
			Nodes::<T>::insert(node, info);
			Self::deposit_event(Event::NodeSlashed { node, amount: taken });
			Ok(taken)
		}

		/// Marks nodes that missed heartbeats inactive, from [`SweepCursor`] on, within
		/// `remaining` weight and `MaxSweepPerBlock` nodes; returns the weight used.
		pub(crate) fn sweep(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let per_node = T::WeightInfo::sweep(1).saturating_sub(T::WeightInfo::sweep(0));
			let base = T::WeightInfo::sweep(0);
			let end = NextNodeId::<T>::get();
			if end == 0 || remaining.any_lt(base.saturating_add(per_node)) {
				return Weight::zero();
			}
			let affordable = remaining
				.saturating_sub(base)
				.checked_div_per_component(&per_node)
				.unwrap_or(u64::MAX);
			let budget = affordable.min(u64::from(T::MaxSweepPerBlock::get())).min(end);
			// `budget` is at most `MaxSweepPerBlock`, a u32.
			let budget = u32::try_from(budget).unwrap_or(T::MaxSweepPerBlock::get());
			let mut cursor = SweepCursor::<T>::get();
			for _ in 0..budget {
				if cursor >= end {
					cursor = 0;
				}
				if let Some(mut info) = Nodes::<T>::get(cursor) {
					if info.status == NodeStatus::Active &&
						Self::liveness(&info, now) == NodeStatus::Inactive
					{
						info.status = NodeStatus::Inactive;
						Nodes::<T>::insert(cursor, info);
						Self::deposit_event(Event::NodeInactive { node: cursor });
					}
				}
				cursor = cursor.saturating_add(1);
			}
			SweepCursor::<T>::put(cursor);
			T::WeightInfo::sweep(budget)
		}

		/// The node with id `node`, with its status as of now.
		pub fn node(node: NodeId) -> Option<NodeInfo<T>> {
			let now = frame_system::Pallet::<T>::block_number();
			Nodes::<T>::get(node).map(|mut info| {
				info.status = Self::effective_status(&info, now);
				info
			})
		}

		/// The node whose worker key is `key`.
		pub fn node_by_key(key: &WorkerKey) -> Option<(NodeId, NodeInfo<T>)> {
			let id = NodeByKey::<T>::get(key)?;
			Self::node(id).map(|info| (id, info))
		}

		/// The nodes of `owner`, by id.
		pub fn nodes_of(owner: &T::AccountId) -> Vec<(NodeId, NodeInfo<T>)> {
			let mut ids: Vec<NodeId> = NodesByOwner::<T>::iter_key_prefix(owner).collect();
			ids.sort_unstable();
			ids.into_iter().filter_map(|id| Self::node(id).map(|info| (id, info))).collect()
		}

		/// Up to `limit` registered nodes (any status, as of now) with an id of at least
		/// `start`, by id: a page of the node list. Bounded by [`Config::MaxNodes`].
		pub fn nodes(start: NodeId, limit: u32) -> Vec<(NodeId, NodeInfo<T>)> {
			let now = frame_system::Pallet::<T>::block_number();
			let mut nodes: Vec<(NodeId, NodeInfo<T>)> = Nodes::<T>::iter()
				.take(T::MaxNodes::get() as usize)
				.filter(|(id, _)| *id >= start)
				.collect();
			nodes.sort_unstable_by_key(|(id, _)| *id);
			nodes.truncate(limit as usize);
			for (_, info) in &mut nodes {
				info.status = Self::effective_status(info, now);
			}
			nodes
		}

		/// The nodes that are active now, by id.
		pub fn active_nodes() -> Vec<(NodeId, NodeInfo<T>)> {
			let now = frame_system::Pallet::<T>::block_number();
			let mut active: Vec<(NodeId, NodeInfo<T>)> = Nodes::<T>::iter()
				.filter_map(|(id, mut info)| {
					info.status = Self::effective_status(&info, now);
					(info.status == NodeStatus::Active).then_some((id, info))
				})
				.collect();
			active.sort_unstable_by_key(|(id, _)| *id);
			active
		}

		/// Checks the storage invariants: indexes and counters match the nodes, and every
		/// node's bond is held.
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			let mut count = 0u32;
			let mut bonds: alloc::collections::BTreeMap<T::AccountId, BalanceOf<T>> =
				Default::default();
			for (id, info) in Nodes::<T>::iter() {
				count = count.saturating_add(1);
				ensure!(id < NextNodeId::<T>::get(), "node id beyond NextNodeId");
				ensure!(NodeByKey::<T>::get(&info.worker_key) == Some(id), "key index is stale");
				ensure!(NodesByOwner::<T>::contains_key(&info.owner, id), "owner index is stale");
				let bond = bonds.entry(info.owner.clone()).or_default();
				*bond = bond.saturating_add(info.bond);
			}
			ensure!(count == NodeCount::<T>::get(), "node count is wrong");
			let candidates = Candidates::<T>::get();
			let unbonding = |id: &NodeId| {
				Nodes::<T>::get(id)
					.is_none_or(|info| matches!(info.status, NodeStatus::Unbonding { .. }))
			};
			ensure!(
				candidates.iter().all(|id| !unbonding(id)) &&
					Nodes::<T>::iter_keys().all(|id| unbonding(&id) || candidates.contains(&id)),
				"the candidates are not the nodes that are not unbonding"
			);
			ensure!(NodeByKey::<T>::iter().count() as u32 == count, "stale keys in the key index");
			for (owner, bond) in bonds {
				let held = T::Currency::balance_on_hold(&HoldReason::NodeBond.into(), &owner);
				ensure!(held == bond, "bonds and holds disagree");
				ensure!(
					OwnerNodeCount::<T>::get(&owner) as usize ==
						NodesByOwner::<T>::iter_prefix(&owner).count(),
					"owner count is wrong"
				);
			}
			Ok(())
		}
	}
}
