//! The offchain worker's part: the rounds of the nodes whose worker keys are in this node's
//! keystore, as participants (with the node's own training data) and as committee members.
//!
//! At every new best block, for each `swrk` key of a registered node:
//!
//! 1. **Join**: for each round open for joining that the node is not in, if the node's training
//!    data (`--training-data`, described by the executor) has the model's input shape and no
//!    more classes than the model, it joins with its sample count.
//! 2. **Train** (a participant, not committed yet): it hands the executor a training task (the
//!    round's base, spec and the node's own seed, [`crate::participant_seed`]) and, with the
//!    trained weights' hash, draws a salt and commits, recording both in the node's persistent
//!    offchain storage *before* sending (compare-and-set: one commitment per round, ever).
//! 3. **Upload** (committed): it reads the trained weights back from the executor and reveals
//!    them, the transaction carrying the file.
//! 4. **Commit** (a committee member, not committed yet): it hands the executor an aggregation
//!    task (every revealed update, the rule, the validation set) and commits to the result,
//!    recorded the same way. A member of a dispute committee does the same work, the same way.
//! 5. **Reveal** (a member that committed): it reveals the recorded result.
//! 6. **Publish** (a member that agreed, of the committee or of a dispute committee that
//!    overturned its result): it reads the agreed weights back and stores them.
//! 7. **Settled** (a member that was outvoted, whose owner opted in with
//!    [`crate::Pallet::set_auto_challenge`]): it challenges the result on the owner's behalf,
//!    claiming the one it revealed ([`Call::challenge_for_owner`]).
//!
//! A transaction that is not on chain [`RESEND_AFTER`] blocks after it was sent is sent again.
//! Long tasks (training) span several blocks: the executor keeps them and the worker polls them
//! again. Everything is logged under [`LOG_TARGET`].

use crate::{
	participant_seed, AutoChallenge, Call, Config, Involvements, NewWeights, NodeId, Pallet, Payload,
	Phase, Round, RoundId, RoundResult, Rounds, Updates, Window, Work, LOG_TARGET,
};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use polkadot_sdk::{
	frame_support::{traits::Get, BoundedVec},
	frame_system::{offchain::SubmitTransaction, pallet_prelude::BlockNumberFor},
	sp_core::H256,
	sp_io::offchain,
	sp_runtime::{
		offchain::{
			storage::{MutateStorageError, StorageRetrievalError, StorageValueRef},
			Duration,
		},
		traits::{BlakeTwo256, Saturating},
		RuntimeAppPublic,
	},
};
use swarm_primitives::{
	commit_reveal::{commitment, Salt, Vote},
	model_config, NodeRegistry, WorkerDirectory,
};
use swarm_worker_interface::{
	client_id, swarm_worker, wait_until, AggregateTask, SubmitError, Task, TaskId, TaskStatus,
	TrainTask, UpdateRef,
};

/// Blocks after which a transaction that is still not on chain is sent again.
pub const RESEND_AFTER: u32 = 2;

/// How long one worker run waits for the tasks it submitted, in milliseconds.
pub const WAIT_FOR_OUTCOME_MS: u64 = 1_500;

/// What the node's worker has done in one round, for one of its parts, in its persistent
/// offchain storage.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum LocalWork<BlockNumber> {
	/// It sent the join at this block.
	Joined {
		/// The block of the last join sent.
		sent: BlockNumber,
	},
	/// The task was handed to the executor.
	Submitted {
		/// Its id.
		task: TaskId,
	},
	/// It committed to `hash` (an update's, or an encoded result's) with `salt`.
	Committed {
		/// What it committed to: the update file's hash, or the result's.
		hash: H256,
		/// The encoded [`RoundResult`] (committee), empty for an update.
		result: Vec<u8>,
		/// The salt.
		salt: Salt,
		/// The commitment.
		commitment: H256,
		/// The block at which the commit was last sent.
		commit_sent: BlockNumber,
		/// The block at which the reveal was last sent.
		reveal_sent: Option<BlockNumber>,
		/// The block at which the agreed weights were last sent (a committee member).
		store_sent: Option<BlockNumber>,
	},
}

/// What a worker sent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sent {
	Commit,
	Reveal,
	Store,
}

/// The offchain storage key of `node`'s record for its `part` (participant or committee) of
/// `round`.
pub fn local_key(part: Work, node: NodeId) -> Vec<u8> {
	(b"swarm/training/work/", part, node).encode()
}

