//! `nodes_*`: compute nodes in readable JSON, and `rewards_status`: the reward pot and emission.
//!
//! Each method calls the `ComputeNodesApi`, `InferenceApi`, `TrainingApi` and `RewardsApi`
//! runtime APIs at the best block (or at `at`) and turns the answers into one JSON object per
//! node: accounts as SS58 addresses, the worker key as `0x` hex, the peer id in base58 (as
//! `system_localPeerId` shows it), balances as decimal strings (planck), the reputation and the
//! author's share as exact decimals between 0 and 1.

use super::{error, hex, runtime_error};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_compute_nodes::{ModelFormat, NodeInfo, NodeStatus};
use pallet_compute_nodes_runtime_api::ComputeNodesApi;
use pallet_inference_runtime_api::InferenceApi;
use pallet_rewards_runtime_api::{RewardsApi, RewardsStatus};
use pallet_training_runtime_api::TrainingApi;
use polkadot_sdk::{
	sc_network::PeerId, sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend,
	sp_core::crypto::Ss58Codec, sp_runtime::traits::Block as BlockT, sp_runtime::Perbill,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use swarm_primitives::metrics::to_decimal;
use swarm_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Runtime};

/// How many nodes `nodes_list` returns when the caller gives no limit, and at most.
const MAX_LIST: u32 = 256;

/// Error codes of the `nodes_*` and `rewards_*` methods.
pub mod error_code {
	/// No registered node has this id.
	pub const NOT_FOUND: i32 = 4_501;
	/// The runtime could not answer (e.g. the block is unknown or pruned).
	pub const RUNTIME: i32 = 4_503;
}

/// Where a node stands, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StatusJson {
	/// `active`, `inactive`, `jailed` or `unbonding`.
	pub name: String,
	/// Jailed: the first block its owner may unjail it; unbonding: the first block the bond may
	/// be withdrawn.
	pub until: Option<BlockNumber>,
}

/// A compute node, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NodeJson {
	pub id: u64,
	pub owner: String,
	pub worker_key: String,
	/// The libp2p peer id in base58, or the bytes as hex when they are not a peer id.
	pub peer_id: String,
	pub status: StatusJson,
	/// From 0 to 1, as an exact decimal; new nodes start at 0.5.
	pub reputation: String,
	pub bond: String,
	pub registered_at: BlockNumber,
	pub last_heartbeat: BlockNumber,
	pub cores: u32,
	pub memory_mib: u32,
	pub accelerator: Option<String>,
	/// `safetensors`, `onnx`, `gguf`, `pytorch`.
	pub formats: Vec<String>,
	/// What the node has earned since it registered.
	pub earnings: String,
	/// The stored inference jobs in which it holds or held a seat.
	pub jobs: Vec<u64>,
	/// The stored training rounds it takes or took part in.
	pub rounds: Vec<u64>,
	/// The verified work it has done since it registered (all of it, stored or not).
	pub work_done: WorkDoneJson,
}

/// A node's verified work, in JSON: how many seats the chain credited it with.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct WorkDoneJson {
	/// Inference jobs (dispute re-executions included) in which it agreed with the quorum.
	pub jobs: u32,
	/// Training rounds whose aggregate took its update.
	pub rounds: u32,
	/// Aggregation committees in which it agreed with the quorum.
	pub committees: u32,
}

/// A page of the node list, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct NodesJson {
	pub nodes: Vec<NodeJson>,
}

/// The reward pot and the emission, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RewardsJson {
	pub pot: String,
	pub pot_balance: String,
	/// What the pot can pay (its balance above the existential deposit).
	pub pot_available: String,
	pub emission_per_block: String,
	/// The author's share of each block's emission, from 0 to 1.
	pub author_share: String,
	pub genesis_issuance: String,
	pub minted: String,
	pub burnt: String,
	pub total_issuance: String,
}

/// The `nodes_*` JSON-RPC methods.
#[rpc(server, namespace = "nodes")]
pub trait NodesApi<BlockHash> {
	/// The compute node with this id: owner, keys, status, reputation, bond, earnings, work.
	#[method(name = "node")]
	fn node(&self, id: u64, at: Option<BlockHash>) -> RpcResult<NodeJson>;

