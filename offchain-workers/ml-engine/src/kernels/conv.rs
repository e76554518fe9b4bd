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

/// Unfolds `x: B×C×H×W` into `cols: (B·OH·OW) × (C·K·K)` (see the [module docs](self)).
pub fn im2col(
	x: &[f32],
	batch: usize,
	channels: usize,
	height: usize,
	width: usize,
	kernel: usize,
	padding: usize,
) -> Vec<f32> {
	assert_eq!(x.len(), batch * channels * height * width, "im2col: x is not B×C×H×W");
	let (oh, ow) = (conv_out(height, kernel, padding), conv_out(width, kernel, padding));
	let patch = channels * kernel * kernel;
	let mut cols = vec![0.0f32; batch * oh * ow * patch];
	if cols.is_empty() {
		return cols;
	}
	let image = channels * height * width;
	cols.par_chunks_mut(oh * ow * patch).zip(x.par_chunks(image)).for_each(|(out, img)| {
		for oy in 0..oh {
			for ox in 0..ow {
				let row = &mut out[(oy * ow + ox) * patch..(oy * ow + ox + 1) * patch];
				for ci in 0..channels {
					for ky in 0..kernel {
						let iy = (oy + ky).wrapping_sub(padding);
						for kx in 0..kernel {
							let ix = (ox + kx).wrapping_sub(padding);
							// Wrapped (negative) coordinates are huge, so one test covers both sides.
							if iy < height && ix < width {
								row[(ci * kernel + ky) * kernel + kx] = img[(ci * height + iy) * width + ix];
							}
						}
					}
				}
			}
		}
	});
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
	let (oh, ow) = (conv_out(height, kernel, padding), conv_out(width, kernel, padding));
	let patch = channels * kernel * kernel;
	assert_eq!(cols.len(), batch * oh * ow * patch, "col2im: cols has the wrong length");
	let image = channels * height * width;
	let mut x = vec![0.0f32; batch * image];
	if x.is_empty() || cols.is_empty() {
		return x;
	}
	x.par_chunks_mut(image).zip(cols.par_chunks(oh * ow * patch)).for_each(|(img, rows)| {
		for oy in 0..oh {
			for ox in 0..ow {
				let row = &rows[(oy * ow + ox) * patch..(oy * ow + ox + 1) * patch];
				for ci in 0..channels {
					for ky in 0..kernel {
						let iy = (oy + ky).wrapping_sub(padding);
						for kx in 0..kernel {
							let ix = (ox + kx).wrapping_sub(padding);
							if iy < height && ix < width {
								img[(ci * height + iy) * width + ix] += row[(ci * kernel + ky) * kernel + kx];
							}
						}
					}
				}
			}
		}
	});
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