/// Runs the worker's part at block `now`.
pub fn run<T: Config>(now: BlockNumberFor<T>) {
	let keys: Vec<(crate::WorkerKey, NodeId)> = crate::WorkerKey::all()
		.into_iter()
		.filter_map(|key| T::Nodes::node_of(&key).map(|node| (key, node)))
		.collect();
	if keys.is_empty() {
		return;
	}
	let open = Pallet::<T>::open_rounds();
	let work: Vec<(crate::WorkerKey, NodeId, Vec<RoundId>)> = keys
		.into_iter()
		.map(|(key, node)| {
			let mut rounds: Vec<RoundId> = Involvements::<T>::iter_key_prefix(node)
				.take(T::MaxOpenRounds::get() as usize)
				.collect();
			let joinable: Vec<RoundId> =
				open.iter().copied().filter(|r| !rounds.contains(r)).collect();
			rounds.extend(joinable);
			(key, node, rounds)
		})
		.filter(|(_, _, rounds)| !rounds.is_empty())
		.collect();
	if work.is_empty() {
		return;
	}
	swarm_primitives::offchain::let_the_pool_settle();
	let deadline = offchain::timestamp().add(Duration::from_millis(WAIT_FOR_OUTCOME_MS));
	for (key, node, rounds) in work {
		for round in rounds {
			let Some(record) = Rounds::<T>::get(round) else { continue };
			let worker = Worker::<T> { round, node, key: key.clone(), now, deadline };
			worker.act(&record);
		}
	}
}

/// One node's work in one round at one block.
struct Worker<T: Config> {
	round: RoundId,
	node: NodeId,
	key: crate::WorkerKey,
	now: BlockNumberFor<T>,
	deadline: polkadot_sdk::sp_runtime::offchain::Timestamp,
}

impl<T: Config> Worker<T> {
	fn act(&self, record: &Round<T>) {
		let (round, node) = (self.round, self.node);
		let update_key = local_key(Work::Update(round), node);
		let result_key = local_key(Work::Result(round), node);
		// The committee seat the node holds now: in the round's committee, or in the committee
		// re-running its aggregation in a dispute.
		let seat = record
			.voting()
			.and_then(|(window, ballot)| ballot.vote(node).map(|vote| (window, *vote)));
		match (&record.phase, record.updates.vote(node), seat) {
			(Phase::Join { .. }, None, _) => self.join(record, &update_key),
			(Phase::Train { .. }, Some(Vote::Pending), _) => self.train(record, &update_key),
			(Phase::Upload { .. }, Some(Vote::Committed(on_chain)), _) => {
				self.reveal_update(*on_chain, &update_key)
			},
			(_, _, Some((Window::Commit { .. }, Vote::Pending))) => {
				self.aggregate(record, &result_key)
			},
			(_, _, Some((Window::Reveal { .. }, Vote::Committed(on_chain)))) => {
				self.reveal_result(on_chain, &result_key)
			},
			(Phase::Publish { result, .. }, _, _) => {
				self.store_weights(record, *result, &result_key)
			},
			(phase, _, _) if phase.is_closed() => {
				StorageValueRef::persistent(&update_key).clear();
				StorageValueRef::persistent(&result_key).clear();
				if let Phase::Settled { result, payout_at, .. } = phase {
					self.challenge_if_outvoted(record, *result, *payout_at);
				}
			},
			_ => {},
		}
	}

	fn local(&self, key: &[u8]) -> Option<LocalWork<BlockNumberFor<T>>> {
		StorageValueRef::persistent(key).get::<LocalWork<BlockNumberFor<T>>>().ok().flatten()
	}

	fn due(&self, sent: BlockNumberFor<T>) -> bool {
		self.now >= sent.saturating_add(RESEND_AFTER.into())
	}

