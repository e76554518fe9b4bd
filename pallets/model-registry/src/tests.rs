//! Tests of every call (success and each error) and of the lineage queries.

use crate::{mock::*, testing_utils::*, *};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::fungible::{Inspect, InspectHold},
	},
	sp_runtime::{FixedI64, TokenError},
};

fn held(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::StorageDeposit.into(), &who)
}

// CREATE MODEL

#[test]
fn create_model_works() {
	ExtBuilder.build_and_execute(|| {
		// when
		let model = assert_create_model(
			ALICE,
			b"mnist-mlp",
			b"apache-2.0",
			b"784-256-128-10",
			DerivationPolicy::Open,
		);
		// then model 0 is Alice's, without versions, its name indexed, the next id 1 and its
		// deposit held (all checked by the helper, with the event)
		assert_eq!(model, 0);
		assert_eq!(held(ALICE), Models::<Test>::get(model).unwrap().deposit);
		assert!(held(ALICE) > 10, "the deposit grows with the record");
	});
}

#[test]
fn create_model_rejects_a_taken_name() {
	ExtBuilder.build_and_execute(|| {
		create_model(ALICE, "mnist");
		assert_noop!(
			ModelRegistry::create_model(
				RuntimeOrigin::signed(BOB),
				b"mnist".to_vec(),
				vec![],
				vec![],
				DerivationPolicy::Open
			),
			Error::<Test>::NameTaken
		);
	});
}

#[test]
fn create_model_rejects_invalid_names() {
	ExtBuilder.build_and_execute(|| {
		for name in [&b""[..], b"123", b"has space", b"a@b", b"a/b"] {
			assert_noop!(
				ModelRegistry::create_model(
					RuntimeOrigin::signed(ALICE),
					name.to_vec(),
					vec![],
					vec![],
					DerivationPolicy::Open
				),
				Error::<Test>::InvalidName
			);
		}
	});
}

#[test]
fn create_model_rejects_oversize_fields() {
	ExtBuilder.build_and_execute(|| {
		let create = |name: usize, licence: usize, description: usize| {
			ModelRegistry::create_model(
				RuntimeOrigin::signed(ALICE),
				vec![b'a'; name],
				vec![b'l'; licence],
				vec![b'd'; description],
				DerivationPolicy::Open,
			)
		};
		assert_noop!(create(33, 1, 1), Error::<Test>::NameTooLong);
		assert_noop!(create(1, 17, 1), Error::<Test>::LicenceTooLong);
		assert_noop!(create(1, 1, 65), Error::<Test>::DescriptionTooLong);
		assert_ok!(create(32, 16, 64));
	});
}

#[test]
fn create_model_rejects_an_account_that_cannot_pay_the_deposit() {
	ExtBuilder.build_and_execute(|| {
		assert_noop!(
			ModelRegistry::create_model(
				RuntimeOrigin::signed(PAUPER),
				b"poor".to_vec(),
				vec![],
				vec![],
				DerivationPolicy::Open
			),
			Error::<Test>::InsufficientDeposit
		);
	});
}

#[test]
fn create_model_rejects_an_exhausted_id_counter() {
	ExtBuilder.build_and_execute(|| {
		NextModelId::<Test>::put(u64::MAX);
		assert_noop!(
			ModelRegistry::create_model(
				RuntimeOrigin::signed(ALICE),
				b"last".to_vec(),
				vec![],
				vec![],
				DerivationPolicy::Open
			),
			Error::<Test>::Overflow
		);
		// Put the counter back so that the invariants hold for the empty registry.
		NextModelId::<Test>::put(0);
	});
}

// PUBLISH VERSION

#[test]
fn publish_version_works() {
	ExtBuilder.build_and_execute(|| {
		// given
		let model = create_model(ALICE, "mnist");
		// when
		let version = assert_publish_version(
			ALICE,
			model,
			weights(1),
			814_920,
			ConfigInput::Hash(H256::repeat_byte(9)),
			vec![
				(b"accuracy".to_vec(), FixedI64::from_inner(881_200_000)),
				(b"loss".to_vec(), FixedI64::from_inner(352_000_000)),
			],
			vec![],
		);
		// then version 0 is number 1 of the model, with these weights, configuration and
		// metrics, produced and published by Alice at block 1; the model counts it, its number
		// maps to it and its deposit is held (all checked by the helper, with the event)
		assert_eq!(version, 0);
		assert_eq!(Versions::<Test>::get(version).unwrap().number, 1);
	});
}

#[test]
fn publish_version_records_parents_and_reverse_edges() {
	ExtBuilder.build_and_execute(|| {
		let base = create_model(ALICE, "base");
		let a = publish(ALICE, base, 1, vec![]);
		let b = publish(ALICE, base, 2, vec![]);
		let merged = create_model(BOB, "merged");
		// A reverse edge from each parent, and no other change to the parents.
		let m = assert_publish_version(
			BOB,
			merged,
			weights(3),
			1_000,
			ConfigInput::Hash(H256::zero()),
			vec![],
			vec![(a, Derivation::Merge), (b, Derivation::Merge)],
		);
		assert_eq!(
			Versions::<Test>::get(m).unwrap().parents.into_inner(),
			vec![(a, Derivation::Merge), (b, Derivation::Merge)]
		);
		assert_eq!(Children::<Test>::get(a, m), Some(Derivation::Merge));
		assert_eq!(Children::<Test>::get(b, m), Some(Derivation::Merge));
	});
}

