//! # Swarmchain worker executor
//!
//! The node side of `swarm-worker-interface`: the offchain worker submits a [`Task`] through a
//! host function and polls for its [`TaskStatus`]; this executor runs it with the deterministic
//! ML engine (`swarm_ml`, candle) on a thread of its own, so that offchain worker threads, block
//! authoring and import never wait on ML.
//!
//! - **Dedup**: a task is known by its id (the hash of its encoding); submitting it again while
//!   it is queued, running or done changes nothing.
//! - **Threads**: tasks run one at a time, on a rayon pool of [`Config::threads`] threads (the
//!   node's `--ml-threads`). The engine's deterministic kernels give the same bits with any
//!   thread count.
//! - **Content**: weights and input files are fetched by hash from a [`ContentSource`] (the
//!   node's block database), checked against their hash, and cached on disk under
//!   `<dir>/content/`.
//! - **Restarts**: every finished outcome is written to `<dir>/outcomes/<task id>` before it is
//!   reported, so a restarted node answers `poll` with the same outcome and never computes a
//!   different one. A failure that may pass (a file not available yet) is not kept: the task is
//!   forgotten and runs again when submitted again.
//! - **Metrics** (Prometheus, when the node has a registry): `swarm_worker_tasks_started_total`,
//!   `swarm_worker_tasks_finished_total`, `swarm_worker_tasks_failed_total` (by `kind`),
//!   `swarm_worker_task_seconds` (by `kind`) and `swarm_worker_queue_length`.

use codec::{Decode, Encode};
use polkadot_sdk::substrate_prometheus_endpoint::{
	register, Counter, CounterVec, Gauge, HistogramOpts, HistogramVec, Opts, PrometheusError,
	Registry, U64,
};
use std::{
	collections::{HashMap, VecDeque},
	fs,
	io::{self, Write},
	path::{Path, PathBuf},
	sync::{Arc, Condvar, Mutex, MutexGuard},
	time::Instant,
};
use swarm_ml::{
	aggregate::{AggregateOptions, ClientId, Method, RejectReason, ServerMomentum, Update},
	data::{bytes_to_inputs, fashion_mnist, Dataset},
	hash::blake2_256,
	Mode, Model, ModelConfig, OptimizerConfig, Seed, TrainSpec, Weights,
};
pub use swarm_worker_interface::{
	AggregateTask, Aggregated, AggregationMethod, Evaluation, Executor as ExecutorApi, ExecutorExt,
	InferTask, InvalidUpdate, Optimizer, Outcome, SubmitError, Task, TaskId, TaskInput, TaskStatus,
	TrainTask, Verdict,
};

/// The log target of the executor.
pub const LOG_TARGET: &str = "swarm-worker";

/// Where the executor reads stored files (weights, inputs) by their blake2-256 hash.
pub trait ContentSource: Send + Sync + 'static {
	/// The whole file, or why it cannot be had now.
	fn fetch(&self, hash: &[u8; 32]) -> Result<Vec<u8>, String>;
}

/// How the executor runs.
#[derive(Clone, Debug)]
pub struct Config {
	/// Its directory: outcomes and cached files live under it (the node uses
	/// `<base path>/chains/<chain>/swarm-worker`).
	pub dir: PathBuf,
	/// Threads of the engine.
	pub threads: usize,
	/// Tasks that may wait at once; more are refused with [`SubmitError::Busy`].
	pub max_queue: usize,
	/// The node's own training data (the node's `--training-data`): a folder with
	/// Fashion-MNIST-style IDX files `train-images-idx3-ubyte[.gz]` and
	/// `train-labels-idx1-ubyte[.gz]`. Training tasks fail without it. It never leaves the node:
	/// only the weights trained on it do.
	pub training_data: Option<PathBuf>,
}

/// The Prometheus series of the executor.
#[derive(Clone)]
struct Metrics {
	started: CounterVec<U64>,
	finished: CounterVec<U64>,
	failed: CounterVec<U64>,
	seconds: HistogramVec,
	queue: Gauge<U64>,
	samples_trained: Counter<U64>,
	epoch: Gauge<U64>,
}

