//! Tests of every call (success and each error), the pool's checks, and every phase transition:
//! too few participants, updates or reveals, a committee without quorum, an outvoted member, an
//! invalid update (slashed) and an outlier (not slashed), `NotImproved`, no result, a result
//! nobody stores, a refused publication, payouts and their failure, a campaign of two rounds,
//! cancellation and removal.

use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
		traits::{fungible::InspectHold, Authorize},
	},
	frame_system::RawOrigin,
	sp_core::Pair,
	sp_runtime::{traits::BlakeTwo256, DispatchError, DispatchResult},
};
use swarm_primitives::{commit_reveal::commitment, ServedVersion};

fn authorized() -> RuntimeOrigin {
	RawOrigin::Authorized.into()
}

fn escrow(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::RoundEscrow.into(), &who)
}

fn free(who: u64) -> u64 {
	Balances::free_balance(who)
}

fn genesis() -> H256 {
	System::block_hash(0)
}

/// The default round: 2 to 3 participants, a committee of 3, a budget of 600.
fn spec() -> RoundSpec<u64> {
	RoundSpec {
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
		tolerance: Perbill::from_percent(1),
		rounds: 1,
	}
}

/// The owner opens a round of `spec`; returns its id.
fn open(spec: RoundSpec<u64>) -> RoundId {
	let round = NextRoundId::<Test>::get();
	assert_ok!(Training::open_round(RuntimeOrigin::signed(OWNER), spec));
	round
}

fn sign(key: usize, payload: Payload<H256>) -> WorkerSignature {
	WorkerSignature::from(key_pair(key).sign(&payload.bytes()))
}

fn salt(node: NodeId) -> Salt {
	[node as u8 + 1; 32]
}

fn join(round: RoundId, node: NodeId, samples: u64) -> DispatchResult {
	let signature = sign(key_of(node as usize), Payload::Join { genesis: genesis(), round, node, samples });
	Training::join(authorized(), round, node, samples, signature)
}

/// The update file of `node`: 100 bytes.
fn update(node: NodeId) -> Vec<u8> {
	vec![node as u8 + 1; 100]
}

fn hash(bytes: &[u8]) -> H256 {
	H256(polkadot_sdk::sp_io::hashing::blake2_256(bytes))
}

fn commit(task: Work, node: NodeId, result: H256) -> DispatchResult {
	let c = commitment::<BlakeTwo256>(&task, node, &result, &salt(node));
	let signature =
		sign(key_of(node as usize), Payload::Commit { genesis: genesis(), task, node, commitment: c });
	match task {
		Work::Update(round) => Training::commit_update(authorized(), round, node, c, signature),
		Work::Result(round) => Training::commit_result(authorized(), round, node, c, signature),
	}
}

fn reveal_signature(task: Work, node: NodeId, hash: H256) -> WorkerSignature {
	sign(key_of(node as usize), Payload::Reveal { genesis: genesis(), task, node, hash, salt: salt(node) })
}

fn reveal_update(round: RoundId, node: NodeId, bytes: Vec<u8>) -> DispatchResult {
	let signature = reveal_signature(Work::Update(round), node, hash(&bytes));
	Training::reveal_update(authorized(), round, node, salt(node), signature, bytes)
}

fn reveal_result(round: RoundId, node: NodeId, result: &RoundResult<Test>) -> DispatchResult {
	let signature = reveal_signature(Work::Result(round), node, result.hash());
	Training::reveal_result(authorized(), round, node, result.clone(), salt(node), signature)
}

fn upload_result(round: RoundId, node: NodeId, bytes: Vec<u8>) -> DispatchResult {
	let signature =
		sign(key_of(node as usize), Payload::Store { genesis: genesis(), round, node, hash: hash(&bytes) });
	Training::upload_result(authorized(), round, node, signature, bytes)
}

/// The new weights the tests' committees compute: 300 bytes.
fn new_weights() -> Vec<u8> {
	vec![42; 300]
}

fn evaluation(accuracy: u32) -> Evaluation {
	Evaluation { accuracy, loss: 500_000 }
}

/// A result with `verdicts` whose new weights score `accuracy` (the base scores 800 ppm).
fn result(verdicts: Vec<Verdict>, accuracy: u32) -> RoundResult<Test> {
	RoundResult {
		weights: Some(NewWeights {
			hash: hash(&new_weights()),
			size: new_weights().len() as u64,
			evaluation: evaluation(accuracy),
		}),
		base: evaluation(800_000_000),
		verdicts: verdicts.try_into().unwrap(),
	}
}

fn phase(round: RoundId) -> Phase<u64> {
	Rounds::<Test>::get(round).unwrap().phase
}

fn node(id: NodeId) -> MockNode {
	MockNodes::get()[id as usize].clone()
}

fn outcomes(round: RoundId) -> Vec<(NodeId, Option<Contribution>)> {
	Rounds::<Test>::get(round).unwrap().participants.iter().map(|p| (p.node, p.outcome)).collect()
}

