//! `swarm-ml`: try Swarmchain's ML engine without a chain.
//!
//! ```text
//! swarm-ml train     --model mlp --epochs 2 --out mlp.safetensors      # Fashion-MNIST, progress bar
//! swarm-ml eval      --model mlp --weights mlp.safetensors             # accuracy on the test split
//! swarm-ml infer     --model mlp --weights mlp.safetensors --samples 0..8
//! swarm-ml infer     --model mlp --weights mlp.safetensors --input pixels.bin --json   # a job's input
//! swarm-ml aggregate --global g.safetensors --update 1:600:a.safetensors --update 2:400:b.safetensors \
//!                    --method median --out new.safetensors
//! swarm-ml split     --nodes 4 --partition dirichlet:0.5 --validation 1000 --out shards
//! swarm-ml hash      mlp.safetensors --model mlp
//! swarm-ml bench     all --python /path/to/venv/bin/python           # BENCHMARKS.md figures
//! ```

mod bench;
mod commands;

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};
use swarm_ml::{data::partition::Partition, Method, Mode, Seed};

/// Swarmchain's ML engine: deterministic training, evaluation, inference and aggregation.
#[derive(Parser)]
#[command(name = "swarm-ml", version, about, long_about = None)]
struct Cli {
	/// Worker threads (default: all cores). Results in deterministic mode do not depend on it.
	#[arg(long, global = true)]
	threads: Option<usize>,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Train a model on Fashion-MNIST and write its weights.
	Train(TrainArgs),
	/// Evaluate weights on Fashion-MNIST (accuracy, loss, and their chain encodings).
	Eval(EvalArgs),
	/// Run inference on Fashion-MNIST samples: logits, labels and the output hash.
	Infer(InferArgs),
	/// Aggregate client updates (safetensors files) into new global weights.
	Aggregate(AggregateArgs),
	/// Split Fashion-MNIST's training data into per-node shards (each node's `--training-data`)
	/// and write a validation set for training rounds.
	Split(SplitArgs),
	/// Print blake2-256 hashes of files, canonical weight hashes and model ids.
	Hash(HashArgs),
	/// Run the benchmarks (P1 throughput, P2 det/fast ratio, P3 federated, robustness).
	Bench(bench::BenchArgs),
}

/// Options shared by the commands that touch a model and data.
#[derive(Args, Clone)]
struct ModelArgs {
	/// `mlp` (784-256-128-10), `cnn` (small CNN) or a JSON model config file.
	#[arg(long, default_value = "mlp")]
	model: String,
	/// `det` (deterministic, reproducible everywhere) or `fast` (plain candle).
	#[arg(long, default_value = "det")]
	mode: Mode,
	/// Folder with the Fashion-MNIST files (default: $SWARM_ML_FASHION_MNIST or
	/// /usr/share/datasets/fashion-mnist).
	#[arg(long)]
	data_dir: Option<PathBuf>,
}

#[derive(Args)]
struct TrainArgs {
	#[command(flatten)]
	model: ModelArgs,
	/// `sgd` (with momentum) or `adamw`.
	#[arg(long, default_value = "sgd")]
	optimizer: String,
	/// Learning rate (default: 0.05 for SGD, 0.001 for AdamW).
	#[arg(long)]
	lr: Option<f32>,
	/// SGD momentum.
	#[arg(long, default_value_t = 0.9)]
	momentum: f32,
	/// Weight decay (SGD: L2; AdamW: decoupled, default 0.01).
	#[arg(long)]
	weight_decay: Option<f32>,
	/// Passes over the training data.
	#[arg(long, default_value_t = 2)]
	epochs: u32,
	/// Samples per step.
	#[arg(long, default_value_t = 64)]
	batch_size: u32,
	/// Seed: a decimal u64 or 64 hex digits.
	#[arg(long, default_value = "42")]
	seed: Seed,
	/// Start from these weights instead of a seeded initialisation.
	#[arg(long)]
	init: Option<PathBuf>,
	/// Use only the first N training samples.
	#[arg(long)]
	limit: Option<usize>,
	/// Write the trained weights here (canonical safetensors).
	#[arg(long)]
	out: Option<PathBuf>,
	/// Skip the evaluation on the test split after training.
	#[arg(long)]
	no_eval: bool,
	/// Also write a Hugging Face model card (a `README.md`: YAML front matter, then Markdown)
	/// of the weights here: their hash, architecture, test metrics, licence and base model.
	#[arg(long, requires = "out")]
	card: Option<PathBuf>,
	/// The model's name on the card (default: the weights file's name without `.safetensors`).
	#[arg(long, requires = "card")]
	name: Option<String>,
	/// The licence on the card: an identifier such as `apache-2.0`, or a name of your own.
	#[arg(long, requires = "card")]
	license: Option<String>,
	/// What `--init` is, as the card names it (`mnist-mlp@v2`, a Hub id): the card's base
	/// model, which these weights fine-tune (default: the `--init` path).
	#[arg(long, requires = "card", requires = "init")]
	base_model: Option<String>,
}

