//! The `WeightsStoreApi` runtime API: manifests of stored files and the state of uploads.
//!
//! The node's `weights_*` JSON-RPC methods use it to find a file's chunk hashes, then read the
//! chunks from the block database.

#![cfg_attr(not(feature = "std"), no_std)]

use codec::Codec;
use polkadot_sdk::sp_core::H256;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries of the weights store.
	///
	/// `Manifest` is the pallet's `FileManifest<Runtime>`, `Upload` its `UploadInfo<Runtime>`.
	#[api_version(1)]
	pub trait WeightsStoreApi<Manifest, Upload>
	where
		Manifest: Codec,
		Upload: Codec,
	{
		/// The manifest of the stored file with this blake2-256 hash.
		fn file(hash: H256) -> Option<Manifest>;

		/// The state of the upload in progress of the file with this hash.
		fn upload(hash: H256) -> Option<Upload>;
	}
}
