//! Model weights in canonical form, their safetensors bytes and their hash.
//!
//! [`Weights`] maps parameter names to [`Param`]s (a shape and `f32` values) in a `BTreeMap`, so
//! iteration, serialisation, hashing and aggregation always go in name order.
//!
//! [`Weights::to_safetensors`] writes a standard safetensors file with **no metadata**: the header
//! is a JSON object with the tensors sorted by name (all `F32`, so the safetensors crate's
//! "dtype, then name" order is name order), offsets follow that order, the header is padded
//! with spaces to a multiple of 8 bytes, values are little-endian. The same weights therefore
//! always give the same bytes, whatever order they were inserted in, and
//! [`Weights::hash`] = blake2-256 of those bytes identifies them.
//!
//! ```rust
//! use swarm_ml::Weights;
//! let mut a = Weights::new();
//! a.insert("fc0.weight", vec![2, 2], vec![1.0, 2.0, 3.0, 4.0])?;
//! a.insert("fc0.bias", vec![2], vec![0.5, -0.5])?;
//! let mut b = Weights::new();
//! b.insert("fc0.bias", vec![2], vec![0.5, -0.5])?;
//! b.insert("fc0.weight", vec![2, 2], vec![1.0, 2.0, 3.0, 4.0])?;
//! assert_eq!(a.to_safetensors()?, b.to_safetensors()?);
//! assert_eq!(Weights::from_safetensors(&a.to_safetensors()?)?, b);
//! # Ok::<(), swarm_ml::Error>(())
//! ```

use std::{borrow::Cow, collections::BTreeMap};

use safetensors::{tensor::TensorView, Dtype, SafeTensors, View};

use crate::{
	error::ensure_finite,
	hash::blake2_256,
	seed::{SeededRng, Stream},
	Error, Hash, ModelConfig, Result, Seed,
};

/// One parameter tensor: a row-major shape and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
	shape: Vec<usize>,
	data: Vec<f32>,
}

impl Param {
	/// A parameter; `data.len()` must equal the product of `shape`.
	pub fn new(shape: Vec<usize>, data: Vec<f32>) -> Result<Self> {
		let expected: usize = shape.iter().product();
		if expected != data.len() {
			return Err(Error::shape("parameter data", &[expected], &[data.len()]));
		}
		Ok(Param { shape, data })
	}

	/// The shape.
	pub fn shape(&self) -> &[usize] {
		&self.shape
	}

	/// The values, row-major.
	pub fn data(&self) -> &[f32] {
		&self.data
	}

	/// The values, mutable (the shape stays fixed).
	pub fn data_mut(&mut self) -> &mut [f32] {
		&mut self.data
	}

	/// Consumes the parameter, returning its values.
	pub fn into_data(self) -> Vec<f32> {
		self.data
	}
}

/// A view of a [`Param`] for the safetensors writer, holding little-endian bytes.
struct LeView<'a> {
	shape: &'a [usize],
	bytes: Vec<u8>,
}

impl View for &LeView<'_> {
	fn dtype(&self) -> Dtype {
		Dtype::F32
	}
	fn shape(&self) -> &[usize] {
		self.shape
	}
	fn data(&self) -> Cow<'_, [u8]> {
		Cow::Borrowed(&self.bytes)
	}
	fn data_len(&self) -> usize {
		self.bytes.len()
	}
}

/// Named parameters in canonical (name) order; see the [module docs](self).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Weights {
	params: BTreeMap<String, Param>,
}

impl Weights {
	/// No parameters.
	pub fn new() -> Self {
		Self::default()
	}

	/// Adds or replaces a parameter; errors if `data` does not fill `shape`.
	pub fn insert(
		&mut self,
		name: impl Into<String>,
		shape: Vec<usize>,
		data: Vec<f32>,
	) -> Result<()> {
		self.params.insert(name.into(), Param::new(shape, data)?);
		Ok(())
	}

	/// The parameter called `name`.
	pub fn get(&self, name: &str) -> Option<&Param> {
		self.params.get(name)
	}

	/// The parameter called `name`, mutable.
	pub fn get_mut(&mut self, name: &str) -> Option<&mut Param> {
		self.params.get_mut(name)
	}

	/// Parameters in name order.
	pub fn iter(&self) -> impl Iterator<Item = (&str, &Param)> {
		self.params.iter().map(|(k, v)| (k.as_str(), v))
	}

