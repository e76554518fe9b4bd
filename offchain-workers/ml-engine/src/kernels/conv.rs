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

/// The sizes of a stride-1 convolution's input: `batch × channels × height × width` images,
/// a square `kernel`, zero `padding` on every side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvShape {
	/// Images.
	pub batch: usize,
	/// Channels per image.
	pub channels: usize,
	/// Rows per image.
	pub height: usize,
	/// Columns per image.
	pub width: usize,
	/// Side of the square kernel (at most `side + 2·padding`).
	pub kernel: usize,
	/// Zero padding on each side.
	pub padding: usize,
}

impl ConvShape {
	/// Output rows: `height + 2·padding − kernel + 1`.
	pub fn out_h(&self) -> usize {
		conv_out(self.height, self.kernel, self.padding)
	}

	/// Output columns: `width + 2·padding − kernel + 1`.
	pub fn out_w(&self) -> usize {
		conv_out(self.width, self.kernel, self.padding)
	}

	/// Values in one image.
	pub fn image(&self) -> usize {
		self.channels * self.height * self.width
	}

	/// Output positions per image.
	pub fn spatial(&self) -> usize {
		self.out_h() * self.out_w()
	}

	/// Kernel taps (`cols` columns).
	pub fn patch(&self) -> usize {
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
		let lo = self.padding.saturating_sub(kx).min(self.out_w());
		let hi = (self.width + self.padding).saturating_sub(kx).min(self.out_w());
		(lo, hi.max(lo))
	}

	/// The kernel columns `lo..hi` whose input column `ox + kx − padding` is inside the image.
	fn kernel_cols(&self, ox: usize) -> (usize, usize) {
		let lo = self.padding.saturating_sub(ox).min(self.kernel);
		let hi = (self.width + self.padding).saturating_sub(ox).min(self.kernel);
		(lo, hi.max(lo))
	}

	/// Calls `f(col, pixel, len)` for every run of patch entries inside the image, in the row
	/// layout of [`im2col`]: entries `col..col + len` of one image's `cols` block pair with
	/// pixels `pixel..pixel + len` of the image. Runs come in `(oy, ox, c, ky)` order.
	#[inline(always)]
	fn row_runs(&self, mut f: impl FnMut(usize, usize, usize)) {
		let (k, patch) = (self.kernel, self.patch());
		for oy in 0..self.out_h() {
			for ox in 0..self.out_w() {
				let (lo, hi) = self.kernel_cols(ox);
				if lo == hi {
					continue;
				}
				let row = (oy * self.out_w() + ox) * patch;
				for c in 0..self.channels {
					for ky in 0..k {
						let Some(iy) = self.input_row(oy, ky) else { continue };
						let pixel = (c * self.height + iy) * self.width + ox + lo - self.padding;
						f(row + (c * k + ky) * k + lo, pixel, hi - lo);
					}
				}
			}
		}
	}

	/// Calls `f(col, pixel, len)` for every run of kernel tap `tap` inside the image, in the
	/// transposed layout of [`im2col_t`]: positions `col..col + len` of one image's part of the
	/// tap's row pair with pixels `pixel..pixel + len`. Runs come in `oy` order.
	#[inline(always)]
	fn tap_runs(&self, tap: usize, mut f: impl FnMut(usize, usize, usize)) {
		let k = self.kernel;
		let (c, ky, kx) = (tap / (k * k), tap / k % k, tap % k);
		let (lo, hi) = self.output_cols(kx);
		if lo == hi {
			return;
		}
		for oy in 0..self.out_h() {
			let Some(iy) = self.input_row(oy, ky) else { continue };
			f(
				oy * self.out_w() + lo,
				(c * self.height + iy) * self.width + lo + kx - self.padding,
				hi - lo,
			);
		}
	}
}

/// `dst[i] += src[i]`, element by element in index order.
#[inline(always)]
fn add_into(dst: &mut [f32], src: &[f32]) {
	for (d, v) in dst.iter_mut().zip(src) {
		*d += v;
	}
}

/// Unfolds `x: B×C×H×W` into `cols: (B·OH·OW) × (C·K·K)`: row `(b, oy, ox)` holds the input
/// values under the kernel at output position `(oy, ox)`, column `(c, ky, kx)`, zero outside the
/// image (stride 1, zero padding `padding`).
pub fn im2col(x: &[f32], g: &ConvShape) -> Vec<f32> {
	assert_eq!(x.len(), g.batch * g.image(), "im2col: x is not B×C×H×W");
	let block = g.spatial() * g.patch();
	let mut cols = vec![0.0f32; g.batch * block];
	if cols.is_empty() {
		return cols;
	}
	cols.par_chunks_mut(block).zip(x.par_chunks(g.image())).for_each(|(out, img)| {
		g.row_runs(|col, pixel, len| out[col..col + len].copy_from_slice(&img[pixel..pixel + len]))
	});
	cols
}

