//! Training and aggregation tasks: what a round's participants and committee run.

use super::*;
use swarm_ml::{
	aggregate::{aggregate, AggregateOptions, ClientId, Method, Update},
	data::{fashion_mnist, Dataset},
	evaluate, train, OptimizerConfig, TrainSpec,
};
use swarm_worker_interface::{
	AggregateTask, AggregationMethod, AggregationRule, Evaluation, InvalidUpdate, LabelledFile,
	Optimizer, ServerMomentum, TrainTask, TrainingSpec, UpdateRef, Verdict,
};

const SHAPE: InputShape = InputShape { channels: 1, height: 4, width: 4 };

/// A node's training data, written as IDX files into `dir` the way `swarm-ml split` does.
fn training_data(dir: &Path, seed: u64, samples: usize) -> Dataset {
	let data = Dataset::synthetic(&Seed::from(seed), samples, SHAPE, 3).unwrap();
	fashion_mnist::write(dir, fashion_mnist::Split::Train, &data).unwrap();
	data
}

fn spec() -> TrainingSpec {
	TrainingSpec {
		epochs: 2,
		batch_size: 16,
		optimizer: Optimizer::Sgd { lr: 50_000, momentum: 900_000, weight_decay: 0 },
	}
}

fn train_task(base: [u8; 32], max_samples: u32) -> TrainTask {
	TrainTask { config: config().canonical_bytes(), base, spec: spec(), seed: [4; 32], max_samples }
}

/// What the engine computes for [`spec`] from `weights()` on `data`.
fn trained_locally(data: &Dataset) -> swarm_ml::TrainResult {
	let spec = TrainSpec {
		model: config(),
		optimizer: OptimizerConfig::Sgd { lr: 0.05, momentum: 0.9, weight_decay: 0.0 },
		epochs: 2,
		batch_size: 16,
		seed: Seed([4; 32]),
		mode: Mode::Deterministic,
	};
	train(&spec, Some(&weights()), data).unwrap()
}

#[test]
fn a_training_task_gives_what_the_engine_gives_and_keeps_the_weights() {
	let dir = tempfile::tempdir().unwrap();
	let data_dir = tempfile::tempdir().unwrap();
	let data = training_data(data_dir.path(), 1, 120);
	let files = Arc::new(Files::default());
	let base = files.add(weights().to_safetensors().unwrap());
	let executor = start_with_data(dir.path(), files, Some(data_dir.path()));

	let local = trained_locally(&data);
	let id = executor.submit(&Task::Train(train_task(base, 1_000)).encode()).unwrap();
	let TaskStatus::Done(Outcome::Trained { weights, size, samples }) = wait(&executor, &id) else {
		panic!("no outcome");
	};
	assert_eq!(
		(weights, size, samples),
		(local.weights_hash, local.weights_bytes.len() as u64, 120)
	);
	let kept = fs::read(dir.path().join("content").join(hex(&weights))).unwrap();
	assert_eq!(kept, local.weights_bytes, "the file to upload is kept");

	// Only the first `max_samples` samples are trained on.
	let id = executor.submit(&Task::Train(train_task(base, 50)).encode()).unwrap();
	let TaskStatus::Done(Outcome::Trained { weights, samples, .. }) = wait(&executor, &id) else {
		panic!("no outcome");
	};
	assert_eq!((weights, samples), (trained_locally(&data.take(50)).weights_hash, 50));
}

#[test]
fn training_fails_clearly_without_fitting_data() {
	let dir = tempfile::tempdir().unwrap();
	let files = Arc::new(Files::default());
	let base = files.add(weights().to_safetensors().unwrap());
	let failure = |executor: &Executor, task: TrainTask| match wait(
		executor,
		&executor.submit(&Task::Train(task).encode()).unwrap(),
	) {
		TaskStatus::Failed(reason) => reason,
		other => panic!("expected a failure, got {other:?}"),
	};
	let executor = start(dir.path(), files.clone());
	assert!(failure(&executor, train_task(base, 10)).contains("--training-data"));
	drop(executor);

	// Data of another shape than the model's.
	let data_dir = tempfile::tempdir().unwrap();
	let wide = InputShape { channels: 1, height: 4, width: 5 };
	let data = Dataset::synthetic(&Seed::from(1), 30, wide, 3).unwrap();
	fashion_mnist::write(data_dir.path(), fashion_mnist::Split::Train, &data).unwrap();
	let executor = start_with_data(dir.path(), files, Some(data_dir.path()));
	assert!(failure(&executor, train_task(base, 10)).contains("training"));
	let zero_epochs =
		TrainTask { spec: TrainingSpec { epochs: 0, ..spec() }, ..train_task(base, 10) };
	assert!(failure(&executor, zero_epochs).contains("epochs"));
}