impl Metrics {
	fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		let counter = |name: &str, help: &str| -> Result<CounterVec<U64>, PrometheusError> {
			register(CounterVec::new(Opts::new(name, help), &["kind"])?, registry)
		};
		Ok(Self {
			started: counter("swarm_worker_tasks_started_total", "Tasks the executor started")?,
			finished: counter(
				"swarm_worker_tasks_finished_total",
				"Tasks the executor finished with an outcome",
			)?,
			failed: counter("swarm_worker_tasks_failed_total", "Tasks that failed")?,
			seconds: register(
				HistogramVec::new(
					HistogramOpts::new("swarm_worker_task_seconds", "Time a task ran, in seconds")
						.buckets(vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0]),
					&["kind"],
				)?,
				registry,
			)?,
			queue: register(
				Gauge::new("swarm_worker_queue_length", "Tasks waiting to run")?,
				registry,
			)?,
			samples_trained: register(
				Counter::new(
					"swarm_worker_training_samples_total",
					"Samples of the node's training data trained on (once per epoch)",
				)?,
				registry,
			)?,
			epoch: register(
				Gauge::new(
					"swarm_worker_training_epoch",
					"The epoch the running training task is in, from 1 (0 when none runs)",
				)?,
				registry,
			)?,
		})
	}
}

/// Why a task did not give an outcome.
#[derive(Debug)]
enum Failure {
	/// It never will (bad configuration, weights that do not fit it, bad input): kept.
	Permanent(String),
	/// It may later (a file not available yet): forgotten, so that it runs again.
	Transient(String),
}

struct State {
	queue: VecDeque<(TaskId, Task)>,
	/// Queued, running, or finished (a bounded cache of what is on disk).
	known: HashMap<TaskId, TaskStatus>,
	/// The answers of the last immediate tasks (descriptions, files read), never on disk.
	immediate: VecDeque<(TaskId, TaskStatus)>,
	stop: bool,
}

struct Shared {
	dir: PathBuf,
	source: Arc<dyn ContentSource>,
	state: Mutex<State>,
	wake: Condvar,
	metrics: Option<Metrics>,
	max_queue: usize,
	training_data: Option<PathBuf>,
	/// The answer to [`Task::DescribeData`], read once at start.
	data_description: Option<Outcome>,
}

/// The most finished outcomes kept in memory; older ones are read back from disk.
const KEPT_IN_MEMORY: usize = 1024;

/// The most answers of immediate tasks kept for polling (each may be a whole weights file).
const KEPT_IMMEDIATE: usize = 8;

/// The executor; see the [crate docs](crate). Dropping it stops its thread after the running
/// task.
pub struct Executor {
	shared: Arc<Shared>,
}

impl Executor {
	/// Starts an executor in `config.dir` (created if missing) that reads files from `source`
	/// and reports to `registry`.
	pub fn start(
		config: Config,
		source: Arc<dyn ContentSource>,
		registry: Option<&Registry>,
	) -> io::Result<Self> {
		let mut data_description = None;
		if let Some(dir) = &config.training_data {
			// Refused at start, with the reason, rather than at the first round.
			let data = fashion_mnist::load_training_data(dir, 256).map_err(|e| {
				io::Error::new(
					io::ErrorKind::InvalidInput,
					format!("the training data in {}: {e}", dir.display()),
				)
			})?;
			log::info!(
				target: LOG_TARGET,
				"training data: {} samples of {:?} in {}",
				data.len(),
				data.shape(),
				dir.display()
			);
			let shape = data.shape();
			data_description = Some(Outcome::Data {
				shape: (shape.channels as u32, shape.height as u32, shape.width as u32),
				classes: data.labels().iter().max().map_or(0, |l| u32::from(*l) + 1),
				samples: data.len() as u64,
			});
		}
		fs::create_dir_all(config.dir.join("outcomes"))?;
		fs::create_dir_all(config.dir.join("content"))?;
		let metrics = match registry.map(Metrics::register).transpose() {
			Ok(metrics) => metrics,
			Err(e) => {
				log::warn!(target: LOG_TARGET, "the executor's metrics are off: {e}");
				None
			},
		};
		let pool = rayon::ThreadPoolBuilder::new()
			.num_threads(config.threads.max(1))
			.thread_name(|i| format!("swarm-ml-{i}"))
			.build()
			.map_err(io::Error::other)?;
		let shared = Arc::new(Shared {
			dir: config.dir,
			source,
			state: Mutex::new(State {
				queue: VecDeque::new(),
				known: HashMap::new(),
				immediate: VecDeque::new(),
				stop: false,
			}),
			wake: Condvar::new(),
			metrics,
			max_queue: config.max_queue.max(1),
			training_data: config.training_data,
			data_description,
		});
		let worker = shared.clone();
		std::thread::Builder::new()
			.name("swarm-worker".into())
			.spawn(move || worker.run(pool))?;
		Ok(Self { shared })
	}
}

