//! Benchmarks of the inference calls, the pool's checks of commits and reveals, and the hook's
//! work per deadline, each in its worst case: the most seats, the largest outputs, settlement
//! with a slash and a payout, a dispute that overturns the most seats.

use super::*;
use crate::pallet::{Call, Pallet};
use alloc::vec;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		pallet_prelude::TransactionSource,
		traits::{fungible::Mutate, Authorize, Get},
	},
	frame_system::RawOrigin,
	sp_runtime::{traits::BlakeTwo256, RuntimeAppPublic},
};
use swarm_primitives::{benchmark_balance, commit_reveal::commitment};

/// The engine's canonical bytes of an MLP on 1 × 1 × `width` inputs with `classes` classes.
fn mlp(width: u32, classes: u32) -> Vec<u8> {
	let mut bytes = vec![1u8, 1];
	for word in [1u32, 1, width, classes, 0, 1, 8] {
		bytes.extend_from_slice(&word.to_le_bytes());
	}
	bytes
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, benchmark_balance());
	who
}

/// A version offered at a price, for samples of `width` bytes and `classes` classes.
fn offered<T: Config>(width: u32, classes: u32) -> u64 {
	let owner = funded::<T>("owner", 0);
	let (weights, size) = (H256::repeat_byte(0xbe), 1 << 20);
	T::Content::benchmark_store(weights, size);
	let version = T::Models::benchmark_version(&owner, mlp(width, classes), weights, size);
	Prices::<T>::insert(
		PriceTarget::Version(version),
		T::Currency::minimum_balance().saturating_mul(10u32.into()),
	);
	version
}

/// Registers `count` nodes, numbered from `from`.
fn nodes<T: Config>(from: u32, count: u32) -> Vec<NodeId> {
	(from..from.saturating_add(count))
		.map(|i| T::Nodes::benchmark_node(&funded::<T>("node-owner", i)))
		.collect()
}

/// The largest job: `MaxSamples` samples whose output fills `MaxLogits`, with `replicas` seats;
/// payouts at settlement unless `challenge` is set.
fn job<T: Config>(replicas: u32, challenge: u32) -> (JobId, Vec<NodeId>) {
	JobTiming::<T>::put(Timing {
		commit_window: 10u32.into(),
		reveal_window: 10u32.into(),
		job_timeout: 30u32.into(),
		challenge_window: challenge.into(),
		retention: 100u32.into(),
	});
	let samples = T::MaxSamples::get();
	let width = (T::MaxInputBytes::get() / samples).max(1);
	let classes = (T::MaxLogits::get() / samples).max(2);
	let version = offered::<T>(width, classes);
	nodes::<T>(0, replicas);
	let requester = funded::<T>("requester", 0);
	let job = NextJobId::<T>::get();
	let data = vec![7u8; (samples * width) as usize];
	Pallet::<T>::request(
		RawOrigin::Signed(requester).into(),
		version,
		JobInput::Inline { samples, data: data.try_into().expect("MaxInputBytes fits") },
		Some(replicas),
		benchmark_balance(),
	)
	.expect("benchmark setup: the request is valid");
	let seats =
		Jobs::<T>::get(job).expect("requested").ballot.seats().iter().map(|s| s.node).collect();
	(job, seats)
}

/// The job's largest output; `variant` makes different ones.
fn output<T: Config>(job: JobId, variant: i32) -> InferenceOutput<T> {
	let record = Jobs::<T>::get(job).expect("requested");
	let samples = record.input.samples();
	InferenceOutput {
		labels: vec![0; samples as usize].try_into().expect("MaxSamples fits"),
		logits: vec![variant; (samples * record.classes) as usize]
			.try_into()
			.expect("MaxLogits fits"),
	}
}

fn salt(node: NodeId) -> Salt {
	[node as u8; 32]
}

fn commit_args<T: Config>(
	job: JobId,
	node: NodeId,
	out: &InferenceOutput<T>,
) -> (H256, WorkerSignature) {
	let c = commitment::<BlakeTwo256>(&job, node, &out.hash(), &salt(node));
	let key = T::Nodes::worker_key(node).expect("a registered node");
	let payload = commit_payload(&Pallet::<T>::genesis_hash(), job, node, &c);
	(c, key.sign(&payload).expect("benchmark setup: the worker key is in the keystore"))
}

