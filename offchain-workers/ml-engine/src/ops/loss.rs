//! Mean softmax cross-entropy of logits against integer labels.
//!
//! See [`kernels::softmax_cross_entropy`](crate::kernels::softmax_cross_entropy) for the maths.

use candle_core::{CpuStorage, CustomOp2, Layout, Shape, Tensor};

use super::{storage_f32, tensor, with_f32};
use crate::{
	kernels::{softmax_cross_entropy, softmax_cross_entropy_backward},
	Mode,
};

/// `logits: [B, C]` (f32), `labels: [B]` (u32, each `< C`) → the mean loss, a scalar.
pub fn cross_entropy(logits: &Tensor, labels: &Tensor, mode: Mode) -> candle_core::Result<Tensor> {
	match mode {
		Mode::Fast => candle_nn::loss::cross_entropy(logits, labels),
		Mode::Deterministic => {
			logits.contiguous()?.apply_op2(&labels.contiguous()?, DetCrossEntropy)
		},
	}
}

struct DetCrossEntropy;

fn checked_labels<'a>(
	s: &'a CpuStorage,
	l: &Layout,
	rows: usize,
	classes: usize,
) -> candle_core::Result<&'a [u32]> {
	let all = s.as_slice::<u32>()?;
	let (start, end) = l.contiguous_offsets().ok_or_else(|| {
		candle_core::Error::Msg("cross_entropy: labels are not contiguous".into())
	})?;
	let labels = &all[start..end];
	if labels.len() != rows {
		candle_core::bail!("cross_entropy: {} labels for {rows} rows", labels.len());
	}
	if let Some(bad) = labels.iter().find(|&&y| y as usize >= classes) {
		candle_core::bail!("cross_entropy: label {bad} is not below the class count {classes}");
	}
	Ok(labels)
}

fn labels_of(t: &Tensor) -> candle_core::Result<Vec<u32>> {
	t.to_vec1::<u32>()
}

impl CustomOp2 for DetCrossEntropy {
	fn name(&self) -> &'static str {
		"swarm-det-cross-entropy"
	}

	fn cpu_fwd(
		&self,
		zs: &CpuStorage,
		zl: &Layout,
		ys: &CpuStorage,
		yl: &Layout,
	) -> candle_core::Result<(CpuStorage, Shape)> {
		let (rows, classes) = zl.shape().dims2()?;
		let labels = checked_labels(ys, yl, rows, classes)?;
		let losses = softmax_cross_entropy(storage_f32(zs, zl, "cross_entropy")?, labels, classes);
		let mut sum = 0.0f32;
		for l in &losses {
			sum += l;
		}
		Ok((CpuStorage::F32(vec![sum / rows.max(1) as f32]), Shape::from(())))
	}

	fn bwd(
		&self,
		logits: &Tensor,
		labels: &Tensor,
		_res: &Tensor,
		grad: &Tensor,
	) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
		let (_, classes) = logits.dims2()?;
		let scale = grad.to_scalar::<f32>()?;
		let labels = labels_of(labels)?;
		let dz = with_f32(logits, "cross_entropy backward", |z| {
			softmax_cross_entropy_backward(z, &labels, classes, scale)
		})?;
		Ok((Some(tensor(dz, logits.dims())?), None))
	}
}