#[test]
fn publish_version_rejects_unknown_model_and_non_owner() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		let call = |who, model| {
			ModelRegistry::publish_version(
				RuntimeOrigin::signed(who),
				model,
				weights(1),
				1,
				ConfigInput::Hash(H256::zero()),
				vec![],
				vec![],
			)
		};
		assert_noop!(call(ALICE, 7), Error::<Test>::ModelNotFound);
		assert_noop!(call(BOB, model), Error::<Test>::NotModelOwner);
	});
}

#[test]
fn publish_version_rejects_bad_weights() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		publish(ALICE, model, 1, vec![]);
		let call = |hash, size| {
			ModelRegistry::publish_version(
				RuntimeOrigin::signed(ALICE),
				model,
				hash,
				size,
				ConfigInput::Hash(H256::zero()),
				vec![],
				vec![],
			)
		};
		assert_noop!(call(weights(2), 0), Error::<Test>::ZeroWeightsSize);
		assert_noop!(call(weights(1), 1_000), Error::<Test>::DuplicateWeights);
		StoredFiles::set(vec![(weights(5), 4_096)]);
		assert_noop!(call(weights(5), 4_000), Error::<Test>::WeightsSizeMismatch);
		assert_ok!(call(weights(5), 4_096));
	});
}

#[test]
fn publish_version_allows_the_same_weights_in_another_model() {
	ExtBuilder.build_and_execute(|| {
		let a = create_model(ALICE, "a");
		let b = create_model(ALICE, "b");
		publish(ALICE, a, 1, vec![]);
		assert_publish_version(
			ALICE,
			b,
			weights(1),
			1_000,
			ConfigInput::Inline(vec![]),
			vec![],
			vec![],
		);
		assert_eq!(NextVersionId::<Test>::get(), 2);
	});
}

#[test]
fn publish_version_rejects_bad_config_and_metrics() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		let call = |config, metrics| {
			ModelRegistry::publish_version(
				RuntimeOrigin::signed(ALICE),
				model,
				weights(1),
				1,
				config,
				metrics,
				vec![],
			)
		};
		let one = FixedI64::from_inner(1);
		assert_noop!(call(ConfigInput::Inline(vec![0; 65]), vec![]), Error::<Test>::ConfigTooLong);
		let five: Vec<_> = (0..5u8).map(|i| (vec![b'm', b'0' + i], one)).collect();
		assert_noop!(call(ConfigInput::Inline(vec![]), five), Error::<Test>::TooManyMetrics);
		assert_noop!(
			call(ConfigInput::Inline(vec![]), vec![(vec![b'm'; 17], one)]),
			Error::<Test>::MetricNameTooLong
		);
		assert_noop!(
			call(ConfigInput::Inline(vec![]), vec![(b"bad name".to_vec(), one)]),
			Error::<Test>::InvalidMetricName
		);
		assert_noop!(
			call(ConfigInput::Inline(vec![]), vec![(b"acc".to_vec(), one), (b"acc".to_vec(), one)]),
			Error::<Test>::DuplicateMetric
		);
	});
}

#[test]
fn publish_version_rejects_bad_parents() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		let v = publish(ALICE, model, 1, vec![]);
		let call = |parents| {
			ModelRegistry::publish_version(
				RuntimeOrigin::signed(ALICE),
				model,
				weights(2),
				1,
				ConfigInput::Inline(vec![]),
				vec![],
				parents,
			)
		};
		assert_noop!(call(vec![(99, Derivation::Finetune)]), Error::<Test>::UnknownParent);
		assert_noop!(
			call(vec![(v, Derivation::Merge), (v, Derivation::Merge)]),
			Error::<Test>::DuplicateParent
		);
		assert_noop!(call(vec![(v, Derivation::Merge); 5]), Error::<Test>::TooManyParents);
	});
}

#[test]
fn publish_version_enforces_derivation_policies() {
	ExtBuilder.build_and_execute(|| {
		// given a closed model of Alice's
		let closed = create_model(ALICE, "closed");
		let base = publish(ALICE, closed, 1, vec![]);
		assert_ok!(ModelRegistry::set_derivation_policy(
			RuntimeOrigin::signed(ALICE),
			closed,
			DerivationPolicy::OwnerOnly
		));
		let bobs = create_model(BOB, "bobs-tune");
		// then Bob may not derive from it
		assert_noop!(
			ModelRegistry::publish_version(
				RuntimeOrigin::signed(BOB),
				bobs,
				weights(2),
				1,
				ConfigInput::Inline(vec![]),
				vec![],
				vec![(base, Derivation::Finetune)],
			),
			Error::<Test>::ParentNotDerivable
		);
		// but Alice may, in another model of hers
		let alices = create_model(ALICE, "alices-tune");
		publish(ALICE, alices, 2, vec![(base, Derivation::Finetune)]);
		// and once the model is open again, so may Bob
		assert_ok!(ModelRegistry::set_derivation_policy(
			RuntimeOrigin::signed(ALICE),
			closed,
			DerivationPolicy::Open
		));
		publish(BOB, bobs, 2, vec![(base, Derivation::Finetune)]);
	});
}

