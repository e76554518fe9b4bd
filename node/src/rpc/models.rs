//! `models_*`: the model registry's queries in readable JSON.
//!
//! Each method resolves its arguments and calls the `ModelRegistryApi` runtime API at the best
//! block (or at `at`), then turns the SCALE answer into JSON: ids as numbers, hashes as `0x` hex,
//! accounts as SS58 addresses, metric values as exact decimal strings, derivations as
//! `finetune`, `merge`, ... A version may be given as its id (`42`) or as a reference
//! (`"mnist-mlp@production"`, `"mnist-mlp@latest"`, `"7@v3"`); a model as its id or name.
//! Every answer is a JSON object (lists are fields of it), which polkadot.js's `Json` type
//! keeps intact.

use super::{error, hex, runtime_error};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_model_registry::{
	metric_to_decimal, ConfigRef, Contributors, DerivationPath, Lineage, ModelDetails, Producer,
	ResolveError, VersionDetails, VersionId,
};
use pallet_model_registry_runtime_api::ModelRegistryApi;
use parking_lot::Mutex;
use polkadot_sdk::{
	sp_api::ProvideRuntimeApi,
	sp_blockchain::HeaderBackend,
	sp_core::crypto::Ss58Codec,
	sp_runtime::traits::Block as BlockT,
};
use schnellru::{ByLength, LruMap};
use serde::{Deserialize, Serialize};
use serde_json::value::{to_raw_value, RawValue};
use std::{marker::PhantomData, sync::Arc};
use swarm_runtime::{opaque::Block, AccountId, BlockNumber, Runtime};

/// The deepest lineage walk asked for when the caller gives no depth.
const DEFAULT_DEPTH: u32 = 1_000;

/// How many versions `models_versions` returns when the caller gives no limit.
const DEFAULT_VERSIONS_LIMIT: u32 = 100;

/// How many ancestor walks the node remembers.
const ANCESTORS_CACHE_ENTRIES: u32 = 1_024;

/// Error codes of the `models_*` methods.
pub mod error_code {
	/// The version or model reference does not name anything.
	pub const NOT_FOUND: i32 = 4_001;
	/// The reference is not `<id>` or `<model>@<tag>`.
	pub const MALFORMED_REFERENCE: i32 = 4_002;
	/// The runtime could not answer (e.g. the block is unknown or pruned).
	pub const RUNTIME: i32 = 4_003;
}

/// A version as the caller names it: `42` or `"mnist-mlp@production"`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum VersionParam {
	/// By id.
	Id(VersionId),
	/// By reference: `"42"`, `"<model>@<alias|latest|v<n>>"`.
	Reference(String),
}

/// A model as the caller names it: `7` or `"mnist-mlp"`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ModelParam {
	/// By id.
	Id(u64),
	/// By name (or id in decimal).
	Name(String),
}

/// A model, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ModelJson {
	pub id: u64,
	pub name: String,
	pub owner: String,
	pub licence: String,
	pub description: String,
	pub derivation_policy: String,
	pub created_at: BlockNumber,
	pub version_count: u32,
	pub alias_count: u32,
}

/// A parent edge, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ParentJson {
	pub id: VersionId,
	pub derivation: String,
}

/// A metric, in JSON: the value as an exact decimal string (nine decimals at most).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MetricJson {
	pub name: String,
	pub value: String,
}

/// A version's configuration, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ConfigJson {
	/// The bytes, as hex, and as text when they are UTF-8.
	Inline { bytes: String, text: Option<String> },
	/// The hash of bytes kept elsewhere.
	Hash { hash: String },
}

/// Who produced a version, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub enum ProducerJson {
	Account(String),
	Round(u64),
}

