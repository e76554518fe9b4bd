//! Krum and Multi-Krum (Blanchard et al., NeurIPS 2017, "Machine Learning with Adversaries:
//! Byzantine Tolerant Gradient Descent").

use rayon::prelude::*;

use super::{fed_avg, ClientId, Valid};
use crate::{Error, Result};

/// Squared L2 distance, accumulated in `f64` in coordinate order.
fn distance2(a: &[f32], b: &[f32]) -> f64 {
	let mut sum = 0.0f64;
	for (&x, &y) in a.iter().zip(b) {
		let d = x as f64 - y as f64;
		sum += d * d;
	}
	sum
}

/// Krum scores: for each update, the sum (ascending order) of its `n − f − 2` smallest squared
/// distances to the others, at least one.
pub(super) fn scores(updates: &[Valid], byzantine: usize) -> Vec<f64> {
	let n = updates.len();
	let pairs: Vec<(usize, usize)> = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).collect();
	let dists: Vec<f64> =
		pairs.par_iter().map(|&(i, j)| distance2(&updates[i].delta, &updates[j].delta)).collect();
	let mut matrix = vec![0.0f64; n * n];
	for (&(i, j), &d) in pairs.iter().zip(&dists) {
		matrix[i * n + j] = d;
		matrix[j * n + i] = d;
	}
	let neighbours = n.saturating_sub(byzantine + 2).max(1);
	(0..n)
		.map(|i| {
			let mut row: Vec<f64> = (0..n).filter(|&j| j != i).map(|j| matrix[i * n + j]).collect();
			row.sort_by(f64::total_cmp);
			let mut score = 0.0f64;
			for &d in row.iter().take(neighbours) {
				score += d;
			}
			score
		})
		.collect()
}

/// Selects the `keep` lowest scores (ties: lower client id) and averages them with FedAvg.
pub(super) fn multi_krum(
	updates: &[Valid],
	byzantine: usize,
	keep: usize,
) -> Result<(Vec<f32>, Vec<ClientId>)> {
	let n = updates.len();
	if n < byzantine + 3 {
		return Err(Error::TooFewUpdates { method: "krum", needed: byzantine + 3, got: n });
	}
	if keep == 0 || keep > n {
		return Err(Error::InvalidSpec(format!("multi-krum keep must be in 1..={n}, got {keep}")));
	}
	let scores = scores(updates, byzantine);
	let mut order: Vec<usize> = (0..n).collect();
	// `updates` is in client-id order, so a stable sort breaks ties by client id.
	order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
	let mut chosen: Vec<usize> = order[..keep].to_vec();
	chosen.sort_unstable();
	let selected = chosen.iter().map(|&i| updates[i].client).collect();
	if keep == 1 {
		return Ok((updates[chosen[0]].delta.clone(), selected));
	}
	let picked: Vec<&Valid> = chosen.iter().map(|&i| &updates[i]).collect();
	Ok((fed_avg(&picked), selected))
}
