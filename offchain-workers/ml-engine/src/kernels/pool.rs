//! 2×2 max-pooling with stride 2 (odd trailing rows and columns are dropped, as in PyTorch).
//!
//! Comparisons only, so the forward pass is exact. Ties go to the first maximum in the order
//! `(0,0), (0,1), (1,0), (1,1)`, which also receives the whole gradient in the backward pass.

use rayon::prelude::*;

/// Index in `0..4` of the window maximum (first one on ties) and its value.
#[inline]
fn window_argmax(plane: &[f32], width: usize, y: usize, x: usize) -> (usize, f32) {
	let cells = [
		plane[2 * y * width + 2 * x],
		plane[2 * y * width + 2 * x + 1],
		plane[(2 * y + 1) * width + 2 * x],
		plane[(2 * y + 1) * width + 2 * x + 1],
	];
	let mut best = 0;
	for i in 1..4 {
		if cells[i] > cells[best] {
			best = i;
		}
	}
	(best, cells[best])
}

/// Max-pools `planes` images of `height×width` (e.g. `B·C` planes) to `⌊h/2⌋×⌊w/2⌋`.
pub fn max_pool2x2(x: &[f32], planes: usize, height: usize, width: usize) -> Vec<f32> {
	assert_eq!(x.len(), planes * height * width, "max_pool2x2: x has the wrong length");
	let (oh, ow) = (height / 2, width / 2);
	let mut out = vec![0.0f32; planes * oh * ow];
	if out.is_empty() {
		return out;
	}
	out.par_chunks_mut(oh * ow).zip(x.par_chunks(height * width)).for_each(|(o, plane)| {
		for y in 0..oh {
			for xx in 0..ow {
				o[y * ow + xx] = window_argmax(plane, width, y, xx).1;
			}
		}
	});
	out
}

/// Routes each output gradient to its window's maximum, the first one in `(0,0), (0,1), (1,0),
/// (1,1)` order on ties.
pub fn max_pool2x2_backward(
	x: &[f32],
	grad: &[f32],
	planes: usize,
	height: usize,
	width: usize,
) -> Vec<f32> {
	let (oh, ow) = (height / 2, width / 2);
	assert_eq!(x.len(), planes * height * width, "max_pool2x2_backward: x has the wrong length");
	assert_eq!(grad.len(), planes * oh * ow, "max_pool2x2_backward: grad has the wrong length");
	let mut dx = vec![0.0f32; x.len()];
	if grad.is_empty() {
		return dx;
	}
	dx.par_chunks_mut(height * width)
		.zip(x.par_chunks(height * width))
		.zip(grad.par_chunks(oh * ow))
		.for_each(|((d, plane), g)| {
			for y in 0..oh {
				for xx in 0..ow {
					let (best, _) = window_argmax(plane, width, y, xx);
					let (dy, dxx) = (best / 2, best % 2);
					d[(2 * y + dy) * width + 2 * xx + dxx] = g[y * ow + xx];
				}
			}
		});
	dx
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn pools_and_routes_gradients_to_the_first_maximum() {
		let x = [
			1.0, 3.0, 3.0, 0.0, /* row 1 */ 2.0, 0.0, 5.0, 5.0, /* row 2 dropped */ 9.0,
			9.0, 9.0, 9.0,
		];
		assert_eq!(max_pool2x2(&x, 1, 3, 4), vec![3.0, 5.0]);
		let dx = max_pool2x2_backward(&x, &[1.0, 2.0], 1, 3, 4);
		assert_eq!(dx, vec![0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
	}
}
