//! `rounds_*`: federated training rounds in readable JSON.
//!
//! Each method calls the `TrainingApi` runtime API at the best block (or at `at`) and turns the
//! SCALE answer into JSON: ids and block numbers as numbers, hashes as `0x` hex, accounts as SS58
//! addresses, balances as decimal strings (planck), fixed-point hyper-parameters as decimal
//! strings (`"0.05"`), accuracy in parts per billion and loss in millionths (as the engine and
//! `swarm-ml` print them), phases, verdicts and outcomes as lower-case words.

use super::{
	error, hex,
	jobs::{dispute_json, DisputeJson, DisputeTermsJson},
	runtime_error,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_training::{
	AggregationMethod, Contribution, End, Evaluation, FailReason, InvalidUpdate, Optimizer,
	Outcome, Phase, Round, RoundResult, Verdict,
};
use pallet_training_runtime_api::TrainingApi;
use polkadot_sdk::{
	sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend, sp_core::crypto::Ss58Codec,
	sp_runtime::traits::Block as BlockT,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use swarm_primitives::commit_reveal::Vote;
use swarm_runtime::{opaque::Block, Balance, BlockNumber, Runtime};

/// Error codes of the `rounds_*` methods.
pub mod error_code {
	/// No stored round has this id (never opened, or removed after its retention period).
	pub const NOT_FOUND: i32 = 4_401;
	/// The round has no agreed result (not decided yet, or failed).
	pub const NO_RESULT: i32 = 4_402;
	/// The runtime could not answer (e.g. the block is unknown or pruned).
	pub const RUNTIME: i32 = 4_403;
}

/// How participants train, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TrainingJson {
	pub epochs: u32,
	pub batch_size: u32,
	/// `sgd` or `adamw`.
	pub optimizer: String,
	pub lr: String,
	/// SGD only.
	pub momentum: Option<String>,
	pub weight_decay: String,
}

/// How the committee combines updates, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RuleJson {
	/// `fedavg`, `median`, `trimmed:T`, `krum:F` or `multikrum:F:M`, as `swarm-ml aggregate`
	/// takes it.
	pub method: String,
	/// The clip bound on an update's L2 distance from the base, if any.
	pub clip: Option<String>,
	pub max_samples: u64,
	/// The server momentum step (FedAvgM), if any: learning rate and momentum as decimals.
	pub server_learning_rate: Option<String>,
	pub server_momentum: Option<String>,
}

/// A participant, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantJson {
	pub node: u64,
	/// Samples it trains on (its claim, capped).
	pub samples: u64,
	/// `pending`, `committed` or `revealed`.
	pub vote: String,
	/// Its update file's hash, once revealed.
	pub update: Option<String>,
	/// `accepted`, `outlier`, `invalid`, `unused`, `missedCommit` or `missedReveal`, once decided.
	pub outcome: Option<String>,
	/// Why its update is invalid: `unreadable`, `layout`, `nonFinite`, `aboveClip` or `claim`.
	pub invalid: Option<String>,
}

/// A committee seat, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MemberJson {
	pub node: u64,
	/// `pending`, `committed` or `revealed`.
	pub vote: String,
	/// The revealed result hash, once revealed.
	pub result: Option<String>,
	/// `agreed`, `outvoted`, `inconclusive`, `missedReveal` or `missedCommit`, once decided.
	pub outcome: Option<String>,
}

/// Where a round stands, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PhaseJson {
	/// `join`, `train`, `upload`, `commit`, `reveal`, `publish`, `settled`, `disputed`, `paid` or
	/// `failed`.
	pub name: String,
	/// The last block of the phase's window.
	pub until: Option<BlockNumber>,
	/// The agreed result hash (publish, settled, paid; disputed: the challenged one).
	pub result: Option<String>,
	/// How it ended (settled, disputed, paid): `published`, `notImproved` or `noResult`.
	pub end: Option<String>,
	/// The published version (settled, disputed, paid).
	pub version: Option<u64>,
	/// The block of the payments (settled).
	pub payout_at: Option<BlockNumber>,
	/// Why it failed.
	pub reason: Option<String>,
}

