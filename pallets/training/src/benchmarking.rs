//! Benchmarks of the round calls, the pool's checks, and the hook's work per deadline, each in
//! its worst case: the most participants and committee seats, the largest files, a decision with
//! slashes, a publication, payouts and a campaign's next round.

use super::*;
use crate::pallet::{Call, Pallet};
use alloc::vec;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		pallet_prelude::TransactionSource,
		traits::{fungible::Mutate, Authorize, Get},
	},
	frame_system::{pallet_prelude::BlockNumberFor, RawOrigin},
	sp_runtime::{traits::BlakeTwo256, RuntimeAppPublic},
};
use swarm_primitives::{benchmark_balance, commit_reveal::commitment};

/// Samples of the benchmarks' model: 1 × 1 × 16 values, 4 classes.
const WIDTH: u32 = 16;
/// Samples in the validation set.
const VALIDATION: u32 = 10;

/// The engine's canonical bytes of an MLP on 1 × 1 × [`WIDTH`] inputs with 4 classes.
fn mlp() -> Vec<u8> {
	let mut bytes = vec![1u8, 1];
	for word in [1u32, 1, WIDTH, 4, 0, 1, 8] {
		bytes.extend_from_slice(&word.to_le_bytes());
	}
	bytes
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, benchmark_balance());
	who
}

/// The largest file a round takes: the base weights' size.
fn max_file<T: Config>() -> u32 {
	T::Content::max_tail_file()
}

/// A base version whose weights are the largest file a transaction carries, its validation
/// set, and its owner.
fn base<T: Config>() -> (u64, T::AccountId) {
	let owner = funded::<T>("owner", 0);
	let weights = H256::repeat_byte(0xbe);
	T::Content::benchmark_store(weights, u64::from(max_file::<T>()));
	T::Content::benchmark_store(validation(), u64::from(VALIDATION * (WIDTH + 1)));
	(T::Models::benchmark_version(&owner, mlp(), weights, u64::from(max_file::<T>())), owner)
}

fn validation() -> H256 {
	H256::repeat_byte(0xdd)
}

/// Registers `count` nodes, numbered from `from`.
fn nodes<T: Config>(from: u32, count: u32) -> Vec<NodeId> {
	(from..from.saturating_add(count))
		.map(|i| T::Nodes::benchmark_node(&funded::<T>("node-owner", i)))
		.collect()
}

/// A round taking `p` participants (all needed), with the largest committee and campaign;
/// payments after `challenge` blocks. Registers the participants' nodes and enough others for
/// the committee of this round and the next; returns the round, its owner and the participants.
fn round<T: Config>(p: u32, challenge: u32) -> (RoundId, T::AccountId, Vec<NodeId>) {
	RoundTiming::<T>::put(Timing {
		join_window: 10u32.into(),
		train_window: 10u32.into(),
		upload_window: 10u32.into(),
		commit_window: 10u32.into(),
		reveal_window: 10u32.into(),
		publish_window: 10u32.into(),
		challenge_window: challenge.into(),
		retention: 100u32.into(),
	});
	let (version, owner) = base::<T>();
	let participants = nodes::<T>(0, p);
	// The committee, and two more: a decision slashes two nodes (an invalid update, an outvoted
	// member), and the campaign's next round still finds a whole committee (the costlier path).
	nodes::<T>(p, T::MaxCommittee::get().saturating_add(2));
	let spec = RoundSpec {
		base: version,
		training: TrainingSpec {
			epochs: 1,
			batch_size: 32,
			optimizer: Optimizer::Sgd { lr: 50_000, momentum: 900_000, weight_decay: 0 },
		},
		rule: AggregationRule {
			method: AggregationMethod::FedAvg,
			clip: Some(10_000_000),
			max_samples: 1_000,
			server: Some(ServerMomentum { learning_rate: 1_000_000, momentum: 900_000 }),
		},
		min_participants: p,
		max_participants: p,
		committee: T::MaxCommittee::get(),
		budget: T::Currency::minimum_balance().saturating_mul(1_000u32.into()),
		validation: LabelledFile { hash: validation().0, samples: VALIDATION },
		tolerance: Perbill::from_percent(1),
		rounds: T::MaxCampaign::get(),
	};
	let round = NextRoundId::<T>::get();
	Pallet::<T>::open_round(RawOrigin::Signed(owner.clone()).into(), spec)
		.expect("benchmark setup: the round is valid");
	(round, owner, participants)
}

