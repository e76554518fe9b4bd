//! Stored files for the ML executor: read from this node's own block database.
//!
//! A file of the weights store is known by its blake2-256 hash; its manifest (size and chunk
//! hashes) is in the runtime state, and its chunks are indexed transactions in the block bodies
//! this node imported. Nothing is fetched from other nodes: a worker runs what its own chain
//! holds.

use pallet_weights_store::{FileManifest, UploadInfo};
use pallet_weights_store_runtime_api::WeightsStoreApi;
use polkadot_sdk::{
	sc_client_api::BlockBackend, sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend,
	sp_core::H256, sp_io::hashing::blake2_256,
};
use std::sync::Arc;
use swarm_runtime::{opaque::Block, Runtime};

/// The files of the weights store, as this node's database holds them.
pub struct StoredFiles<C> {
	client: Arc<C>,
}

impl<C> StoredFiles<C> {
	/// Reads files through `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> swarm_worker::ContentSource for StoredFiles<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + BlockBackend<Block> + Send + Sync + 'static,
	C::Api: WeightsStoreApi<Block, FileManifest<Runtime>, UploadInfo<Runtime>>,
{
	fn fetch(&self, hash: &[u8; 32]) -> Result<Vec<u8>, String> {
		let best = self.client.info().best_hash;
		let manifest = self
			.client
			.runtime_api()
			.file(best, H256(*hash))
			.map_err(|e| format!("the runtime could not answer: {e}"))?
			.ok_or_else(|| "no stored file has this hash at the best block".to_string())?;
		let size = usize::try_from(manifest.info.size).map_err(|_| "the file is too large")?;
		let mut bytes = Vec::with_capacity(size);
		for (index, chunk) in manifest.chunks.iter().enumerate() {
			let data = self
				.client
				.indexed_transaction(*chunk)
				.map_err(|e| format!("reading chunk {index} failed: {e}"))?
				.ok_or_else(|| {
					format!("this node does not have chunk {index} (were its block bodies pruned?)")
				})?;
			if H256(blake2_256(&data)) != *chunk {
				return Err(format!("chunk {index} does not match its hash"));
			}
			bytes.extend_from_slice(&data);
		}
		Ok(bytes)
	}
}