	/// Up to `limit` (default and at most 256) registered nodes, whatever their status, with an
	/// id of at least `start` (default 0), by id.
	#[method(name = "list")]
	fn list(
		&self,
		start: Option<u64>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<NodesJson>;
}

/// The `rewards_*` JSON-RPC methods.
#[rpc(server, namespace = "rewards")]
pub trait RewardsRpcApi<BlockHash> {
	/// The reward pot, the emission and the issuance accounting.
	#[method(name = "status")]
	fn status(&self, at: Option<BlockHash>) -> RpcResult<RewardsJson>;
}

/// Implements [`NodesApiServer`] and [`RewardsRpcApiServer`] over the runtime APIs.
pub struct Nodes<C> {
	client: Arc<C>,
}

impl<C> Nodes<C> {
	/// Serves the nodes known to `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

type Hash = <Block as BlockT>::Hash;

/// A fraction as an exact decimal string: one half is `"0.5"`.
fn fraction(value: Perbill) -> String {
	to_decimal(i64::from(value.deconstruct()))
}

fn status_json(status: &NodeStatus<BlockNumber>) -> StatusJson {
	let (name, until) = match status {
		NodeStatus::Active => ("active", None),
		NodeStatus::Inactive => ("inactive", None),
		NodeStatus::Jailed { until } => ("jailed", Some(*until)),
		NodeStatus::Unbonding { until } => ("unbonding", Some(*until)),
	};
	StatusJson { name: name.into(), until }
}

fn format_name(format: &ModelFormat) -> &'static str {
	match format {
		ModelFormat::Safetensors => "safetensors",
		ModelFormat::Onnx => "onnx",
		ModelFormat::Gguf => "gguf",
		ModelFormat::PyTorch => "pytorch",
	}
}

impl<C> Nodes<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ComputeNodesApi<Block, AccountId, NodeInfo<Runtime>>
		+ InferenceApi<
			Block,
			Balance,
			pallet_inference::Job<Runtime>,
			pallet_inference::InferenceOutput<Runtime>,
		> + TrainingApi<
			Block,
			Balance,
			pallet_training::Round<Runtime>,
			pallet_training::RoundResult<Runtime>,
		> + RewardsApi<Block, AccountId, Balance>,
{
	/// `info` in JSON, with its earnings and work read at `at`.
	fn node_json(&self, at: Hash, id: u64, info: NodeInfo<Runtime>) -> RpcResult<NodeJson> {
		let api = self.client.runtime_api();
		let runtime = runtime_error(error_code::RUNTIME);
		let earnings = RewardsApi::node_earnings(&*api, at, id).map_err(&runtime)?;
		let jobs = InferenceApi::assigned(&*api, at, id).map_err(&runtime)?;
		let rounds = TrainingApi::involved(&*api, at, id).map_err(&runtime)?;
		let peer_id = PeerId::from_bytes(&info.peer_id)
			.map_or_else(|_| hex(&info.peer_id), |peer| peer.to_base58());
		Ok(NodeJson {
			id,
			owner: info.owner.to_ss58check(),
			worker_key: hex(info.worker_key.as_ref()),
			peer_id,
			status: status_json(&info.status),
			reputation: fraction(info.reputation),
			bond: info.bond.to_string(),
			registered_at: info.registered_at,
			last_heartbeat: info.last_heartbeat,
			cores: info.capabilities.cores,
			memory_mib: info.capabilities.memory_mib,
			accelerator: info
				.capabilities
				.accelerator
				.map(|text| String::from_utf8_lossy(&text).into_owned()),
			formats: info.capabilities.formats.iter().map(|f| format_name(f).into()).collect(),
			earnings: earnings.to_string(),
			jobs,
			rounds,
			work_done: WorkDoneJson {
				jobs: info.work_done.jobs,
				rounds: info.work_done.rounds,
				committees: info.work_done.committees,
			},
		})
	}
}

impl<C> NodesApiServer<Hash> for Nodes<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ComputeNodesApi<Block, AccountId, NodeInfo<Runtime>>
		+ InferenceApi<
			Block,
			Balance,
			pallet_inference::Job<Runtime>,
			pallet_inference::InferenceOutput<Runtime>,
		> + TrainingApi<
			Block,
			Balance,
			pallet_training::Round<Runtime>,
			pallet_training::RoundResult<Runtime>,
		> + RewardsApi<Block, AccountId, Balance>,
{
	fn node(&self, id: u64, at: Option<Hash>) -> RpcResult<NodeJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let info = ComputeNodesApi::node(&*self.client.runtime_api(), at, id)
			.map_err(runtime_error(error_code::RUNTIME))?
			.ok_or_else(|| error(error_code::NOT_FOUND, format!("no compute node has id {id}")))?;
		self.node_json(at, id, info)
	}

	fn list(&self, start: Option<u64>, limit: Option<u32>, at: Option<Hash>) -> RpcResult<NodesJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let limit = limit.unwrap_or(MAX_LIST).min(MAX_LIST);
		let nodes = ComputeNodesApi::nodes(&*self.client.runtime_api(), at, start.unwrap_or(0), limit)
			.map_err(runtime_error(error_code::RUNTIME))?;
		let nodes = nodes
			.into_iter()
			.map(|(id, info)| self.node_json(at, id, info))
			.collect::<RpcResult<_>>()?;
		Ok(NodesJson { nodes })
	}
}

impl<C> RewardsRpcApiServer<Hash> for Nodes<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: RewardsApi<Block, AccountId, Balance>,
{
	fn status(&self, at: Option<Hash>) -> RpcResult<RewardsJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let RewardsStatus {
			pot,
			pot_balance,
			pot_available,
			emission_per_block,
			author_share,
			genesis_issuance,
			minted,
			burnt,
			total_issuance,
		} = RewardsApi::status(&*self.client.runtime_api(), at)
			.map_err(runtime_error(error_code::RUNTIME))?;
		Ok(RewardsJson {
			pot: pot.to_ss58check(),
			pot_balance: pot_balance.to_string(),
			pot_available: pot_available.to_string(),
			emission_per_block: emission_per_block.to_string(),
			author_share: fraction(author_share),
			genesis_issuance: genesis_issuance.to_string(),
			minted: minted.to_string(),
			burnt: burnt.to_string(),
			total_issuance: total_issuance.to_string(),
		})
	}
}