#[test]
fn publish_version_rejects_too_many_versions() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		Models::<Test>::mutate(model, |m| m.as_mut().unwrap().version_count = 5_000);
		assert_noop!(
			ModelRegistry::publish_version(
				RuntimeOrigin::signed(ALICE),
				model,
				weights(1),
				1,
				ConfigInput::Inline(vec![]),
				vec![],
				vec![],
			),
			Error::<Test>::TooManyVersions
		);
		Models::<Test>::mutate(model, |m| m.as_mut().unwrap().version_count = 0);
	});
}

#[test]
fn publish_version_rejects_a_publisher_that_cannot_pay() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		assert_ok!(ModelRegistry::transfer_model(RuntimeOrigin::signed(ALICE), model, PAUPER));
		assert_noop!(
			ModelRegistry::publish_version(
				RuntimeOrigin::signed(PAUPER),
				model,
				weights(1),
				1,
				ConfigInput::Inline(vec![]),
				vec![],
				vec![],
			),
			Error::<Test>::InsufficientDeposit
		);
	});
}

fn round_version(model: ModelId, base: VersionId, seed: u8) -> NewVersion<u64> {
	NewVersion {
		model,
		base,
		round: 7,
		publisher: ALICE,
		weights_hash: weights(seed),
		weights_size: 1_000,
		metrics: vec![(b"accuracy".to_vec(), FixedI64::from_inner(881_200_000))],
		contributors: vec![],
		replaces: None,
	}
}

#[test]
fn a_pallet_publishes_a_round_through_the_trait() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "federated");
		let base = publish(ALICE, model, 1, vec![]);
		// Number 2 of the model, produced by round 7, derived from the base as a federated
		// round, with the base's configuration (all checked by the helper, with the event).
		let id = assert_publish_round(round_version(model, base, 2));
		let version = Versions::<Test>::get(id).unwrap();
		assert_eq!(version.producer, Producer::Round(7));
		assert_eq!(version.number, 2);
		let contributors = ModelRegistry::contributors(id).unwrap();
		assert_eq!(contributors.rounds, vec![7]);
		assert_eq!(contributors.accounts, vec![ALICE]);
	});
}

#[test]
fn a_rounds_contributors_are_recorded_bounded_and_inherited() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "federated");
		let base = publish(ALICE, model, 1, vec![]);
		// Four participants' owners, one twice, with a bound of three.
		let contributors = vec![9, BOB, 8, BOB, 7];
		let id = assert_publish_round(NewVersion { contributors, ..round_version(model, base, 2) });
		assert_eq!(VersionContributors::<Test>::get(id).unwrap().into_inner(), vec![BOB, 7, 8]);
		assert_eq!(ModelRegistry::contributors(id).unwrap().accounts, vec![ALICE, BOB, 7, 8]);
		// A version derived from the round's has them in its ancestry too.
		let child = publish(ALICE, model, 3, vec![(id, Derivation::Finetune)]);
		assert_eq!(ModelRegistry::contributors(child).unwrap().accounts, vec![ALICE, BOB, 7, 8]);
		assert_eq!(VersionContributors::<Test>::get(child), None);
	});
}

#[test]
fn publishing_through_the_trait_never_overwrites_the_model_record() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "federated");
		let base = publish(ALICE, model, 1, vec![]);
		// Between the moment a round would have read the model and its publication, the model
		// changes hands and gets another version.
		let stale = Models::<Test>::get(model).unwrap();
		assert_transfer_model(ALICE, model, BOB);
		publish(BOB, model, 3, vec![]);
		// The publication changes the stored model's version count, and nothing else of it.
		assert_publish_round(round_version(model, base, 2));
		let now = Models::<Test>::get(model).unwrap();
		assert_eq!(now.owner, BOB);
		assert_eq!(now.name, stale.name);
		assert_eq!(now.version_count, 3, "counted from the stored record, not a stale copy");
	});
}

#[test]
fn publishing_through_the_trait_names_each_error() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "federated");
		let base = publish(ALICE, model, 1, vec![]);
		let publish_round = |v| <ModelRegistry as ModelPublisher<u64>>::publish(v);
		assert_noop!(
			publish_round(NewVersion { base: 99, ..round_version(model, base, 2) }),
			Error::<Test>::UnknownParent
		);
		assert_noop!(
			publish_round(NewVersion { model: 99, ..round_version(model, base, 2) }),
			Error::<Test>::ModelNotFound
		);
		assert_noop!(
			publish_round(NewVersion { weights_hash: weights(1), ..round_version(model, base, 2) }),
			Error::<Test>::DuplicateWeights
		);
		assert_noop!(
			publish_round(NewVersion { weights_size: 0, ..round_version(model, base, 2) }),
			Error::<Test>::ZeroWeightsSize
		);
	});
}

