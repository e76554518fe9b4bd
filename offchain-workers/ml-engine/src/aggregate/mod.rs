//! Deterministic aggregation of model updates for federated rounds.
//!
//! # Pipeline
//!
//! 1. **Order.** Updates are sorted by [`ClientId`] (byte order). Every update of a client id that
//!    occurs more than once is rejected ([`RejectReason::DuplicateClient`]), so the result never
//!    depends on the order updates arrived in.
//! 2. **Validate.** Each update must have exactly the global model's tensors and shapes, only
//!    finite values, at least one example, and — when [`AggregateOptions::clip_norm`] is set — a
//!    delta `wᵢ − w` whose L2 norm is at most the bound. Failures are returned as [`Rejection`]s
//!    with a [`RejectReason`], not errors.
//! 3. **Combine** the deltas `dᵢ = wᵢ − w` (flattened in name order) with a [`Method`]; the new
//!    weights are `w + combine(d)`.
//!
//! # Methods
//!
//! | method | per coordinate `j` | arithmetic |
//! |---|---|---|
//! | [`Method::FedAvg`] | `Σᵢ nᵢ dᵢⱼ / Σᵢ nᵢ` (`nᵢ` = examples) | `f64`, client order |
//! | [`Method::Median`] | median of `dᵢⱼ` (mean of the two middle values when even) | sort by `total_cmp` |
//! | [`Method::TrimmedMean`] | mean after dropping the `trim` smallest and largest | `f64`, sorted order |
//! | [`Method::Krum`] | the update with the smallest Krum score | exact copy |
//! | [`Method::MultiKrum`] | FedAvg of the `keep` best Krum scores | as FedAvg |
//!
//! # Server momentum (FedAvgM)
//!
//! [`server_step`] turns any method's result into a server-optimiser step (Hsu et al. 2019,
//! Flower's `FedAvgM`): with the combined delta `Δ = combine(d)`, server learning rate `η` and
//! momentum `β`, the new weights are `w + η·Δ + β·(w − w_prev)`, where `w_prev` is the global
//! model of the round before. That is the heavy-ball step `v ← β·v − Δ`, `w ← w − η·v`: the
//! velocity of the last step is `(w_prev − w) / η`, so the server's state is the previous global
//! model and nothing besides the lineage has to be kept between rounds. Per coordinate in `f64`,
//! so the result does not depend on threads.
//!
//! Krum's score of update `i` is the sum of its squared distances to its `n − f − 2` nearest
//! other updates (`f` = assumed Byzantine clients; at least one neighbour), with distances
//! accumulated in `f64` in coordinate order and ties broken by client id. Threads split
//! coordinates (or pairs of updates), never a single sum, so results do not depend on threads.
//!
//! ```rust
//! use swarm_ml::{aggregate, AggregateOptions, ClientId, Method, Update, Weights};
//! let mut global = Weights::new();
//! global.insert("w", vec![2], vec![0.0, 0.0])?;
//! let update = |id: u64, a: f32, b: f32| -> swarm_ml::Result<Update> {
//!     let mut w = Weights::new();
//!     w.insert("w", vec![2], vec![a, b])?;
//!     Ok(Update { client: ClientId::from(id), num_examples: 10, weights: w })
//! };
//! let updates = vec![update(3, 1.0, 1.0)?, update(1, 1.0, 2.0)?, update(2, -50.0, 90.0)?, update(4, f32::NAN, 0.0)?];
//! let out = aggregate(&global, &updates, Method::Median, &AggregateOptions::default())?;
//! assert_eq!(out.weights.get("w").unwrap().data(), &[1.0, 2.0]);
//! assert_eq!(out.rejected.len(), 1); // client 4: NaN
//! # Ok::<(), swarm_ml::Error>(())
//! ```

mod krum;
mod robust;

use std::{collections::BTreeMap, fmt, str::FromStr};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{hash::to_hex, Error, Result, Weights};

/// Coordinates per parallel task when combining deltas.
const COORD_CHUNK: usize = 4096;

/// A client's identity (e.g. its 32-byte account id); updates are ordered by it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct ClientId(pub [u8; 32]);

impl From<u64> for ClientId {
	/// The number big-endian in the last 8 bytes, so numeric order is byte order.
	fn from(n: u64) -> Self {
		let mut bytes = [0u8; 32];
		bytes[24..].copy_from_slice(&n.to_be_bytes());
		ClientId(bytes)
	}
}

impl fmt::Debug for ClientId {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "ClientId({self})")
	}
}

impl fmt::Display for ClientId {
	/// Small ids (leading zero bytes) print as a number, others as hex.
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		if self.0[..24].iter().all(|&b| b == 0) {
			let mut n = [0u8; 8];
			n.copy_from_slice(&self.0[24..]);
			write!(f, "{}", u64::from_be_bytes(n))
		} else {
			write!(f, "0x{}", to_hex(&self.0))
		}
	}
}

