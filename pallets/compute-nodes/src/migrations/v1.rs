//! Storage version 1: a node's record counts the work it has done.
//!
//! Version 0's [`NodeInfo`] ended with the node's reputation; version 1 appends
//! [`NodeInfo::work_done`], the jobs, rounds and committees the chain credited the node with
//! ([`WorkDone`]). [`MigrateV0ToV1`] rewrites every node with its fields as they were and a count
//! of zero: the work a node did before the upgrade is in the chain's events, not in its state.
//!
//! **Cost.** One read and one write per node, at most [`Config::MaxNodes`], plus the read that
//! ends the iteration, all in the first block of the new runtime.
//!
//! **Checks.** Under `try-runtime`, `pre_upgrade` records every node's id, owner, bond and
//! reputation, and `post_upgrade` checks that the migration kept them, counted no work, and left
//! the pallet's invariants ([`Pallet::do_try_state`]) holding. The same checks are public
//! ([`pre_check`], [`post_check`]) and compiled with `std` too: the unit tests call them, and so
//! does the runtime's test of its migrations on a populated dev chain (`runtime/tests/runtime.rs`).

use crate::{
	BalanceOf, Capabilities, Config, NodeInfo, NodeStatus, Nodes, Pallet, WorkDone, LOG_TARGET,
};
use codec::{Decode, Encode};
use polkadot_sdk::{
	frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		BoundedVec,
	},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_runtime::Perbill,
};
use swarm_primitives::worker::Public as WorkerKey;
#[cfg(any(test, feature = "std", feature = "try-runtime"))]
use {
	alloc::vec::Vec,
	polkadot_sdk::{
		frame_support::{ensure, traits::GetStorageVersion},
		sp_runtime::TryRuntimeError,
	},
};

/// Migrates the pallet from storage version 0 to 1 (see the module docs); at any other on-chain
/// version it does nothing but read the version.
pub type MigrateV0ToV1<T> = VersionedMigration<
	0,
	1,
	version_unchecked::AddWorkDone<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;

/// A node's record at storage version 0: [`NodeInfo`] without `work_done`.
#[derive(Encode, Decode)]
pub(crate) struct NodeInfoV0<T: Config> {
	pub owner: T::AccountId,
	pub worker_key: WorkerKey,
	pub peer_id: BoundedVec<u8, T::MaxPeerIdLen>,
	pub capabilities: Capabilities<T>,
	pub bond: BalanceOf<T>,
	pub registered_at: BlockNumberFor<T>,
	pub last_heartbeat: BlockNumberFor<T>,
	pub status: NodeStatus<BlockNumberFor<T>>,
	pub reputation: Perbill,
}

impl<T: Config> NodeInfoV0<T> {
	fn migrate(self) -> NodeInfo<T> {
		NodeInfo {
			owner: self.owner,
			worker_key: self.worker_key,
			peer_id: self.peer_id,
			capabilities: self.capabilities,
			bond: self.bond,
			registered_at: self.registered_at,
			last_heartbeat: self.last_heartbeat,
			status: self.status,
			reputation: self.reputation,
			work_done: WorkDone::default(),
		}
	}
}

// Private, so that a runtime cannot run the migration without the storage version check.
mod version_unchecked {
	use super::*;
	use core::marker::PhantomData;

	/// Rewrites every node with a zero [`WorkDone`]; [`MigrateV0ToV1`] runs it once, at
	/// version 0.
	pub struct AddWorkDone<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddWorkDone<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut nodes: u64 = 0;
			Nodes::<T>::translate::<NodeInfoV0<T>, _>(|_, old| {
				nodes = nodes.saturating_add(1);
				Some(old.migrate())
			});
			log::info!(target: LOG_TARGET, "v1: {nodes} nodes now count their work done");
			// Each node read and written, and the read that ends the iteration.
			T::DbWeight::get().reads_writes(nodes.saturating_add(1), nodes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			Ok(pre_check::<T>())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			post_check::<T>(state)
		}
	}
}

/// What the migration must keep of each node: its id, owner, bond and reputation (a record that
/// did not decode as version 0 would have been dropped, or kept undecodable).
#[cfg(any(test, feature = "std", feature = "try-runtime"))]
type Kept<T> = Vec<(crate::NodeId, <T as frame_system::Config>::AccountId, BalanceOf<T>, Perbill)>;

/// The state before the migration that [`post_check`] compares with (`pre_upgrade`'s): every
/// node, read as a version 0 record.
#[cfg(any(test, feature = "std", feature = "try-runtime"))]
pub fn pre_check<T: Config>() -> Vec<u8> {
	let mut kept: Kept<T> = Vec::new();
	for id in Nodes::<T>::iter_keys() {
		let key = Nodes::<T>::hashed_key_for(id);
		if let Some(old) =
			polkadot_sdk::frame_support::storage::unhashed::get::<NodeInfoV0<T>>(&key)
		{
			kept.push((id, old.owner, old.bond, old.reputation));
		}
	}
	kept.encode()
}