impl Drop for Executor {
	fn drop(&mut self) {
		self.shared.lock().stop = true;
		self.shared.wake.notify_all();
	}
}

impl ExecutorApi for Executor {
	fn submit(&self, bytes: &[u8]) -> Result<TaskId, SubmitError> {
		let task = Task::decode(&mut &bytes[..]).map_err(|_| SubmitError::Malformed)?;
		let id = task.id();
		if task.is_immediate() {
			let status = match self.shared.answer(&task) {
				Ok(outcome) => TaskStatus::Done(outcome),
				Err(reason) => TaskStatus::Failed(reason),
			};
			let mut state = self.shared.lock();
			state.immediate.retain(|(known, _)| *known != id);
			if state.immediate.len() >= KEPT_IMMEDIATE {
				state.immediate.pop_front();
			}
			state.immediate.push_back((id, status));
			return Ok(id);
		}
		let mut state = self.shared.lock();
		if state.known.contains_key(&id) {
			return Ok(id);
		}
		if let Some(status) = self.shared.read_outcome(&id) {
			state.known.insert(id, status);
			return Ok(id);
		}
		if state.queue.len() >= self.shared.max_queue {
			return Err(SubmitError::Busy);
		}
		log::debug!(target: LOG_TARGET, "queued {} task {}", task.kind(), hex(&id));
		state.queue.push_back((id, task));
		state.known.insert(id, TaskStatus::Pending);
		self.shared.set_queue_gauge(state.queue.len());
		drop(state);
		self.shared.wake.notify_one();
		Ok(id)
	}

	fn poll(&self, id: &TaskId) -> TaskStatus {
		let mut state = self.shared.lock();
		if let Some((_, status)) = state.immediate.iter().find(|(known, _)| known == id) {
			return status.clone();
		}
		if let Some(status) = state.known.get(id) {
			return status.clone();
		}
		match self.shared.read_outcome(id) {
			Some(status) => {
				state.known.insert(*id, status.clone());
				status
			},
			None => TaskStatus::Unknown,
		}
	}
}

impl Shared {
	fn lock(&self) -> MutexGuard<'_, State> {
		self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	fn set_queue_gauge(&self, len: usize) {
		if let Some(metrics) = &self.metrics {
			metrics.queue.set(len as u64);
		}
	}

