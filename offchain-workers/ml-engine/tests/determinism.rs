//! Determinism: the same inputs give the same bits with any thread count, with the AVX2 and the
//! portable build of the kernels, on a CPU without AVX/AVX2/FMA (the same test binary under
//! `qemu-x86_64 -cpu Nehalem`), and as the golden hashes checked into `tests/golden/hashes.txt`.
//!
//! The golden cases are small (synthetic data, a few hundred samples) so they also run quickly
//! under emulation. After an intended change of results, regenerate the file with
//!
//! ```text
//! SWARM_ML_BLESS=1 cargo test -p swarm-ml-engine --test determinism golden_hashes_match
//! ```
//!
//! On aarch64 (not part of CI: it needs a cross toolchain and a second build of every
//! dependency), run the same golden test under emulation with:
//!
//! ```text
//! rustup target add aarch64-unknown-linux-gnu
//! sudo apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
//! CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
//! CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu" \
//!   cargo test -p swarm-ml-engine --target aarch64-unknown-linux-gnu --test determinism golden_hashes_match
//! ```

use std::{collections::BTreeMap, path::Path, process::Command};

use swarm_ml::{
	aggregate,
	data::{
		partition::{partition, Partition},
		Dataset,
	},
	evaluate,
	hash::{blake2_256, to_hex},
	infer,
	kernels::{self, gemm_nt},
	train, AggregateOptions, ClientId, CnnConfig, ConvBlock, InputShape, Method, MlpConfig, Mode,
	Model, ModelConfig, OptimizerConfig, Seed, SeededRng, Stream, TrainSpec, Update, Weights,
};

const GOLDEN: &str = include_str!("golden/hashes.txt");

fn hex(bytes: &[u8]) -> String {
	to_hex(bytes)
}

fn mlp_spec() -> TrainSpec {
	TrainSpec {
		model: ModelConfig::Mlp(MlpConfig {
			input: InputShape { channels: 1, height: 8, width: 8 },
			hidden: vec![24, 12],
			classes: 4,
			dropout_permille: 200,
		}),
		optimizer: OptimizerConfig::Sgd { lr: 0.1, momentum: 0.9, weight_decay: 1e-4 },
		epochs: 2,
		batch_size: 16,
		seed: Seed::from(1001),
		mode: Mode::Deterministic,
	}
}

fn cnn_spec() -> TrainSpec {
	TrainSpec {
		model: ModelConfig::Cnn(CnnConfig {
			input: InputShape { channels: 2, height: 10, width: 10 },
			convs: vec![
				ConvBlock { out_channels: 4, kernel: 3, padding: 1 },
				ConvBlock { out_channels: 6, kernel: 3, padding: 0 },
			],
			hidden: vec![8],
			classes: 3,
			dropout_permille: 0,
		}),
		optimizer: OptimizerConfig::adamw(0.01),
		epochs: 1,
		batch_size: 10,
		seed: Seed::from(1002),
		mode: Mode::Deterministic,
	}
}