fn reveal_signature<T: Config>(
	job: JobId,
	node: NodeId,
	out: &InferenceOutput<T>,
) -> WorkerSignature {
	let key = T::Nodes::worker_key(node).expect("a registered node");
	let payload = reveal_payload(&Pallet::<T>::genesis_hash(), job, node, &out.hash(), &salt(node));
	key.sign(&payload).expect("benchmark setup: the worker key is in the keystore")
}

fn do_commit<T: Config>(job: JobId, node: NodeId, out: &InferenceOutput<T>) {
	let (c, signature) = commit_args::<T>(job, node, out);
	Pallet::<T>::commit(RawOrigin::Authorized.into(), job, node, c, signature)
		.expect("benchmark setup: the commit is valid");
}

fn do_reveal<T: Config>(job: JobId, node: NodeId, out: &InferenceOutput<T>) {
	let signature = reveal_signature::<T>(job, node, out);
	Pallet::<T>::reveal(
		RawOrigin::Authorized.into(),
		job,
		node,
		out.clone(),
		salt(node),
		signature,
	)
	.expect("benchmark setup: the reveal is valid");
}

/// Moves to the block from which the deadline at the head of `queue` is due.
fn to_deadline<T: Config>(queue: Queue) -> BlockNumberFor<T> {
	let (head, _) = QueueEnds::<T>::get(queue);
	let at = QueueItems::<T>::get(queue, head).expect("a deadline is queued").at;
	frame_system::Pallet::<T>::set_block_number(at);
	at
}

use polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor;