	/// Takes tasks from the queue and runs them, until the executor is dropped.
	fn run(&self, pool: rayon::ThreadPool) {
		let mut models = ModelCache::default();
		loop {
			let (id, task) = {
				let mut state = self.lock();
				loop {
					if state.stop {
						return;
					}
					if let Some(next) = state.queue.pop_front() {
						self.set_queue_gauge(state.queue.len());
						break next;
					}
					state = self.wake.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
				}
			};
			let kind = task.kind();
			if let Some(metrics) = &self.metrics {
				metrics.started.with_label_values(&[kind]).inc();
			}
			let started = Instant::now();
			let result = pool.install(|| {
				std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
					self.execute(&task, &mut models)
				}))
				.unwrap_or_else(|panic| {
					let what = panic
						.downcast_ref::<&str>()
						.map(|s| s.to_string())
						.or_else(|| panic.downcast_ref::<String>().cloned())
						.unwrap_or_default();
					Err(Failure::Permanent(format!("the engine panicked: {what}")))
				})
			});
			let seconds = started.elapsed().as_secs_f64();
			if let Some(metrics) = &self.metrics {
				metrics.seconds.with_label_values(&[kind]).observe(seconds);
				let counter = if result.is_ok() { &metrics.finished } else { &metrics.failed };
				counter.with_label_values(&[kind]).inc();
			}
			let status = match result {
				Ok(outcome) => {
					log::info!(
						target: LOG_TARGET,
						"{kind} task {} done in {seconds:.3} s: {}",
						hex(&id),
						describe(&outcome)
					);
					Some(TaskStatus::Done(outcome))
				},
				Err(Failure::Permanent(reason)) => {
					log::warn!(target: LOG_TARGET, "{kind} task {} failed: {reason}", hex(&id));
					Some(TaskStatus::Failed(reason))
				},
				Err(Failure::Transient(reason)) => {
					log::warn!(
						target: LOG_TARGET,
						"{kind} task {} cannot run yet ({reason}); it runs again when resubmitted",
						hex(&id)
					);
					None
				},
			};
			if let Some(status) = &status {
				if let Err(e) = self.write_outcome(&id, status) {
					log::error!(target: LOG_TARGET, "could not keep the outcome of {}: {e}", hex(&id));
				}
			}
			let mut state = self.lock();
			match status {
				Some(status) => {
					if state.known.len() >= KEPT_IN_MEMORY {
						state.known.retain(|_, s| matches!(s, TaskStatus::Pending));
					}
					state.known.insert(id, status);
				},
				None => {
					state.known.remove(&id);
				},
			}
		}
	}

	fn execute(&self, task: &Task, models: &mut ModelCache) -> Result<Outcome, Failure> {
		match task {
			Task::Infer(task) => self.infer(task, models),
			Task::Train(task) => self.train(task),
			Task::Aggregate(task) => self.aggregate(task),
			Task::DescribeData | Task::ReadFile(_) => self.answer(task).map_err(Failure::Permanent),
		}
	}

	/// Answers an immediate task: the training data's description, or a file the executor
	/// keeps.
	fn answer(&self, task: &Task) -> Result<Outcome, String> {
		match task {
			Task::DescribeData => self
				.data_description
				.clone()
				.ok_or_else(|| "this node has no training data (--training-data)".into()),
			Task::ReadFile(hash) => {
				let bytes = fs::read(self.content_path(hash))
					.map_err(|e| format!("file {}: {e}", hex(hash)))?;
				if blake2_256(&bytes) != *hash {
					return Err(format!("file {} is damaged", hex(hash)));
				}
				Ok(Outcome::File(bytes))
			},
			_ => Err("not an immediate task".into()),
		}
	}

	/// Trains the base weights on the node's training data; keeps the result as a file.
	fn train(&self, task: &TrainTask) -> Result<Outcome, Failure> {
		let config = ModelConfig::from_canonical_bytes(&task.config)
			.map_err(permanent("the model configuration"))?;
		let dir = self.training_data.as_deref().ok_or_else(|| {
			Failure::Permanent("this node has no training data (--training-data)".into())
		})?;
		let data = fashion_mnist::load_training_data(dir, config.classes())
			.map_err(permanent("the training data"))?
			.take(task.max_samples as usize);
		let base = self.weights(&task.base, &config)?;
		let spec = TrainSpec {
			model: config,
			optimizer: optimizer(&task.spec.optimizer),
			epochs: task.spec.epochs,
			batch_size: task.spec.batch_size,
			seed: Seed(task.seed),
			mode: Mode::Deterministic,
		};
		let started = Instant::now();
		let mut epoch = u32::MAX;
		let samples = data.len() as u64;
		let result = swarm_ml::train_with_progress(&spec, Some(&base), &data, &mut |p| {
			if p.epoch != epoch {
				epoch = p.epoch;
				log::info!(
					target: LOG_TARGET,
					"training epoch {}/{} on {samples} samples ({:.1} s)",
					p.epoch + 1,
					p.epochs,
					started.elapsed().as_secs_f64()
				);
				if let Some(metrics) = &self.metrics {
					metrics.epoch.set(u64::from(p.epoch) + 1);
				}
			}
			if p.step == p.steps_per_epoch {
				if let Some(metrics) = &self.metrics {
					metrics.samples_trained.inc_by(samples);
				}
			}
		});
		if let Some(metrics) = &self.metrics {
			metrics.epoch.set(0);
		}
		let result = result.map_err(permanent("training"))?;
		self.keep(&result.weights_hash, &result.weights_bytes)?;
		Ok(Outcome::Trained {
			weights: result.weights_hash,
			size: result.weights_bytes.len() as u64,
			samples,
		})
	}

	/// Checks and combines a round's updates, evaluates the base and the result on the
	/// validation set, and keeps the result as a file.
	fn aggregate(&self, task: &AggregateTask) -> Result<Outcome, Failure> {
		let config = ModelConfig::from_canonical_bytes(&task.config)
			.map_err(permanent("the model configuration"))?;
		let base = self.weights(&task.base, &config)?;
		let validation = Dataset::from_labelled_bytes(
			&self.content(&task.validation.hash)?,
			task.validation.samples as usize,
			config.input(),
			config.classes(),
		)
		.map_err(permanent("the validation set"))?;
		let evaluate = |weights: &Weights| -> Result<Evaluation, Failure> {
			let model = Model::new(&config, weights).map_err(permanent("the weights"))?;
			let report = swarm_ml::evaluate(&model, &validation, Mode::Deterministic, 500)
				.map_err(permanent("the evaluation"))?;
			Ok(Evaluation { accuracy: report.accuracy_ppb(), loss: report.mean_loss_micro() })
		};
		let mut verdicts = vec![Verdict::Unused; task.updates.len()];
		let mut updates = Vec::with_capacity(task.updates.len());
		for (update, verdict) in task.updates.iter().zip(&mut verdicts) {
			match Weights::from_safetensors(&self.content(&update.weights)?) {
				Ok(weights) => updates.push(Update {
					client: ClientId(update.client),
					num_examples: update.samples,
					weights,
				}),
				Err(_) => *verdict = Verdict::Invalid(InvalidUpdate::Unreadable),
			}
		}
		let options = AggregateOptions {
			clip_norm: task.rule.clip.map(|clip| clip as f64 / 1e6),
			max_examples: Some(task.rule.max_samples),
		};
		let base_evaluation = evaluate(&base)?;
		let verdict_of = |client: &ClientId| -> Vec<usize> {
			task.updates
				.iter()
				.enumerate()
				.filter(|(_, u)| u.client == client.0)
				.map(|(i, _)| i)
				.collect()
		};
		let result = match swarm_ml::aggregate(&base, &updates, method(&task.rule.method), &options)
		{
			Ok(mut combined) => {
				if let Some(server) = task.rule.server {
					let step = ServerMomentum {
						learning_rate: server.learning_rate as f64 / 1e6,
						momentum: server.momentum as f64 / 1e6,
					};
					let previous =
						task.previous.map(|hash| self.weights(&hash, &config)).transpose()?;
					combined.weights =
						swarm_ml::server_step(&base, previous.as_ref(), &combined.weights, step)
							.map_err(permanent("the server momentum step"))?;
				}
				for client in &combined.accepted {
					let verdict = if combined.selected.contains(client) {
						Verdict::Accepted
					} else {
						Verdict::Outlier
					};
					verdict_of(client).into_iter().for_each(|i| verdicts[i] = verdict);
				}
				for rejection in &combined.rejected {
					let verdict = Verdict::Invalid(invalid(&rejection.reason));
					verdict_of(&rejection.client).into_iter().for_each(|i| verdicts[i] = verdict);
				}
				let bytes = combined.weights.to_safetensors().map_err(permanent("the result"))?;
				let hash = blake2_256(&bytes);
				self.keep(&hash, &bytes)?;
				Some(Aggregated {
					weights: hash,
					size: bytes.len() as u64,
					evaluation: evaluate(&combined.weights)?,
				})
			},
			// Too few valid updates for the rule: no result, and every update says why.
			Err(swarm_ml::Error::NoValidUpdates { .. } | swarm_ml::Error::TooFewUpdates { .. }) => {
				for update in &updates {
					let checked = swarm_ml::aggregate::validate_update(&base, update, &options);
					if let Err(reason) = checked {
						let verdict = Verdict::Invalid(invalid(&reason));
						verdict_of(&update.client).into_iter().for_each(|i| verdicts[i] = verdict);
					}
				}
				None
			},
			Err(e) => return Err(permanent("aggregation")(e)),
		};
		Ok(Outcome::Aggregated { result, base: base_evaluation, verdicts })
	}

	/// Weights by hash, checked against the model.
	fn weights(&self, hash: &[u8; 32], config: &ModelConfig) -> Result<Weights, Failure> {
		let weights = Weights::from_safetensors(&self.content(hash)?)
			.map_err(permanent("the base weights"))?;
		weights.check_fits(config).map_err(permanent("the base weights do not fit the model"))?;
		Ok(weights)
	}

	/// Keeps a file the executor made (trained or aggregated weights) in the content cache, from
	/// where it is uploaded.
	fn keep(&self, hash: &[u8; 32], bytes: &[u8]) -> Result<(), Failure> {
		write_atomically(&self.content_path(hash), bytes)
			.map_err(|e| Failure::Transient(format!("could not keep file {}: {e}", hex(hash))))
	}

	fn infer(&self, task: &InferTask, models: &mut ModelCache) -> Result<Outcome, Failure> {
		let config = ModelConfig::from_canonical_bytes(&task.config)
			.map_err(permanent("the model configuration"))?;
		let model = models.get(&config, &task.weights, || {
			let bytes = self.content(&task.weights)?;
			let weights = Weights::from_safetensors(&bytes).map_err(permanent("the weights"))?;
			Model::new(&config, &weights).map_err(permanent("the weights do not fit the model"))
		})?;
		let (samples, data) = match &task.input {
			TaskInput::Inline { samples, data } => (*samples, data.clone()),
			TaskInput::File { samples, hash } => (*samples, self.content(hash)?),
		};
		let expected = (samples as usize).checked_mul(config.input().len());
		if samples == 0 || expected != Some(data.len()) {
			return Err(Failure::Permanent(format!(
				"the input has {} bytes; {samples} samples of this model take {}",
				data.len(),
				expected.map_or_else(|| "too many".to_string(), |n| n.to_string())
			)));
		}
		let out = swarm_ml::infer(model, &bytes_to_inputs(&data), samples as usize, Mode::Deterministic)
			.map_err(permanent("inference"))?;
		Ok(Outcome::Inference { logits: out.logits_fixed(), labels: out.labels })
	}

	/// A stored file by hash: from the disk cache, or fetched and cached.
	fn content(&self, hash: &[u8; 32]) -> Result<Vec<u8>, Failure> {
		let path = self.content_path(hash);
		if let Ok(bytes) = fs::read(&path) {
			if blake2_256(&bytes) == *hash {
				return Ok(bytes);
			}
			log::warn!(target: LOG_TARGET, "the cached file {} is damaged; fetching it again", hex(hash));
		}
		let bytes = self
			.source
			.fetch(hash)
			.map_err(|e| Failure::Transient(format!("file {}: {e}", hex(hash))))?;
		if blake2_256(&bytes) != *hash {
			return Err(Failure::Transient(format!("file {} does not match its hash", hex(hash))));
		}
		if let Err(e) = write_atomically(&path, &bytes) {
			log::warn!(target: LOG_TARGET, "could not cache file {}: {e}", hex(hash));
		}
		Ok(bytes)
	}

	/// Where a file is cached, or kept once the executor made it: `<dir>/content/<hash>`.
	fn content_path(&self, hash: &[u8; 32]) -> PathBuf {
		self.dir.join("content").join(hex(hash))
	}

	fn outcome_path(&self, id: &TaskId) -> PathBuf {
		self.dir.join("outcomes").join(hex(id))
	}

	fn read_outcome(&self, id: &TaskId) -> Option<TaskStatus> {
		let bytes = fs::read(self.outcome_path(id)).ok()?;
		match TaskStatus::decode(&mut &bytes[..]) {
			Ok(status @ (TaskStatus::Done(_) | TaskStatus::Failed(_))) => Some(status),
			_ => {
				log::warn!(target: LOG_TARGET, "ignoring the damaged outcome of {}", hex(id));
				None
			},
		}
	}

	fn write_outcome(&self, id: &TaskId, status: &TaskStatus) -> io::Result<()> {
		write_atomically(&self.outcome_path(id), &status.encode())
	}
}