	/// Parameters in name order, mutable.
	pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Param)> {
		self.params.iter_mut().map(|(k, v)| (k.as_str(), v))
	}

	/// Number of tensors.
	pub fn len(&self) -> usize {
		self.params.len()
	}

	/// Whether there are no tensors.
	pub fn is_empty(&self) -> bool {
		self.params.is_empty()
	}

	/// Total number of scalar values.
	pub fn num_values(&self) -> usize {
		self.params.values().map(|p| p.data.len()).sum()
	}

	/// Initial weights for `config` drawn from `seed` ([`Stream::Init`]).
	///
	/// Like PyTorch's defaults for `Linear`/`Conv2d`: every weight and bias is uniform in
	/// `[-1/√fan_in, 1/√fan_in)`, drawn layer by layer (convs, then fully connected layers),
	/// weight before bias, in row-major order.
	pub fn init(config: &ModelConfig, seed: &Seed) -> Result<Self> {
		config.validate()?;
		let mut rng = SeededRng::new(seed, Stream::Init);
		let shapes = config.param_shapes();
		let layers = config.conv_geometry()?.len();
		let names = (0..layers)
			.map(|i| format!("conv{i}"))
			.chain((0..config.dense_widths().len() - 1).map(|i| format!("fc{i}")));
		let mut weights = Weights::new();
		for layer in names {
			let (w_name, b_name) = (format!("{layer}.weight"), format!("{layer}.bias"));
			let (Some(w_shape), Some(b_shape)) = (shapes.get(&w_name), shapes.get(&b_name)) else {
				return Err(Error::InvalidConfig(format!("no parameters for layer {layer}")));
			};
			let fan_in: usize = w_shape[1..].iter().product();
			let bound = 1.0 / (fan_in as f32).sqrt();
			for (name, shape) in [(w_name, w_shape), (b_name, b_shape)] {
				let n = shape.iter().product();
				let data = (0..n).map(|_| (2.0 * rng.uniform_f32() - 1.0) * bound).collect();
				weights.insert(name, shape.clone(), data)?;
			}
		}
		Ok(weights)
	}

	/// Checks that the weights have exactly `config`'s parameters, with its shapes, all finite.
	pub fn check_fits(&self, config: &ModelConfig) -> Result<()> {
		let shapes = config.param_shapes();
		for (name, shape) in &shapes {
			let Some(param) = self.params.get(name) else {
				return Err(Error::WeightsMismatch(format!("parameter `{name}` is missing")));
			};
			if &param.shape != shape {
				return Err(Error::shape(format!("parameter `{name}`"), shape, &param.shape));
			}
			ensure_finite(|| format!("parameter `{name}`"), &param.data)?;
		}
		if let Some(extra) = self.params.keys().find(|k| !shapes.contains_key(*k)) {
			return Err(Error::WeightsMismatch(format!("unexpected parameter `{extra}`")));
		}
		Ok(())
	}

	/// Canonical safetensors bytes (no metadata); see the [module docs](self).
	pub fn to_safetensors(&self) -> Result<Vec<u8>> {
		let views: Vec<(&str, LeView<'_>)> = self
			.params
			.iter()
			.map(|(name, p)| {
				let bytes = p.data.iter().flat_map(|v| v.to_le_bytes()).collect();
				(name.as_str(), LeView { shape: &p.shape, bytes })
			})
			.collect();
		safetensors::serialize(views.iter().map(|(n, v)| (*n, v)), None)
			.map_err(|e| Error::Safetensors(e.to_string()))
	}

	/// Reads safetensors bytes holding only `F32` tensors (metadata, if any, is ignored).
	pub fn from_safetensors(bytes: &[u8]) -> Result<Self> {
		let file =
			SafeTensors::deserialize(bytes).map_err(|e| Error::Safetensors(e.to_string()))?;
		let mut weights = Weights::new();
		for (name, view) in file.tensors() {
			weights.params.insert(name.clone(), param_from_view(&name, &view)?);
		}
		Ok(weights)
	}

	/// blake2-256 of [`Weights::to_safetensors`].
	pub fn hash(&self) -> Result<Hash> {
		Ok(blake2_256(&self.to_safetensors()?))
	}

	/// Whether `other` has the same names and shapes.
	pub fn same_layout(&self, other: &Weights) -> bool {
		self.params.len() == other.params.len() &&
			self.params
				.iter()
				.zip(&other.params)
				.all(|((na, a), (nb, b))| na == nb && a.shape == b.shape)
	}

	/// `self − other`, element-wise (same layout required).
	pub fn sub(&self, other: &Weights) -> Result<Weights> {
		self.zip_with(other, |a, b| a - b)
	}

	/// `self + other`, element-wise (same layout required).
	pub fn add(&self, other: &Weights) -> Result<Weights> {
		self.zip_with(other, |a, b| a + b)
	}

	fn zip_with(&self, other: &Weights, f: impl Fn(f32, f32) -> f32) -> Result<Weights> {
		if !self.same_layout(other) {
			return Err(Error::WeightsMismatch(
				"the two sets of weights differ in names or shapes".into(),
			));
		}
		let params = self
			.params
			.iter()
			.zip(&other.params)
			.map(|((name, a), (_, b))| {
				let data = a.data.iter().zip(&b.data).map(|(&x, &y)| f(x, y)).collect();
				(name.clone(), Param { shape: a.shape.clone(), data })
			})
			.collect();
		Ok(Weights { params })
	}

	/// Euclidean norm of all values, accumulated in `f64` in name then row-major order.
	pub fn l2_norm(&self) -> f64 {
		let mut sum = 0.0f64;
		for p in self.params.values() {
			for &v in &p.data {
				sum += v as f64 * v as f64;
			}
		}
		sum.sqrt()
	}

	/// Every value, concatenated in name then row-major order.
	pub fn flatten(&self) -> Vec<f32> {
		let mut out = Vec::with_capacity(self.num_values());
		for p in self.params.values() {
			out.extend_from_slice(&p.data);
		}
		out
	}

	/// The inverse of [`Weights::flatten`]: same names and shapes as `self`, values from `flat`.
	pub fn unflatten_like(&self, flat: &[f32]) -> Result<Weights> {
		if flat.len() != self.num_values() {
			return Err(Error::shape("flat weights", &[self.num_values()], &[flat.len()]));
		}
		let mut offset = 0;
		let params = self
			.params
			.iter()
			.map(|(name, p)| {
				let n = p.data.len();
				let data = flat[offset..offset + n].to_vec();
				offset += n;
				(name.clone(), Param { shape: p.shape.clone(), data })
			})
			.collect();
		Ok(Weights { params })
	}
}

