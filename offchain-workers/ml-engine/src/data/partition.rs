//! Seeded splits of a data set across simulated nodes.
//!
//! * [`Partition::Iid`]: shuffle, then cut into `nodes` parts whose sizes differ by at most one.
//! * [`Partition::Dirichlet`]: for each class in turn, draw proportions `p ~ Dir(α,…,α)` over the
//!   nodes and give node `i` the next `≈ pᵢ · n_class` of that class's (shuffled) samples. Small
//!   `α` (e.g. 0.1) gives very skewed nodes, large `α` approaches IID. Draws are repeated until
//!   every node has at least [`MIN_PER_NODE`] samples.
//! * [`Partition::ClassesPerNode`]: node `i` holds exactly `k` distinct classes, the classes
//!   `perm[(i·k + j) mod C]` for `j < k` of a seeded permutation `perm`; each class's samples are
//!   shared evenly between the nodes holding it. With `nodes · k < C` some classes are unused.
//!
//! All randomness comes from [`Stream::Partition`] of the seed; indices within a node are sorted.
//!
//! ```rust
//! use swarm_ml::{data::partition::{partition, Partition}, Seed};
//! let labels: Vec<u8> = (0..1000).map(|i| (i % 10) as u8).collect();
//! let parts = partition(&labels, 10, 4, Partition::ClassesPerNode { k: 2 }, &Seed::from(3))?;
//! assert_eq!(parts.len(), 4);
//! for part in &parts {
//!     let mut classes: Vec<u8> = part.iter().map(|&i| labels[i]).collect();
//!     classes.sort();
//!     classes.dedup();
//!     assert_eq!(classes.len(), 2);
//! }
//! # Ok::<(), swarm_ml::Error>(())
//! ```

use std::{fmt, str::FromStr};

use crate::{Error, Result, Seed, SeededRng, Stream};

/// Fewest samples a Dirichlet split leaves on any node.
pub const MIN_PER_NODE: usize = 10;

/// How to split; see the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Partition {
	/// Independent and identically distributed.
	Iid,
	/// Per-class proportions drawn from a symmetric Dirichlet distribution.
	Dirichlet {
		/// Concentration α > 0.
		alpha: f64,
	},
	/// Each node holds exactly `k` classes.
	ClassesPerNode {
		/// Classes per node, `1..=classes`.
		k: usize,
	},
}

impl FromStr for Partition {
	type Err = Error;

	/// `iid`, `dirichlet:ALPHA` or `classes:K`.
	fn from_str(text: &str) -> Result<Self> {
		let err = |reason: &str| Error::Parse {
			what: "partition",
			input: text.into(),
			reason: reason.into(),
		};
		match text.split_once(':') {
			None if text == "iid" => Ok(Partition::Iid),
			Some(("dirichlet", a)) => {
				let alpha: f64 = a.parse().map_err(|_| err("alpha must be a number"))?;
				Ok(Partition::Dirichlet { alpha })
			},
			Some(("classes", k)) => Ok(Partition::ClassesPerNode {
				k: k.parse().map_err(|_| err("k must be a positive integer"))?,
			}),
			_ => Err(err("expected `iid`, `dirichlet:ALPHA` or `classes:K`")),
		}
	}
}

impl fmt::Display for Partition {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Partition::Iid => write!(f, "iid"),
			Partition::Dirichlet { alpha } => write!(f, "dirichlet:{alpha}"),
			Partition::ClassesPerNode { k } => write!(f, "classes:{k}"),
		}
	}
}

/// Splits sample indices `0..labels.len()` across `nodes` (see the [module docs](self)).
pub fn partition(
	labels: &[u8],
	classes: usize,
	nodes: usize,
	scheme: Partition,
	seed: &Seed,
) -> Result<Vec<Vec<usize>>> {
	if nodes == 0 || nodes > labels.len() {
		return Err(Error::InvalidSpec(format!(
			"cannot split {} samples across {nodes} nodes",
			labels.len()
		)));
	}
	if let Some(bad) = labels.iter().find(|&&y| y as usize >= classes) {
		return Err(Error::InvalidInput(format!(
			"label {bad} is not below the class count {classes}"
		)));
	}
	let mut rng = SeededRng::new(seed, Stream::Partition);
	let mut parts = match scheme {
		Partition::Iid => {
			let mut all: Vec<usize> = (0..labels.len()).collect();
			rng.shuffle(&mut all);
			split_even(&all, nodes)
		},
		Partition::Dirichlet { alpha } => dirichlet(labels, classes, nodes, alpha, &mut rng)?,
		Partition::ClassesPerNode { k } => classes_per_node(labels, classes, nodes, k, &mut rng)?,
	};
	for part in &mut parts {
		part.sort_unstable();
	}
	Ok(parts)
}

/// Cuts `items` into `parts` consecutive pieces whose lengths differ by at most one.
fn split_even(items: &[usize], parts: usize) -> Vec<Vec<usize>> {
	let (base, extra) = (items.len() / parts, items.len() % parts);
	let mut out = Vec::with_capacity(parts);
	let mut start = 0;
	for i in 0..parts {
		let len = base + usize::from(i < extra);
		out.push(items[start..start + len].to_vec());
		start += len;
	}
	out
}

/// Indices of each class, ascending.
fn by_class(labels: &[u8], classes: usize) -> Vec<Vec<usize>> {
	let mut out = vec![Vec::new(); classes];
	for (i, &y) in labels.iter().enumerate() {
		out[y as usize].push(i);
	}
	out
}

