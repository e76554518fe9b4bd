//! Testing utilities: a snapshot of everything the pallet stores, and one `assert_<call>` per
//! call that runs the call and checks the whole state transition (the pattern of Astar's
//! `dapp-staking` `testing_utils.rs`; the parts every pallet shares are in
//! [`swarm_pallet_testing`]).
//!
//! Each `assert_<call>` takes a [`MemorySnapshot`], works out from it and from the call's
//! arguments the state the call must leave (the snapshot with the call's changes applied), runs
//! the call, checks the events it deposits, takes a second snapshot and compares the two in full
//! with [`assert_transition`]. A call that also writes something it should not (a collateral
//! write: another model's record, another version's edges, a deposit) fails the comparison,
//! which names each storage entry that differs.

use crate::{mock::*, *};
use codec::Encode;
use polkadot_sdk::{
	frame_support::{traits::Get, BoundedVec},
	sp_runtime::FixedI64,
};
use std::collections::BTreeMap;
use swarm_pallet_testing::{assert_transition, diff_map, diff_value, BalancesSnapshot};

// Re-exported for the tests, which take, diff and compare snapshots (`MemorySnapshot::new`,
// `diff`, `assert_matches`).
pub(crate) use swarm_pallet_testing::PalletSnapshot;

/// Everything the pallet stores, plus the balances its calls move.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct MemorySnapshot {
	/// [`NextModelId`].
	pub next_model_id: ModelId,
	/// [`NextVersionId`].
	pub next_version_id: VersionId,
	/// [`Models`].
	pub models: BTreeMap<ModelId, ModelInfo<Test>>,
	/// [`ModelIdByName`], by the name's bytes.
	pub model_id_by_name: BTreeMap<Vec<u8>, ModelId>,
	/// [`Versions`].
	pub versions: BTreeMap<VersionId, VersionInfo<Test>>,
	/// [`ModelVersions`], by `(model, number)`.
	pub model_versions: BTreeMap<(ModelId, u32), VersionId>,
	/// [`WeightsInModel`], by `(model, weights hash)`.
	pub weights_in_model: BTreeMap<(ModelId, H256), VersionId>,
	/// [`Children`], by `(parent, child)`.
	pub children: BTreeMap<(VersionId, VersionId), Derivation>,
	/// [`Aliases`], by `(model, alias bytes)`.
	pub aliases: BTreeMap<(ModelId, Vec<u8>), AliasInfo<Test>>,
	/// [`Deprecated`].
	pub deprecated: BTreeMap<VersionId, u64>,
	/// [`Overturned`].
	pub overturned: BTreeMap<VersionId, Overturning<u64>>,
	/// [`VersionContributors`].
	pub version_contributors: BTreeMap<VersionId, Vec<u64>>,
	/// Balances, deposits held (as [`HoldReason::StorageDeposit`]) and issuance.
	pub balances: BalancesSnapshot<Test>,
}

impl PalletSnapshot for MemorySnapshot {
	type Runtime = Test;
	type Event = Event<Test>;

	fn new() -> Self {
		Self {
			next_model_id: NextModelId::<Test>::get(),
			next_version_id: NextVersionId::<Test>::get(),
			models: Models::<Test>::iter().collect(),
			model_id_by_name: ModelIdByName::<Test>::iter()
				.map(|(name, model)| (name.into_inner(), model))
				.collect(),
			versions: Versions::<Test>::iter().collect(),
			model_versions: ModelVersions::<Test>::iter()
				.map(|(model, number, version)| ((model, number), version))
				.collect(),
			weights_in_model: WeightsInModel::<Test>::iter()
				.map(|(model, hash, version)| ((model, hash), version))
				.collect(),
			children: Children::<Test>::iter()
				.map(|(parent, child, derivation)| ((parent, child), derivation))
				.collect(),
			aliases: Aliases::<Test>::iter()
				.map(|(model, alias, info)| ((model, alias.into_inner()), info))
				.collect(),
			deprecated: Deprecated::<Test>::iter().collect(),
			overturned: Overturned::<Test>::iter().collect(),
			version_contributors: VersionContributors::<Test>::iter()
				.map(|(version, accounts)| (version, accounts.into_inner()))
				.collect(),
			balances: BalancesSnapshot::holding(HoldReason::StorageDeposit),
		}
	}

