//! The `swarm-ml` binary end to end: train → eval → infer → aggregate → hash, and clear errors.

use std::{path::PathBuf, process::Command};

fn swarm_ml(args: &[&str]) -> (bool, String) {
	let out = Command::new(env!("CARGO_BIN_EXE_swarm-ml")).args(args).output().unwrap();
	let text =
		format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
	(out.status.success(), text)
}

fn temp(name: &str) -> PathBuf {
	std::env::temp_dir().join(format!("swarm-ml-cli-{}-{name}", std::process::id()))
}

/// The 64-hex-digit hash printed after `prefix` on some line of `text`.
fn hash_after(text: &str, prefix: &str) -> String {
	text.lines()
		.find_map(|l| {
			l.split_once(prefix)
				.map(|(_, rest)| rest.trim().trim_start_matches("0x")[..64].to_string())
		})
		.unwrap_or_else(|| panic!("no `{prefix}` in:\n{text}"))
}

#[test]
fn train_eval_infer_aggregate_and_hash() {
	let (a, b) = (temp("a.safetensors"), temp("b.safetensors"));
	let (a_s, b_s) = (a.to_str().unwrap(), b.to_str().unwrap());
	let train = |threads: &str, seed: &str, out: &str| {
		let args =
			["--threads", threads, "train", "--model", "mlp", "--epochs", "1", "--limit", "640"];
		swarm_ml(&[&args[..], &["--seed", seed, "--out", out, "--no-eval"]].concat())
	};
	let (ok, text) = train("2", "1", a_s);
	assert!(ok, "{text}");
	let first = hash_after(&text, "blake2-256");
	// Same spec, different thread count: same weights.
	let (ok, text) = train("1", "1", b_s);
	assert!(ok, "{text}");
	assert_eq!(hash_after(&text, "blake2-256"), first);
	let (ok, _) = train("2", "2", b_s);
	assert!(ok);

	let (ok, text) = swarm_ml(&["eval", "--model", "mlp", "--weights", a_s, "--limit", "300"]);
	assert!(ok && text.contains("parts per billion") && text.contains("samples    300"), "{text}");

	let pixels = temp("pixels.bin");
	let pixels_s = pixels.to_str().unwrap();
	let infer = ["infer", "--model", "mlp", "--weights", a_s, "--json"];
	let (ok, text) =
		swarm_ml(&[&infer[..], &["--samples", "0..3", "--save-input", pixels_s]].concat());
	assert!(ok, "{text}");
	let json: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
	assert_eq!(json["labels"].as_array().unwrap().len(), 3);
	assert_eq!(json["logits_fixed"].as_array().unwrap().len(), 30);
	// The same samples as raw bytes (a chain job's input): the same output, bit for bit.
	assert_eq!(std::fs::metadata(&pixels).unwrap().len(), 3 * 784);
	let (ok, text) = swarm_ml(&[&infer[..], &["--input", pixels_s]].concat());
	assert!(ok, "{text}");
	let raw: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
	for field in ["labels", "logits_fixed", "output_hash"] {
		assert_eq!(raw[field], json[field], "{field}");
	}
	std::fs::write(&pixels, [0u8; 785]).unwrap();
	let (ok, text) = swarm_ml(&[&infer[..], &["--input", pixels_s]].concat());
	assert!(!ok && text.contains("not a whole number of samples"), "{text}");
	let _ = std::fs::remove_file(&pixels);

	let (ok, text) = swarm_ml(&[
		"aggregate",
		"--global",
		a_s,
		"--update",
		&format!("1:640:{a_s}"),
		"--update",
		&format!("2:640:{b_s}"),
		"--method",
		"fedavg",
	]);
	assert!(ok && text.contains("accepted   1, 2"), "{text}");
	// Update 1 is the global weights themselves: it moved nowhere.
	assert!(text.contains("norms      1:0.000000, 2:"), "{text}");

	let (ok, text) = swarm_ml(&["hash", a_s, "--model", "mlp"]);
	assert!(ok, "{text}");
	assert_eq!(hash_after(&text, "0x").len(), 64);
	assert!(
		text.contains(&first),
		"canonical hash of the written file is the training hash:\n{text}"
	);
	// The configuration's canonical bytes, as the chain decodes them (1, MLP, 1 × 28 × 28, ...).
	let config_line = text.lines().find(|line| line.contains("configuration of mlp")).unwrap();
	assert!(config_line.starts_with("0x0101010000001c0000001c0000000a000000"), "{text}");
	std::fs::remove_file(&a).ok();
	std::fs::remove_file(&b).ok();
}

