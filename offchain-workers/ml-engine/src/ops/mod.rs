//! Tensor operations for both [`Mode`]s, as candle ops with gradients.
//!
//! In [`Mode::Deterministic`] each function applies a candle custom op (`CustomOp1/2/3`) whose
//! forward and backward passes call the fixed-order [`kernels`](crate::kernels); candle only
//! provides tensors, the autograd graph and variables. In [`Mode::Fast`] the same function is the
//! plain candle equivalent. Both compute the same mathematics, so a model trained in one mode
//! can be evaluated in the other.
//!
//! ```rust
//! use candle_core::{Device, Tensor, Var};
//! use swarm_ml::{ops, Mode};
//! let x = Var::new(&[[1.0f32, -2.0], [3.0, 4.0]], &Device::Cpu)?;
//! let w = Var::new(&[[1.0f32, 1.0], [0.5, -1.0]], &Device::Cpu)?;
//! let b = Var::new(&[0.0f32, 1.0], &Device::Cpu)?;
//! let y = ops::linear(x.as_tensor(), w.as_tensor(), b.as_tensor(), Mode::Deterministic)?;
//! assert_eq!(y.to_vec2::<f32>()?, vec![vec![-1.0, 3.5], vec![7.0, -1.5]]);
//! let grads = y.sum_all()?.backward()?;
//! // d(Σy)/db = number of rows for each output.
//! assert_eq!(grads.get(b.as_tensor()).unwrap().to_vec1::<f32>()?, vec![2.0, 2.0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod activation;
mod conv;
mod linear;
mod loss;

use candle_core::{CpuStorage, Layout, Storage, Tensor};

pub use activation::{max_pool2x2, relu};
pub use conv::conv2d;
pub use linear::linear;
pub use loss::cross_entropy;

#[allow(unused_imports)]
use crate::Mode;

/// The `f32` values of a contiguous CPU storage.
fn storage_f32<'a>(
	storage: &'a CpuStorage,
	layout: &Layout,
	op: &str,
) -> candle_core::Result<&'a [f32]> {
	let data = storage.as_slice::<f32>()?;
	let (start, end) = layout
		.contiguous_offsets()
		.ok_or_else(|| candle_core::Error::Msg(format!("{op}: input is not contiguous")))?;
	Ok(&data[start..end])
}

/// Runs `f` on the `f32` values of a contiguous CPU tensor, without copying them.
fn with_f32<R>(t: &Tensor, op: &str, f: impl FnOnce(&[f32]) -> R) -> candle_core::Result<R> {
	let (storage, layout) = t.storage_and_layout();
	let Storage::Cpu(cpu) = &*storage else {
		return Err(candle_core::Error::Msg(format!("{op}: deterministic ops run on the CPU only")));
	};
	Ok(f(storage_f32(cpu, layout, op)?))
}

/// A new CPU tensor holding `data` with `shape`.
fn tensor(data: Vec<f32>, shape: &[usize]) -> candle_core::Result<Tensor> {
	Tensor::from_vec(data, shape, &candle_core::Device::Cpu)
}