/// Turns an engine error into a failure that stays, saying what failed.
fn permanent(what: &'static str) -> impl Fn(swarm_ml::Error) -> Failure {
	move |e| Failure::Permanent(format!("{what}: {e}"))
}

/// The engine's optimizer for the chain's fixed-point one.
fn optimizer(optimizer: &Optimizer) -> OptimizerConfig {
	let real = |millionths: u32| (f64::from(millionths) / 1e6) as f32;
	match *optimizer {
		Optimizer::Sgd { lr, momentum, weight_decay } => OptimizerConfig::Sgd {
			lr: real(lr),
			momentum: real(momentum),
			weight_decay: real(weight_decay),
		},
		Optimizer::AdamW { lr, weight_decay } => match OptimizerConfig::adamw(real(lr)) {
			OptimizerConfig::AdamW { lr, beta1, beta2, eps, .. } => {
				OptimizerConfig::AdamW { lr, beta1, beta2, eps, weight_decay: real(weight_decay) }
			},
			other => other,
		},
	}
}

/// The engine's aggregator for the chain's.
fn method(method: &AggregationMethod) -> Method {
	match *method {
		AggregationMethod::FedAvg => Method::FedAvg,
		AggregationMethod::Median => Method::Median,
		AggregationMethod::TrimmedMean { trim } => Method::TrimmedMean { trim: trim as usize },
		AggregationMethod::Krum { byzantine } => Method::Krum { byzantine: byzantine as usize },
		AggregationMethod::MultiKrum { byzantine, keep } => {
			Method::MultiKrum { byzantine: byzantine as usize, keep: keep as usize }
		},
	}
}

