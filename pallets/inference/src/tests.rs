//! Tests of every call (success and each error), the pool's checks of commits and reveals, and
//! the settlement rules: quorum reached early or at the window's end or not at all, a minority
//! outvoted, missed commits (replaced once) and missed reveals, escrow and payouts, removal; and
//! disputes: confirmed, overturned, escalated and unresolved, with their accounting.

use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
		traits::{fungible::InspectHold, Authorize, Hooks},
	},
	frame_system::RawOrigin,
	sp_runtime::{traits::BlakeTwo256, DispatchError, DispatchResult, RuntimeAppPublic},
};
use swarm_primitives::commit_reveal::{commitment, Vote};

fn authorized() -> RuntimeOrigin {
	RawOrigin::Authorized.into()
}

fn escrow(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::JobEscrow.into(), &who)
}

fn free(who: u64) -> u64 {
	Balances::free_balance(who)
}

/// `samples` samples of the mock model's 1 × 2 × 2 input.
fn inline(samples: u32) -> JobInput<Test> {
	JobInput::Inline { samples, data: vec![7u8; samples as usize * 4].try_into().unwrap() }
}

/// An output for one sample whose first score is `score`.
fn output(score: i32) -> InferenceOutput<Test> {
	InferenceOutput {
		labels: vec![0].try_into().unwrap(),
		logits: vec![score, -1, -2].try_into().unwrap(),
	}
}

/// Alice requests one sample with `replicas` replicas; returns the job id.
fn request(replicas: u32) -> JobId {
	let job = NextJobId::<Test>::get();
	assert_ok!(Inference::request(
		RuntimeOrigin::signed(ALICE),
		1,
		inline(1),
		Some(replicas),
		1_000
	));
	job
}

fn seats(job: JobId) -> Vec<NodeId> {
	Jobs::<Test>::get(job).unwrap().ballot.nodes().collect()
}

fn salt(node: NodeId) -> Salt {
	[node as u8 + 1; 32]
}

fn genesis() -> H256 {
	System::block_hash(0)
}

fn commitment_of(job: JobId, node: NodeId, out: &InferenceOutput<Test>) -> H256 {
	commitment::<BlakeTwo256>(&job, node, &out.hash(), &salt(node))
}

fn commit_signature(job: JobId, node: NodeId, key: usize, c: &H256) -> WorkerSignature {
	worker_key(key).sign(&commit_payload(&genesis(), job, node, c)).unwrap()
}

fn reveal_signature(
	job: JobId,
	node: NodeId,
	key: usize,
	out: &InferenceOutput<Test>,
) -> WorkerSignature {
	worker_key(key).sign(&reveal_payload(&genesis(), job, node, &out.hash(), &salt(node))).unwrap()
}

/// `node` commits to `out`, signed with its own key.
fn commit(job: JobId, node: NodeId, out: &InferenceOutput<Test>) -> DispatchResult {
	let c = commitment_of(job, node, out);
	let key = key_of(node);
	Inference::commit(authorized(), job, node, c, commit_signature(job, node, key, &c))
}

/// The index in `KEY_SEEDS` of `node`'s worker key.
fn key_of(node: NodeId) -> usize {
	MockNodes::get()[node as usize].key
}

/// `node` reveals `out`, signed with its own key.
fn reveal(job: JobId, node: NodeId, out: &InferenceOutput<Test>) -> DispatchResult {
	let signature = reveal_signature(job, node, key_of(node), out);
	Inference::reveal(authorized(), job, node, out.clone(), salt(node), signature)
}

fn phase(job: JobId) -> Phase<u64> {
	Jobs::<Test>::get(job).unwrap().phase
}

fn outcomes(job: JobId) -> Vec<(NodeId, Outcome)> {
	Jobs::<Test>::get(job).unwrap().outcomes.into_inner()
}

fn node(id: NodeId) -> MockNode {
	MockNodes::get()[id as usize].clone()
}

fn rejected(code: WorkRejection) -> Result<(), TransactionValidityError> {
	Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(code as u8)))
}

fn pool_commit(
	job: JobId,
	node: NodeId,
	key: usize,
	c: H256,
) -> Result<(), TransactionValidityError> {
	let signature = commit_signature(job, node, key, &c);
	Call::<Test>::commit { job, node, commitment: c, signature }
		.authorize(TransactionSource::External)
		.expect("commit is an authorized call")
		.map(|_| ())
}

fn pool_reveal(
	job: JobId,
	node: NodeId,
	key: usize,
	out: &InferenceOutput<Test>,
) -> Result<(), TransactionValidityError> {
	let signature = reveal_signature(job, node, key, out);
	Call::<Test>::reveal { job, node, output: out.clone(), salt: salt(node), signature }
		.authorize(TransactionSource::External)
		.expect("reveal is an authorized call")
		.map(|_| ())
}

// SET PRICE

#[test]
fn set_price_offers_a_model_or_a_version_and_withdraws_it() {
	build_and_execute(|| {
		assert_ok!(Inference::set_price(
			RuntimeOrigin::signed(OWNER),
			PriceTarget::Version(1),
			Some(7)
		));
		assert_eq!(Prices::<Test>::get(PriceTarget::Version(1)), Some(7));
		System::assert_last_event(
			Event::PriceSet { target: PriceTarget::Version(1), price: Some(7) }.into(),
		);
		// The version's price takes precedence over the model's.
		request(1);
		assert_eq!(escrow(ALICE), 7 + NODE_FEE);
		assert_ok!(Inference::set_price(RuntimeOrigin::signed(OWNER), PriceTarget::Model(1), None));
		assert_eq!(Prices::<Test>::get(PriceTarget::Model(1)), None);
		System::assert_last_event(
			Event::PriceSet { target: PriceTarget::Model(1), price: None }.into(),
		);
	});
}

#[test]
fn set_price_names_each_error() {
	build_and_execute(|| {
		assert_noop!(
			Inference::set_price(RuntimeOrigin::signed(OWNER), PriceTarget::Model(9), Some(1)),
			Error::<Test>::UnknownModel
		);
		assert_noop!(
			Inference::set_price(RuntimeOrigin::signed(OWNER), PriceTarget::Version(9), Some(1)),
			Error::<Test>::UnknownVersion
		);
		assert_noop!(
			Inference::set_price(RuntimeOrigin::signed(ALICE), PriceTarget::Model(1), Some(1)),
			Error::<Test>::NotModelOwner
		);
		assert_noop!(
			Inference::set_price(RuntimeOrigin::signed(ALICE), PriceTarget::Version(1), Some(1)),
			Error::<Test>::NotModelOwner
		);
		assert_noop!(
			Inference::set_price(RawOrigin::None.into(), PriceTarget::Model(1), Some(1)),
			DispatchError::BadOrigin
		);
	});
}

// REQUEST

#[test]
fn request_holds_the_escrow_and_seats_the_nodes() {
	build_and_execute(|| {
		let job = request(3);
		let record = Jobs::<Test>::get(job).unwrap();
		let nodes = seats(job);
		assert_eq!(nodes.len(), 3);
		assert_eq!((record.price, record.node_fee, record.quorum), (PRICE, 3 * NODE_FEE, 2));
		assert_eq!(record.phase, Phase::Commit { until: 1 + 3 });
		assert_eq!((record.model, record.owner, record.classes), (1, OWNER, 3));
		assert_eq!(escrow(ALICE), PRICE + 3 * NODE_FEE);
		for n in &nodes {
			assert!(Assignments::<Test>::contains_key(n, job));
		}
		assert_eq!((NextJobId::<Test>::get(), JobCount::<Test>::get()), (1, 1));
		assert_eq!(QueueItems::<Test>::get(Queue::Commit, 0), Some(QueueItem { job, at: 5 }));
		System::assert_last_event(
			Event::JobRequested {
				job,
				requester: ALICE,
				version: 1,
				nodes,
				price: PRICE,
				node_fee: 3 * NODE_FEE,
			}
			.into(),
		);
	});
}

