//! The offchain worker's part: sending heartbeats for the nodes whose worker keys are in this
//! node's keystore.
//!
//! Every block, for each `swrk` key in the keystore that belongs to a registered node, the worker
//! signs a heartbeat and submits it to the transaction pool when one is due
//! (`HeartbeatInterval` blocks after the last one on chain) and none of its own is pending. It
//! remembers what it sent in the node's persistent offchain storage, so that it neither floods
//! the pool nor gives up when a heartbeat is lost.

use crate::{Call, Config, Heartbeat, NodeByKey, NodeStatus, Nodes, Pallet, WorkerKey, LOG_TARGET};
use alloc::vec::Vec;
use codec::Encode;
use polkadot_sdk::{
	frame_support::traits::Get,
	frame_system::{offchain::SubmitTransaction, pallet_prelude::BlockNumberFor},
	sp_runtime::{
		offchain::storage::{MutateStorageError, StorageRetrievalError, StorageValueRef},
		traits::Saturating,
		RuntimeAppPublic,
	},
};

/// The offchain storage key under which the block of the last heartbeat sent for a node is kept.
fn sent_key(node: u64) -> Vec<u8> {
	(b"swarm/heartbeat-sent/", node).encode()
}

/// Sends the heartbeats due at block `now`.
pub fn send_heartbeats<T: Config>(now: BlockNumberFor<T>) {
	let mut settled = false;
	for key in WorkerKey::all() {
		let Some(node) = NodeByKey::<T>::get(&key) else { continue };
		let Some(info) = Nodes::<T>::get(node) else { continue };
		if matches!(info.status, NodeStatus::Unbonding { .. }) {
			continue;
		}
		if now < info.last_heartbeat.saturating_add(T::HeartbeatInterval::get()) {
			continue;
		}
		if !claim_slot::<T>(node, now) {
			continue;
		}
		let heartbeat = Heartbeat { node, at: now };
		let Some(signature) = key.sign(&Pallet::<T>::heartbeat_payload(&heartbeat)) else {
			log::warn!(target: LOG_TARGET, "the keystore could not sign a heartbeat of node {node}");
			continue;
		};
		if !settled {
			swarm_primitives::offchain::let_the_pool_settle();
			settled = true;
		}
		let call = Call::<T>::heartbeat { heartbeat, signature };
		let xt = T::create_authorized_transaction(call.into());
		match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
			Ok(()) => log::debug!(target: LOG_TARGET, "sent a heartbeat of node {node} at {now:?}"),
			Err(()) => {
				log::warn!(target: LOG_TARGET, "the pool refused a heartbeat of node {node}")
			},
		}
	}
}

/// Records that a heartbeat of `node` is being sent at `now`, unless one was sent less than
/// `HeartbeatValidity` blocks ago (it may still be in the pool). Returns whether to send.
fn claim_slot<T: Config>(node: u64, now: BlockNumberFor<T>) -> bool {
	let key = sent_key(node);
	let storage = StorageValueRef::persistent(&key);
	let result = storage.mutate(
		|last: Result<Option<BlockNumberFor<T>>, StorageRetrievalError>| match last {
			Ok(Some(sent))
				if now < sent.saturating_add(T::HeartbeatValidity::get()) && now >= sent =>
			{
				Err(())
			},
			_ => Ok(now),
		},
	);
	match result {
		Ok(_) => true,
		Err(MutateStorageError::ValueFunctionFailed(())) => false,
		// Another worker run claimed it at the same time.
		Err(MutateStorageError::ConcurrentModification(_)) => false,
	}
}