/// The chain's reason for the engine's.
fn invalid(reason: &RejectReason) -> InvalidUpdate {
	match reason {
		RejectReason::DuplicateClient | RejectReason::NoExamples => InvalidUpdate::Claim,
		RejectReason::MissingTensor { .. }
		| RejectReason::UnexpectedTensor { .. }
		| RejectReason::WrongShape { .. } => InvalidUpdate::Layout,
		RejectReason::NonFinite { .. } => InvalidUpdate::NonFinite,
		RejectReason::NormAboveClip { .. } => InvalidUpdate::AboveClip,
	}
}

/// The last model used, kept for the next task on the same weights.
#[derive(Default)]
struct ModelCache {
	last: Option<(ModelConfig, [u8; 32], Model)>,
}

impl ModelCache {
	fn get(
		&mut self,
		config: &ModelConfig,
		weights: &[u8; 32],
		load: impl FnOnce() -> Result<Model, Failure>,
	) -> Result<&Model, Failure> {
		let hit = matches!(&self.last, Some((c, w, _)) if c == config && w == weights);
		if !hit {
			self.last = None;
			self.last = Some((config.clone(), *weights, load()?));
		}
		match &self.last {
			Some((_, _, model)) => Ok(model),
			None => Err(Failure::Permanent("no model".into())),
		}
	}
}