fn committee(round: RoundId) -> Vec<NodeId> {
	Rounds::<Test>::get(round).unwrap().committee.nodes().collect()
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Training(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Nodes 0, 1 and 2 join (filling the round), commit and reveal their updates: the committee
/// (nodes 5, 4, 3) is chosen.
fn to_committee(round: RoundId) {
	for n in 0..3 {
		assert_ok!(join(round, n, 100 * (n + 1)));
	}
	for n in 0..3 {
		assert_ok!(commit(Work::Update(round), n, hash(&update(n))));
	}
	for n in 0..3 {
		assert_ok!(reveal_update(round, n, update(n)));
	}
	assert_eq!(committee(round), vec![5, 4, 3]);
}

/// The committee commits to and reveals `results[i]` (`None`: does not act).
fn committee_acts(round: RoundId, results: [Option<&RoundResult<Test>>; 3]) {
	for (n, r) in [5, 4, 3].into_iter().zip(results) {
		if let Some(r) = r {
			assert_ok!(commit(Work::Result(round), n, r.hash()));
		}
	}
	if !matches!(phase(round), Phase::Reveal { .. }) {
		run_to_block(System::block_number() + 3);
	}
	for (n, r) in [5, 4, 3].into_iter().zip(results) {
		if let Some(r) = r {
			assert_ok!(reveal_result(round, n, r));
		}
	}
}

// OPEN ROUND

#[test]
fn open_round_holds_the_escrow_and_opens_joining() {
	build_and_execute(|| {
		let round = open(RoundSpec { rounds: 2, ..spec() });
		// (budget 600 + 3 seats × 20) × 2 rounds.
		assert_eq!(escrow(OWNER), 1_320);
		let record = Rounds::<Test>::get(round).unwrap();
		assert_eq!((record.held, record.committee_fee, record.quorum), (1_320, 60, 2));
		assert_eq!(record.phase, Phase::Join { until: 3 });
		assert_eq!(
			(record.model, record.base_weights, record.base_size),
			(1, weights_hash(1), 2048)
		);
		assert_eq!(record.campaign, Campaign { first: round, index: 0 });
		assert_eq!(record.previous_weights, None, "a campaign's first round has no round before");
		assert_eq!(RoundCount::<Test>::get(), 1);
		System::assert_last_event(
			Event::RoundOpened {
				round,
				opener: OWNER,
				base: 1,
				campaign: Campaign { first: round, index: 0 },
				until: 3,
			}
			.into(),
		);
		assert_eq!(Training::open_rounds(), vec![round]);
		let later = open(spec());
		assert_eq!(Training::recent_rounds(10), vec![later, round], "newest first");
		assert_eq!(Training::recent_rounds(1), vec![later]);
		let next = NextRoundId::<Test>::get();
		NextRoundId::<Test>::put(round + RECENT_SCAN + 1);
		assert_eq!(Training::recent_rounds(10), vec![later], "at most RECENT_SCAN ids below the next");
		NextRoundId::<Test>::put(next);
	});
}

#[test]
fn open_round_names_each_error() {
	build_and_execute(|| {
		let fails = |who: u64, spec: RoundSpec<u64>, error: Error<Test>| {
			assert_noop!(Training::open_round(RuntimeOrigin::signed(who), spec), error);
		};
		fails(OWNER, RoundSpec { base: 9, ..spec() }, Error::UnknownVersion);
		fails(PAUPER, spec(), Error::NotModelOwner);
		let bad_training = TrainingSpec { epochs: 0, ..spec().training };
		fails(OWNER, RoundSpec { training: bad_training, ..spec() }, Error::BadTrainingSpec);
		let zero_lr = TrainingSpec {
			optimizer: Optimizer::AdamW { lr: 0, weight_decay: 0 },
			..spec().training
		};
		fails(OWNER, RoundSpec { training: zero_lr, ..spec() }, Error::BadTrainingSpec);
		let krum =
			AggregationRule { method: AggregationMethod::Krum { byzantine: 1 }, ..spec().rule };
		fails(OWNER, RoundSpec { rule: krum, ..spec() }, Error::BadAggregationRule);
		let no_clip = AggregationRule { clip: Some(0), ..spec().rule };
		fails(OWNER, RoundSpec { rule: no_clip, ..spec() }, Error::BadAggregationRule);
		for (learning_rate, momentum) in [(0, 0), (1_000_000, 1_000_000)] {
			let server = Some(ServerMomentum { learning_rate, momentum });
			let rule = AggregationRule { server, ..spec().rule };
			fails(OWNER, RoundSpec { rule, ..spec() }, Error::BadAggregationRule);
		}
		fails(OWNER, RoundSpec { min_participants: 0, ..spec() }, Error::BadParticipants);
		fails(OWNER, RoundSpec { min_participants: 4, ..spec() }, Error::BadParticipants);
		fails(OWNER, RoundSpec { max_participants: 6, ..spec() }, Error::BadParticipants);
		fails(OWNER, RoundSpec { committee: 0, ..spec() }, Error::BadCommittee);
		fails(OWNER, RoundSpec { committee: 5, ..spec() }, Error::BadCommittee);
		fails(OWNER, RoundSpec { rounds: 0, ..spec() }, Error::BadCampaign);
		fails(OWNER, RoundSpec { rounds: 4, ..spec() }, Error::BadCampaign);
		let missing = LabelledFile { hash: [7; 32], samples: 10 };
		fails(OWNER, RoundSpec { validation: missing, ..spec() }, Error::ValidationNotStored);
		let wrong = LabelledFile { samples: 11, ..spec().validation };
		fails(OWNER, RoundSpec { validation: wrong, ..spec() }, Error::ValidationSizeMismatch);
		let budget = RoundSpec { budget: 100_000, ..spec() };
		fails(OWNER, budget, Error::InsufficientBalance);
		// Four of the six nodes not eligible: a committee of 3 cannot be chosen.
		MockNodes::mutate(|nodes| nodes.iter_mut().take(4).for_each(|n| n.eligible = false));
		fails(OWNER, spec(), Error::NotEnoughNodes);
		MockNodes::mutate(|nodes| nodes.iter_mut().for_each(|n| n.eligible = true));
		// The base: deprecated, weights not stored, a configuration the engine does not train.
		Versions::mutate(|v| v[0].1.deprecated = true);
		fails(OWNER, spec(), Error::VersionDeprecated);
		Versions::mutate(|v| v[0].1 = ServedVersion { weights_size: 9, ..served(weights_hash(1)) });
		fails(OWNER, spec(), Error::WeightsNotStored);
		Versions::mutate(|v| {
			v[0].1 = ServedVersion { config: Some(vec![9]), ..served(weights_hash(1)) }
		});
		fails(OWNER, spec(), Error::UnsupportedConfig);
		Versions::mutate(|v| v[0].1 = served(weights_hash(1)));
		for _ in 0..4 {
			open(spec());
		}
		fails(OWNER, spec(), Error::TooManyRounds);
	});
}

// JOIN

#[test]
fn joining_fills_the_round_and_starts_training() {
	build_and_execute(|| {
		let round = open(spec());
		assert_ok!(join(round, 0, 5_000));
		// The claim is capped at the rule's 1,000 samples.
		System::assert_last_event(Event::Joined { round, node: 0, samples: 1_000 }.into());
		assert_ok!(join(round, 1, 10));
		assert!(matches!(phase(round), Phase::Join { .. }));
		assert_ok!(join(round, 2, 10));
		assert_eq!(phase(round), Phase::Train { until: 3 });
		System::assert_last_event(
			Event::TrainingStarted { round, participants: 3, until: 3 }.into(),
		);
		assert_eq!(Training::involved(2), vec![round]);
		assert_eq!(Training::open_rounds(), Vec::<RoundId>::new());
	});
}

#[test]
fn join_names_each_error() {
	build_and_execute(|| {
		let round = open(spec());
		assert_noop!(join(9, 0, 10), Error::<Test>::UnknownRound);
		assert_noop!(join(round, 0, 0), Error::<Test>::NoSamples);
		MockNodes::mutate(|nodes| nodes[0].eligible = false);
		assert_noop!(join(round, 0, 10), Error::<Test>::NotEligible);
		MockNodes::mutate(|nodes| nodes[0].eligible = true);
		// Signed with another node's key, or for other samples than it says.
		let signature = sign(1, Payload::Join { genesis: genesis(), round, node: 0, samples: 10 });
		assert_noop!(
			Training::join(authorized(), round, 0, 10, signature),
			Error::<Test>::BadSignature
		);
		let signature = sign(0, Payload::Join { genesis: genesis(), round, node: 0, samples: 10 });
		assert_noop!(
			Training::join(authorized(), round, 0, 11, signature),
			Error::<Test>::BadSignature
		);
		assert_ok!(join(round, 0, 10));
		assert_noop!(join(round, 0, 10), Error::<Test>::AlreadyJoined);
		assert_noop!(
			Training::join(
				RuntimeOrigin::signed(100),
				round,
				1,
				10,
				sign(1, Payload::Join { genesis: genesis(), round, node: 1, samples: 10 })
			),
			DispatchError::BadOrigin
		);
		run_to_block(4);
		assert_noop!(join(round, 1, 10), Error::<Test>::WrongPhase);
	});
}

#[test]
fn too_few_participants_end_the_round_and_refund() {
	build_and_execute(|| {
		let round = open(spec());
		assert_ok!(join(round, 0, 10));
		run_to_block(4);
		assert_eq!(phase(round), Phase::Failed { reason: FailReason::TooFewParticipants });
		assert_eq!(escrow(OWNER), 0);
		assert_eq!(free(OWNER), 100_000);
		System::assert_has_event(
			Event::RoundFailed { round, reason: FailReason::TooFewParticipants, refunded: 660 }
				.into(),
		);
	});
}

// TRAIN AND UPLOAD

#[test]
fn participants_commit_then_reveal_their_updates_which_are_stored() {
	build_and_execute(|| {
		let round = open(spec());
		for n in 0..3 {
			assert_ok!(join(round, n, 10));
		}
		assert_ok!(commit(Work::Update(round), 0, hash(&update(0))));
		System::assert_last_event(Event::UpdateCommitted { round, node: 0 }.into());
		assert_ok!(commit(Work::Update(round), 1, hash(&update(1))));
		assert_ok!(commit(Work::Update(round), 2, hash(&update(2))));
		assert_eq!(phase(round), Phase::Upload { until: 3 });
		assert_ok!(reveal_update(round, 0, update(0)));
		System::assert_last_event(
			Event::UpdateRevealed { round, node: 0, update: hash(&update(0)), size: 100 }.into(),
		);
		assert_eq!(TestContent::stored_size(&hash(&update(0))), Some(100));
		assert_eq!(Updates::<Test>::get(round, 0), Some((hash(&update(0)), 100)));
		assert_ok!(reveal_update(round, 1, update(1)));
		assert_ok!(reveal_update(round, 2, update(2)));
		assert_eq!(phase(round), Phase::Commit { until: 3 });
		System::assert_last_event(
			Event::CommitteeChosen { round, nodes: vec![5, 4, 3], until: 3 }.into(),
		);
		assert_eq!(Training::involved(5), vec![round]);
	});
}

#[test]
fn commit_update_names_each_error() {
	build_and_execute(|| {
		let round = open(spec());
		assert_noop!(commit(Work::Update(round), 0, hash(&update(0))), Error::<Test>::WrongPhase);
		for n in 0..3 {
			assert_ok!(join(round, n, 10));
		}
		assert_noop!(commit(Work::Update(9), 0, hash(&update(0))), Error::<Test>::UnknownRound);
		assert_noop!(commit(Work::Update(round), 4, hash(&update(4))), Error::<Test>::NotAssigned);
		let c = H256::repeat_byte(1);
		let signature = sign(
			1,
			Payload::Commit {
				genesis: genesis(),
				task: Work::Update(round),
				node: 0,
				commitment: c,
			},
		);
		assert_noop!(
			Training::commit_update(authorized(), round, 0, c, signature),
			Error::<Test>::BadSignature
		);
		// A commitment signed for the committee's ballot does not count for the participants'.
		let signature = sign(
			0,
			Payload::Commit {
				genesis: genesis(),
				task: Work::Result(round),
				node: 0,
				commitment: c,
			},
		);
		assert_noop!(
			Training::commit_update(authorized(), round, 0, c, signature),
			Error::<Test>::BadSignature
		);
		assert_ok!(commit(Work::Update(round), 0, hash(&update(0))));
		assert_noop!(
			commit(Work::Update(round), 0, hash(&update(0))),
			Error::<Test>::AlreadyCommitted
		);
	});
}

#[test]
fn reveal_update_names_each_error() {
	build_and_execute(|| {
		let round = open(spec());
		for n in 0..3 {
			assert_ok!(join(round, n, 10));
		}
		assert_ok!(commit(Work::Update(round), 0, hash(&update(0))));
		assert_ok!(commit(Work::Update(round), 1, hash(&update(1))));
		assert_noop!(reveal_update(round, 0, update(0)), Error::<Test>::WrongPhase);
		// Node 2 never commits: the window ends and the uploads open.
		run_to_block(4);
		assert!(matches!(phase(round), Phase::Upload { .. }));
		assert_noop!(reveal_update(9, 0, update(0)), Error::<Test>::UnknownRound);
		assert_noop!(reveal_update(round, 2, update(2)), Error::<Test>::NotCommitted);
		assert_noop!(reveal_update(round, 4, update(4)), Error::<Test>::NotAssigned);
		// Node 1 tries to pass node 0's update off as its own: it does not match its commitment.
		assert_noop!(reveal_update(round, 1, update(0)), Error::<Test>::CommitmentMismatch);
		let signature = reveal_signature(Work::Update(round), 0, hash(&update(0)));
		assert_noop!(
			Training::reveal_update(authorized(), round, 0, salt(0), signature.clone(), update(1)),
			Error::<Test>::CommitmentMismatch
		);
		let forged = reveal_signature(Work::Update(round), 1, hash(&update(0)));
		assert_noop!(
			Training::reveal_update(authorized(), round, 0, salt(0), forged, update(0)),
			Error::<Test>::BadSignature
		);
		assert_ok!(reveal_update(round, 0, update(0)));
		assert_noop!(reveal_update(round, 0, update(0)), Error::<Test>::AlreadyRevealed);
	});
}

#[test]
fn an_update_larger_than_the_base_weights_is_refused() {
	build_and_execute(|| {
		let round = open(spec());
		for n in 0..3 {
			assert_ok!(join(round, n, 10));
		}
		let large = vec![1u8; BASE_SIZE as usize + 1];
		assert_ok!(commit(Work::Update(round), 0, hash(&large)));
		assert_ok!(commit(Work::Update(round), 1, hash(&[])));
		assert_ok!(commit(Work::Update(round), 2, hash(&update(2))));
		assert_noop!(reveal_update(round, 0, large), Error::<Test>::MalformedResult);
		assert_noop!(reveal_update(round, 1, vec![]), Error::<Test>::MalformedResult);
	});
}

#[test]
fn too_few_commits_end_the_round_and_cost_the_missing_reputation() {
	build_and_execute(|| {
		let round = open(spec());
		for n in 0..3 {
			assert_ok!(join(round, n, 10));
		}
		assert_ok!(commit(Work::Update(round), 0, hash(&update(0))));
		run_to_block(4);
		assert_eq!(phase(round), Phase::Failed { reason: FailReason::TooFewUpdates });
		assert_eq!(
			outcomes(round),
			vec![
				(0, None),
				(1, Some(Contribution::MissedCommit)),
				(2, Some(Contribution::MissedCommit))
			]
		);
		assert_eq!((node(1).reputation, node(1).slashed), (-1, 0));
		assert_eq!(escrow(OWNER), 0);
	});
}

#[test]
fn too_few_reveals_end_the_round() {
	build_and_execute(|| {
		let round = open(spec());
		for n in 0..3 {
			assert_ok!(join(round, n, 10));
		}
		for n in 0..3 {
			assert_ok!(commit(Work::Update(round), n, hash(&update(n))));
		}
		assert_ok!(reveal_update(round, 0, update(0)));
		run_to_block(4);
		assert_eq!(phase(round), Phase::Failed { reason: FailReason::TooFewUpdates });
		assert_eq!(
			outcomes(round),
			vec![
				(0, None),
				(1, Some(Contribution::MissedReveal)),
				(2, Some(Contribution::MissedReveal))
			]
		);
		assert_eq!(escrow(OWNER), 0);
	});
}

#[test]
fn without_enough_eligible_nodes_for_the_committee_the_round_ends() {
	build_and_execute(|| {
		let round = open(spec());
		for n in 0..3 {
			assert_ok!(join(round, n, 10));
		}
		for n in 0..3 {
			assert_ok!(commit(Work::Update(round), n, hash(&update(n))));
		}
		MockNodes::mutate(|nodes| nodes.iter_mut().take(4).for_each(|n| n.eligible = false));
		for n in 0..3 {
			assert_ok!(reveal_update(round, n, update(n)));
		}
		assert_eq!(phase(round), Phase::Failed { reason: FailReason::NotEnoughNodes });
		assert_eq!(escrow(OWNER), 0);
	});
}

// THE COMMITTEE, THE DECISION AND PUBLICATION

#[test]
fn a_round_publishes_the_agreed_weights_and_pays_the_accepted_participants() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		// Nodes 0 and 1 accepted (100 and 200 samples), node 2 an outlier.
		let agreed =
			result(vec![Verdict::Accepted, Verdict::Accepted, Verdict::Outlier], 850_000_000);
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		// The weights are not stored yet: an agreeing member stores them.
		assert_eq!(phase(round), Phase::Publish { until: 3, result: agreed.hash() });
		assert_eq!(Training::result(round), Some(agreed.clone()));
		let before = free(100);
		assert_ok!(upload_result(round, 4, new_weights()));
		let published = PublishedVersions::get();
		assert_eq!(published.len(), 1);
		let version = published[0].id;
		let new = &published[0].version;
		assert_eq!((new.model, new.base, new.round, new.publisher), (1, 1, round, OWNER));
		assert_eq!((new.weights_hash, new.weights_size), (hash(&new_weights()), 300));
		assert_eq!(new.contributors, vec![100, 101], "the accepted participants' owners");
		assert_eq!(
			new.metrics,
			vec![
				(b"accuracy".to_vec(), metrics::to_fixed(850_000_000)),
				(b"loss".to_vec(), metrics::to_fixed(500_000_000)),
			]
		);
		System::assert_has_event(Event::VersionPublished { round, model: 1, version }.into());
		// Paid at once (no challenge window): 600 by samples 100:200, and 60 by three.
		assert_eq!(
			phase(round),
			Phase::Paid { end: End::Published { version }, result: agreed.hash() }
		);
		assert_eq!(free(100) - before, 200);
		assert_eq!(free(101), 5 + 400);
		assert_eq!(free(102), 5, "the outlier is unpaid");
		assert_eq!(free(105), 5 + 20);
		assert_eq!(escrow(OWNER), 0);
		assert_eq!(free(OWNER), 100_000 - 660);
		System::assert_has_event(Event::ParticipantsPaid { round, amount: 600, nodes: 2 }.into());
		System::assert_has_event(Event::CommitteePaid { round, amount: 60, nodes: 3 }.into());
		// The outlier loses reputation but is not slashed.
		assert_eq!((node(2).reputation, node(2).slashed), (-1, 0));
		assert_eq!(node(0).reputation, 1);
		// Credited: the accepted participants with the round, the agreeing members with its
		// committee; not the outlier.
		assert_eq!(node(0).credited, vec![WorkId::Round(round)]);
		assert_eq!(node(2).credited, vec![]);
		assert_eq!(node(5).credited, vec![WorkId::Committee(round)]);
		assert_eq!(
			outcomes(round),
			vec![
				(0, Some(Contribution::Accepted)),
				(1, Some(Contribution::Accepted)),
				(2, Some(Contribution::Outlier)),
			]
		);
	});
}