/// A version, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VersionJson {
	pub id: VersionId,
	pub model: u64,
	pub model_name: String,
	pub number: u32,
	/// `<model name>@v<number>`: a reference that always names this version.
	pub reference: String,
	pub weights_hash: String,
	pub weights_size: u64,
	pub config: ConfigJson,
	pub metrics: Vec<MetricJson>,
	pub parents: Vec<ParentJson>,
	pub producer: ProducerJson,
	pub publisher: String,
	pub published_at: BlockNumber,
	pub deprecated_at: Option<BlockNumber>,
	/// Set when a dispute overturned the version (its round's aggregation was wrong).
	pub overturned: Option<OverturnedJson>,
	pub aliases: Vec<String>,
}

/// A dispute's overturning of a version, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OverturnedJson {
	/// The training round that published it.
	pub round: u64,
	/// The version published in its place, if one was.
	pub corrected: Option<VersionId>,
	/// The block in which it was overturned.
	pub at: BlockNumber,
}

/// One version in a lineage walk, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LineageNodeJson {
	pub id: VersionId,
	pub model: u64,
	pub number: u32,
	pub weights_hash: String,
	pub depth: u32,
	pub parents: Vec<ParentJson>,
}

/// An ancestors or descendants walk, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LineageJson {
	pub version: VersionId,
	pub nodes: Vec<LineageNodeJson>,
	pub truncated: bool,
}

/// One derivation step, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StepJson {
	pub parent: VersionId,
	pub child: VersionId,
	pub derivation: String,
}

/// The derivation path between two versions, in JSON. `related` is false (and the rest empty)
/// when neither version descends from the other.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PathJson {
	pub related: bool,
	pub ancestor: Option<VersionId>,
	pub descendant: Option<VersionId>,
	pub steps: Vec<StepJson>,
}

/// A page of a model's versions, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VersionsJson {
	pub model: u64,
	pub model_name: String,
	pub version_count: u32,
	pub versions: Vec<VersionJson>,
}

/// The contributors to a version's ancestry, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ContributorsJson {
	pub version: VersionId,
	pub accounts: Vec<String>,
	pub rounds: Vec<u64>,
	pub versions: u32,
	pub truncated: bool,
}

/// A version's Hugging Face model card, in JSON: the `README.md` text and its file name.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CardJson {
	pub version: VersionId,
	/// `<model name>@v<number>`.
	pub reference: String,
	/// `README.md`, the name the Hugging Face Hub and tools read a card from.
	pub file_name: String,
	/// The card: YAML front matter, then Markdown.
	pub card: String,
}

/// The `models_*` JSON-RPC methods.
#[rpc(server, namespace = "models")]
pub trait ModelsApi<BlockHash> {
	/// A model by id or name.
	#[method(name = "model")]
	fn model(&self, model: ModelParam, at: Option<BlockHash>) -> RpcResult<ModelJson>;

	/// A version by id or reference (`"mnist-mlp@production"`).
	#[method(name = "version")]
	fn version(&self, version: VersionParam, at: Option<BlockHash>) -> RpcResult<VersionJson>;

