//! # Swarmchain primitives
//!
//! Small, `no_std` pieces shared by the runtime, the pallets and the node:
//!
//! - [`WORKER_KEY_TYPE`] and the [`worker`] key: the sr25519 key a compute node keeps in its
//!   keystore (`swarm-node key insert --key-type swrk --scheme sr25519 ...`) and signs its work
//!   with. It is distinct from the validator's `aura` and `gran` keys, so a node can do ML work
//!   without being a validator, and a validator can rotate one without touching the other.
//! - Glue traits through which pallets use each other without reading each other's storage:
//!   [`ContentInspector`].

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

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
}

/// No files stored: for runtimes and tests without a weights store.
impl ContentInspector for () {
	fn stored_size(_hash: &polkadot_sdk::sp_core::H256) -> Option<u64> {
		None
	}
}