	/// Joins `record` if the node's training data fits its model.
	fn join(&self, record: &Round<T>, key: &[u8]) {
		let (round, node) = (self.round, self.node);
		if let Some(LocalWork::Joined { sent }) = self.local(key) {
			if !self.due(sent) {
				return;
			}
		}
		if !T::Nodes::is_eligible(node) {
			return;
		}
		let Some(TaskStatus::Done(swarm_worker_interface::Outcome::Data {
			shape,
			classes,
			samples,
		})) = submit(&Task::DescribeData).map(swarm_worker::poll)
		else {
			return;
		};
		let Ok(config) = model_config::decode(&record.config) else { return };
		let [channels, height, width] = config.input;
		let input = (channels, height, width);
		if shape != input || classes > config.classes || samples == 0 {
			log::debug!(target: LOG_TARGET, "round {round}: node {node}'s data ({shape:?}, {classes} classes) does not fit the model ({input:?}, {} classes)", config.classes);
			return;
		}
		let payload = Payload::Join { genesis: Pallet::<T>::genesis_hash(), round, node, samples };
		let Some(signature) = self.key.sign(&payload.bytes()) else { return };
		log::info!(target: LOG_TARGET, "round {round}: node {node} joins with {samples} samples");
		self.send("join", Call::<T>::join { round, node, samples, signature });
		StorageValueRef::persistent(key).set(&LocalWork::Joined { sent: self.now });
	}

	/// Trains (or keeps waiting for the training), then commits to the update.
	fn train(&self, record: &Round<T>, key: &[u8]) {
		let round = self.round;
		if let Some(LocalWork::Committed { commitment, commit_sent, .. }) = self.local(key) {
			if self.due(commit_sent) {
				self.send_commit(Work::Update(round), commitment);
				self.mark_sent(key, Sent::Commit);
			}
			return;
		}
		let task = Task::Train(TrainTask {
			config: record.config.to_vec(),
			base: record.base_weights.0,
			spec: record.spec.training,
			seed: participant_seed(&record.seed, self.node),
			max_samples: u32::try_from(record.spec.rule.max_samples).unwrap_or(u32::MAX),
		});
		let Some(outcome) = self.run_task(&task, key) else { return };
		let swarm_worker_interface::Outcome::Trained { weights, size, samples } = outcome else {
			return;
		};
		log::info!(target: LOG_TARGET, "round {round}: node {} trained on {samples} samples: update 0x{} ({size} bytes)", self.node, hex(&weights));
		self.commit(Work::Update(round), key, H256(weights), Vec::new());
	}

	/// Reveals the node's update, carrying the file.
	fn reveal_update(&self, on_chain: H256, key: &[u8]) {
		let (round, node) = (self.round, self.node);
		let Some(LocalWork::Committed { hash, salt, commitment, reveal_sent, .. }) =
			self.local(key)
		else {
			log::warn!(target: LOG_TARGET, "round {round}: node {node} committed, but this node keeps no record of what; it cannot reveal");
			return;
		};
		if commitment != on_chain || !reveal_sent.is_none_or(|sent| self.due(sent)) {
			return;
		}
		let Some(update) = self.read(hash) else { return };
		let payload = Payload::Reveal {
			genesis: Pallet::<T>::genesis_hash(),
			task: Work::Update(round),
			node,
			hash,
			salt,
		};
		let Some(signature) = self.key.sign(&payload.bytes()) else { return };
		log::info!(target: LOG_TARGET, "round {round}: node {node} reveals its update 0x{} ({} bytes)", hex(hash.as_bytes()), update.len());
		self.send("update", Call::<T>::reveal_update { round, node, salt, signature, update });
		self.mark_sent(key, Sent::Reveal);
	}

	/// Aggregates and evaluates the revealed updates (or keeps waiting), then commits.
	fn aggregate(&self, record: &Round<T>, key: &[u8]) {
		let round = self.round;
		if let Some(LocalWork::Committed { commitment, commit_sent, .. }) = self.local(key) {
			if self.due(commit_sent) {
				self.send_commit(Work::Result(round), commitment);
				self.mark_sent(key, Sent::Commit);
			}
			return;
		}
		let updates = Pallet::<T>::revealed(record)
			.filter_map(|(participant, hash)| {
				let (stored, _) = Updates::<T>::get(round, participant.node)?;
				(stored == hash).then_some(UpdateRef {
					client: client_id(participant.node),
					weights: hash.0,
					samples: participant.samples,
				})
			})
			.collect();
		let task = Task::Aggregate(AggregateTask {
			config: record.config.to_vec(),
			base: record.base_weights.0,
			previous: record.previous_weights.map(|hash| hash.0),
			updates,
			rule: record.spec.rule,
			validation: record.spec.validation,
		});
		let Some(outcome) = self.run_task(&task, key) else { return };
		let swarm_worker_interface::Outcome::Aggregated { result, base, verdicts } = outcome else {
			return;
		};
		let Ok(verdicts) = BoundedVec::try_from(verdicts) else { return };
		let result = RoundResult::<T> {
			weights: result.map(|r| NewWeights {
				hash: H256(r.weights),
				size: r.size,
				evaluation: r.evaluation,
			}),
			base,
			verdicts,
		};
		log::info!(target: LOG_TARGET, "round {round}: node {} commits to result 0x{} ({:?})", self.node, hex(result.hash().as_bytes()), result.weights);
		self.commit(Work::Result(round), key, result.hash(), result.encode());
	}