#[test]
fn marking_a_round_version_overturned_deprecates_it_and_keeps_it() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "federated");
		let base = publish(ALICE, model, 1, vec![]);
		let wrong = assert_publish_round(round_version(model, base, 2));
		let corrected = assert_publish_round(round_version(model, base, 3));
		let record = Versions::<Test>::get(wrong).unwrap();
		System::set_block_number(9);
		assert_ok!(<ModelRegistry as ModelPublisher<u64>>::mark_overturned(
			wrong,
			7,
			Some(corrected)
		));
		// The record itself is untouched; the overturning is beside it, and deprecates it.
		assert_eq!(Versions::<Test>::get(wrong), Some(record));
		let details = ModelRegistry::version(wrong).unwrap();
		assert_eq!(details.overturned, Some(Overturning { round: 7, corrected: Some(corrected), at: 9 }));
		assert_eq!(details.deprecated_at, Some(9));
		assert_eq!(ModelRegistry::version(corrected).unwrap().overturned, None);
		System::assert_has_event(
			Event::VersionOverturned { model, version: wrong, round: 7, corrected: Some(corrected) }
				.into(),
		);
		// Deprecated: inference and new rounds refuse it.
		assert!(<ModelRegistry as swarm_primitives::ModelCatalog<u64>>::served_version(wrong)
			.unwrap()
			.deprecated);
	});
}

#[test]
fn a_corrected_version_replaces_the_overturned_one_even_with_its_weights() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "federated");
		let base = publish(ALICE, model, 1, vec![]);
		// The round's committee lied only about the evaluation: the same weights, other metrics.
		let wrong = assert_publish_round(round_version(model, base, 2));
		let honest = NewVersion {
			metrics: vec![(b"accuracy".to_vec(), FixedI64::from_inner(512_000_000))],
			replaces: Some(wrong),
			..round_version(model, base, 2)
		};
		let publish_round = |v| <ModelRegistry as ModelPublisher<u64>>::publish(v);
		assert_noop!(
			publish_round(NewVersion { replaces: None, ..honest.clone() }),
			Error::<Test>::DuplicateWeights
		);
		let corrected = publish_round(honest).unwrap();
		let details = ModelRegistry::version(wrong).unwrap();
		assert_eq!(details.overturned.map(|o| (o.round, o.corrected)), Some((7, Some(corrected))));
		assert!(details.deprecated_at.is_some());
		assert_eq!(WeightsInModel::<Test>::get(model, weights(2)), Some(corrected));
		System::assert_has_event(
			Event::VersionOverturned { model, version: wrong, round: 7, corrected: Some(corrected) }
				.into(),
		);
		// Only a version of the same round, once.
		let other = NewVersion { replaces: Some(corrected), round: 8, ..round_version(model, base, 4) };
		assert_noop!(publish_round(other), Error::<Test>::NotProducedByRound);
		let again = NewVersion { replaces: Some(wrong), ..round_version(model, base, 5) };
		assert_noop!(publish_round(again), Error::<Test>::AlreadyOverturned);
		assert_noop!(
			publish_round(NewVersion { replaces: Some(99), ..round_version(model, base, 6) }),
			Error::<Test>::VersionNotFound
		);
	});
}

#[test]
fn marking_overturned_names_each_error() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "federated");
		let base = publish(ALICE, model, 1, vec![]);
		let version = assert_publish_round(round_version(model, base, 2));
		let mark = |version, round| {
			<ModelRegistry as ModelPublisher<u64>>::mark_overturned(version, round, None)
		};
		assert_noop!(mark(99, 7), Error::<Test>::VersionNotFound);
		// Another round's version, and an account's own version, are not this round's.
		assert_noop!(mark(version, 8), Error::<Test>::NotProducedByRound);
		assert_noop!(mark(base, 7), Error::<Test>::NotProducedByRound);
		assert_ok!(mark(version, 7));
		assert_noop!(mark(version, 7), Error::<Test>::AlreadyOverturned);
	});
}

#[test]
fn metrics_use_the_shared_nine_decimal_encoding() {
	assert_eq!(
		<FixedI64 as polkadot_sdk::sp_runtime::FixedPointNumber>::DIV,
		swarm_primitives::metrics::SCALE
	);
	let accuracy = swarm_primitives::metrics::accuracy_from_ppb(881_200_000);
	assert_eq!(metric_to_decimal(swarm_primitives::metrics::to_fixed(accuracy)), "0.8812");
	// A count past u32 saturates instead of wrapping to a tiny deposit.
	assert_eq!(
		ModelRegistry::deposit_for(u32::MAX as usize + 1),
		ModelRegistry::deposit_for(u32::MAX as usize)
	);
}

// ALIASES

#[test]
fn set_alias_works_and_moves() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		let v1 = publish(ALICE, model, 1, vec![]);
		let v2 = publish(ALICE, model, 2, vec![]);
		let before = held(ALICE);
		assert_set_alias(ALICE, model, b"production", v1);
		let deposit = held(ALICE) - before;
		assert!(deposit > 0);
		assert_eq!(ModelRegistry::resolve(b"mnist@production"), Ok(v1));
		// Moving the alias keeps its deposit.
		assert_set_alias(ALICE, model, b"production", v2);
		assert_eq!(held(ALICE) - before, deposit);
		assert_eq!(ModelRegistry::resolve(b"mnist@production"), Ok(v2));
		assert_eq!(Models::<Test>::get(model).unwrap().alias_count, 1);
	});
}