	fn diff(&self, actual: &Self) -> Vec<String> {
		// Destructured, so that a field added to the snapshot cannot be left out of the diff.
		let Self {
			next_model_id,
			next_version_id,
			models,
			model_id_by_name,
			versions,
			model_versions,
			weights_in_model,
			children,
			aliases,
			deprecated,
			overturned,
			version_contributors,
			balances,
		} = self;
		let mut diff = Vec::new();
		diff_value("NextModelId", next_model_id, &actual.next_model_id, &mut diff);
		diff_value("NextVersionId", next_version_id, &actual.next_version_id, &mut diff);
		diff_map("Models", models, &actual.models, &mut diff);
		diff_map("ModelIdByName", model_id_by_name, &actual.model_id_by_name, &mut diff);
		diff_map("Versions", versions, &actual.versions, &mut diff);
		diff_map("ModelVersions", model_versions, &actual.model_versions, &mut diff);
		diff_map("WeightsInModel", weights_in_model, &actual.weights_in_model, &mut diff);
		diff_map("Children", children, &actual.children, &mut diff);
		diff_map("Aliases", aliases, &actual.aliases, &mut diff);
		diff_map("Deprecated", deprecated, &actual.deprecated, &mut diff);
		diff_map("Overturned", overturned, &actual.overturned, &mut diff);
		diff_map(
			"VersionContributors",
			version_contributors,
			&actual.version_contributors,
			&mut diff,
		);
		balances.diff(&actual.balances, &mut diff);
		diff
	}
}

impl MemorySnapshot {
	/// The model `model` of the snapshot, to change; panics if there is none.
	#[track_caller]
	pub fn model_mut(&mut self, model: ModelId) -> &mut ModelInfo<Test> {
		self.models.get_mut(&model).unwrap_or_else(|| panic!("no model {model} in the snapshot"))
	}
}

/// Bounds `bytes` as a record field of at most `S` bytes (the test's inputs are within bounds).
#[track_caller]
fn bounded<S: Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
	bytes.to_vec().try_into().expect("within bounds")
}

/// Creates a model as `owner`, and checks that exactly this happened: a model with the next
/// id, the given fields, no versions nor aliases, created now, owned and paid for by `owner`;
/// its name indexed; the next id one higher; a deposit for the record's size held from `owner`;
/// [`Event::ModelCreated`]. Returns the model's id.
#[track_caller]
pub(crate) fn assert_create_model(
	owner: u64,
	name: &[u8],
	licence: &[u8],
	description: &[u8],
	derivation_policy: DerivationPolicy,
) -> ModelId {
	let mut expected = MemorySnapshot::new();
	let model = expected.next_model_id;
	let mut info = ModelInfo::<Test> {
		owner,
		name: bounded(name),
		licence: bounded(licence),
		description: bounded(description),
		derivation_policy,
		created_at: System::block_number(),
		version_count: 0,
		alias_count: 0,
		depositor: owner,
		deposit: 0,
	};
	info.deposit = ModelRegistry::deposit_for(info.encoded_size());
	expected.balances.hold(owner, info.deposit);
	expected.models.insert(model, info);
	expected.model_id_by_name.insert(name.to_vec(), model);
	expected.next_model_id += 1;
	assert_transition(
		|| {
			ModelRegistry::create_model(
				RuntimeOrigin::signed(owner),
				name.to_vec(),
				licence.to_vec(),
				description.to_vec(),
				derivation_policy,
			)
		},
		vec![Event::ModelCreated { model, owner, name: bounded(name) }],
		expected,
	);
	model
}

