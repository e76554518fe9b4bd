//! `swarm-ml bench`: the figures of BENCHMARKS.md, printed side by side.
//!
//! * **P1** throughput (samples/s) of a training step and of inference, MLP and CNN, ours in fast
//!   and deterministic mode, and PyTorch CPU on the same model, batch size and threads (`--python`
//!   pointing at an interpreter with `torch`).
//! * **P2** deterministic ÷ fast time, from the P1 runs.
//! * **P3** federated simulation (4 nodes, Dirichlet non-IID, FedAvg) against centralised training
//!   with the same total epochs, and against Flower's FedAvg (`flwr`) if installed.
//! * **Robustness**: one of four nodes sends poisoned updates; accuracy per aggregation method
//!   against the clean FedAvg run.
//!
//! Timings are wall-clock on whatever else the machine is doing: they are figures to read, never
//! assertions.

use std::{
	io::Write,
	path::{Path, PathBuf},
	process::Command,
	time::Instant,
};

use candle_core::{Device, Tensor};
use clap::{Args, ValueEnum};
use swarm_ml::{
	data::{
		partition::{partition, Partition},
		Dataset,
	},
	evaluate,
	federated::{simulate, FederationSpec, Poison},
	train, Error, Method, Mode, Model, ModelConfig, Optimizer, OptimizerConfig, Result, Seed,
	ServerMomentum, TrainSpec, Weights,
};

use super::commands::load_split;

/// Which benchmark to run.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Which {
	/// Throughput, ours (fast, deterministic) and PyTorch.
	P1,
	/// Deterministic ÷ fast time (runs P1's measurements).
	P2,
	/// Federated vs centralised (and Flower).
	P3,
	/// Poisoned-node robustness of each aggregation method.
	Robust,
	/// Everything.
	All,
}

#[derive(Args)]
pub(crate) struct BenchArgs {
	/// p1, p2, p3, robust or all.
	which: Which,
	/// Python interpreter with `torch` (and optionally `flwr`) for the comparisons.
	#[arg(long)]
	python: Option<PathBuf>,
	/// Training batch size (P1, P3, robustness).
	#[arg(long, default_value_t = 64)]
	batch_size: usize,
	/// Inference batch size (P1).
	#[arg(long, default_value_t = 256)]
	infer_batch: usize,
	/// Seconds per P1 measurement.
	#[arg(long, default_value_t = 3.0)]
	seconds: f64,
	/// P1 measurements per figure; the median is reported (both sides).
	#[arg(long, default_value_t = 3)]
	repeat: usize,
	/// Federated rounds (P3, robustness); centralised training runs the same total epochs.
	#[arg(long, default_value_t = 20)]
	rounds: u32,
	/// Use only the first N training samples in P3 and robustness (default: all 60 000).
	#[arg(long)]
	train_limit: Option<usize>,
	/// Dirichlet concentration α of P3's non-IID split (smaller is more skewed).
	#[arg(long, default_value_t = 0.5)]
	alpha: f64,
	/// SGD learning rate of P3 and robustness, federated and centralised alike.
	#[arg(long, default_value_t = 0.05)]
	lr: f32,
	/// SGD momentum of P3 and robustness, federated (each node's) and centralised alike.
	#[arg(long, default_value_t = 0.9)]
	momentum: f32,
	/// Server momentum β of P3's federation (FedAvgM; none: plain FedAvg).
	#[arg(long)]
	server_momentum: Option<f64>,
	/// Server learning rate η of P3's federation when `--server-momentum` is given.
	#[arg(long, default_value_t = 1.0)]
	server_lr: f64,
	/// Execution mode of P3 and robustness.
	#[arg(long, default_value = "det")]
	mode: Mode,
	/// Folder with the Fashion-MNIST files.
	#[arg(long)]
	data_dir: Option<PathBuf>,
}

/// The benchmark script directory (the Python side).
fn benches_dir() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("benches")
}

pub(crate) fn run(args: BenchArgs, threads: Option<usize>) -> Result<()> {
	let threads = threads.unwrap_or_else(rayon::current_num_threads);
	println!("# swarm-ml bench: {threads} threads, kernels {:?}", swarm_ml::kernels::active_isa());
	let train_data = load_split(args.data_dir.as_deref(), "train")?;
	let test_data = load_split(args.data_dir.as_deref(), "test")?;
	if matches!(args.which, Which::P1 | Which::P2 | Which::All) {
		p1_p2(&args, threads, &train_data)?;
	}
	let fed_train = match args.train_limit {
		Some(n) => train_data.take(n),
		None => train_data,
	};
	if matches!(args.which, Which::P3 | Which::All) {
		p3(&args, threads, &fed_train, &test_data)?;
	}
	if matches!(args.which, Which::Robust | Which::All) {
		robustness(&args, &fed_train, &test_data)?;
	}
	Ok(())
}

