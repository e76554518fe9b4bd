//! The offchain worker's part: running the jobs of the nodes whose worker keys are in this node's
//! keystore, and committing and revealing their results.
//!
//! For each `swrk` key of a registered node, at every new best block, the worker looks at the
//! jobs the node holds a seat in ([`Assignments`]), in the job itself or in the committee that
//! re-executes it when its result is challenged (the same work, the same steps):
//!
//! 1. **Commit window, seat pending**: it hands the job to the node's ML executor as a
//!    [`Task`] through the `swarm_worker` host functions, and polls it (waiting at most
//!    [`WAIT_FOR_OUTCOME_MS`] within one run, so that small jobs commit in the next block; a
//!    longer task is polled again at later blocks). With the outcome, it draws a random salt,
//!    computes the commitment and records both in the node's persistent offchain storage
//!    *before* sending the commit, with a compare-and-set: whatever happens (a restart, two
//!    worker runs at once), a node has one commitment per job and never commits twice.
//! 2. **Reveal window, seat committed**: it sends the reveal of what it recorded.
//!
//! 3. **Settled on another result than the node revealed**, and its owner opted in
//!    ([`AutoChallenge`]): it challenges the result on the owner's behalf, with the owner's bond
//!    ([`Call::challenge_for_owner`]).
//!
//! A commit or reveal that is not on chain [`RESEND_AFTER`] blocks after it was sent is sent
//! again (the same bytes). Once the seat has revealed or the job has closed, the record is
//! cleared. Everything the worker does is logged under [`LOG_TARGET`].

use crate::{
	challenge_payload, commit_payload, reveal_payload, Assignments, AutoChallenge, Call, Config,
	InferenceOutput, Job, JobId, JobInput, Jobs, Pallet, Phase, Window, LOG_TARGET,
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
			Duration, Timestamp,
		},
		traits::{BlakeTwo256, Saturating},
		RuntimeAppPublic,
	},
};
use swarm_primitives::{
	commit_reveal::{commitment, Salt, Vote},
	ModelCatalog, NodeId, WorkerDirectory,
};
use swarm_worker_interface::{
	swarm_worker, InferTask, Outcome, SubmitError, Task, TaskId, TaskInput, TaskStatus,
};

/// Blocks after which a commit or reveal that is still not on chain is sent again.
pub const RESEND_AFTER: u32 = 2;

/// How long one worker run waits for a task it submitted, in milliseconds. Small jobs finish
/// within it and commit in the next block; a longer one is picked up at a later block.
pub const WAIT_FOR_OUTCOME_MS: u64 = 1_500;

/// What the node's worker has done for one seat, in its persistent offchain storage.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum LocalWork<BlockNumber> {
	/// The task was handed to the executor.
	Submitted {
		/// Its id.
		task: TaskId,
	},
	/// The node committed to `output` with `salt`.
	Committed {
		/// The labels of the output.
		labels: Vec<u32>,
		/// The Q15.16 scores of the output.
		logits: Vec<i32>,
		/// The salt of the commitment.
		salt: Salt,
		/// The commitment.
		commitment: H256,
		/// The block at which the commit was last sent.
		commit_sent: BlockNumber,
		/// The block at which the reveal was last sent, if it was.
		reveal_sent: Option<BlockNumber>,
	},
}

/// The offchain storage key of `node`'s record for `job`.
pub fn local_key(job: JobId, node: NodeId) -> Vec<u8> {
	(b"swarm/inference/work/", job, node).encode()
}