#[test]
fn weights_stored_already_are_published_at_the_decision() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		Stored::mutate(|s| s.push((hash(&new_weights()), 300)));
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		assert!(matches!(phase(round), Phase::Paid { end: End::Published { .. }, .. }));
	});
}

#[test]
fn an_invalid_update_and_an_outvoted_member_are_slashed_and_a_missing_member_loses_reputation() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let agreed = result(
			vec![Verdict::Accepted, Verdict::Accepted, Verdict::Invalid(InvalidUpdate::AboveClip)],
			850_000_000,
		);
		let other = result(vec![Verdict::Accepted; 3], 700_000_000);
		// Member 5 and 4 agree; 3 reveals another result.
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&other)]);
		assert_eq!(phase(round), Phase::Publish { until: 3, result: agreed.hash() });
		System::assert_has_event(
			Event::CommitteeOutcome { round, node: 3, outcome: Outcome::Outvoted }.into(),
		);
		System::assert_has_event(
			Event::ParticipantOutcome {
				round,
				node: 2,
				outcome: Contribution::Invalid(InvalidUpdate::AboveClip),
			}
			.into(),
		);
		// Only an agreeing member may store the weights.
		assert_noop!(upload_result(round, 3, new_weights()), Error::<Test>::NotAgreed);
		assert_noop!(upload_result(round, 5, vec![1; 300]), Error::<Test>::NotAgreed);
		// The outcomes take effect with the payments, once they are final.
		assert_eq!((node(2).slashed, node(3).slashed), (0, 0));
		assert_ok!(upload_result(round, 5, new_weights()));
		assert_eq!(node(2).slashed, 40, "the invalid update");
		assert_eq!(node(3).slashed, 40, "the outvoted member");
		assert_eq!((node(5).slashed, node(5).reputation), (0, 1));
		assert_eq!(free(103), 5, "the outvoted member is unpaid");
		assert_eq!(free(105), 5 + 30);
	});
}