#[test]
fn request_defaults_to_three_replicas_and_takes_an_input_file() {
	build_and_execute(|| {
		let file = H256::repeat_byte(0xF1);
		Stored::mutate(|s| s.push((file, 8)));
		assert_ok!(Inference::request(
			RuntimeOrigin::signed(ALICE),
			1,
			JobInput::File { samples: 2, hash: file },
			None,
			1_000
		));
		assert_eq!(seats(0).len(), 3);
	});
}

#[test]
fn request_refuses_versions_it_cannot_run() {
	build_and_execute(|| {
		let ask = |version| {
			Inference::request(RuntimeOrigin::signed(ALICE), version, inline(1), None, 1_000)
		};
		assert_noop!(ask(9), Error::<Test>::UnknownVersion);
		let mut deprecated = served(2);
		deprecated.deprecated = true;
		let mut unstored = served(3);
		unstored.weights_hash = H256::repeat_byte(0xEE);
		let mut by_hash = served(1);
		by_hash.config = None;
		let mut json = served(1);
		json.config = Some(b"{\"kind\":\"mlp\"}".to_vec());
		let mut unpriced = served(1);
		unpriced.model = 2;
		Versions::mutate(|v| {
			v.extend([(2, deprecated), (3, unstored), (4, by_hash), (5, json), (6, unpriced)])
		});
		assert_noop!(ask(2), Error::<Test>::VersionDeprecated);
		assert_noop!(ask(3), Error::<Test>::WeightsNotStored);
		assert_noop!(ask(4), Error::<Test>::UnsupportedConfig);
		assert_noop!(ask(5), Error::<Test>::UnsupportedConfig);
		assert_noop!(ask(6), Error::<Test>::NotOffered);
	});
}

#[test]
fn request_refuses_bad_inputs() {
	build_and_execute(|| {
		let ask = |input| Inference::request(RuntimeOrigin::signed(ALICE), 1, input, None, 1_000);
		assert_noop!(ask(inline(0)), Error::<Test>::NoSamples);
		assert_noop!(
			ask(JobInput::File { samples: 5, hash: weights_hash(1) }),
			Error::<Test>::TooManySamples
		);
		let short = JobInput::Inline { samples: 2, data: vec![1u8; 7].try_into().unwrap() };
		assert_noop!(ask(short), Error::<Test>::InputSizeMismatch);
		assert_noop!(
			ask(JobInput::File { samples: 1, hash: H256::repeat_byte(0xAB) }),
			Error::<Test>::InputFileNotStored
		);
		// The weights file is stored, but is not one sample of 4 bytes.
		assert_noop!(
			ask(JobInput::File { samples: 1, hash: weights_hash(1) }),
			Error::<Test>::InputSizeMismatch
		);
		// Four samples of a four-class model would be 16 scores, more than MaxLogits (12).
		let mut four_classes = served(1);
		let mut config = mlp_config();
		config[14..18].copy_from_slice(&4u32.to_le_bytes());
		four_classes.config = Some(config);
		Versions::mutate(|v| v.push((7, four_classes)));
		assert_noop!(
			Inference::request(RuntimeOrigin::signed(ALICE), 7, inline(4), None, 1_000),
			Error::<Test>::OutputTooLarge
		);
		assert_ok!(Inference::request(RuntimeOrigin::signed(ALICE), 7, inline(3), None, 1_000));
	});
}