/// Runs the worker's part at block `now`: first hands every task due to the executor, then
/// waits for them in order (at most [`WAIT_FOR_OUTCOME_MS`] in all) and commits those done.
pub fn run<T: Config>(now: BlockNumberFor<T>) {
	let seats: Vec<(crate::WorkerKey, NodeId, Vec<JobId>)> = crate::WorkerKey::all()
		.into_iter()
		.filter_map(|key| {
			let node = T::Nodes::node_of(&key)?;
			let jobs: Vec<JobId> = Assignments::<T>::iter_key_prefix(node)
				.take(T::MaxOpenJobs::get() as usize)
				.collect();
			Some((key, node, jobs))
		})
		.filter(|(_, _, jobs)| !jobs.is_empty())
		.collect();
	if seats.is_empty() {
		return;
	}
	swarm_primitives::offchain::let_the_pool_settle();
	let mut running = Vec::new();
	for (key, node, jobs) in seats {
		for job in jobs {
			if let Some(task) = work_on::<T>(job, node, &key, now) {
				running.push((job, node, key.clone(), task));
			}
		}
	}
	let deadline = offchain::timestamp().add(Duration::from_millis(WAIT_FOR_OUTCOME_MS));
	for (job, node, key, (record, task)) in running {
		if let Some(outcome) = wait_for(job, node, task, deadline) {
			commit_to::<T>(job, node, &key, &record, outcome, now);
		}
	}
}

/// Does what is due for `node`'s seat in `job`; returns the job and its task when the task has
/// been handed to the executor and the outcome is awaited.
fn work_on<T: Config>(
	job: JobId,
	node: NodeId,
	key: &crate::WorkerKey,
	now: BlockNumberFor<T>,
) -> Option<(Job<T>, TaskId)> {
	let storage_key = local_key(job, node);
	let mut storage = StorageValueRef::persistent(&storage_key);
	let Some(record) = Jobs::<T>::get(job) else {
		storage.clear();
		return None;
	};
	let local = storage.get::<LocalWork<BlockNumberFor<T>>>().ok().flatten();
	// The job's own seats while it runs; its dispute committee's while one re-executes it.
	let voting = record.voting().map(|(window, ballot)| (window, ballot.vote(node).copied()));
	match voting {
		Some((Window::Commit { .. }, Some(Vote::Pending))) => match local {
			Some(LocalWork::Committed { commitment, commit_sent, .. }) => {
				if now >= commit_sent.saturating_add(RESEND_AFTER.into()) {
					log::info!(target: LOG_TARGET, "job {job}: node {node}'s commit is not on chain yet; sending it again");
					send_commit::<T>(job, node, key, commitment);
					mark_sent::<T>(&storage, now, false);
				}
			},
			other => {
				let submitted = match other {
					Some(LocalWork::Submitted { task }) => Some(task),
					_ => None,
				};
				let task = submit_task::<T>(job, node, &record, submitted)?;
				return Some((record, task));
			},
		},
		Some((Window::Reveal { .. }, Some(Vote::Committed(on_chain)))) => match local {
			Some(LocalWork::Committed { labels, logits, salt, commitment, reveal_sent, .. }) => {
				if commitment != on_chain {
					log::error!(target: LOG_TARGET, "job {job}: node {node}'s commitment on chain is not the one this node keeps; it cannot reveal");
					return None;
				}
				let due = reveal_sent
					.is_none_or(|sent| now >= sent.saturating_add(RESEND_AFTER.into()));
				if due {
					send_reveal::<T>(job, node, key, labels, logits, salt);
					mark_sent::<T>(&storage, now, true);
				}
			},
			_ => {
				log::warn!(target: LOG_TARGET, "job {job}: node {node} committed, but this node keeps no record of what; it cannot reveal")
			},
		},
		// Committed: the reveal window has not opened yet.
		Some((Window::Commit { .. }, Some(Vote::Committed(_)))) => {},
		// Revealed, missed, closed, or no longer seated: nothing left to send but, perhaps, a
		// challenge of a result that outvoted the node's.
		_ => {
			storage.clear();
			challenge_if_outvoted::<T>(job, node, key, &record, now);
		},
	}
	None
}