#[test]
fn a_member_that_misses_its_reveal_still_lets_a_quorum_decide_at_the_windows_end() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		for n in [5, 4, 3] {
			assert_ok!(commit(Work::Result(round), n, agreed.hash()));
		}
		assert_ok!(reveal_result(round, 5, &agreed));
		assert_ok!(reveal_result(round, 4, &agreed));
		// Two of three agree, but member 3 may still reveal: the round waits for the window.
		assert!(matches!(phase(round), Phase::Reveal { .. }));
		run_to_block(System::block_number() + 3);
		assert!(matches!(phase(round), Phase::Publish { .. }));
		assert_ok!(upload_result(round, 5, new_weights()));
		assert_eq!((node(3).reputation, node(3).slashed), (-1, 0));
		System::assert_has_event(
			Event::CommitteeOutcome { round, node: 3, outcome: Outcome::MissedReveal }.into(),
		);
	});
}

#[test]
fn a_committee_without_quorum_ends_the_round() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let (a, b, c) = (
			result(vec![Verdict::Accepted; 3], 850_000_000),
			result(vec![Verdict::Accepted; 3], 860_000_000),
			result(vec![Verdict::Outlier; 3], 850_000_000),
		);
		committee_acts(round, [Some(&a), Some(&b), Some(&c)]);
		assert_eq!(phase(round), Phase::Failed { reason: FailReason::NoQuorum });
		assert_eq!(escrow(OWNER), 0);
		assert_eq!(free(OWNER), 100_000);
		System::assert_has_event(
			Event::CommitteeOutcome { round, node: 5, outcome: Outcome::Inconclusive }.into(),
		);
	});
}

#[test]
fn too_few_committee_commits_end_the_round() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		assert_ok!(commit(Work::Result(round), 5, agreed.hash()));
		run_to_block(System::block_number() + 3);
		assert_eq!(phase(round), Phase::Failed { reason: FailReason::NoQuorum });
		assert_eq!(node(4).reputation, -1, "missed its commit");
	});
}

#[test]
fn a_result_below_the_base_is_not_published_and_the_budget_goes_back() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		// The base scores 80 %, the tolerance is 1 point: 78.9 % is not enough.
		let worse = result(vec![Verdict::Accepted; 3], 789_000_000);
		committee_acts(round, [Some(&worse), Some(&worse), Some(&worse)]);
		assert_eq!(phase(round), Phase::Paid { end: End::NotImproved, result: worse.hash() });
		assert!(PublishedVersions::get().is_empty());
		assert_eq!(free(OWNER), 100_000 - 60, "only the committee's fee is spent");
		assert_eq!(free(105), 5 + 20);
		assert_eq!(free(100), 5);
	});
}

#[test]
fn a_result_within_the_tolerance_is_published() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let close = result(vec![Verdict::Accepted; 3], 790_000_000);
		committee_acts(round, [Some(&close), Some(&close), Some(&close)]);
		assert_eq!(
			phase(round),
			Phase::Publish { until: System::block_number() + 2, result: close.hash() }
		);
	});
}

#[test]
fn a_result_without_weights_ends_the_round_with_the_budget_back() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let none = RoundResult::<Test> {
			weights: None,
			base: evaluation(800_000_000),
			verdicts: vec![Verdict::Unused; 3].try_into().unwrap(),
		};
		committee_acts(round, [Some(&none), Some(&none), Some(&none)]);
		assert_eq!(phase(round), Phase::Paid { end: End::NoResult, result: none.hash() });
		assert_eq!(free(OWNER), 100_000 - 60);
		assert_eq!(node(0).reputation, 0, "unused updates are neither paid nor punished");
	});
}

#[test]
fn weights_nobody_stores_end_the_round_at_the_publish_windows_end() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		run_to_block(System::block_number() + 3);
		assert_eq!(phase(round), Phase::Failed { reason: FailReason::NotPublished });
		assert_eq!(escrow(OWNER), 0);
		assert_eq!(free(OWNER), 100_000);
		assert_noop!(upload_result(round, 5, new_weights()), Error::<Test>::WrongPhase);
	});
}

#[test]
fn a_publication_the_registry_refuses_ends_the_round() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		RefusePublish::set(true);
		assert_ok!(upload_result(round, 5, new_weights()));
		RefusePublish::set(false);
		assert_eq!(phase(round), Phase::Failed { reason: FailReason::PublishRefused });
		assert_eq!(escrow(OWNER), 0);
	});
}

#[test]
fn a_publication_refused_at_the_decision_keeps_the_committees_outcomes() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		// Stored already: the decision publishes at once, in the reveal window.
		Stored::mutate(|s| s.push((hash(&new_weights()), 300)));
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		let other = result(vec![Verdict::Accepted; 3], 700_000_000);
		RefusePublish::set(true);
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&other)]);
		RefusePublish::set(false);
		assert_eq!(phase(round), Phase::Failed { reason: FailReason::PublishRefused });
		let outcomes = Rounds::<Test>::get(round).unwrap().committee_outcomes.to_vec();
		assert_eq!(outcomes, vec![(5, Outcome::Agreed), (4, Outcome::Agreed), (3, Outcome::Outvoted)]);
		assert_eq!((node(5).reputation, node(3).slashed), (1, 40), "the outcomes took effect once");
	});
}

#[test]
fn commit_and_reveal_result_name_each_error() {
	build_and_execute(|| {
		let round = open(spec());
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		assert_noop!(commit(Work::Result(round), 5, agreed.hash()), Error::<Test>::WrongPhase);
		to_committee(round);
		assert_noop!(commit(Work::Result(9), 5, agreed.hash()), Error::<Test>::UnknownRound);
		assert_noop!(commit(Work::Result(round), 0, agreed.hash()), Error::<Test>::NotAssigned);
		assert_ok!(commit(Work::Result(round), 5, agreed.hash()));
		assert_noop!(
			commit(Work::Result(round), 5, agreed.hash()),
			Error::<Test>::AlreadyCommitted
		);
		assert_noop!(reveal_result(round, 5, &agreed), Error::<Test>::WrongPhase);
		assert_ok!(commit(Work::Result(round), 4, agreed.hash()));
		let short = result(vec![Verdict::Accepted; 2], 850_000_000);
		assert_ok!(commit(Work::Result(round), 3, short.hash()));
		assert!(matches!(phase(round), Phase::Reveal { .. }));
		assert_noop!(reveal_result(9, 5, &agreed), Error::<Test>::UnknownRound);
		assert_noop!(reveal_result(round, 0, &agreed), Error::<Test>::NotAssigned);
		assert_noop!(reveal_result(round, 5, &short), Error::<Test>::CommitmentMismatch);
		// A verdict short: the result does not fit the round.
		assert_noop!(reveal_result(round, 3, &short), Error::<Test>::MalformedResult);
		let forged = reveal_signature(Work::Result(round), 4, agreed.hash());
		assert_noop!(
			Training::reveal_result(authorized(), round, 5, agreed.clone(), salt(5), forged),
			Error::<Test>::BadSignature
		);
		assert_ok!(reveal_result(round, 5, &agreed));
		assert_noop!(reveal_result(round, 5, &agreed), Error::<Test>::AlreadyRevealed);
	});
}

#[test]
fn a_member_that_did_not_commit_cannot_reveal() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		assert_ok!(commit(Work::Result(round), 5, agreed.hash()));
		assert_ok!(commit(Work::Result(round), 4, agreed.hash()));
		run_to_block(System::block_number() + 3);
		assert_noop!(reveal_result(round, 3, &agreed), Error::<Test>::NotCommitted);
	});
}

