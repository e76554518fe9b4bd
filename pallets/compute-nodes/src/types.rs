//! The records the compute-nodes pallet keeps.
//!
//! - [`NodeInfo`]: a registered node: owner, worker key, peer id, capabilities, bond, status,
//!   reputation, work done.
//! - [`WorkDone`]: how much verified work a node has done.
//! - [`Capabilities`], [`ModelFormat`]: what a node declares it can do.
//! - [`NodeStatus`]: active, inactive, jailed or unbonding.
//! - [`Heartbeat`]: what a node's worker key signs to say it is alive.
//! - [`HeartbeatRejection`]: why the transaction pool refuses a heartbeat.

use crate::{BalanceOf, Config};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_runtime::{transaction_validity::InvalidTransaction, Perbill},
};
use scale_info::TypeInfo;
pub use swarm_primitives::{
	worker::{Public as WorkerKey, Signature as WorkerSignature},
	NodeId, WorkId,
};

/// A format of model weights a node can load.
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
pub enum ModelFormat {
	/// Hugging Face safetensors (the chain's own format).
	Safetensors,
	/// ONNX.
	Onnx,
	/// GGUF (llama.cpp).
	Gguf,
	/// PyTorch pickles or TorchScript.
	PyTorch,
}

/// What a node declares it can do.
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
pub struct Capabilities<T: Config> {
	/// CPU cores available for work.
	pub cores: u32,
	/// Memory available for work, in MiB.
	pub memory_mib: u32,
	/// The accelerator, if any, as free text (e.g. `nvidia-h100-80gb`).
	pub accelerator: Option<BoundedVec<u8, T::MaxAcceleratorLen>>,
	/// The weights formats it can load.
	pub formats: BoundedVec<ModelFormat, T::MaxFormats>,
}

/// Where a node stands.
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
pub enum NodeStatus<BlockNumber> {
	/// Heartbeating: may take work.
	Active,
	/// Missed heartbeats for `HeartbeatTimeout` blocks; back to active with its next heartbeat.
	Inactive,
	/// Jailed until the block given; then its owner may unjail it.
	Jailed {
		/// The first block at which the owner may unjail the node.
		until: BlockNumber,
	},
	/// Deregistered; the bond may be withdrawn from the block given.
	Unbonding {
		/// The first block at which the bond may be withdrawn.
		until: BlockNumber,
	},
}

/// A registered compute node.
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
pub struct NodeInfo<T: Config> {
	/// The account that registered the node, holds its bond and receives its rewards.
	pub owner: T::AccountId,
	/// The sr25519 key in the node's keystore (key type `swrk`) that signs its work.
	pub worker_key: WorkerKey,
	/// The node's libp2p peer id (its bytes, as `system_localPeerId` shows in base58).
	pub peer_id: BoundedVec<u8, T::MaxPeerIdLen>,
	/// What it declares it can do.
	pub capabilities: Capabilities<T>,
	/// The bond held from the owner.
	pub bond: BalanceOf<T>,
	/// The block it registered in.
	pub registered_at: BlockNumberFor<T>,
	/// The block of its last heartbeat (its registration counts as one).
	pub last_heartbeat: BlockNumberFor<T>,
	/// Where it stands.
	pub status: NodeStatus<BlockNumberFor<T>>,
	/// Its reputation, from 0 to 1; new nodes start at one half.
	pub reputation: Perbill,
	/// The verified work it has done since it registered.
	pub work_done: WorkDone,
}

/// How much verified work a node has done: each count is of the seats the chain credited it
/// with ([`swarm_primitives::Reputation::credit`]), less those a dispute overturned.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Debug,
)]
pub struct WorkDone {
	/// Inference jobs in which it agreed with the quorum, dispute re-executions included.
	pub jobs: u32,
	/// Training rounds whose aggregate took its update.
	pub rounds: u32,
	/// Aggregation committees (a round's, or a dispute's) in which it agreed with the quorum.
	pub committees: u32,
}

impl WorkDone {
	/// The count that `work` adds to, if it counts (root's `Other` payments do not).
	fn count_mut(&mut self, work: WorkId) -> Option<&mut u32> {
		match work {
			WorkId::Job(_) | WorkId::Dispute(_) => Some(&mut self.jobs),
			WorkId::Round(_) => Some(&mut self.rounds),
			WorkId::Committee(_) | WorkId::RoundDispute(_) => Some(&mut self.committees),
			WorkId::Other(_) => None,
		}
	}

	/// Counts `work` once more.
	pub fn add(&mut self, work: WorkId) {
		if let Some(count) = self.count_mut(work) {
			*count = count.saturating_add(1);
		}
	}

	/// Counts `work` once less.
	pub fn remove(&mut self, work: WorkId) {
		if let Some(count) = self.count_mut(work) {
			*count = count.saturating_sub(1);
		}
	}
}

/// What a node's worker key signs to say the node is alive.
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
pub struct Heartbeat<BlockNumber> {
	/// The node.
	pub node: NodeId,
	/// The block the worker saw as best when it signed.
	pub at: BlockNumber,
}

/// Why the transaction pool refuses a heartbeat: the `InvalidTransaction::Custom` code it
/// carries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum HeartbeatRejection {
	/// No node has this id.
	UnknownNode = 1,
	/// The signature is not the node's worker key's over this heartbeat.
	BadSignature = 2,
	/// The node sent a heartbeat less than `MinHeartbeatInterval` blocks ago.
	TooSoon = 3,
	/// The heartbeat was signed more than `HeartbeatValidity` blocks ago, or claims a future
	/// block.
	Stale = 4,
	/// The node is unbonding; it takes no work and sends no heartbeats.
	Unbonding = 5,
	/// Signed at or before the block of the node's last accepted heartbeat: a replay.
	Replayed = 6,
}

impl From<HeartbeatRejection> for InvalidTransaction {
	fn from(rejection: HeartbeatRejection) -> Self {
		InvalidTransaction::Custom(rejection as u8)
	}
}
