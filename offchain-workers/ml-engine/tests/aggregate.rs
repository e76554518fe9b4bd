//! Aggregation: every method rejects bad updates with a reason, ignores arrival order, and
//! resists a poisoned node — on synthetic updates and in a federated run on Fashion-MNIST.

use swarm_ml::{
	aggregate,
	data::{
		fashion_mnist::{self, Split},
		partition::{partition, Partition},
	},
	federated::{simulate, FederationSpec, Poison},
	Aggregate, AggregateOptions, ClientId, Error, Method, Mode, ModelConfig, OptimizerConfig,
	RejectReason, Seed, SeededRng, ServerMomentum, Stream, Update, Weights, server_step,
};

const METHODS: [Method; 5] = [
	Method::FedAvg,
	Method::Median,
	Method::TrimmedMean { trim: 1 },
	Method::Krum { byzantine: 1 },
	Method::MultiKrum { byzantine: 1, keep: 2 },
];

fn weights(a: Vec<f32>, b: Vec<f32>) -> Weights {
	let mut w = Weights::new();
	w.insert("layer.weight", vec![2, 3], a).unwrap();
	w.insert("layer.bias", vec![2], b).unwrap();
	w
}

fn global() -> Weights {
	weights(vec![0.5, -0.5, 1.0, 0.0, 0.25, -1.0], vec![0.1, -0.1])
}

/// `global + direction + noise`, noise uniform in ±`noise` from the client's seed.
fn honest(id: u64, noise: f32) -> Update {
	let mut rng = SeededRng::new(&Seed::from(id), Stream::Synthetic);
	let g = global();
	let flat: Vec<f32> =
		g.flatten().iter().map(|&w| w + 0.1 + noise * (rng.uniform_f32() - 0.5)).collect();
	Update {
		client: ClientId::from(id),
		num_examples: 100 + id,
		weights: g.unflatten_like(&flat).unwrap(),
	}
}

fn with(id: u64, f: impl FnOnce(&mut Update)) -> Update {
	let mut u = honest(id, 0.01);
	f(&mut u);
	u
}

fn reason_of(out: &Aggregate, id: u64) -> Option<&RejectReason> {
	out.rejected.iter().find(|r| r.client == ClientId::from(id)).map(|r| &r.reason)
}

#[test]
fn every_method_rejects_bad_updates_with_a_reason() {
	let mut updates: Vec<Update> = (1..=5).map(|id| honest(id, 0.01)).collect();
	updates.push(with(10, |u| u.weights.get_mut("layer.weight").unwrap().data_mut()[4] = f32::NAN));
	updates
		.push(with(11, |u| u.weights.get_mut("layer.bias").unwrap().data_mut()[1] = f32::INFINITY));
	updates.push(with(12, |u| u.weights.insert("layer.bias", vec![3], vec![0.0; 3]).unwrap()));
	updates.push(with(13, |u| {
		u.weights = weights(vec![0.0; 6], vec![0.0; 2])
			.unflatten_like(&[0.0; 8])
			.map(|mut w| {
				w.insert("extra", vec![1], vec![0.0]).unwrap();
				w
			})
			.unwrap()
	}));
	updates.push(with(14, |u| {
		let mut w = Weights::new();
		w.insert("layer.weight", vec![2, 3], vec![0.0; 6]).unwrap();
		u.weights = w;
	}));
	updates.push(with(15, |u| u.num_examples = 0));
	updates.push(with(16, |u| u.weights = global().unflatten_like(&[100.0; 8]).unwrap()));
	updates.push(honest(17, 0.01));
	updates.push(honest(17, 0.02));
	let options = AggregateOptions { clip_norm: Some(10.0), max_examples: None };
	for method in METHODS {
		let out = aggregate(&global(), &updates, method, &options).unwrap();
		assert_eq!(out.accepted, (1..=5).map(ClientId::from).collect::<Vec<_>>(), "{method}");
		assert!(
			matches!(reason_of(&out, 10), Some(RejectReason::NonFinite { name, index: 4 }) if name == "layer.weight")
		);
		assert!(
			matches!(reason_of(&out, 11), Some(RejectReason::NonFinite { name, index: 1 }) if name == "layer.bias")
		);
		assert!(matches!(reason_of(&out, 12), Some(RejectReason::WrongShape { expected, got, .. })
			if expected == &vec![2] && got == &vec![3]));
		assert!(
			matches!(reason_of(&out, 13), Some(RejectReason::UnexpectedTensor { name }) if name == "extra")
		);
		assert!(
			matches!(reason_of(&out, 14), Some(RejectReason::MissingTensor { name }) if name == "layer.bias")
		);
		assert_eq!(reason_of(&out, 15), Some(&RejectReason::NoExamples));
		assert!(
			matches!(reason_of(&out, 16), Some(RejectReason::NormAboveClip { norm, bound }) if *norm > 10.0 && *bound == 10.0)
		);
		assert_eq!(
			out.rejected.iter().filter(|r| r.reason == RejectReason::DuplicateClient).count(),
			2
		);
		assert_eq!(out.rejected.len(), 9);
		// Reasons read as sentences.
		assert!(out.rejected.iter().all(|r| !r.reason.to_string().is_empty()));
		assert!(out.weights.flatten().iter().all(|v| v.is_finite()));
	}
}