/// One client's proposed weights after local training.
#[derive(Clone, Debug)]
pub struct Update {
	/// Who sent it.
	pub client: ClientId,
	/// How many training examples it was computed on (the FedAvg weight).
	pub num_examples: u64,
	/// The client's weights.
	pub weights: Weights,
}

/// How updates are combined; see the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Method {
	/// Weighted federated averaging.
	FedAvg,
	/// Coordinate-wise median.
	Median,
	/// Coordinate-wise trimmed mean.
	TrimmedMean {
		/// Values dropped at each end of every coordinate (needs more than `2·trim` updates).
		trim: usize,
	},
	/// Krum: the single most central update.
	Krum {
		/// Assumed number of Byzantine clients `f` (needs at least `f + 3` updates).
		byzantine: usize,
	},
	/// Multi-Krum: FedAvg of the `keep` most central updates.
	MultiKrum {
		/// Assumed number of Byzantine clients `f`.
		byzantine: usize,
		/// Updates kept.
		keep: usize,
	},
}

impl Method {
	/// Short name, as accepted by [`FromStr`].
	pub fn name(&self) -> &'static str {
		match self {
			Method::FedAvg => "fedavg",
			Method::Median => "median",
			Method::TrimmedMean { .. } => "trimmed",
			Method::Krum { .. } => "krum",
			Method::MultiKrum { .. } => "multikrum",
		}
	}
}

impl fmt::Display for Method {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Method::FedAvg | Method::Median => f.write_str(self.name()),
			Method::TrimmedMean { trim } => write!(f, "trimmed:{trim}"),
			Method::Krum { byzantine } => write!(f, "krum:{byzantine}"),
			Method::MultiKrum { byzantine, keep } => write!(f, "multikrum:{byzantine}:{keep}"),
		}
	}
}

impl FromStr for Method {
	type Err = Error;

	/// `fedavg`, `median`, `trimmed:T`, `krum:F` or `multikrum:F:M`.
	fn from_str(text: &str) -> Result<Self> {
		let err = || {
			Error::Parse {
			what: "aggregation method",
			input: text.into(),
			reason: "expected fedavg, median, trimmed:T, krum:F or multikrum:F:M (non-negative integers)".into(),
		}
		};
		let mut parts = text.split(':');
		let name = parts.next().unwrap_or_default();
		let args: Vec<usize> =
			parts.map(|p| p.parse().map_err(|_| err())).collect::<Result<_>>()?;
		match (name, args.as_slice()) {
			("fedavg", []) => Ok(Method::FedAvg),
			("median", []) => Ok(Method::Median),
			("trimmed", [trim]) => Ok(Method::TrimmedMean { trim: *trim }),
			("krum", [f]) => Ok(Method::Krum { byzantine: *f }),
			("multikrum", [f, m]) => Ok(Method::MultiKrum { byzantine: *f, keep: *m }),
			_ => Err(err()),
		}
	}
}

/// Options shared by all methods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AggregateOptions {
	/// Reject updates whose delta has an L2 norm above this bound.
	pub clip_norm: Option<f64>,
	/// The most examples an update's FedAvg weight counts (its `num_examples` is a claim the
	/// client makes): without a cap, one client claiming 2⁶⁴−1 examples would outweigh all
	/// others. A training round states its cap; `None` trusts the claims.
	#[serde(default)]
	pub max_examples: Option<u64>,
}

/// A server optimiser step over the combined delta; see the [module docs](self#server-momentum-fedavgm).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServerMomentum {
	/// Server learning rate `η` (1 applies the combined delta as it is).
	pub learning_rate: f64,
	/// Momentum `β` on the previous round's step (0 is plain `η`-scaled averaging).
	pub momentum: f64,
}

impl ServerMomentum {
	/// Checks that both factors are finite, `η` positive and `β` in `[0, 1)`.
	pub fn validate(&self) -> Result<()> {
		let ok = self.learning_rate.is_finite()
			&& self.learning_rate > 0.0
			&& self.momentum.is_finite()
			&& (0.0..1.0).contains(&self.momentum);
		if ok {
			Ok(())
		} else {
			Err(Error::InvalidSpec(format!(
				"server momentum needs 0 < learning rate and 0 ≤ momentum < 1, got {} and {}",
				self.learning_rate, self.momentum
			)))
		}
	}
}

