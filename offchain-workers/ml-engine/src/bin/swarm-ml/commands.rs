//! The `train`, `eval`, `infer`, `aggregate`, `split` and `hash` commands.

use std::{
	path::{Path, PathBuf},
	time::Instant,
};

use indicatif::{ProgressBar, ProgressStyle};
use swarm_ml::{
	aggregate as aggregate_updates,
	data::{
		bytes_to_inputs,
		fashion_mnist::{self, Split, CLASS_NAMES},
		partition::partition,
		Dataset,
	},
	evaluate,
	fixed::LOGIT_SCALE,
	hash::{blake2_256, to_hex},
	infer as run_inference, server_step, train_with_progress, AggregateOptions, ClientId, Error,
	Model, ModelConfig, OptimizerConfig, Result, Seed, ServerMomentum, TrainSpec, Update, Weights,
};

use super::{AggregateArgs, EvalArgs, HashArgs, InferArgs, SplitArgs, TrainArgs, TrainedArgs};

/// Loads a Fashion-MNIST split (`train` / `test`) from `dir` or the default folder.
pub(crate) fn load_split(dir: Option<&Path>, split: &str) -> Result<Dataset> {
	let split = match split {
		"train" => Split::Train,
		"test" => Split::Test,
		other => {
			return Err(Error::Parse {
				what: "split",
				input: other.into(),
				reason: "expected `train` or `test`".into(),
			})
		},
	};
	match dir {
		Some(dir) => fashion_mnist::load_from(dir, split),
		None => fashion_mnist::load(split),
	}
}