#[test]
fn results_do_not_depend_on_arrival_order_or_threads() {
	let updates: Vec<Update> = (1..=6).map(|id| honest(id, 0.2)).collect();
	let mut reversed = updates.clone();
	reversed.reverse();
	let mut rotated = updates.clone();
	rotated.rotate_left(2);
	for method in METHODS {
		let hash = |u: &[Update]| {
			aggregate(&global(), u, method, &AggregateOptions::default())
				.unwrap()
				.weights
				.hash()
				.unwrap()
		};
		let reference = hash(&updates);
		assert_eq!(hash(&reversed), reference, "{method}");
		assert_eq!(hash(&rotated), reference, "{method}");
		let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
		assert_eq!(pool.install(|| hash(&updates)), reference, "{method}");
	}
}

#[test]
fn robust_methods_resist_a_poisoned_update_and_fedavg_does_not() {
	let honest_updates: Vec<Update> = (1..=3).map(|id| honest(id, 0.02)).collect();
	let g = global().flatten();
	// The honest mean step, and a poisoned client sending it reversed and ×10.
	let mean_step: Vec<f32> = (0..g.len())
		.map(|j| honest_updates.iter().map(|u| u.weights.flatten()[j] - g[j]).sum::<f32>() / 3.0)
		.collect();
	let poisoned_flat: Vec<f32> = g.iter().zip(&mean_step).map(|(w, d)| w - 10.0 * d).collect();
	let mut updates = honest_updates.clone();
	updates.push(Update {
		client: ClientId::from(4),
		num_examples: 103,
		weights: global().unflatten_like(&poisoned_flat).unwrap(),
	});
	let step_norm = mean_step.iter().map(|d| d * d).sum::<f32>().sqrt();
	for method in METHODS {
		let out = aggregate(&global(), &updates, method, &AggregateOptions::default()).unwrap();
		let step: Vec<f32> = out.weights.flatten().iter().zip(&g).map(|(w, g)| w - g).collect();
		let error = step.iter().zip(&mean_step).map(|(a, b)| (a - b) * (a - b)).sum::<f32>().sqrt() /
			step_norm;
		if method == Method::FedAvg {
			assert!(
				error > 2.0,
				"FedAvg should be dragged by the poisoned update (relative error {error})"
			);
		} else {
			assert!(error < 0.25, "{method}: relative error {error} from the honest step");
			if matches!(method, Method::Krum { .. } | Method::MultiKrum { .. }) {
				assert!(
					!out.selected.contains(&ClientId::from(4)),
					"{method} selected the poisoned client"
				);
			}
		}
	}
}

#[test]
fn unusable_requests_are_errors() {
	let updates: Vec<Update> = (1..=3).map(|id| honest(id, 0.01)).collect();
	let default = AggregateOptions::default();
	assert!(matches!(
		aggregate(&global(), &[], Method::FedAvg, &default),
		Err(Error::NoValidUpdates { rejected: 0 })
	));
	assert!(matches!(
		aggregate(&global(), &updates, Method::TrimmedMean { trim: 2 }, &default),
		Err(Error::TooFewUpdates { needed: 5, got: 3, .. })
	));
	assert!(matches!(
		aggregate(&global(), &updates, Method::Krum { byzantine: 1 }, &default),
		Err(Error::TooFewUpdates { needed: 4, got: 3, .. })
	));
	assert!(aggregate(&global(), &updates, Method::MultiKrum { byzantine: 0, keep: 4 }, &default)
		.is_err());
	let bad_clip = AggregateOptions { clip_norm: Some(-1.0), max_examples: None };
	assert!(matches!(
		aggregate(&global(), &updates, Method::FedAvg, &bad_clip),
		Err(Error::InvalidSpec(_))
	));
	assert_eq!(
		"multikrum:1:2".parse::<Method>().unwrap(),
		Method::MultiKrum { byzantine: 1, keep: 2 }
	);
	assert!("krum".parse::<Method>().is_err());
	assert!("mean".parse::<Method>().is_err());
}