#[test]
fn an_executor_with_unreadable_training_data_does_not_start() {
	let dir = tempfile::tempdir().unwrap();
	let empty = tempfile::tempdir().unwrap();
	let config = Config {
		dir: dir.path().to_path_buf(),
		threads: 1,
		max_queue: 1,
		training_data: Some(empty.path().to_path_buf()),
	};
	let Err(err) = Executor::start(config, Arc::new(Files::default()), None) else {
		panic!("started without training data");
	};
	assert!(err.to_string().contains("the training data in"), "{err}");
}

/// A round of four updates: three trained on their own data, one scaled ×−10 away from the base
/// (a poisoned update), and one file that is not safetensors at all.
struct Round {
	files: Arc<Files>,
	base: [u8; 32],
	validation: Dataset,
	validation_file: LabelledFile,
	honest: Vec<(ClientId, Weights, u64)>,
	refs: Vec<UpdateRef>,
}

fn round() -> Round {
	let files = Arc::new(Files::default());
	let base = files.add(weights().to_safetensors().unwrap());
	let validation = Dataset::synthetic(&Seed::from(99), 60, SHAPE, 3).unwrap();
	let validation_file =
		LabelledFile { hash: files.add(validation.to_labelled_bytes()), samples: 60 };
	let mut honest = Vec::new();
	let mut refs = Vec::new();
	for n in 1..=3u64 {
		let data = Dataset::synthetic(&Seed::from(n), 40 * n as usize, SHAPE, 3).unwrap();
		let trained = trained_locally(&data);
		let client = ClientId::from(n);
		let hash = files.add(trained.weights_bytes);
		refs.push(UpdateRef { client: client.0, weights: hash, samples: data.len() as u64 });
		honest.push((client, trained.weights, data.len() as u64));
	}
	let delta = honest[0].1.sub(&weights()).unwrap();
	let flipped: Vec<f32> = delta.flatten().iter().map(|d| -10.0 * d).collect();
	let poisoned = weights().add(&delta.unflatten_like(&flipped).unwrap()).unwrap();
	refs.push(UpdateRef {
		client: ClientId::from(4).0,
		weights: files.add(poisoned.to_safetensors().unwrap()),
		samples: 40,
	});
	refs.push(UpdateRef {
		client: ClientId::from(5).0,
		weights: files.add(vec![1, 2, 3]),
		samples: 40,
	});
	Round { files, base, validation, validation_file, honest, refs }
}

fn aggregate_task(round: &Round, method: AggregationMethod, clip: Option<u64>) -> Task {
	Task::Aggregate(AggregateTask {
		config: config().canonical_bytes(),
		base: round.base,
		previous: None,
		updates: round.refs.clone(),
		rule: AggregationRule { method, clip, max_samples: 100, server: None },
		validation: round.validation_file,
	})
}

fn evaluation(weights: &Weights, data: &Dataset) -> Evaluation {
	let report =
		evaluate(&Model::new(&config(), weights).unwrap(), data, Mode::Deterministic, 7).unwrap();
	Evaluation { accuracy: report.accuracy_ppb(), loss: report.mean_loss_micro() }
}