#[test]
fn set_alias_rejects_bad_input() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		let other = create_model(ALICE, "other");
		let v = publish(ALICE, model, 1, vec![]);
		let w = publish(ALICE, other, 1, vec![]);
		let set = |who, model, alias: &[u8], version| {
			ModelRegistry::set_alias(RuntimeOrigin::signed(who), model, alias.to_vec(), version)
		};
		assert_noop!(set(ALICE, 9, b"prod", v), Error::<Test>::ModelNotFound);
		assert_noop!(set(BOB, model, b"prod", v), Error::<Test>::NotModelOwner);
		assert_noop!(set(ALICE, model, &[b'a'; 17], v), Error::<Test>::AliasTooLong);
		for reserved in [&b"latest"[..], b"v3", b"12", b"two words"] {
			assert_noop!(set(ALICE, model, reserved, v), Error::<Test>::InvalidAlias);
		}
		assert_noop!(set(ALICE, model, b"prod", 77), Error::<Test>::VersionNotFound);
		assert_noop!(set(ALICE, model, b"prod", w), Error::<Test>::VersionNotInModel);
		for alias in [&b"a"[..], b"b", b"c"] {
			assert_ok!(set(ALICE, model, alias, v));
		}
		assert_noop!(set(ALICE, model, b"d", v), Error::<Test>::TooManyAliases);
		// Moving an existing alias is fine at the limit.
		assert_ok!(set(ALICE, model, b"a", v));
	});
}

#[test]
fn set_alias_rejects_an_owner_that_cannot_pay() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		let v = publish(ALICE, model, 1, vec![]);
		assert_ok!(ModelRegistry::transfer_model(RuntimeOrigin::signed(ALICE), model, PAUPER));
		assert_noop!(
			ModelRegistry::set_alias(RuntimeOrigin::signed(PAUPER), model, b"prod".to_vec(), v),
			Error::<Test>::InsufficientDeposit
		);
	});
}

#[test]
fn remove_alias_works_and_returns_the_deposit() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		let v = publish(ALICE, model, 1, vec![]);
		let before = held(ALICE);
		let free_before = Balances::balance(&ALICE);
		assert_set_alias(ALICE, model, b"prod", v);
		assert_remove_alias(ALICE, model, b"prod");
		assert_eq!(held(ALICE), before);
		assert_eq!(Balances::balance(&ALICE), free_before);
		assert_eq!(ModelRegistry::resolve(b"mnist@prod"), Err(ResolveError::UnknownVersion));
	});
}

#[test]
fn remove_alias_rejects_bad_input() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		let v = publish(ALICE, model, 1, vec![]);
		assert_ok!(ModelRegistry::set_alias(
			RuntimeOrigin::signed(ALICE),
			model,
			b"prod".to_vec(),
			v
		));
		let remove = |who, model, alias: &[u8]| {
			ModelRegistry::remove_alias(RuntimeOrigin::signed(who), model, alias.to_vec())
		};
		assert_noop!(remove(ALICE, 5, b"prod"), Error::<Test>::ModelNotFound);
		assert_noop!(remove(BOB, model, b"prod"), Error::<Test>::NotModelOwner);
		assert_noop!(remove(ALICE, model, &[b'x'; 17]), Error::<Test>::AliasTooLong);
		assert_noop!(remove(ALICE, model, b"staging"), Error::<Test>::AliasNotFound);
	});
}

// DEPRECATION, TRANSFER, POLICY, REMOVAL

#[test]
fn deprecate_version_works() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		let v = publish(ALICE, model, 1, vec![]);
		System::set_block_number(5);
		assert_deprecate_version(ALICE, v);
		assert_eq!(ModelRegistry::version(v).unwrap().deprecated_at, Some(5));
		// A deprecated version is still a valid parent.
		publish(ALICE, model, 2, vec![(v, Derivation::Quantize)]);
	});
}

#[test]
fn deprecate_version_rejects_bad_input() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		let v = publish(ALICE, model, 1, vec![]);
		assert_noop!(
			ModelRegistry::deprecate_version(RuntimeOrigin::signed(ALICE), 9),
			Error::<Test>::VersionNotFound
		);
		assert_noop!(
			ModelRegistry::deprecate_version(RuntimeOrigin::signed(BOB), v),
			Error::<Test>::NotModelOwner
		);
		assert_ok!(ModelRegistry::deprecate_version(RuntimeOrigin::signed(ALICE), v));
		assert_noop!(
			ModelRegistry::deprecate_version(RuntimeOrigin::signed(ALICE), v),
			Error::<Test>::AlreadyDeprecated
		);
	});
}

#[test]
fn transfer_model_works() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		let deposit = held(ALICE);
		assert_transfer_model(ALICE, model, BOB);
		// The deposit stays with Alice, who paid it.
		assert_eq!(held(ALICE), deposit);
		// Bob now publishes; Alice no longer can.
		publish(BOB, model, 1, vec![]);
		assert_noop!(
			ModelRegistry::transfer_model(RuntimeOrigin::signed(ALICE), model, CHARLIE),
			Error::<Test>::NotModelOwner
		);
	});
}

