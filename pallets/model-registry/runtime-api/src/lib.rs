//! The `ModelRegistryApi` runtime API: read-only queries of the model registry.
//!
//! Clients call it through `state_call` (polkadot.js: `api.call.modelRegistryApi.<method>`,
//! decorated from the runtime's metadata), or through the node's `models_*` JSON-RPC methods,
//! which are thin adapters over it that answer in readable JSON.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use pallet_model_registry::{
	Contributors, DerivationPath, Lineage, ModelId, ResolveError, VersionId,
};

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries of models, versions and their lineage.
	///
	/// `ModelDetails` and `VersionDetails` are the pallet's `ModelDetails<Runtime>` and
	/// `VersionDetails<Runtime>`.
	#[api_version(1)]
	pub trait ModelRegistryApi<AccountId, ModelDetails, VersionDetails>
	where
		AccountId: Codec,
		ModelDetails: Codec,
		VersionDetails: Codec,
	{
		/// The model with this id.
		fn model(id: ModelId) -> Option<ModelDetails>;

		/// The model with this name.
		fn model_by_name(name: Vec<u8>) -> Option<ModelDetails>;

		/// The version with this id, with its model's name, deprecation and aliases.
		fn version(id: VersionId) -> Option<VersionDetails>;

		/// The id of the version a reference names: `42`, `mnist-mlp@production`,
		/// `mnist-mlp@latest`, `7@v3`.
		fn resolve(reference: Vec<u8>) -> Result<VersionId, ResolveError>;

		/// The versions of a model by number, from `start` (1-based), at most `limit`.
		fn versions(model: ModelId, start: u32, limit: u32) -> Vec<VersionDetails>;

		/// A version and its ancestors up to `max_depth` derivation steps.
		fn ancestors(version: VersionId, max_depth: u32) -> Option<Lineage>;

		/// A version and its descendants up to `max_depth` derivation steps.
		fn descendants(version: VersionId, max_depth: u32) -> Option<Lineage>;

		/// The shortest derivation path between two versions, whichever is the ancestor.
		fn derivation_path(a: VersionId, b: VersionId) -> Option<DerivationPath>;

		/// Every account and training round that contributed to a version's ancestry.
		fn contributors(version: VersionId) -> Option<Contributors<AccountId>>;
	}
}