/// A round, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RoundJson {
	pub id: u64,
	pub opener: String,
	pub model: u64,
	/// The version it trains from.
	pub base: u64,
	pub base_weights: String,
	/// The base weights of the campaign's round before (the server momentum's `w_prev`).
	pub previous_weights: Option<String>,
	/// The first round of its campaign, its place in it (from 0) and the campaign's length.
	pub campaign_first: u64,
	pub campaign_index: u32,
	pub campaign_rounds: u32,
	pub training: TrainingJson,
	pub rule: RuleJson,
	pub min_participants: u32,
	pub max_participants: u32,
	pub committee_size: u32,
	pub quorum: u32,
	pub budget: String,
	pub committee_fee: String,
	/// What it holds from the opener now.
	pub held: String,
	pub validation_file: String,
	pub validation_samples: u32,
	/// How far the result's accuracy may fall below the base's, in parts per billion.
	pub tolerance_ppb: u32,
	pub seed: String,
	pub opened_at: BlockNumber,
	pub phase: PhaseJson,
	pub participants: Vec<ParticipantJson>,
	pub committee: Vec<MemberJson>,
	/// The challenge of its settled result, if there was one: the committee that re-runs its
	/// aggregation, and how it resolved.
	pub dispute: Option<DisputeJson>,
}

/// Accuracy and loss, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationJson {
	pub accuracy_ppb: u32,
	pub loss_micro: u64,
}

/// The committee's agreed result, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResultJson {
	pub round: u64,
	pub result_hash: String,
	/// The new weights' file hash, size and evaluation; `null` when no result.
	pub weights: Option<String>,
	pub weights_size: Option<u64>,
	pub evaluation: Option<EvaluationJson>,
	pub base_evaluation: EvaluationJson,
	/// A verdict per revealed update: the participant and `accepted`, `outlier`, `unused` or
	/// `invalid:<reason>`.
	pub verdicts: Vec<(u64, String)>,
}

/// The rounds of a node, or open for joining, in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RoundsJson {
	pub rounds: Vec<u64>,
}

/// The newest stored rounds, in JSON, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RecentRoundsJson {
	pub rounds: Vec<RoundJson>,
}

/// How many rounds `rounds_recent` returns when the caller gives no limit.
const DEFAULT_RECENT: u32 = 20;
/// The most rounds `rounds_recent` returns.
const MAX_RECENT: u32 = 100;

/// The `rounds_*` JSON-RPC methods.
#[rpc(server, namespace = "rounds")]
pub trait RoundsApi<BlockHash> {
	/// The training round with this id: its spec, participants, committee and phase.
	#[method(name = "round")]
	fn round(&self, id: u64, at: Option<BlockHash>) -> RpcResult<RoundJson>;

	/// The newest stored rounds (default 20, at most 100), newest first.
	#[method(name = "recent")]
	fn recent(&self, limit: Option<u32>, at: Option<BlockHash>) -> RpcResult<RecentRoundsJson>;

	/// The rounds compute nodes may join now.
	#[method(name = "open")]
	fn open(&self, at: Option<BlockHash>) -> RpcResult<RoundsJson>;

	/// The participants of a round, with their updates and outcomes.
	#[method(name = "participants")]
	fn participants(&self, id: u64, at: Option<BlockHash>) -> RpcResult<Vec<ParticipantJson>>;

	/// The committee's agreed result of a decided round.
	#[method(name = "result")]
	fn result(&self, id: u64, at: Option<BlockHash>) -> RpcResult<ResultJson>;

	/// The stored rounds in which compute node `node` takes or took part.
	#[method(name = "involved")]
	fn involved(&self, node: u64, at: Option<BlockHash>) -> RpcResult<RoundsJson>;

