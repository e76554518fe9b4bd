//! Tests of the offchain worker: it runs seated jobs through the executor (a stand-in here),
//! commits once, reveals what it committed to, resends what is lost, and sends nothing without
//! an outcome.

use crate::{mock::*, offchain::*, *};
use codec::Decode;
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		pallet_prelude::TransactionSource,
		traits::{Authorize, Hooks},
	},
	frame_system::RawOrigin,
	sp_core::offchain::{testing, OffchainDbExt, OffchainWorkerExt, TransactionPoolExt},
	sp_runtime::{
		traits::{BlakeTwo256, Dispatchable},
		RuntimeAppPublic,
	},
};
use std::sync::{Arc, Mutex};
use swarm_primitives::commit_reveal::Vote;
use swarm_worker_interface::{
	Executor, ExecutorExt, InferTask, Outcome as TaskOutcome, SubmitError, Task, TaskId, TaskInput,
	TaskStatus,
};

/// An executor that answers every task at once with `answer` (labels 0 and the scores given).
struct FakeExecutor {
	answer: Mutex<Option<TaskStatus>>,
	submitted: Mutex<Vec<Task>>,
}

impl FakeExecutor {
	fn new(answer: Option<TaskStatus>) -> Arc<Self> {
		Arc::new(Self { answer: Mutex::new(answer), submitted: Mutex::new(vec![]) })
	}
	fn set(&self, answer: Option<TaskStatus>) {
		*self.answer.lock().unwrap() = answer;
	}
}

impl Executor for FakeExecutor {
	fn submit(&self, task: &[u8]) -> Result<TaskId, SubmitError> {
		let task = Task::decode(&mut &task[..]).map_err(|_| SubmitError::Malformed)?;
		let id = task.id();
		self.submitted.lock().unwrap().push(task);
		Ok(id)
	}
	fn poll(&self, _id: &TaskId) -> TaskStatus {
		self.answer.lock().unwrap().clone().unwrap_or(TaskStatus::Pending)
	}
}

/// One sample's outcome whose first score is `score` (as the tests' `output(score)`).
fn done(score: i32) -> Option<TaskStatus> {
	Some(TaskStatus::Done(TaskOutcome::Inference { labels: vec![0], logits: vec![score, -1, -2] }))
}

type PoolState = Arc<parking_lot::RwLock<testing::PoolState>>;

/// The test environment plus an offchain database, a pool and (unless `None`) `executor`.
fn offchain_ext(executor: Option<Arc<FakeExecutor>>) -> (polkadot_sdk::sp_io::TestExternalities, PoolState) {
	let mut ext = new_test_ext();
	let (offchain, _) = testing::TestOffchainExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	ext.register_extension(TransactionPoolExt::new(pool));
	if let Some(executor) = executor {
		ext.register_extension(ExecutorExt(executor));
	}
	(ext, pool_state)
}

/// Takes the pool's transactions: their calls, in order.
fn drain(pool: &PoolState) -> Vec<Call<Test>> {
	let txs = std::mem::take(&mut pool.write().transactions);
	txs.iter()
		.map(|bytes| match Extrinsic::decode(&mut &bytes[..]).unwrap().function {
			RuntimeCall::Inference(call) => call,
			other => panic!("not an inference call: {other:?}"),
		})
		.collect()
}

/// Checks `call` as the pool would, then dispatches it as the block would.
fn include(call: Call<Test>) {
	assert_ok!(call.authorize(TransactionSource::Local).unwrap());
	assert_ok!(RuntimeCall::Inference(call).dispatch(RawOrigin::Authorized.into()));
}

fn request_one() -> JobId {
	let job = NextJobId::<Test>::get();
	let input = JobInput::Inline { samples: 1, data: vec![7u8; 4].try_into().unwrap() };
	assert_ok!(Inference::request(RuntimeOrigin::signed(ALICE), 1, input, Some(3), 1_000));
	job
}