/// Every golden case: name → value (hex hashes or integers).
fn golden_cases() -> BTreeMap<String, String> {
	let mut out = BTreeMap::new();
	let mut put = |name: &str, value: String| {
		out.insert(name.to_string(), value);
	};
	put("config-id/fashion-mnist-mlp", hex(&ModelConfig::fashion_mnist_mlp().id()));
	put("config-id/fashion-mnist-cnn", hex(&ModelConfig::fashion_mnist_cnn().id()));
	let init = Weights::init(&ModelConfig::fashion_mnist_cnn(), &Seed::from(1)).unwrap();
	put("init/fashion-mnist-cnn", hex(&init.hash().unwrap()));

	// A matrix product whose sizes leave tails in every tiling loop.
	let mut rng = SeededRng::new(&Seed::from(3), Stream::Synthetic);
	let (m, n, k) = (37, 29, 131);
	let mut random =
		|len: usize| (0..len).map(|_| rng.uniform_f32() * 2.0 - 1.0).collect::<Vec<f32>>();
	let (a, b, bias) = (random(m * k), random(n * k), random(n));
	let mut c = vec![0.0; m * n];
	gemm_nt(&a, &b, Some(&bias), m, n, k, &mut c);
	put(
		"kernels/gemm-37x29x131",
		hex(&blake2_256(&c.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>())),
	);

	let mlp = mlp_spec();
	let mlp_data = Dataset::synthetic(&Seed::from(11), 150, mlp.model.input(), 4).unwrap();
	let mlp_out = train(&mlp, None, &mlp_data).unwrap();
	put("train/mlp-sgd-momentum-dropout", hex(&mlp_out.weights_hash));
	put(
		"train/mlp-sgd-momentum-dropout/last-epoch-loss-bits",
		format!("{:x}", mlp_out.metrics.epochs[1].mean_loss.to_bits()),
	);

	let cnn = cnn_spec();
	let cnn_data = Dataset::synthetic(&Seed::from(12), 64, cnn.model.input(), 3).unwrap();
	let cnn_out = train(&cnn, None, &cnn_data).unwrap();
	put("train/cnn-adamw", hex(&cnn_out.weights_hash));
	let model = Model::new(&cnn.model, &cnn_out.weights).unwrap();
	let (xs, _) = cnn_data.batch(&(0..8).collect::<Vec<_>>()).unwrap();
	put(
		"infer/cnn-adamw-8-samples",
		hex(&infer(&model, &xs, 8, Mode::Deterministic).unwrap().output_hash()),
	);
	let report = evaluate(&model, &cnn_data, Mode::Deterministic, 7).unwrap();
	put(
		"eval/cnn-adamw",
		format!("accuracy_ppb={} loss_micro={}", report.accuracy_ppb(), report.mean_loss_micro()),
	);

	// Five updates around the CNN result: every aggregation method.
	let global = cnn_out.weights.clone();
	let updates: Vec<Update> = (0..5u64)
		.map(|i| {
			let mut noise = SeededRng::new(&Seed::from(100 + i), Stream::Synthetic);
			let flat: Vec<f32> = global
				.flatten()
				.iter()
				.map(|&w| w + 0.05 * (noise.uniform_f32() - 0.5) * (i as f32 + 1.0))
				.collect();
			Update {
				client: ClientId::from(10 - i),
				num_examples: 10 + i,
				weights: global.unflatten_like(&flat).unwrap(),
			}
		})
		.collect();
	for method in [
		Method::FedAvg,
		Method::Median,
		Method::TrimmedMean { trim: 1 },
		Method::Krum { byzantine: 1 },
		Method::MultiKrum { byzantine: 1, keep: 3 },
	] {
		let agg = aggregate(&global, &updates, method, &AggregateOptions::default()).unwrap();
		put(&format!("aggregate/{method}"), hex(&agg.weights.hash().unwrap()));
	}

	let labels: Vec<u8> = (0..500).map(|i| (i * 7 % 10) as u8).collect();
	let parts =
		partition(&labels, 10, 4, Partition::Dirichlet { alpha: 0.5 }, &Seed::from(5)).unwrap();
	let bytes: Vec<u8> =
		parts.iter().flat_map(|p| p.iter().flat_map(|&i| (i as u32).to_le_bytes())).collect();
	put("partition/dirichlet-0.5", hex(&blake2_256(&bytes)));
	out
}

fn parse_golden() -> BTreeMap<String, String> {
	GOLDEN
		.lines()
		.filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
		.filter_map(|l| l.split_once(' ').map(|(k, v)| (k.to_string(), v.trim().to_string())))
		.collect()
}