	/// The versions of a model, by number from `start` (default 1), at most `limit` (default
	/// 100; at most the runtime's `MaxLineageResults`): page with `start`.
	#[method(name = "versions")]
	fn versions(
		&self,
		model: ModelParam,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<VersionsJson>;

	/// A version and its ancestors up to `depth` derivation steps (default 1,000): a
	/// [`LineageJson`].
	#[method(name = "ancestors")]
	fn ancestors(
		&self,
		version: VersionParam,
		depth: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Box<RawValue>>;

	/// A version and its descendants up to `depth` derivation steps (default 1,000).
	#[method(name = "descendants")]
	fn descendants(
		&self,
		version: VersionParam,
		depth: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<LineageJson>;

	/// The shortest derivation path between two versions, whichever is the ancestor;
	/// `related: false` if neither descends from the other.
	#[method(name = "path")]
	fn path(
		&self,
		from: VersionParam,
		to: VersionParam,
		at: Option<BlockHash>,
	) -> RpcResult<PathJson>;

	/// Every account and training round that contributed to a version's ancestry.
	#[method(name = "contributors")]
	fn contributors(
		&self,
		version: VersionParam,
		at: Option<BlockHash>,
	) -> RpcResult<ContributorsJson>;

	/// A version's Hugging Face model card (`README.md` with YAML front matter: `license`,
	/// `base_model` and `base_model_relation` from its parents, `tags`, `model-index` from its
	/// metrics, and a `swarmchain` section with its id, weights hash, block and producer).
	#[method(name = "card")]
	fn card(&self, version: VersionParam, at: Option<BlockHash>) -> RpcResult<CardJson>;
}

/// Implements [`ModelsApiServer`] over a client's runtime API.
///
/// The ancestors of a finalized version can never change: versions are immutable and their
/// parents were published (and finalized) before them. So `models_ancestors` walks a finalized
/// version's lineage in the finalized state once and remembers the answer, as JSON text; later
/// queries, at any later block, are served from memory.
pub struct Models<C> {
	client: Arc<C>,
	ancestors: Arc<Mutex<LruMap<(VersionId, u32), Box<RawValue>>>>,
	_marker: PhantomData<Block>,
}

impl<C> Models<C> {
	/// Serves the queries of `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self {
			client,
			ancestors: Arc::new(Mutex::new(LruMap::new(ByLength::new(ANCESTORS_CACHE_ENTRIES)))),
			_marker: PhantomData,
		}
	}
}

/// `value` as JSON text.
fn raw_json(value: &impl Serialize) -> RpcResult<Box<RawValue>> {
	to_raw_value(value)
		.map_err(|e| error(error_code::RUNTIME, format!("cannot encode the answer: {e}")))
}

fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

fn ss58(account: &AccountId) -> String {
	account.to_ss58check()
}

fn derivation(d: pallet_model_registry::Derivation) -> String {
	d.as_str().to_string()
}

fn parents(parents: &[(VersionId, pallet_model_registry::Derivation)]) -> Vec<ParentJson> {
	parents.iter().map(|(id, d)| ParentJson { id: *id, derivation: derivation(*d) }).collect()
}

fn model_json(details: ModelDetails<Runtime>) -> ModelJson {
	let info = details.info;
	ModelJson {
		id: details.id,
		name: text(&info.name),
		owner: ss58(&info.owner),
		licence: text(&info.licence),
		description: text(&info.description),
		derivation_policy: match info.derivation_policy {
			pallet_model_registry::DerivationPolicy::Open => "open",
			pallet_model_registry::DerivationPolicy::OwnerOnly => "owner_only",
		}
		.into(),
		created_at: info.created_at,
		version_count: info.version_count,
		alias_count: info.alias_count,
	}
}

fn version_json(details: VersionDetails<Runtime>) -> VersionJson {
	let info = details.info;
	let model_name = text(&details.model_name);
	VersionJson {
		id: details.id,
		model: info.model,
		reference: format!("{model_name}@v{}", info.number),
		model_name,
		number: info.number,
		weights_hash: hex(info.weights_hash.as_bytes()),
		weights_size: info.weights_size,
		config: match info.config {
			ConfigRef::Inline(bytes) => ConfigJson::Inline {
				bytes: hex(&bytes),
				text: String::from_utf8(bytes.into_inner()).ok(),
			},
			ConfigRef::Hash(hash) => ConfigJson::Hash { hash: hex(hash.as_bytes()) },
		},
		metrics: info
			.metrics
			.iter()
			.map(|m| MetricJson { name: text(&m.name), value: metric_to_decimal(m.value) })
			.collect(),
		parents: parents(&info.parents),
		producer: match info.producer {
			Producer::Account(who) => ProducerJson::Account(ss58(&who)),
			Producer::Round(round) => ProducerJson::Round(round),
		},
		publisher: ss58(&info.publisher),
		published_at: info.published_at,
		deprecated_at: details.deprecated_at,
		overturned: details.overturned.map(|o| OverturnedJson {
			round: o.round,
			corrected: o.corrected,
			at: o.at,
		}),
		aliases: details.aliases.iter().map(|a| text(a)).collect(),
	}
}

fn lineage_json(version: VersionId, lineage: Lineage) -> LineageJson {
	LineageJson {
		version,
		nodes: lineage
			.nodes
			.into_iter()
			.map(|n| LineageNodeJson {
				id: n.id,
				model: n.model,
				number: n.number,
				weights_hash: hex(n.weights_hash.as_bytes()),
				depth: n.depth,
				parents: parents(&n.parents),
			})
			.collect(),
		truncated: lineage.truncated,
	}
}

fn path_json(path: Option<DerivationPath>) -> PathJson {
	match path {
		Some(path) => PathJson {
			related: true,
			ancestor: Some(path.ancestor),
			descendant: Some(path.descendant),
			steps: path
				.steps
				.into_iter()
				.map(|s| StepJson {
					parent: s.parent,
					child: s.child,
					derivation: derivation(s.derivation),
				})
				.collect(),
		},
		None => PathJson { related: false, ancestor: None, descendant: None, steps: Vec::new() },
	}
}

fn contributors_json(version: VersionId, c: Contributors<AccountId>) -> ContributorsJson {
	ContributorsJson {
		version,
		accounts: c.accounts.iter().map(ss58).collect(),
		rounds: c.rounds,
		versions: c.versions,
		truncated: c.truncated,
	}
}

type Hash = <Block as BlockT>::Hash;

impl<C> Models<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ModelRegistryApi<Block, AccountId, ModelDetails<Runtime>, VersionDetails<Runtime>>,
{
	fn at(&self, at: Option<Hash>) -> Hash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}

