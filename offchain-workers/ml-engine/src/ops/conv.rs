//! 2-D convolution (stride 1, zero padding) with a per-channel bias.
//!
//! With `cols = im2col(x)` (rows `(b, oy, ox)`, columns `(c, ky, kx)`) and `w` flattened to
//! `O × (C·K·K)`:
//!
//! ```text
//! y[b, o, oy, ox] = w[o] · cols[(b, oy, ox)] + bias[o]
//! ∂w[o] = Σ_(b, oy, ox) ∂y[b, o, oy, ox] · cols[(b, oy, ox)]
//! ∂bias[o] = Σ_(b, oy, ox) ∂y[b, o, oy, ox]
//! ∂x = col2im_t(w_flatᵀ · ∂Yᵀ)
//! ```
//!
//! Every dot product is a [`gemm_nt`](crate::kernels::gemm_nt) one (fixed 8-lane order), the
//! bias sums run over `(b, oy, ox)` in order, and `col2im_t` sums each input element in
//! `(c, ky, kx, oy, ox)` order.

use candle_core::{CpuStorage, CustomOp1, CustomOp3, Layout, Shape, Tensor};

use super::{storage_f32, tensor, with_f32};
use crate::{
	kernels::{col2im, col2im_t, gemm_nt, im2col, im2col_t, transpose, ConvShape},
	Mode,
};

/// `x: [B, C, H, W]`, `w: [O, C, K, K]`, `b: [O]` → `[B, O, H + 2p − K + 1, W + 2p − K + 1]`.
///
/// Fast mode is `im2col` (a data-movement op) followed by candle's `gemm` matmul, so candle's
/// autograd differentiates it with matmuls too. candle's own `conv2d` is not used: its backward
/// pass goes through transposed convolutions (several times slower), and 0.9.2 computes wrong
/// values when the input has as many channels as rows and columns (huggingface/candle#3404).
pub fn conv2d(
	x: &Tensor,
	w: &Tensor,
	b: &Tensor,
	padding: usize,
	mode: Mode,
) -> candle_core::Result<Tensor> {
	match mode {
		Mode::Fast => {
			let (batch, _, height, width) = x.dims4()?;
			let (out, _, kernel, _) = w.dims4()?;
			// The op checks that the kernel fits, so the output sides below cannot underflow.
			let cols = x.contiguous()?.apply_op1(Im2Col { kernel, padding })?;
			let (out_h, out_w) =
				(height + 2 * padding + 1 - kernel, width + 2 * padding + 1 - kernel);
			let rows = cols.matmul(&w.flatten_from(1)?.t()?)?.broadcast_add(b)?;
			rows.reshape((batch, out_h * out_w, out))?
				.transpose(1, 2)?
				.contiguous()?
				.reshape((batch, out, out_h, out_w))
		},
		Mode::Deterministic => {
			x.contiguous()?.apply_op3(&w.contiguous()?, &b.contiguous()?, DetConv2d { padding })
		},
	}
}

/// `im2col` as a candle op (values moved, not combined); its gradient is `col2im`.
struct Im2Col {
	kernel: usize,
	padding: usize,
}

impl Im2Col {
	/// The geometry of an input of dimensions `dims`, if the kernel fits it.
	fn shape(&self, dims: &[usize]) -> candle_core::Result<ConvShape> {
		let &[batch, channels, height, width] = dims else {
			candle_core::bail!("im2col: expected [B, C, H, W], got {dims:?}");
		};
		let (kernel, padding) = (self.kernel, self.padding);
		if kernel == 0 || height + 2 * padding < kernel || width + 2 * padding < kernel {
			candle_core::bail!("im2col: kernel {kernel} does not fit {dims:?} (padding {padding})");
		}
		Ok(ConvShape { batch, channels, height, width, kernel, padding })
	}
}

impl CustomOp1 for Im2Col {
	fn name(&self) -> &'static str {
		"swarm-im2col"
	}

	fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
		let g = self.shape(l.dims())?;
		let cols = im2col(storage_f32(s, l, "im2col")?, &g);
		Ok((CpuStorage::F32(cols), Shape::from((g.batch * g.spatial(), g.patch()))))
	}

	fn bwd(
		&self,
		arg: &Tensor,
		_res: &Tensor,
		grad: &Tensor,
	) -> candle_core::Result<Option<Tensor>> {
		let g = self.shape(arg.dims())?;
		let grad = grad.contiguous()?;
		let dx = with_f32(&grad, "im2col backward", |cols| col2im(cols, &g))?;
		Ok(Some(tensor(dx, arg.dims())?))
	}
}

struct DetConv2d {
	padding: usize,
}