#[test]
fn request_refuses_bad_replicas_fees_and_balances() {
	build_and_execute(|| {
		let ask = |who, replicas, max_fee| {
			Inference::request(RuntimeOrigin::signed(who), 1, inline(1), Some(replicas), max_fee)
		};
		assert_noop!(ask(ALICE, 0, 1_000), Error::<Test>::BadReplicas);
		assert_noop!(ask(ALICE, 6, 1_000), Error::<Test>::BadReplicas);
		assert_noop!(ask(ALICE, 3, PRICE + 3 * NODE_FEE - 1), Error::<Test>::FeeAboveMax);
		assert_noop!(ask(PAUPER, 1, 1_000), Error::<Test>::InsufficientBalance);
		MockNodes::mutate(|nodes| nodes[0].eligible = false);
		assert_noop!(ask(ALICE, 5, 1_000), Error::<Test>::NotEnoughNodes);
		// Nodes with too little memory for the weights do not count.
		MockNodes::mutate(|nodes| nodes.iter_mut().for_each(|n| n.memory_mib = 0));
		assert_noop!(ask(ALICE, 1, 1_000), Error::<Test>::NotEnoughNodes);
		assert_noop!(
			Inference::request(RawOrigin::None.into(), 1, inline(1), None, 1_000),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn request_refuses_more_than_max_open_jobs() {
	build_and_execute(|| {
		for _ in 0..8 {
			request(1);
		}
		assert_noop!(
			Inference::request(RuntimeOrigin::signed(ALICE), 1, inline(1), Some(1), 1_000),
			Error::<Test>::TooManyJobs
		);
	});
}

// COMMIT

#[test]
fn commit_records_the_commitment_and_the_last_one_opens_the_reveal() {
	build_and_execute(|| {
		let job = request(3);
		let nodes = seats(job);
		let out = output(5);
		assert_eq!(
			pool_commit(job, nodes[0], nodes[0] as usize, commitment_of(job, nodes[0], &out)),
			Ok(())
		);
		assert_ok!(commit(job, nodes[0], &out));
		System::assert_last_event(Event::Committed { job, node: nodes[0] }.into());
		assert_eq!(
			Jobs::<Test>::get(job).unwrap().ballot.seats()[0].vote,
			Vote::Committed(commitment_of(job, nodes[0], &out))
		);
		assert_ok!(commit(job, nodes[1], &out));
		assert!(matches!(phase(job), Phase::Commit { .. }));
		assert_ok!(commit(job, nodes[2], &out));
		assert_eq!(phase(job), Phase::Reveal { until: 1 + 3 });
		System::assert_last_event(Event::RevealOpened { job, until: 4 }.into());
	});
}

#[test]
fn commit_names_each_error_and_the_pool_refuses_it() {
	build_and_execute(|| {
		let job = request(2);
		let nodes = seats(job);
		let stranger = (0..5).find(|n| !nodes.contains(n)).unwrap();
		let out = output(5);
		let c = commitment_of(job, nodes[0], &out);
		assert_noop!(
			Inference::commit(
				authorized(),
				9,
				nodes[0],
				c,
				commit_signature(9, nodes[0], nodes[0] as usize, &c)
			),
			Error::<Test>::UnknownJob
		);
		assert_eq!(
			pool_commit(9, nodes[0], nodes[0] as usize, c),
			rejected(WorkRejection::UnknownJob)
		);
		assert_noop!(commit(job, stranger, &out), Error::<Test>::NotAssigned);
		assert_eq!(
			pool_commit(job, stranger, stranger as usize, c),
			rejected(WorkRejection::NotAssigned)
		);
		// Signed by another node's key: a forgery.
		assert_noop!(
			Inference::commit(
				authorized(),
				job,
				nodes[0],
				c,
				commit_signature(job, nodes[0], 5, &c)
			),
			Error::<Test>::BadSignature
		);
		assert_eq!(pool_commit(job, nodes[0], 5, c), rejected(WorkRejection::BadSignature));
		assert_ok!(commit(job, nodes[0], &out));
		assert_noop!(commit(job, nodes[0], &out), Error::<Test>::AlreadyCommitted);
		assert_eq!(
			pool_commit(job, nodes[0], nodes[0] as usize, c),
			rejected(WorkRejection::AlreadyCommitted)
		);
		// Signed by an account instead of the worker key: refused.
		assert_noop!(
			Inference::commit(
				RuntimeOrigin::signed(ALICE),
				job,
				nodes[1],
				c,
				commit_signature(job, nodes[1], nodes[1] as usize, &c)
			),
			DispatchError::BadOrigin
		);
		// After the commit window (no node to take the missing seat: the job ends).
		MockNodes::mutate(|all| all.iter_mut().for_each(|n| n.eligible = false));
		run_to_block(5);
		assert_noop!(commit(job, nodes[1], &out), Error::<Test>::WrongPhase);
		assert_eq!(
			pool_commit(job, nodes[1], nodes[1] as usize, c),
			rejected(WorkRejection::WrongPhase)
		);
	});
}

// REVEAL

#[test]
fn three_agreeing_reveals_settle_at_once_and_pay_everyone() {
	build_and_execute(|| {
		let job = request(3);
		let nodes = seats(job);
		let out = output(5);
		for n in &nodes {
			assert_ok!(commit(job, *n, &out));
		}
		assert_eq!(pool_reveal(job, nodes[0], nodes[0] as usize, &out), Ok(()));
		assert_ok!(reveal(job, nodes[0], &out));
		System::assert_last_event(
			Event::Revealed { job, node: nodes[0], result: out.hash() }.into(),
		);
		assert_ok!(reveal(job, nodes[1], &out));
		// The quorum (2 of 3) is there, but the third committed node may still reveal.
		assert!(matches!(phase(job), Phase::Reveal { .. }));
		let owner_before = free(OWNER);
		assert_ok!(reveal(job, nodes[2], &out));
		assert_eq!(phase(job), Phase::Paid { result: out.hash() });
		assert_eq!(Outputs::<Test>::get(job, out.hash()), Some(out.clone()));
		assert_eq!(free(OWNER), owner_before + PRICE);
		assert_eq!(escrow(ALICE), 0);
		assert_eq!(free(ALICE), 10_000 - PRICE - 3 * NODE_FEE);
		for n in &nodes {
			assert_eq!(free(100 + n), NODE_FEE);
			assert_eq!(node(*n).reputation, 1);
			assert_eq!(node(*n).credited, vec![WorkId::Job(job)]);
		}
		assert_eq!(outcomes(job), nodes.iter().map(|n| (*n, Outcome::Agreed)).collect::<Vec<_>>());
		System::assert_has_event(
			Event::JobSettled { job, result: out.hash(), agreed: 3, price: PRICE }.into(),
		);
		System::assert_has_event(
			Event::NodeOutcome { job, node: nodes[2], outcome: Outcome::Agreed }.into(),
		);
		System::assert_last_event(Event::NodesPaid { job, amount: 3 * NODE_FEE, nodes: 3 }.into());
	});
}

#[test]
fn reveal_is_refused_outside_the_reveal_window() {
	build_and_execute(|| {
		let job = request(3);
		let nodes = seats(job);
		let out = output(5);
		assert_ok!(commit(job, nodes[0], &out));
		assert_ok!(commit(job, nodes[1], &out));
		// Not yet in the reveal phase.
		assert_noop!(reveal(job, nodes[0], &out), Error::<Test>::WrongPhase);
		assert_eq!(
			pool_reveal(job, nodes[0], nodes[0] as usize, &out),
			rejected(WorkRejection::WrongPhase)
		);
		// Nor after the reveal window.
		assert_ok!(commit(job, nodes[2], &out));
		run_to_block(5);
		assert_noop!(reveal(job, nodes[0], &out), Error::<Test>::WrongPhase);
	});
}

#[test]
fn reveal_refuses_mismatches_forgeries_repeats_and_malformed_outputs() {
	build_and_execute(|| {
		let job = request(3);
		let nodes = seats(job);
		let out = output(5);
		let stranger = (0..5).find(|n| !nodes.contains(n)).unwrap();
		for n in &nodes[..2] {
			assert_ok!(commit(job, *n, &out));
		}
		// The third commits to an output that is not well formed (a label that is no class).
		let bad = InferenceOutput::<Test> {
			labels: vec![3].try_into().unwrap(),
			logits: vec![1, 2, 3].try_into().unwrap(),
		};
		assert_ok!(commit(job, nodes[2], &bad));
		assert_eq!(phase(job), Phase::Reveal { until: 4 });
		assert_noop!(reveal(9, nodes[0], &out), Error::<Test>::UnknownJob);
		assert_noop!(reveal(job, stranger, &out), Error::<Test>::NotAssigned);
		// Another output than the one committed to.
		assert_noop!(reveal(job, nodes[0], &output(6)), Error::<Test>::CommitmentMismatch);
		assert_eq!(
			pool_reveal(job, nodes[0], nodes[0] as usize, &output(6)),
			rejected(WorkRejection::Mismatch)
		);
		// A copy of node 0's reveal sent for node 1 (same salt): node 1's commitment differs.
		let copied = reveal_signature(job, nodes[1], nodes[1] as usize, &out);
		assert_noop!(
			Inference::reveal(authorized(), job, nodes[1], out.clone(), salt(nodes[0]), copied),
			Error::<Test>::CommitmentMismatch
		);
		let forged = reveal_signature(job, nodes[0], 5, &out);
		assert_noop!(
			Inference::reveal(authorized(), job, nodes[0], out.clone(), salt(nodes[0]), forged),
			Error::<Test>::BadSignature
		);
		assert_eq!(pool_reveal(job, nodes[0], 5, &out), rejected(WorkRejection::BadSignature));
		assert_noop!(reveal(job, nodes[2], &bad), Error::<Test>::MalformedOutput);
		assert_eq!(
			pool_reveal(job, nodes[2], nodes[2] as usize, &bad),
			rejected(WorkRejection::Malformed)
		);
		assert_ok!(reveal(job, nodes[0], &out));
		assert_noop!(reveal(job, nodes[0], &out), Error::<Test>::AlreadyRevealed);
		assert_eq!(
			pool_reveal(job, nodes[0], nodes[0] as usize, &out),
			rejected(WorkRejection::AlreadyRevealed)
		);
	});
}

#[test]
fn a_node_that_did_not_commit_cannot_reveal() {
	build_and_execute(|| {
		let job = request(3);
		let nodes = seats(job);
		let out = output(5);
		assert_ok!(commit(job, nodes[0], &out));
		assert_ok!(commit(job, nodes[1], &out));
		// No replacement: every other node is seated or excluded.
		MockNodes::mutate(|all| all.iter_mut().for_each(|n| n.eligible = false));
		run_to_block(5);
		assert_eq!(phase(job), Phase::Reveal { until: 5 + 3 });
		assert_noop!(reveal(job, nodes[2], &out), Error::<Test>::NotCommitted);
		assert_eq!(
			pool_reveal(job, nodes[2], nodes[2] as usize, &out),
			rejected(WorkRejection::NotCommitted)
		);
	});
}

// SETTLEMENT

#[test]
fn an_outvoted_node_is_slashed_and_the_agreeing_ones_are_paid() {
	build_and_execute(|| {
		let job = request(4);
		let nodes = seats(job);
		let (good, wrong) = (output(5), output(-9));
		for n in &nodes[..3] {
			assert_ok!(commit(job, *n, &good));
		}
		assert_ok!(commit(job, nodes[3], &wrong));
		assert_ok!(reveal(job, nodes[3], &wrong));
		for n in &nodes[..3] {
			assert_ok!(reveal(job, *n, &good));
		}
		assert_eq!(phase(job), Phase::Paid { result: good.hash() });
		assert_eq!(node(nodes[3]).slashed, 40);
		assert_eq!(node(nodes[3]).reputation, -1);
		System::assert_has_event(Event::NodeSlashed { job, node: nodes[3], amount: 40 }.into());
		System::assert_has_event(
			Event::NodeOutcome { job, node: nodes[3], outcome: Outcome::Outvoted }.into(),
		);
		// The whole nodes' fee is split between the three that agreed.
		for n in &nodes[..3] {
			assert_eq!(free(100 + n), 4 * NODE_FEE / 3);
			assert_eq!(node(*n).slashed, 0);
		}
		assert_eq!(free(100 + nodes[3]), 0);
		// Only the agreed output is kept.
		assert_eq!(Outputs::<Test>::iter_prefix(job).count(), 1);
	});
}

#[test]
fn a_missing_reveal_settles_at_the_windows_end_and_counts_as_a_miss() {
	build_and_execute(|| {
		let job = request(3);
		let nodes = seats(job);
		let out = output(5);
		for n in &nodes {
			assert_ok!(commit(job, *n, &out));
		}
		assert_ok!(reveal(job, nodes[0], &out));
		assert_ok!(reveal(job, nodes[1], &out));
		run_to_block(4);
		assert!(matches!(phase(job), Phase::Reveal { .. }));
		run_to_block(5);
		assert_eq!(phase(job), Phase::Paid { result: out.hash() });
		assert_eq!(outcomes(job)[2], (nodes[2], Outcome::MissedReveal));
		assert_eq!(Misses::<Test>::get(nodes[2]), 1);
		assert_eq!(node(nodes[2]).reputation, -1);
		assert_eq!(free(100 + nodes[2]), 0);
		assert_eq!(free(100 + nodes[0]), 3 * NODE_FEE / 2);
	});
}

#[test]
fn a_seat_that_misses_its_commit_is_given_to_another_node_once() {
	build_and_execute(|| {
		let job = request(3);
		let nodes = seats(job);
		let out = output(5);
		assert_ok!(commit(job, nodes[0], &out));
		assert_ok!(commit(job, nodes[1], &out));
		run_to_block(5);
		let now_seated = seats(job);
		let by = now_seated[2];
		assert!(!nodes.contains(&by));
		assert_eq!(LastExcluded::get(), nodes);
		assert_eq!(phase(job), Phase::Commit { until: 5 + 3 });
		assert!(Assignments::<Test>::contains_key(by, job));
		assert!(!Assignments::<Test>::contains_key(nodes[2], job));
		System::assert_has_event(Event::SeatReplaced { job, missed: nodes[2], by }.into());
		assert_eq!(Misses::<Test>::get(nodes[2]), 1);
		// The new node commits; everyone reveals; the missed node's outcome stays recorded.
		assert_ok!(commit(job, by, &out));
		for n in &now_seated {
			assert_ok!(reveal(job, *n, &out));
		}
		assert_eq!(phase(job), Phase::Paid { result: out.hash() });
		assert_eq!(outcomes(job)[0], (nodes[2], Outcome::MissedCommit));
		assert_eq!(free(100 + by), NODE_FEE);
	});
}

#[test]
fn a_replacement_that_also_misses_is_not_replaced_again() {
	build_and_execute(|| {
		let job = request(3);
		let nodes = seats(job);
		let out = output(5);
		assert_ok!(commit(job, nodes[0], &out));
		assert_ok!(commit(job, nodes[1], &out));
		run_to_block(5);
		let by = seats(job)[2];
		run_to_block(9);
		// Two committed of three: the quorum can still be reached; the reveal window opens.
		assert_eq!(phase(job), Phase::Reveal { until: 9 + 3 });
		assert_eq!(seats(job)[2], by);
		assert_ok!(reveal(job, nodes[0], &out));
		assert_ok!(reveal(job, nodes[1], &out));
		assert_eq!(phase(job), Phase::Paid { result: out.hash() });
		assert_eq!(outcomes(job).last(), Some(&(by, Outcome::MissedCommit)));
	});
}

#[test]
fn too_few_commits_refund_the_requester() {
	build_and_execute(|| {
		let job = request(3);
		let nodes = seats(job);
		assert_ok!(commit(job, nodes[0], &output(5)));
		MockNodes::mutate(|all| all.iter_mut().for_each(|n| n.eligible = false));
		run_to_block(5);
		assert_eq!(phase(job), Phase::Failed { reason: FailReason::TooFewCommits });
		assert_eq!((escrow(ALICE), free(ALICE)), (0, 10_000));
		System::assert_has_event(
			Event::JobFailed {
				job,
				reason: FailReason::TooFewCommits,
				refunded: PRICE + 3 * NODE_FEE,
			}
			.into(),
		);
		assert_eq!(
			outcomes(job),
			vec![
				(nodes[0], Outcome::MissedReveal),
				(nodes[1], Outcome::MissedCommit),
				(nodes[2], Outcome::MissedCommit)
			]
		);
	});
}

#[test]
fn no_quorum_refunds_as_soon_as_it_is_out_of_reach() {
	build_and_execute(|| {
		let job = request(3);
		let nodes = seats(job);
		for (i, n) in nodes.iter().enumerate() {
			assert_ok!(commit(job, *n, &output(i as i32)));
		}
		assert_ok!(reveal(job, nodes[0], &output(0)));
		assert_ok!(reveal(job, nodes[1], &output(1)));
		// Node 2 could still agree with either.
		assert!(matches!(phase(job), Phase::Reveal { .. }));
		assert_ok!(reveal(job, nodes[2], &output(2)));
		assert_eq!(phase(job), Phase::Failed { reason: FailReason::NoQuorum });
		assert_eq!((escrow(ALICE), free(ALICE)), (0, 10_000));
		assert!(outcomes(job).iter().all(|(_, o)| *o == Outcome::Inconclusive));
		assert!(nodes.iter().all(|n| node(*n).slashed == 0 && node(*n).reputation == 0));
	});
}

#[test]
fn no_quorum_at_the_reveal_windows_end_refunds_too() {
	build_and_execute(|| {
		let job = request(3);
		let nodes = seats(job);
		for n in &nodes {
			assert_ok!(commit(job, *n, &output(*n as i32)));
		}
		assert_ok!(reveal(job, nodes[0], &output(nodes[0] as i32)));
		run_to_block(5);
		assert_eq!(phase(job), Phase::Failed { reason: FailReason::NoQuorum });
		assert_eq!(escrow(ALICE), 0);
	});
}

#[test]
fn nodes_are_paid_after_the_challenge_window() {
	build_and_execute(|| {
		assert_ok!(Inference::set_timing(
			RawOrigin::Root.into(),
			Timing { challenge_window: 5, ..short_timing() }
		));
		let job = request(1);
		let n = seats(job)[0];
		let out = output(5);
		assert_ok!(commit(job, n, &out));
		assert_ok!(reveal(job, n, &out));
		assert_eq!(phase(job), Phase::Settled { result: out.hash(), payout_at: 6 });
		assert_eq!(escrow(ALICE), NODE_FEE);
		assert_eq!(free(100 + n), 0);
		run_to_block(5);
		assert_eq!(free(100 + n), 0);
		run_to_block(6);
		assert_eq!(phase(job), Phase::Paid { result: out.hash() });
		assert_eq!((escrow(ALICE), free(100 + n)), (0, NODE_FEE));
	});
}

#[test]
fn closed_jobs_are_removed_after_the_retention_period() {
	build_and_execute(|| {
		let job = request(1);
		let n = seats(job)[0];
		let out = output(5);
		assert_ok!(commit(job, n, &out));
		assert_ok!(reveal(job, n, &out));
		run_to_block(10);
		assert!(Jobs::<Test>::contains_key(job));
		run_to_block(11);
		assert!(!Jobs::<Test>::contains_key(job));
		assert!(!Assignments::<Test>::contains_key(n, job));
		assert_eq!(Outputs::<Test>::iter_prefix(job).count(), 0);
		assert_eq!(JobCount::<Test>::get(), 0);
		System::assert_has_event(Event::JobRemoved { job }.into());
	});
}

#[test]
fn a_node_that_misses_three_times_in_a_row_is_jailed() {
	build_and_execute(|| {
		// Only node 0 may work, and it never commits.
		MockNodes::mutate(|all| all.iter_mut().skip(1).for_each(|n| n.eligible = false));
		for round in 0..3u64 {
			let job = request(1);
			assert_eq!(seats(job), vec![0]);
			run_to_block(System::block_number() + 4);
			assert_eq!(phase(job), Phase::Failed { reason: FailReason::TooFewCommits }, "{round}");
		}
		assert_eq!(node(0).jailed_for, 50);
		assert_eq!(Misses::<Test>::get(0), 0);
		System::assert_has_event(Event::NodeJailed { node: 0, misses: 3 }.into());
	});
}

#[test]
fn agreeing_resets_the_misses() {
	build_and_execute(|| {
		Misses::<Test>::insert(0, 2);
		MockNodes::mutate(|all| all.iter_mut().skip(1).for_each(|n| n.eligible = false));
		let job = request(1);
		assert_ok!(commit(job, 0, &output(1)));
		assert_ok!(reveal(job, 0, &output(1)));
		assert_eq!(Misses::<Test>::get(0), 0);
	});
}

#[test]
fn the_hook_acts_on_at_most_max_expiries_per_block() {
	build_and_execute(|| {
		for _ in 0..6 {
			request(1);
		}
		MockNodes::mutate(|all| all.iter_mut().for_each(|n| n.eligible = false));
		let one_seat = Inference::deadline_weight(&Jobs::<Test>::get(0).unwrap());
		System::set_block_number(5);
		let weight = Inference::on_initialize(5);
		let failed = |n| (0..6).filter(|j| matches!(phase(*j), Phase::Failed { .. })).count() == n;
		assert!(failed(4));
		assert_eq!(
			weight,
			<() as WeightInfo>::on_initialize_idle().saturating_add(one_seat.saturating_mul(4))
		);
		System::set_block_number(6);
		Inference::on_initialize(6);
		assert!(failed(6));
	});
}

#[test]
fn each_deadline_is_charged_for_its_own_job() {
	build_and_execute(|| {
		MockNodes::mutate(|all| all.iter_mut().skip(1).for_each(|n| n.eligible = false));
		let job = request(1);
		let own = Inference::deadline_weight(&Jobs::<Test>::get(job).unwrap());
		assert!(own.all_lt(Inference::expiry_weight()), "one seat costs less than the most");
		// The only seat commits at once: the reveal window opens, due at block 5 like the commit
		// window's end, which finds the job past it.
		assert_ok!(commit(job, 0, &output(1)));
		System::set_block_number(5);
		let weight = Inference::on_initialize(5);
		assert!(matches!(phase(job), Phase::Failed { .. }), "nobody revealed");
		assert_eq!(
			weight,
			<() as WeightInfo>::on_initialize_idle()
				.saturating_add(Inference::stale_deadline_weight())
				.saturating_add(own)
		);
	});
}

#[test]
fn a_disputed_jobs_deadlines_are_charged_the_most_any_deadline_takes() {
	build_and_execute(|| {
		dispute_setup();
		let (wrong, good) = (output(-9), output(5));
		let (job, _) = wrongly_settled(&wrong, &good);
		let settled = Jobs::<Test>::get(job).unwrap();
		assert!(Inference::deadline_weight(&settled).all_lt(Inference::expiry_weight()));
		fresh_nodes();
		assert_ok!(Inference::challenge(RuntimeOrigin::signed(CHALLENGER), job, None));
		let disputed = Jobs::<Test>::get(job).unwrap();
		assert_eq!(Inference::deadline_weight(&disputed), Inference::expiry_weight());
	});
}

// SET TIMING

#[test]
fn set_timing_changes_the_windows_of_new_jobs() {
	build_and_execute(|| {
		let timing = Timing { commit_window: 7, job_timeout: 10, ..short_timing() };
		assert_ok!(Inference::set_timing(RawOrigin::Root.into(), timing.clone()));
		assert_eq!(JobTiming::<Test>::get(), timing);
		System::assert_last_event(Event::TimingSet { timing }.into());
		let job = request(1);
		assert_eq!(phase(job), Phase::Commit { until: 8 });
	});
}

#[test]
fn set_timing_refuses_empty_windows_and_non_root() {
	build_and_execute(|| {
		for bad in [
			Timing { commit_window: 0, ..short_timing() },
			Timing { reveal_window: 0, ..short_timing() },
			Timing { retention: 0, ..short_timing() },
			Timing { job_timeout: 2, ..short_timing() },
		] {
			assert_noop!(
				Inference::set_timing(RawOrigin::Root.into(), bad),
				Error::<Test>::BadTiming
			);
		}
		assert_noop!(
			Inference::set_timing(RuntimeOrigin::signed(ALICE), short_timing()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn the_integrity_test_passes_and_the_default_timing_is_valid() {
	new_test_ext().execute_with(|| {
		use polkadot_sdk::frame_support::traits::Hooks;
		<Inference as Hooks<u64>>::integrity_test();
		assert_ok!(Inference::check_timing(&Timing::<u64>::default()));
	});
}

#[test]
fn queries_give_the_result_the_seats_and_the_price() {
	build_and_execute(|| {
		assert_eq!(Inference::quote(1, None), Some((PRICE, 3 * NODE_FEE, 3)));
		assert_eq!(Inference::quote(1, Some(5)), Some((PRICE, 5 * NODE_FEE, 5)));
		assert_eq!(Inference::quote(9, None), None, "no such version");
		Prices::<Test>::insert(PriceTarget::Version(1), 7);
		assert_eq!(Inference::quote(1, Some(1)), Some((7, NODE_FEE, 1)), "a version's own price");

		assert!(Inference::recent_jobs(10).is_empty());
		let first = request(3);
		let second = request(3);
		assert_eq!(Inference::recent_jobs(10), vec![second, first], "newest first");
		assert_eq!(Inference::recent_jobs(1), vec![second]);
		// It looks at most `RECENT_SCAN` ids below the next one.
		let next = NextJobId::<Test>::get();
		NextJobId::<Test>::put(first + RECENT_SCAN + 1);
		assert_eq!(Inference::recent_jobs(10), vec![second]);
		NextJobId::<Test>::put(next);
		let nodes = seats(first);
		for n in 0..5 {
			let expected: Vec<JobId> = [first, second]
				.into_iter()
				.filter(|job| seats(*job).contains(&n))
				.collect();
			assert_eq!(Inference::assigned(n), expected, "node {n}");
		}
		let out = output(5);
		assert_eq!(Inference::result(first), None, "not settled yet");
		for n in &nodes {
			assert_ok!(commit(first, *n, &out));
		}
		for n in &nodes {
			assert_ok!(reveal(first, *n, &out));
		}
		assert_eq!(Inference::result(first), Some(out));
		assert_eq!(Inference::result(second), None);
		assert_eq!(Inference::result(99), None);
	});
}

#[test]
fn the_output_hash_is_the_one_the_engine_prints() {
	// blake2-256 of the labels (u32 LE) then the scores (i32 LE), as `swarm-ml infer` hashes.
	let out = output(5);
	let mut bytes = vec![];
	bytes.extend(0u32.to_le_bytes());
	for score in [5i32, -1, -2] {
		bytes.extend(score.to_le_bytes());
	}
	assert_eq!(out.hash(), H256(polkadot_sdk::sp_io::hashing::blake2_256(&bytes)));
}

// DISPUTES

/// Places a challenge and is paid a reward: an account of its own.
const CHALLENGER: u64 = 4;

fn bond(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::ChallengeBond.into(), &who)
}

/// A 10-block challenge window, the fresh nodes 5 to 7 eligible, the challenger and the pot
/// funded.
fn dispute_setup() {
	assert_ok!(Inference::set_timing(
		RawOrigin::Root.into(),
		Timing { challenge_window: 10, ..short_timing() }
	));
	use polkadot_sdk::frame_support::traits::fungible::Mutate;
	Balances::set_balance(&CHALLENGER, 1_000);
	Balances::set_balance(&POT, 1_000);
}

/// Makes nodes 5 to 7 eligible (registered after the request).
fn fresh_nodes() {
	MockNodes::mutate(|nodes| nodes[5..].iter_mut().for_each(|n| n.eligible = true));
}

/// Each of `votes` commits, then each reveals.
fn vote(job: JobId, votes: &[(NodeId, &InferenceOutput<Test>)]) {
	for (n, out) in votes {
		assert_ok!(commit(job, *n, out));
	}
	for (n, out) in votes {
		assert_ok!(reveal(job, *n, out));
	}
}

/// A job with three seats whose first two agree on `wrong` and whose third reveals `good`:
/// settled on `wrong`, its payout held. Returns the job and its seats.
fn wrongly_settled(wrong: &InferenceOutput<Test>, good: &InferenceOutput<Test>) -> (JobId, Vec<NodeId>) {
	let job = request(3);
	let nodes = seats(job);
	vote(job, &[(nodes[0], wrong), (nodes[1], wrong), (nodes[2], good)]);
	assert!(matches!(phase(job), Phase::Settled { result, .. } if result == wrong.hash()));
	(job, nodes)
}

fn committee(job: JobId) -> Vec<NodeId> {
	Jobs::<Test>::get(job).unwrap().dispute.unwrap().ballot.nodes().collect()
}

fn dispute(job: JobId) -> Dispute<Test> {
	Jobs::<Test>::get(job).unwrap().dispute.unwrap()
}

#[test]
fn an_outvoted_node_is_not_slashed_before_the_payments_are_final() {
	build_and_execute(|| {
		dispute_setup();
		let (wrong, good) = (output(-9), output(5));
		let (job, nodes) = wrongly_settled(&wrong, &good);
		System::assert_has_event(
			Event::NodeOutcome { job, node: nodes[2], outcome: Outcome::Outvoted }.into(),
		);
		assert_eq!((node(nodes[2]).slashed, node(nodes[2]).reputation), (0, 0));
		run_to_block(1 + 10);
		assert_eq!(phase(job), Phase::Paid { result: wrong.hash() });
		assert_eq!((node(nodes[2]).slashed, node(nodes[2]).reputation), (40, -1));
	});
}

#[test]
fn a_challenge_holds_the_bond_and_seats_a_fresh_committee() {
	build_and_execute(|| {
		dispute_setup();
		let (wrong, good) = (output(-9), output(5));
		let (job, nodes) = wrongly_settled(&wrong, &good);
		fresh_nodes();
		assert_ok!(Inference::challenge(RuntimeOrigin::signed(CHALLENGER), job, Some(good.hash())));
		assert_eq!(phase(job), Phase::Disputed { result: wrong.hash() });
		let seated = committee(job);
		assert_eq!(seated.len(), 3);
		assert!(seated.iter().all(|n| !nodes.contains(n)), "no original node re-executes");
		for n in nodes.iter().chain(&seated) {
			assert!(LastExcluded::get().contains(n) != seated.contains(n));
		}
		let record = dispute(job);
		assert_eq!(record.challenger, CHALLENGER);
		assert_eq!((record.bond, record.fee, record.quorum, record.level), (DISPUTE_BOND, 90, 2, 1));
		assert_eq!(record.stage, DisputeStage::Commit { until: 1 + 3 });
		assert_eq!(bond(CHALLENGER), DISPUTE_BOND);
		assert_eq!(escrow(ALICE), 3 * NODE_FEE, "the nodes' fee stays held");
		for n in &seated {
			assert!(Inference::assigned(*n).contains(&job));
		}
		System::assert_last_event(
			Event::Challenged {
				job,
				challenger: CHALLENGER,
				bond: DISPUTE_BOND,
				claimed: Some(good.hash()),
				nodes: seated.clone(),
			}
			.into(),
		);
		// The payout deadline passes without paying anyone while the dispute runs.
		run_to_block(3);
		assert_ok!(commit(job, seated[0], &good));
		run_to_block(11);
		assert_eq!(free(100 + nodes[0]), 0);
	});
}

#[test]
fn challenge_names_each_error() {
	build_and_execute(|| {
		dispute_setup();
		let challenge = |who, job, claimed| {
			Inference::challenge(RuntimeOrigin::signed(who), job, claimed)
		};
		let (good, other) = (output(5), output(6));
		assert_noop!(challenge(CHALLENGER, 9, None), Error::<Test>::UnknownJob);

		// Still running, and failed: nothing settled to challenge.
		let running = request(3);
		assert_noop!(challenge(CHALLENGER, running, None), Error::<Test>::NotSettled);
		run_to_block(8 + 1);
		assert_eq!(phase(running), Phase::Failed { reason: FailReason::TooFewCommits });
		assert_noop!(challenge(CHALLENGER, running, None), Error::<Test>::NotSettled);

		let job = request(3);
		let nodes = seats(job);
		vote(job, &[(nodes[0], &good), (nodes[1], &good), (nodes[2], &other)]);
		assert_noop!(challenge(CHALLENGER, job, Some(good.hash())), Error::<Test>::SameResult);
		// The owner of an agreeing node cannot; the outvoted node's owner could.
		assert_noop!(challenge(100 + nodes[0], job, None), Error::<Test>::ChallengerAgreed);
		// Only two eligible nodes are not the job's own: too few for a committee of three.
		assert_noop!(challenge(CHALLENGER, job, None), Error::<Test>::NotEnoughNodes);
		fresh_nodes();
		assert_noop!(challenge(PAUPER, job, None), Error::<Test>::InsufficientBond);
		assert_ok!(challenge(CHALLENGER, job, None));
		assert_noop!(challenge(ALICE, job, None), Error::<Test>::AlreadyChallenged);

		// Too late: the window has passed (paid), or passes in this very block.
		let late = request(1);
		vote(late, &[(seats(late)[0], &good)]);
		let Phase::Settled { payout_at, .. } = phase(late) else { panic!("not settled") };
		run_to_block(payout_at - 1);
		System::set_block_number(payout_at);
		assert_noop!(challenge(CHALLENGER, late, None), Error::<Test>::ChallengeClosed);
		Inference::on_initialize(payout_at);
		assert_eq!(phase(late), Phase::Paid { result: good.hash() });
		assert_noop!(challenge(CHALLENGER, late, None), Error::<Test>::ChallengeClosed);
		assert_noop!(
			Inference::challenge(RuntimeOrigin::none(), late, None),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn the_outvoted_nodes_owner_may_challenge() {
	build_and_execute(|| {
		dispute_setup();
		let (wrong, good) = (output(-9), output(5));
		let (job, nodes) = wrongly_settled(&wrong, &good);
		fresh_nodes();
		let owner = 100 + nodes[2];
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		Balances::set_balance(&owner, 1_000);
		assert_ok!(Inference::challenge(RuntimeOrigin::signed(owner), job, Some(good.hash())));
		assert_eq!(bond(owner), DISPUTE_BOND);
	});
}

#[test]
fn a_confirmed_result_stands_and_the_bond_pays_the_committee() {
	build_and_execute(|| {
		dispute_setup();
		let good = output(5);
		let job = request(3);
		let nodes = seats(job);
		vote(job, &[(nodes[0], &good), (nodes[1], &good), (nodes[2], &good)]);
		fresh_nodes();
		assert_ok!(Inference::challenge(RuntimeOrigin::signed(CHALLENGER), job, None));
		let seated = committee(job);
		let pot = free(POT);
		vote(job, &[(seated[0], &good), (seated[1], &good), (seated[2], &good)]);

		assert_eq!(phase(job), Phase::Paid { result: good.hash() });
		assert_eq!(
			dispute(job).stage,
			DisputeStage::Resolved { verdict: Verdict::Confirmed, at: 1 }
		);
		System::assert_has_event(Event::DisputeResolved { job, verdict: Verdict::Confirmed }.into());
		System::assert_has_event(
			Event::BondForfeited { job, challenger: CHALLENGER, bond: DISPUTE_BOND }.into(),
		);
		System::assert_has_event(Event::CommitteePaid { job, amount: 90, nodes: 3 }.into());
		// The challenger lost the bond; the committee got its fee; the original nodes their pay.
		assert_eq!((bond(CHALLENGER), free(CHALLENGER)), (0, 1_000 - DISPUTE_BOND));
		for n in &seated {
			assert_eq!(free(100 + n), NODE_FEE);
			assert_eq!(node(*n).reputation, 1);
			assert_eq!(node(*n).credited, vec![WorkId::Dispute(job)]);
			System::assert_has_event(
				Event::DisputeOutcome { job, node: *n, outcome: Outcome::Agreed }.into(),
			);
		}
		for n in &nodes {
			assert_eq!(free(100 + n), NODE_FEE);
		}
		// The pot kept the rest of the bond.
		assert_eq!(free(POT), pot + DISPUTE_BOND - 90);
		assert_eq!(escrow(ALICE), 0);
		assert_eq!(Inference::result(job).unwrap(), good);
	});
}

#[test]
fn an_overturned_result_convicts_the_majority_and_makes_everyone_else_whole() {
	build_and_execute(|| {
		dispute_setup();
		let (wrong, good) = (output(-9), output(5));
		let (job, nodes) = wrongly_settled(&wrong, &good);
		let (colluders, honest) = (&nodes[..2], nodes[2]);
		let requester = free(ALICE);
		fresh_nodes();
		assert_ok!(Inference::challenge(RuntimeOrigin::signed(CHALLENGER), job, Some(good.hash())));
		let seated = committee(job);
		let pot = free(POT);
		vote(job, &[(seated[0], &good), (seated[1], &good), (seated[2], &wrong)]);

		let verdict = Verdict::Overturned { corrected: good.hash() };
		assert_eq!(phase(job), Phase::Paid { result: good.hash() });
		assert_eq!(dispute(job).stage, DisputeStage::Resolved { verdict, at: 1 });
		System::assert_has_event(Event::DisputeResolved { job, verdict }.into());
		// The corrected output is the job's result; the wrong one is gone.
		assert_eq!(Inference::result(job).unwrap(), good);
		assert_eq!(Outputs::<Test>::iter_prefix(job).count(), 1);

		// The colluders: slashed (40 each in the mock), jailed, reputation down, unpaid.
		for n in colluders {
			let convicted = node(*n);
			assert_eq!((convicted.slashed, convicted.jailed_for), (40, 500));
			assert!(!convicted.eligible);
			// Credited with the job when it settled, and no longer.
			assert_eq!(convicted.credited, vec![]);
			assert_eq!(free(100 + n), 0);
			System::assert_has_event(
				Event::NodeConvicted { job, node: *n, slashed: 40, jailed_for: 500 }.into(),
			);
		}
		// The honest original node: not slashed, paid a replica's fee, now counted as agreed.
		assert_eq!((node(honest).slashed, node(honest).reputation), (0, 1));
		assert_eq!(node(honest).credited, vec![WorkId::Job(job)]);
		assert_eq!(free(100 + honest), NODE_FEE);
		let expected = vec![
			(nodes[0], Outcome::Outvoted),
			(nodes[1], Outcome::Outvoted),
			(honest, Outcome::Agreed),
		];
		assert_eq!(outcomes(job), expected);
		// The committee: two agreed and are paid half its fee each; the third was outvoted.
		for n in &seated[..2] {
			assert_eq!(free(100 + n), 45);
			assert_eq!(node(*n).credited, vec![WorkId::Dispute(job)]);
		}
		assert_eq!((node(seated[2]).slashed, free(100 + seated[2])), (40, 0));
		assert_eq!(node(seated[2]).credited, vec![]);
		// The requester got the nodes' fee back (it paid the owner's price for a right result).
		assert_eq!(escrow(ALICE), 0);
		assert_eq!(free(ALICE), requester + 3 * NODE_FEE);
		System::assert_has_event(Event::RequesterRefunded { job, amount: 3 * NODE_FEE }.into());
		// The challenger: its bond back, and half the 80 slashed from the colluders.
		assert_eq!((bond(CHALLENGER), free(CHALLENGER)), (0, 1_000 + 40));
		System::assert_has_event(
			Event::ChallengerPaid { job, challenger: CHALLENGER, bond: DISPUTE_BOND, reward: 40 }
				.into(),
		);
		// Paid from the pot: the honest node, the committee, the reward.
		assert_eq!(free(POT), pot - NODE_FEE - 90 - 40);
	});
}

#[test]
fn a_committee_without_quorum_escalates_once_then_the_dispute_is_unresolved() {
	build_and_execute(|| {
		dispute_setup();
		let (a, b, c) = (output(1), output(2), output(3));
		let job = request(1);
		let original = seats(job)[0];
		vote(job, &[(original, &a)]);
		fresh_nodes();
		let requester = free(ALICE);
		assert_ok!(Inference::challenge(RuntimeOrigin::signed(CHALLENGER), job, None));
		let first = committee(job);
		// Three different results: no quorum possible, decided at the last reveal.
		vote(job, &[(first[0], &a), (first[1], &b), (first[2], &c)]);
		let second = committee(job);
		assert_eq!(dispute(job).level, 2);
		assert!(second.iter().all(|n| !first.contains(n) && *n != original));
		System::assert_has_event(
			Event::DisputeEscalated { job, level: 2, nodes: second.clone() }.into(),
		);
		for n in &first {
			System::assert_has_event(
				Event::DisputeOutcome { job, node: *n, outcome: Outcome::Inconclusive }.into(),
			);
		}
		assert_eq!(phase(job), Phase::Disputed { result: a.hash() });

		// The second committee misses its commits: the hook ends its window, and the dispute.
		run_to_block(1 + 3 + 1);
		assert_eq!(phase(job), Phase::Failed { reason: FailReason::DisputeUnresolved });
		assert_eq!(
			dispute(job).stage,
			DisputeStage::Resolved { verdict: Verdict::Unresolved, at: 5 }
		);
		System::assert_has_event(Event::DisputeResolved { job, verdict: Verdict::Unresolved }.into());
		// Everyone is refunded; nobody is paid or slashed (the misses count as misses).
		assert_eq!((bond(CHALLENGER), free(CHALLENGER)), (0, 1_000));
		assert_eq!((escrow(ALICE), free(ALICE)), (0, requester + NODE_FEE));
		assert_eq!((node(original).slashed, free(100 + original)), (0, 0));
		for n in first.iter().chain(&second) {
			assert_eq!((node(*n).slashed, free(100 + n)), (0, 0));
		}
		for n in &second {
			assert_eq!(Misses::<Test>::get(n), 1);
		}
		assert_eq!(Inference::result(job), None);
		// Removed with every committee's assignments after its retention.
		run_to_block(5 + 10);
		assert!(!Jobs::<Test>::contains_key(job));
		assert_eq!(Assignments::<Test>::iter().count(), 0);
	});
}

#[test]
fn an_escalated_committee_can_decide() {
	build_and_execute(|| {
		dispute_setup();
		let (wrong, good) = (output(-9), output(5));
		let job = request(1);
		let original = seats(job)[0];
		vote(job, &[(original, &wrong)]);
		fresh_nodes();
		assert_ok!(Inference::challenge(RuntimeOrigin::signed(CHALLENGER), job, None));
		let first = committee(job);
		// Only one commits: too few for a quorum at the commit window's end.
		assert_ok!(commit(job, first[0], &good));
		run_to_block(1 + 3 + 1);
		assert_eq!(dispute(job).level, 2);
		System::assert_has_event(
			Event::DisputeOutcome { job, node: first[1], outcome: Outcome::MissedCommit }.into(),
		);
		let second = committee(job);
		for n in &second {
			assert_ok!(commit(job, *n, &good));
		}
		assert!(matches!(dispute(job).stage, DisputeStage::Reveal { .. }));
		// Two reveal; the reveal window's end decides with them.
		assert_ok!(reveal(job, second[0], &good));
		assert_ok!(reveal(job, second[1], &good));
		run_to_block(5 + 3 + 1);
		assert_eq!(phase(job), Phase::Paid { result: good.hash() });
		assert_eq!(node(original).jailed_for, 500);
		System::assert_has_event(
			Event::DisputeOutcome { job, node: second[2], outcome: Outcome::MissedReveal }.into(),
		);
		assert_eq!(dispute(job).outcomes.len(), 6);
	});
}

#[test]
fn only_the_committee_commits_and_reveals_in_a_dispute() {
	build_and_execute(|| {
		dispute_setup();
		let (wrong, good) = (output(-9), output(5));
		let (job, nodes) = wrongly_settled(&wrong, &good);
		fresh_nodes();
		assert_ok!(Inference::challenge(RuntimeOrigin::signed(CHALLENGER), job, None));
		let seated = committee(job);
		let c = commitment_of(job, nodes[2], &good);
		assert_eq!(pool_commit(job, nodes[2], key_of(nodes[2]), c), rejected(WorkRejection::NotAssigned));
		assert_noop!(commit(job, nodes[2], &good), Error::<Test>::NotAssigned);
		// A committee seat's commitment binds its own identity: another seat cannot reveal it.
		assert_ok!(commit(job, seated[0], &good));
		assert_noop!(commit(job, seated[0], &good), Error::<Test>::AlreadyCommitted);
		assert_noop!(reveal(job, seated[0], &good), Error::<Test>::WrongPhase);
		let c = commitment_of(job, seated[1], &good);
		assert_eq!(
			pool_commit(job, seated[1], key_of(seated[0]), c),
			rejected(WorkRejection::BadSignature)
		);
	});
}

#[test]
fn set_dispute_terms_changes_new_challenges_and_names_each_error() {
	build_and_execute(|| {
		let default = DisputeTerms { bond: DISPUTE_BOND, replicas: 3 };
		assert_eq!(ChallengeTerms::<Test>::get(), default);
		let terms = DisputeTerms { bond: 300, replicas: 5 };
		assert_ok!(Inference::set_dispute_terms(RawOrigin::Root.into(), terms.clone()));
		assert_eq!(ChallengeTerms::<Test>::get(), terms);
		System::assert_last_event(Event::DisputeTermsSet { terms }.into());
		for bad in [
			DisputeTerms { bond: 300, replicas: 0 },
			DisputeTerms { bond: 300, replicas: 6 },
			DisputeTerms { bond: 89, replicas: 3 },
		] {
			assert_noop!(
				Inference::set_dispute_terms(RawOrigin::Root.into(), bad),
				Error::<Test>::BadDisputeTerms
			);
		}
		assert_noop!(
			Inference::set_dispute_terms(RuntimeOrigin::signed(ALICE), DisputeTerms { bond: 90, replicas: 3 }),
			DispatchError::BadOrigin
		);
	});
}

fn owner_challenge(job: JobId, n: NodeId, key: usize) -> DispatchResult {
	let signature = worker_key(key).sign(&challenge_payload(&genesis(), job, n)).unwrap();
	Inference::challenge_for_owner(authorized(), job, n, signature)
}

fn pool_owner_challenge(job: JobId, n: NodeId, key: usize) -> Result<(), TransactionValidityError> {
	let signature = worker_key(key).sign(&challenge_payload(&genesis(), job, n)).unwrap();
	Call::<Test>::challenge_for_owner { job, node: n, signature }
		.authorize(TransactionSource::External)
		.expect("challenge_for_owner is an authorized call")
		.map(|_| ())
}

#[test]
fn set_auto_challenge_opts_a_node_in_and_out_and_names_each_error() {
	build_and_execute(|| {
		assert_ok!(Inference::set_auto_challenge(RuntimeOrigin::signed(102), 2, true));
		assert!(AutoChallenge::<Test>::contains_key(2));
		System::assert_last_event(Event::AutoChallengeSet { node: 2, enabled: true }.into());
		assert_ok!(Inference::set_auto_challenge(RuntimeOrigin::signed(102), 2, false));
		assert!(!AutoChallenge::<Test>::contains_key(2));
		assert_noop!(
			Inference::set_auto_challenge(RuntimeOrigin::signed(102), 99, true),
			Error::<Test>::UnknownNode
		);
		assert_noop!(
			Inference::set_auto_challenge(RuntimeOrigin::signed(ALICE), 2, true),
			Error::<Test>::NotNodeOwner
		);
		assert_noop!(
			Inference::set_auto_challenge(RuntimeOrigin::none(), 2, true),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn an_outvoted_nodes_worker_challenges_for_its_opted_in_owner() {
	build_and_execute(|| {
		dispute_setup();
		let (wrong, good) = (output(-9), output(5));
		let (job, nodes) = wrongly_settled(&wrong, &good);
		let (honest, colluder) = (nodes[2], nodes[0]);
		let owner = 100 + honest;
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		Balances::set_balance(&owner, 1_000);
		fresh_nodes();

		// Not opted in: refused by the pool and in a block.
		assert_eq!(pool_owner_challenge(job, honest, key_of(honest)), rejected(WorkRejection::NotOptedIn));
		assert_noop!(owner_challenge(job, honest, key_of(honest)), Error::<Test>::NotOptedIn);
		assert_ok!(Inference::set_auto_challenge(RuntimeOrigin::signed(owner), honest, true));
		assert_ok!(Inference::set_auto_challenge(RuntimeOrigin::signed(100 + colluder), colluder, true));
		// A node that agreed with the result has nothing to claim; another key cannot sign.
		assert_eq!(pool_owner_challenge(job, colluder, key_of(colluder)), rejected(WorkRejection::NotOutvoted));
		assert_eq!(pool_owner_challenge(job, honest, key_of(colluder)), rejected(WorkRejection::BadSignature));
		assert_eq!(pool_owner_challenge(9, honest, key_of(honest)), rejected(WorkRejection::UnknownJob));
		assert_ok!(pool_owner_challenge(job, honest, key_of(honest)));

		// The owner is the challenger, its bond held; the claim is what the node revealed.
		assert_ok!(owner_challenge(job, honest, key_of(honest)));
		let record = dispute(job);
		assert_eq!((record.challenger, record.claimed), (owner, Some(good.hash())));
		assert_eq!(bond(owner), DISPUTE_BOND);
		// Disputed now: the challenge window is no longer open to it.
		assert_eq!(pool_owner_challenge(job, honest, key_of(honest)), rejected(WorkRejection::WrongPhase));
		assert_noop!(owner_challenge(job, honest, key_of(honest)), Error::<Test>::WrongPhase);
	});
}