	/// The id of the version `version` names, at block `at`.
	fn resolve(&self, at: Hash, version: &VersionParam) -> RpcResult<VersionId> {
		let reference = match version {
			VersionParam::Id(id) => id.to_string(),
			VersionParam::Reference(text) => text.clone(),
		};
		// A bare id needs no lookup: the query that follows says whether it exists.
		if let Ok(id) = reference.parse::<VersionId>() {
			return Ok(id);
		}
		match self.client.runtime_api().resolve(at, reference.clone().into_bytes()) {
			Ok(Ok(id)) => Ok(id),
			Ok(Err(ResolveError::Malformed)) => Err(error(
				error_code::MALFORMED_REFERENCE,
				format!(
					"`{reference}` is not a version reference: use a version id (42) or \
					 <model>@<alias>, <model>@latest, <model>@v<number>"
				),
			)),
			Ok(Err(ResolveError::UnknownModel)) => {
				Err(error(error_code::NOT_FOUND, format!("`{reference}`: no such model")))
			},
			Ok(Err(ResolveError::UnknownVersion)) => {
				Err(error(error_code::NOT_FOUND, format!("`{reference}`: no such version")))
			},
			Err(e) => Err(runtime_error(error_code::RUNTIME)(e)),
		}
	}

	fn model_details(&self, at: Hash, model: &ModelParam) -> RpcResult<ModelDetails<Runtime>> {
		let api = self.client.runtime_api();
		let found = match model {
			ModelParam::Id(id) => api.model(at, *id),
			ModelParam::Name(name) => match name.parse::<u64>() {
				Ok(id) => api.model(at, id),
				Err(_) => api.model_by_name(at, name.clone().into_bytes()),
			},
		}
		.map_err(runtime_error(error_code::RUNTIME))?;
		found.ok_or_else(|| {
			let shown = match model {
				ModelParam::Id(id) => id.to_string(),
				ModelParam::Name(name) => name.clone(),
			};
			error(error_code::NOT_FOUND, format!("`{shown}`: no such model"))
		})
	}