/// A job with the most seats, settled with a challenge window, and as many fresh nodes as
/// committee seats, under terms that seat the most. Every seat but the first agreed on a wrong
/// output (variant 2); the first revealed the right one (variant 1). Returns the job and that
/// first seat.
fn settled_for_dispute<T: Config>() -> (JobId, NodeId) {
	let replicas = T::MaxReplicas::get();
	let (job, seats) = job::<T>(replicas, 10);
	let (good, bad) = (output::<T>(job, 1), output::<T>(job, 2));
	let (honest, others) = seats.split_first().expect("at least one seat");
	do_commit::<T>(job, *honest, &good);
	for node in others {
		do_commit::<T>(job, *node, &bad);
	}
	do_reveal::<T>(job, *honest, &good);
	for node in others {
		do_reveal::<T>(job, *node, &bad);
	}
	assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(Phase::Settled { .. })));
	nodes::<T>(replicas, replicas);
	let fee = T::NodeFee::get().saturating_mul(replicas.into());
	ChallengeTerms::<T>::put(DisputeTerms { bond: fee, replicas });
	(job, *honest)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_price() {
		let version = offered::<T>(4, 2);
		let owner: T::AccountId = account("owner", 0, 0);
		let price = Some(T::Currency::minimum_balance());

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), PriceTarget::Version(version), price);

		assert_eq!(Prices::<T>::get(PriceTarget::Version(version)), price);
	}

	/// `r` seats, `b` input bytes carried inline (one sample of `b` bytes).
	#[benchmark]
	fn request(r: Linear<1, { T::MaxReplicas::get() }>, b: Linear<1, { T::MaxInputBytes::get() }>) {
		let version = offered::<T>(b, 2);
		nodes::<T>(0, r);
		let requester = funded::<T>("requester", 0);
		let input = JobInput::Inline {
			samples: 1,
			data: vec![1u8; b as usize].try_into().expect("b fits"),
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(requester), version, input, Some(r), benchmark_balance());

		assert_eq!(Jobs::<T>::get(0).map(|job| job.ballot.seats().len() as u32), Some(r));
	}

	/// The last seat commits, which opens the reveal window.
	#[benchmark]
	fn commit() {
		let (job, seats) = job::<T>(T::MaxReplicas::get(), 0);
		let out = output::<T>(job, 1);
		let (last, others) = seats.split_last().expect("at least one seat");
		for node in others {
			do_commit::<T>(job, *node, &out);
		}
		let (c, signature) = commit_args::<T>(job, *last, &out);

		#[extrinsic_call]
		_(RawOrigin::Authorized, job, *last, c, signature);

		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(Phase::Reveal { .. })));
	}

	/// The last seat reveals, which settles the job: the largest output, one node outvoted and
	/// slashed, the others paid at once.
	#[benchmark]
	fn reveal() {
		let (job, seats) = job::<T>(T::MaxReplicas::get(), 0);
		let (good, bad) = (output::<T>(job, 1), output::<T>(job, 2));
		let (last, others) = seats.split_last().expect("at least one seat");
		let (outvoted, agreeing) = others.split_first().expect("at least two seats");
		do_commit::<T>(job, *outvoted, &bad);
		for node in agreeing.iter().chain([last]) {
			do_commit::<T>(job, *node, &good);
		}
		do_reveal::<T>(job, *outvoted, &bad);
		for node in agreeing {
			do_reveal::<T>(job, *node, &good);
		}
		let signature = reveal_signature::<T>(job, *last, &good);

		#[extrinsic_call]
		_(RawOrigin::Authorized, job, *last, good.clone(), salt(*last), signature);

		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(Phase::Paid { .. })));
	}

	#[benchmark]
	fn set_timing() {
		let timing = Timing::default();

		#[extrinsic_call]
		_(RawOrigin::Root, timing.clone());

		assert_eq!(JobTiming::<T>::get(), timing);
	}

	#[benchmark]
	fn authorize_commit() -> Result<(), BenchmarkError> {
		let (job, seats) = job::<T>(T::MaxReplicas::get(), 0);
		let node = seats[0];
		let (commitment, signature) = commit_args::<T>(job, node, &output::<T>(job, 1));
		let call = Call::<T>::commit { job, node, commitment, signature };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("commit is authorized")?
				.map_err(|_| "valid commit")?;
		}

		Ok(())
	}

	#[benchmark]
	fn authorize_reveal() -> Result<(), BenchmarkError> {
		let (job, seats) = job::<T>(T::MaxReplicas::get(), 0);
		let out = output::<T>(job, 1);
		for node in &seats {
			do_commit::<T>(job, *node, &out);
		}
		let node = seats[0];
		let signature = reveal_signature::<T>(job, node, &out);
		let call = Call::<T>::reveal { job, node, output: out, salt: salt(node), signature };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("reveal is authorized")?
				.map_err(|_| "valid reveal")?;
		}

		Ok(())
	}

	/// No deadline due: the hook only reads the queues' ends.
	#[benchmark]
	fn on_initialize_idle() {
		let now = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			Pallet::<T>::expire(now);
		}
	}

	/// A commit window ends with no seat committed: every seat is given to another node.
	#[benchmark]
	fn expire_commit(r: Linear<1, { T::MaxReplicas::get() }>) {
		let (job, seats) = job::<T>(r, 0);
		nodes::<T>(r, r);
		let now = to_deadline::<T>(Queue::Commit);

		#[block]
		{
			Pallet::<T>::expire(now);
		}

		let replaced = Jobs::<T>::get(job).map(|j| j.replaced.len() as u32);
		assert_eq!(replaced, Some(seats.len() as u32));
	}

	/// A reveal window ends and settles the job: one seat outvoted and slashed, one that missed
	/// its reveal, the others agreeing and paid at once. (The job's quorum is set to the
	/// agreeing seats, `r - 2`: with the runtime's two thirds this case needs six seats, and the
	/// work per seat is the same.)
	#[benchmark]
	fn expire_reveal(r: Linear<4, { T::MaxReplicas::get() }>) {
		let (job, seats) = job::<T>(r, 0);
		Jobs::<T>::mutate(job, |record| {
			if let Some(record) = record {
				record.quorum = r.saturating_sub(2);
			}
		});
		let (good, bad) = (output::<T>(job, 1), output::<T>(job, 2));
		let (outvoted, agreeing) = seats.split_first().expect("at least one seat");
		do_commit::<T>(job, *outvoted, &bad);
		for node in agreeing {
			do_commit::<T>(job, *node, &good);
		}
		do_reveal::<T>(job, *outvoted, &bad);
		let (last, early) = agreeing.split_last().expect("at least two seats");
		for node in early {
			do_reveal::<T>(job, *node, &good);
		}
		// The last agreeing seat never reveals: settlement waits for the window's end.
		let _ = last;
		let now = to_deadline::<T>(Queue::Reveal);

		#[block]
		{
			Pallet::<T>::expire(now);
		}

		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(Phase::Paid { .. })));
	}

	/// The challenge window of a job with `r` agreeing seats ends: they are paid.
	#[benchmark]
	fn payout(r: Linear<1, { T::MaxReplicas::get() }>) {
		let (job, seats) = job::<T>(r, 1);
		let out = output::<T>(job, 1);
		for node in &seats {
			do_commit::<T>(job, *node, &out);
		}
		for node in &seats {
			do_reveal::<T>(job, *node, &out);
		}
		let now = to_deadline::<T>(Queue::Payout);

		#[block]
		{
			Pallet::<T>::expire(now);
		}

		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(Phase::Paid { .. })));
	}

	/// A closed job with `r` seats is removed after its retention.
	#[benchmark]
	fn remove_job(r: Linear<1, { T::MaxReplicas::get() }>) {
		let (job, seats) = job::<T>(r, 0);
		let out = output::<T>(job, 1);
		for node in &seats {
			do_commit::<T>(job, *node, &out);
		}
		for node in &seats {
			do_reveal::<T>(job, *node, &out);
		}
		let now = to_deadline::<T>(Queue::Prune);

		#[block]
		{
			Pallet::<T>::expire(now);
		}

		assert!(!Jobs::<T>::contains_key(job));
	}

	/// A challenge of a settled job with the most seats, seating a committee of the most seats.
	#[benchmark]
	fn challenge() {
		let (job, _) = settled_for_dispute::<T>();
		let challenger = funded::<T>("challenger", 0);
		let claimed = Some(output::<T>(job, 3).hash());

		#[extrinsic_call]
		_(RawOrigin::Signed(challenger), job, claimed);

		assert!(matches!(Jobs::<T>::get(job).map(|j| j.phase), Some(Phase::Disputed { .. })));
	}

	#[benchmark]
	fn set_dispute_terms() {
		let terms = DefaultDisputeTerms::<T>::get();

		#[extrinsic_call]
		_(RawOrigin::Root, terms.clone());

		assert_eq!(ChallengeTerms::<T>::get(), terms);
	}

	/// The committee's last reveal overturns the result: every original seat but one convicted
	/// (slashed and jailed), the other paid; one committee seat outvoted and slashed, the others
	/// paid; the requester refunded; the challenger paid its bond and reward.
	#[benchmark]
	fn reveal_overturn() {
		let (job, honest) = settled_for_dispute::<T>();
		let challenger = funded::<T>("challenger", 0);
		T::Currency::set_balance(&T::RewardPot::get(), benchmark_balance());
		Pallet::<T>::challenge(RawOrigin::Signed(challenger).into(), job, None)
			.expect("benchmark setup: the challenge is valid");
		let committee: Vec<NodeId> = Jobs::<T>::get(job)
			.and_then(|j| j.dispute)
			.expect("challenged")
			.ballot
			.nodes()
			.collect();
		let (good, bad) = (output::<T>(job, 1), output::<T>(job, 2));
		let (outvoted, agreeing) = committee.split_first().expect("at least one seat");
		do_commit::<T>(job, *outvoted, &bad);
		for node in agreeing {
			do_commit::<T>(job, *node, &good);
		}
		do_reveal::<T>(job, *outvoted, &bad);
		let (last, early) = agreeing.split_last().expect("at least two seats");
		for node in early {
			do_reveal::<T>(job, *node, &good);
		}
		let signature = reveal_signature::<T>(job, *last, &good);

		#[extrinsic_call]
		reveal(RawOrigin::Authorized, job, *last, good.clone(), salt(*last), signature);

		let record = Jobs::<T>::get(job).expect("kept");
		assert_eq!(record.phase, Phase::Paid { result: good.hash() });
		assert!(record.outcomes.iter().any(|(node, outcome)| *node == honest && *outcome == Outcome::Agreed));
	}

	#[benchmark]
	fn set_auto_challenge() {
		let node = nodes::<T>(0, 1)[0];
		let owner: T::AccountId = account("node-owner", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node, true);

		assert!(AutoChallenge::<T>::contains_key(node));
	}

	/// The pool's check of an outvoted worker's challenge for its owner.
	#[benchmark]
	fn authorize_challenge_for_owner() -> Result<(), BenchmarkError> {
		let (job, honest) = settled_for_dispute::<T>();
		AutoChallenge::<T>::insert(honest, ());
		let key = T::Nodes::worker_key(honest).ok_or("a registered node")?;
		let payload = challenge_payload(&Pallet::<T>::genesis_hash(), job, honest);
		let signature = key.sign(&payload).ok_or("the worker key is in the keystore")?;
		let call = Call::<T>::challenge_for_owner { job, node: honest, signature };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("challenge_for_owner is authorized")?
				.map_err(|_| "valid challenge")?;
		}

		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