#[test]
fn upload_result_names_each_error() {
	build_and_execute(|| {
		let round = open(spec());
		assert_noop!(upload_result(9, 5, new_weights()), Error::<Test>::UnknownRound);
		assert_noop!(upload_result(round, 5, new_weights()), Error::<Test>::WrongPhase);
		to_committee(round);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		let signature = sign(
			4,
			Payload::Store { genesis: genesis(), round, node: 5, hash: hash(&new_weights()) },
		);
		assert_noop!(
			Training::upload_result(authorized(), round, 5, signature, new_weights()),
			Error::<Test>::BadSignature
		);
		assert_noop!(upload_result(round, 0, new_weights()), Error::<Test>::NotAgreed);
	});
}

// PAYMENTS, CAMPAIGNS, CANCELLATION, TIMING, REMOVAL

#[test]
fn payments_wait_for_the_challenge_window() {
	build_and_execute(|| {
		assert_ok!(Training::set_timing(
			RuntimeOrigin::root(),
			Timing { challenge_window: 5, ..short_timing() }
		));
		let round = open(spec());
		to_committee(round);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		assert_ok!(upload_result(round, 5, new_weights()));
		let now = System::block_number();
		let Phase::Settled { payout_at, .. } = phase(round) else { panic!("not settled") };
		assert_eq!(payout_at, now + 5);
		assert_eq!(escrow(OWNER), 660, "held until the payout");
		run_to_block(payout_at - 1);
		assert_eq!(free(100), 5);
		run_to_block(payout_at);
		assert!(matches!(phase(round), Phase::Paid { .. }));
		assert_eq!(escrow(OWNER), 0);
		assert_eq!(free(100), 5 + 100);
	});
}

#[test]
fn a_published_round_pays_its_emission_share_from_the_pot_when_it_can() {
	build_and_execute(|| {
		RoundEmission::set(300);
		Balances::set_balance(&POT, 5 + 300);
		let round = open(spec());
		to_committee(round);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		assert_ok!(upload_result(round, 5, new_weights()));
		// Nodes 0..=2 trained on 100, 200 and 300 samples: the budget (600) and the emission
		// share (300) split alike, on top of the opener's escrow.
		System::assert_has_event(Event::EmissionPaid { round, amount: 300 }.into());
		assert_eq!([free(100), free(101), free(102)], [5 + 100 + 50, 5 + 200 + 100, 5 + 300 + 150]);
		assert_eq!(free(POT), 5, "the pot paid it");
		assert_eq!(free(OWNER), 100_000 - 660, "the opener paid only the budget and the fee");

		// The next round's share finds the pot empty: the participants get the budget alone.
		let round = open(spec());
		to_committee(round);
		// (The weights are stored already: published at once.)
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		System::assert_has_event(Event::EmissionUnpaid { round, amount: 300 }.into());
		System::assert_has_event(Event::ParticipantsPaid { round, amount: 600, nodes: 3 }.into());
		assert_eq!(free(100), 5 + 2 * 100 + 50);
		RoundEmission::set(0);
	});
}

#[test]
fn a_payment_that_fails_goes_back_to_the_opener() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		RefusePay::set(true);
		assert_ok!(upload_result(round, 5, new_weights()));
		RefusePay::set(false);
		assert!(matches!(phase(round), Phase::Paid { .. }));
		assert_eq!(escrow(OWNER), 0);
		assert_eq!(free(OWNER), 100_000);
		System::assert_has_event(Event::PayoutFailed { round, refunded: 600 }.into());
		System::assert_has_event(Event::PayoutFailed { round, refunded: 60 }.into());
	});
}

#[test]
fn a_campaign_of_two_rounds_trains_the_second_from_the_firsts_version() {
	build_and_execute(|| {
		let first = open(RoundSpec { rounds: 2, ..spec() });
		to_committee(first);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		committee_acts(first, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		assert_ok!(upload_result(first, 5, new_weights()));
		let version = PublishedVersions::get()[0].id;
		let second = first + 1;
		let record = Rounds::<Test>::get(second).unwrap();
		assert_eq!(record.spec.base, version, "trains from the new version");
		assert_eq!(record.campaign, Campaign { first, index: 1 });
		assert_eq!(record.held, 660);
		assert_eq!(record.base_weights, hash(&new_weights()));
		assert_eq!(record.previous_weights, Some(weights_hash(1)), "the server momentum's w_prev");
		assert_eq!(escrow(OWNER), 660, "the second round's share");
		// The second round publishes a version derived from the first's, and ends the campaign.
		to_committee(second);
		let better = RoundResult::<Test> {
			weights: Some(NewWeights {
				hash: hash(&[7; 200]),
				size: 200,
				evaluation: evaluation(900_000_000),
			}),
			base: evaluation(850_000_000),
			verdicts: vec![Verdict::Accepted; 3].try_into().unwrap(),
		};
		committee_acts(second, [Some(&better), Some(&better), Some(&better)]);
		assert_ok!(upload_result(second, 5, vec![7; 200]));
		let published = PublishedVersions::get();
		assert_eq!(published.len(), 2);
		assert_eq!((published[1].version.base, published[1].version.round), (version, second));
		assert_eq!(NextRoundId::<Test>::get(), second + 1, "no third round");
		assert_eq!(escrow(OWNER), 0);
		assert_eq!(free(OWNER), 100_000 - 2 * 660);
	});
}

/// Found by the runtime's fuzzer: root raised the committee fee (a governed parameter) while a
/// campaign ran, its next round reserved its share at the new fee, and the escrow on hold no
/// longer matched the rounds'. Every round of a campaign keeps the fee it was opened with.
#[test]
fn a_campaign_keeps_the_committee_fee_it_was_opened_with() {
	build_and_execute(|| {
		let first = open(RoundSpec { rounds: 2, ..spec() });
		assert_eq!(escrow(OWNER), 2 * 660);
		MemberFee::set(5 * COMMITTEE_FEE);
		to_committee(first);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		committee_acts(first, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		assert_ok!(upload_result(first, 5, new_weights()));
		let record = Rounds::<Test>::get(first + 1).unwrap();
		assert_eq!(record.committee_fee, 3 * COMMITTEE_FEE, "the fee the campaign was opened with");
		assert_eq!(record.held, 660);
		assert_eq!(escrow(OWNER), 660, "the second round's share, as held");
		Pallet::<Test>::do_try_state().unwrap();
		// A round opened now pays the new fee.
		let later = open(spec());
		assert_eq!(Rounds::<Test>::get(later).unwrap().committee_fee, 3 * 5 * COMMITTEE_FEE);
		MemberFee::set(COMMITTEE_FEE);
	});
}

#[test]
fn a_campaign_that_cannot_go_on_gives_the_rest_back() {
	build_and_execute(|| {
		let first = open(RoundSpec { rounds: 3, ..spec() });
		to_committee(first);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		committee_acts(first, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		// The validation set disappears: the next round cannot open.
		Stored::mutate(|s| s.retain(|(h, _)| *h != validation_hash()));
		assert_ok!(upload_result(first, 5, new_weights()));
		System::assert_has_event(Event::CampaignStopped { round: first, refunded: 1_320 }.into());
		assert_eq!(escrow(OWNER), 0);
		assert_eq!(free(OWNER), 100_000 - 660);
	});
}

#[test]
fn a_round_that_does_not_improve_ends_its_campaign() {
	build_and_execute(|| {
		let first = open(RoundSpec { rounds: 2, ..spec() });
		to_committee(first);
		let worse = result(vec![Verdict::Accepted; 3], 700_000_000);
		committee_acts(first, [Some(&worse), Some(&worse), Some(&worse)]);
		assert_eq!(NextRoundId::<Test>::get(), first + 1);
		assert_eq!(escrow(OWNER), 0);
		assert_eq!(free(OWNER), 100_000 - 60);
	});
}

#[test]
fn cancel_round_refunds_while_joining_only() {
	build_and_execute(|| {
		let round = open(RoundSpec { rounds: 2, ..spec() });
		assert_noop!(
			Training::cancel_round(RuntimeOrigin::signed(OWNER), 9),
			Error::<Test>::UnknownRound
		);
		assert_noop!(
			Training::cancel_round(RuntimeOrigin::signed(PAUPER), round),
			Error::<Test>::NotOpener
		);
		assert_ok!(Training::cancel_round(RuntimeOrigin::signed(OWNER), round));
		assert_eq!(phase(round), Phase::Failed { reason: FailReason::Cancelled });
		assert_eq!(escrow(OWNER), 0);
		System::assert_last_event(
			Event::RoundFailed { round, reason: FailReason::Cancelled, refunded: 1_320 }.into(),
		);
		let round = open(spec());
		for n in 0..3 {
			assert_ok!(join(round, n, 10));
		}
		assert_noop!(
			Training::cancel_round(RuntimeOrigin::signed(OWNER), round),
			Error::<Test>::WrongPhase
		);
	});
}

#[test]
fn set_timing_is_for_root_and_refuses_empty_windows() {
	build_and_execute(|| {
		let timing = Timing { join_window: 7, ..short_timing() };
		assert_noop!(
			Training::set_timing(RuntimeOrigin::signed(OWNER), timing.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Training::set_timing(
				RuntimeOrigin::root(),
				Timing { upload_window: 0, ..short_timing() }
			),
			Error::<Test>::BadTiming
		);
		assert_ok!(Training::set_timing(RuntimeOrigin::root(), timing.clone()));
		assert_eq!(RoundTiming::<Test>::get(), timing);
		System::assert_last_event(Event::TimingSet { timing }.into());
		let round = open(spec());
		assert_eq!(phase(round), Phase::Join { until: 8 });
	});
}

#[test]
fn a_closed_round_is_removed_after_its_retention() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let agreed = result(vec![Verdict::Accepted; 3], 850_000_000);
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		assert_ok!(upload_result(round, 5, new_weights()));
		let closed_at = System::block_number();
		run_to_block(closed_at + 10);
		assert!(Rounds::<Test>::get(round).is_none());
		assert_eq!(RoundCount::<Test>::get(), 0);
		assert_eq!(Results::<Test>::iter_prefix(round).count(), 0);
		assert_eq!(Updates::<Test>::iter_prefix(round).count(), 0);
		assert!(Training::involved(0).is_empty() && Training::involved(5).is_empty());
		System::assert_last_event(Event::RoundRemoved { round }.into());
	});
}

#[test]
fn every_outcome_is_an_event() {
	build_and_execute(|| {
		let round = open(spec());
		to_committee(round);
		let agreed =
			result(vec![Verdict::Accepted, Verdict::Outlier, Verdict::Accepted], 850_000_000);
		committee_acts(round, [Some(&agreed), Some(&agreed), Some(&agreed)]);
		let participant_events =
			events().into_iter().filter(|e| matches!(e, Event::ParticipantOutcome { .. })).count();
		let committee_events =
			events().into_iter().filter(|e| matches!(e, Event::CommitteeOutcome { .. })).count();
		assert_eq!((participant_events, committee_events), (3, 3));
	});
}

// THE POOL

fn rejected(code: WorkRejection) -> Result<(), TransactionValidityError> {
	Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(code as u8)))
}