fn sign<T: Config>(node: NodeId, payload: Payload<T::Hash>) -> WorkerSignature {
	let key = T::Nodes::worker_key(node).expect("a registered node");
	key.sign(&payload.bytes()).expect("benchmark setup: the worker key is in the keystore")
}

fn genesis<T: Config>() -> T::Hash {
	Pallet::<T>::genesis_hash()
}

fn salt(node: NodeId) -> Salt {
	[node as u8; 32]
}

fn hash(bytes: &[u8]) -> H256 {
	H256(polkadot_sdk::sp_io::hashing::blake2_256(bytes))
}

/// Participant `node`'s update: `len` bytes.
fn update(node: NodeId, len: u32) -> Vec<u8> {
	vec![node as u8; len as usize]
}

fn join_signature<T: Config>(round: RoundId, node: NodeId) -> WorkerSignature {
	sign::<T>(node, Payload::Join { genesis: genesis::<T>(), round, node, samples: 100 })
}

fn do_join<T: Config>(round: RoundId, node: NodeId) {
	Pallet::<T>::join(
		RawOrigin::Authorized.into(),
		round,
		node,
		100,
		join_signature::<T>(round, node),
	)
	.expect("benchmark setup: the join is valid");
}

fn commit_args<T: Config>(task: Work, node: NodeId, result: H256) -> (H256, WorkerSignature) {
	let c = commitment::<BlakeTwo256>(&task, node, &result, &salt(node));
	let payload = Payload::Commit { genesis: genesis::<T>(), task, node, commitment: c };
	(c, sign::<T>(node, payload))
}

fn do_commit<T: Config>(task: Work, node: NodeId, result: H256) {
	let (c, signature) = commit_args::<T>(task, node, result);
	let origin = RawOrigin::Authorized.into();
	match task {
		Work::Update(round) => Pallet::<T>::commit_update(origin, round, node, c, signature),
		Work::Result(round) => Pallet::<T>::commit_result(origin, round, node, c, signature),
	}
	.expect("benchmark setup: the commit is valid");
}

fn reveal_signature<T: Config>(task: Work, node: NodeId, hash: H256) -> WorkerSignature {
	sign::<T>(node, Payload::Reveal { genesis: genesis::<T>(), task, node, hash, salt: salt(node) })
}

/// Makes the calls below run as the first extrinsic of a block whose bytes end with `tail`,
/// as a transaction carrying a file does.
fn in_extrinsic<T: Config>(tail: &[u8]) {
	polkadot_sdk::frame_support::storage::unhashed::put(
		polkadot_sdk::sp_core::storage::well_known_keys::EXTRINSIC_INDEX,
		&0u32,
	);
	frame_system::Pallet::<T>::note_extrinsic(tail.to_vec());
}

fn do_reveal_update<T: Config>(round: RoundId, node: NodeId, bytes: Vec<u8>) {
	let signature = reveal_signature::<T>(Work::Update(round), node, hash(&bytes));
	in_extrinsic::<T>(&bytes);
	Pallet::<T>::reveal_update(
		RawOrigin::Authorized.into(),
		round,
		node,
		salt(node),
		signature,
		bytes,
	)
	.expect("benchmark setup: the reveal is valid");
}

fn do_reveal_result<T: Config>(round: RoundId, node: NodeId, result: &RoundResult<T>) {
	let signature = reveal_signature::<T>(Work::Result(round), node, result.hash());
	Pallet::<T>::reveal_result(
		RawOrigin::Authorized.into(),
		round,
		node,
		result.clone(),
		salt(node),
		signature,
	)
	.expect("benchmark setup: the reveal is valid");
}

