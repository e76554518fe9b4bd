//! `jobs_*`: inference jobs in readable JSON.
//!
//! Each method calls the `InferenceApi` runtime API at the best block (or at `at`) and turns the
//! SCALE answer into JSON: ids and block numbers as numbers, hashes as `0x` hex, accounts as SS58
//! addresses, balances as decimal strings (planck), phases and outcomes as lower-case words.
//! Scores are Q15.16 integers (`logitScale` = 65536), exactly as the nodes agreed on them and as
//! `swarm-ml infer --json` prints them.

use super::{error, hex, runtime_error};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_inference::{FailReason, InferenceOutput, Job, JobInput, Outcome, Phase};
use pallet_inference_runtime_api::InferenceApi;
use polkadot_sdk::{
	sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend, sp_core::crypto::Ss58Codec,
	sp_runtime::traits::Block as BlockT,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use polkadot_sdk::sp_core::{Get, H256};
use swarm_primitives::commit_reveal::Vote;
use swarm_runtime::{opaque::Block, Balance, BlockNumber, Runtime};

/// The scale of the Q15.16 scores: a score `q` is the logit `q / 65536`.
pub const LOGIT_SCALE: u32 = 65_536;

/// Error codes of the `jobs_*` methods.
pub mod error_code {
	/// No stored job has this id (never requested, or removed after its retention period).
	pub const NOT_FOUND: i32 = 4_301;
	/// The job has no agreed result (not settled yet, or failed).
	pub const NO_RESULT: i32 = 4_302;
	/// The runtime could not answer (e.g. the block is unknown or pruned).
	pub const RUNTIME: i32 = 4_303;
}

/// A seat of a job, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SeatJson {
	pub node: u64,
	/// `pending`, `committed` or `revealed`.
	pub vote: String,
	/// The revealed result hash, once revealed.
	pub result: Option<String>,
}

/// How a node's seat ended, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OutcomeJson {
	pub node: u64,
	/// `agreed`, `outvoted`, `inconclusive`, `missedReveal` or `missedCommit`.
	pub outcome: String,
}

/// Where a job stands, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PhaseJson {
	/// `commit`, `reveal`, `settled`, `disputed`, `paid` or `failed`.
	pub name: String,
	/// The last block of the commit or reveal window.
	pub until: Option<BlockNumber>,
	/// The agreed result hash (settled, disputed: the challenged one, paid: the final one).
	pub result: Option<String>,
	/// The block in which the agreeing nodes are paid unless challenged before (settled).
	pub payout_at: Option<BlockNumber>,
	/// Why it failed: `noQuorum`, `tooFewCommits` or `disputeUnresolved`.
	pub reason: Option<String>,
}

/// A challenge of a job's settled result, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DisputeJson {
	pub challenger: String,
	pub bond: String,
	/// The result the challenger says is right, if it said.
	pub claimed: Option<String>,
	pub opened_at: BlockNumber,
	/// 1, or 2 once a committee without quorum was replaced.
	pub level: u32,
	/// The committee's fee.
	pub fee: String,
	pub quorum: u32,
	/// `commit`, `reveal` or `resolved`.
	pub stage: String,
	/// The last block of the committee's commit or reveal window.
	pub until: Option<BlockNumber>,
	/// Once resolved: `confirmed`, `overturned` or `unresolved`.
	pub verdict: Option<String>,
	/// The corrected result hash, when overturned.
	pub corrected: Option<String>,
	/// The block of the decision.
	pub resolved_at: Option<BlockNumber>,
	/// The current committee's seats.
	pub seats: Vec<SeatJson>,
	/// How the seats of every committee ended.
	pub outcomes: Vec<OutcomeJson>,
}

/// A job, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JobJson {
	pub id: u64,
	pub requester: String,
	pub version: u64,
	pub model: u64,
	pub owner: String,
	pub weights_hash: String,
	pub samples: u32,
	/// The input file's hash, when the samples are in a file.
	pub input_file: Option<String>,
	pub classes: u32,
	pub replicas: u32,
	pub quorum: u32,
	pub price: String,
	pub node_fee: String,
	pub requested_at: BlockNumber,
	pub timeout: BlockNumber,
	pub phase: PhaseJson,
	pub seats: Vec<SeatJson>,
	/// Nodes that lost their seat for missing the commit window.
	pub replaced: Vec<u64>,
	pub outcomes: Vec<OutcomeJson>,
	/// The challenge of its result, if there was one.
	pub dispute: Option<DisputeJson>,
}