	/// A version's details, or the error that names it missing.
	fn version_details(&self, at: Hash, id: VersionId) -> RpcResult<VersionDetails<Runtime>> {
		self.client
			.runtime_api()
			.version(at, id)
			.map_err(runtime_error(error_code::RUNTIME))?
			.ok_or_else(|| error(error_code::NOT_FOUND, format!("version {id}: no such version")))
	}
}

/// The architecture a version's configuration names (`mlp`, `cnn`), and whether the engine
/// runs it (its models are image classifiers).
fn architecture(config: &ConfigRef<Runtime>) -> (Option<String>, bool) {
	let ConfigRef::Inline(bytes) = config else { return (None, false) };
	if let Ok(engine) = swarm_ml::ModelConfig::from_canonical_bytes(bytes) {
		return (Some(engine.kind().to_string()), true);
	}
	let kind = serde_json::from_slice::<serde_json::Value>(bytes)
		.ok()
		.and_then(|json| json.get("kind").and_then(|k| k.as_str()).map(str::to_string));
	(kind, false)
}

impl<C> ModelsApiServer<Hash> for Models<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ModelRegistryApi<Block, AccountId, ModelDetails<Runtime>, VersionDetails<Runtime>>,
{
	fn model(&self, model: ModelParam, at: Option<Hash>) -> RpcResult<ModelJson> {
		let at = self.at(at);
		self.model_details(at, &model).map(model_json)
	}

	fn version(&self, version: VersionParam, at: Option<Hash>) -> RpcResult<VersionJson> {
		let at = self.at(at);
		let id = self.resolve(at, &version)?;
		self.version_details(at, id).map(version_json)
	}

