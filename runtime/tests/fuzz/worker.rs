//! The node's side of the pallets' offchain workers, as the fuzzer runs them: a keystore for the
//! worker keys of the nodes it registers, a transaction pool that the next block takes its
//! transactions from, and a stand-in for the ML executor that answers at once: mostly the same
//! answer to the same task, now and then another one, a malformed one, a failure or none, so
//! that quorums fail, nodes are slashed and disputes open.

use super::gen::Rng;
use codec::{Decode, Encode};
use parking_lot::{Mutex, RwLock};
use polkadot_sdk::{
	sp_core::offchain::{
		testing::{OffchainState, PoolState, TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
	},
	sp_core::{crypto::KeyTypeId, ecdsa, ed25519, sr25519},
	sp_io::{hashing::blake2_256, TestExternalities},
	sp_keystore::{testing::MemoryKeystore, Error as KeystoreError, Keystore, KeystoreExt},
};
use std::{collections::HashMap, sync::Arc};
use swarm_runtime::UncheckedExtrinsic;
use swarm_worker_interface::{
	Aggregated, Evaluation, Executor, ExecutorExt, InvalidUpdate, Outcome, SubmitError, Task,
	TaskId, TaskInput, TaskStatus, Verdict,
};

/// The offchain side of a node whose keystore holds the worker keys the fuzzer registers.
pub struct Node {
	pool: Arc<RwLock<PoolState>>,
	offchain: Arc<RwLock<OffchainState>>,
}

impl Node {
	/// Registers the keystore, offchain database, pool and executor with `ext`.
	pub fn install(ext: &mut TestExternalities, seed: u64) -> Self {
		let (offchain, offchain_state) = TestOffchainExt::new();
		ext.register_extension(OffchainDbExt::new(offchain.clone()));
		ext.register_extension(OffchainWorkerExt::new(offchain));
		let (pool, pool_state) = TestTransactionPoolExt::new();
		ext.register_extension(TransactionPoolExt::new(pool));
		ext.register_extension(KeystoreExt::new(OrderedKeystore(MemoryKeystore::new())));
		let executor = FakeExecutor {
			rng: Mutex::new(Rng::new(seed ^ 0x0ff_c4a1)),
			tasks: Mutex::new(HashMap::new()),
			files: Mutex::new(HashMap::new()),
		};
		ext.register_extension(ExecutorExt(Arc::new(executor)));
		Self { pool: pool_state, offchain: offchain_state }
	}

	/// Sets the offchain clock (milliseconds) and the randomness the workers draw salts from.
	pub fn set_time(&self, millis: u64, seed: [u8; 32]) {
		let mut state = self.offchain.write();
		state.timestamp = polkadot_sdk::sp_core::offchain::Timestamp::from_unix_millis(millis);
		state.seed = seed;
	}

	/// Takes the transactions the offchain workers sent.
	pub fn take_transactions(&self) -> Vec<UncheckedExtrinsic> {
		std::mem::take(&mut self.pool.write().transactions)
			.iter()
			.map(|bytes| UncheckedExtrinsic::decode(&mut &bytes[..]).expect("the runtime made it"))
			.collect()
	}
}

/// The in-memory keystore with its keys listed in a fixed order: `MemoryKeystore` lists them in
/// hash-map order, which differs from one process to the next, and the workers, which take the
/// keys in the order listed, would make another run of the same seed.
struct OrderedKeystore(MemoryKeystore);

impl Keystore for OrderedKeystore {
	fn sr25519_public_keys(&self, key_type: KeyTypeId) -> Vec<sr25519::Public> {
		let mut keys = self.0.sr25519_public_keys(key_type);
		keys.sort();
		keys
	}

	fn sr25519_generate_new(
		&self,
		key_type: KeyTypeId,
		seed: Option<&str>,
	) -> Result<sr25519::Public, KeystoreError> {
		self.0.sr25519_generate_new(key_type, seed)
	}

	fn sr25519_sign(
		&self,
		key_type: KeyTypeId,
		public: &sr25519::Public,
		msg: &[u8],
	) -> Result<Option<sr25519::Signature>, KeystoreError> {
		self.0.sr25519_sign(key_type, public, msg)
	}

	fn sr25519_vrf_sign(
		&self,
		key_type: KeyTypeId,
		public: &sr25519::Public,
		data: &sr25519::vrf::VrfSignData,
	) -> Result<Option<sr25519::vrf::VrfSignature>, KeystoreError> {
		self.0.sr25519_vrf_sign(key_type, public, data)
	}

	fn sr25519_vrf_pre_output(
		&self,
		key_type: KeyTypeId,
		public: &sr25519::Public,
		input: &sr25519::vrf::VrfInput,
	) -> Result<Option<sr25519::vrf::VrfPreOutput>, KeystoreError> {
		self.0.sr25519_vrf_pre_output(key_type, public, input)
	}

	fn ed25519_public_keys(&self, key_type: KeyTypeId) -> Vec<ed25519::Public> {
		let mut keys = self.0.ed25519_public_keys(key_type);
		keys.sort();
		keys
	}

	fn ed25519_generate_new(
		&self,
		key_type: KeyTypeId,
		seed: Option<&str>,
	) -> Result<ed25519::Public, KeystoreError> {
		self.0.ed25519_generate_new(key_type, seed)
	}

	fn ed25519_sign(
		&self,
		key_type: KeyTypeId,
		public: &ed25519::Public,
		msg: &[u8],
	) -> Result<Option<ed25519::Signature>, KeystoreError> {
		self.0.ed25519_sign(key_type, public, msg)
	}

	fn ecdsa_public_keys(&self, key_type: KeyTypeId) -> Vec<ecdsa::Public> {
		let mut keys = self.0.ecdsa_public_keys(key_type);
		keys.sort();
		keys
	}

	fn ecdsa_generate_new(
		&self,
		key_type: KeyTypeId,
		seed: Option<&str>,
	) -> Result<ecdsa::Public, KeystoreError> {
		self.0.ecdsa_generate_new(key_type, seed)
	}

	fn ecdsa_sign(
		&self,
		key_type: KeyTypeId,
		public: &ecdsa::Public,
		msg: &[u8],
	) -> Result<Option<ecdsa::Signature>, KeystoreError> {
		self.0.ecdsa_sign(key_type, public, msg)
	}

	fn ecdsa_sign_prehashed(
		&self,
		key_type: KeyTypeId,
		public: &ecdsa::Public,
		msg: &[u8; 32],
	) -> Result<Option<ecdsa::Signature>, KeystoreError> {
		self.0.ecdsa_sign_prehashed(key_type, public, msg)
	}

	fn insert(&self, key_type: KeyTypeId, suri: &str, public: &[u8]) -> Result<(), ()> {
		self.0.insert(key_type, suri, public)
	}

	fn keys(&self, key_type: KeyTypeId) -> Result<Vec<Vec<u8>>, KeystoreError> {
		let mut keys = self.0.keys(key_type)?;
		keys.sort();
		Ok(keys)
	}

	fn has_keys(&self, public_keys: &[(Vec<u8>, KeyTypeId)]) -> bool {
		self.0.has_keys(public_keys)
	}
}

/// The number of samples, and of classes, that the fuzzer's models and nodes' data have.
pub const CLASSES: u32 = 3;

/// Answers tasks at once, from a seeded random source.
struct FakeExecutor {
	rng: Mutex<Rng>,
	tasks: Mutex<HashMap<TaskId, Task>>,
	/// The files it made (trained and aggregated weights), by hash.
	files: Mutex<HashMap<[u8; 32], Vec<u8>>>,
}

impl FakeExecutor {
	/// A file made from `seed`, kept to be read back.
	fn make_file(&self, seed: &[u8], len: usize) -> ([u8; 32], u64) {
		let bytes: Vec<u8> = blake2_256(seed).iter().copied().cycle().take(len).collect();
		let hash = blake2_256(&bytes);
		self.files.lock().insert(hash, bytes);
		(hash, len as u64)
	}

	fn answer(&self, task: &Task, rng: &mut Rng) -> TaskStatus {
		// A lie: another answer than the honest nodes give.
		let lie = rng.chance(8);
		let outcome = match task {
			Task::Infer(infer) => {
				let samples = match infer.input {
					TaskInput::Inline { samples, .. } | TaskInput::File { samples, .. } => samples,
				};
				let malformed = rng.chance(2);
				let labels = vec![0; (samples + u32::from(malformed)) as usize];
				let mut logits = vec![7i32; (samples * CLASSES) as usize];
				if lie {
					logits.iter_mut().for_each(|l| *l = rng.next() as i32);
				}
				Outcome::Inference { labels, logits }
			},
			Task::DescribeData => Outcome::Data { shape: (1, 2, 2), classes: CLASSES, samples: 40 },
			Task::Train(train) => {
				let (weights, size) = self.make_file(&(train, lie).encode(), file_len(rng));
				Outcome::Trained { weights, size, samples: 40 }
			},
			Task::Aggregate(aggregate) => {
				let (weights, size) = self.make_file(&(aggregate, lie).encode(), file_len(rng));
				let verdicts = aggregate
					.updates
					.iter()
					.map(|_| match rng.below(20) {
						0 => Verdict::Outlier,
						1 => Verdict::Invalid(InvalidUpdate::NonFinite),
						_ => Verdict::Accepted,
					})
					.collect();
				let result = (!rng.chance(5)).then_some(Aggregated {
					weights,
					size,
					evaluation: Evaluation { accuracy: 900_000_000, loss: 1 },
				});
				let base = Evaluation { accuracy: 800_000_000, loss: 2 };
				Outcome::Aggregated { result, base, verdicts }
			},
			Task::ReadFile(hash) => match self.files.lock().get(hash) {
				Some(bytes) => Outcome::File(bytes.clone()),
				None => return TaskStatus::Failed("no such file".into()),
			},
		};
		TaskStatus::Done(outcome)
	}
}

/// The length of a trained or aggregated file: mostly no longer than the fuzzer's smallest base
/// weights (64 bytes), as the engine's are the base's size; now and then longer, which the pallet
/// refuses.
fn file_len(rng: &mut Rng) -> usize {
	if rng.chance(2) {
		1_000
	} else {
		64
	}
}

impl Executor for FakeExecutor {
	fn submit(&self, task: &[u8]) -> Result<TaskId, SubmitError> {
		let task = Task::decode(&mut &task[..]).map_err(|_| SubmitError::Malformed)?;
		let id = task.id();
		self.tasks.lock().insert(id, task);
		Ok(id)
	}

	fn poll(&self, id: &TaskId) -> TaskStatus {
		let Some(task) = self.tasks.lock().get(id).cloned() else { return TaskStatus::Unknown };
		let mut rng = self.rng.lock();
		if task.is_immediate() {
			return self.answer(&task, &mut rng);
		}
		match rng.below(100) {
			0..=2 => TaskStatus::Pending,
			3 => TaskStatus::Failed("out of memory".into()),
			_ => self.answer(&task, &mut rng),
		}
	}
}