#[test]
fn the_pool_takes_valid_work_free_and_refuses_forgeries() {
	build_and_execute(|| {
		let round = open(spec());
		let call = |node: NodeId, key: usize| Call::<Test>::join {
			round,
			node,
			samples: 10,
			signature: sign(key, Payload::Join { genesis: genesis(), round, node, samples: 10 }),
		};
		let (valid, _) = call(0, 0).authorize(TransactionSource::External).unwrap().unwrap();
		assert_eq!(valid.priority, WORK_PRIORITY);
		assert_eq!(valid.longevity, 3, "until the join window's end");
		assert_eq!(
			call(0, 6).authorize(TransactionSource::External).unwrap().map(|_| ()),
			rejected(WorkRejection::BadSignature)
		);
		assert_ok!(join(round, 0, 10));
		assert_eq!(
			call(0, 0).authorize(TransactionSource::External).unwrap().map(|_| ()),
			rejected(WorkRejection::AlreadyJoined)
		);
		let signature = reveal_signature(Work::Update(round), 0, hash(&update(0)));
		let reveal = Call::<Test>::reveal_update {
			round,
			node: 0,
			salt: salt(0),
			signature,
			update: update(0),
		};
		assert_eq!(
			reveal.authorize(TransactionSource::External).unwrap().map(|_| ()),
			rejected(WorkRejection::WrongPhase)
		);
	});
}

#[test]
fn the_seed_of_a_participant_depends_on_the_round_and_the_node() {
	let seed = [3; 32];
	assert_ne!(participant_seed(&seed, 1), participant_seed(&seed, 2));
	assert_ne!(participant_seed(&seed, 1), participant_seed(&[4; 32], 1));
	assert_eq!(participant_seed(&seed, 1), participant_seed(&seed, 1));
}

#[test]
fn the_default_timing_and_bounds_pass_the_integrity_test() {
	use polkadot_sdk::frame_support::traits::Hooks;
	new_test_ext().execute_with(|| {
		<Training as Hooks<u64>>::integrity_test();
		assert!(Training::expiry_weight().ref_time() > 0);
	});
}

#[test]
fn the_round_result_hash_is_that_of_its_encoding() {
	let r = result(vec![Verdict::Accepted], 1);
	assert_eq!(r.hash(), hash(&r.encode()));
}

// DISPUTES

fn bond(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::ChallengeBond.into(), &who)
}

/// Results the committee may reveal: `right` is what the updates give; `wrong` is a colluding
/// majority's lie: other weights, said to score better, with other verdicts. (A lie about the
/// evaluation alone, with the right weights, is `a_lie_about_the_evaluation_alone_...`.)
fn right() -> RoundResult<Test> {
	let mut r = result(vec![Verdict::Accepted, Verdict::Accepted, Verdict::Outlier], 810_000_000);
	r.weights = r.weights.map(|w| NewWeights { hash: hash(&corrected_weights()), ..w });
	r
}

fn wrong() -> RoundResult<Test> {
	result(vec![Verdict::Accepted; 3], 950_000_000)
}

/// The weights of [`right`]: 300 bytes, not stored until a member uploads them.
fn corrected_weights() -> Vec<u8> {
	vec![43; 300]
}

/// A round with a 10-block challenge window, settled on `revealed` (members 5, 4, 3) with its
/// weights stored: returns it. Nodes 6 to 8 become eligible, for the dispute committee, and the
/// pot can pay a challenger's reward.
fn settled(revealed: [&RoundResult<Test>; 3]) -> RoundId {
	assert_ok!(Training::set_timing(
		RuntimeOrigin::root(),
		Timing { challenge_window: 10, ..short_timing() }
	));
	Balances::set_balance(&POT, 10_000);
	let round = open(spec());
	to_committee(round);
	committee_acts(round, revealed.map(Some));
	MockNodes::mutate(|nodes| nodes.iter_mut().for_each(|n| n.eligible = true));
	if let Phase::Publish { result, .. } = phase(round) {
		let uploader = [5, 4, 3].into_iter().find(|n| revealed[(5 - n) as usize].hash() == result);
		let bytes = if result == right().hash() { corrected_weights() } else { new_weights() };
		assert_ok!(upload_result(round, uploader.unwrap(), bytes));
	}
	assert!(matches!(phase(round), Phase::Settled { .. }));
	round
}

/// The dispute committee (nodes 8, 7, 6 in the mock's order) commits to and reveals
/// `results[i]` (`None`: does not act).
fn dispute_acts(round: RoundId, results: [Option<&RoundResult<Test>>; 3]) {
	for (n, r) in [8, 7, 6].into_iter().zip(results) {
		if let Some(r) = r {
			assert_ok!(commit(Work::Result(round), n, r.hash()));
		}
	}
	if !matches!(dispute(round).stage, DisputeStage::Reveal { .. }) {
		run_to_block(System::block_number() + 3);
	}
	for (n, r) in [8, 7, 6].into_iter().zip(results) {
		if let Some(r) = r {
			assert_ok!(reveal_result(round, n, r));
		}
	}
}

fn dispute(round: RoundId) -> Dispute<Test> {
	Rounds::<Test>::get(round).unwrap().dispute.unwrap()
}

fn challenge(round: RoundId, claimed: Option<H256>) -> DispatchResult {
	Training::challenge(RuntimeOrigin::signed(CHALLENGER), round, claimed)
}

#[test]
fn a_challenge_holds_the_bond_and_a_fresh_committee_reruns_the_aggregation() {
	build_and_execute(|| {
		let round = settled([&right(), &right(), &right()]);
		let Phase::Settled { end, result, payout_at } = phase(round) else { unreachable!() };
		// In the window's last block.
		run_to_block(payout_at - 1);
		assert_ok!(challenge(round, Some(wrong().hash())));
		assert_eq!(phase(round), Phase::Disputed { end, result });
		assert_eq!(bond(CHALLENGER), DISPUTE_BOND);
		let now = System::block_number();
		let d = dispute(round);
		assert_eq!((d.level, d.fee, d.quorum, d.claimed), (1, 60, 2, Some(wrong().hash())));
		assert_eq!(d.stage, DisputeStage::Commit { until: now + 2 });
		assert_eq!(d.ballot.nodes().collect::<Vec<_>>(), vec![8, 7, 6], "none of nodes 0 to 5");
		System::assert_last_event(
			Event::Challenged {
				round,
				challenger: CHALLENGER,
				bond: DISPUTE_BOND,
				claimed: Some(wrong().hash()),
				nodes: vec![8, 7, 6],
			}
			.into(),
		);
		assert_eq!(Training::involved(8), vec![round]);
		// Payments stay held past the payout block while the dispute runs.
		run_to_block(payout_at + 1);
		assert!(matches!(phase(round), Phase::Disputed { .. }));
		assert_eq!(escrow(OWNER), 660);
		Training::do_try_state().unwrap();
	});
}

