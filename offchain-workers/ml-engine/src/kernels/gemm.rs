//! Matrix products with a fixed summation order, plus transposes and column sums.

use rayon::prelude::*;

use super::{active_isa, Isa, PAR_GRAIN};

/// Number of interleaved partial sums in every dot product (see the [module docs](super)).
pub const LANES: usize = 8;

/// `c[i·n + j] = Σ_p a[i·k + p] · b[j·k + p]` (+ `bias[j]`), i.e. `c = a · bᵀ (+ bias)` for
/// row-major `a: m×k`, `b: n×k`, `c: m×n`.
///
/// Every output is one 8-lane dot product in the order given in the [module docs](super); the
/// bias is added last. Rows of `c` are split across threads, which cannot change any value.
///
/// # Panics
/// If a slice length does not match `m`, `n`, `k` (an internal invariant: callers check shapes
/// first).
pub fn gemm_nt(
	a: &[f32],
	b: &[f32],
	bias: Option<&[f32]>,
	m: usize,
	n: usize,
	k: usize,
	c: &mut [f32],
) {
	assert_eq!(a.len(), m * k, "gemm_nt: a is not m×k");
	assert_eq!(b.len(), n * k, "gemm_nt: b is not n×k");
	assert_eq!(c.len(), m * n, "gemm_nt: c is not m×n");
	if let Some(bias) = bias {
		assert_eq!(bias.len(), n, "gemm_nt: bias is not n long");
	}
	if m == 0 || n == 0 {
		return;
	}
	if k == 0 {
		// Empty sums are +0.0; the bias is added to them like to any other sum.
		for row in c.chunks_exact_mut(n) {
			for (j, v) in row.iter_mut().enumerate() {
				*v = bias.map_or(0.0, |b| 0.0 + b[j]);
			}
		}
		return;
	}
	let isa = active_isa();
	let work = m * n * k.max(1);
	let tasks = (work / PAR_GRAIN).clamp(1, rayon::current_num_threads() * 2);
	// Whole 4-row tiles per task, so the task split never changes the tiling of a task's rows
	// more than needed (it could not change any value anyway).
	let rows_per_task = m.div_ceil(tasks).next_multiple_of(4).min(m);
	if rows_per_task >= m {
		block(isa, Operands { a, b, bias, m, n, k }, c);
	} else {
		c.par_chunks_mut(rows_per_task * n)
			.zip(a.par_chunks(rows_per_task * k))
			.for_each(|(c, a)| block(isa, Operands { a, b, bias, m: c.len() / n, n, k }, c));
	}
}

/// The inputs of one product: `a: m×k`, `b: n×k`, an optional bias of length `n`.
#[derive(Clone, Copy)]
struct Operands<'a> {
	a: &'a [f32],
	b: &'a [f32],
	bias: Option<&'a [f32]>,
	m: usize,
	n: usize,
	k: usize,
}