/// Sizes of one convolution call: the input geometry and the output channels.
struct Dims {
	shape: ConvShape,
	out: usize,
}

impl Dims {
	fn new(x: &[usize], w: &[usize], padding: usize) -> candle_core::Result<Self> {
		let (&[batch, channels, height, width], &[out, wc, kh, kw]) = (x, w) else {
			candle_core::bail!(
				"conv2d: expected x [B, C, H, W] and w [O, C, K, K], got {x:?} and {w:?}"
			);
		};
		if wc != channels ||
			kh != kw || kh == 0 ||
			height + 2 * padding < kh ||
			width + 2 * padding < kw
		{
			candle_core::bail!("conv2d: x {x:?} and w {w:?} (padding {padding}) do not fit");
		}
		Ok(Dims { shape: ConvShape { batch, channels, height, width, kernel: kh, padding }, out })
	}

	fn rows(&self) -> usize {
		self.shape.batch * self.shape.spatial()
	}
}

impl CustomOp3 for DetConv2d {
	fn name(&self) -> &'static str {
		"swarm-det-conv2d"
	}

	fn cpu_fwd(
		&self,
		xs: &CpuStorage,
		xl: &Layout,
		ws: &CpuStorage,
		wl: &Layout,
		bs: &CpuStorage,
		bl: &Layout,
	) -> candle_core::Result<(CpuStorage, Shape)> {
		let d = Dims::new(xl.dims(), wl.dims(), self.padding)?;
		if bl.dims() != [d.out] {
			candle_core::bail!(
				"conv2d: bias {:?} does not fit {} output channels",
				bl.dims(),
				d.out
			);
		}
		let (x, w, b) = (
			storage_f32(xs, xl, "conv2d")?,
			storage_f32(ws, wl, "conv2d")?,
			storage_f32(bs, bl, "conv2d")?,
		);
		let (rows, s, g) = (d.rows(), d.shape.spatial(), &d.shape);
		let cols = im2col(x, g);
		// y_t[o, (b, s)] = w[o] · cols[(b, s)]; then [o, (b, s)] → [b, o, s], adding the bias.
		let mut y_t = vec![0.0f32; d.out * rows];
		gemm_nt(w, &cols, None, d.out, rows, g.patch(), &mut y_t);
		let mut y = Vec::with_capacity(y_t.len());
		for bi in 0..g.batch {
			for (o, &bias) in b.iter().enumerate() {
				y.extend(y_t[o * rows + bi * s..][..s].iter().map(|&v| v + bias));
			}
		}
		Ok((CpuStorage::F32(y), Shape::from((g.batch, d.out, g.out_h(), g.out_w()))))
	}

	fn bwd(
		&self,
		x: &Tensor,
		w: &Tensor,
		_b: &Tensor,
		_res: &Tensor,
		grad: &Tensor,
	) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
		let d = Dims::new(x.dims(), w.dims(), self.padding)?;
		let (rows, patch, s, shape) = (d.rows(), d.shape.patch(), d.shape.spatial(), &d.shape);
		let grad = grad.contiguous()?;
		with_f32(&grad, "conv2d backward", |g| {
			// ∂Y as [o, (b, s)].
			let mut g_t = vec![0.0f32; d.out * rows];
			for (bi, sample) in g.chunks_exact(d.out * s).enumerate() {
				for (o, plane) in sample.chunks_exact(s).enumerate() {
					g_t[o * rows + bi * s..][..s].copy_from_slice(plane);
				}
			}
			let cols_t = with_f32(x, "conv2d backward", |x| im2col_t(x, shape))?;
			let mut dw = vec![0.0f32; d.out * patch];
			gemm_nt(&g_t, &cols_t, None, d.out, patch, rows, &mut dw);
			let db: Vec<f32> = g_t
				.chunks_exact(rows)
				.map(|row| {
					let mut sum = 0.0f32;
					for &v in row {
						sum += v;
					}
					sum
				})
				.collect();
			let dx = if x.track_op() {
				// ∂cols_t[tap, (b, s)] = Σ_o w[o, tap] · ∂Y[(b, s), o], folded back by col2im_t.
				let g_rows = transpose(&g_t, d.out, rows);
				let w_t = with_f32(w, "conv2d backward", |w| transpose(w, d.out, patch))?;
				let mut d_cols_t = vec![0.0f32; patch * rows];
				gemm_nt(&w_t, &g_rows, None, patch, rows, d.out, &mut d_cols_t);
				let dx = col2im_t(&d_cols_t, shape);
				Some(tensor(dx, x.dims())?)
			} else {
				None
			};
			Ok((dx, Some(tensor(dw, w.dims())?), Some(tensor(db, &[d.out])?)))
		})?
	}
}