// === P1 / P2 ===

/// Samples per second of `step` run on consecutive batches for at least `seconds`, after a
/// warm-up; the median of `repeat` such measurements.
fn measure(
	batches: usize,
	seconds: f64,
	repeat: usize,
	mut step: impl FnMut(usize) -> Result<usize>,
) -> Result<f64> {
	for b in 0..3 {
		step(b % batches)?;
	}
	let mut rates = Vec::with_capacity(repeat.max(1));
	for _ in 0..repeat.max(1) {
		let started = Instant::now();
		let (mut samples, mut i) = (0usize, 0usize);
		while started.elapsed().as_secs_f64() < seconds || i < 5 {
			samples += step(i % batches)?;
			i += 1;
		}
		rates.push(samples as f64 / started.elapsed().as_secs_f64());
	}
	rates.sort_by(f64::total_cmp);
	Ok(rates[rates.len() / 2])
}

fn batches_of(data: &Dataset, batch: usize, count: usize) -> Result<Vec<(Tensor, Tensor, usize)>> {
	(0..count)
		.map(|b| {
			let indices: Vec<usize> =
				(b * batch..(b + 1) * batch).map(|i| i % data.len()).collect();
			let (xs, ys) = data.batch(&indices)?;
			let n = indices.len();
			Ok((
				Tensor::from_vec(xs, (n, data.shape().len()), &Device::Cpu)?,
				Tensor::from_vec(ys, n, &Device::Cpu)?,
				n,
			))
		})
		.collect()
}

/// (train samples/s, inference samples/s) of `config` in `mode`.
fn throughput(
	config: &ModelConfig,
	mode: Mode,
	data: &Dataset,
	args: &BenchArgs,
) -> Result<(f64, f64)> {
	let model = Model::new(config, &Weights::init(config, &Seed::from(1))?)?;
	let mut optimizer = Optimizer::new(OptimizerConfig::sgd(0.01, 0.9))?;
	let train_batches = batches_of(data, args.batch_size, 16)?;
	let train = measure(train_batches.len(), args.seconds, args.repeat, |b| {
		let (xs, ys, n) = &train_batches[b];
		let logits = model.forward(xs, mode, None)?;
		let grads = model.loss(&logits, ys, mode)?.backward()?;
		optimizer.step(&model, &grads)?;
		Ok(*n)
	})?;
	let infer_batches = batches_of(data, args.infer_batch, 8)?;
	let infer = measure(infer_batches.len(), args.seconds, args.repeat, |b| {
		let (xs, _, n) = &infer_batches[b];
		model.forward(&xs.detach(), mode, None)?.flatten_all()?.to_vec1::<f32>()?;
		Ok(*n)
	})?;
	Ok((train, infer))
}

/// Runs `benches/torch_bench.py ARGS` and returns its JSON lines.
fn python_lines(python: &Path, script_args: &[String]) -> Result<Vec<serde_json::Value>> {
	let script = benches_dir().join("torch_bench.py");
	let output = Command::new(python)
		.arg(&script)
		.args(script_args)
		.output()
		.map_err(|e| Error::io(python, e))?;
	if !output.status.success() {
		return Err(Error::InvalidInput(format!(
			"{} {} failed:\n{}",
			python.display(),
			script.display(),
			String::from_utf8_lossy(&output.stderr)
		)));
	}
	Ok(String::from_utf8_lossy(&output.stdout)
		.lines()
		.filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
		.collect())
}

fn data_dir_args(args: &BenchArgs) -> Vec<String> {
	match &args.data_dir {
		Some(d) => vec!["--data-dir".into(), d.display().to_string()],
		None => vec![
			"--data-dir".into(),
			swarm_ml::data::fashion_mnist::default_dir().display().to_string(),
		],
	}
}