#[test]
fn the_worker_commits_then_reveals_and_the_job_settles() {
	let executor = FakeExecutor::new(done(5));
	let (mut ext, pool) = offchain_ext(Some(executor.clone()));
	ext.execute_with(|| {
		let job = request_one();
		// Every seat's key is in this node's keystore: it works for all three.
		Inference::offchain_worker(1);
		let commits = drain(&pool);
		assert_eq!(commits.len(), 3);
		assert!(commits.iter().all(|c| matches!(c, Call::commit { job: j, .. } if *j == job)));
		commits.into_iter().for_each(include);
		assert!(matches!(Jobs::<Test>::get(job).unwrap().phase, Phase::Reveal { .. }));

		// The task is the version's configuration and weights, and the request's samples.
		let expected = Task::Infer(InferTask {
			config: mlp_config(),
			weights: weights_hash(1).0,
			input: TaskInput::Inline { samples: 1, data: vec![7; 4] },
		});
		assert!(executor.submitted.lock().unwrap().iter().all(|t| *t == expected));

		run_to_block(2);
		Inference::offchain_worker(2);
		let reveals = drain(&pool);
		assert_eq!(reveals.len(), 3);
		reveals.into_iter().for_each(include);
		let record = Jobs::<Test>::get(job).unwrap();
		let (Phase::Settled { result, .. } | Phase::Paid { result }) = record.phase else {
			panic!("not settled: {:?}", record.phase);
		};
		let output = Outputs::<Test>::get(job, result).unwrap();
		assert_eq!(output.logits.into_inner(), vec![5, -1, -2]);

		// Nothing is left to send, and nothing is kept.
		run_to_block(3);
		Inference::offchain_worker(3);
		assert!(drain(&pool).is_empty());
		for node in record.ballot.nodes() {
			let key = local_key(job, node);
			let stored = polkadot_sdk::sp_runtime::offchain::storage::StorageValueRef::persistent(&key);
			assert_eq!(stored.get::<LocalWork<u64>>().unwrap(), None);
		}
	});
	ext.execute_with(|| Inference::do_try_state().unwrap());
}

#[test]
fn a_node_commits_to_one_result_ever_and_resends_what_is_lost() {
	let executor = FakeExecutor::new(done(5));
	let (mut ext, pool) = offchain_ext(Some(executor.clone()));
	ext.execute_with(|| {
		let job = request_one();
		Inference::offchain_worker(1);
		let first = drain(&pool);
		assert_eq!(first.len(), 3);

		// The commits are lost. The executor now says something else (as a restarted node with
		// a lost outcome might): the worker neither recomputes nor sends a new commitment, and
		// sends nothing again before `RESEND_AFTER` blocks.
		executor.set(done(6));
		Inference::offchain_worker(1);
		assert!(drain(&pool).is_empty());
		run_to_block(1 + RESEND_AFTER as u64);
		Inference::offchain_worker(1 + RESEND_AFTER as u64);
		let again = drain(&pool);
		// The same commitments (sr25519 signatures differ each time).
		let commitments = |calls: &[Call<Test>]| -> Vec<(NodeId, H256)> {
			calls
				.iter()
				.map(|c| match c {
					Call::commit { node, commitment, .. } => (*node, *commitment),
					_ => panic!("not a commit"),
				})
				.collect()
		};
		assert_eq!(commitments(&again), commitments(&first));
		again.into_iter().for_each(include);

		// The reveals carry the first result, and are resent once when lost.
		run_to_block(2 + RESEND_AFTER as u64);
		Inference::offchain_worker(2 + RESEND_AFTER as u64);
		let reveals = drain(&pool);
		assert_eq!(reveals.len(), 3);
		for reveal in &reveals {
			let Call::reveal { output, .. } = reveal else { panic!("not a reveal") };
			assert_eq!(output.logits.to_vec(), vec![5, -1, -2]);
		}
		Inference::offchain_worker(2 + RESEND_AFTER as u64);
		assert!(drain(&pool).is_empty());
		reveals.into_iter().for_each(include);
		assert!(Jobs::<Test>::get(job).unwrap().phase.is_closed());
	});
}