/// An agreed result, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResultJson {
	pub job: u64,
	/// The hash the nodes agreed on, as `swarm-ml infer` prints it (`output_hash`).
	pub output_hash: String,
	/// The predicted class of each sample.
	pub labels: Vec<u32>,
	/// Each sample's class scores, Q15.16, sample after sample.
	pub logits_fixed: Vec<i32>,
	pub logit_scale: u32,
	pub classes: u32,
}

/// The newest stored jobs, in JSON, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JobsJson {
	pub jobs: Vec<JobJson>,
}

/// How many jobs `jobs_recent` returns when the caller gives no limit.
const DEFAULT_RECENT: u32 = 20;
/// The most jobs `jobs_recent` returns.
const MAX_RECENT: u32 = 100;

/// The jobs of a node, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AssignedJson {
	pub node: u64,
	pub jobs: Vec<u64>,
}

/// What a request costs now, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QuoteJson {
	pub version: u64,
	pub replicas: u32,
	/// The owner's price.
	pub price: String,
	/// The nodes' fee (replicas × the fee per replica).
	pub node_fee: String,
	/// What the request holds in escrow: pass at least this as `maxFee`.
	pub total: String,
}

/// What a challenge holds now, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DisputeTermsJson {
	/// The bond a challenger places (forfeited if the result stands).
	pub bond: String,
	/// The seats of the committee that re-executes the job.
	pub replicas: u32,
	/// The committee's fee (replicas × the fee per replica), which the bond covers.
	pub committee_fee: String,
}

impl DisputeTermsJson {
	/// The terms of a bond and `replicas` seats at `seat_fee` each.
	pub fn new(bond: Balance, replicas: u32, seat_fee: Balance) -> Self {
		DisputeTermsJson {
			bond: bond.to_string(),
			replicas,
			committee_fee: seat_fee.saturating_mul(replicas.into()).to_string(),
		}
	}
}

/// The `jobs_*` JSON-RPC methods.
#[rpc(server, namespace = "jobs")]
pub trait JobsApi<BlockHash> {
	/// The inference job with this id: its request, seats, phase and outcomes.
	#[method(name = "job")]
	fn job(&self, id: u64, at: Option<BlockHash>) -> RpcResult<JobJson>;

	/// The agreed result of a settled job: labels and Q15.16 scores.
	#[method(name = "result")]
	fn result(&self, id: u64, at: Option<BlockHash>) -> RpcResult<ResultJson>;

	/// The newest stored jobs (default 20, at most 100), newest first.
	#[method(name = "recent")]
	fn recent(&self, limit: Option<u32>, at: Option<BlockHash>) -> RpcResult<JobsJson>;

	/// The stored jobs in which compute node `node` holds or held a seat.
	#[method(name = "assigned")]
	fn assigned(&self, node: u64, at: Option<BlockHash>) -> RpcResult<AssignedJson>;