	fn versions(
		&self,
		model: ModelParam,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<VersionsJson> {
		let at = self.at(at);
		let details = self.model_details(at, &model)?;
		let versions = self
			.client
			.runtime_api()
			.versions(at, details.id, start.unwrap_or(1), limit.unwrap_or(DEFAULT_VERSIONS_LIMIT))
			.map_err(runtime_error(error_code::RUNTIME))?;
		Ok(VersionsJson {
			model: details.id,
			model_name: text(&details.info.name),
			version_count: details.info.version_count,
			versions: versions.into_iter().map(version_json).collect(),
		})
	}

	fn ancestors(
		&self,
		version: VersionParam,
		depth: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Box<RawValue>> {
		let depth = depth.unwrap_or(DEFAULT_DEPTH);
		let block = self.at(at);
		let id = self.resolve(block, &version)?;
		// At the best block, a finalized version's ancestry is the finalized one, which never
		// changes: walk it once in the finalized state and remember it. (A runtime API instance
		// answers about one block only: each block gets its own.)
		if at.is_none() {
			if let Some(known) = self.ancestors.lock().get(&(id, depth)) {
				return Ok(known.clone());
			}
			let finalized = self.client.info().finalized_hash;
			if let Some(lineage) = self
				.client
				.runtime_api()
				.ancestors(finalized, id, depth)
				.map_err(runtime_error(error_code::RUNTIME))?
			{
				let json = raw_json(&lineage_json(id, lineage))?;
				self.ancestors.lock().insert((id, depth), json.clone());
				return Ok(json);
			}
		}
		let api = self.client.runtime_api();
		let lineage = api
			.ancestors(block, id, depth)
			.map_err(runtime_error(error_code::RUNTIME))?
			.ok_or_else(|| {
				error(error_code::NOT_FOUND, format!("version {id}: no such version"))
			})?;
		raw_json(&lineage_json(id, lineage))
	}

	fn descendants(
		&self,
		version: VersionParam,
		depth: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<LineageJson> {
		let at = self.at(at);
		let id = self.resolve(at, &version)?;
		let lineage = self
			.client
			.runtime_api()
			.descendants(at, id, depth.unwrap_or(DEFAULT_DEPTH))
			.map_err(runtime_error(error_code::RUNTIME))?
			.ok_or_else(|| {
				error(error_code::NOT_FOUND, format!("version {id}: no such version"))
			})?;
		Ok(lineage_json(id, lineage))
	}

	fn path(&self, from: VersionParam, to: VersionParam, at: Option<Hash>) -> RpcResult<PathJson> {
		let at = self.at(at);
		let (a, b) = (self.resolve(at, &from)?, self.resolve(at, &to)?);
		let path = self
			.client
			.runtime_api()
			.derivation_path(at, a, b)
			.map_err(runtime_error(error_code::RUNTIME))?;
		// The runtime answers no path both for unrelated versions and for a missing one: "not
		// related" is for two versions that exist, a missing one is named.
		if path.is_none() {
			for id in [a, b] {
				if self
					.client
					.runtime_api()
					.version(at, id)
					.map_err(runtime_error(error_code::RUNTIME))?
					.is_none()
				{
					return Err(error(
						error_code::NOT_FOUND,
						format!("version {id}: no such version"),
					));
				}
			}
		}
		Ok(path_json(path))
	}

	fn contributors(&self, version: VersionParam, at: Option<Hash>) -> RpcResult<ContributorsJson> {
		let at = self.at(at);
		let id = self.resolve(at, &version)?;
		let contributors = self
			.client
			.runtime_api()
			.contributors(at, id)
			.map_err(runtime_error(error_code::RUNTIME))?
			.ok_or_else(|| {
				error(error_code::NOT_FOUND, format!("version {id}: no such version"))
			})?;
		Ok(contributors_json(id, contributors))
	}

	fn card(&self, version: VersionParam, at: Option<Hash>) -> RpcResult<CardJson> {
		use swarm_ml::card::{BaseModel, ChainRecord, Metric, ModelCard};
		let at = self.at(at);
		let id = self.resolve(at, &version)?;
		let details = self.version_details(at, id)?;
		let model = self.model_details(at, &ModelParam::Id(details.info.model))?;
		let base_models = details
			.info
			.parents
			.iter()
			.map(|(parent, derivation)| {
				let parent = self.version_details(at, *parent)?;
				Ok(BaseModel {
					reference: format!("{}@v{}", text(&parent.model_name), parent.info.number),
					derivation: derivation.as_str().to_string(),
				})
			})
			.collect::<RpcResult<Vec<_>>>()?;
		let contributors = self
			.client
			.runtime_api()
			.contributors(at, id)
			.map_err(runtime_error(error_code::RUNTIME))?
			.map(|c| c.accounts.iter().map(ss58).collect())
			.unwrap_or_default();
		let round = match details.info.producer {
			Producer::Round(round) => Some(round),
			Producer::Account(_) => None,
		};
		let (architecture, image_classification) = architecture(&details.info.config);
		let reference = format!("{}@v{}", text(&details.model_name), details.info.number);
		let card = ModelCard {
			name: reference.clone(),
			description: text(&model.info.description),
			licence: Some(text(&model.info.licence)),
			architecture,
			image_classification,
			base_models,
			metrics: details
				.info
				.metrics
				.iter()
				.map(|m| Metric { name: text(&m.name), value: metric_to_decimal(m.value) })
				.collect(),
			evaluated_on: round.map(|round| {
				("swarmchain-validation".into(), format!("the validation set of training round {round}"))
			}),
			weights_hash: hex(details.info.weights_hash.as_bytes()),
			weights_size: Some(details.info.weights_size),
			weights_file: None,
			chain: Some(ChainRecord {
				version_id: id,
				model_id: details.info.model,
				block: details.info.published_at,
				publisher: ss58(&details.info.publisher),
				round,
				contributors,
				overturned_at: details.overturned.map(|o| o.at),
				deprecated_at: details.deprecated_at,
				aliases: details.aliases.iter().map(|a| text(a)).collect(),
			}),
		};
		Ok(CardJson { version: id, reference, file_name: "README.md".into(), card: card.render() })
	}
}
