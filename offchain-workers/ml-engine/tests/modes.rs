//! The deterministic kernels compute the same mathematics as plain candle: forward values and
//! every parameter gradient agree with fast mode to float rounding, for both model kinds, and
//! fast mode steers clear of two candle 0.9.2 bugs.

use candle_core::{Device, Tensor};
use swarm_ml::{
	data::Dataset, CnnConfig, ConvBlock, InputShape, MlpConfig, Mode, Model, ModelConfig, Seed,
	Weights,
};

fn small_cnn() -> ModelConfig {
	ModelConfig::Cnn(CnnConfig {
		input: InputShape { channels: 2, height: 12, width: 10 },
		convs: vec![
			ConvBlock { out_channels: 5, kernel: 3, padding: 1 },
			ConvBlock { out_channels: 7, kernel: 3, padding: 0 },
		],
		hidden: vec![12],
		classes: 5,
		dropout_permille: 0,
	})
}

fn small_mlp() -> ModelConfig {
	ModelConfig::Mlp(MlpConfig {
		input: InputShape { channels: 1, height: 5, width: 7 },
		hidden: vec![19, 9],
		classes: 6,
		dropout_permille: 0,
	})
}

/// Loss and gradients (name order) of one batch in `mode`.
fn loss_and_grads(config: &ModelConfig, mode: Mode) -> (f32, Vec<(String, Vec<f32>)>) {
	let weights = Weights::init(config, &Seed::from(11)).unwrap();
	let model = Model::new(config, &weights).unwrap();
	let data = Dataset::synthetic(&Seed::from(12), 13, config.input(), config.classes()).unwrap();
	let (xs, ys) = data.batch(&(0..13).collect::<Vec<_>>()).unwrap();
	let xs = Tensor::from_vec(xs, (13, config.input().len()), &Device::Cpu).unwrap();
	let ys = Tensor::from_vec(ys, 13, &Device::Cpu).unwrap();
	let loss = model.loss(&model.forward(&xs, mode, None).unwrap(), &ys, mode).unwrap();
	let grads = loss.backward().unwrap();
	let per_param = model
		.vars()
		.iter()
		.map(|(name, var)| {
			let g = grads.get(var.as_tensor()).unwrap_or_else(|| panic!("no gradient for {name}"));
			(name.clone(), g.flatten_all().unwrap().to_vec1::<f32>().unwrap())
		})
		.collect();
	(loss.to_scalar::<f32>().unwrap(), per_param)
}

fn assert_modes_agree(config: &ModelConfig) {
	let (det_loss, det) = loss_and_grads(config, Mode::Deterministic);
	let (fast_loss, fast) = loss_and_grads(config, Mode::Fast);
	assert!((det_loss - fast_loss).abs() < 1e-5, "loss {det_loss} vs {fast_loss}");
	assert_eq!(det.len(), config.param_shapes().len());
	for ((name, d), (_, f)) in det.iter().zip(&fast) {
		let scale = f.iter().fold(1e-3f32, |m, v| m.max(v.abs()));
		let worst = d.iter().zip(f).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
		assert!(worst <= 1e-4 * scale, "{name}: max |det − fast| = {worst} (scale {scale})");
		assert!(d.iter().any(|v| *v != 0.0), "{name}: gradient is all zero");
	}
}

#[test]
fn mlp_gradients_match_plain_candle() {
	assert_modes_agree(&small_mlp());
}

#[test]
fn cnn_gradients_match_plain_candle() {
	assert_modes_agree(&small_cnn());
}

#[test]
fn inference_in_deterministic_mode_does_not_depend_on_the_batch() {
	let config = small_cnn();
	let model = Model::new(&config, &Weights::init(&config, &Seed::from(1)).unwrap()).unwrap();
	let data = Dataset::synthetic(&Seed::from(2), 9, config.input(), config.classes()).unwrap();
	let (xs, _) = data.batch(&(0..9).collect::<Vec<_>>()).unwrap();
	let all = model.logits(&xs, 9, Mode::Deterministic).unwrap();
	let len = config.input().len();
	for i in 0..9 {
		let one = model.logits(&xs[i * len..(i + 1) * len], 1, Mode::Deterministic).unwrap();
		let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
		assert_eq!(bits(&one), bits(&all[i * 5..(i + 1) * 5]), "sample {i}");
	}
}

