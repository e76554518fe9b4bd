//! Tests of the offchain worker: it joins rounds its data fits, trains, commits once, reveals its
//! update with the file, aggregates as a committee member, reveals, stores the agreed weights,
//! challenges for its owner when outvoted and opted in, and sends nothing it should not (data
//! that does not fit, a second commitment).

use crate::{mock::*, *};
use codec::Decode;
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		pallet_prelude::TransactionSource,
		traits::{Authorize, Hooks},
	},
	frame_system::RawOrigin,
	sp_core::offchain::{testing, OffchainDbExt, OffchainWorkerExt, TransactionPoolExt},
	sp_runtime::traits::Dispatchable,
};
use std::sync::{Arc, Mutex};
use swarm_worker_interface::{
	Aggregated, Executor, ExecutorExt, Outcome as TaskOutcome, SubmitError, Task, TaskId,
	TaskStatus,
};

/// An executor that answers every task at once: the node's data has `shape`; training gives
/// [`trained`]; aggregation accepts every update and gives [`aggregated`]; files it made are read
/// back.
struct FakeExecutor {
	shape: (u32, u32, u32),
	tasks: Mutex<Vec<Task>>,
}

fn trained() -> Vec<u8> {
	vec![3; 120]
}

fn aggregated() -> Vec<u8> {
	vec![9; 200]
}

fn hash(bytes: &[u8]) -> [u8; 32] {
	polkadot_sdk::sp_io::hashing::blake2_256(bytes)
}

impl Executor for FakeExecutor {
	fn submit(&self, task: &[u8]) -> Result<TaskId, SubmitError> {
		let task = Task::decode(&mut &task[..]).map_err(|_| SubmitError::Malformed)?;
		let id = task.id();
		self.tasks.lock().unwrap().push(task);
		Ok(id)
	}
	fn poll(&self, id: &TaskId) -> TaskStatus {
		let tasks = self.tasks.lock().unwrap();
		let Some(task) = tasks.iter().find(|t| t.id() == *id) else { return TaskStatus::Unknown };
		let outcome = match task {
			Task::DescribeData => TaskOutcome::Data { shape: self.shape, classes: 3, samples: 40 },
			Task::Train(_) => TaskOutcome::Trained { weights: hash(&trained()), size: 120, samples: 40 },
			Task::Aggregate(t) => TaskOutcome::Aggregated {
				result: Some(Aggregated {
					weights: hash(&aggregated()),
					size: 200,
					evaluation: Evaluation { accuracy: 900_000_000, loss: 1 },
				}),
				base: Evaluation { accuracy: 800_000_000, loss: 2 },
				verdicts: vec![Verdict::Accepted; t.updates.len()],
			},
			Task::ReadFile(h) if *h == hash(&trained()) => TaskOutcome::File(trained()),
			Task::ReadFile(h) if *h == hash(&aggregated()) => TaskOutcome::File(aggregated()),
			_ => return TaskStatus::Failed("unknown".into()),
		};
		TaskStatus::Done(outcome)
	}
}

type PoolState = Arc<parking_lot::RwLock<testing::PoolState>>;

/// The test environment plus an offchain database, a pool and an executor whose data has
/// `shape`.
fn offchain_ext(
	shape: (u32, u32, u32),
) -> (polkadot_sdk::sp_io::TestExternalities, PoolState, Arc<FakeExecutor>) {
	let mut ext = new_test_ext();
	let (offchain, _) = testing::TestOffchainExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	ext.register_extension(TransactionPoolExt::new(pool));
	let executor = Arc::new(FakeExecutor { shape, tasks: Mutex::new(vec![]) });
	ext.register_extension(ExecutorExt(executor.clone()));
	(ext, pool_state, executor)
}

/// Takes the pool's transactions: their calls, in order.
fn drain(pool: &PoolState) -> Vec<Call<Test>> {
	let txs = std::mem::take(&mut pool.write().transactions);
	txs.iter()
		.map(|bytes| match Extrinsic::decode(&mut &bytes[..]).unwrap().function {
			RuntimeCall::Training(call) => call,
			other => panic!("not a training call: {other:?}"),
		})
		.collect()
}