/// Writes `bytes` to `path` through a temporary file and a rename, so that a crash never leaves
/// a half-written file under the final name.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
	let tmp = path.with_extension("tmp");
	let mut file = fs::File::create(&tmp)?;
	file.write_all(bytes)?;
	file.sync_all()?;
	fs::rename(&tmp, path)
}

fn describe(outcome: &Outcome) -> String {
	match outcome {
		Outcome::Inference { labels, logits } => format!(
			"{} labels {:?}, output hash {}",
			labels.len(),
			labels,
			hex(&output_hash(labels, logits))
		),
		Outcome::Trained { weights, size, samples } => {
			format!("trained on {samples} samples: weights {} ({size} bytes)", hex(weights))
		},
		Outcome::Aggregated { result, base, verdicts } => {
			let accepted = verdicts.iter().filter(|v| **v == Verdict::Accepted).count();
			let shown = match result {
				Some(r) => format!(
					"weights {} ({} bytes), accuracy {} ppb (base {} ppb)",
					hex(&r.weights),
					r.size,
					r.evaluation.accuracy,
					base.accuracy
				),
				None => "no result".into(),
			};
			format!("{accepted} of {} updates combined: {shown}", verdicts.len())
		},
		Outcome::Data { shape, classes, samples } => {
			format!("{samples} samples of {shape:?} in {classes} classes")
		},
		Outcome::File(bytes) => format!("{} bytes", bytes.len()),
	}
}

/// The hash nodes commit to for an inference outcome: blake2-256 of the labels (`u32`
/// little-endian) followed by the Q15.16 logits (`i32` little-endian), as `swarm-ml infer` prints
/// and the inference pallet computes.
pub fn output_hash(labels: &[u32], logits: &[i32]) -> [u8; 32] {
	let mut bytes = Vec::with_capacity(4 * (labels.len() + logits.len()));
	labels.iter().for_each(|y| bytes.extend(y.to_le_bytes()));
	logits.iter().for_each(|q| bytes.extend(q.to_le_bytes()));
	blake2_256(&bytes)
}

/// `0x` and lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
	let mut out = String::with_capacity(2 + 2 * bytes.len());
	out.push_str("0x");
	for b in bytes {
		out.push_str(&format!("{b:02x}"));
	}
	out
}

#[cfg(test)]
mod tests;
