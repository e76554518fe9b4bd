//! `worker_*`: what only this node can answer about its own compute-node worker key.
//!
//! The worker key (`swrk`, sr25519) lives in the node's keystore. To register the node on chain,
//! its owner needs a signature by that key over the registration payload; this method makes it,
//! so the secret never leaves the node. It is an unsafe RPC method: served only to local
//! connections (or with `--rpc-methods unsafe`).

use super::{error, hex};
use jsonrpsee::{core::RpcResult, proc_macros::rpc, Extensions};
use pallet_compute_nodes::NodeInfo;
use pallet_compute_nodes_runtime_api::ComputeNodesApi;
use polkadot_sdk::{
	sc_rpc_api::check_if_safe,
	sp_api::ProvideRuntimeApi,
	sp_blockchain::HeaderBackend,
	sp_core::{crypto::Ss58Codec, sr25519},
	sp_keystore::KeystorePtr,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use swarm_primitives::{worker, WORKER_KEY_TYPE};
use swarm_runtime::{opaque::Block, AccountId, Runtime};

/// Error codes of the `worker_*` methods.
pub mod error_code {
	/// The keystore has no usable worker key.
	pub const NO_WORKER_KEY: i32 = 4_201;
	/// The owner address is not an SS58 address.
	pub const BAD_OWNER: i32 = 4_202;
	/// The runtime or the keystore failed.
	pub const INTERNAL: i32 = 4_203;
	/// The chain has not imported its first block yet.
	pub const NOT_READY: i32 = 4_204;
}

/// A registration proof, ready for `computeNodes.registerNode(workerKey, proof, ...)`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationProof {
	/// The worker key, as 0x hex of its 32 bytes.
	pub worker_key: String,
	/// Its signature over the registration payload, as 0x hex of 64 bytes.
	pub proof: String,
	/// The owner it was made for.
	pub owner: String,
}

/// The worker keys of this node, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct KeysJson {
	/// The public keys, as 0x hex.
	pub keys: Vec<String>,
}

/// The `worker_*` JSON-RPC methods.
#[rpc(server, namespace = "worker")]
pub trait WorkerApi {
	/// The worker keys (`swrk`) in this node's keystore, as 0x hex.
	#[method(name = "keys", with_extensions)]
	fn keys(&self) -> RpcResult<KeysJson>;

	/// A proof that this node's worker key belongs to a node of `owner` (an SS58 address), for
	/// registering it (or rotating to it) at the best block. `key` picks one of several worker
	/// keys.
	#[method(name = "registrationProof", with_extensions)]
	fn registration_proof(
		&self,
		owner: String,
		key: Option<String>,
	) -> RpcResult<RegistrationProof>;
}

/// Implements [`WorkerApiServer`] with the node's keystore and client.
pub struct Worker<C> {
	client: Arc<C>,
	keystore: KeystorePtr,
}

impl<C> Worker<C> {
	/// Serves the worker keys of `keystore`.
	pub fn new(client: Arc<C>, keystore: KeystorePtr) -> Self {
		Self { client, keystore }
	}
}

impl<C> WorkerApiServer for Worker<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ComputeNodesApi<Block, AccountId, NodeInfo<Runtime>>,
{
	fn keys(&self, ext: &Extensions) -> RpcResult<KeysJson> {
		check_if_safe(ext)?;
		let keys =
			self.keystore.sr25519_public_keys(WORKER_KEY_TYPE).iter().map(|k| hex(&k.0)).collect();
		Ok(KeysJson { keys })
	}

	fn registration_proof(
		&self,
		ext: &Extensions,
		owner: String,
		key: Option<String>,
	) -> RpcResult<RegistrationProof> {
		check_if_safe(ext)?;
		let owner_account = AccountId::from_ss58check(&owner).map_err(|e| {
			error(error_code::BAD_OWNER, format!("`{owner}` is not an SS58 address: {e:?}"))
		})?;
		let keys = self.keystore.sr25519_public_keys(WORKER_KEY_TYPE);
		let public: sr25519::Public = match (key, keys.as_slice()) {
			(_, []) => return Err(error(
				error_code::NO_WORKER_KEY,
				"this node's keystore has no worker key: insert one with `swarm-node key insert \
					 --key-type swrk --scheme sr25519 --suri <secret>` and restart the node",
			)),
			(None, [only]) => *only,
			(None, several) => {
				return Err(error(
					error_code::NO_WORKER_KEY,
					format!(
						"this node has {} worker keys; pick one with the `key` parameter: {}",
						several.len(),
						several.iter().map(|k| hex(&k.0)).collect::<Vec<_>>().join(", ")
					),
				))
			},
			(Some(wanted), available) => *available
				.iter()
				.find(|k| hex(&k.0).eq_ignore_ascii_case(&wanted))
				.ok_or_else(|| {
					error(
						error_code::NO_WORKER_KEY,
						format!("no worker key {wanted} in the keystore"),
					)
				})?,
		};
		let worker_key = worker::Public::from(public);
		let at = self.client.info().best_hash;
		let payload = self
			.client
			.runtime_api()
			.key_proof_payload(at, owner_account, worker_key)
			.map_err(|e| error(error_code::INTERNAL, format!("the runtime could not answer: {e}")))?
			.ok_or_else(|| {
				error(
					error_code::NOT_READY,
					"the chain has no block yet, so proofs cannot name its genesis: try again once \
					 block 1 is imported",
				)
			})?
			.payload;
		let signature = self
			.keystore
			.sr25519_sign(WORKER_KEY_TYPE, &public, &payload)
			.map_err(|e| error(error_code::INTERNAL, format!("the keystore failed: {e}")))?
			.ok_or_else(|| error(error_code::NO_WORKER_KEY, "the keystore lost the worker key"))?;
		Ok(RegistrationProof { worker_key: hex(&public.0), proof: hex(&signature.0), owner })
	}
}