#[test]
fn transfer_model_rejects_bad_input() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		assert_noop!(
			ModelRegistry::transfer_model(RuntimeOrigin::signed(ALICE), 3, BOB),
			Error::<Test>::ModelNotFound
		);
		assert_noop!(
			ModelRegistry::transfer_model(RuntimeOrigin::signed(ALICE), model, ALICE),
			Error::<Test>::AlreadyOwner
		);
	});
}

#[test]
fn set_derivation_policy_works_and_checks_ownership() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		assert_set_derivation_policy(ALICE, model, DerivationPolicy::OwnerOnly);
		assert_noop!(
			ModelRegistry::set_derivation_policy(
				RuntimeOrigin::signed(BOB),
				model,
				DerivationPolicy::Open
			),
			Error::<Test>::NotModelOwner
		);
		assert_noop!(
			ModelRegistry::set_derivation_policy(
				RuntimeOrigin::signed(ALICE),
				8,
				DerivationPolicy::Open
			),
			Error::<Test>::ModelNotFound
		);
	});
}

#[test]
fn remove_model_works_and_frees_the_name() {
	ExtBuilder.build_and_execute(|| {
		let free_before = Balances::balance(&ALICE);
		let model = create_model(ALICE, "draft");
		// The model and its name are gone, its deposit released.
		assert_remove_model(ALICE, model);
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), free_before);
		create_model(BOB, "draft");
	});
}

#[test]
fn remove_model_rejects_bad_input() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "mnist");
		assert_noop!(
			ModelRegistry::remove_model(RuntimeOrigin::signed(ALICE), 4),
			Error::<Test>::ModelNotFound
		);
		assert_noop!(
			ModelRegistry::remove_model(RuntimeOrigin::signed(BOB), model),
			Error::<Test>::NotModelOwner
		);
		publish(ALICE, model, 1, vec![]);
		assert_noop!(
			ModelRegistry::remove_model(RuntimeOrigin::signed(ALICE), model),
			Error::<Test>::ModelHasVersions
		);
	});
}

#[test]
fn unsigned_calls_are_rejected() {
	ExtBuilder.build_and_execute(|| {
		assert_noop!(
			ModelRegistry::create_model(
				RuntimeOrigin::none(),
				b"x".to_vec(),
				vec![],
				vec![],
				DerivationPolicy::Open
			),
			polkadot_sdk::sp_runtime::DispatchError::BadOrigin
		);
	});
}

#[test]
fn deposits_fail_cleanly_when_funds_are_short() {
	// The deposit error is the pallet's own, not a bare token error.
	ExtBuilder.build_and_execute(|| {
		let result = ModelRegistry::create_model(
			RuntimeOrigin::signed(PAUPER),
			b"x".to_vec(),
			vec![],
			vec![],
			DerivationPolicy::Open,
		);
		assert_ne!(result, Err(TokenError::FundsUnavailable.into()));
		assert_eq!(result, Err(Error::<Test>::InsufficientDeposit.into()));
	});
}

// QUERIES

/// Builds a three-generation lineage:
///
/// ```text
/// base-a v1 (0) ──finetune──▶ tuned v1 (2) ──quantize──▶ tuned v2 (3)
/// base-b v1 (1) ──┐                ▲
///                 └──merge──▶ merged v1 (4) ◀──merge── tuned v1 (2)
/// ```
fn three_generations() -> (VersionId, VersionId, VersionId, VersionId, VersionId) {
	let base_a = create_model(ALICE, "base-a");
	let base_b = create_model(BOB, "base-b");
	let a = publish(ALICE, base_a, 1, vec![]);
	let b = publish(BOB, base_b, 2, vec![]);
	let tuned = create_model(CHARLIE, "tuned");
	let t1 = publish(CHARLIE, tuned, 3, vec![(a, Derivation::Finetune)]);
	let t2 = publish(CHARLIE, tuned, 4, vec![(t1, Derivation::Quantize)]);
	let merged = create_model(ALICE, "merged");
	let m = publish(ALICE, merged, 5, vec![(t1, Derivation::Merge), (b, Derivation::Merge)]);
	(a, b, t1, t2, m)
}

#[test]
fn resolve_understands_every_reference_form() {
	ExtBuilder.build_and_execute(|| {
		let (_, _, t1, t2, _) = three_generations();
		assert_ok!(ModelRegistry::set_alias(
			RuntimeOrigin::signed(CHARLIE),
			2,
			b"stable".to_vec(),
			t1
		));
		assert_eq!(ModelRegistry::resolve(b"3"), Ok(t2));
		assert_eq!(ModelRegistry::resolve(b"tuned@latest"), Ok(t2));
		assert_eq!(ModelRegistry::resolve(b"tuned@v1"), Ok(t1));
		assert_eq!(ModelRegistry::resolve(b"2@v2"), Ok(t2));
		assert_eq!(ModelRegistry::resolve(b"tuned@stable"), Ok(t1));
		assert_eq!(ModelRegistry::resolve(b"nope@latest"), Err(ResolveError::UnknownModel));
		assert_eq!(ModelRegistry::resolve(b"tuned@v9"), Err(ResolveError::UnknownVersion));
		assert_eq!(ModelRegistry::resolve(b"tuned@gone"), Err(ResolveError::UnknownVersion));
		assert_eq!(ModelRegistry::resolve(b"99"), Err(ResolveError::UnknownVersion));
		for malformed in [&b""[..], b"tuned", b"@v1", b"tuned@", b"-1"] {
			assert_eq!(ModelRegistry::resolve(malformed), Err(ResolveError::Malformed));
		}
	});
}