#[test]
fn without_an_outcome_the_worker_sends_nothing() {
	// No executor on this node.
	let (mut ext, pool) = offchain_ext(None);
	ext.execute_with(|| {
		request_one();
		Inference::offchain_worker(1);
		assert!(drain(&pool).is_empty());
	});

	// The task fails, or is still running.
	let executor = FakeExecutor::new(Some(TaskStatus::Failed("no weights".into())));
	let (mut ext, pool) = offchain_ext(Some(executor.clone()));
	ext.execute_with(|| {
		let job = request_one();
		Inference::offchain_worker(1);
		assert!(drain(&pool).is_empty());
		executor.set(None);
		Inference::offchain_worker(1);
		assert!(drain(&pool).is_empty());
		// An output that does not fit the job (two labels for one sample) is not committed.
		executor.set(Some(TaskStatus::Done(TaskOutcome::Inference {
			labels: vec![0, 1],
			logits: vec![0; 6],
		})));
		Inference::offchain_worker(1);
		assert!(drain(&pool).is_empty());
		// Once it is done, the commits go out.
		executor.set(done(1));
		Inference::offchain_worker(1);
		assert_eq!(drain(&pool).len(), 3);
		assert!(Jobs::<Test>::get(job).unwrap().ballot.seats().iter().all(|s| s.vote == Vote::Pending));
	});
}

#[test]
fn the_worker_works_only_for_its_own_nodes() {
	let executor = FakeExecutor::new(done(5));
	let (mut ext, pool) = offchain_ext(Some(executor));
	ext.execute_with(|| {
		// Nodes 0 to 4 use keys 0 to 4; give every node the stranger's key but node 1's.
		MockNodes::mutate(|nodes| {
			for (i, n) in nodes.iter_mut().enumerate() {
				n.key = if i == 1 { 1 } else { 5 };
			}
		});
		// Only node 1's key is known to the registry now, and the stranger's key maps to node 0.
		let job = request_one();
		let seated: Vec<_> = Jobs::<Test>::get(job).unwrap().ballot.nodes().collect();
		Inference::offchain_worker(1);
		let mut sent: Vec<NodeId> = drain(&pool)
			.into_iter()
			.map(|c| match c {
				Call::commit { node, .. } => node,
				_ => panic!("not a commit"),
			})
			.collect();
		sent.sort();
		let mut mine: Vec<NodeId> = seated.into_iter().filter(|n| *n <= 1).collect();
		mine.sort();
		assert_eq!(sent, mine);
	});
}

#[test]
fn the_worker_re_executes_a_disputed_job_as_a_committee_seat() {
	let executor = FakeExecutor::new(done(-9));
	let (mut ext, pool) = offchain_ext(Some(executor.clone()));
	ext.execute_with(|| {
		assert_ok!(Inference::set_timing(
			RawOrigin::Root.into(),
			Timing { challenge_window: 10, ..short_timing() }
		));
		let job = request_one();
		// The job's seats all run an executor that gets -9: settled on it.
		Inference::offchain_worker(1);
		drain(&pool).into_iter().for_each(include);
		run_to_block(2);
		Inference::offchain_worker(2);
		drain(&pool).into_iter().for_each(include);
		let wrong = Outputs::<Test>::iter_prefix(job).next().unwrap().0;
		assert!(matches!(Jobs::<Test>::get(job).unwrap().phase, Phase::Settled { result, .. } if result == wrong));

		// Challenged; the fresh nodes 5 to 7 form the committee, and their executor gets 5.
		MockNodes::mutate(|nodes| nodes[5..].iter_mut().for_each(|n| n.eligible = true));
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		Balances::set_balance(&4, 1_000);
		Balances::set_balance(&POT, 1_000);
		assert_ok!(Inference::challenge(RuntimeOrigin::signed(4), job, None));
		executor.set(done(5));
		run_to_block(3);
		Inference::offchain_worker(3);
		let commits = drain(&pool);
		let committee: Vec<NodeId> =
			Jobs::<Test>::get(job).unwrap().dispute.unwrap().ballot.nodes().collect();
		assert_eq!(commits.len(), 3);
		assert!(commits
			.iter()
			.all(|c| matches!(c, Call::commit { node, .. } if committee.contains(node))));
		commits.into_iter().for_each(include);
		run_to_block(4);
		Inference::offchain_worker(4);
		let reveals = drain(&pool);
		assert_eq!(reveals.len(), 3);
		reveals.into_iter().for_each(include);
		let record = Jobs::<Test>::get(job).unwrap();
		let Phase::Paid { result } = record.phase else { panic!("not paid: {:?}", record.phase) };
		assert_ne!(result, wrong);
		assert_eq!(Outputs::<Test>::get(job, result).unwrap().logits.into_inner(), vec![5, -1, -2]);
		assert!(matches!(
			record.dispute.unwrap().stage,
			DisputeStage::Resolved { verdict: Verdict::Overturned { .. }, .. }
		));
		Inference::do_try_state().unwrap();
	});
}