fn p1_p2(args: &BenchArgs, threads: usize, data: &Dataset) -> Result<()> {
	let models =
		[("mlp", ModelConfig::fashion_mnist_mlp()), ("cnn", ModelConfig::fashion_mnist_cnn())];
	let torch: Vec<serde_json::Value> = match &args.python {
		Some(python) => {
			let mut a = vec![
				"p1".to_string(),
				"--threads".into(),
				threads.to_string(),
				"--batch-size".into(),
				args.batch_size.to_string(),
				"--infer-batch".into(),
				args.infer_batch.to_string(),
				"--seconds".into(),
				args.seconds.to_string(),
				"--repeat".into(),
				args.repeat.to_string(),
			];
			a.extend(data_dir_args(args));
			python_lines(python, &a)?
		},
		None => Vec::new(),
	};
	let torch_rate = |model: &str, what: &str| {
		torch
			.iter()
			.find(|v| v["model"] == model && v["what"] == what)
			.and_then(|v| v["samples_per_s"].as_f64())
	};
	let torch_version = torch.iter().find_map(|v| v["torch"].as_str().map(String::from));
	println!();
	println!(
		"## P1 throughput (samples/s; train batch {}, inference batch {}, {threads} threads{})",
		args.batch_size,
		args.infer_batch,
		torch_version.map(|v| format!(", PyTorch {v}")).unwrap_or_default()
	);
	println!(
		"| model | step | ours fast | ours det | PyTorch | fast ÷ PyTorch | det ÷ PyTorch | P2 det time ÷ fast time |"
	);
	println!("|---|---|---:|---:|---:|---:|---:|---:|");
	for (name, config) in &models {
		let (fast_train, fast_infer) = throughput(config, Mode::Fast, data, args)?;
		let (det_train, det_infer) = throughput(config, Mode::Deterministic, data, args)?;
		for (what, fast, det) in
			[("train", fast_train, det_train), ("infer", fast_infer, det_infer)]
		{
			let torch = torch_rate(name, what);
			let ratio = |ours: f64| {
				torch.map(|t| format!("{:.2}", ours / t)).unwrap_or_else(|| "n/a".into())
			};
			println!(
				"| {name} | {what} | {fast:.0} | {det:.0} | {} | {} | {} | {:.2} |",
				torch.map(|t| format!("{t:.0}")).unwrap_or_else(|| "n/a".into()),
				ratio(fast),
				ratio(det),
				fast / det
			);
			std::io::stdout().flush().ok();
		}
	}
	Ok(())
}

// === P3 ===

fn fed_spec(args: &BenchArgs, method: Method, poisoned: Vec<(usize, Poison)>) -> FederationSpec {
	FederationSpec {
		model: ModelConfig::fashion_mnist_mlp(),
		optimizer: OptimizerConfig::sgd(args.lr, args.momentum),
		rounds: args.rounds,
		local_epochs: 1,
		batch_size: args.batch_size as u32,
		seed: Seed::from(2024),
		mode: args.mode,
		method,
		clip_norm: None,
		server: args.server_momentum.map(|momentum| ServerMomentum {
			learning_rate: args.server_lr,
			momentum,
		}),
		poisoned,
	}
}

const NODES: usize = 4;

fn p3(args: &BenchArgs, _threads: usize, train_data: &Dataset, test: &Dataset) -> Result<()> {
	let scheme = Partition::Dirichlet { alpha: args.alpha };
	let parts =
		partition(train_data.labels(), train_data.classes(), NODES, scheme, &Seed::from(7))?;
	println!();
	println!(
		"## P3 federated vs centralised (MLP, {} training samples, {NODES} nodes, {scheme}, {} rounds × 1 local epoch, SGD lr {} momentum {}, batch {}, mode {})",
		train_data.len(),
		args.rounds,
		args.lr,
		args.momentum,
		args.batch_size,
		args.mode
	);
	for (i, p) in parts.iter().enumerate() {
		let shard = train_data.subset(p)?;
		println!("node {i}: {} samples, per class {:?}", p.len(), shard.class_counts());
	}
	let started = Instant::now();
	let spec = fed_spec(args, Method::FedAvg, vec![]);
	let fed = simulate(&spec, train_data, &parts, test, &mut |r| {
		println!("  round {:>2}: test accuracy {:.2} %", r.round + 1, r.test.accuracy() * 100.0);
		std::io::stdout().flush().ok();
	})?;
	let fed_acc = fed.rounds.last().map_or(0.0, |r| r.test.accuracy());
	let fed_secs = started.elapsed().as_secs_f64();
	let started = Instant::now();
	let central_spec = TrainSpec {
		model: spec.model.clone(),
		optimizer: spec.optimizer.clone(),
		epochs: args.rounds,
		batch_size: args.batch_size as u32,
		seed: Seed::from(2024),
		mode: args.mode,
	};
	let central = train(&central_spec, None, train_data)?;
	let central_acc =
		evaluate(&Model::new(&spec.model, &central.weights)?, test, args.mode, 1000)?.accuracy();
	let central_secs = started.elapsed().as_secs_f64();

	let mut flower = None;
	if let Some(python) = &args.python {
		let file =
			std::env::temp_dir().join(format!("swarm-ml-p3-partition-{}.json", std::process::id()));
		let json = serde_json::to_string(&parts).map_err(|e| Error::InvalidInput(e.to_string()))?;
		std::fs::write(&file, json).map_err(|e| Error::io(&file, e))?;
		let mut a = vec![
			"p3".to_string(),
			"--partition".into(),
			file.display().to_string(),
			"--rounds".into(),
			args.rounds.to_string(),
			"--batch-size".into(),
			args.batch_size.to_string(),
			"--train-limit".into(),
			train_data.len().to_string(),
			"--lr".into(),
			args.lr.to_string(),
			"--momentum".into(),
			args.momentum.to_string(),
		];
		a.extend(data_dir_args(args));
		flower = Some(python_lines(python, &a));
		std::fs::remove_file(&file).ok();
	}
	println!("| run | final test accuracy | ÷ centralised | wall time |");
	println!("|---|---:|---:|---:|");
	println!(
		"| ours, centralised ({} epochs) | {:.2} % | 1.000 | {central_secs:.0} s |",
		args.rounds,
		central_acc * 100.0
	);
	println!(
		"| ours, {} ({} rounds) | {:.2} % | {:.3} | {fed_secs:.0} s |",
		match spec.server {
			Some(s) => format!("FedAvgM β {} η {}", s.momentum, s.learning_rate),
			None => "FedAvg".into(),
		},
		args.rounds,
		fed_acc * 100.0,
		fed_acc / central_acc
	);
	match flower {
		Some(Ok(lines)) => {
			for v in lines {
				let (Some(run), Some(acc)) = (v["run"].as_str(), v["accuracy"].as_f64()) else {
					continue;
				};
				println!(
					"| PyTorch {run} | {:.2} % | {:.3} (of its own centralised: {}) | {:.0} s |",
					acc * 100.0,
					acc / central_acc,
					v["of_centralised"]
						.as_f64()
						.map(|r| format!("{r:.3}"))
						.unwrap_or_else(|| "-".into()),
					v["seconds"].as_f64().unwrap_or(0.0)
				);
			}
		},
		Some(Err(e)) => println!("| Flower / PyTorch | failed: {e} | | |"),
		None => println!("| Flower | not run (no --python) | | |"),
	}
	Ok(())
}