#[test]
fn a_confirmed_result_forfeits_the_bond_pays_the_committee_and_the_round() {
	build_and_execute(|| {
		let round = settled([&right(), &right(), &right()]);
		assert_ok!(challenge(round, None));
		let other = wrong();
		// Members 8 and 7 confirm; 6 reveals another result and is outvoted.
		dispute_acts(round, [Some(&right()), Some(&right()), Some(&other)]);
		let d = dispute(round);
		let verdict = DisputeVerdict::Confirmed;
		assert!(matches!(d.stage, DisputeStage::Resolved { verdict: v, .. } if v == verdict));
		assert_eq!(
			d.outcomes.to_vec(),
			vec![(8, Outcome::Agreed), (7, Outcome::Agreed), (6, Outcome::Outvoted)]
		);
		System::assert_has_event(Event::DisputeResolved { round, verdict }.into());
		System::assert_has_event(
			Event::BondForfeited { round, challenger: CHALLENGER, bond: DISPUTE_BOND }.into(),
		);
		assert_eq!((bond(CHALLENGER), free(CHALLENGER)), (0, 1_000 - DISPUTE_BOND));
		System::assert_has_event(
			Event::DisputeCommitteePaid { round, amount: 60, nodes: 2 }.into(),
		);
		assert_eq!((free(108), free(107), free(106)), (5 + 30, 5 + 30, 5));
		assert_eq!((node(6).slashed, node(8).reputation), (40, 1));
		assert_eq!(node(8).credited, vec![WorkId::RoundDispute(round)]);
		assert_eq!(node(6).credited, vec![]);
		// The round is paid at once, as it was decided.
		assert!(matches!(phase(round), Phase::Paid { end: End::Published { .. }, .. }));
		assert_eq!(escrow(OWNER), 0);
		assert_eq!(free(105), 5 + 20);
		assert!(OverturnedVersions::get().is_empty());
		assert_eq!(Training::result(round), Some(right()));
	});
}

#[test]
fn an_overturned_result_convicts_the_majority_and_publishes_the_corrected_version() {
	build_and_execute(|| {
		// Members 5 and 4 collude on a result that flatters the weights; 3 reveals the right
		// one and is outvoted.
		let round = settled([&wrong(), &wrong(), &right()]);
		let old = PublishedVersions::get()[0].id;
		assert_ok!(challenge(round, Some(right().hash())));
		dispute_acts(round, [Some(&right()), Some(&right()), Some(&right())]);
		let verdict = DisputeVerdict::Overturned { corrected: right().hash() };
		System::assert_has_event(Event::DisputeResolved { round, verdict }.into());
		for n in [5, 4] {
			System::assert_has_event(
				Event::NodeConvicted { round, node: n, slashed: 200, jailed_for: 100 }.into(),
			);
			assert_eq!((node(n).slashed, node(n).eligible, node(n).reputation), (200, false, -1));
		}
		// The challenger: its bond back and half the slashed 400.
		System::assert_has_event(
			Event::ChallengerPaid { round, challenger: CHALLENGER, bond: DISPUTE_BOND, reward: 200 }
				.into(),
		);
		assert_eq!((bond(CHALLENGER), free(CHALLENGER)), (0, 1_000 + 200));
		assert_eq!((free(108), free(107), free(106)), (5 + 20, 5 + 20, 5 + 20));
		// Decided again on the corrected result, whose weights a dispute member uploads.
		assert_eq!(phase(round), Phase::Publish { until: System::block_number() + 2, result: right().hash() });
		assert_noop!(upload_result(round, 5, corrected_weights()), Error::<Test>::NotAgreed);
		assert_ok!(upload_result(round, 7, corrected_weights()));
		let new = PublishedVersions::get()[1].id;
		assert_eq!(PublishedVersions::get()[1].version.weights_hash, hash(&corrected_weights()));
		assert_eq!(OverturnedVersions::get(), vec![(old, round, Some(new))]);
		System::assert_has_event(
			Event::VersionOverturned { round, version: old, corrected: Some(new) }.into(),
		);
		// Paid at once by the corrected outcomes: node 2 is an outlier now, member 3 agreed.
		assert_eq!(
			phase(round),
			Phase::Paid { end: End::Published { version: new }, result: right().hash() }
		);
		assert_eq!(outcomes(round)[2], (2, Some(Contribution::Outlier)));
		assert_eq!((free(100), free(101), free(102)), (5 + 200, 5 + 400, 5));
		assert_eq!((free(103), free(104), free(105)), (5 + 60, 5, 5));
		assert_eq!((node(3).reputation, node(3).slashed), (1, 0), "the honest member");
		assert_eq!(escrow(OWNER), 0);
		assert_eq!(PublishedVersions::get().len(), 2, "a dispute never reopens a campaign");
	});
}

#[test]
fn an_overturned_version_without_a_better_result_is_marked_with_no_replacement() {
	build_and_execute(|| {
		let round = settled([&wrong(), &wrong(), &wrong()]);
		let old = PublishedVersions::get()[0].id;
		let worse = result(vec![Verdict::Accepted; 3], 500_000_000);
		assert_ok!(challenge(round, Some(worse.hash())));
		dispute_acts(round, [Some(&worse), Some(&worse), None]);
		run_to_block(System::block_number() + 3);
		assert_eq!(OverturnedVersions::get(), vec![(old, round, None)]);
		assert_eq!(phase(round), Phase::Paid { end: End::NotImproved, result: worse.hash() });
		assert_eq!(
			(escrow(OWNER), free(OWNER)),
			(0, 100_000),
			"the budget back, and the fee of the convicted members"
		);
		assert_eq!((free(100), free(103)), (5, 5));
		assert_eq!(node(6).reputation, -1, "missed its commit");
	});
}

#[test]
fn a_dispute_without_quorum_escalates_once_then_ends_unresolved() {
	build_and_execute(|| {
		let round = settled([&right(), &right(), &right()]);
		assert_ok!(Training::set_dispute_terms(
			RuntimeOrigin::root(),
			DisputeTerms { bond: DISPUTE_BOND, replicas: 1 }
		));
		assert_ok!(challenge(round, None));
		assert_eq!(dispute(round).ballot.nodes().collect::<Vec<_>>(), vec![8]);
		run_to_block(System::block_number() + 3);
		System::assert_has_event(
			Event::DisputeEscalated { round, level: 2, nodes: vec![7] }.into(),
		);
		assert_eq!(dispute(round).level, 2);
		assert_eq!(node(8).reputation, -1, "missed its commit");
		Training::do_try_state().unwrap();
		run_to_block(System::block_number() + 3);
		let verdict = DisputeVerdict::Unresolved;
		System::assert_has_event(Event::DisputeResolved { round, verdict }.into());
		let reason = FailReason::DisputeUnresolved;
		assert_eq!(phase(round), Phase::Failed { reason });
		assert_eq!((bond(CHALLENGER), free(CHALLENGER)), (0, 1_000));
		assert_eq!((escrow(OWNER), free(OWNER)), (0, 100_000), "everyone refunded");
		assert_eq!((free(100), free(105), node(5).reputation, node(0).reputation), (5, 5, 0, 0));
		assert_eq!(dispute(round).outcomes.to_vec(), vec![
			(8, Outcome::MissedCommit),
			(7, Outcome::MissedCommit)
		]);
		// Removed with its dispute's nodes' involvements.
		run_to_block(System::block_number() + 10);
		assert!(Training::involved(7).is_empty() && Training::involved(8).is_empty());
	});
}

#[test]
fn an_escalated_committee_may_resolve_the_dispute() {
	build_and_execute(|| {
		let round = settled([&wrong(), &wrong(), &right()]);
		assert_ok!(Training::set_dispute_terms(
			RuntimeOrigin::root(),
			DisputeTerms { bond: DISPUTE_BOND, replicas: 1 }
		));
		assert_ok!(challenge(round, None));
		run_to_block(System::block_number() + 3);
		assert_ok!(commit(Work::Result(round), 7, right().hash()));
		assert_ok!(reveal_result(round, 7, &right()));
		let verdict = DisputeVerdict::Overturned { corrected: right().hash() };
		System::assert_has_event(Event::DisputeResolved { round, verdict }.into());
		assert_eq!(node(5).slashed, 200);
	});
}

