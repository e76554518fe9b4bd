use super::*;
use std::{
	sync::atomic::{AtomicUsize, Ordering},
	time::Duration,
};
use swarm_ml::{InputShape, MlpConfig, Seed};

/// Files in memory, counting fetches.
#[derive(Default)]
struct Files {
	files: Mutex<HashMap<[u8; 32], Vec<u8>>>,
	fetches: AtomicUsize,
	/// Held by a test to stop fetches (and so the worker) until it lets go.
	gate: Mutex<()>,
}

impl Files {
	fn add(&self, bytes: Vec<u8>) -> [u8; 32] {
		let hash = blake2_256(&bytes);
		self.files.lock().unwrap().insert(hash, bytes);
		hash
	}
}

impl ContentSource for Files {
	fn fetch(&self, hash: &[u8; 32]) -> Result<Vec<u8>, String> {
		self.fetches.fetch_add(1, Ordering::SeqCst);
		drop(self.gate.lock().unwrap());
		self.files.lock().unwrap().get(hash).cloned().ok_or_else(|| "not stored".into())
	}
}

fn config() -> ModelConfig {
	ModelConfig::Mlp(MlpConfig {
		input: InputShape { channels: 1, height: 4, width: 4 },
		hidden: vec![8],
		classes: 3,
		dropout_permille: 0,
	})
}

fn weights() -> Weights {
	Weights::init(&config(), &Seed::from(7)).unwrap()
}

fn pixels(samples: usize) -> Vec<u8> {
	(0..samples * 16).map(|i| (i * 37 % 256) as u8).collect()
}

fn start(dir: &Path, files: Arc<Files>) -> Executor {
	start_with_data(dir, files, None)
}

fn start_with_data(dir: &Path, files: Arc<Files>, training_data: Option<&Path>) -> Executor {
	let config = Config {
		dir: dir.to_path_buf(),
		threads: 2,
		max_queue: 4,
		training_data: training_data.map(Path::to_path_buf),
	};
	Executor::start(config, files, None).unwrap()
}

fn task(weights: [u8; 32], input: TaskInput) -> Task {
	Task::Infer(InferTask { config: config().canonical_bytes(), weights, input })
}

pub(crate) fn wait(executor: &Executor, id: &TaskId) -> TaskStatus {
	for _ in 0..1000 {
		match executor.poll(id) {
			TaskStatus::Pending => std::thread::sleep(Duration::from_millis(10)),
			status => return status,
		}
	}
	panic!("the task did not finish");
}

#[test]
fn an_inference_task_gives_what_the_engine_gives() {
	let dir = tempfile::tempdir().unwrap();
	let files = Arc::new(Files::default());
	let hash = files.add(weights().to_safetensors().unwrap());
	let executor = start(dir.path(), files);
	let task = task(hash, TaskInput::Inline { samples: 3, data: pixels(3) });
	let id = executor.submit(&task.encode()).unwrap();
	assert_eq!(id, task.id());

	let model = Model::new(&config(), &weights()).unwrap();
	let expected =
		swarm_ml::infer(&model, &bytes_to_inputs(&pixels(3)), 3, Mode::Deterministic).unwrap();
	let TaskStatus::Done(Outcome::Inference { labels, logits }) = wait(&executor, &id) else {
		panic!("no outcome");
	};
	assert_eq!(labels, expected.labels);
	assert_eq!(logits, expected.logits_fixed());
	assert_eq!(output_hash(&labels, &logits), expected.output_hash());
}

#[test]
fn an_input_file_is_read_from_the_store() {
	let dir = tempfile::tempdir().unwrap();
	let files = Arc::new(Files::default());
	let weights = files.add(weights().to_safetensors().unwrap());
	let input = files.add(pixels(2));
	let executor = start(dir.path(), files);
	let inline = executor.submit(&task(weights, TaskInput::Inline { samples: 2, data: pixels(2) }).encode());
	let file = executor.submit(&task(weights, TaskInput::File { samples: 2, hash: input }).encode());
	let (inline, file) = (wait(&executor, &inline.unwrap()), wait(&executor, &file.unwrap()));
	assert!(matches!(inline, TaskStatus::Done(_)));
	assert_eq!(inline, file);
}