#[test]
fn version_details_include_model_name_aliases_and_deprecation() {
	ExtBuilder.build_and_execute(|| {
		let (_, _, t1, _, _) = three_generations();
		assert_ok!(ModelRegistry::set_alias(
			RuntimeOrigin::signed(CHARLIE),
			2,
			b"stable".to_vec(),
			t1
		));
		assert_ok!(ModelRegistry::deprecate_version(RuntimeOrigin::signed(CHARLIE), t1));
		let details = ModelRegistry::version(t1).unwrap();
		assert_eq!(details.model_name.to_vec(), b"tuned".to_vec());
		assert_eq!(
			details.aliases.iter().map(|a| a.to_vec()).collect::<Vec<_>>(),
			vec![b"stable".to_vec()]
		);
		assert_eq!(details.deprecated_at, Some(1));
		assert!(ModelRegistry::version(42).is_none());
		assert_eq!(ModelRegistry::model_by_name(b"tuned").unwrap().id, 2);
		assert!(ModelRegistry::model_by_name(b"missing").is_none());
	});
}

#[test]
fn versions_of_lists_a_model_by_number_with_paging() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "many");
		let ids: Vec<_> = (1..=5).map(|w| publish(ALICE, model, w, vec![])).collect();
		let all: Vec<_> =
			ModelRegistry::versions_of(model, 1, 100).into_iter().map(|v| v.id).collect();
		assert_eq!(all, ids);
		let page: Vec<_> =
			ModelRegistry::versions_of(model, 2, 2).into_iter().map(|v| v.info.number).collect();
		assert_eq!(page, vec![2, 3]);
		assert!(ModelRegistry::versions_of(77, 1, 10).is_empty());
	});
}

#[test]
fn ancestors_walks_parents_breadth_first_to_a_depth() {
	ExtBuilder.build_and_execute(|| {
		let (a, b, t1, _, m) = three_generations();
		let lineage = ModelRegistry::ancestors(m, 10).unwrap();
		let found: Vec<_> = lineage.nodes.iter().map(|n| (n.id, n.depth)).collect();
		assert_eq!(found, vec![(m, 0), (t1, 1), (b, 1), (a, 2)]);
		assert!(!lineage.truncated);
		assert_eq!(lineage.nodes[0].parents, vec![(t1, Derivation::Merge), (b, Derivation::Merge)]);
		let shallow: Vec<_> =
			ModelRegistry::ancestors(m, 1).unwrap().nodes.iter().map(|n| n.id).collect();
		assert_eq!(shallow, vec![m, t1, b]);
		assert!(ModelRegistry::ancestors(100, 3).is_none());
	});
}

#[test]
fn descendants_walks_children() {
	ExtBuilder.build_and_execute(|| {
		let (a, _, t1, t2, m) = three_generations();
		let found: Vec<_> = ModelRegistry::descendants(a, 5)
			.unwrap()
			.nodes
			.iter()
			.map(|n| (n.id, n.depth))
			.collect();
		assert_eq!(found, vec![(a, 0), (t1, 1), (t2, 2), (m, 2)]);
	});
}

#[test]
fn descendants_of_a_version_with_more_children_than_the_limit_are_cut_at_the_limit() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "popular");
		let base = publish(ALICE, model, 1, vec![]);
		for seed in 2..8 {
			publish(ALICE, model, seed, vec![(base, Derivation::Finetune)]);
		}
		MaxLineageResults::set(3);
		let lineage = ModelRegistry::descendants(base, 5).unwrap();
		assert_eq!(lineage.nodes.len(), 3);
		assert!(lineage.truncated);
		assert_eq!(ModelRegistry::versions_of(model, 1, u32::MAX).len(), 3);
		MaxLineageResults::set(10_000);
		assert_eq!(ModelRegistry::descendants(base, 5).unwrap().nodes.len(), 7);
	});
}

#[test]
fn walks_stop_at_the_result_limit() {
	ExtBuilder.build_and_execute(|| {
		let (_, _, _, _, m) = three_generations();
		MaxLineageResults::set(2);
		let lineage = ModelRegistry::ancestors(m, 10).unwrap();
		assert_eq!(lineage.nodes.len(), 2);
		assert!(lineage.truncated);
		assert!(ModelRegistry::contributors(m).unwrap().truncated);
		MaxLineageResults::set(10_000);
	});
}