/// Includes every call the pool would take, as the block would; returns how many.
fn include(calls: Vec<Call<Test>>) -> usize {
	let mut included = 0;
	for call in calls {
		if call.authorize(TransactionSource::Local).is_some_and(|r| r.is_ok()) {
			assert_ok!(RuntimeCall::Training(call).dispatch(RawOrigin::Authorized.into()));
			included += 1;
		}
	}
	included
}

fn phase(round: RoundId) -> Phase<u64> {
	Rounds::<Test>::get(round).unwrap().phase
}

fn open() -> RoundId {
	let spec = RoundSpec {
		base: 1,
		training: TrainingSpec {
			epochs: 1,
			batch_size: 8,
			optimizer: Optimizer::Sgd { lr: 50_000, momentum: 0, weight_decay: 0 },
		},
		rule: AggregationRule {
			method: AggregationMethod::FedAvg,
			clip: None,
			max_samples: 1_000,
			server: None,
		},
		min_participants: 2,
		max_participants: 3,
		committee: 3,
		budget: 600,
		validation: LabelledFile { hash: validation_hash().0, samples: 10 },
		tolerance: Perbill::zero(),
		rounds: 1,
	};
	assert_ok!(Training::open_round(RuntimeOrigin::signed(OWNER), spec));
	NextRoundId::<Test>::get() - 1
}

#[test]
fn the_worker_takes_a_round_from_joining_to_publication() {
	let (mut ext, pool, executor) = offchain_ext((1, 2, 2));
	ext.execute_with(|| {
		let round = open();
		// Every node's key is in this node's keystore: six join, three are taken.
		Training::offchain_worker(1);
		let joins = drain(&pool);
		assert_eq!(joins.len(), 6);
		assert!(joins.iter().all(|c| matches!(c, Call::join { samples: 40, .. })));
		assert_eq!(include(joins), 3);
		assert!(matches!(phase(round), Phase::Train { .. }));

		// Training: each participant trains from the base with its own seed, and commits.
		Training::offchain_worker(1);
		let commits = drain(&pool);
		assert_eq!(commits.len(), 3);
		let record = Rounds::<Test>::get(round).unwrap();
		let seeds: Vec<[u8; 32]> = executor
			.tasks
			.lock()
			.unwrap()
			.iter()
			.filter_map(|t| match t {
				Task::Train(t) => Some(t.seed),
				_ => None,
			})
			.collect();
		let expected: Vec<[u8; 32]> =
			record.participants.iter().map(|p| participant_seed(&record.seed, p.node)).collect();
		assert_eq!(seeds, expected);
		// Run again before inclusion: nothing new (the commitments are recorded, and not due
		// for a resend).
		Training::offchain_worker(1);
		assert!(drain(&pool).is_empty());
		assert_eq!(include(commits), 3);
		assert!(matches!(phase(round), Phase::Upload { .. }));

		// Upload: each reveals, carrying the trained file.
		Training::offchain_worker(1);
		let reveals = drain(&pool);
		assert!(reveals.iter().all(|c| matches!(c, Call::reveal_update { update, .. } if *update == trained())));
		assert_eq!(include(reveals), 3);
		assert!(matches!(phase(round), Phase::Commit { .. }));

		// The committee (nodes 5, 4, 3) aggregates every update and commits, then reveals. (As
		// if a campaign's later round: the previous base goes to the server momentum.)
		Rounds::<Test>::mutate(round, |r| {
			r.as_mut().unwrap().previous_weights = Some(H256([7; 32]));
		});
		Training::offchain_worker(1);
		let commits = drain(&pool);
		assert_eq!(commits.len(), 3);
		let aggregations: Vec<_> = executor
			.tasks
			.lock()
			.unwrap()
			.iter()
			.filter_map(|t| match t {
				Task::Aggregate(t) => Some((t.base, t.previous, t.updates.len(), t.rule)),
				_ => None,
			})
			.collect();
		// One task per member, all the same.
		let expected = (record.base_weights.0, Some([7; 32]), 3, record.spec.rule);
		assert_eq!(aggregations, vec![expected; 3]);
		assert!(commits.iter().all(|c| matches!(c, Call::commit_result { .. })));
		assert_eq!(include(commits), 3);
		Training::offchain_worker(1);
		assert_eq!(include(drain(&pool)), 3);
		assert!(matches!(phase(round), Phase::Publish { .. }));

		// An agreeing member stores the weights: the version is published and everyone paid.
		Training::offchain_worker(1);
		let stores = drain(&pool);
		assert!(stores.iter().all(|c| matches!(c, Call::upload_result { weights, .. } if *weights == aggregated())));
		assert_eq!(include(stores), 1, "the first publishes; the others come too late");
		assert!(matches!(phase(round), Phase::Paid { end: End::Published { .. }, .. }));
		assert_eq!(PublishedVersions::get().len(), 1);

		// Closed: the worker clears what it kept, and sends nothing.
		Training::offchain_worker(2);
		assert!(drain(&pool).is_empty());
	});
}