/// Challenges the settled result of `job` on its owner's behalf when `node` revealed another
/// result and its owner opted in ([`AutoChallenge`]). Sent at every block while that holds: the
/// pool keeps one per job, and once it is in a block the job is disputed.
fn challenge_if_outvoted<T: Config>(
	job: JobId,
	node: NodeId,
	key: &crate::WorkerKey,
	record: &Job<T>,
	now: BlockNumberFor<T>,
) {
	let Phase::Settled { result, payout_at } = record.phase else { return };
	let outvoted =
		matches!(record.ballot.vote(node), Some(Vote::Revealed(mine)) if *mine != result);
	if !outvoted || now >= payout_at || !AutoChallenge::<T>::contains_key(node) {
		return;
	}
	let payload = challenge_payload(&Pallet::<T>::genesis_hash(), job, node);
	let Some(signature) = key.sign(&payload) else {
		log::warn!(target: LOG_TARGET, "job {job}: the keystore could not sign node {node}'s challenge");
		return;
	};
	log::info!(
		target: LOG_TARGET,
		"job {job}: node {node} was outvoted by 0x{}; it challenges on its owner's behalf",
		hex(result.as_bytes())
	);
	submit::<T>(job, "challenge", Call::<T>::challenge_for_owner { job, node, signature });
}

/// Hands the job's task to the executor (it deduplicates); returns its id.
fn submit_task<T: Config>(
	job: JobId,
	node: NodeId,
	record: &Job<T>,
	submitted: Option<TaskId>,
) -> Option<TaskId> {
	let Some(task) = task_of::<T>(record) else {
		log::warn!(target: LOG_TARGET, "job {job}: the version's configuration is gone; node {node} cannot run it");
		return None;
	};
	let id = match swarm_worker::submit(&task.encode()) {
		Ok(id) => id,
		Err(SubmitError::Unavailable) => {
			log::warn!(target: LOG_TARGET, "job {job}: node {node} is seated but this node has no ML executor");
			return None;
		},
		Err(SubmitError::Busy) => {
			log::debug!(target: LOG_TARGET, "job {job}: the executor's queue is full; trying again next block");
			return None;
		},
		Err(SubmitError::Malformed) => {
			log::error!(target: LOG_TARGET, "job {job}: the executor does not understand the task; is the node older than its runtime?");
			return None;
		},
	};
	if submitted != Some(id) {
		log::info!(
			target: LOG_TARGET,
			"job {job}: node {node} runs version {} on {} samples (task 0x{})",
			record.version,
			record.input.samples(),
			hex(&id)
		);
		let storage_key = local_key(job, node);
		StorageValueRef::persistent(&storage_key)
			.set(&LocalWork::<BlockNumberFor<T>>::Submitted { task: id });
	}
	Some(id)
}

/// Commits `node` to `outcome` of `job`, once.
fn commit_to<T: Config>(
	job: JobId,
	node: NodeId,
	key: &crate::WorkerKey,
	record: &Job<T>,
	outcome: Outcome,
	now: BlockNumberFor<T>,
) {
	let storage_key = local_key(job, node);
	let storage = StorageValueRef::persistent(&storage_key);
	let Outcome::Inference { labels, logits } = outcome else {
		log::error!(target: LOG_TARGET, "job {job}: the executor answered with another kind of outcome; not committing");
		return;
	};
	let Some(output) = output_of::<T>(record, labels.clone(), logits.clone()) else {
		log::error!(target: LOG_TARGET, "job {job}: the executor's output does not fit the job; not committing");
		return;
	};
	let salt = offchain::random_seed();
	let fresh = commitment::<BlakeTwo256>(&job, node, &output.hash(), &salt);
	// Records the commitment unless one is recorded already (by a worker run at the same time
	// or before a restart): a node commits to one result per job, ever.
	let recorded = storage.mutate(
		|local: Result<Option<LocalWork<BlockNumberFor<T>>>, StorageRetrievalError>| match local {
			Ok(Some(committed @ LocalWork::Committed { .. })) => Err(committed),
			_ => Ok(LocalWork::Committed {
				labels,
				logits,
				salt,
				commitment: fresh,
				commit_sent: now,
				reveal_sent: None,
			}),
		},
	);
	let commitment = match recorded {
		Ok(LocalWork::Committed { commitment, .. }) => commitment,
		Err(MutateStorageError::ValueFunctionFailed(LocalWork::Committed { commitment, .. })) =>
			commitment,
		_ => return,
	};
	log::info!(
		target: LOG_TARGET,
		"job {job}: node {node} commits to output 0x{} ({} labels)",
		hex(output.hash().as_bytes()),
		output.labels.len()
	);
	send_commit::<T>(job, node, key, commitment);
}