#[test]
fn challenge_names_each_error() {
	build_and_execute(|| {
		assert_noop!(challenge(9, None), Error::<Test>::UnknownRound);
		let round = settled([&right(), &right(), &right()]);
		let joining = open(spec());
		assert_noop!(challenge(joining, None), Error::<Test>::NotSettled);
		assert_noop!(challenge(round, Some(right().hash())), Error::<Test>::SameResult);
		assert_noop!(
			Training::challenge(RuntimeOrigin::signed(105), round, None),
			Error::<Test>::ChallengerAgreed
		);
		assert_noop!(
			Training::challenge(RuntimeOrigin::signed(PAUPER), round, None),
			Error::<Test>::InsufficientBond
		);
		MockNodes::mutate(|nodes| nodes[6].eligible = false);
		assert_noop!(challenge(round, None), Error::<Test>::NotEnoughNodes);
		MockNodes::mutate(|nodes| nodes[6].eligible = true);
		assert_ok!(challenge(round, None));
		assert_noop!(challenge(round, None), Error::<Test>::AlreadyChallenged);
		// A participant's owner may challenge too, but only once per round.
		assert_noop!(
			Training::challenge(RuntimeOrigin::signed(100), round, None),
			Error::<Test>::AlreadyChallenged
		);
		// The opener may challenge its own round.
		MockNodes::mutate(|nodes| (6..9).for_each(|n| nodes[n].eligible = false));
		let own = settled([&right(), &right(), &right()]);
		assert_ok!(Training::challenge(RuntimeOrigin::signed(OWNER), own, None));
	});
}

#[test]
fn a_challenge_after_the_payout_is_closed() {
	build_and_execute(|| {
		let round = settled([&right(), &right(), &right()]);
		let Phase::Settled { payout_at, .. } = phase(round) else { unreachable!() };
		run_to_block(payout_at);
		assert!(matches!(phase(round), Phase::Paid { .. }));
		assert_noop!(challenge(round, None), Error::<Test>::ChallengeClosed);
	});
}

#[test]
fn only_the_dispute_committee_commits_while_a_round_is_disputed() {
	build_and_execute(|| {
		let round = settled([&right(), &right(), &right()]);
		assert_ok!(challenge(round, None));
		assert_noop!(commit(Work::Result(round), 5, right().hash()), Error::<Test>::NotAssigned);
		assert_ok!(commit(Work::Result(round), 8, right().hash()));
		assert_noop!(commit(Work::Result(round), 8, right().hash()), Error::<Test>::AlreadyCommitted);
		assert_noop!(reveal_result(round, 8, &right()), Error::<Test>::WrongPhase);
	});
}

#[test]
fn set_dispute_terms_is_for_root_and_refuses_bad_terms() {
	build_and_execute(|| {
		let terms = DisputeTerms { bond: 60, replicas: 3 };
		assert_noop!(
			Training::set_dispute_terms(RuntimeOrigin::signed(OWNER), terms.clone()),
			DispatchError::BadOrigin
		);
		for bad in [
			DisputeTerms { bond: 60, replicas: 0 },
			DisputeTerms { bond: 1_000, replicas: 5 },
			DisputeTerms { bond: 59, replicas: 3 },
		] {
			assert_noop!(
				Training::set_dispute_terms(RuntimeOrigin::root(), bad),
				Error::<Test>::BadDisputeTerms
			);
		}
		assert_ok!(Training::set_dispute_terms(RuntimeOrigin::root(), terms.clone()));
		assert_eq!(ChallengeTerms::<Test>::get(), terms);
		System::assert_last_event(Event::DisputeTermsSet { terms }.into());
	});
}

fn challenge_signature(round: RoundId, node: NodeId) -> WorkerSignature {
	sign(key_of(node as usize), Payload::Challenge { genesis: genesis(), round, node })
}

fn challenge_for_owner(round: RoundId, node: NodeId) -> DispatchResult {
	Training::challenge_for_owner(authorized(), round, node, challenge_signature(round, node))
}

#[test]
fn set_auto_challenge_is_for_the_nodes_owner() {
	build_and_execute(|| {
		assert_noop!(
			Training::set_auto_challenge(RuntimeOrigin::signed(103), 99, true),
			Error::<Test>::UnknownNode
		);
		assert_noop!(
			Training::set_auto_challenge(RuntimeOrigin::signed(104), 3, true),
			Error::<Test>::NotNodeOwner
		);
		assert_ok!(Training::set_auto_challenge(RuntimeOrigin::signed(103), 3, true));
		assert!(AutoChallenge::<Test>::contains_key(3));
		System::assert_last_event(Event::AutoChallengeSet { node: 3, enabled: true }.into());
		assert_ok!(Training::set_auto_challenge(RuntimeOrigin::signed(103), 3, false));
		assert!(!AutoChallenge::<Test>::contains_key(3));
	});
}

#[test]
fn an_outvoted_members_worker_challenges_for_its_owner() {
	build_and_execute(|| {
		// Member 3 revealed the right result and was outvoted.
		let round = settled([&wrong(), &wrong(), &right()]);
		Balances::set_balance(&103, 1_000);
		assert_ok!(Training::set_auto_challenge(RuntimeOrigin::signed(103), 3, true));
		let Phase::Settled { payout_at, .. } = phase(round) else { unreachable!() };
		let call = Call::<Test>::challenge_for_owner {
			round,
			node: 3,
			signature: challenge_signature(round, 3),
		};
		let (valid, _) = call.authorize(TransactionSource::External).unwrap().unwrap();
		let now = System::block_number();
		assert_eq!(valid.longevity, payout_at - 1 - now + 1, "until the window's last block");
		assert_ok!(challenge_for_owner(round, 3));
		let d = dispute(round);
		assert_eq!((d.challenger, d.claimed, d.bond), (103, Some(right().hash()), DISPUTE_BOND));
		assert_eq!(bond(103), DISPUTE_BOND);
		// It goes on as any challenge: the dispute committee overturns the result.
		dispute_acts(round, [Some(&right()), Some(&right()), Some(&right())]);
		assert_eq!(free(103), 1_000 + 200, "the bond back and half the slashed 400");
	});
}

#[test]
fn challenge_for_owner_names_each_error() {
	build_and_execute(|| {
		assert_noop!(challenge_for_owner(9, 3), Error::<Test>::UnknownRound);
		let joining = open(spec());
		assert_noop!(challenge_for_owner(joining, 3), Error::<Test>::WrongPhase);
		let round = settled([&wrong(), &wrong(), &right()]);
		assert_noop!(challenge_for_owner(round, 3), Error::<Test>::NotOptedIn);
		for (owner, node) in [(103, 3), (105, 5)] {
			assert_ok!(Training::set_auto_challenge(RuntimeOrigin::signed(owner), node, true));
		}
		assert_noop!(challenge_for_owner(round, 5), Error::<Test>::NotOutvoted);
		assert_noop!(
			Training::challenge_for_owner(authorized(), round, 3, challenge_signature(round, 4)),
			Error::<Test>::BadSignature
		);
		// Node 3's owner cannot place the bond.
		assert_noop!(challenge_for_owner(round, 3), Error::<Test>::InsufficientBond);
		let Phase::Settled { payout_at, .. } = phase(round) else { unreachable!() };
		run_to_block(payout_at);
		assert_noop!(challenge_for_owner(round, 3), Error::<Test>::WrongPhase);
	});
}

#[test]
fn a_lie_about_the_evaluation_alone_is_corrected_with_the_same_weights() {
	build_and_execute(|| {
		// The colluders publish the right weights (stored) with a flattering evaluation.
		Stored::mutate(|s| s.push((hash(&new_weights()), 300)));
		let round = settled([&wrong(), &wrong(), &wrong()]);
		let old = PublishedVersions::get()[0].id;
		let honest = result(vec![Verdict::Accepted; 3], 820_000_000);
		assert_eq!(honest.weights.map(|w| w.hash), wrong().weights.map(|w| w.hash));
		assert_ok!(challenge(round, Some(honest.hash())));
		dispute_acts(round, [Some(&honest), Some(&honest), Some(&honest)]);
		// Published at once, replacing the overturned version (the registry lets it keep the
		// weights), with the honest evaluation.
		let published = PublishedVersions::get();
		assert_eq!(published.len(), 2);
		let new = &published[1];
		assert_eq!((new.version.replaces, new.version.weights_hash), (Some(old), hash(&new_weights())));
		assert_eq!(new.version.metrics[0].1, metrics::to_fixed(820_000_000));
		assert_eq!(OverturnedVersions::get(), vec![(old, round, Some(new.id))]);
		System::assert_has_event(
			Event::VersionOverturned { round, version: old, corrected: Some(new.id) }.into(),
		);
		assert_eq!(
			phase(round),
			Phase::Paid { end: End::Published { version: new.id }, result: honest.hash() }
		);
	});
}