#[test]
fn derivation_path_finds_the_chain_either_way() {
	ExtBuilder.build_and_execute(|| {
		let (a, b, t1, t2, m) = three_generations();
		let path = ModelRegistry::derivation_path(a, t2).unwrap();
		assert_eq!((path.ancestor, path.descendant), (a, t2));
		assert_eq!(
			path.steps,
			vec![
				DerivationStep { parent: a, child: t1, derivation: Derivation::Finetune },
				DerivationStep { parent: t1, child: t2, derivation: Derivation::Quantize },
			]
		);
		// Arguments in the other order give the same path.
		assert_eq!(ModelRegistry::derivation_path(t2, a), Some(path));
		// b and t2 are not in a line of descent.
		assert_eq!(ModelRegistry::derivation_path(b, t2), None);
		assert_eq!(ModelRegistry::derivation_path(b, m).unwrap().steps.len(), 1);
		assert_eq!(ModelRegistry::derivation_path(m, m).unwrap().steps, vec![]);
		assert_eq!(ModelRegistry::derivation_path(m, 99), None);
	});
}

#[test]
fn contributors_cover_the_whole_ancestry() {
	ExtBuilder.build_and_execute(|| {
		let (a, _, _, _, m) = three_generations();
		let contributors = ModelRegistry::contributors(m).unwrap();
		assert_eq!(contributors.accounts, vec![ALICE, BOB, CHARLIE]);
		assert_eq!(contributors.versions, 4);
		assert!(contributors.rounds.is_empty());
		assert_eq!(ModelRegistry::contributors(a).unwrap().accounts, vec![ALICE]);
		assert!(ModelRegistry::contributors(64).is_none());
	});
}

#[test]
fn deep_lineages_are_walked_to_the_end() {
	ExtBuilder.build_and_execute(|| {
		let model = create_model(ALICE, "deep");
		let mut last = publish(ALICE, model, 0, vec![]);
		for i in 1..1_000u32 {
			let id = NextVersionId::<Test>::get();
			assert_ok!(ModelRegistry::publish_version(
				RuntimeOrigin::signed(ALICE),
				model,
				H256::from_low_u64_be(i as u64 + 1_000),
				1,
				ConfigInput::Inline(vec![]),
				vec![],
				vec![(last, Derivation::Finetune)],
			));
			last = id;
		}
		let lineage = ModelRegistry::ancestors(last, 1_000).unwrap();
		assert_eq!(lineage.nodes.len(), 1_000);
		assert_eq!(lineage.nodes.last().unwrap().depth, 999);
		assert_eq!(ModelRegistry::derivation_path(0, last).unwrap().steps.len(), 999);
	});
}

#[test]
fn version_refs_parse() {
	assert_eq!(VersionRef::parse(b"42"), Ok(VersionRef::Id(42)));
	assert_eq!(
		VersionRef::parse(b"mnist@v3"),
		Ok(VersionRef::Tagged { model: ModelKey::Name(b"mnist"), tag: Tag::Number(3) })
	);
	assert_eq!(
		VersionRef::parse(b"7@vnext"),
		Ok(VersionRef::Tagged { model: ModelKey::Id(7), tag: Tag::Alias(b"vnext") })
	);
	assert_eq!(VersionRef::parse(b"99999999999999999999999"), Err(ResolveError::Malformed));
}

#[test]
fn the_balance_of_a_depositor_is_only_held_not_spent() {
	ExtBuilder.build_and_execute(|| {
		let total = Balances::total_balance(&ALICE);
		let model = create_model(ALICE, "m");
		publish(ALICE, model, 1, vec![]);
		assert_eq!(Balances::total_balance(&ALICE), total);
	});
}

#[test]
fn metric_values_print_exactly() {
	assert_eq!(metric_to_decimal(FixedI64::from_inner(881_200_000)), "0.8812");
	assert_eq!(metric_to_decimal(FixedI64::from_inner(2_000_000_000)), "2");
	assert_eq!(metric_to_decimal(FixedI64::from_inner(-1_500_000_000)), "-1.5");
	assert_eq!(metric_to_decimal(FixedI64::from_inner(1)), "0.000000001");
	assert_eq!(metric_to_decimal(FixedI64::from_inner(0)), "0");
	assert_eq!(metric_to_decimal(FixedI64::from_inner(i64::MIN)), "-9223372036.854775808");
}

// TESTING UTILITIES

#[test]
fn the_snapshot_catches_a_collateral_write() {
	ExtBuilder.build_and_execute(|| {
		// given two models, and the state closing Alice's must leave: her model's policy
		// changed, nothing else
		let alices = create_model(ALICE, "alices");
		let bobs = create_model(BOB, "bobs");
		let mut expected = MemorySnapshot::new();
		expected.model_mut(alices).derivation_policy = DerivationPolicy::OwnerOnly;
		assert_ok!(ModelRegistry::set_derivation_policy(
			RuntimeOrigin::signed(ALICE),
			alices,
			DerivationPolicy::OwnerOnly
		));
		assert_eq!(expected.diff(&MemorySnapshot::new()), Vec::<String>::new());
		// when a write the call should not make lands as well: Bob's model is closed too
		Models::<Test>::mutate(bobs, |info| {
			info.as_mut().unwrap().derivation_policy = DerivationPolicy::OwnerOnly
		});
		// then the comparison reports that entry, and only it
		let post = MemorySnapshot::new();
		let diff = expected.diff(&post);
		assert_eq!(diff.len(), 1, "{diff:#?}");
		assert!(diff[0].starts_with(&format!("Models[{bobs}]: expected ")), "{diff:#?}");
		assert!(std::panic::catch_unwind(|| expected.assert_matches(&post)).is_err());
	});
}