#[test]
fn a_worker_whose_data_does_not_fit_the_model_does_not_join() {
	let (mut ext, pool, _) = offchain_ext((1, 3, 3));
	ext.execute_with(|| {
		open();
		Training::offchain_worker(1);
		assert!(drain(&pool).is_empty());
	});
}

#[test]
fn a_lost_join_is_sent_again_two_blocks_later() {
	let (mut ext, pool, _) = offchain_ext((1, 2, 2));
	ext.execute_with(|| {
		let round = open();
		Training::offchain_worker(1);
		assert_eq!(drain(&pool).len(), 6, "lost: never included");
		run_to_block(2);
		Training::offchain_worker(2);
		assert!(drain(&pool).is_empty(), "not yet due");
		// The join window of 2 blocks has not ended at block 3 (it ends with block 3).
		run_to_block(3);
		Training::offchain_worker(3);
		assert_eq!(drain(&pool).len(), 6);
		assert!(matches!(phase(round), Phase::Join { .. }));
	});
}

#[test]
fn an_outvoted_member_challenges_for_its_owner_when_it_opted_in() {
	use swarm_primitives::commit_reveal::{self, commitment, Ballot};
	let (mut ext, pool, _) = offchain_ext((1, 2, 2));
	ext.execute_with(|| {
		assert_ok!(Training::set_timing(
			RuntimeOrigin::root(),
			Timing { challenge_window: 10, ..short_timing() }
		));
		let round = open();
		// The workers take the round to its settlement.
		for _ in 0..6 {
			Training::offchain_worker(1);
			include(drain(&pool));
		}
		let Phase::Settled { result, .. } = phase(round) else {
			panic!("not settled: {:?}", phase(round))
		};
		// As if member 3 had revealed another result and been outvoted.
		let other = H256::repeat_byte(1);
		let mut committee = Ballot::new([5, 4, 3]).unwrap();
		for (node, hash) in [(5, result), (4, result), (3, other)] {
			let salt = [node as u8; 32];
			let task = Work::Result(round);
			committee
				.commit(node, commitment::<polkadot_sdk::sp_runtime::traits::BlakeTwo256>(&task, node, &hash, &salt))
				.unwrap();
			committee
				.reveal::<polkadot_sdk::sp_runtime::traits::BlakeTwo256>(&task, node, hash, &salt)
				.unwrap();
		}
		Rounds::<Test>::mutate(round, |r| {
			let r = r.as_mut().unwrap();
			r.committee = committee;
			r.committee_outcomes = vec![
				(5, commit_reveal::Outcome::Agreed),
				(4, commit_reveal::Outcome::Agreed),
				(3, commit_reveal::Outcome::Outvoted),
			]
			.try_into()
			.unwrap();
		});
		Training::offchain_worker(2);
		assert!(drain(&pool).is_empty(), "not opted in");
		Balances::set_balance(&103, 1_000);
		assert_ok!(Training::set_auto_challenge(RuntimeOrigin::signed(103), 3, true));
		// Nodes 6 to 8, for the dispute committee.
		MockNodes::mutate(|nodes| nodes.iter_mut().for_each(|n| n.eligible = true));
		Training::offchain_worker(2);
		let sent = drain(&pool);
		assert_eq!(sent.len(), 1, "only the outvoted member");
		assert!(matches!(sent[0], Call::challenge_for_owner { round: r, node: 3, .. } if r == round));
		assert_eq!(include(sent), 1);
		assert!(matches!(phase(round), Phase::Disputed { .. }));
	});
}