	/// What a challenge of a settled round holds now: the bond, the dispute committee's size
	/// and fee.
	#[method(name = "disputeTerms")]
	fn dispute_terms(&self, at: Option<BlockHash>) -> RpcResult<DisputeTermsJson>;
}

/// Implements [`RoundsApiServer`] over the runtime API.
pub struct Rounds<C> {
	client: Arc<C>,
}

impl<C> Rounds<C> {
	/// Serves the rounds known to `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

type Hash = <Block as BlockT>::Hash;

/// A fixed-point value in millionths as a decimal string: `50_000` is `"0.05"`.
fn millionths(value: u64) -> String {
	let (whole, part) = (value / 1_000_000, value % 1_000_000);
	if part == 0 {
		return whole.to_string();
	}
	format!("{whole}.{}", format!("{part:06}").trim_end_matches('0'))
}

fn vote_json(vote: Option<&Vote<polkadot_sdk::sp_core::H256>>) -> (String, Option<String>) {
	match vote {
		Some(Vote::Revealed(hash)) => ("revealed".into(), Some(hex(hash.as_bytes()))),
		Some(Vote::Committed(_)) => ("committed".into(), None),
		_ => ("pending".into(), None),
	}
}

fn invalid_name(reason: InvalidUpdate) -> &'static str {
	match reason {
		InvalidUpdate::Unreadable => "unreadable",
		InvalidUpdate::Layout => "layout",
		InvalidUpdate::NonFinite => "nonFinite",
		InvalidUpdate::AboveClip => "aboveClip",
		InvalidUpdate::Claim => "claim",
	}
}

fn outcome_name(outcome: Outcome) -> &'static str {
	match outcome {
		Outcome::Agreed => "agreed",
		Outcome::Outvoted => "outvoted",
		Outcome::Inconclusive => "inconclusive",
		Outcome::MissedReveal => "missedReveal",
		Outcome::MissedCommit => "missedCommit",
	}
}

fn method_name(method: AggregationMethod) -> String {
	match method {
		AggregationMethod::FedAvg => "fedavg".into(),
		AggregationMethod::Median => "median".into(),
		AggregationMethod::TrimmedMean { trim } => format!("trimmed:{trim}"),
		AggregationMethod::Krum { byzantine } => format!("krum:{byzantine}"),
		AggregationMethod::MultiKrum { byzantine, keep } => format!("multikrum:{byzantine}:{keep}"),
	}
}

fn evaluation_json(e: &Evaluation) -> EvaluationJson {
	EvaluationJson { accuracy_ppb: e.accuracy, loss_micro: e.loss }
}

fn phase_json(phase: &Phase<BlockNumber>) -> PhaseJson {
	let mut json = PhaseJson {
		name: phase.name().into(),
		until: phase.window_end(),
		result: None,
		end: None,
		version: None,
		payout_at: None,
		reason: None,
	};
	let mut ended = |end: &End| {
		let (name, version) = match end {
			End::Published { version } => ("published", Some(*version)),
			End::NotImproved => ("notImproved", None),
			End::NoResult => ("noResult", None),
		};
		json.end = Some(name.into());
		json.version = version;
	};
	match phase {
		Phase::Publish { result, .. } => json.result = Some(hex(result.as_bytes())),
		Phase::Settled { end, result, payout_at } => {
			ended(end);
			json.result = Some(hex(result.as_bytes()));
			json.payout_at = Some(*payout_at);
		},
		Phase::Paid { end, result } | Phase::Disputed { end, result } => {
			ended(end);
			json.result = Some(hex(result.as_bytes()));
		},
		Phase::Failed { reason } => {
			json.reason = Some(
				match reason {
					FailReason::TooFewParticipants => "tooFewParticipants",
					FailReason::TooFewUpdates => "tooFewUpdates",
					FailReason::NotEnoughNodes => "notEnoughNodes",
					FailReason::NoQuorum => "noQuorum",
					FailReason::NotPublished => "notPublished",
					FailReason::PublishRefused => "publishRefused",
					FailReason::Cancelled => "cancelled",
					FailReason::DisputeUnresolved => "disputeUnresolved",
				}
				.into(),
			)
		},
		_ => {},
	}
	json
}