/// Four nodes train on IID shards of 2 000 Fashion-MNIST images for 3 rounds; node 3 sends
/// sign-flipped (×10) or random updates. FedAvg collapses to near chance (10–25 %); median,
/// trimmed mean, Krum and Multi-Krum stay within 4 points of the clean FedAvg run (77.55 %:
/// median and trimmed mean 74.40 %, Krum 76.10 %, Multi-Krum 76.20 % under sign flipping). With
/// more rounds the gap closes (see BENCHMARKS.md); this short run keeps the suite fast.
#[test]
fn robust_methods_resist_a_poisoned_node_on_fashion_mnist() {
	let train = fashion_mnist::load(Split::Train).unwrap_or_else(|e| panic!("{e}")).take(8_000);
	let test = fashion_mnist::load(Split::Test).unwrap_or_else(|e| panic!("{e}")).take(2_000);
	let parts = partition(train.labels(), 10, 4, Partition::Iid, &Seed::from(7)).unwrap();
	let run = |method: Method, poisoned: Vec<(usize, Poison)>| {
		let spec = FederationSpec {
			model: ModelConfig::fashion_mnist_mlp(),
			optimizer: OptimizerConfig::sgd(0.05, 0.9),
			rounds: 3,
			local_epochs: 1,
			batch_size: 64,
			seed: Seed::from(2024),
			mode: Mode::Deterministic,
			method,
			clip_norm: None,
			server: None,
			poisoned,
		};
		simulate(&spec, &train, &parts, &test, &mut |_| {})
			.unwrap()
			.rounds
			.last()
			.unwrap()
			.test
			.accuracy() *
			100.0
	};
	let clean = run(Method::FedAvg, vec![]);
	println!("clean FedAvg: {clean:.2} %");
	for poison in [Poison::SignFlip { scale: 10.0 }, Poison::Random { std: 1.0 }] {
		for method in METHODS {
			let acc = run(method, vec![(3, poison)]);
			println!("{method} with {poison}: {acc:.2} %");
			if method == Method::FedAvg {
				assert!(
					acc < clean - 20.0,
					"FedAvg with {poison} should collapse: {acc:.2} % vs clean {clean:.2} %"
				);
			} else {
				assert!(
					acc >= clean - 4.0,
					"{method} with {poison}: {acc:.2} % vs clean {clean:.2} %"
				);
			}
		}
	}
}

#[test]
fn a_cap_on_examples_stops_one_client_claiming_to_outweigh_the_rest() {
	// Four honest clients move every weight by about +0.1; a fifth moves it by -10 and claims
	// 2⁶⁴−1 examples.
	let mut updates: Vec<Update> = (1..=4).map(|id| honest(id, 0.0)).collect();
	updates.push(Update {
		client: ClientId::from(9),
		num_examples: u64::MAX,
		weights: global()
			.unflatten_like(&global().flatten().iter().map(|w| w - 10.0).collect::<Vec<_>>())
			.unwrap(),
	});
	let delta = |out: &Aggregate| out.weights.flatten()[0] - global().flatten()[0];
	let trusted =
		aggregate(&global(), &updates, Method::FedAvg, &AggregateOptions::default()).unwrap();
	assert!(delta(&trusted) < -9.9, "uncapped, the claim takes over: {}", delta(&trusted));
	let options = AggregateOptions { clip_norm: None, max_examples: Some(104) };
	let capped = aggregate(&global(), &updates, Method::FedAvg, &options).unwrap();
	// Five equal-ish weights (101..=104 and the cap, 104): the outlier counts about a fifth.
	let expected = (101.0 * 0.1 + 102.0 * 0.1 + 103.0 * 0.1 + 104.0 * 0.1 - 104.0 * 10.0) / 514.0;
	assert!((delta(&capped) - expected).abs() < 1e-3, "{} vs {expected}", delta(&capped));
}

#[test]
fn server_momentum_adds_the_last_step_and_refuses_bad_factors() {
	let combined = aggregate(
		&global(),
		&(1..=3).map(|id| honest(id, 0.0)).collect::<Vec<_>>(),
		Method::FedAvg,
		&AggregateOptions::default(),
	)
	.unwrap()
	.weights;
	// The previous round's global model was 0.2 below this one everywhere.
	let below: Vec<f32> = global().flatten().iter().map(|w| w - 0.2).collect();
	let previous = global().unflatten_like(&below).unwrap();
	let step = ServerMomentum { learning_rate: 1.5, momentum: 0.5 };
	let first = server_step(&global(), None, &combined, step).unwrap();
	let later = server_step(&global(), Some(&previous), &combined, step).unwrap();
	for ((g, f), l) in global().flatten().iter().zip(first.flatten()).zip(later.flatten()) {
		// Δ = +0.1 everywhere: w + 1.5·0.1, and + 0.5·0.2 with the previous model.
		assert!((f - (g + 0.15)).abs() < 1e-6, "{f} vs {}", g + 0.15);
		assert!((l - (g + 0.25)).abs() < 1e-6, "{l} vs {}", g + 0.25);
	}
	// η = 1, β = 0 is the method's result, bit for bit.
	let plain = ServerMomentum { learning_rate: 1.0, momentum: 0.0 };
	assert_eq!(server_step(&global(), Some(&previous), &combined, plain).unwrap(), combined);

	for (learning_rate, momentum) in [(0.0, 0.5), (1.0, 1.0), (f64::NAN, 0.0), (1.0, -0.1)] {
		let bad = ServerMomentum { learning_rate, momentum };
		assert!(matches!(server_step(&global(), None, &combined, bad), Err(Error::InvalidSpec(_))));
	}
	let mut other = Weights::new();
	other.insert("layer.weight", vec![3, 2], vec![0.0; 6]).unwrap();
	other.insert("layer.bias", vec![2], vec![0.0; 2]).unwrap();
	assert!(matches!(
		server_step(&global(), Some(&other), &combined, step),
		Err(Error::InvalidSpec(_))
	));
}