pub(crate) fn read_weights(path: &Path) -> Result<Weights> {
	Weights::from_safetensors(&std::fs::read(path).map_err(|e| Error::io(path, e))?)
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
	std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// The model with its weights and the data split it runs on.
fn load_trained(args: &TrainedArgs) -> Result<(ModelConfig, Model, Dataset)> {
	let config = ModelConfig::from_name_or_path(&args.model.model)?;
	let model = Model::new(&config, &read_weights(&args.weights)?)?;
	let data = load_split(args.model.data_dir.as_deref(), &args.split)?;
	Ok((config, model, data))
}

pub(crate) fn train(args: TrainArgs) -> Result<()> {
	let config = ModelConfig::from_name_or_path(&args.model.model)?;
	let optimizer = match args.optimizer.as_str() {
		"sgd" => OptimizerConfig::Sgd {
			lr: args.lr.unwrap_or(0.05),
			momentum: args.momentum,
			weight_decay: args.weight_decay.unwrap_or(0.0),
		},
		"adamw" => {
			let mut o = OptimizerConfig::adamw(args.lr.unwrap_or(1e-3));
			if let (OptimizerConfig::AdamW { weight_decay, .. }, Some(wd)) =
				(&mut o, args.weight_decay)
			{
				*weight_decay = wd;
			}
			o
		},
		other => {
			return Err(Error::Parse {
				what: "optimizer",
				input: other.into(),
				reason: "expected `sgd` or `adamw`".into(),
			})
		},
	};
	let spec = TrainSpec {
		model: config.clone(),
		optimizer,
		epochs: args.epochs,
		batch_size: args.batch_size,
		seed: args.seed,
		mode: args.model.mode,
	};
	spec.validate()?;
	let mut data = load_split(args.model.data_dir.as_deref(), "train")?;
	if let Some(limit) = args.limit {
		data = data.take(limit);
	}
	let init = args.init.as_deref().map(read_weights).transpose()?;
	println!(
		"model      {} ({} parameters), id 0x{}",
		config.kind(),
		config.num_params(),
		to_hex(&config.id())
	);
	println!("spec       id 0x{}, mode {}, {} samples", to_hex(&spec.id()), spec.mode, data.len());

	let steps = data.len().div_ceil(args.batch_size as usize) as u64 * args.epochs as u64;
	let bar = ProgressBar::new(steps);
	bar.set_style(
		ProgressStyle::with_template(
			"{spinner} epoch {prefix} [{bar:40}] {pos}/{len} steps, {per_sec}, eta {eta} {msg}",
		)
		.unwrap_or_else(|_| ProgressStyle::default_bar())
		.progress_chars("=> "),
	);
	let started = Instant::now();
	let result = train_with_progress(&spec, init.as_ref(), &data, &mut |p| {
		bar.set_prefix(format!("{}/{}", p.epoch + 1, p.epochs));
		bar.set_message(format!("loss {:.4}", p.loss));
		bar.inc(1);
	})?;
	bar.finish_and_clear();
	for (i, e) in result.metrics.epochs.iter().enumerate() {
		println!(
			"epoch {:>3}  loss {:.4}  train accuracy {:.2} %",
			i + 1,
			e.mean_loss,
			e.accuracy_ppb() as f64 / 1e7
		);
	}
	println!(
		"trained    {} steps in {:.1} s",
		result.metrics.steps,
		started.elapsed().as_secs_f64()
	);
	println!("weights    blake2-256 0x{}", to_hex(&result.weights_hash));
	if let Some(out) = &args.out {
		write_bytes(out, &result.weights_bytes)?;
		println!("written    {}", out.display());
	}
	let mut metrics = Vec::new();
	if !args.no_eval {
		let test = load_split(args.model.data_dir.as_deref(), "test")?;
		let model = Model::new(&config, &result.weights)?;
		let report = evaluate(&model, &test, spec.mode, 500)?;
		metrics = report
			.chain_metrics()
			.iter()
			.map(|(name, value)| swarm_ml::card::Metric {
				name: String::from_utf8_lossy(name).into_owned(),
				value: swarm_primitives::metrics::to_decimal(*value),
			})
			.collect();
		println!(
			"test       accuracy {:.2} % ({} ppb), mean loss {:.4} ({} micro)",
			report.accuracy() * 100.0,
			report.accuracy_ppb(),
			report.mean_loss(),
			report.mean_loss_micro()
		);
		let [(_, accuracy), (_, loss)] = report.chain_metrics();
		println!(
			"metrics    accuracy {accuracy}, loss {loss} (nine decimals, as the chain records them)"
		);
	}
	if let (Some(card), Some(out)) = (&args.card, &args.out) {
		write_card(&args, card, out, &config, &result.weights_hash, result.weights_bytes.len(), metrics)?;
	}
	Ok(())
}

/// Writes the model card of weights just trained (`train --card`).
fn write_card(
	args: &TrainArgs,
	card: &Path,
	weights: &Path,
	config: &ModelConfig,
	hash: &[u8; 32],
	size: usize,
	metrics: Vec<swarm_ml::card::Metric>,
) -> Result<()> {
	use swarm_ml::card::{BaseModel, ModelCard};
	let file = weights.file_name().map(|f| f.to_string_lossy().into_owned());
	let stem = weights.file_stem().map(|f| f.to_string_lossy().into_owned());
	let base = args.init.as_ref().map(|init| BaseModel {
		reference: args.base_model.clone().unwrap_or_else(|| init.display().to_string()),
		derivation: "finetune".into(),
	});
	let evaluated = !metrics.is_empty();
	let text = ModelCard {
		name: args.name.clone().or(stem).unwrap_or_else(|| "model".into()),
		description: format!(
			"A {} trained by `swarm-ml train` on Fashion-MNIST ({} epochs, seed {}, {} mode).",
			config.kind(),
			args.epochs,
			args.seed,
			args.model.mode
		),
		licence: args.license.clone(),
		architecture: Some(config.kind().into()),
		image_classification: true,
		base_models: base.into_iter().collect(),
		metrics,
		evaluated_on: evaluated
			.then(|| ("fashion_mnist".into(), "the Fashion-MNIST test split".into())),
		weights_hash: format!("0x{}", to_hex(hash)),
		weights_size: Some(size as u64),
		weights_file: file,
		chain: None,
	}
	.render();
	write_bytes(card, text.as_bytes())?;
	println!("card       {}", card.display());
	Ok(())
}

pub(crate) fn eval(args: EvalArgs) -> Result<()> {
	let (_, model, mut data) = load_trained(&args.trained)?;
	if let Some(limit) = args.limit {
		data = data.take(limit);
	}
	let report = evaluate(&model, &data, args.trained.model.mode, args.batch_size)?;
	println!("samples    {}", report.total);
	println!("correct    {}", report.correct);
	println!(
		"accuracy   {:.2} % = {} parts per billion",
		report.accuracy() * 100.0,
		report.accuracy_ppb()
	);
	println!("mean loss  {:.6} = {} micro", report.mean_loss(), report.mean_loss_micro());
	let [(_, accuracy), (_, loss)] = report.chain_metrics();
	println!("metrics    accuracy {accuracy}, loss {loss} (nine decimals, as the chain records them)");
	Ok(())
}

/// `A..B` or `a,b,c`.
fn parse_samples(text: &str) -> Result<Vec<usize>> {
	let err = || Error::Parse {
		what: "samples",
		input: text.into(),
		reason: "expected A..B or a,b,c".into(),
	};
	if let Some((a, b)) = text.split_once("..") {
		let (a, b): (usize, usize) = (a.parse().map_err(|_| err())?, b.parse().map_err(|_| err())?);
		if a >= b {
			return Err(err());
		}
		return Ok((a..b).collect());
	}
	text.split(',').map(|s| s.trim().parse().map_err(|_| err())).collect()
}

pub(crate) fn infer(args: InferArgs) -> Result<()> {
	let config = ModelConfig::from_name_or_path(&args.trained.model.model)?;
	let model = Model::new(&config, &read_weights(&args.trained.weights)?)?;
	// The samples: rows of a data set split (with their true labels), or raw bytes from a file.
	let (xs, true_labels, rows): (Vec<f32>, Option<Vec<u32>>, Vec<usize>) = match &args.input {
		Some(path) => {
			let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
			let len = config.input().len();
			if bytes.is_empty() || bytes.len() % len != 0 {
				return Err(Error::Parse {
					what: "input file",
					input: path.display().to_string(),
					reason: format!(
						"{} bytes is not a whole number of samples of {len} bytes",
						bytes.len()
					),
				});
			}
			(bytes_to_inputs(&bytes), None, (0..bytes.len() / len).collect())
		},
		None => {
			let data = load_split(args.trained.model.data_dir.as_deref(), &args.trained.split)?;
			let indices = parse_samples(&args.samples)?;
			let (xs, ys) = data.batch(&indices)?;
			if let Some(path) = &args.save_input {
				let raw: Vec<u8> =
					indices.iter().filter_map(|&i| data.pixels(i)).flatten().copied().collect();
				write_bytes(path, &raw)?;
			}
			(xs, Some(ys), indices)
		},
	};
	let out = run_inference(&model, &xs, rows.len(), args.trained.model.mode)?;
	if args.json {
		let json = serde_json::json!({
			"model_id": format!("0x{}", to_hex(&config.id())),
			"samples": rows,
			"true_labels": true_labels,
			"labels": out.labels,
			"logit_scale": LOGIT_SCALE,
			"logits_fixed": out.logits_fixed(),
			"output_hash": format!("0x{}", to_hex(&out.output_hash())),
		});
		println!("{json}");
		return Ok(());
	}
	let classes = out.classes;
	let fixed = out.logits_fixed();
	println!("{:>6}  {:<12} {:<12} logits (Q15.16 i32)", "sample", "label", "predicted");
	for (row, &i) in rows.iter().enumerate() {
		let name = |c: u32| CLASS_NAMES.get(c as usize).copied().unwrap_or("?");
		let truth = true_labels.as_ref().map_or("-", |ys| name(ys[row]));
		println!(
			"{i:>6}  {truth:<12} {:<12} {:?}",
			name(out.labels[row]),
			&fixed[row * classes..(row + 1) * classes]
		);
	}
	println!("output hash 0x{}", to_hex(&out.output_hash()));
	Ok(())
}

fn parse_update(text: &str) -> Result<(ClientId, u64, PathBuf)> {
	let err =
		|reason: &str| Error::Parse { what: "update", input: text.into(), reason: reason.into() };
	let mut parts = text.splitn(3, ':');
	let (Some(id), Some(n), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
		return Err(err("expected CLIENT_ID:EXAMPLES:FILE"));
	};
	let client = match id.parse::<u64>() {
		Ok(n) => ClientId::from(n),
		Err(_) => ClientId(
			id.parse::<Seed>().map_err(|_| err("client id must be a u64 or 64 hex digits"))?.0,
		),
	};
	let examples = n.parse().map_err(|_| err("EXAMPLES must be a non-negative integer"))?;
	Ok((client, examples, PathBuf::from(path)))
}

pub(crate) fn aggregate(args: AggregateArgs) -> Result<()> {
	let global = read_weights(&args.global)?;
	let updates = args
		.updates
		.iter()
		.map(|u| {
			let (client, num_examples, path) = parse_update(u)?;
			Ok(Update { client, num_examples, weights: read_weights(&path)? })
		})
		.collect::<Result<Vec<_>>>()?;
	let mut out = aggregate_updates(
		&global,
		&updates,
		args.method,
		&AggregateOptions { clip_norm: args.clip, max_examples: None },
	)?;
	println!("method     {}", args.method);
	if let Some(momentum) = args.server_momentum {
		let step = ServerMomentum { learning_rate: args.server_lr, momentum };
		let previous = args.previous.as_deref().map(read_weights).transpose()?;
		out.weights = server_step(&global, previous.as_ref(), &out.weights, step)?;
		println!(
			"server     momentum {momentum}, learning rate {}, {}",
			args.server_lr,
			if previous.is_some() { "from the previous weights" } else { "no previous weights" }
		);
	}
	println!(
		"accepted   {}",
		out.accepted.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
	);
	println!(
		"combined   {}",
		out.selected.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
	);
	println!(
		"norms      {}",
		out.accepted
			.iter()
			.zip(&out.norms)
			.map(|(c, n)| format!("{c}:{n:.6}"))
			.collect::<Vec<_>>()
			.join(", ")
	);
	for r in &out.rejected {
		println!("rejected   {}: {}", r.client, r.reason);
	}
	let bytes = out.weights.to_safetensors()?;
	println!("weights    blake2-256 0x{}", to_hex(&blake2_256(&bytes)));
	if let Some(path) = &args.out {
		write_bytes(path, &bytes)?;
		println!("written    {}", path.display());
	}
	Ok(())
}

pub(crate) fn split(args: SplitArgs) -> Result<()> {
	let mut data = load_split(args.data_dir.as_deref(), "train")?;
	if let Some(limit) = args.limit {
		data = data.take(limit);
	}
	let shards = partition(data.labels(), data.classes(), args.nodes, args.partition, &args.seed)?;
	println!("split      {} samples into {} shards ({})", data.len(), args.nodes, args.partition);
	for (i, indices) in shards.iter().enumerate() {
		let shard = data.subset(indices)?;
		let dir = args.out.join(format!("node-{}", i + 1));
		fashion_mnist::write(&dir, Split::Train, &shard)?;
		let counts = shard.class_counts().iter().map(|n| n.to_string()).collect::<Vec<_>>();
		println!(
			"{:<10} {:>6} samples, per class [{}]",
			dir.display(),
			shard.len(),
			counts.join(" ")
		);
	}
	if let Some(n) = args.validation {
		let test = load_split(args.data_dir.as_deref(), "test")?.take(n);
		let bytes = test.to_labelled_bytes();
		let path = args.out.join("validation.bin");
		write_bytes(&path, &bytes)?;
		println!(
			"validation {} samples in {} ({} bytes), blake2-256 0x{}",
			test.len(),
			path.display(),
			bytes.len(),
			to_hex(&blake2_256(&bytes))
		);
	}
	Ok(())
}

pub(crate) fn hash(args: HashArgs) -> Result<()> {
	if args.files.is_empty() && args.model.is_none() {
		return Err(Error::InvalidInput("nothing to hash: give files and/or --model".into()));
	}
	if let Some(model) = &args.model {
		let config = ModelConfig::from_name_or_path(model)?;
		println!("0x{}  model id of {model}", to_hex(&config.id()));
		println!(
			"0x{}  configuration of {model} (canonical bytes: publish them inline to serve it)",
			to_hex(&config.canonical_bytes())
		);
	}
	for path in &args.files {
		let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
		println!("0x{}  {} (file bytes)", to_hex(&blake2_256(&bytes)), path.display());
		if let Ok(weights) = Weights::from_safetensors(&bytes) {
			println!(
				"0x{}  {} (canonical weights, {} tensors)",
				to_hex(&weights.hash()?),
				path.display(),
				weights.len()
			);
		}
	}
	Ok(())
}