/// Every participant joins and commits to a small update.
fn to_upload<T: Config>(round: RoundId, participants: &[NodeId]) {
	for node in participants {
		do_join::<T>(round, *node);
	}
	for node in participants {
		do_commit::<T>(Work::Update(round), *node, hash(&update(*node, 64)));
	}
}

/// Every participant reveals; returns the committee.
fn to_committee<T: Config>(round: RoundId, participants: &[NodeId]) -> Vec<NodeId> {
	to_upload::<T>(round, participants);
	for node in participants {
		do_reveal_update::<T>(round, *node, update(*node, 64));
	}
	Rounds::<T>::get(round).expect("opened").committee.nodes().collect()
}

/// The weights a committee agrees on: `len` bytes.
fn new_weights(len: u32) -> Vec<u8> {
	vec![0x5e; len as usize]
}

/// A result for `p` updates: the first invalid, the others accepted; new weights of `len`
/// bytes that beat the base. `variant` makes different ones.
fn result<T: Config>(p: u32, len: u32, variant: u32) -> RoundResult<T> {
	let verdicts: Vec<Verdict> = (0..p)
		.map(
			|i| if i == 0 { Verdict::Invalid(InvalidUpdate::AboveClip) } else { Verdict::Accepted },
		)
		.collect();
	RoundResult {
		weights: Some(NewWeights {
			hash: hash(&new_weights(len)),
			size: u64::from(len),
			evaluation: Evaluation { accuracy: 900_000_000 + variant, loss: 300_000 },
		}),
		base: Evaluation { accuracy: 800_000_000, loss: 600_000 },
		verdicts: verdicts.try_into().expect("p ≤ MaxParticipants"),
	}
}

/// The committee commits: the first member to `bad`, the others to `good`; returns it.
fn committee_commits<T: Config>(
	round: RoundId,
	committee: &[NodeId],
	good: &RoundResult<T>,
	bad: &RoundResult<T>,
) {
	for (i, node) in committee.iter().enumerate() {
		let r = if i == 0 { bad } else { good };
		do_commit::<T>(Work::Result(round), *node, r.hash());
	}
}

/// Moves to the block from which the deadline at the head of `queue` is due.
fn to_deadline<T: Config>(queue: Queue) -> BlockNumberFor<T> {
	let (head, _) = QueueEnds::<T>::get(queue);
	let at = QueueItems::<T>::get(queue, head).expect("a deadline is queued").at;
	frame_system::Pallet::<T>::set_block_number(at);
	at
}

/// A round decided with `p` participants, its weights stored and published; payouts after
/// `challenge` blocks.
fn decided<T: Config>(p: u32, challenge: u32) -> RoundId {
	let (round, _, participants) = round::<T>(p, challenge);
	let committee = to_committee::<T>(round, &participants);
	let (good, bad) = (result::<T>(p, 256, 0), result::<T>(p, 256, 1));
	T::Content::benchmark_store(hash(&new_weights(256)), 256);
	committee_commits::<T>(round, &committee, &good, &bad);
	for (i, node) in committee.iter().enumerate() {
		do_reveal_result::<T>(round, *node, if i == 0 { &bad } else { &good });
	}
	round
}

/// A round of `p` participants decided, then challenged, with the nodes its dispute committee
/// needs registered; returns the round.
fn challenged<T: Config>(p: u32) -> RoundId {
	let round = decided::<T>(p, 10);
	register_dispute_committee::<T>(p);
	let challenger = funded::<T>("challenger", 0);
	Pallet::<T>::challenge(RawOrigin::Signed(challenger).into(), round, None)
		.expect("benchmark setup: the challenge is valid");
	round
}