/// The transpose of [`im2col`]: `cols_t: (C·K·K) × (B·OH·OW)`, one row per kernel tap.
pub fn im2col_t(x: &[f32], g: &ConvShape) -> Vec<f32> {
	assert_eq!(x.len(), g.batch * g.image(), "im2col_t: x is not B×C×H×W");
	let (s, rows) = (g.spatial(), g.batch * g.spatial());
	let mut cols_t = vec![0.0f32; g.patch() * rows];
	if cols_t.is_empty() {
		return cols_t;
	}
	cols_t.par_chunks_mut(rows).enumerate().for_each(|(tap, row)| {
		for (b, img) in x.chunks_exact(g.image()).enumerate() {
			let part = &mut row[b * s..(b + 1) * s];
			g.tap_runs(tap, |col, pixel, len| {
				part[col..col + len].copy_from_slice(&img[pixel..pixel + len])
			});
		}
	});
	cols_t
}

/// Folds `cols` gradients (layout of [`im2col`]) back into an image gradient `B×C×H×W`, the
/// adjoint of [`im2col`]. Each image element sums its contributions sequentially in
/// `(oy, ox, c, ky, kx)` order.
pub fn col2im(cols: &[f32], g: &ConvShape) -> Vec<f32> {
	let block = g.spatial() * g.patch();
	assert_eq!(cols.len(), g.batch * block, "col2im: cols has the wrong length");
	let mut x = vec![0.0f32; g.batch * g.image()];
	if x.is_empty() || cols.is_empty() {
		return x;
	}
	x.par_chunks_mut(g.image()).zip(cols.par_chunks(block)).for_each(|(img, block)| {
		g.row_runs(|col, pixel, len| add_into(&mut img[pixel..pixel + len], &block[col..col + len]))
	});
	x
}

/// Folds transposed `cols_t` gradients (layout of [`im2col_t`]) back into an image gradient
/// `B×C×H×W`. Each image element sums its contributions sequentially in
/// `(c, ky, kx, oy, ox)` order.
pub fn col2im_t(cols_t: &[f32], g: &ConvShape) -> Vec<f32> {
	let (s, rows) = (g.spatial(), g.batch * g.spatial());
	assert_eq!(cols_t.len(), g.patch() * rows, "col2im_t: cols_t has the wrong length");
	let mut x = vec![0.0f32; g.batch * g.image()];
	if x.is_empty() || cols_t.is_empty() {
		return x;
	}
	x.par_chunks_mut(g.image()).enumerate().for_each(|(b, img)| {
		for (tap, row) in cols_t.chunks_exact(rows).enumerate() {
			let part = &row[b * s..(b + 1) * s];
			g.tap_runs(tap, |col, pixel, len| {
				add_into(&mut img[pixel..pixel + len], &part[col..col + len])
			});
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
		for (b, c, h, w, k, p) in [
			(2, 2, 5, 4, 3, 1),
			(1, 3, 6, 6, 5, 0),
			(2, 1, 3, 4, 3, 2),
			(1, 2, 2, 2, 5, 2),
			(1, 1, 3, 3, 1, 2),
		] {
			let g = ConvShape { batch: b, channels: c, height: h, width: w, kernel: k, padding: p };
			let x: Vec<f32> = (0..b * c * h * w).map(|v| (v % 7) as f32).collect();
			let cols = im2col(&x, &g);
			let cols_t = im2col_t(&x, &g);
			let rows = b * conv_out(h, k, p) * conv_out(w, k, p);
			assert_eq!(cols.len(), rows * c * k * k);
			assert_eq!(transpose(&cols, rows, c * k * k), cols_t, "{:?}", (b, c, h, w, k, p));
			// <im2col(x), y> == <x, col2im(y)>, for both layouts (integer data: exact).
			let y: Vec<f32> = (0..cols.len()).map(|v| (v % 5) as f32 - 2.0).collect();
			assert_eq!(dot(&cols, &y), dot(&x, &col2im(&y, &g)));
			let y_t = transpose(&y, rows, c * k * k);
			assert_eq!(col2im_t(&y_t, &g), col2im(&y, &g));
		}
	}
}
