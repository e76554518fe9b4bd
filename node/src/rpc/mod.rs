//! The node's JSON-RPC extensions, merged into the standard Substrate RPC server.
//!
//! Every method here is a thin adapter over a runtime API: the logic lives in the runtime, so
//! polkadot.js can reach the same queries through `api.call` without this module.
//!
//! - `system_accountNextIndex` and `payment_*`: Substrate's nonce and fee queries.
//! - [`jobs`]: `jobs_*`, inference jobs, their results and prices in readable JSON.
//! - [`models`]: `models_*`, the model registry and lineage in readable JSON.
//! - [`nodes`]: `nodes_*`, compute nodes in readable JSON, and `rewards_status`, the reward pot
//!   and emission.
//! - [`rounds`]: `rounds_*`, federated training rounds and their results in readable JSON.
//! - [`weights`]: `weights_*`, manifests and chunks of stored weights files.
//! - [`worker`]: `worker_*`, this node's compute-node worker key (unsafe: local use).

pub mod jobs;
pub mod models;
pub mod nodes;
pub mod rounds;
pub mod weights;
pub mod worker;

use jobs::{Jobs, JobsApiServer};
use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use models::{Models, ModelsApiServer};
use nodes::{Nodes, NodesApiServer, RewardsRpcApiServer};
use pallet_compute_nodes::NodeInfo;
use pallet_compute_nodes_runtime_api::ComputeNodesApi;
use pallet_model_registry::{ModelDetails, VersionDetails};
use pallet_model_registry_runtime_api::ModelRegistryApi;
use pallet_weights_store::{FileManifest, UploadInfo};
use pallet_weights_store_runtime_api::WeightsStoreApi;
use polkadot_sdk::{
	pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer},
	sc_client_api::BlockBackend,
	sc_transaction_pool_api::TransactionPool,
	sp_api::ProvideRuntimeApi,
	sp_block_builder::BlockBuilder,
	sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata},
	sp_keystore::KeystorePtr,
	substrate_frame_rpc_system::{System, SystemApiServer},
};
use rounds::{Rounds, RoundsApiServer};
use std::sync::Arc;
use swarm_runtime::{opaque::Block, AccountId, Balance, Nonce, Runtime};
use weights::{Weights, WeightsApiServer};
use worker::{Worker, WorkerApiServer};

/// A JSON-RPC error with `code` and `message`.
pub(crate) fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(code, message, None::<()>)
}

/// An error of the runtime API (e.g. an unknown or pruned block), as the error `code` of a
/// namespace.
pub(crate) fn runtime_error<E: std::fmt::Display>(code: i32) -> impl Fn(E) -> ErrorObjectOwned {
	move |e| error(code, format!("the runtime could not answer: {e}"))
}

/// Bytes as `0x` and lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
	format!("0x{}", polkadot_sdk::sp_core::hexdisplay::HexDisplay::from(&bytes))
}

/// What the RPC extensions need from the node.
pub struct FullDeps<C, P> {
	/// The client, to call runtime APIs.
	pub client: Arc<C>,
	/// The transaction pool, for nonce queries that count pending transactions.
	pub pool: Arc<P>,
	/// The keystore, for the worker key's registration proofs.
	pub keystore: KeystorePtr,
}

/// Builds the RPC extensions of a full node.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ BlockBackend<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: polkadot_sdk::substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api:
		polkadot_sdk::pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: ModelRegistryApi<Block, AccountId, ModelDetails<Runtime>, VersionDetails<Runtime>>,
	C::Api: WeightsStoreApi<Block, FileManifest<Runtime>, UploadInfo<Runtime>>,
	C::Api: ComputeNodesApi<Block, AccountId, NodeInfo<Runtime>>,
	C::Api: pallet_inference_runtime_api::InferenceApi<
		Block,
		Balance,
		pallet_inference::Job<Runtime>,
		pallet_inference::InferenceOutput<Runtime>,
	>,
	C::Api: pallet_training_runtime_api::TrainingApi<
		Block,
		Balance,
		pallet_training::Round<Runtime>,
		pallet_training::RoundResult<Runtime>,
	>,
	C::Api: pallet_rewards_runtime_api::RewardsApi<Block, AccountId, Balance>,
	P: TransactionPool + 'static,
{
	let mut module = RpcModule::new(());
	let FullDeps { client, pool, keystore } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(Models::new(client.clone()).into_rpc())?;
	module.merge(Jobs::new(client.clone()).into_rpc())?;
	module.merge(Rounds::new(client.clone()).into_rpc())?;
	module.merge(NodesApiServer::into_rpc(Nodes::new(client.clone())))?;
	module.merge(RewardsRpcApiServer::into_rpc(Nodes::new(client.clone())))?;
	module.merge(Weights::new(client.clone()).into_rpc())?;
	module.merge(Worker::new(client, keystore).into_rpc())?;

	Ok(module)
}
