//! `weights_*`: manifests and chunks of files in the chain's weights store.
//!
//! A client downloads a file by asking for its manifest (size and chunk hashes), then for each
//! chunk; the node reads the chunk from its block database, where every full node keeps the
//! chunks of the blocks it imported, and checks it against its hash before answering. The
//! client checks the whole file against its blake2-256 hash.

use super::{error, hex};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_weights_store::{FileManifest, UploadInfo};
use pallet_weights_store_runtime_api::WeightsStoreApi;
use polkadot_sdk::{
	sc_client_api::BlockBackend,
	sp_api::ProvideRuntimeApi,
	sp_blockchain::HeaderBackend,
	sp_core::{crypto::Ss58Codec, Bytes, H256},
	sp_io::hashing::blake2_256,
	sp_runtime::traits::Block as BlockT,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use swarm_runtime::{opaque::Block, BlockNumber, Runtime};

/// Error codes of the `weights_*` methods.
pub mod error_code {
	/// No file (or no upload) with this hash.
	pub const NOT_FOUND: i32 = 4_101;
	/// The chunk index is beyond the file's last chunk.
	pub const NO_SUCH_CHUNK: i32 = 4_102;
	/// This node does not have the chunk's bytes (e.g. its block bodies were pruned).
	pub const CHUNK_UNAVAILABLE: i32 = 4_103;
	/// The runtime or the database could not answer.
	pub const INTERNAL: i32 = 4_104;
}

/// A stored file's manifest, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ManifestJson {
	pub hash: String,
	pub size: u64,
	pub chunk_size: u32,
	pub chunks: Vec<String>,
	pub uploader: String,
	pub stored_at: BlockNumber,
}

/// An upload in progress, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UploadJson {
	pub hash: String,
	pub size: u64,
	pub chunks: u32,
	pub next_chunk: u32,
	pub uploader: String,
	pub chunk_size: u32,
	pub started_at: BlockNumber,
	/// The block of its last chunk (or its start).
	pub last_progress: BlockNumber,
	/// The first block at which anyone may reap it (`weightsStore.reapUpload`) if no chunk
	/// arrives before.
	pub expires_at: BlockNumber,
}

/// The `weights_*` JSON-RPC methods.
#[rpc(server, namespace = "weights")]
pub trait WeightsApi<BlockHash> {
	/// The manifest of the stored file with this blake2-256 hash.
	#[method(name = "manifest")]
	fn manifest(&self, file: H256, at: Option<BlockHash>) -> RpcResult<ManifestJson>;

	/// The bytes of chunk `index` (from 0) of a stored file, checked against the chunk's hash.
	#[method(name = "chunk")]
	fn chunk(&self, file: H256, index: u32) -> RpcResult<Bytes>;

	/// The progress of an upload that has begun and not finished.
	#[method(name = "upload")]
	fn upload(&self, file: H256, at: Option<BlockHash>) -> RpcResult<UploadJson>;
}

/// Implements [`WeightsApiServer`] over a client.
pub struct Weights<C> {
	client: Arc<C>,
}

impl<C> Weights<C> {
	/// Serves the files known to `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

type Hash = <Block as BlockT>::Hash;

impl<C> Weights<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: WeightsStoreApi<Block, FileManifest<Runtime>, UploadInfo<Runtime>>,
{
	fn manifest_at(&self, file: H256, at: Option<Hash>) -> RpcResult<FileManifest<Runtime>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client
			.runtime_api()
			.file(at, file)
			.map_err(|e| error(error_code::INTERNAL, format!("the runtime could not answer: {e}")))?
			.ok_or_else(|| {
				error(
					error_code::NOT_FOUND,
					format!("no stored file has hash {}", hex(file.as_bytes())),
				)
			})
	}
}

impl<C> WeightsApiServer<Hash> for Weights<C>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ BlockBackend<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: WeightsStoreApi<Block, FileManifest<Runtime>, UploadInfo<Runtime>>,
{
	fn manifest(&self, file: H256, at: Option<Hash>) -> RpcResult<ManifestJson> {
		let manifest = self.manifest_at(file, at)?;
		Ok(ManifestJson {
			hash: hex(manifest.hash.as_bytes()),
			size: manifest.info.size,
			chunk_size: manifest.info.chunk_size,
			chunks: manifest.chunks.iter().map(|c| hex(c.as_bytes())).collect(),
			uploader: manifest.info.uploader.to_ss58check(),
			stored_at: manifest.info.stored_at,
		})
	}

	fn chunk(&self, file: H256, index: u32) -> RpcResult<Bytes> {
		let manifest = self.manifest_at(file, None)?;
		let chunk = *manifest.chunks.get(index as usize).ok_or_else(|| {
			error(
				error_code::NO_SUCH_CHUNK,
				format!(
					"the file has {} chunks, numbered from 0; there is no chunk {index}",
					manifest.chunks.len()
				),
			)
		})?;
		let bytes = self
			.client
			.indexed_transaction(chunk)
			.map_err(|e| error(error_code::INTERNAL, format!("reading the chunk failed: {e}")))?
			.ok_or_else(|| {
				error(
					error_code::CHUNK_UNAVAILABLE,
					format!(
						"this node does not have chunk {index} ({}); ask a node that keeps block \
						 bodies (--blocks-pruning archive-canonical, the default)",
						hex(chunk.as_bytes())
					),
				)
			})?;
		if H256(blake2_256(&bytes)) != chunk {
			return Err(error(
				error_code::CHUNK_UNAVAILABLE,
				format!("the stored bytes of chunk {index} do not match its hash; the database is damaged"),
			));
		}
		Ok(Bytes(bytes))
	}

	fn upload(&self, file: H256, at: Option<Hash>) -> RpcResult<UploadJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let upload = self
			.client
			.runtime_api()
			.upload(at, file)
			.map_err(|e| error(error_code::INTERNAL, format!("the runtime could not answer: {e}")))?
			.ok_or_else(|| {
				error(
					error_code::NOT_FOUND,
					format!("no upload of {} is in progress", hex(file.as_bytes())),
				)
			})?;
		Ok(UploadJson {
			hash: hex(file.as_bytes()),
			size: upload.size,
			chunks: upload.chunks,
			next_chunk: upload.next_chunk,
			uploader: upload.uploader.to_ss58check(),
			chunk_size: upload.chunk_size,
			started_at: upload.started_at,
			last_progress: upload.last_progress,
			expires_at: pallet_weights_store::Pallet::<Runtime>::expires_at(&upload),
		})
	}
}
