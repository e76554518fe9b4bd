//! ReLU and 2×2 max-pooling, both exact (comparisons only).

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};

use super::{storage_f32, tensor, with_f32};
use crate::{
	kernels::{self, max_pool2x2_backward},
	Mode,
};

/// `max(x, 0)` element-wise; the gradient passes where `x > 0`.
pub fn relu(x: &Tensor, mode: Mode) -> candle_core::Result<Tensor> {
	match mode {
		Mode::Fast => x.relu(),
		Mode::Deterministic => x.contiguous()?.apply_op1(DetRelu),
	}
}

/// 2×2 max-pooling with stride 2 over the last two dims of `x: [B, C, H, W]`.
///
/// Both modes use the crate's op: pooling is comparisons only (nothing to speed up), and
/// candle 0.9.2's `max_pool2d` gradient is wrong: it multiplies by the share of maxima in the
/// window (¼ for a unique maximum instead of 1) and, for odd sides, upsamples the gradient into
/// the wrong windows.
pub fn max_pool2x2(x: &Tensor, _mode: Mode) -> candle_core::Result<Tensor> {
	x.contiguous()?.apply_op1(DetMaxPool)
}

struct DetRelu;

impl CustomOp1 for DetRelu {
	fn name(&self) -> &'static str {
		"swarm-det-relu"
	}

	fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
		Ok((CpuStorage::F32(kernels::relu(storage_f32(s, l, "relu")?)), l.shape().clone()))
	}

	fn bwd(
		&self,
		arg: &Tensor,
		_res: &Tensor,
		grad: &Tensor,
	) -> candle_core::Result<Option<Tensor>> {
		let grad = grad.contiguous()?;
		let dx = with_f32(arg, "relu backward", |x| {
			with_f32(&grad, "relu backward", |g| kernels::relu_backward(x, g))
		})??;
		Ok(Some(tensor(dx, arg.dims())?))
	}
}

struct DetMaxPool;

fn pool_dims(dims: &[usize]) -> candle_core::Result<(usize, usize, usize)> {
	match dims {
		&[b, c, h, w] if h >= 2 && w >= 2 => Ok((b * c, h, w)),
		_ => candle_core::bail!("max_pool2x2: expected [B, C, H ≥ 2, W ≥ 2], got {dims:?}"),
	}
}

impl CustomOp1 for DetMaxPool {
	fn name(&self) -> &'static str {
		"swarm-det-max-pool2x2"
	}

	fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
		let (planes, h, w) = pool_dims(l.dims())?;
		let y = kernels::max_pool2x2(storage_f32(s, l, "max_pool2x2")?, planes, h, w);
		let dims = l.dims();
		Ok((CpuStorage::F32(y), Shape::from((dims[0], dims[1], h / 2, w / 2))))
	}

	fn bwd(
		&self,
		arg: &Tensor,
		_res: &Tensor,
		grad: &Tensor,
	) -> candle_core::Result<Option<Tensor>> {
		let (planes, h, w) = pool_dims(arg.dims())?;
		let grad = grad.contiguous()?;
		let dx = with_f32(arg, "max_pool2x2 backward", |x| {
			with_f32(&grad, "max_pool2x2 backward", |g| max_pool2x2_backward(x, g, planes, h, w))
		})??;
		Ok(Some(tensor(dx, arg.dims())?))
	}
}