fn dirichlet(
	labels: &[u8],
	classes: usize,
	nodes: usize,
	alpha: f64,
	rng: &mut SeededRng,
) -> Result<Vec<Vec<usize>>> {
	if !(alpha.is_finite() && alpha > 0.0) {
		return Err(Error::InvalidSpec(format!("Dirichlet alpha must be positive, got {alpha}")));
	}
	if labels.len() < nodes * MIN_PER_NODE {
		return Err(Error::InvalidSpec(format!(
			"{} samples cannot give {nodes} nodes {MIN_PER_NODE} samples each",
			labels.len()
		)));
	}
	let per_class = by_class(labels, classes);
	for _attempt in 0..1000 {
		let mut parts = vec![Vec::new(); nodes];
		for members in &per_class {
			let mut members = members.clone();
			rng.shuffle(&mut members);
			let p = rng.dirichlet(alpha, nodes);
			let (mut cumulative, mut start) = (0.0f64, 0usize);
			for (node, share) in p.iter().enumerate() {
				cumulative += share;
				let end = if node + 1 == nodes {
					members.len()
				} else {
					((cumulative * members.len() as f64) as usize).clamp(start, members.len())
				};
				parts[node].extend_from_slice(&members[start..end]);
				start = end;
			}
		}
		if parts.iter().all(|p| p.len() >= MIN_PER_NODE) {
			return Ok(parts);
		}
	}
	Err(Error::InvalidSpec(format!(
		"Dirichlet alpha {alpha} leaves some of the {nodes} nodes with fewer than {MIN_PER_NODE} samples"
	)))
}

fn classes_per_node(
	labels: &[u8],
	classes: usize,
	nodes: usize,
	k: usize,
	rng: &mut SeededRng,
) -> Result<Vec<Vec<usize>>> {
	if k == 0 || k > classes {
		return Err(Error::InvalidSpec(format!(
			"classes per node must be in 1..={classes}, got {k}"
		)));
	}
	let mut perm: Vec<usize> = (0..classes).collect();
	rng.shuffle(&mut perm);
	let held: Vec<Vec<usize>> =
		(0..nodes).map(|i| (0..k).map(|j| perm[(i * k + j) % classes]).collect()).collect();
	let mut parts = vec![Vec::new(); nodes];
	for (class, members) in by_class(labels, classes).into_iter().enumerate() {
		let holders: Vec<usize> = (0..nodes).filter(|&i| held[i].contains(&class)).collect();
		if holders.is_empty() {
			continue;
		}
		let mut members = members;
		rng.shuffle(&mut members);
		for (node, share) in holders.iter().zip(split_even(&members, holders.len())) {
			parts[*node].extend(share);
		}
	}
	if let Some(empty) = parts.iter().position(|p| p.is_empty()) {
		return Err(Error::InvalidSpec(format!("node {empty} received no samples")));
	}
	Ok(parts)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn labels() -> Vec<u8> {
		(0..2000).map(|i| (i * 7 % 10) as u8).collect()
	}

	fn is_a_partition(parts: &[Vec<usize>], n: usize) -> bool {
		let mut all: Vec<usize> = parts.concat();
		all.sort();
		all == (0..n).collect::<Vec<_>>()
	}

	#[test]
	fn iid_and_dirichlet_cover_every_sample_once_and_are_seeded() {
		let labels = labels();
		for scheme in [Partition::Iid, Partition::Dirichlet { alpha: 0.3 }] {
			let a = partition(&labels, 10, 4, scheme, &Seed::from(1)).unwrap();
			assert!(is_a_partition(&a, labels.len()), "{scheme}");
			assert_eq!(a, partition(&labels, 10, 4, scheme, &Seed::from(1)).unwrap());
			assert_ne!(a, partition(&labels, 10, 4, scheme, &Seed::from(2)).unwrap());
			assert!(a.iter().all(|p| p.len() >= MIN_PER_NODE));
		}
		let iid = partition(&labels, 10, 3, Partition::Iid, &Seed::from(1)).unwrap();
		assert_eq!(iid.iter().map(Vec::len).collect::<Vec<_>>(), vec![667, 667, 666]);
	}

	#[test]
	fn small_alpha_is_skewed() {
		let labels = labels();
		let parts =
			partition(&labels, 10, 4, Partition::Dirichlet { alpha: 0.1 }, &Seed::from(5)).unwrap();
		// Some node misses at least one class entirely.
		let missing = parts.iter().any(|p| (0..10u8).any(|c| !p.iter().any(|&i| labels[i] == c)));
		assert!(missing);
	}

	#[test]
	fn bad_schemes_are_rejected() {
		let labels = labels();
		let bad = |s| partition(&labels, 10, 4, s, &Seed::from(1)).unwrap_err().to_string();
		assert!(bad(Partition::Dirichlet { alpha: 0.0 }).contains("alpha"));
		assert!(bad(Partition::ClassesPerNode { k: 11 }).contains("1..=10"));
		assert!(partition(&labels, 10, 0, Partition::Iid, &Seed::from(1)).is_err());
		assert!("dirichlet:x".parse::<Partition>().is_err());
		assert_eq!("classes:2".parse::<Partition>().unwrap(), Partition::ClassesPerNode { k: 2 });
	}
}
