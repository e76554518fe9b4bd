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
	register, CounterVec, Gauge, HistogramOpts, HistogramVec, Opts, PrometheusError, Registry, U64,
};
use std::{
	collections::{HashMap, VecDeque},
	fs,
	io::{self, Write},
	path::{Path, PathBuf},
	sync::{Arc, Condvar, Mutex, MutexGuard},
	time::Instant,
};
use swarm_ml::{data::bytes_to_inputs, hash::blake2_256, Mode, Model, ModelConfig, Weights};
pub use swarm_worker_interface::{
	Executor as ExecutorApi, ExecutorExt, InferTask, Outcome, SubmitError, Task, TaskId,
	TaskInput, TaskStatus,
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
}

/// The Prometheus series of the executor.
#[derive(Clone)]
struct Metrics {
	started: CounterVec<U64>,
	finished: CounterVec<U64>,
	failed: CounterVec<U64>,
	seconds: HistogramVec,
	queue: Gauge<U64>,
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
	stop: bool,
}

struct Shared {
	dir: PathBuf,
	source: Arc<dyn ContentSource>,
	state: Mutex<State>,
	wake: Condvar,
	metrics: Option<Metrics>,
	max_queue: usize,
}

/// The most finished outcomes kept in memory; older ones are read back from disk.
const KEPT_IN_MEMORY: usize = 1024;

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
			state: Mutex::new(State { queue: VecDeque::new(), known: HashMap::new(), stop: false }),
			wake: Condvar::new(),
			metrics,
			max_queue: config.max_queue.max(1),
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
		}
	}

	fn infer(&self, task: &InferTask, models: &mut ModelCache) -> Result<Outcome, Failure> {
		fn permanent(what: &'static str) -> impl Fn(swarm_ml::Error) -> Failure {
			move |e| Failure::Permanent(format!("{what}: {e}"))
		}
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
		let path = self.dir.join("content").join(hex(hash));
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
