//! `im2col`/`col2im`: convolutions as matrix products.
//!
//! A stride-1 convolution of `x: B×C×H×W` with `w: O×C×K×K` and zero padding `P` is
//! `cols · w_flatᵀ`, where row `(b, oy, ox)` of `cols` holds the `C·K·K` input values under the
//! kernel at output position `(oy, ox)` (column `(c, ky, kx)`, zero outside the image). These
//! functions only move values, except `col2im`, which sums overlapping patches back into an
//! image in a fixed order.

use rayon::prelude::*;

/// Output side of a stride-1 convolution: `side + 2·padding − kernel + 1`.
pub(crate) fn conv_out(side: usize, kernel: usize, padding: usize) -> usize {
	side + 2 * padding + 1 - kernel
}

/// The geometry of one image's patches.
struct Taps {
	channels: usize,
	height: usize,
	width: usize,
	kernel: usize,
	padding: usize,
	out_h: usize,
	out_w: usize,
}

impl Taps {
	fn new(channels: usize, height: usize, width: usize, kernel: usize, padding: usize) -> Self {
		let (out_h, out_w) = (conv_out(height, kernel, padding), conv_out(width, kernel, padding));
		Taps { channels, height, width, kernel, padding, out_h, out_w }
	}

	/// Values in one image.
	fn image(&self) -> usize {
		self.channels * self.height * self.width
	}

	/// Values in one image's `cols` block.
	fn block(&self) -> usize {
		self.out_h * self.out_w * self.channels * self.kernel * self.kernel
	}

	/// Calls `f(col, pixel)` for every patch entry that lies inside the image, in
	/// `(oy, ox, c, ky, kx)` order: `col` indexes the image's `cols` block, `pixel` the image.
	#[inline(always)]
	fn for_each(&self, mut f: impl FnMut(usize, usize)) {
		let (k, p) = (self.kernel, self.padding);
		let mut col = 0;
		for oy in 0..self.out_h {
			for ox in 0..self.out_w {
				for ci in 0..self.channels {
					for ky in 0..k {
						// Wrapped (negative) coordinates are huge, so one test covers both sides.
						let iy = (oy + ky).wrapping_sub(p);
						for kx in 0..k {
							let ix = (ox + kx).wrapping_sub(p);
							if iy < self.height && ix < self.width {
								f(col, (ci * self.height + iy) * self.width + ix);
							}
							col += 1;
						}
					}
				}
			}
		}
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
	let taps = Taps::new(channels, height, width, kernel, padding);
	assert_eq!(x.len(), batch * taps.image(), "im2col: x is not B×C×H×W");
	let mut cols = vec![0.0f32; batch * taps.block()];
	if cols.is_empty() || x.is_empty() {
		return cols;
	}
	cols.par_chunks_mut(taps.block())
		.zip(x.par_chunks(taps.image()))
		.for_each(|(block, img)| taps.for_each(|col, pixel| block[col] = img[pixel]));
	cols
}

/// Folds `cols` gradients back into an image gradient `B×C×H×W`, the adjoint of [`im2col`].
///
/// Each image element sums its contributions sequentially in `(oy, ox, c, ky, kx)` order;
/// threads split the batch.
pub fn col2im(
	cols: &[f32],
	batch: usize,
	channels: usize,
	height: usize,
	width: usize,
	kernel: usize,
	padding: usize,
) -> Vec<f32> {
	let taps = Taps::new(channels, height, width, kernel, padding);
	assert_eq!(cols.len(), batch * taps.block(), "col2im: cols has the wrong length");
	let mut x = vec![0.0f32; batch * taps.image()];
	if x.is_empty() || cols.is_empty() {
		return x;
	}
	x.par_chunks_mut(taps.image())
		.zip(cols.par_chunks(taps.block()))
		.for_each(|(img, block)| taps.for_each(|col, pixel| img[pixel] += block[col]));
	x
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn im2col_and_col2im_are_adjoint() {
		// <im2col(x), y> == <x, col2im(y)> for integer-valued data (exact in f32).
		let (b, c, h, w, k, p) = (2, 2, 5, 4, 3, 1);
		let x: Vec<f32> = (0..b * c * h * w).map(|v| (v % 7) as f32).collect();
		let cols = im2col(&x, b, c, h, w, k, p);
		let y: Vec<f32> = (0..cols.len()).map(|v| (v % 5) as f32 - 2.0).collect();
		let back = col2im(&y, b, c, h, w, k, p);
		let lhs: f32 = cols.iter().zip(&y).map(|(a, b)| a * b).sum();
		let rhs: f32 = x.iter().zip(&back).map(|(a, b)| a * b).sum();
		assert_eq!(lhs, rhs);
		assert_eq!(cols.len(), b * conv_out(h, k, p) * conv_out(w, k, p) * c * k * k);
	}
}