#[test]
fn an_aggregation_gives_what_the_engine_gives_and_names_every_bad_update() {
	let dir = tempfile::tempdir().unwrap();
	let round = round();
	let executor = start(dir.path(), round.files.clone());
	// The poisoned update moves ten times as far as the first honest one: twice the largest
	// honest move is a clip bound that makes it provably invalid.
	let norm = |w: &Weights| w.sub(&weights()).unwrap().l2_norm();
	let largest = round.honest.iter().map(|(_, w, _)| norm(w)).fold(0.0, f64::max);
	assert!(10.0 * norm(&round.honest[0].1) > 2.0 * largest);
	let clip = (largest * 2.0 * 1e6) as u64;
	let id =
		executor.submit(&aggregate_task(&round, AggregationMethod::FedAvg, Some(clip)).encode());
	let TaskStatus::Done(Outcome::Aggregated { result, base, verdicts }) =
		wait(&executor, &id.unwrap())
	else {
		panic!("no outcome");
	};
	use Verdict::*;
	assert_eq!(
		verdicts,
		vec![
			Accepted,
			Accepted,
			Accepted,
			Invalid(InvalidUpdate::AboveClip),
			Invalid(InvalidUpdate::Unreadable)
		]
	);

	// The same as the engine on the honest updates, with the sample counts capped at 100.
	let updates: Vec<Update> = round
		.honest
		.iter()
		.map(|(client, weights, samples)| Update {
			client: *client,
			num_examples: *samples,
			weights: weights.clone(),
		})
		.collect();
	let options = AggregateOptions { clip_norm: Some(clip as f64 / 1e6), max_examples: Some(100) };
	let local = aggregate(&weights(), &updates, Method::FedAvg, &options).unwrap();
	let bytes = local.weights.to_safetensors().unwrap();
	let result = result.expect("a result");
	assert_eq!((result.weights, result.size), (blake2_256(&bytes), bytes.len() as u64));
	assert_eq!(result.evaluation, evaluation(&local.weights, &round.validation));
	assert_eq!(base, evaluation(&weights(), &round.validation));
	assert_eq!(fs::read(dir.path().join("content").join(hex(&result.weights))).unwrap(), bytes);
}

#[test]
fn server_momentum_steps_from_the_previous_rounds_base() {
	let dir = tempfile::tempdir().unwrap();
	let round = round();
	// The base of the round before: the base moved away from it by a small step.
	let scaled: Vec<f32> = weights().flatten().iter().map(|w| w * 0.9).collect();
	let previous = weights().unflatten_like(&scaled).unwrap();
	let previous_hash = round.files.add(previous.to_safetensors().unwrap());
	let executor = start(dir.path(), round.files.clone());
	let momentum = ServerMomentum { learning_rate: 1_500_000, momentum: 900_000 };
	let Task::Aggregate(plain) = aggregate_task(&round, AggregationMethod::Median, None) else {
		unreachable!()
	};
	let task = |previous| {
		Task::Aggregate(AggregateTask {
			previous,
			rule: AggregationRule { server: Some(momentum), ..plain.rule },
			..plain.clone()
		})
	};
	let result = |task: Task| {
		let id = executor.submit(&task.encode()).unwrap();
		let TaskStatus::Done(Outcome::Aggregated { result, verdicts, .. }) = wait(&executor, &id)
		else {
			panic!("no outcome");
		};
		(result.expect("a result").weights, verdicts)
	};
	let (median, median_verdicts) = result(Task::Aggregate(plain.clone()));
	let (first, verdicts) = result(task(None));
	let (later, _) = result(task(Some(previous_hash)));
	assert_eq!(verdicts, median_verdicts, "the server step changes no verdict");

	// What the engine computes: the median, then w + 1.5·Δ (+ 0.9·(w − w_prev)).
	let read = |hash: &[u8; 32]| {
		Weights::from_safetensors(&fs::read(dir.path().join("content").join(hex(hash))).unwrap())
			.unwrap()
	};
	let step = swarm_ml::ServerMomentum { learning_rate: 1.5, momentum: 0.9 };
	let expected = |prev: Option<&Weights>| {
		swarm_ml::server_step(&weights(), prev, &read(&median), step).unwrap().hash().unwrap()
	};
	assert_eq!(first, expected(None));
	assert_eq!(later, expected(Some(&previous)));
	assert_ne!(first, later);

	// A previous round's base that is not stored (yet) is a missing file, retried later.
	let id = executor.submit(&task(Some([0xee; 32])).encode()).unwrap();
	assert_eq!(wait(&executor, &id), TaskStatus::Unknown, "forgotten, not failed for good");
}