/// Applies a server step: `w + η·(combined − w) + β·(w − previous)`, where `combined` is an
/// aggregator's output for `global` and `previous` the global model of the round before (none in
/// a first round: no momentum term). See the [module docs](self#server-momentum-fedavgm).
pub fn server_step(
	global: &Weights,
	previous: Option<&Weights>,
	combined: &Weights,
	step: ServerMomentum,
) -> Result<Weights> {
	step.validate()?;
	let layout = |other: &Weights, what: &str| {
		if global.same_layout(other) {
			Ok(())
		} else {
			Err(Error::InvalidSpec(format!("the {what} weights do not have the global model's tensors")))
		}
	};
	layout(combined, "combined")?;
	if let Some(previous) = previous {
		layout(previous, "previous round's")?;
	}
	let g = global.flatten();
	let c = combined.flatten();
	// Without a previous round there is no last step: the momentum term is zero.
	let p = previous.map(Weights::flatten);
	let (eta, beta) = (step.learning_rate, step.momentum);
	let mut out = vec![0.0f32; g.len()];
	out.par_chunks_mut(COORD_CHUNK).enumerate().for_each(|(chunk_index, chunk)| {
		let base = chunk_index * COORD_CHUNK;
		for (j, o) in chunk.iter_mut().enumerate() {
			let i = base + j;
			let (g, c) = (g[i] as f64, c[i] as f64);
			let last_step = p.as_ref().map_or(0.0, |p| g - p[i] as f64);
			*o = (g + eta * (c - g) + beta * last_step) as f32;
		}
	});
	if let Some(index) = out.iter().position(|v| !v.is_finite()) {
		return Err(Error::InvalidSpec(format!("the server step overflows at value {index}")));
	}
	global.unflatten_like(&out)
}

/// Why an update was left out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RejectReason {
	/// The client id occurs more than once in the round.
	DuplicateClient,
	/// The update claims zero training examples.
	NoExamples,
	/// A tensor of the global model is absent.
	MissingTensor {
		/// The tensor's name.
		name: String,
	},
	/// A tensor the global model does not have.
	UnexpectedTensor {
		/// The tensor's name.
		name: String,
	},
	/// A tensor has the wrong shape.
	WrongShape {
		/// The tensor's name.
		name: String,
		/// The global model's shape.
		expected: Vec<usize>,
		/// The update's shape.
		got: Vec<usize>,
	},
	/// A NaN or infinity.
	NonFinite {
		/// The tensor's name.
		name: String,
		/// Flat index of the first bad value.
		index: usize,
	},
	/// The delta's L2 norm exceeds the clip bound.
	NormAboveClip {
		/// The delta's norm.
		norm: f64,
		/// The bound.
		bound: f64,
	},
}

impl fmt::Display for RejectReason {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			RejectReason::DuplicateClient => write!(f, "client id occurs more than once"),
			RejectReason::NoExamples => write!(f, "zero training examples"),
			RejectReason::MissingTensor { name } => write!(f, "tensor `{name}` is missing"),
			RejectReason::UnexpectedTensor { name } => write!(f, "unexpected tensor `{name}`"),
			RejectReason::WrongShape { name, expected, got } => {
				write!(f, "tensor `{name}` has shape {got:?}, expected {expected:?}")
			},
			RejectReason::NonFinite { name, index } => {
				write!(f, "tensor `{name}` has NaN/Inf at index {index}")
			},
			RejectReason::NormAboveClip { norm, bound } => {
				write!(f, "delta norm {norm:.4} is above the clip bound {bound}")
			},
		}
	}
}

/// A rejected update and the reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
	/// The client.
	pub client: ClientId,
	/// Why.
	pub reason: RejectReason,
}

/// The outcome of [`aggregate`].
#[derive(Clone, Debug)]
pub struct Aggregate {
	/// The new global weights.
	pub weights: Weights,
	/// Clients whose updates passed validation, in id order.
	pub accepted: Vec<ClientId>,
	/// L2 norm of each accepted update's delta, in the order of `accepted` (for choosing and
	/// monitoring a clip bound).
	pub norms: Vec<f64>,
	/// Clients whose updates were combined (all accepted ones, or the Krum selection), in id
	/// order.
	pub selected: Vec<ClientId>,
	/// Rejected updates, in id order.
	pub rejected: Vec<Rejection>,
}