#[test]
fn a_task_is_run_once_and_survives_a_restart() {
	let dir = tempfile::tempdir().unwrap();
	let files = Arc::new(Files::default());
	let hash = files.add(weights().to_safetensors().unwrap());
	let task = task(hash, TaskInput::Inline { samples: 1, data: pixels(1) });
	let executor = start(dir.path(), files.clone());
	let id = executor.submit(&task.encode()).unwrap();
	assert_eq!(executor.submit(&task.encode()), Ok(id));
	let outcome = wait(&executor, &id);
	assert!(matches!(outcome, TaskStatus::Done(_)));
	assert_eq!(executor.submit(&task.encode()), Ok(id));
	assert_eq!(wait(&executor, &id), outcome);
	assert_eq!(files.fetches.load(Ordering::SeqCst), 1, "the weights were fetched once");
	drop(executor);

	// A new executor on the same directory, with an empty store: the outcome is read back.
	let empty = Arc::new(Files::default());
	let executor = start(dir.path(), empty.clone());
	assert_eq!(executor.poll(&id), outcome);
	assert_eq!(executor.submit(&task.encode()), Ok(id));
	assert_eq!(wait(&executor, &id), outcome);
	assert_eq!(empty.fetches.load(Ordering::SeqCst), 0);
}

#[test]
fn weights_are_cached_on_disk() {
	let dir = tempfile::tempdir().unwrap();
	let files = Arc::new(Files::default());
	let hash = files.add(weights().to_safetensors().unwrap());
	let executor = start(dir.path(), files.clone());
	let first = executor.submit(&task(hash, TaskInput::Inline { samples: 1, data: pixels(1) }).encode());
	wait(&executor, &first.unwrap());
	drop(executor);
	let executor = start(dir.path(), Arc::new(Files::default()));
	let second = executor.submit(&task(hash, TaskInput::Inline { samples: 2, data: pixels(2) }).encode());
	assert!(matches!(wait(&executor, &second.unwrap()), TaskStatus::Done(_)));
}

#[test]
fn bad_tasks_fail_clearly() {
	let dir = tempfile::tempdir().unwrap();
	let files = Arc::new(Files::default());
	let hash = files.add(weights().to_safetensors().unwrap());
	let other = files.add(
		Weights::init(&ModelConfig::fashion_mnist_mlp(), &Seed::from(1))
			.unwrap()
			.to_safetensors()
			.unwrap(),
	);
	let executor = start(dir.path(), files);
	assert_eq!(executor.submit(&[7, 7, 7]), Err(SubmitError::Malformed));

	let failure = |task: Task| match wait(&executor, &executor.submit(&task.encode()).unwrap()) {
		TaskStatus::Failed(reason) => reason,
		other => panic!("expected a failure, got {other:?}"),
	};
	let bad_config = Task::Infer(InferTask {
		config: vec![1, 9],
		weights: hash,
		input: TaskInput::Inline { samples: 1, data: pixels(1) },
	});
	assert!(failure(bad_config).contains("configuration"));
	assert!(failure(task(other, TaskInput::Inline { samples: 1, data: pixels(1) }))
		.contains("do not fit"));
	assert!(failure(task(hash, TaskInput::Inline { samples: 2, data: pixels(1) }))
		.contains("2 samples"));
	assert!(failure(task(hash, TaskInput::Inline { samples: 0, data: vec![] })).contains("0 samples"));
}

#[test]
fn missing_weights_are_retried_when_resubmitted() {
	let dir = tempfile::tempdir().unwrap();
	let files = Arc::new(Files::default());
	let bytes = weights().to_safetensors().unwrap();
	let hash = blake2_256(&bytes);
	let executor = start(dir.path(), files.clone());
	let task = task(hash, TaskInput::Inline { samples: 1, data: pixels(1) });
	let id = executor.submit(&task.encode()).unwrap();
	assert_eq!(wait(&executor, &id), TaskStatus::Unknown, "forgotten, not failed for good");
	files.add(bytes);
	executor.submit(&task.encode()).unwrap();
	assert!(matches!(wait(&executor, &id), TaskStatus::Done(_)));
}

#[test]
fn a_full_queue_refuses_more() {
	let dir = tempfile::tempdir().unwrap();
	let files = Arc::new(Files::default());
	let hash = files.add(weights().to_safetensors().unwrap());
	let executor = start(dir.path(), files.clone());
	// The worker is stuck fetching the first task's weights while the others arrive.
	let gate = files.gate.lock().unwrap();
	let results: Vec<_> = (1..=6)
		.map(|n| task(hash, TaskInput::Inline { samples: n, data: pixels(n as usize) }))
		.map(|t| executor.submit(&t.encode()))
		.collect();
	drop(gate);
	// The worker may have taken one task already; at most max_queue + 1 are accepted.
	let accepted = results.iter().filter(|r| r.is_ok()).count();
	assert!((4..=5).contains(&accepted), "{accepted} accepted");
	assert!(results.contains(&Err(SubmitError::Busy)));
}

mod rounds;