	/// Reveals the recorded result.
	fn reveal_result(&self, on_chain: H256, key: &[u8]) {
		let (round, node) = (self.round, self.node);
		let Some(LocalWork::Committed { hash, result, salt, commitment, reveal_sent, .. }) =
			self.local(key)
		else {
			log::warn!(target: LOG_TARGET, "round {round}: node {node} committed, but this node keeps no record of what; it cannot reveal");
			return;
		};
		if commitment != on_chain || !reveal_sent.is_none_or(|sent| self.due(sent)) {
			return;
		}
		let Ok(result) = RoundResult::<T>::decode(&mut &result[..]) else { return };
		let payload = Payload::Reveal {
			genesis: Pallet::<T>::genesis_hash(),
			task: Work::Result(round),
			node,
			hash,
			salt,
		};
		let Some(signature) = self.key.sign(&payload.bytes()) else { return };
		log::info!(target: LOG_TARGET, "round {round}: node {node} reveals result 0x{}", hex(hash.as_bytes()));
		self.send("result", Call::<T>::reveal_result { round, node, result, salt, signature });
		self.mark_sent(key, Sent::Reveal);
	}

	/// Challenges the settled `result` on the owner's behalf when the node, a committee member,
	/// revealed another result and its owner opted in ([`AutoChallenge`]). Sent at every block
	/// while that holds: the pool keeps one per round, and once it is in a block the round is
	/// disputed.
	fn challenge_if_outvoted(&self, record: &Round<T>, result: H256, payout_at: BlockNumberFor<T>) {
		let (round, node) = (self.round, self.node);
		let outvoted =
			matches!(record.committee.vote(node), Some(Vote::Revealed(mine)) if *mine != result);
		if !outvoted || self.now >= payout_at || !AutoChallenge::<T>::contains_key(node) {
			return;
		}
		let payload = Payload::Challenge { genesis: Pallet::<T>::genesis_hash(), round, node };
		let Some(signature) = self.key.sign(&payload.bytes()) else { return };
		log::info!(target: LOG_TARGET, "round {round}: node {node} was outvoted by 0x{}; it challenges on its owner's behalf", hex(result.as_bytes()));
		self.send("challenge", Call::<T>::challenge_for_owner { round, node, signature });
	}

	/// Stores the agreed weights, if the node agreed and keeps them.
	fn store_weights(&self, record: &Round<T>, agreed: H256, key: &[u8]) {
		let (round, node) = (self.round, self.node);
		if !record.agreed(node) {
			return;
		}
		let Some(LocalWork::Committed { hash, result, store_sent, .. }) = self.local(key) else {
			return;
		};
		if hash != agreed || !store_sent.is_none_or(|sent| self.due(sent)) {
			return;
		}
		let Ok(RoundResult::<T> { weights: Some(weights), .. }) =
			RoundResult::<T>::decode(&mut &result[..])
		else {
			return;
		};
		let Some(bytes) = self.read(weights.hash) else { return };
		let payload = Payload::Store {
			genesis: Pallet::<T>::genesis_hash(),
			round,
			node,
			hash: weights.hash,
		};
		let Some(signature) = self.key.sign(&payload.bytes()) else { return };
		log::info!(target: LOG_TARGET, "round {round}: node {node} stores the agreed weights 0x{} ({} bytes)", hex(weights.hash.as_bytes()), bytes.len());
		self.send("weights", Call::<T>::upload_result { round, node, signature, weights: bytes });
		self.mark_sent(key, Sent::Store);
	}