/// Checks `update` against `global`; returns its flattened delta `w_update − w_global`.
pub fn validate_update(
	global: &Weights,
	update: &Update,
	options: &AggregateOptions,
) -> Result<Vec<f32>, RejectReason> {
	if update.num_examples == 0 {
		return Err(RejectReason::NoExamples);
	}
	for (name, _) in update.weights.iter() {
		if global.get(name).is_none() {
			return Err(RejectReason::UnexpectedTensor { name: name.to_string() });
		}
	}
	let mut delta = Vec::with_capacity(global.num_values());
	for (name, g) in global.iter() {
		let Some(p) = update.weights.get(name) else {
			return Err(RejectReason::MissingTensor { name: name.to_string() });
		};
		if p.shape() != g.shape() {
			return Err(RejectReason::WrongShape {
				name: name.to_string(),
				expected: g.shape().to_vec(),
				got: p.shape().to_vec(),
			});
		}
		if let Some(index) = p.data().iter().position(|v| !v.is_finite()) {
			return Err(RejectReason::NonFinite { name: name.to_string(), index });
		}
		delta.extend(p.data().iter().zip(g.data()).map(|(&w, &g)| w - g));
	}
	// Finite weights can still give an infinite difference (values near f32::MAX).
	if let Some(index) = delta.iter().position(|v| !v.is_finite()) {
		return Err(RejectReason::NonFinite { name: "delta (update − global)".into(), index });
	}
	if let Some(bound) = options.clip_norm {
		let norm = l2_norm(&delta);
		if norm > bound {
			return Err(RejectReason::NormAboveClip { norm, bound });
		}
	}
	Ok(delta)
}

/// L2 norm accumulated in `f64` in index order.
fn l2_norm(v: &[f32]) -> f64 {
	let mut sum = 0.0f64;
	for &x in v {
		sum += x as f64 * x as f64;
	}
	sum.sqrt()
}

/// A validated update: client, example count, flattened delta.
pub(crate) struct Valid {
	pub client: ClientId,
	pub examples: u64,
	pub delta: Vec<f32>,
}

/// Aggregates `updates` into new global weights; see the [module docs](self).
pub fn aggregate(
	global: &Weights,
	updates: &[Update],
	method: Method,
	options: &AggregateOptions,
) -> Result<Aggregate> {
	if let Some(bound) = options.clip_norm {
		if !(bound.is_finite() && bound > 0.0) {
			return Err(Error::InvalidSpec(format!(
				"clip_norm must be positive and finite, got {bound}"
			)));
		}
	}
	let mut counts: BTreeMap<ClientId, usize> = BTreeMap::new();
	for u in updates {
		*counts.entry(u.client).or_default() += 1;
	}
	let mut sorted: Vec<&Update> = updates.iter().collect();
	sorted.sort_by_key(|u| u.client);
	let mut valid = Vec::new();
	let mut rejected = Vec::new();
	for u in sorted {
		let checked = if counts[&u.client] > 1 {
			Err(RejectReason::DuplicateClient)
		} else {
			validate_update(global, u, options)
		};
		match checked {
			Ok(delta) => {
				let examples =
					options.max_examples.map_or(u.num_examples, |cap| u.num_examples.min(cap));
				valid.push(Valid { client: u.client, examples, delta })
			},
			Err(reason) => rejected.push(Rejection { client: u.client, reason }),
		}
	}
	if valid.is_empty() {
		return Err(Error::NoValidUpdates { rejected: rejected.len() });
	}
	let (combined, selected) = match method {
		Method::FedAvg => {
			(fed_avg(&valid.iter().collect::<Vec<_>>()), valid.iter().map(|v| v.client).collect())
		},
		Method::Median => (robust::median(&valid), valid.iter().map(|v| v.client).collect()),
		Method::TrimmedMean { trim } => {
			if valid.len() <= 2 * trim {
				return Err(Error::TooFewUpdates {
					method: "trimmed mean",
					needed: 2 * trim + 1,
					got: valid.len(),
				});
			}
			(robust::trimmed_mean(&valid, trim), valid.iter().map(|v| v.client).collect())
		},
		Method::Krum { byzantine } => krum::multi_krum(&valid, byzantine, 1)?,
		Method::MultiKrum { byzantine, keep } => krum::multi_krum(&valid, byzantine, keep)?,
	};
	let flat_global = global.flatten();
	let new: Vec<f32> = flat_global.iter().zip(&combined).map(|(&g, &d)| g + d).collect();
	Ok(Aggregate {
		weights: global.unflatten_like(&new)?,
		accepted: valid.iter().map(|v| v.client).collect(),
		norms: valid.iter().map(|v| l2_norm(&v.delta)).collect(),
		selected,
		rejected,
	})
}

/// `Σᵢ nᵢ dᵢ / Σᵢ nᵢ` per coordinate, in `f64`, clients in the given order.
pub(crate) fn fed_avg(updates: &[&Valid]) -> Vec<f32> {
	let len = updates.first().map_or(0, |u| u.delta.len());
	let total: f64 = updates.iter().map(|u| u.examples as f64).sum();
	let mut out = vec![0.0f32; len];
	out.par_chunks_mut(COORD_CHUNK).enumerate().for_each(|(c, chunk)| {
		let base = c * COORD_CHUNK;
		for (j, o) in chunk.iter_mut().enumerate() {
			let mut acc = 0.0f64;
			for u in updates {
				acc += u.examples as f64 * u.delta[base + j] as f64;
			}
			*o = (acc / total) as f32;
		}
	});
	out
}