fn param_from_view(name: &str, view: &TensorView<'_>) -> Result<Param> {
	if view.dtype() != Dtype::F32 {
		return Err(Error::Safetensors(format!(
			"tensor `{name}` has dtype {:?}; only F32 weights are accepted",
			view.dtype()
		)));
	}
	let data =
		view.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
	Param::new(view.shape().to_vec(), data)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn init_is_seeded_and_fits_the_config() {
		let config = ModelConfig::fashion_mnist_cnn();
		let a = Weights::init(&config, &Seed::from(1)).unwrap();
		let b = Weights::init(&config, &Seed::from(1)).unwrap();
		let c = Weights::init(&config, &Seed::from(2)).unwrap();
		a.check_fits(&config).unwrap();
		assert_eq!(a, b);
		assert_ne!(a, c);
		let bound = 1.0 / 25f32.sqrt();
		assert!(a.get("conv0.weight").unwrap().data().iter().all(|v| v.abs() <= bound));
	}

	#[test]
	fn check_fits_reports_what_is_wrong() {
		let config = ModelConfig::fashion_mnist_mlp();
		let mut w = Weights::init(&config, &Seed::from(1)).unwrap();
		w.get_mut("fc0.bias").unwrap().data_mut()[3] = f32::NAN;
		let err = w.check_fits(&config).unwrap_err();
		assert!(matches!(err, Error::NonFinite { index: 3, .. }), "{err}");
		w.insert("fc0.bias", vec![3], vec![0.0; 3]).unwrap();
		assert!(matches!(w.check_fits(&config), Err(Error::ShapeMismatch { .. })));
		w.params.remove("fc0.bias");
		assert!(w.check_fits(&config).unwrap_err().to_string().contains("missing"));
	}

	#[test]
	fn non_f32_and_garbage_safetensors_are_rejected() {
		assert!(matches!(Weights::from_safetensors(b"not a file"), Err(Error::Safetensors(_))));
		let data = [0u8; 4];
		let view = TensorView::new(Dtype::I32, vec![1], &data).unwrap();
		let bytes = safetensors::serialize([("x", view)], None).unwrap();
		let err = Weights::from_safetensors(&bytes).unwrap_err().to_string();
		assert!(err.contains("only F32"), "{err}");
	}

	#[test]
	fn flatten_round_trips() {
		let w = Weights::init(&ModelConfig::fashion_mnist_cnn(), &Seed::from(3)).unwrap();
		assert_eq!(w.unflatten_like(&w.flatten()).unwrap(), w);
	}
}
