//! `im2col`/`col2im`: convolutions as matrix products.
//!
//! A stride-1 convolution of `x: B×C×H×W` with `w: O×C×K×K` and zero padding `P` is a product
//! with the unfolded input `cols`, whose row `(b, oy, ox)` holds the `C·K·K` input values under
//! the kernel at output position `(oy, ox)` (column `(c, ky, kx)`, zero outside the image).
//! [`im2col`] builds `cols`, [`im2col_t`] its transpose (one row per kernel tap, which is what
//! the weight gradient contracts over). These only move values. [`col2im`] and [`col2im_t`]
//! sum patch gradients back into an image, each image element in a fixed order; threads split
//! the batch, so every element is summed by one thread.

use rayon::prelude::*;

/// Output side of a stride-1 convolution: `side + 2·padding − kernel + 1`.
pub(crate) fn conv_out(side: usize, kernel: usize, padding: usize) -> usize {
	side + 2 * padding + 1 - kernel
}

/// Sizes of one convolution and the index arithmetic shared by the four functions.
struct Geometry {
	channels: usize,
	height: usize,
	width: usize,
	kernel: usize,
	padding: usize,
	out_h: usize,
	out_w: usize,
}

impl Geometry {
	fn new(channels: usize, height: usize, width: usize, kernel: usize, padding: usize) -> Self {
		let (out_h, out_w) = (conv_out(height, kernel, padding), conv_out(width, kernel, padding));
		Geometry { channels, height, width, kernel, padding, out_h, out_w }
	}

	/// Values in one image.
	fn image(&self) -> usize {
		self.channels * self.height * self.width
	}

	/// Output positions per image.
	fn spatial(&self) -> usize {
		self.out_h * self.out_w
	}

	/// Kernel taps (`cols` columns).
	fn patch(&self) -> usize {
		self.channels * self.kernel * self.kernel
	}

	/// The input row under kernel row `ky` at output row `oy`, if inside the image.
	fn input_row(&self, oy: usize, ky: usize) -> Option<usize> {
		// A wrapped (negative) coordinate is huge, so one test covers both sides.
		let iy = (oy + ky).wrapping_sub(self.padding);
		(iy < self.height).then_some(iy)
	}

	/// The output columns `lo..hi` whose input column `ox + kx − padding` is inside the image.
	fn output_cols(&self, kx: usize) -> (usize, usize) {
		let lo = self.padding.saturating_sub(kx).min(self.out_w);
		let hi = (self.width + self.padding).saturating_sub(kx).min(self.out_w);
		(lo, hi.max(lo))
	}

	/// The kernel columns `lo..hi` whose input column `ox + kx − padding` is inside the image.
	fn kernel_cols(&self, ox: usize) -> (usize, usize) {
		let lo = self.padding.saturating_sub(ox).min(self.kernel);
		let hi = (self.width + self.padding).saturating_sub(ox).min(self.kernel);
		(lo, hi.max(lo))
	}
}

/// Unfolds `x: B×C×H×W` into `cols: (B·OH·OW) × (C·K·K)`: row `(b, oy, ox)` holds the input
/// values under the kernel at output position `(oy, ox)`, column `(c, ky, kx)`, zero outside the
/// image (stride 1, zero padding `padding`).
pub fn im2col(
	x: &[f32],
	batch: usize,
	channels: usize,
	height: usize,
	width: usize,
	kernel: usize,
	padding: usize,
) -> Vec<f32> {
	let g = Geometry::new(channels, height, width, kernel, padding);
	assert_eq!(x.len(), batch * g.image(), "im2col: x is not B×C×H×W");
	let (patch, block) = (g.patch(), g.spatial() * g.patch());
	let mut cols = vec![0.0f32; batch * block];
	if cols.is_empty() {
		return cols;
	}
	cols.par_chunks_mut(block).zip(x.par_chunks(g.image())).for_each(|(out, img)| {
		for oy in 0..g.out_h {
			for ox in 0..g.out_w {
				let row = &mut out[(oy * g.out_w + ox) * patch..][..patch];
				let (lo, hi) = g.kernel_cols(ox);
				if lo == hi {
					continue;
				}
				for c in 0..channels {
					for ky in 0..kernel {
						let Some(iy) = g.input_row(oy, ky) else { continue };
						let src = (c * height + iy) * width + ox + lo - padding;
						row[(c * kernel + ky) * kernel + lo..][..hi - lo]
							.copy_from_slice(&img[src..src + hi - lo]);
					}
				}
			}
		}
	});
	cols
}

/// The transpose of [`im2col`]: `cols_t: (C·K·K) × (B·OH·OW)`, one row per kernel tap.
pub fn im2col_t(
	x: &[f32],
	batch: usize,
	channels: usize,
	height: usize,
	width: usize,
	kernel: usize,
	padding: usize,
) -> Vec<f32> {
	let g = Geometry::new(channels, height, width, kernel, padding);
	assert_eq!(x.len(), batch * g.image(), "im2col_t: x is not B×C×H×W");
	let (s, rows) = (g.spatial(), batch * g.spatial());
	let mut cols_t = vec![0.0f32; g.patch() * rows];
	if cols_t.is_empty() {
		return cols_t;
	}
	cols_t.par_chunks_mut(rows).enumerate().for_each(|(tap, row)| {
		let (c, ky, kx) = (tap / (kernel * kernel), tap / kernel % kernel, tap % kernel);
		let (lo, hi) = g.output_cols(kx);
		if lo == hi {
			return;
		}
		for (b, img) in x.chunks_exact(g.image()).enumerate() {
			for oy in 0..g.out_h {
				let Some(iy) = g.input_row(oy, ky) else { continue };
				let src = (c * height + iy) * width + lo + kx - padding;
				row[b * s + oy * g.out_w + lo..][..hi - lo].copy_from_slice(&img[src..src + hi - lo]);
			}
		}
	});
	cols_t
}