#[test]
fn golden_hashes_match() {
	println!("kernels: {:?}", kernels::active_isa());
	let actual = golden_cases();
	if std::env::var("SWARM_ML_BLESS").as_deref() == Ok("1") {
		let mut text = String::from(
			"# Golden results of tests/determinism.rs (name, then value). Regenerate after an intended\n\
			 # change with: SWARM_ML_BLESS=1 cargo test -p swarm-ml-engine --test determinism golden_hashes_match\n",
		);
		for (k, v) in &actual {
			text.push_str(&format!("{k} {v}\n"));
		}
		let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/hashes.txt");
		std::fs::write(&path, text).unwrap();
		println!("wrote {}", path.display());
		return;
	}
	let expected = parse_golden();
	let mut diffs = Vec::new();
	for (k, v) in &actual {
		match expected.get(k) {
			Some(e) if e == v => {},
			Some(e) => diffs.push(format!("{k}: expected {e}, got {v}")),
			None => diffs.push(format!("{k}: not in the golden file (got {v})")),
		}
	}
	for k in expected.keys().filter(|k| !actual.contains_key(*k)) {
		diffs.push(format!("{k}: in the golden file but no longer computed"));
	}
	assert!(
		diffs.is_empty(),
		"golden results changed:\n  {}\nIf the change is intended, regenerate tests/golden/hashes.txt with\n  \
		 SWARM_ML_BLESS=1 cargo test -p swarm-ml-engine --test determinism golden_hashes_match",
		diffs.join("\n  ")
	);
	println!("golden: {} cases match", actual.len());
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
	let reference =
		rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(golden_cases);
	for threads in [2, 3, 8] {
		let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
		assert_eq!(pool.install(golden_cases), reference, "{threads} threads differ from 1 thread");
	}
}

#[test]
fn portable_and_simd_kernels_give_the_same_bits() {
	kernels::force_portable(true);
	let portable = golden_cases();
	kernels::force_portable(false);
	println!("compared Portable with {:?}", kernels::active_isa());
	assert_eq!(golden_cases(), portable);
}

/// Finds `program` on `PATH`.
fn which(program: &str) -> Option<std::path::PathBuf> {
	std::env::var_os("PATH")?
		.to_str()?
		.split(':')
		.map(|d| Path::new(d).join(program))
		.find(|p| p.is_file())
}

#[test]
#[cfg(target_arch = "x86_64")]
fn golden_hashes_match_on_a_cpu_without_avx_and_fma() {
	let Some(qemu) = which("qemu-x86_64") else {
		// CI installs qemu (`make setup`): there, a missing qemu is a broken setup, not a skip.
		assert!(
			std::env::var_os("CI").is_none_or(|ci| ci != "true"),
			"CI=true but qemu-x86_64 is not installed: the determinism check on a CPU without \
			 AVX/FMA cannot run (install qemu-user)"
		);
		eprintln!(
			"\n\n*** SKIPPED golden_hashes_match_on_a_cpu_without_avx_and_fma: qemu-x86_64 is not installed.\n\
			 *** Install it with `sudo apt-get install qemu-user` (CI does) to check determinism on a\n\
			 *** CPU without AVX/AVX2/FMA.\n\n"
		);
		return;
	};
	let exe = std::env::current_exe().unwrap();
	// Nehalem: SSE4.2, no AVX, AVX2, FMA or AVX-512. The kernels must take their portable path and
	// still reproduce every golden hash.
	let output = Command::new(qemu)
		.args(["-cpu", "Nehalem"])
		.arg(&exe)
		.args(["golden_hashes_match", "--exact", "--nocapture", "--test-threads", "1"])
		.env_remove("SWARM_ML_BLESS")
		.output()
		.unwrap();
	let stdout = String::from_utf8_lossy(&output.stdout);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(output.status.success(), "under qemu -cpu Nehalem:\n{stdout}\n{stderr}");
	assert!(
		stdout.contains("kernels: Portable"),
		"the emulated CPU should have no AVX2:\n{stdout}"
	);
	assert!(stdout.contains("cases match") && stdout.contains("1 passed"), "{stdout}");
}