	/// Hands `task` to the executor (recording that it did) and waits for it until the run's
	/// deadline; its outcome, if done.
	fn run_task(&self, task: &Task, key: &[u8]) -> Option<swarm_worker_interface::Outcome> {
		let id = submit(task)?;
		if self.local(key) != Some(LocalWork::Submitted { task: id }) {
			log::info!(target: LOG_TARGET, "round {}: node {} runs a {} task (0x{})", self.round, self.node, task.kind(), hex(&id));
			StorageValueRef::persistent(key)
				.set(&LocalWork::<BlockNumberFor<T>>::Submitted { task: id });
		}
		match wait_until(id, self.deadline) {
			TaskStatus::Done(outcome) => Some(outcome),
			TaskStatus::Failed(reason) => {
				log::warn!(target: LOG_TARGET, "round {}: node {} cannot do its {} task: {reason}", self.round, self.node, task.kind());
				None
			},
			TaskStatus::Unknown | TaskStatus::Pending => None,
		}
	}

	/// Records a commitment to `hash` unless one is recorded already, then sends the commit.
	fn commit(&self, part: Work, key: &[u8], hash: H256, result: Vec<u8>) {
		let salt = offchain::random_seed();
		let fresh = commitment::<BlakeTwo256>(&part, self.node, &hash, &salt);
		let now = self.now;
		let recorded = StorageValueRef::persistent(key).mutate(
			|local: Result<Option<LocalWork<BlockNumberFor<T>>>, StorageRetrievalError>| match local
			{
				Ok(Some(committed @ LocalWork::Committed { .. })) => Err(committed),
				_ => Ok(LocalWork::Committed {
					hash,
					result,
					salt,
					commitment: fresh,
					commit_sent: now,
					reveal_sent: None,
					store_sent: None,
				}),
			},
		);
		let commitment = match recorded {
			Ok(LocalWork::Committed { commitment, .. }) => commitment,
			Err(MutateStorageError::ValueFunctionFailed(LocalWork::Committed {
				commitment,
				..
			})) => commitment,
			_ => return,
		};
		self.send_commit(part, commitment);
	}

	fn send_commit(&self, part: Work, commitment: H256) {
		let (round, node) = (self.round, self.node);
		let payload =
			Payload::Commit { genesis: Pallet::<T>::genesis_hash(), task: part, node, commitment };
		let Some(signature) = self.key.sign(&payload.bytes()) else { return };
		match part {
			Work::Update(_) => self.send(
				"update commit",
				Call::<T>::commit_update { round, node, commitment, signature },
			),
			Work::Result(_) => self.send(
				"result commit",
				Call::<T>::commit_result { round, node, commitment, signature },
			),
		}
	}

	/// Notes that `what` was sent now.
	fn mark_sent(&self, key: &[u8], what: Sent) {
		let now = self.now;
		let _ = StorageValueRef::persistent(key).mutate(
			|local: Result<Option<LocalWork<BlockNumberFor<T>>>, StorageRetrievalError>| {
				let Ok(Some(mut work)) = local else { return Err(()) };
				let LocalWork::Committed { commit_sent, reveal_sent, store_sent, .. } = &mut work
				else {
					return Err(());
				};
				match what {
					Sent::Commit => *commit_sent = now,
					Sent::Reveal => *reveal_sent = Some(now),
					Sent::Store => *store_sent = Some(now),
				}
				Ok(work)
			},
		);
	}

	/// A file the executor keeps.
	fn read(&self, hash: H256) -> Option<Vec<u8>> {
		match submit(&Task::ReadFile(hash.0)).map(swarm_worker::poll) {
			Some(TaskStatus::Done(swarm_worker_interface::Outcome::File(bytes))) => Some(bytes),
			other => {
				log::warn!(target: LOG_TARGET, "round {}: node {} cannot read file 0x{}: {other:?}", self.round, self.node, hex(hash.as_bytes()));
				None
			},
		}
	}

	fn send(&self, what: &str, call: Call<T>) {
		let xt = T::create_authorized_transaction(call.into());
		if SubmitTransaction::<T, Call<T>>::submit_transaction(xt).is_err() {
			log::warn!(target: LOG_TARGET, "round {}: the pool refused node {}'s {what}", self.round, self.node);
		}
	}
}

/// Hands `task` to the executor; its id.
fn submit(task: &Task) -> Option<TaskId> {
	match swarm_worker::submit(&task.encode()) {
		Ok(id) => Some(id),
		Err(SubmitError::Unavailable) => None,
		Err(error) => {
			log::warn!(target: LOG_TARGET, "the executor refused a {} task: {error:?}", task.kind());
			None
		},
	}
}

fn hex(bytes: &[u8]) -> alloc::string::String {
	bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
}