	/// What a request of `version` with `replicas` replicas (default 3) holds in escrow now.
	#[method(name = "quote")]
	fn quote(
		&self,
		version: u64,
		replicas: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<QuoteJson>;

	/// What a challenge of a settled job holds now: the bond, the committee's size and fee.
	#[method(name = "disputeTerms")]
	fn dispute_terms(&self, at: Option<BlockHash>) -> RpcResult<DisputeTermsJson>;
}

/// Implements [`JobsApiServer`] over the runtime API.
pub struct Jobs<C> {
	client: Arc<C>,
}

impl<C> Jobs<C> {
	/// Serves the jobs known to `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

type Hash = <Block as BlockT>::Hash;

fn outcome_name(outcome: Outcome) -> &'static str {
	match outcome {
		Outcome::Agreed => "agreed",
		Outcome::Outvoted => "outvoted",
		Outcome::Inconclusive => "inconclusive",
		Outcome::MissedReveal => "missedReveal",
		Outcome::MissedCommit => "missedCommit",
	}
}

fn phase_json(phase: &Phase<BlockNumber>) -> PhaseJson {
	let named = |name: &str| PhaseJson {
		name: name.into(),
		until: None,
		result: None,
		payout_at: None,
		reason: None,
	};
	match phase {
		Phase::Commit { until } => PhaseJson { until: Some(*until), ..named("commit") },
		Phase::Reveal { until } => PhaseJson { until: Some(*until), ..named("reveal") },
		Phase::Settled { result, payout_at } => PhaseJson {
			result: Some(hex(result.as_bytes())),
			payout_at: Some(*payout_at),
			..named("settled")
		},
		Phase::Paid { result } => {
			PhaseJson { result: Some(hex(result.as_bytes())), ..named("paid") }
		},
		Phase::Failed { reason } => PhaseJson {
			reason: Some(
				match reason {
					FailReason::NoQuorum => "noQuorum",
					FailReason::TooFewCommits => "tooFewCommits",
					FailReason::DisputeUnresolved => "disputeUnresolved",
				}
				.into(),
			),
			..named("failed")
		},
		Phase::Disputed { result } => {
			PhaseJson { result: Some(hex(result.as_bytes())), ..named("disputed") }
		},
	}
}

pub(crate) fn seats_json(ballot: &swarm_primitives::commit_reveal::Ballot<H256, impl Get<u32>>) -> Vec<SeatJson> {
	ballot
		.seats()
		.iter()
		.map(|seat| {
			let (vote, result) = match seat.vote {
				Vote::Pending => ("pending", None),
				Vote::Committed(_) => ("committed", None),
				Vote::Revealed(result) => ("revealed", Some(hex(result.as_bytes()))),
			};
			SeatJson { node: seat.node, vote: vote.into(), result }
		})
		.collect()
}

pub(crate) fn outcomes_json(outcomes: &[(u64, Outcome)]) -> Vec<OutcomeJson> {
	outcomes
		.iter()
		.map(|(node, outcome)| OutcomeJson { node: *node, outcome: outcome_name(*outcome).into() })
		.collect()
}

/// A challenge, in JSON: `$dispute` is an inference job's or a training round's dispute (they
/// share these fields, their stage and their verdict).
macro_rules! dispute_json {
	($dispute:expr) => {{
		use swarm_primitives::dispute::{DisputeStage, Verdict};
		let dispute = $dispute;
		let (stage, until, verdict, resolved_at) = match &dispute.stage {
			DisputeStage::Commit { until } => ("commit", Some(*until), None, None),
			DisputeStage::Reveal { until } => ("reveal", Some(*until), None, None),
			DisputeStage::Resolved { verdict, at } => {
				("resolved", None, Some(*verdict), Some(*at))
			},
		};
		let (verdict, corrected) = match verdict {
			Some(Verdict::Confirmed) => (Some("confirmed"), None),
			Some(Verdict::Overturned { corrected }) => {
				(Some("overturned"), Some($crate::rpc::hex(corrected.as_bytes())))
			},
			Some(Verdict::Unresolved) => (Some("unresolved"), None),
			None => (None, None),
		};
		$crate::rpc::jobs::DisputeJson {
			challenger: dispute.challenger.to_ss58check(),
			bond: dispute.bond.to_string(),
			claimed: dispute.claimed.map(|hash| $crate::rpc::hex(hash.as_bytes())),
			opened_at: dispute.opened_at,
			level: dispute.level,
			fee: dispute.fee.to_string(),
			quorum: dispute.quorum,
			stage: stage.into(),
			until,
			verdict: verdict.map(Into::into),
			corrected,
			resolved_at,
			seats: $crate::rpc::jobs::seats_json(&dispute.ballot),
			outcomes: $crate::rpc::jobs::outcomes_json(&dispute.outcomes),
		}
	}};
}
pub(crate) use dispute_json;

/// A job in JSON.
pub fn job_json(id: u64, job: &Job<Runtime>) -> JobJson {
	let input_file = match &job.input {
		JobInput::File { hash, .. } => Some(hex(hash.as_bytes())),
		JobInput::Inline { .. } => None,
	};
	JobJson {
		id,
		requester: job.requester.to_ss58check(),
		version: job.version,
		model: job.model,
		owner: job.owner.to_ss58check(),
		weights_hash: hex(job.weights_hash.as_bytes()),
		samples: job.input.samples(),
		input_file,
		classes: job.classes,
		replicas: job.ballot.seats().len() as u32,
		quorum: job.quorum,
		price: job.price.to_string(),
		node_fee: job.node_fee.to_string(),
		requested_at: job.requested_at,
		timeout: job.timeout,
		phase: phase_json(&job.phase),
		seats: seats_json(&job.ballot),
		replaced: job.replaced.to_vec(),
		outcomes: outcomes_json(&job.outcomes),
		dispute: job.dispute.as_ref().map(|dispute| dispute_json!(dispute)),
	}
}

impl<C> JobsApiServer<Hash> for Jobs<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: InferenceApi<Block, Balance, Job<Runtime>, InferenceOutput<Runtime>>,
{
	fn job(&self, id: u64, at: Option<Hash>) -> RpcResult<JobJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let job = self
			.client
			.runtime_api()
			.job(at, id)
			.map_err(runtime_error(error_code::RUNTIME))?
			.ok_or_else(|| error(error_code::NOT_FOUND, format!("no stored job has id {id}")))?;
		Ok(job_json(id, &job))
	}