fn participants_json(round: &Round<Runtime>) -> Vec<ParticipantJson> {
	round
		.participants
		.iter()
		.map(|p| {
			let (vote, update) = vote_json(round.updates.vote(p.node));
			let (outcome, invalid) = match p.outcome {
				Some(Contribution::Accepted) => (Some("accepted"), None),
				Some(Contribution::Outlier) => (Some("outlier"), None),
				Some(Contribution::Invalid(reason)) => {
					(Some("invalid"), Some(invalid_name(reason)))
				},
				Some(Contribution::Unused) => (Some("unused"), None),
				Some(Contribution::MissedCommit) => (Some("missedCommit"), None),
				Some(Contribution::MissedReveal) => (Some("missedReveal"), None),
				None => (None, None),
			};
			ParticipantJson {
				node: p.node,
				samples: p.samples,
				vote,
				update,
				outcome: outcome.map(Into::into),
				invalid: invalid.map(Into::into),
			}
		})
		.collect()
}

/// A round in JSON.
pub fn round_json(id: u64, round: &Round<Runtime>) -> RoundJson {
	let spec = &round.spec;
	let (optimizer, lr, momentum, weight_decay) = match spec.training.optimizer {
		Optimizer::Sgd { lr, momentum, weight_decay } => {
			("sgd", lr, Some(millionths(momentum.into())), weight_decay)
		},
		Optimizer::AdamW { lr, weight_decay } => ("adamw", lr, None, weight_decay),
	};
	let committee = round
		.committee
		.seats()
		.iter()
		.map(|seat| {
			let (vote, result) = vote_json(Some(&seat.vote));
			let outcome = round
				.committee_outcomes
				.iter()
				.find(|(node, _)| *node == seat.node)
				.map(|(_, outcome)| outcome_name(*outcome).into());
			MemberJson { node: seat.node, vote, result, outcome }
		})
		.collect();
	RoundJson {
		id,
		opener: round.opener.to_ss58check(),
		model: round.model,
		base: spec.base,
		base_weights: hex(round.base_weights.as_bytes()),
		previous_weights: round.previous_weights.map(|hash| hex(hash.as_bytes())),
		campaign_first: round.campaign.first,
		campaign_index: round.campaign.index,
		campaign_rounds: spec.rounds,
		training: TrainingJson {
			epochs: spec.training.epochs,
			batch_size: spec.training.batch_size,
			optimizer: optimizer.into(),
			lr: millionths(lr.into()),
			momentum,
			weight_decay: millionths(weight_decay.into()),
		},
		rule: RuleJson {
			method: method_name(spec.rule.method),
			clip: spec.rule.clip.map(millionths),
			max_samples: spec.rule.max_samples,
			server_learning_rate: spec.rule.server.map(|s| millionths(s.learning_rate.into())),
			server_momentum: spec.rule.server.map(|s| millionths(s.momentum.into())),
		},
		min_participants: spec.min_participants,
		max_participants: spec.max_participants,
		committee_size: spec.committee,
		quorum: round.quorum,
		budget: spec.budget.to_string(),
		committee_fee: round.committee_fee.to_string(),
		held: round.held.to_string(),
		validation_file: hex(&spec.validation.hash),
		validation_samples: spec.validation.samples,
		tolerance_ppb: spec.tolerance.deconstruct(),
		seed: hex(&round.seed),
		opened_at: round.opened_at,
		phase: phase_json(&round.phase),
		participants: participants_json(round),
		committee,
		dispute: round.dispute.as_ref().map(|dispute| dispute_json!(dispute)),
	}
}