/// Checks the nodes after the migration (`post_upgrade`'s check): at storage version 1, the
/// nodes of `state` with the same owners, bonds and reputations and no work counted, no other
/// node, and the pallet's invariants.
#[cfg(any(test, feature = "std", feature = "try-runtime"))]
pub fn post_check<T: Config>(state: Vec<u8>) -> Result<(), TryRuntimeError> {
	let before = Kept::<T>::decode(&mut &state[..])
		.map_err(|_| "v1: the pre-upgrade state does not decode")?;
	ensure!(Pallet::<T>::on_chain_storage_version() == 1, "v1: the storage version is not 1");
	let mut after: Kept<T> = Vec::new();
	for (id, node) in Nodes::<T>::iter() {
		ensure!(node.work_done == WorkDone::default(), "v1: a node starts with work counted");
		after.push((id, node.owner, node.bond, node.reputation));
	}
	after.sort_by_key(|(id, ..)| *id);
	let mut before = before;
	before.sort_by_key(|(id, ..)| *id);
	ensure!(after == before, "v1: the migration changed, added or lost a node");
	Pallet::<T>::do_try_state()
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::mock::*;
	use polkadot_sdk::frame_support::{
		storage::unhashed,
		traits::{OnRuntimeUpgrade, StorageVersion},
		weights::RuntimeDbWeight,
	};

	/// The weight of `reads` reads and `writes` writes in the mock.
	fn db(reads: u64, writes: u64) -> Weight {
		<<Test as frame_system::Config>::DbWeight as Get<RuntimeDbWeight>>::get()
			.reads_writes(reads, writes)
	}

	/// Rewrites node `id` as a version 0 record (its fields but the work done).
	fn store_as_v0(id: crate::NodeId) {
		let node = Nodes::<Test>::get(id).unwrap();
		let old = NodeInfoV0::<Test> {
			owner: node.owner,
			worker_key: node.worker_key,
			peer_id: node.peer_id,
			capabilities: node.capabilities,
			bond: node.bond,
			registered_at: node.registered_at,
			last_heartbeat: node.last_heartbeat,
			status: node.status,
			reputation: node.reputation,
		};
		unhashed::put(&Nodes::<Test>::hashed_key_for(id), &old);
	}

	#[test]
	fn the_in_code_storage_version_is_1() {
		assert_eq!(Pallet::<Test>::in_code_storage_version(), 1);
	}

	#[test]
	fn migrate_v0_to_v1_keeps_every_node_and_counts_no_work() {
		build_and_execute(|| {
			// given two nodes stored at version 0, one with a raised reputation
			let a = register(ALICE, 0);
			let b = register(BOB, 1);
			Nodes::<Test>::mutate(b, |n| {
				n.as_mut().unwrap().reputation = Perbill::from_percent(80)
			});
			let expected = [Nodes::<Test>::get(a).unwrap(), Nodes::<Test>::get(b).unwrap()];
			store_as_v0(a);
			store_as_v0(b);
			StorageVersion::new(0).put::<Pallet<Test>>();
			// The version 0 records do not decode as version 1 ones.
			assert!(Nodes::<Test>::try_get(a).is_err());
			let state = pre_check::<Test>();

			// when
			let weight = MigrateV0ToV1::<Test>::on_runtime_upgrade();

			// then both decode again, as they were, with no work counted
			assert_eq!([Nodes::<Test>::get(a).unwrap(), Nodes::<Test>::get(b).unwrap()], expected);
			assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
			assert_eq!(post_check::<Test>(state), Ok(()));
			// Reads: the version, two nodes and the end; writes: two nodes and the version.
			assert_eq!(weight, db(1 + 2 + 1, 2 + 1));
		});
	}

	#[test]
	fn migrate_v0_to_v1_is_a_noop_at_version_1() {
		build_and_execute(|| {
			let a = register(ALICE, 0);
			Nodes::<Test>::mutate(a, |n| n.as_mut().unwrap().work_done.jobs = 3);
			StorageVersion::new(1).put::<Pallet<Test>>();
			let before = Nodes::<Test>::get(a);
			let weight = MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(weight, db(1, 0));
			assert_eq!(Nodes::<Test>::get(a), before);
		});
	}

	#[test]
	fn post_check_fails_if_a_node_was_lost_or_work_counted() {
		build_and_execute(|| {
			let a = register(ALICE, 0);
			store_as_v0(a);
			StorageVersion::new(0).put::<Pallet<Test>>();
			let state = pre_check::<Test>();
			// before the migration, the version is wrong
			assert!(post_check::<Test>(state.clone()).is_err());
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			Nodes::<Test>::mutate(a, |n| n.as_mut().unwrap().work_done.rounds = 1);
			assert_eq!(
				post_check::<Test>(state.clone()),
				Err("v1: a node starts with work counted".into())
			);
			Nodes::<Test>::mutate(a, |n| n.as_mut().unwrap().work_done.rounds = 0);
			let node = Nodes::<Test>::get(a).unwrap();
			Nodes::<Test>::mutate(a, |n| n.as_mut().unwrap().reputation = Perbill::one());
			assert_eq!(
				post_check::<Test>(state),
				Err("v1: the migration changed, added or lost a node".into())
			);
			Nodes::<Test>::insert(a, node);
		});
	}
}