/// Registers the nodes of a dispute committee, after those of [`round`] with `p` participants.
fn register_dispute_committee<T: Config>(p: u32) {
	let from = p.saturating_add(T::MaxCommittee::get()).saturating_add(2);
	nodes::<T>(from, ChallengeTerms::<T>::get().replicas);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The largest campaign, participants and committee.
	#[benchmark]
	fn open_round() {
		let (version, owner) = base::<T>();
		nodes::<T>(0, T::MaxCommittee::get());
		let spec = RoundSpec {
			base: version,
			training: TrainingSpec {
				epochs: 1,
				batch_size: 32,
				optimizer: Optimizer::AdamW { lr: 1_000, weight_decay: 0 },
			},
			rule: AggregationRule {
				method: AggregationMethod::FedAvg,
				clip: None,
				max_samples: 1_000,
				server: None,
			},
			min_participants: 1,
			max_participants: T::MaxParticipants::get(),
			committee: T::MaxCommittee::get(),
			budget: T::Currency::minimum_balance().saturating_mul(1_000u32.into()),
			validation: LabelledFile { hash: validation().0, samples: VALIDATION },
			tolerance: Perbill::zero(),
			rounds: T::MaxCampaign::get(),
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), spec);

		assert_eq!(RoundCount::<T>::get(), 1);
	}

	/// The last participant joins, which starts the training.
	#[benchmark]
	fn join() {
		let p = T::MaxParticipants::get();
		let (round, _, participants) = round::<T>(p, 0);
		let (last, others) = participants.split_last().expect("at least one participant");
		for node in others {
			do_join::<T>(round, *node);
		}
		let signature = join_signature::<T>(round, *last);

		#[extrinsic_call]
		_(RawOrigin::Authorized, round, *last, 100, signature);

		assert!(matches!(Rounds::<T>::get(round).map(|r| r.phase), Some(Phase::Train { .. })));
	}

	/// The last participant commits, which opens the uploads.
	#[benchmark]
	fn commit_update() {
		let p = T::MaxParticipants::get();
		let (round, _, participants) = round::<T>(p, 0);
		for node in &participants {
			do_join::<T>(round, *node);
		}
		let (last, others) = participants.split_last().expect("at least one participant");
		for node in others {
			do_commit::<T>(Work::Update(round), *node, hash(&update(*node, 64)));
		}
		let (c, signature) = commit_args::<T>(Work::Update(round), *last, hash(&update(*last, 64)));

		#[extrinsic_call]
		_(RawOrigin::Authorized, round, *last, c, signature);

		assert!(matches!(Rounds::<T>::get(round).map(|r| r.phase), Some(Phase::Upload { .. })));
	}

	/// The last participant reveals an update of `d` bytes, which closes the uploads and
	/// chooses the committee.
	#[benchmark]
	fn reveal_update(d: Linear<1, { max_file::<T>() }>) {
		let p = T::MaxParticipants::get();
		let (round, _, participants) = round::<T>(p, 0);
		for node in &participants {
			do_join::<T>(round, *node);
		}
		let (last, others) = participants.split_last().expect("at least one participant");
		for node in others {
			do_commit::<T>(Work::Update(round), *node, hash(&update(*node, 64)));
		}
		let bytes = update(*last, d);
		do_commit::<T>(Work::Update(round), *last, hash(&bytes));
		for node in others {
			do_reveal_update::<T>(round, *node, update(*node, 64));
		}
		let signature = reveal_signature::<T>(Work::Update(round), *last, hash(&bytes));
		in_extrinsic::<T>(&bytes);

		#[extrinsic_call]
		_(RawOrigin::Authorized, round, *last, salt(*last), signature, bytes);

		assert!(matches!(Rounds::<T>::get(round).map(|r| r.phase), Some(Phase::Commit { .. })));
	}

	/// The last committee member commits, which opens the reveals.
	#[benchmark]
	fn commit_result() {
		let p = T::MaxParticipants::get();
		let (round, _, participants) = round::<T>(p, 0);
		let committee = to_committee::<T>(round, &participants);
		let good = result::<T>(p, 256, 0);
		let (last, others) = committee.split_last().expect("at least one member");
		for node in others {
			do_commit::<T>(Work::Result(round), *node, good.hash());
		}
		let (c, signature) = commit_args::<T>(Work::Result(round), *last, good.hash());

		#[extrinsic_call]
		_(RawOrigin::Authorized, round, *last, c, signature);

		assert!(matches!(Rounds::<T>::get(round).map(|r| r.phase), Some(Phase::Reveal { .. })));
	}

	/// The last committee member reveals and decides a round of `p` participants: a member
	/// outvoted and slashed, an invalid update slashed, the weights stored already and
	/// published, everyone paid at once, and the campaign's next round opened.
	#[benchmark]
	fn reveal_result(p: Linear<1, { T::MaxParticipants::get() }>) {
		let (round, _, participants) = round::<T>(p, 0);
		let committee = to_committee::<T>(round, &participants);
		let (good, bad) = (result::<T>(p, 256, 0), result::<T>(p, 256, 1));
		T::Content::benchmark_store(hash(&new_weights(256)), 256);
		committee_commits::<T>(round, &committee, &good, &bad);
		let (last, others) = committee.split_last().expect("at least one member");
		for (i, node) in others.iter().enumerate() {
			do_reveal_result::<T>(round, *node, if i == 0 { &bad } else { &good });
		}
		let signature = reveal_signature::<T>(Work::Result(round), *last, good.hash());

		#[extrinsic_call]
		_(RawOrigin::Authorized, round, *last, good.clone(), salt(*last), signature);

		assert!(matches!(Rounds::<T>::get(round).map(|r| r.phase), Some(Phase::Paid { .. })));
	}

	/// An agreeing member stores weights of `d` bytes, which publishes them, pays everyone
	/// at once and opens the campaign's next round.
	#[benchmark]
	fn upload_result(d: Linear<1, { max_file::<T>() }>) {
		let p = T::MaxParticipants::get();
		let (round, _, participants) = round::<T>(p, 0);
		let committee = to_committee::<T>(round, &participants);
		let good = result::<T>(p, d, 0);
		for node in &committee {
			do_commit::<T>(Work::Result(round), *node, good.hash());
		}
		for node in &committee {
			do_reveal_result::<T>(round, *node, &good);
		}
		let node = committee[0];
		let bytes = new_weights(d);
		let payload = Payload::Store { genesis: genesis::<T>(), round, node, hash: hash(&bytes) };
		let signature = sign::<T>(node, payload);
		in_extrinsic::<T>(&bytes);

		#[extrinsic_call]
		_(RawOrigin::Authorized, round, node, signature, bytes);

		assert!(matches!(Rounds::<T>::get(round).map(|r| r.phase), Some(Phase::Paid { .. })));
	}

	#[benchmark]
	fn cancel_round() {
		let (round, owner, _) = round::<T>(T::MaxParticipants::get(), 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), round);

		assert!(matches!(Rounds::<T>::get(round).map(|r| r.phase), Some(Phase::Failed { .. })));
	}

	#[benchmark]
	fn set_timing() {
		let timing = Timing::default();

		#[extrinsic_call]
		_(RawOrigin::Root, timing.clone());

		assert_eq!(RoundTiming::<T>::get(), timing);
	}

	#[benchmark]
	fn authorize_join() -> Result<(), BenchmarkError> {
		let (round, _, participants) = round::<T>(T::MaxParticipants::get(), 0);
		let node = participants[0];
		let call = Call::<T>::join {
			round,
			node,
			samples: 100,
			signature: join_signature::<T>(round, node),
		};

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("join is authorized")?
				.map_err(|_| "valid join")?;
		}

		Ok(())
	}

	#[benchmark]
	fn authorize_commit_update() -> Result<(), BenchmarkError> {
		let (round, _, participants) = round::<T>(T::MaxParticipants::get(), 0);
		for node in &participants {
			do_join::<T>(round, *node);
		}
		let node = participants[0];
		let (commitment, signature) =
			commit_args::<T>(Work::Update(round), node, hash(&update(node, 64)));
		let call = Call::<T>::commit_update { round, node, commitment, signature };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("commit_update is authorized")?
				.map_err(|_| "valid commit")?;
		}

		Ok(())
	}

	#[benchmark]
	fn authorize_reveal_update(d: Linear<1, { max_file::<T>() }>) -> Result<(), BenchmarkError> {
		let (round, _, participants) = round::<T>(T::MaxParticipants::get(), 0);
		for node in &participants {
			do_join::<T>(round, *node);
		}
		let node = participants[0];
		let bytes = update(node, d);
		do_commit::<T>(Work::Update(round), node, hash(&bytes));
		for other in participants.iter().skip(1) {
			do_commit::<T>(Work::Update(round), *other, hash(&update(*other, 64)));
		}
		let signature = reveal_signature::<T>(Work::Update(round), node, hash(&bytes));
		let call =
			Call::<T>::reveal_update { round, node, salt: salt(node), signature, update: bytes };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("reveal_update is authorized")?
				.map_err(|_| "valid reveal")?;
		}

		Ok(())
	}

	#[benchmark]
	fn authorize_commit_result() -> Result<(), BenchmarkError> {
		let p = T::MaxParticipants::get();
		let (round, _, participants) = round::<T>(p, 0);
		let committee = to_committee::<T>(round, &participants);
		let node = committee[0];
		let (commitment, signature) =
			commit_args::<T>(Work::Result(round), node, result::<T>(p, 256, 0).hash());
		let call = Call::<T>::commit_result { round, node, commitment, signature };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("commit_result is authorized")?
				.map_err(|_| "valid commit")?;
		}

		Ok(())
	}

	#[benchmark]
	fn authorize_reveal_result() -> Result<(), BenchmarkError> {
		let p = T::MaxParticipants::get();
		let (round, _, participants) = round::<T>(p, 0);
		let committee = to_committee::<T>(round, &participants);
		let good = result::<T>(p, 256, 0);
		for node in &committee {
			do_commit::<T>(Work::Result(round), *node, good.hash());
		}
		let node = committee[0];
		let signature = reveal_signature::<T>(Work::Result(round), node, good.hash());
		let call =
			Call::<T>::reveal_result { round, node, result: good, salt: salt(node), signature };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("reveal_result is authorized")?
				.map_err(|_| "valid reveal")?;
		}

		Ok(())
	}

	#[benchmark]
	fn authorize_upload_result(d: Linear<1, { max_file::<T>() }>) -> Result<(), BenchmarkError> {
		let p = T::MaxParticipants::get();
		let (round, _, participants) = round::<T>(p, 0);
		let committee = to_committee::<T>(round, &participants);
		let good = result::<T>(p, d, 0);
		for node in &committee {
			do_commit::<T>(Work::Result(round), *node, good.hash());
		}
		for node in &committee {
			do_reveal_result::<T>(round, *node, &good);
		}
		let node = committee[0];
		let bytes = new_weights(d);
		let payload = Payload::Store { genesis: genesis::<T>(), round, node, hash: hash(&bytes) };
		let call = Call::<T>::upload_result {
			round,
			node,
			signature: sign::<T>(node, payload),
			weights: bytes,
		};

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("upload_result is authorized")?
				.map_err(|_| "valid upload")?;
		}

		Ok(())
	}

	/// A settled round with the most participants is challenged: the bond is held and a
	/// dispute committee chosen.
	#[benchmark]
	fn challenge() {
		let p = T::MaxParticipants::get();
		let round = decided::<T>(p, 10);
		register_dispute_committee::<T>(p);
		let challenger = funded::<T>("challenger", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(challenger), round, Some(H256::repeat_byte(1)));

		assert!(matches!(Rounds::<T>::get(round).map(|r| r.phase), Some(Phase::Disputed { .. })));
	}

	#[benchmark]
	fn set_dispute_terms() {
		let terms = DisputeTerms { bond: T::DisputeBond::get(), replicas: 1 };

		#[extrinsic_call]
		_(RawOrigin::Root, terms.clone());

		assert_eq!(ChallengeTerms::<T>::get(), terms);
	}

	/// The last member of a dispute committee reveals a result that overturns the one a round
	/// of `p` participants settled on: the agreeing members are convicted, the challenger
	/// rewarded, and the round decided again, its corrected weights (stored already)
	/// published and everyone paid at once.
	#[benchmark]
	fn resolve_dispute(p: Linear<1, { T::MaxParticipants::get() }>) {
		let round = challenged::<T>(p);
		let committee: Vec<NodeId> = Rounds::<T>::get(round)
			.and_then(|r| r.dispute)
			.expect("benchmark setup: disputed")
			.ballot
			.nodes()
			.collect();
		let corrected = result::<T>(p, 257, 2);
		T::Content::benchmark_store(hash(&new_weights(257)), 257);
		for node in &committee {
			do_commit::<T>(Work::Result(round), *node, corrected.hash());
		}
		let (last, others) = committee.split_last().expect("at least one member");
		for node in others {
			do_reveal_result::<T>(round, *node, &corrected);
		}
		let signature = reveal_signature::<T>(Work::Result(round), *last, corrected.hash());

		#[block]
		{
			Pallet::<T>::reveal_result(
				RawOrigin::Authorized.into(),
				round,
				*last,
				corrected.clone(),
				salt(*last),
				signature,
			)
			.expect("benchmark: the reveal is valid");
		}

		let phase = Rounds::<T>::get(round).map(|r| r.phase);
		assert!(matches!(phase, Some(Phase::Paid { end: End::Published { .. }, .. })));
	}

	#[benchmark]
	fn set_auto_challenge() {
		let node = nodes::<T>(0, 1)[0];
		let owner: T::AccountId = account("node-owner", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node, true);

		assert!(AutoChallenge::<T>::contains_key(node));
	}

	/// The pool's check of an outvoted member's challenge for its owner, in a settled round with
	/// the most participants.
	#[benchmark]
	fn authorize_challenge_for_owner() -> Result<(), BenchmarkError> {
		let round = decided::<T>(T::MaxParticipants::get(), 10);
		// The first member revealed the other result (see `decided`).
		let outvoted = Rounds::<T>::get(round)
			.and_then(|r| r.committee.nodes().next())
			.ok_or("a committee")?;
		AutoChallenge::<T>::insert(outvoted, ());
		let payload = Payload::Challenge { genesis: genesis::<T>(), round, node: outvoted };
		let signature = sign::<T>(outvoted, payload);
		let call = Call::<T>::challenge_for_owner { round, node: outvoted, signature };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("challenge_for_owner is authorized")?
				.map_err(|_| "valid challenge")?;
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

	/// The upload window of a round with the most participants ends, all but one revealed:
	/// the committee is chosen (the costliest of the phase ends before the decision; its cost
	/// hardly depends on the participants, so it is measured at the most).
	#[benchmark]
	fn end_phase() {
		let (round, _, participants) = round::<T>(T::MaxParticipants::get(), 0);
		to_upload::<T>(round, &participants);
		let (last, others) = participants.split_last().expect("at least one participant");
		for node in others {
			do_reveal_update::<T>(round, *node, update(*node, 64));
		}
		// The last never reveals: the uploads close at the window's end with the others' updates
		// (the minimum is lowered so that the round goes on).
		let _ = last;
		Rounds::<T>::mutate(round, |record| {
			if let Some(record) = record {
				record.spec.min_participants = 1;
			}
		});
		let now = to_deadline::<T>(Queue::Upload);

		#[block]
		{
			Pallet::<T>::expire(now);
		}

		let phase = Rounds::<T>::get(round).map(|r| r.phase);
		assert!(matches!(phase, Some(Phase::Commit { .. } | Phase::Failed { .. })));
	}

	/// The challenge window of a round with `p` participants ends: they and the committee
	/// are paid.
	#[benchmark]
	fn payout(p: Linear<1, { T::MaxParticipants::get() }>) {
		let round = decided::<T>(p, 1);
		let now = to_deadline::<T>(Queue::Payout);

		#[block]
		{
			Pallet::<T>::expire(now);
		}

		assert!(matches!(Rounds::<T>::get(round).map(|r| r.phase), Some(Phase::Paid { .. })));
	}

	/// A closed round with `p` participants is removed after its retention.
	#[benchmark]
	fn remove_round(p: Linear<1, { T::MaxParticipants::get() }>) {
		let round = decided::<T>(p, 1);
		let at = to_deadline::<T>(Queue::Payout);
		Pallet::<T>::expire(at);
		let now = to_deadline::<T>(Queue::Prune);

		#[block]
		{
			Pallet::<T>::expire(now);
		}

		assert!(!Rounds::<T>::contains_key(round));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