fn block(isa: Isa, ops: Operands<'_>, c: &mut [f32]) {
	match isa {
		#[cfg(target_arch = "x86_64")]
		Isa::Avx2 => {
			// SAFETY: `Isa::Avx2` is only ever active when the CPU reports AVX2 (see `isa.rs`).
			unsafe { block_avx2(ops, c) }
		},
		_ => block_portable(ops, c),
	}
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_avx2(ops: Operands<'_>, c: &mut [f32]) {
	// 4×2 tile: 8 accumulators of 8 lanes = 8 ymm registers.
	block_tiled::<4, 2>(ops, c)
}

fn block_portable(ops: Operands<'_>, c: &mut [f32]) {
	// 2×2 tile: 4 accumulators of 8 lanes = 8 of the 16 SSE registers.
	block_tiled::<2, 2>(ops, c)
}

/// Walks `c` in `MR×NR` tiles, columns outermost (so `NR` rows of `b` stay in L1).
#[inline(always)]
fn block_tiled<const MR: usize, const NR: usize>(ops: Operands<'_>, c: &mut [f32]) {
	let (m, n) = (ops.m, ops.n);
	let mut j = 0;
	while j < n {
		let nr = (n - j).min(NR);
		let mut i = 0;
		while i < m {
			let mr = (m - i).min(MR);
			if mr == MR && nr == NR {
				tile::<MR, NR>(ops, i, j, c);
			} else if nr == NR {
				for ii in i..i + mr {
					tile::<1, NR>(ops, ii, j, c);
				}
			} else {
				for ii in i..i + mr {
					for jj in j..j + nr {
						tile::<1, 1>(ops, ii, jj, c);
					}
				}
			}
			i += mr;
		}
		j += nr;
	}
}

/// Computes the `MR×NR` outputs at `(i0, j0)`, each with its own 8 lanes.
#[inline(always)]
fn tile<const MR: usize, const NR: usize>(ops: Operands<'_>, i0: usize, j0: usize, c: &mut [f32]) {
	let Operands { a, b, bias, n, k, .. } = ops;
	let a_rows: [&[f32]; MR] = std::array::from_fn(|r| &a[(i0 + r) * k..(i0 + r + 1) * k]);
	let b_rows: [&[f32]; NR] = std::array::from_fn(|s| &b[(j0 + s) * k..(j0 + s + 1) * k]);
	let mut acc = [[[0.0f32; LANES]; NR]; MR];
	let full = k - k % LANES;
	let mut p = 0;
	while p < full {
		let mut av = [[0.0f32; LANES]; MR];
		for r in 0..MR {
			av[r].copy_from_slice(&a_rows[r][p..p + LANES]);
		}
		let mut bv = [[0.0f32; LANES]; NR];
		for s in 0..NR {
			bv[s].copy_from_slice(&b_rows[s][p..p + LANES]);
		}
		for r in 0..MR {
			for s in 0..NR {
				for l in 0..LANES {
					acc[r][s][l] += av[r][l] * bv[s][l];
				}
			}
		}
		p += LANES;
	}
	for l in 0..k - full {
		for r in 0..MR {
			for s in 0..NR {
				acc[r][s][l] += a_rows[r][full + l] * b_rows[s][full + l];
			}
		}
	}
	for r in 0..MR {
		for s in 0..NR {
			let v = reduce_lanes(&acc[r][s]);
			c[(i0 + r) * n + j0 + s] = match bias {
				Some(bias) => v + bias[j0 + s],
				None => v,
			};
		}
	}
}

/// `((s₀+s₁)+(s₂+s₃)) + ((s₄+s₅)+(s₆+s₇))`.
#[inline(always)]
fn reduce_lanes(s: &[f32; LANES]) -> f32 {
	((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
}

/// The transpose of row-major `x: rows×cols` (a `cols×rows` matrix). Moves values only;
/// threads split the output rows.
pub fn transpose(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
	assert_eq!(x.len(), rows * cols, "transpose: x is not rows×cols");
	const BLOCK: usize = 32;
	let mut out = vec![0.0f32; x.len()];
	if out.is_empty() {
		return out;
	}
	// A band of BLOCK output rows (= input columns c0..c0 + BLOCK), filled in BLOCK×BLOCK tiles.
	let band = |(index, chunk): (usize, &mut [f32])| {
		let c0 = index * BLOCK;
		let width = chunk.len() / rows;
		for r0 in (0..rows).step_by(BLOCK) {
			let r1 = (r0 + BLOCK).min(rows);
			for c in 0..width {
				for (r, o) in (r0..r1).zip(&mut chunk[c * rows + r0..c * rows + r1]) {
					*o = x[r * cols + c0 + c];
				}
			}
		}
	};
	if x.len() < PAR_GRAIN * 2 {
		out.chunks_mut(BLOCK * rows).enumerate().for_each(band);
	} else {
		out.par_chunks_mut(BLOCK * rows).enumerate().for_each(band);
	}
	out
}

/// Column sums of row-major `x: rows×cols`: `out[j] = Σᵢ x[i·cols + j]`, `i` increasing.
pub fn sum_rows(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
	assert_eq!(x.len(), rows * cols, "sum_rows: x is not rows×cols");
	let mut out = vec![0.0f32; cols];
	for row in x.chunks_exact(cols.max(1)).take(rows) {
		for (o, &v) in out.iter_mut().zip(row) {
			*o += v;
		}
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{Seed, SeededRng, Stream};

	fn reference_dot(a: &[f32], b: &[f32]) -> f32 {
		let mut lanes = [0.0f32; LANES];
		for (i, (x, y)) in a.iter().zip(b).enumerate() {
			lanes[i % LANES] += x * y;
		}
		reduce_lanes(&lanes)
	}

	fn random(n: usize, rng: &mut SeededRng) -> Vec<f32> {
		(0..n).map(|_| rng.uniform_f32() * 2.0 - 1.0).collect()
	}

	#[test]
	fn gemm_matches_the_scalar_definition_bit_for_bit() {
		let mut rng = SeededRng::new(&Seed::from(5), Stream::Synthetic);
		for &(m, n, k) in
			&[(1, 1, 1), (3, 5, 7), (9, 3, 17), (64, 10, 128), (5, 33, 784), (130, 70, 9)]
		{
			let a = random(m * k, &mut rng);
			let b = random(n * k, &mut rng);
			let bias = random(n, &mut rng);
			let mut c = vec![0.0; m * n];
			gemm_nt(&a, &b, Some(&bias), m, n, k, &mut c);
			for i in 0..m {
				for j in 0..n {
					let want =
						reference_dot(&a[i * k..(i + 1) * k], &b[j * k..(j + 1) * k]) + bias[j];
					assert_eq!(
						c[i * n + j].to_bits(),
						want.to_bits(),
						"({m},{n},{k}) at ({i},{j})"
					);
				}
			}
		}
	}

	#[test]
	fn transpose_and_column_sums() {
		let x: Vec<f32> = (0..6).map(|v| v as f32).collect();
		assert_eq!(transpose(&x, 2, 3), vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
		assert_eq!(sum_rows(&x, 2, 3), vec![3.0, 5.0, 7.0]);
	}
}