// === Robustness ===

fn robustness(args: &BenchArgs, train_data: &Dataset, test: &Dataset) -> Result<()> {
	let parts = partition(
		train_data.labels(),
		train_data.classes(),
		NODES,
		Partition::Iid,
		&Seed::from(7),
	)?;
	println!();
	println!(
		"## Robustness (MLP, {} training samples, {NODES} nodes IID, node 3 poisoned, {} rounds × 1 local epoch, SGD lr {} momentum {}, mode {})",
		train_data.len(),
		args.rounds,
		args.lr,
		args.momentum,
		args.mode
	);
	// The final accuracy, or — when the poisoned global model makes local training diverge — the
	// last accuracy reached and the round it broke in.
	let final_acc = |method: Method, clip_norm: Option<f64>, poisoned: Vec<(usize, Poison)>| {
		let spec = FederationSpec { clip_norm, server: None, ..fed_spec(args, method, poisoned) };
		let (mut last, mut max_norm) = ((0.0, 0), 0.0f64);
		let outcome = simulate(&spec, train_data, &parts, test, &mut |r| {
			last = (r.test.accuracy(), r.round + 1);
			max_norm = r.norms.iter().fold(max_norm, |m, (_, n)| m.max(*n));
		});
		match outcome {
			Ok(out) => {
				Ok((out.rounds.last().map_or(0.0, |r| r.test.accuracy()), String::new(), max_norm))
			},
			Err(Error::TrainingDiverged { .. }) => Ok((
				last.0,
				format!(" (local training diverged in round {})", last.1 + 1),
				max_norm,
			)),
			Err(e) => Err(e),
		}
	};
	let (clean, _, honest_norm) = final_acc(Method::FedAvg, None, vec![])?;
	// A clip bound a chain could set from honest traffic: twice the largest honest update norm.
	let clip = (2.0 * honest_norm * 10.0).ceil() / 10.0;
	println!(
		"clean FedAvg: {:.2} %; largest honest update norm {honest_norm:.2}, so the clip bound is {clip}",
		clean * 100.0
	);
	let runs: [(Method, Option<f64>); 6] = [
		(Method::FedAvg, None),
		(Method::FedAvg, Some(clip)),
		(Method::Median, None),
		(Method::TrimmedMean { trim: 1 }, None),
		(Method::Krum { byzantine: 1 }, None),
		(Method::MultiKrum { byzantine: 1, keep: NODES - 1 }, None),
	];
	let poisons = [Poison::SignFlip { scale: 10.0 }, Poison::Random { std: 1.0 }];
	println!("| method | poison | final test accuracy | points vs clean FedAvg |");
	println!("|---|---|---:|---:|");
	for (method, clip_norm) in runs {
		for poison in poisons {
			let (acc, note, _) = final_acc(method, clip_norm, vec![(3, poison)])?;
			let name = match clip_norm {
				Some(c) => format!("{method} + clip {c}"),
				None => method.to_string(),
			};
			println!(
				"| {name} | {poison} | {:.2} %{note} | {:+.2} |",
				acc * 100.0,
				(acc - clean) * 100.0
			);
			std::io::stdout().flush().ok();
		}
	}
	Ok(())
}