	fn result(&self, id: u64, at: Option<Hash>) -> RpcResult<ResultJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let api = self.client.runtime_api();
		let job = api
			.job(at, id)
			.map_err(runtime_error(error_code::RUNTIME))?
			.ok_or_else(|| error(error_code::NOT_FOUND, format!("no stored job has id {id}")))?;
		let output =
			api.result(at, id).map_err(runtime_error(error_code::RUNTIME))?.ok_or_else(|| {
				error(
					error_code::NO_RESULT,
					format!("job {id} has no agreed result: it is {}", phase_json(&job.phase).name),
				)
			})?;
		Ok(ResultJson {
			job: id,
			output_hash: hex(output.hash().as_bytes()),
			labels: output.labels.to_vec(),
			logits_fixed: output.logits.to_vec(),
			logit_scale: LOGIT_SCALE,
			classes: job.classes,
		})
	}

	fn recent(&self, limit: Option<u32>, at: Option<Hash>) -> RpcResult<JobsJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let api = self.client.runtime_api();
		let limit = limit.unwrap_or(DEFAULT_RECENT).min(MAX_RECENT);
		let ids = api.recent_jobs(at, limit).map_err(runtime_error(error_code::RUNTIME))?;
		let mut jobs = Vec::with_capacity(ids.len());
		for id in ids {
			if let Some(job) = api.job(at, id).map_err(runtime_error(error_code::RUNTIME))? {
				jobs.push(job_json(id, &job));
			}
		}
		Ok(JobsJson { jobs })
	}

	fn assigned(&self, node: u64, at: Option<Hash>) -> RpcResult<AssignedJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let jobs = self
			.client
			.runtime_api()
			.assigned(at, node)
			.map_err(runtime_error(error_code::RUNTIME))?;
		Ok(AssignedJson { node, jobs })
	}

	fn quote(&self, version: u64, replicas: Option<u32>, at: Option<Hash>) -> RpcResult<QuoteJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let (price, node_fee, replicas) = self
			.client
			.runtime_api()
			.quote(at, version, replicas)
			.map_err(runtime_error(error_code::RUNTIME))?
			.ok_or_else(|| {
				error(
					error_code::NOT_FOUND,
					format!("version {version} does not exist or its owner does not offer it"),
				)
			})?;
		Ok(QuoteJson {
			version,
			replicas,
			price: price.to_string(),
			node_fee: node_fee.to_string(),
			total: price.saturating_add(node_fee).to_string(),
		})
	}

	fn dispute_terms(&self, at: Option<Hash>) -> RpcResult<DisputeTermsJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		// The fees are governed parameters, in the state: only the runtime reads them.
		let (bond, replicas, seat_fee) = self
			.client
			.runtime_api()
			.dispute_terms(at)
			.map_err(runtime_error(error_code::RUNTIME))?;
		Ok(DisputeTermsJson::new(bond, replicas, seat_fee))
	}
}