#[test]
fn an_outvoted_worker_challenges_when_its_owner_opted_in() {
	let executor = FakeExecutor::new(done(5));
	let (mut ext, pool) = offchain_ext(Some(executor));
	ext.execute_with(|| {
		assert_ok!(Inference::set_timing(
			RawOrigin::Root.into(),
			Timing { challenge_window: 10, ..short_timing() }
		));
		let job = request_one();
		let seats: Vec<NodeId> = Jobs::<Test>::get(job).unwrap().ballot.nodes().collect();
		let honest = seats[2];
		// This node's worker works for the third seat; the first two are a colluding client's.
		let wrong = InferenceOutput::<Test> {
			labels: vec![0].try_into().unwrap(),
			logits: vec![-9, -1, -2].try_into().unwrap(),
		};
		Inference::offchain_worker(1);
		let commits: Vec<Call<Test>> = drain(&pool)
			.into_iter()
			.filter(|c| matches!(c, Call::commit { node, .. } if *node == honest))
			.collect();
		commits.into_iter().for_each(include);
		let salt = [9u8; 32];
		for n in &seats[..2] {
			let key = MockNodes::get()[*n as usize].key;
			let c = swarm_primitives::commit_reveal::commitment::<BlakeTwo256>(&job, *n, &wrong.hash(), &salt);
			let signature = worker_key(key).sign(&commit_payload(&System::block_hash(0), job, *n, &c)).unwrap();
			include(Call::commit { job, node: *n, commitment: c, signature });
		}
		for n in &seats[..2] {
			let key = MockNodes::get()[*n as usize].key;
			let signature = worker_key(key)
				.sign(&reveal_payload(&System::block_hash(0), job, *n, &wrong.hash(), &salt))
				.unwrap();
			include(Call::reveal { job, node: *n, output: wrong.clone(), salt, signature });
		}
		run_to_block(2);
		Inference::offchain_worker(2);
		let reveals: Vec<Call<Test>> = drain(&pool)
			.into_iter()
			.filter(|c| matches!(c, Call::reveal { node, .. } if *node == honest))
			.collect();
		reveals.into_iter().for_each(include);
		assert!(matches!(Jobs::<Test>::get(job).unwrap().phase, Phase::Settled { result, .. } if result == wrong.hash()));

		// Not opted in: the worker sends nothing.
		run_to_block(3);
		Inference::offchain_worker(3);
		assert!(drain(&pool).is_empty());

		// Opted in: it challenges for its owner, who places the bond.
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		Balances::set_balance(&(100 + honest), 1_000);
		MockNodes::mutate(|nodes| nodes[5..].iter_mut().for_each(|n| n.eligible = true));
		assert_ok!(Inference::set_auto_challenge(RuntimeOrigin::signed(100 + honest), honest, true));
		Inference::offchain_worker(3);
		let sent = drain(&pool);
		assert_eq!(sent.len(), 1);
		assert!(matches!(sent[0], Call::challenge_for_owner { job: j, node, .. } if j == job && node == honest));
		sent.into_iter().for_each(include);
		let dispute = Jobs::<Test>::get(job).unwrap().dispute.unwrap();
		assert_eq!(dispute.challenger, 100 + honest);
		// Disputed: nothing more to send.
		Inference::offchain_worker(3);
		assert!(drain(&pool).iter().all(|c| !matches!(c, Call::challenge_for_owner { .. })));
	});
}
