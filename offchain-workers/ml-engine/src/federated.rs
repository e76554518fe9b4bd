//! In-process federated learning: the benchmarks' P3 and robustness runs, and a reference for
//! how the node drives rounds.
//!
//! Each round, every node trains from the current global weights on its own partition
//! ([`train`](crate::train()) with a seed derived from the federation seed, the round and the
//! node), the updates are [aggregated](aggregate()) and the new global model is evaluated on a test
//! set. A node may be [poisoned](Poison): it replaces its update by a corrupted one.
//!
//! ```rust
//! use swarm_ml::{data::{partition::{partition, Partition}, Dataset}, federated::{simulate, FederationSpec},
//!     InputShape, Method, MlpConfig, Mode, ModelConfig, OptimizerConfig, Seed};
//! let input = InputShape { channels: 1, height: 6, width: 6 };
//! let data = Dataset::synthetic(&Seed::from(1), 400, input, 4)?;
//! let test = Dataset::synthetic(&Seed::from(1), 600, input, 4)?.subset(&(400..600).collect::<Vec<_>>())?;
//! let parts = partition(data.labels(), 4, 4, Partition::Iid, &Seed::from(2))?;
//! let spec = FederationSpec {
//!     model: ModelConfig::Mlp(MlpConfig { input, hidden: vec![8], classes: 4, dropout_permille: 0 }),
//!     optimizer: OptimizerConfig::sgd(0.1, 0.5),
//!     rounds: 6,
//!     local_epochs: 1,
//!     batch_size: 16,
//!     seed: Seed::from(3),
//!     mode: Mode::Deterministic,
//!     method: Method::FedAvg,
//!     clip_norm: None,
//!     server: None,
//!     poisoned: vec![],
//! };
//! let result = simulate(&spec, &data, &parts, &test, &mut |_| {})?;
//! assert_eq!(result.rounds.len(), 6);
//! assert!(result.rounds[5].test.accuracy() > 0.9);
//! # Ok::<(), swarm_ml::Error>(())
//! ```

use std::{fmt, str::FromStr};

use crate::{
	aggregate, data::Dataset, evaluate, AggregateOptions, ClientId, Error, Hash, Method, Mode,
	Model, ModelConfig, OptimizerConfig, Rejection, Result, Seed, SeededRng, ServerMomentum,
	Stream, TrainSpec, Update, Weights, server_step,
};

/// How a poisoned node corrupts its update (delta `d = w_honest − w_global`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Poison {
	/// Sends `w_global − scale · d`: the honest step reversed and amplified.
	SignFlip {
		/// Amplification, e.g. 10.
		scale: f32,
	},
	/// Sends `w_global + noise`, noise normal with standard deviation `std` per coordinate.
	Random {
		/// Standard deviation of the noise.
		std: f32,
	},
}

impl Poison {
	/// The poisoned weights for an honest result `honest` from `global`.
	pub fn apply(
		&self,
		global: &Weights,
		honest: &Weights,
		rng: &mut SeededRng,
	) -> Result<Weights> {
		let g = global.flatten();
		let h = honest.flatten();
		if g.len() != h.len() {
			return Err(Error::WeightsMismatch("honest and global weights differ in size".into()));
		}
		let out: Vec<f32> = match *self {
			Poison::SignFlip { scale } => {
				g.iter().zip(&h).map(|(&g, &h)| g - scale * (h - g)).collect()
			},
			Poison::Random { std } => g.iter().map(|&g| g + std * rng.normal() as f32).collect(),
		};
		global.unflatten_like(&out)
	}
}

impl FromStr for Poison {
	type Err = Error;

	/// `signflip:SCALE` or `random:STD`.
	fn from_str(text: &str) -> Result<Self> {
		let err = || Error::Parse {
			what: "poison",
			input: text.into(),
			reason: "expected signflip:SCALE or random:STD".into(),
		};
		let (kind, value) = text.split_once(':').ok_or_else(err)?;
		let value: f32 = value.parse().map_err(|_| err())?;
		match kind {
			"signflip" => Ok(Poison::SignFlip { scale: value }),
			"random" => Ok(Poison::Random { std: value }),
			_ => Err(err()),
		}
	}
}

impl fmt::Display for Poison {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Poison::SignFlip { scale } => write!(f, "signflip:{scale}"),
			Poison::Random { std } => write!(f, "random:{std}"),
		}
	}
}

