//! The `ComputeNodesApi` runtime API: registered compute nodes, and the payload a worker key
//! signs to prove it belongs to a node.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;
use swarm_primitives::{worker::Public as WorkerKey, NodeId};

/// What a worker key must sign to prove it belongs to a node of an owner.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct KeyProofPayload {
	/// The owner's current key nonce, which the payload includes.
	pub nonce: u32,
	/// The bytes to sign.
	pub payload: Vec<u8>,
}

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries of compute nodes. `NodeInfo` is the pallet's `NodeInfo<Runtime>`; statuses are
	/// as of the block queried.
	///
	/// Version 2 added `nodes`.
	#[api_version(2)]
	pub trait ComputeNodesApi<AccountId, NodeInfo>
	where
		AccountId: Codec,
		NodeInfo: Codec,
	{
		/// The node with this id.
		fn node(id: NodeId) -> Option<NodeInfo>;

		/// The node with this worker key, and its id.
		fn node_by_key(key: WorkerKey) -> Option<(NodeId, NodeInfo)>;

		/// The nodes this account owns.
		fn nodes_of(owner: AccountId) -> Vec<(NodeId, NodeInfo)>;

		/// Up to `limit` registered nodes, whatever their status, with an id of at least
		/// `start`, by id (a page of the node list).
		#[api_version(2)]
		fn nodes(start: NodeId, limit: u32) -> Vec<(NodeId, NodeInfo)>;

		/// The nodes that are active (heartbeating, not jailed, not unbonding).
		fn active_nodes() -> Vec<(NodeId, NodeInfo)>;

		/// The bytes `worker_key` must sign for `owner` to register it or rotate to it now;
		/// `None` in the genesis state, before the chain's first block, when the runtime cannot
		/// know its own genesis hash yet.
		fn key_proof_payload(owner: AccountId, worker_key: WorkerKey) -> Option<KeyProofPayload>;
	}
}