/// A model with trained weights, run on a Fashion-MNIST split.
#[derive(Args)]
struct TrainedArgs {
	#[command(flatten)]
	model: ModelArgs,
	/// Weights (safetensors).
	#[arg(long)]
	weights: PathBuf,
	/// `test` or `train`.
	#[arg(long, default_value = "test")]
	split: String,
}

#[derive(Args)]
struct EvalArgs {
	#[command(flatten)]
	trained: TrainedArgs,
	/// Use only the first N samples.
	#[arg(long)]
	limit: Option<usize>,
	/// Samples per forward pass (does not change results in deterministic mode).
	#[arg(long, default_value_t = 500)]
	batch_size: usize,
}

#[derive(Args)]
struct InferArgs {
	#[command(flatten)]
	trained: TrainedArgs,
	/// Sample indices: a range `A..B` or a list `3,5,8`.
	#[arg(long, default_value = "0..8")]
	samples: String,
	/// Run on the samples in this file instead: raw bytes (e.g. grey pixels 0-255), sample
	/// after sample in the model's input shape, as an inference job on the chain carries them.
	#[arg(long, value_name = "FILE")]
	input: Option<PathBuf>,
	/// Also write the chosen samples' raw bytes to this file (the `input` of a chain request).
	#[arg(long, value_name = "FILE", conflicts_with = "input")]
	save_input: Option<PathBuf>,
	/// Print JSON instead of a table.
	#[arg(long)]
	json: bool,
}

#[derive(Args)]
struct AggregateArgs {
	/// Current global weights (safetensors).
	#[arg(long)]
	global: PathBuf,
	/// A client update as `CLIENT_ID:EXAMPLES:FILE` (repeat). CLIENT_ID is a u64 or 64 hex digits.
	#[arg(long = "update", required = true)]
	updates: Vec<String>,
	/// `fedavg`, `median`, `trimmed:T`, `krum:F` or `multikrum:F:M`.
	#[arg(long, default_value = "fedavg")]
	method: Method,
	/// Reject updates whose delta has an L2 norm above this.
	#[arg(long)]
	clip: Option<f64>,
	/// Server momentum β (FedAvgM): the new weights are `w + η·Δ + β·(w − previous)`.
	#[arg(long)]
	server_momentum: Option<f64>,
	/// Server learning rate η, with `--server-momentum`.
	#[arg(long, default_value_t = 1.0, requires = "server_momentum")]
	server_lr: f64,
	/// The previous round's global weights (FedAvgM's momentum term; without it there is none).
	#[arg(long, requires = "server_momentum")]
	previous: Option<PathBuf>,
	/// Write the new global weights here.
	#[arg(long)]
	out: Option<PathBuf>,
}

#[derive(Args)]
struct SplitArgs {
	/// Folder with the Fashion-MNIST files (default: $SWARM_ML_FASHION_MNIST or
	/// /usr/share/datasets/fashion-mnist).
	#[arg(long)]
	data_dir: Option<PathBuf>,
	/// Number of shards.
	#[arg(long)]
	nodes: usize,
	/// `iid`, `dirichlet:ALPHA` (non-IID; smaller is more skewed) or `classes:K`.
	#[arg(long, default_value = "dirichlet:0.5")]
	partition: Partition,
	/// Seed of the split: a decimal u64 or 64 hex digits.
	#[arg(long, default_value = "42")]
	seed: Seed,
	/// Split only the first N training samples.
	#[arg(long)]
	limit: Option<usize>,
	/// Also write the first N test samples as `validation.bin`, a labelled-samples file (each
	/// sample's label byte, then its pixels) to store in the weights store as a round's
	/// validation set.
	#[arg(long, value_name = "N")]
	validation: Option<usize>,
	/// Output folder: `node-1/`, `node-2/`, … with IDX files, and `validation.bin`.
	#[arg(long)]
	out: PathBuf,
}

#[derive(Args)]
struct HashArgs {
	/// Files to hash.
	files: Vec<PathBuf>,
	/// Also print the id and the canonical bytes of this model config (`mlp`, `cnn` or a JSON
	/// file).
	#[arg(long)]
	model: Option<String>,
}

fn main() -> ExitCode {
	let cli = Cli::parse();
	if let Some(threads) = cli.threads {
		if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global() {
			eprintln!("error: cannot start {threads} threads: {e}");
			return ExitCode::FAILURE;
		}
	}
	let result = match cli.command {
		Command::Train(args) => commands::train(args),
		Command::Eval(args) => commands::eval(args),
		Command::Infer(args) => commands::infer(args),
		Command::Aggregate(args) => commands::aggregate(args),
		Command::Split(args) => commands::split(args),
		Command::Hash(args) => commands::hash(args),
		Command::Bench(args) => bench::run(args, cli.threads),
	};
	match result {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::FAILURE
		},
	}
}
