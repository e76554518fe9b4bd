//! Fully connected layer `y = x · wᵀ + b`.
//!
//! Backward: `∂x = ∂y · w`, `∂w = ∂yᵀ · x`, `∂b = Σ_rows ∂y`; each product is a
//! [`gemm_nt`](crate::kernels::gemm_nt) on transposed copies, so every gradient value is one
//! fixed-order dot product (the weight gradient sums over the batch in sample order).

use candle_core::{CpuStorage, CustomOp3, Layout, Shape, Tensor};

use super::{storage_f32, tensor, with_f32};
use crate::{
	kernels::{gemm_nt, sum_rows, transpose},
	Mode,
};

/// `x: [m, k]`, `w: [n, k]`, `b: [n]` → `x · wᵀ + b: [m, n]`.
pub fn linear(x: &Tensor, w: &Tensor, b: &Tensor, mode: Mode) -> candle_core::Result<Tensor> {
	match mode {
		Mode::Fast => x.matmul(&w.t()?)?.broadcast_add(b),
		Mode::Deterministic => {
			x.contiguous()?.apply_op3(&w.contiguous()?, &b.contiguous()?, DetLinear)
		},
	}
}

struct DetLinear;

impl CustomOp3 for DetLinear {
	fn name(&self) -> &'static str {
		"swarm-det-linear"
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
		let (m, k) = xl.shape().dims2()?;
		let (n, kw) = wl.shape().dims2()?;
		let nb = bl.shape().dims1()?;
		if kw != k || nb != n {
			candle_core::bail!(
				"linear: x {:?}, w {:?}, b {:?} do not fit",
				xl.dims(),
				wl.dims(),
				bl.dims()
			);
		}
		let (x, w, b) = (
			storage_f32(xs, xl, "linear")?,
			storage_f32(ws, wl, "linear")?,
			storage_f32(bs, bl, "linear")?,
		);
		let mut y = vec![0.0f32; m * n];
		gemm_nt(x, w, Some(b), m, n, k, &mut y);
		Ok((CpuStorage::F32(y), Shape::from((m, n))))
	}

	fn bwd(
		&self,
		x: &Tensor,
		w: &Tensor,
		_b: &Tensor,
		_res: &Tensor,
		grad: &Tensor,
	) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
		let (m, k) = x.dims2()?;
		let n = w.dim(0)?;
		let grad = grad.contiguous()?;
		with_f32(&grad, "linear backward", |g| {
			let dx = if x.track_op() {
				let wt = with_f32(w, "linear backward", |w| transpose(w, n, k))?;
				let mut dx = vec![0.0f32; m * k];
				gemm_nt(g, &wt, None, m, k, n, &mut dx);
				Some(tensor(dx, &[m, k])?)
			} else {
				None
			};
			let gt = transpose(g, m, n);
			let xt = with_f32(x, "linear backward", |x| transpose(x, m, k))?;
			let mut dw = vec![0.0f32; n * k];
			gemm_nt(&gt, &xt, None, n, k, m, &mut dw);
			let db = sum_rows(g, m, n);
			Ok((dx, Some(tensor(dw, &[n, k])?), Some(tensor(db, &[n])?)))
		})?
	}
}