/// Folds `cols` gradients (layout of [`im2col`]) back into an image gradient `B×C×H×W`, the
/// adjoint of [`im2col`]. Each image element sums its contributions sequentially in
/// `(oy, ox, c, ky, kx)` order.
pub fn col2im(
	cols: &[f32],
	batch: usize,
	channels: usize,
	height: usize,
	width: usize,
	kernel: usize,
	padding: usize,
) -> Vec<f32> {
	let g = Geometry::new(channels, height, width, kernel, padding);
	let (patch, block) = (g.patch(), g.spatial() * g.patch());
	assert_eq!(cols.len(), batch * block, "col2im: cols has the wrong length");
	let mut x = vec![0.0f32; batch * g.image()];
	if x.is_empty() || cols.is_empty() {
		return x;
	}
	x.par_chunks_mut(g.image()).zip(cols.par_chunks(block)).for_each(|(img, rows)| {
		for oy in 0..g.out_h {
			for ox in 0..g.out_w {
				let row = &rows[(oy * g.out_w + ox) * patch..][..patch];
				let (lo, hi) = g.kernel_cols(ox);
				if lo == hi {
					continue;
				}
				for c in 0..channels {
					for ky in 0..kernel {
						let Some(iy) = g.input_row(oy, ky) else { continue };
						let dst = (c * height + iy) * width + ox + lo - padding;
						let src = &row[(c * kernel + ky) * kernel + lo..][..hi - lo];
						for (d, v) in img[dst..dst + hi - lo].iter_mut().zip(src) {
							*d += v;
						}
					}
				}
			}
		}
	});
	x
}

/// Folds transposed `cols_t` gradients (layout of [`im2col_t`]) back into an image gradient
/// `B×C×H×W`. Each image element sums its contributions sequentially in
/// `(c, ky, kx, oy, ox)` order.
pub fn col2im_t(
	cols_t: &[f32],
	batch: usize,
	channels: usize,
	height: usize,
	width: usize,
	kernel: usize,
	padding: usize,
) -> Vec<f32> {
	let g = Geometry::new(channels, height, width, kernel, padding);
	let (s, rows) = (g.spatial(), batch * g.spatial());
	assert_eq!(cols_t.len(), g.patch() * rows, "col2im_t: cols_t has the wrong length");
	let mut x = vec![0.0f32; batch * g.image()];
	if x.is_empty() || cols_t.is_empty() {
		return x;
	}
	x.par_chunks_mut(g.image()).enumerate().for_each(|(b, img)| {
		for (tap, row) in cols_t.chunks_exact(rows).enumerate() {
			let (c, ky, kx) = (tap / (kernel * kernel), tap / kernel % kernel, tap % kernel);
			let (lo, hi) = g.output_cols(kx);
			if lo == hi {
				continue;
			}
			for oy in 0..g.out_h {
				let Some(iy) = g.input_row(oy, ky) else { continue };
				let dst = (c * height + iy) * width + lo + kx - padding;
				let src = &row[b * s + oy * g.out_w + lo..][..hi - lo];
				for (d, v) in img[dst..dst + hi - lo].iter_mut().zip(src) {
					*d += v;
				}
			}
		}
	});
	x
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::kernels::transpose;

	fn dot(a: &[f32], b: &[f32]) -> f64 {
		a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum()
	}

	#[test]
	fn unfolds_are_transposes_and_folds_are_their_adjoints() {
		for (b, c, h, w, k, p) in [(2, 2, 5, 4, 3, 1), (1, 3, 6, 6, 5, 0), (2, 1, 3, 4, 3, 2), (1, 2, 2, 2, 5, 2), (1, 1, 3, 3, 1, 2)] {
			let x: Vec<f32> = (0..b * c * h * w).map(|v| (v % 7) as f32).collect();
			let cols = im2col(&x, b, c, h, w, k, p);
			let cols_t = im2col_t(&x, b, c, h, w, k, p);
			let rows = b * conv_out(h, k, p) * conv_out(w, k, p);
			assert_eq!(cols.len(), rows * c * k * k);
			assert_eq!(transpose(&cols, rows, c * k * k), cols_t, "{:?}", (b, c, h, w, k, p));
			// <im2col(x), y> == <x, col2im(y)>, for both layouts (integer data: exact).
			let y: Vec<f32> = (0..cols.len()).map(|v| (v % 5) as f32 - 2.0).collect();
			assert_eq!(dot(&cols, &y), dot(&x, &col2im(&y, b, c, h, w, k, p)));
			let y_t = transpose(&y, rows, c * k * k);
			assert_eq!(col2im_t(&y_t, b, c, h, w, k, p), col2im(&y, b, c, h, w, k, p));
		}
	}
}
