//! Coordinate-wise median and trimmed mean.

use rayon::prelude::*;

use super::{Valid, COORD_CHUNK};

/// Applies `reduce` to the sorted values of every coordinate (threads split coordinates).
fn per_coordinate(updates: &[Valid], reduce: impl Fn(&[f32]) -> f32 + Sync) -> Vec<f32> {
	let len = updates.first().map_or(0, |u| u.delta.len());
	let mut out = vec![0.0f32; len];
	out.par_chunks_mut(COORD_CHUNK).enumerate().for_each(|(c, chunk)| {
		let mut column = vec![0.0f32; updates.len()];
		for (j, o) in chunk.iter_mut().enumerate() {
			for (v, u) in column.iter_mut().zip(updates) {
				*v = u.delta[c * COORD_CHUNK + j];
			}
			column.sort_by(f32::total_cmp);
			*o = reduce(&column);
		}
	});
	out
}

/// The middle value, or the mean of the two middle values (in `f64`) for an even count.
pub(super) fn median(updates: &[Valid]) -> Vec<f32> {
	per_coordinate(updates, |sorted| {
		let n = sorted.len();
		if n % 2 == 1 {
			sorted[n / 2]
		} else {
			((sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0) as f32
		}
	})
}

/// The mean, in `f64` and sorted order, of the values left after dropping `trim` at each end.
pub(super) fn trimmed_mean(updates: &[Valid], trim: usize) -> Vec<f32> {
	per_coordinate(updates, |sorted| {
		let kept = &sorted[trim..sorted.len() - trim];
		let mut sum = 0.0f64;
		for &v in kept {
			sum += v as f64;
		}
		(sum / kept.len() as f64) as f32
	})
}