#[test]
fn krum_leaves_outliers_out_without_calling_them_invalid() {
	let dir = tempfile::tempdir().unwrap();
	let round = round();
	let executor = start(dir.path(), round.files.clone());
	let task = aggregate_task(&round, AggregationMethod::MultiKrum { byzantine: 1, keep: 2 }, None);
	let id = executor.submit(&task.encode()).unwrap();
	let TaskStatus::Done(Outcome::Aggregated { result, verdicts, .. }) = wait(&executor, &id)
	else {
		panic!("no outcome");
	};
	assert!(result.is_some());
	assert_eq!(verdicts.iter().filter(|v| **v == Verdict::Accepted).count(), 2);
	assert_eq!(verdicts[3], Verdict::Outlier, "the poisoned update is the farthest");
	assert_eq!(verdicts[4], Verdict::Invalid(InvalidUpdate::Unreadable));
}

#[test]
fn too_few_valid_updates_give_no_result() {
	let dir = tempfile::tempdir().unwrap();
	let round = round();
	let executor = start(dir.path(), round.files.clone());
	// Trimming 2 from each end needs 5 valid updates; there are 4.
	let task = aggregate_task(&round, AggregationMethod::TrimmedMean { trim: 2 }, None);
	let id = executor.submit(&task.encode()).unwrap();
	let TaskStatus::Done(Outcome::Aggregated { result, base, verdicts }) = wait(&executor, &id)
	else {
		panic!("no outcome");
	};
	assert_eq!(result, None);
	assert_eq!(base, evaluation(&weights(), &round.validation));
	use Verdict::*;
	assert_eq!(verdicts, vec![Unused, Unused, Unused, Unused, Invalid(InvalidUpdate::Unreadable)]);
}

#[test]
fn a_missing_update_is_retried_and_a_bad_validation_set_fails() {
	let dir = tempfile::tempdir().unwrap();
	let mut round = round();
	round.refs[0].weights = [9; 32];
	let executor = start(dir.path(), round.files.clone());
	let id = executor.submit(&aggregate_task(&round, AggregationMethod::Median, None).encode());
	assert_eq!(
		wait(&executor, &id.unwrap()),
		TaskStatus::Unknown,
		"forgotten, not failed for good"
	);

	let round =
		Round { validation_file: LabelledFile { samples: 61, ..round.validation_file }, ..round };
	let id = executor.submit(&aggregate_task(&round, AggregationMethod::Median, None).encode());
	match wait(&executor, &id.unwrap()) {
		TaskStatus::Failed(reason) => assert!(reason.contains("validation set"), "{reason}"),
		other => panic!("expected a failure, got {other:?}"),
	}
}

#[test]
fn the_training_data_is_described_and_kept_files_are_read_at_once() {
	let dir = tempfile::tempdir().unwrap();
	let data_dir = tempfile::tempdir().unwrap();
	training_data(data_dir.path(), 1, 120);
	let files = Arc::new(Files::default());
	let base = files.add(weights().to_safetensors().unwrap());
	let executor = start_with_data(dir.path(), files.clone(), Some(data_dir.path()));
	let id = executor.submit(&Task::DescribeData.encode()).unwrap();
	assert_eq!(
		executor.poll(&id),
		TaskStatus::Done(Outcome::Data { shape: (1, 4, 4), classes: 3, samples: 120 })
	);
	// A file the executor made, read back; one it does not have, a failure.
	let trained = executor.submit(&Task::Train(train_task(base, 1_000)).encode()).unwrap();
	let TaskStatus::Done(Outcome::Trained { weights, .. }) = wait(&executor, &trained) else {
		panic!("no outcome");
	};
	let read = executor.submit(&Task::ReadFile(weights).encode()).unwrap();
	let TaskStatus::Done(Outcome::File(bytes)) = executor.poll(&read) else { panic!("not read") };
	assert_eq!(blake2_256(&bytes), weights);
	let missing = executor.submit(&Task::ReadFile([1; 32]).encode()).unwrap();
	assert!(matches!(executor.poll(&missing), TaskStatus::Failed(_)));
	// Nothing immediate is kept on disk.
	drop(executor);
	let executor = start(dir.path(), files);
	assert_eq!(executor.poll(&id), TaskStatus::Unknown);
	let id = executor.submit(&Task::DescribeData.encode()).unwrap();
	assert!(
		matches!(executor.poll(&id), TaskStatus::Failed(reason) if reason.contains("--training-data"))
	);
}