/// Everything that decides a simulated federation.
#[derive(Clone, Debug)]
pub struct FederationSpec {
	/// The architecture.
	pub model: ModelConfig,
	/// Each node's optimizer (fresh state every round).
	pub optimizer: OptimizerConfig,
	/// Rounds of train → aggregate.
	pub rounds: u32,
	/// Local epochs per round.
	pub local_epochs: u32,
	/// Local batch size.
	pub batch_size: u32,
	/// Seed of the initial model and of every node's training.
	pub seed: Seed,
	/// Execution mode of local training and evaluation.
	pub mode: Mode,
	/// Aggregation method.
	pub method: Method,
	/// Optional clip bound on update norms.
	pub clip_norm: Option<f64>,
	/// Optional server optimiser step (FedAvgM) after the method combines the updates.
	pub server: Option<ServerMomentum>,
	/// Poisoned nodes (by index into the partitions) and how they poison.
	pub poisoned: Vec<(usize, Poison)>,
}

/// What happened in one round.
#[derive(Clone, Debug)]
pub struct RoundReport {
	/// The round, from 0.
	pub round: u32,
	/// The new global model on the test set.
	pub test: crate::EvalReport,
	/// Clients whose updates were combined.
	pub selected: Vec<ClientId>,
	/// Accepted clients and the L2 norms of their deltas.
	pub norms: Vec<(ClientId, f64)>,
	/// Rejected updates.
	pub rejected: Vec<Rejection>,
	/// Hash of the new global weights.
	pub weights_hash: Hash,
}

/// The outcome of [`simulate`].
#[derive(Clone, Debug)]
pub struct FederationResult {
	/// Final global weights.
	pub weights: Weights,
	/// One report per round.
	pub rounds: Vec<RoundReport>,
}

/// Runs the federation; `on_round` sees each round's report as it completes.
pub fn simulate(
	spec: &FederationSpec,
	train_data: &Dataset,
	partitions: &[Vec<usize>],
	test: &Dataset,
	on_round: &mut dyn FnMut(&RoundReport),
) -> Result<FederationResult> {
	if partitions.is_empty() || spec.rounds == 0 {
		return Err(Error::InvalidSpec("a federation needs at least one node and one round".into()));
	}
	if let Some((node, _)) = spec.poisoned.iter().find(|(n, _)| *n >= partitions.len()) {
		return Err(Error::InvalidSpec(format!("poisoned node {node} does not exist")));
	}
	let shards: Vec<Dataset> =
		partitions.iter().map(|p| train_data.subset(p)).collect::<Result<_>>()?;
	let mut global = Weights::init(&spec.model, &spec.seed.derive("federation-init", 0))?;
	let mut previous: Option<Weights> = None;
	let mut rounds = Vec::with_capacity(spec.rounds as usize);
	let nodes = shards.len() as u64;
	for round in 0..spec.rounds {
		let mut updates = Vec::with_capacity(shards.len());
		for (node, shard) in shards.iter().enumerate() {
			let node_seed = spec.seed.derive("federation-node", round as u64 * nodes + node as u64);
			let local = TrainSpec {
				model: spec.model.clone(),
				optimizer: spec.optimizer.clone(),
				epochs: spec.local_epochs,
				batch_size: spec.batch_size,
				seed: node_seed,
				mode: spec.mode,
			};
			let mut weights = crate::train(&local, Some(&global), shard)?.weights;
			if let Some((_, poison)) = spec.poisoned.iter().find(|(n, _)| *n == node) {
				let mut rng = SeededRng::new(&node_seed, Stream::Poison);
				weights = poison.apply(&global, &weights, &mut rng)?;
			}
			updates.push(Update {
				client: ClientId::from(node as u64),
				num_examples: shard.len() as u64,
				weights,
			});
		}
		let options = AggregateOptions { clip_norm: spec.clip_norm, max_examples: None };
		let outcome = aggregate(&global, &updates, spec.method, &options)?;
		let next = match spec.server {
			Some(step) => server_step(&global, previous.as_ref(), &outcome.weights, step)?,
			None => outcome.weights,
		};
		previous = Some(std::mem::replace(&mut global, next));
		let model = Model::new(&spec.model, &global)?;
		let report = RoundReport {
			round,
			test: evaluate(&model, test, spec.mode, 1000)?,
			selected: outcome.selected,
			norms: outcome.accepted.into_iter().zip(outcome.norms).collect(),
			rejected: outcome.rejected,
			weights_hash: global.hash()?,
		};
		on_round(&report);
		rounds.push(report);
	}
	Ok(FederationResult { weights: global, rounds })
}