#[test]
fn bad_inputs_are_errors_not_panics() {
	let config = small_mlp();
	let model = Model::new(&config, &Weights::init(&config, &Seed::from(1)).unwrap()).unwrap();
	let err = model.logits(&[0.0; 10], 1, Mode::Deterministic).unwrap_err().to_string();
	assert!(err.contains("shape mismatch"), "{err}");
	let mut xs = vec![0.0; 35];
	xs[4] = f32::NAN;
	let err = model.logits(&xs, 1, Mode::Deterministic).unwrap_err().to_string();
	assert!(err.contains("non-finite") && err.contains("index 4"), "{err}");
	let other = small_cnn();
	let err = Model::new(&other, &Weights::init(&config, &Seed::from(1)).unwrap())
		.err()
		.unwrap()
		.to_string();
	assert!(err.contains("missing"), "{err}");
}

/// candle 0.9.2 computes a wrong convolution when `C == H == W` (huggingface/candle#3404); fast
/// mode must route around it.
#[test]
fn fast_conv_is_right_when_channels_equal_height_and_width() {
	use swarm_ml::ops;
	let (c, side, o, k) = (5, 5, 3, 2);
	let xs: Vec<f32> = (0..c * side * side).map(|i| ((i * 7) % 11) as f32 - 5.0).collect();
	let ws: Vec<f32> = (0..o * c * k * k).map(|i| ((i * 5) % 7) as f32 - 3.0).collect();
	let x = Tensor::from_vec(xs.clone(), (1, c, side, side), &Device::Cpu).unwrap();
	let w = Tensor::from_vec(ws.clone(), (o, c, k, k), &Device::Cpu).unwrap();
	let b = Tensor::zeros(o, candle_core::DType::F32, &Device::Cpu).unwrap();
	let fast = ops::conv2d(&x, &w, &b, 0, Mode::Fast)
		.unwrap()
		.flatten_all()
		.unwrap()
		.to_vec1::<f32>()
		.unwrap();
	let out = side - k + 1;
	for oc in 0..o {
		for y in 0..out {
			for xx in 0..out {
				let mut want = 0.0f32;
				for ci in 0..c {
					for ky in 0..k {
						for kx in 0..k {
							want += xs[(ci * side + y + ky) * side + xx + kx] *
								ws[((oc * c + ci) * k + ky) * k + kx];
						}
					}
				}
				assert_eq!(fast[(oc * out + y) * out + xx], want, "output ({oc}, {y}, {xx})");
			}
		}
	}
}

/// candle 0.9.2's own `max_pool2d` gradient is a quarter of the true one for a unique maximum,
/// which is why both modes use the crate's pooling op; the op routes exactly `g` to each maximum.
#[test]
fn pooling_gradient_is_the_true_one_unlike_candles() {
	use candle_core::Var;
	use swarm_ml::ops;
	// Distinct values: every window has a unique maximum.
	let x = Var::from_vec(
		(0..2 * 8 * 6).map(|i| ((i * 29) % 97) as f32).collect::<Vec<f32>>(),
		(1, 2, 8, 6),
		&Device::Cpu,
	)
	.unwrap();
	let grad_of = |y: Tensor| {
		let w = Tensor::from_vec(
			(0..y.elem_count()).map(|i| i as f32 + 1.0).collect::<Vec<f32>>(),
			y.dims(),
			&Device::Cpu,
		)
		.unwrap();
		let g = (y * w).unwrap().sum_all().unwrap().backward().unwrap();
		g.get(x.as_tensor()).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap()
	};
	let ours = grad_of(ops::max_pool2x2(x.as_tensor(), Mode::Fast).unwrap());
	// Each of the 2·4·3 windows routes its weight (1, 2, …, 24) to its maximum.
	let mut routed: Vec<f32> = ours.iter().copied().filter(|g| *g != 0.0).collect();
	routed.sort_by(f32::total_cmp);
	assert_eq!(routed, (1..=24).map(|v| v as f32).collect::<Vec<_>>());
	let candle = grad_of(x.as_tensor().max_pool2d(2).unwrap());
	assert!(
		ours.iter().zip(&candle).all(|(o, c)| *c == o / 4.0),
		"candle's max-pool gradient changed"
	);
}