#[test]
fn bad_arguments_fail_with_a_clear_message() {
	let (ok, text) = swarm_ml(&["train", "--model", "resnet50"]);
	assert!(!ok && text.contains("unknown model kind `resnet50`"), "{text}");
	let (ok, text) = swarm_ml(&["train", "--mode", "quick"]);
	assert!(!ok && text.contains("expected `det`"), "{text}");
	let (ok, text) =
		swarm_ml(&["aggregate", "--global", "/nonexistent.safetensors", "--update", "1:1:/x"]);
	assert!(!ok && text.contains("/nonexistent.safetensors"), "{text}");
	let (ok, text) = swarm_ml(&["train", "--epochs", "0", "--limit", "10"]);
	assert!(!ok && text.contains("must be positive"), "{text}");
	let (ok, text) = swarm_ml(&["eval", "--weights", "/dev/null"]);
	assert!(!ok && text.contains("safetensors"), "{text}");
}

#[test]
fn split_writes_shards_a_node_can_train_on_and_a_validation_set() {
	let out = temp("shards");
	let out_s = out.to_str().unwrap();
	let args = ["split", "--nodes", "3", "--limit", "600", "--validation", "50", "--out", out_s];
	let (ok, text) = swarm_ml(&args);
	assert!(ok, "{text}");
	let shards: Vec<_> = (1..=3)
		.map(|i| {
			swarm_ml::data::fashion_mnist::load_training_data(&out.join(format!("node-{i}")), 10)
				.unwrap()
		})
		.collect();
	assert_eq!(shards.iter().map(|s| s.len()).sum::<usize>(), 600);
	assert!(shards.iter().all(|s| s.len() < 600), "every node holds a part");
	let validation = std::fs::read(out.join("validation.bin")).unwrap();
	assert_eq!(validation.len(), 50 * (1 + 784));
	assert_eq!(
		hash_after(&text, "blake2-256"),
		swarm_ml::hash::to_hex(&swarm_ml::hash::blake2_256(&validation))
	);
	// Same seed, same split.
	let (ok, again) = swarm_ml(&args);
	assert!(ok && again == text, "{again}");
	// A shard is a node's training data, as `train --data-dir` reads it too.
	let shard = out.join("node-1");
	let train = ["train", "--epochs", "1", "--data-dir", shard.to_str().unwrap(), "--no-eval"];
	let (ok, text) = swarm_ml(&train);
	assert!(ok && text.contains(&format!("{} samples", shards[0].len())), "{text}");
	std::fs::remove_dir_all(&out).unwrap();

	let (ok, text) = swarm_ml(&["split", "--nodes", "0", "--limit", "10", "--out", out_s]);
	assert!(!ok && text.contains("across 0 nodes"), "{text}");
}

#[test]
fn train_writes_a_model_card_next_to_its_weights() {
	let (base, tuned, card) = (temp("base.safetensors"), temp("tuned.safetensors"), temp("README.md"));
	let (base_s, tuned_s, card_s) = (base.to_str().unwrap(), tuned.to_str().unwrap(), card.to_str().unwrap());
	let small = ["train", "--model", "mlp", "--epochs", "1", "--limit", "320"];
	let (ok, text) = swarm_ml(&[&small[..], &["--out", base_s, "--no-eval"]].concat());
	assert!(ok, "{text}");
	let (ok, text) = swarm_ml(
		&[
			&small[..],
			&["--init", base_s, "--out", tuned_s, "--card", card_s, "--name", "mnist-mlp-tuned"],
			&["--license", "MIT", "--base-model", "mnist-mlp@v1"],
		]
		.concat(),
	);
	assert!(ok, "{text}");
	let weights_hash = hash_after(&text, "blake2-256");
	let written = std::fs::read_to_string(&card).unwrap();
	let rest = written.strip_prefix("---\n").expect("front matter");
	let (yaml, body) = rest.split_once("\n---\n").expect("the front matter ends");
	let yaml: serde_yaml::Value = serde_yaml::from_str(yaml).expect("the front matter is YAML");
	assert_eq!(yaml["license"], "mit");
	assert_eq!(yaml["base_model"][0], "mnist-mlp@v1");
	assert_eq!(yaml["base_model_relation"], "finetune");
	assert_eq!(yaml["model-index"][0]["name"], "mnist-mlp-tuned");
	let metrics = &yaml["model-index"][0]["results"][0]["metrics"];
	assert_eq!(metrics[0]["type"], "accuracy");
	assert!(metrics[0]["value"].as_f64().is_some_and(|a| (0.0..=1.0).contains(&a)), "{written}");
	assert_eq!(yaml["swarmchain"]["weights_hash"].as_str(), Some(&*format!("0x{weights_hash}")));
	assert_eq!(yaml["swarmchain"]["weights_file"].as_str(), tuned.file_name().unwrap().to_str());
	assert_eq!(yaml["swarmchain"]["published"], false);
	assert!(body.contains("# mnist-mlp-tuned"), "{written}");

	// A card needs weights to describe, and a base model needs `--init`.
	let (ok, text) = swarm_ml(&[&small[..], &["--card", card_s]].concat());
	assert!(!ok && text.contains("--out"), "{text}");
	let (ok, text) =
		swarm_ml(&[&small[..], &["--out", tuned_s, "--card", card_s, "--base-model", "x@v1"]].concat());
	assert!(!ok && text.contains("--init"), "{text}");
	for file in [base, tuned, card] {
		std::fs::remove_file(file).ok();
	}
}