/// Applies to `expected` what recording `new` must change (the same for the call and for
/// [`ModelPublisher`]), and returns the new version's id and its event.
fn expect_version(
	expected: &mut MemorySnapshot,
	new: NewVersionRecord<Test>,
) -> (VersionId, Event<Test>) {
	let NewVersionRecord {
		publisher,
		model,
		weights_hash,
		weights_size,
		config,
		metrics,
		parents,
		producer,
	} = new;
	let version = expected.next_version_id;
	let number = expected.models[&model].version_count + 1;
	let mut info = VersionInfo::<Test> {
		model,
		number,
		weights_hash,
		weights_size,
		config,
		metrics: metrics
			.into_iter()
			.map(|(name, value)| Metric { name: bounded(&name), value })
			.collect::<Vec<_>>()
			.try_into()
			.expect("metrics within bounds"),
		parents: parents.clone().try_into().expect("parents within bounds"),
		producer: producer.clone(),
		publisher,
		published_at: System::block_number(),
		deposit: 0,
	};
	info.deposit = ModelRegistry::deposit_for(info.encoded_size());
	expected.balances.hold(publisher, info.deposit);
	expected.versions.insert(version, info);
	for (parent, derivation) in parents {
		expected.children.insert((parent, version), derivation);
	}
	expected.model_versions.insert((model, number), version);
	expected.weights_in_model.insert((model, weights_hash), version);
	expected.model_mut(model).version_count = number;
	expected.next_version_id += 1;
	(version, Event::VersionPublished { model, version, number, weights_hash, producer })
}

/// Publishes a version of `model` as its owner `who`, and checks that exactly this happened: a
/// version with the next id and the model's next number, the given weights, configuration,
/// metrics and parents, produced and published by `who` now; a reverse edge from each parent;
/// its entries in the model's version and weights indexes; the model's version count and the
/// next id one higher; a deposit for the record's size held from `who`;
/// [`Event::VersionPublished`]. Returns the version's id.
#[track_caller]
pub(crate) fn assert_publish_version(
	who: u64,
	model: ModelId,
	weights_hash: H256,
	weights_size: u64,
	config: ConfigInput,
	metrics: Vec<(Vec<u8>, FixedI64)>,
	parents: Vec<(VersionId, Derivation)>,
) -> VersionId {
	let mut expected = MemorySnapshot::new();
	let stored_config = match &config {
		ConfigInput::Inline(bytes) => ConfigRef::Inline(bounded(bytes)),
		ConfigInput::Hash(hash) => ConfigRef::Hash(*hash),
	};
	let (version, event) = expect_version(
		&mut expected,
		NewVersionRecord {
			publisher: who,
			model,
			weights_hash,
			weights_size,
			config: stored_config,
			metrics: metrics.clone(),
			parents: parents.clone(),
			producer: Producer::Account(who),
		},
	);
	assert_transition(
		|| {
			ModelRegistry::publish_version(
				RuntimeOrigin::signed(who),
				model,
				weights_hash,
				weights_size,
				config,
				metrics,
				parents,
			)
		},
		vec![event],
		expected,
	);
	version
}

/// Publishes a training round's aggregate through [`ModelPublisher`], and checks that exactly
/// this happened: what [`assert_publish_version`] checks, for a version with the base's
/// configuration, derived from the base as [`Derivation::FederatedRound`], produced by the
/// round and paid for by `new.publisher`. Returns the version's id.
#[track_caller]
pub(crate) fn assert_publish_round(new: NewVersion<u64>) -> VersionId {
	let mut expected = MemorySnapshot::new();
	let config = expected.versions[&new.base].config.clone();
	let mut contributors = new.contributors.clone();
	contributors.sort();
	contributors.dedup();
	contributors.truncate(<<Test as Config>::MaxContributors as Get<u32>>::get() as usize);
	let (version, event) = expect_version(
		&mut expected,
		NewVersionRecord {
			publisher: new.publisher,
			model: new.model,
			weights_hash: new.weights_hash,
			weights_size: new.weights_size,
			config,
			metrics: new.metrics.clone(),
			parents: vec![(new.base, Derivation::FederatedRound)],
			producer: Producer::Round(new.round),
		},
	);
	if !contributors.is_empty() {
		expected.version_contributors.insert(version, contributors);
	}
	assert_transition(
		|| {
			let published = <ModelRegistry as ModelPublisher<u64>>::publish(new)?;
			assert_eq!(published, version, "the id returned");
			Ok(())
		},
		vec![event],
		expected,
	);
	version
}