/// The agreed result of a round in JSON.
pub fn result_json(id: u64, round: &Round<Runtime>, result: &RoundResult<Runtime>) -> ResultJson {
	let revealed: Vec<u64> =
		pallet_training::Pallet::<Runtime>::revealed(round).map(|(p, _)| p.node).collect();
	let verdicts = revealed
		.into_iter()
		.zip(result.verdicts.iter())
		.map(|(node, verdict)| {
			let name = match verdict {
				Verdict::Accepted => "accepted".into(),
				Verdict::Outlier => "outlier".into(),
				Verdict::Unused => "unused".into(),
				Verdict::Invalid(reason) => format!("invalid:{}", invalid_name(*reason)),
			};
			(node, name)
		})
		.collect();
	ResultJson {
		round: id,
		result_hash: hex(result.hash().as_bytes()),
		weights: result.weights.map(|w| hex(w.hash.as_bytes())),
		weights_size: result.weights.map(|w| w.size),
		evaluation: result.weights.map(|w| evaluation_json(&w.evaluation)),
		base_evaluation: evaluation_json(&result.base),
		verdicts,
	}
}

impl<C> Rounds<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: TrainingApi<Block, Balance, Round<Runtime>, RoundResult<Runtime>>,
{
	fn stored(&self, id: u64, at: Hash) -> RpcResult<Round<Runtime>> {
		self.client
			.runtime_api()
			.round(at, id)
			.map_err(runtime_error(error_code::RUNTIME))?
			.ok_or_else(|| error(error_code::NOT_FOUND, format!("no stored round has id {id}")))
	}
}

impl<C> RoundsApiServer<Hash> for Rounds<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: TrainingApi<Block, Balance, Round<Runtime>, RoundResult<Runtime>>,
{
	fn round(&self, id: u64, at: Option<Hash>) -> RpcResult<RoundJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		Ok(round_json(id, &self.stored(id, at)?))
	}

	fn recent(&self, limit: Option<u32>, at: Option<Hash>) -> RpcResult<RecentRoundsJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let api = self.client.runtime_api();
		let limit = limit.unwrap_or(DEFAULT_RECENT).min(MAX_RECENT);
		let ids = api.recent_rounds(at, limit).map_err(runtime_error(error_code::RUNTIME))?;
		let mut rounds = Vec::with_capacity(ids.len());
		for id in ids {
			if let Some(round) = api.round(at, id).map_err(runtime_error(error_code::RUNTIME))? {
				rounds.push(round_json(id, &round));
			}
		}
		Ok(RecentRoundsJson { rounds })
	}

	fn open(&self, at: Option<Hash>) -> RpcResult<RoundsJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let rounds = self
			.client
			.runtime_api()
			.open_rounds(at)
			.map_err(runtime_error(error_code::RUNTIME))?;
		Ok(RoundsJson { rounds })
	}

	fn participants(&self, id: u64, at: Option<Hash>) -> RpcResult<Vec<ParticipantJson>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		Ok(participants_json(&self.stored(id, at)?))
	}

	fn result(&self, id: u64, at: Option<Hash>) -> RpcResult<ResultJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let round = self.stored(id, at)?;
		let result =
			self.client.runtime_api().result(at, id).map_err(runtime_error(error_code::RUNTIME))?;
		let result = result.ok_or_else(|| {
			error(
				error_code::NO_RESULT,
				format!("round {id} has no agreed result: it is {}", round.phase.name()),
			)
		})?;
		Ok(result_json(id, &round, &result))
	}

	fn involved(&self, node: u64, at: Option<Hash>) -> RpcResult<RoundsJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let rounds = self
			.client
			.runtime_api()
			.involved(at, node)
			.map_err(runtime_error(error_code::RUNTIME))?;
		Ok(RoundsJson { rounds })
	}

	fn dispute_terms(&self, at: Option<Hash>) -> RpcResult<DisputeTermsJson> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		// The fee is a governed parameter, in the state: only the runtime reads it.
		let (bond, replicas, seat_fee) = self
			.client
			.runtime_api()
			.dispute_terms(at)
			.map_err(runtime_error(error_code::RUNTIME))?;
		Ok(DisputeTermsJson::new(bond, replicas, seat_fee))
	}
}