/// Polls task `id` until it is no longer pending or `deadline` has passed; the outcome, if it
/// is done.
fn wait_for(job: JobId, node: NodeId, id: TaskId, deadline: Timestamp) -> Option<Outcome> {
	match swarm_worker_interface::wait_until(id, deadline) {
		TaskStatus::Done(outcome) => Some(outcome),
		TaskStatus::Failed(reason) => {
			log::warn!(target: LOG_TARGET, "job {job}: node {node} cannot run it: {reason}");
			None
		},
		// Forgotten (a file that was not available yet): submitted again next block. Pending:
		// polled again at a later block.
		TaskStatus::Unknown | TaskStatus::Pending => None,
	}
}

/// The executor's task for `record`: its version's configuration and weights, and its input.
pub fn task_of<T: Config>(record: &Job<T>) -> Option<Task> {
	let config = T::Models::served_version(record.version)?.config?;
	let input = match &record.input {
		JobInput::Inline { samples, data } => {
			TaskInput::Inline { samples: *samples, data: data.to_vec() }
		},
		JobInput::File { samples, hash } => TaskInput::File { samples: *samples, hash: hash.0 },
	};
	Some(Task::Infer(InferTask { config, weights: record.weights_hash.0, input }))
}

/// The output the chain takes, if the executor's fits the job.
fn output_of<T: Config>(
	record: &Job<T>,
	labels: Vec<u32>,
	logits: Vec<i32>,
) -> Option<InferenceOutput<T>> {
	let output = InferenceOutput::<T> {
		labels: BoundedVec::try_from(labels).ok()?,
		logits: BoundedVec::try_from(logits).ok()?,
	};
	Pallet::<T>::well_formed(record, &output).then_some(output)
}

fn mark_sent<T: Config>(storage: &StorageValueRef<'_>, now: BlockNumberFor<T>, reveal: bool) {
	let _ = storage.mutate(
		|local: Result<Option<LocalWork<BlockNumberFor<T>>>, StorageRetrievalError>| {
			let Ok(Some(mut work)) = local else { return Err(()) };
			let LocalWork::Committed { commit_sent, reveal_sent, .. } = &mut work else {
				return Err(());
			};
			if reveal {
				*reveal_sent = Some(now);
			} else {
				*commit_sent = now;
			}
			Ok(work)
		},
	);
}

fn send_commit<T: Config>(job: JobId, node: NodeId, key: &crate::WorkerKey, commitment: H256) {
	let payload = commit_payload(&Pallet::<T>::genesis_hash(), job, node, &commitment);
	let Some(signature) = key.sign(&payload) else {
		log::warn!(target: LOG_TARGET, "job {job}: the keystore could not sign node {node}'s commit");
		return;
	};
	submit::<T>(job, "commit", Call::<T>::commit { job, node, commitment, signature });
}

fn send_reveal<T: Config>(
	job: JobId,
	node: NodeId,
	key: &crate::WorkerKey,
	labels: Vec<u32>,
	logits: Vec<i32>,
	salt: Salt,
) {
	let (Ok(labels), Ok(logits)) = (BoundedVec::try_from(labels), BoundedVec::try_from(logits))
	else {
		return;
	};
	let output = InferenceOutput::<T> { labels, logits };
	let result = output.hash();
	let payload = reveal_payload(&Pallet::<T>::genesis_hash(), job, node, &result, &salt);
	let Some(signature) = key.sign(&payload) else {
		log::warn!(target: LOG_TARGET, "job {job}: the keystore could not sign node {node}'s reveal");
		return;
	};
	log::info!(target: LOG_TARGET, "job {job}: node {node} reveals output 0x{}", hex(result.as_bytes()));
	submit::<T>(job, "reveal", Call::<T>::reveal { job, node, output, salt, signature });
}

fn submit<T: Config>(job: JobId, what: &str, call: Call<T>) {
	let xt = T::create_authorized_transaction(call.into());
	if SubmitTransaction::<T, Call<T>>::submit_transaction(xt).is_err() {
		log::warn!(target: LOG_TARGET, "job {job}: the pool refused the {what}");
	}
}

fn hex(bytes: &[u8]) -> alloc::string::String {
	bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
}