/// Points the alias `alias` of `model` at `version` as the model's owner `who`, and checks that
/// exactly this happened: an existing alias points at `version` and keeps its deposit; a new
/// one is recorded with a deposit for its size held from `who`, and the model's alias count is
/// one higher; [`Event::AliasSet`].
#[track_caller]
pub(crate) fn assert_set_alias(who: u64, model: ModelId, alias: &[u8], version: VersionId) {
	let mut expected = MemorySnapshot::new();
	let key = (model, alias.to_vec());
	match expected.aliases.get_mut(&key) {
		Some(existing) => existing.version = version,
		None => {
			let mut entry = AliasInfo::<Test> { version, depositor: who, deposit: 0 };
			let alias_size = bounded::<<Test as Config>::MaxAliasLen>(alias).encoded_size();
			entry.deposit = ModelRegistry::deposit_for(entry.encoded_size() + alias_size);
			expected.balances.hold(who, entry.deposit);
			expected.aliases.insert(key, entry);
			expected.model_mut(model).alias_count += 1;
		},
	}
	assert_transition(
		|| ModelRegistry::set_alias(RuntimeOrigin::signed(who), model, alias.to_vec(), version),
		vec![Event::AliasSet { model, alias: bounded(alias), version }],
		expected,
	);
}

/// Removes the alias `alias` of `model` as the model's owner `who`, and checks that exactly
/// this happened: the alias is gone, its deposit released to whoever paid it, and the model's
/// alias count is one lower; [`Event::AliasRemoved`].
#[track_caller]
pub(crate) fn assert_remove_alias(who: u64, model: ModelId, alias: &[u8]) {
	let mut expected = MemorySnapshot::new();
	let entry = expected.aliases.remove(&(model, alias.to_vec())).expect("the alias exists");
	expected.balances.release(entry.depositor, entry.deposit);
	expected.model_mut(model).alias_count -= 1;
	assert_transition(
		|| ModelRegistry::remove_alias(RuntimeOrigin::signed(who), model, alias.to_vec()),
		vec![Event::AliasRemoved { model, alias: bounded(alias) }],
		expected,
	);
}

/// Deprecates `version` as its model's owner `who`, and checks that exactly this happened: the
/// version is deprecated as of now, and is otherwise unchanged; [`Event::VersionDeprecated`].
#[track_caller]
pub(crate) fn assert_deprecate_version(who: u64, version: VersionId) {
	let mut expected = MemorySnapshot::new();
	let model = expected.versions[&version].model;
	expected.deprecated.insert(version, System::block_number());
	assert_transition(
		|| ModelRegistry::deprecate_version(RuntimeOrigin::signed(who), version),
		vec![Event::VersionDeprecated { model, version }],
		expected,
	);
}

/// Transfers `model` from its owner `who` to `new_owner`, and checks that exactly this
/// happened: the model's owner is `new_owner`, and deposits stay with whoever paid them;
/// [`Event::ModelTransferred`].
#[track_caller]
pub(crate) fn assert_transfer_model(who: u64, model: ModelId, new_owner: u64) {
	let mut expected = MemorySnapshot::new();
	expected.model_mut(model).owner = new_owner;
	assert_transition(
		|| ModelRegistry::transfer_model(RuntimeOrigin::signed(who), model, new_owner),
		vec![Event::ModelTransferred { model, from: who, to: new_owner }],
		expected,
	);
}

/// Sets the derivation policy of `model` to `policy` as its owner `who`, and checks that
/// exactly this happened: the model's policy is `policy`; [`Event::DerivationPolicyChanged`].
#[track_caller]
pub(crate) fn assert_set_derivation_policy(who: u64, model: ModelId, policy: DerivationPolicy) {
	let mut expected = MemorySnapshot::new();
	expected.model_mut(model).derivation_policy = policy;
	assert_transition(
		|| ModelRegistry::set_derivation_policy(RuntimeOrigin::signed(who), model, policy),
		vec![Event::DerivationPolicyChanged { model, policy }],
		expected,
	);
}

/// Removes the version-less `model` as its owner `who`, and checks that exactly this happened:
/// the model and its name are gone, and its deposit is released to whoever paid it;
/// [`Event::ModelRemoved`].
#[track_caller]
pub(crate) fn assert_remove_model(who: u64, model: ModelId) {
	let mut expected = MemorySnapshot::new();
	let info = expected.models.remove(&model).expect("the model exists");
	expected.model_id_by_name.remove(&info.name.into_inner());
	expected.balances.release(info.depositor, info.deposit);
	assert_transition(
		|| ModelRegistry::remove_model(RuntimeOrigin::signed(who), model),
		vec![Event::ModelRemoved { model }],
		expected,
	);
}
