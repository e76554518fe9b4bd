//! Storage version 1: every model's counters recounted from the indexes.
//!
//! A [`ModelInfo`](crate::ModelInfo) carries two counters that the calls keep in step with the
//! indexes: `version_count`, the number of the model's entries in [`ModelVersions`] (the next
//! version is numbered from it), and `alias_count`, the number of its entries in [`Aliases`]
//! (which [`Config::MaxAliasesPerModel`] bounds). A counter out of step would number a version
//! over an existing one, or let a model hold more or fewer aliases than its bound.
//!
//! Version 1 says that both counters were recounted from the indexes at least once:
//! [`MigrateV0ToV1`] visits every model, counts its versions and aliases by key, and rewrites the
//! model only where a counter disagrees, logging each repair. On a consistent registry it changes
//! nothing but the storage version. It is also the registry's first migration, the example the
//! next ones follow, and the one the forkless-upgrade test (`runtime-upgrade.test.mjs`) runs.
//!
//! **Cost.** One read per key visited (each model, each of its versions and aliases, and the key
//! that ends each of the iterations) and one write per repaired model, all in the first block of
//! the new runtime. That fits a registry of some tens of thousands of records; a larger one
//! would need a multi-block migration (`pallet-migrations`).
//!
//! **Checks.** Under `try-runtime`, `pre_upgrade` records how many models, versions and aliases
//! there are, and `post_upgrade` checks that the migration kept them and left every counter
//! equal to its index's count, with the pallet's other invariants
//! ([`Pallet::do_try_state`](crate::Pallet::do_try_state)). The same checks are public
//! ([`pre_check`], [`post_check`]) and compiled with `std` too: the unit tests call them, and so
//! does the runtime's test of its migrations on a populated dev chain (`runtime/tests/runtime.rs`).

use crate::{Aliases, Config, ModelVersions, Models, Pallet, LOG_TARGET};
use polkadot_sdk::{
	frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	},
	frame_system,
};
#[cfg(any(test, feature = "std", feature = "try-runtime"))]
use {
	alloc::vec::Vec,
	codec::{Decode, Encode},
	polkadot_sdk::{
		frame_support::{ensure, traits::GetStorageVersion},
		sp_runtime::TryRuntimeError,
	},
};

/// Migrates the registry from storage version 0 to 1 (see the module docs); at any other
/// on-chain version it does nothing but read the version.
pub type MigrateV0ToV1<T> = VersionedMigration<
	0,
	1,
	version_unchecked::RecountModelCounters<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;

// Private, so that a runtime cannot run the migration without the storage version check.
mod version_unchecked {
	use super::*;
	use core::marker::PhantomData;

	/// Recounts every model's counters; [`MigrateV0ToV1`] runs it once, at version 0.
	pub struct RecountModelCounters<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for RecountModelCounters<T> {
		fn on_runtime_upgrade() -> Weight {
			// The Models iteration's final read, which finds no further model.
			let mut reads: u64 = 1;
			let mut models: u32 = 0;
			let mut repairs = alloc::vec::Vec::new();
			for (id, mut model) in Models::<T>::iter() {
				let versions = count(ModelVersions::<T>::iter_key_prefix(id));
				let aliases = count(Aliases::<T>::iter_key_prefix(id));
				// The model, each key counted, and the read that ends each of the two counts.
				reads = reads
					.saturating_add(3)
					.saturating_add(versions.into())
					.saturating_add(aliases.into());
				models = models.saturating_add(1);
				if model.version_count != versions || model.alias_count != aliases {
					log::warn!(
						target: LOG_TARGET,
						"v1: model {id} counted {} versions and {} aliases, has {versions} and \
						 {aliases}; repaired",
						model.version_count,
						model.alias_count,
					);
					model.version_count = versions;
					model.alias_count = aliases;
					repairs.push((id, model));
				}
			}
			// Written after the iteration: a map is not changed while it is being iterated.
			let writes = repairs.len() as u64;
			for (id, model) in repairs {
				Models::<T>::insert(id, model);
			}
			log::info!(
				target: LOG_TARGET,
				"v1: recounted the models' counters (models: {models}, repaired: {writes})",
			);
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			Ok(pre_check::<T>())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			post_check::<T>(state)
		}
	}
}

/// How many items `keys` yields.
fn count<K>(keys: impl Iterator<Item = K>) -> u32 {
	keys.fold(0, |n, _| n.saturating_add(1))
}

/// What the migration must leave as it found them: how many models, versions and aliases the
/// registry holds.
#[cfg(any(test, feature = "std", feature = "try-runtime"))]
#[derive(Encode, Decode, PartialEq, Eq, Debug)]
struct Totals {
	models: u32,
	versions: u32,
	aliases: u32,
}

#[cfg(any(test, feature = "std", feature = "try-runtime"))]
impl Totals {
	fn now<T: Config>() -> Self {
		Totals {
			models: count(Models::<T>::iter_keys()),
			versions: count(ModelVersions::<T>::iter_keys()),
			aliases: count(Aliases::<T>::iter_keys()),
		}
	}
}

/// The state before the migration that [`post_check`] compares with (`pre_upgrade`'s).
#[cfg(any(test, feature = "std", feature = "try-runtime"))]
pub fn pre_check<T: Config>() -> Vec<u8> {
	Totals::now::<T>().encode()
}

/// Checks the registry after the migration (`post_upgrade`'s check): at storage version 1, the
/// same numbers of models, versions and aliases as in `state`, and every counter equal to its
/// index's count, with the pallet's other invariants.
#[cfg(any(test, feature = "std", feature = "try-runtime"))]
pub fn post_check<T: Config>(state: Vec<u8>) -> Result<(), TryRuntimeError> {
	let before =
		Totals::decode(&mut &state[..]).map_err(|_| "v1: the pre-upgrade state does not decode")?;
	ensure!(Pallet::<T>::on_chain_storage_version() == 1, "v1: the storage version is not 1");
	ensure!(Totals::now::<T>() == before, "v1: the migration added or removed records");
	Pallet::<T>::do_try_state()
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod tests {
	use super::*;
	use crate::{mock::*, testing_utils::MemorySnapshot, NextModelId};
	use polkadot_sdk::frame_support::traits::{OnRuntimeUpgrade, StorageVersion};
	use swarm_pallet_testing::PalletSnapshot;

	/// The weight of `reads` reads and `writes` writes in the mock.
	fn db(reads: u64, writes: u64) -> Weight {
		<Test as frame_system::Config>::DbWeight::get().reads_writes(reads, writes)
	}

	/// Three models: `a` with two versions and an alias, `b` with a version (a fine-tune of
	/// `a`'s), `c` with neither.
	fn registry() -> [crate::ModelId; 3] {
		let a = create_model(ALICE, "a");
		let v1 = publish(ALICE, a, 1, vec![]);
		publish(ALICE, a, 2, vec![]);
		ModelRegistry::set_alias(RuntimeOrigin::signed(ALICE), a, b"production".to_vec(), v1)
			.unwrap();
		let b = create_model(BOB, "b");
		publish(BOB, b, 3, vec![(v1, crate::Derivation::Finetune)]);
		let c = create_model(CHARLIE, "c");
		[a, b, c]
	}

	/// What migrating [`registry`] reads: the storage version, the end of the models, and per
	/// model itself and the ends of its two counts (3 × 3), its versions (2 + 1) and its aliases
	/// (1).
	const READS: u64 = 1 + 1 + 3 * 3 + (2 + 1) + 1;

	#[test]
	fn the_in_code_storage_version_is_1() {
		assert_eq!(Pallet::<Test>::in_code_storage_version(), 1);
	}

	#[test]
	fn migrate_v0_to_v1_repairs_wrong_counters() {
		ExtBuilder.build_and_execute(|| {
			// given a registry at version 0 in which two counters are wrong
			let [a, b, c] = registry();
			StorageVersion::new(0).put::<Pallet<Test>>();
			Models::<Test>::mutate(a, |m| m.as_mut().unwrap().version_count = 5);
			Models::<Test>::mutate(c, |m| m.as_mut().unwrap().alias_count = 1);
			let mut expected = MemorySnapshot::new();
			expected.models.get_mut(&a).unwrap().version_count = 2;
			expected.models.get_mut(&c).unwrap().alias_count = 0;
			let state = pre_check::<Test>();

			// when
			let weight = MigrateV0ToV1::<Test>::on_runtime_upgrade();

			// then both are repaired, nothing else changed, and the version is 1
			expected.assert_matches(&MemorySnapshot::new());
			assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
			assert_eq!(post_check::<Test>(state), Ok(()));
			// Writes: the two repaired models and the version.
			assert_eq!(weight, db(READS, 2 + 1));
			assert_eq!(Models::<Test>::get(b).unwrap().version_count, 1);
		});
	}

	#[test]
	fn migrate_v0_to_v1_changes_nothing_else_on_a_consistent_registry() {
		ExtBuilder.build_and_execute(|| {
			// given a consistent registry at version 0
			registry();
			StorageVersion::new(0).put::<Pallet<Test>>();
			let before = MemorySnapshot::new();
			let state = pre_check::<Test>();

			// when
			let weight = MigrateV0ToV1::<Test>::on_runtime_upgrade();

			// then only the version changed: no model was written
			before.assert_matches(&MemorySnapshot::new());
			assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
			assert_eq!(post_check::<Test>(state), Ok(()));
			assert_eq!(weight, db(READS, 1));
		});
	}

	#[test]
	fn migrate_v0_to_v1_is_a_noop_at_version_1() {
		ExtBuilder.build_and_execute(|| {
			// given a registry already at version 1, with a wrong counter the migration would
			// repair
			let [a, ..] = registry();
			StorageVersion::new(1).put::<Pallet<Test>>();
			Models::<Test>::mutate(a, |m| m.as_mut().unwrap().version_count = 5);
			let before = MemorySnapshot::new();

			// when
			let weight = MigrateV0ToV1::<Test>::on_runtime_upgrade();

			// then it only read the version
			assert_eq!(weight, db(1, 0));
			before.assert_matches(&MemorySnapshot::new());
			assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
			// Put the counter back for the invariants checked after the test.
			Models::<Test>::mutate(a, |m| m.as_mut().unwrap().version_count = 2);
		});
	}

	#[test]
	fn migrate_v0_to_v1_on_an_empty_registry_sets_the_version() {
		ExtBuilder.build_and_execute(|| {
			StorageVersion::new(0).put::<Pallet<Test>>();
			let state = pre_check::<Test>();
			let weight = MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(weight, db(1 + 1, 1));
			assert_eq!(post_check::<Test>(state), Ok(()));
			assert_eq!(NextModelId::<Test>::get(), 0);
		});
	}

	#[test]
	fn post_check_fails_if_a_record_was_lost_or_the_version_not_set() {
		ExtBuilder.build_and_execute(|| {
			// given the state before a migration
			let [a, ..] = registry();
			StorageVersion::new(0).put::<Pallet<Test>>();
			let state = pre_check::<Test>();

			// then the check fails before the version is set
			assert!(post_check::<Test>(state.clone()).is_err());

			// and fails when an alias went missing, even with the counter in step
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			let alias = Aliases::<Test>::iter_key_prefix(a).next().unwrap();
			let info = Aliases::<Test>::take(a, &alias).unwrap();
			Models::<Test>::mutate(a, |m| m.as_mut().unwrap().alias_count = 0);
			assert_eq!(
				post_check::<Test>(state),
				Err("v1: the migration added or removed records".into())
			);
			// Put the alias back for the invariants checked after the test.
			Aliases::<Test>::insert(a, alias, info);
			Models::<Test>::mutate(a, |m| m.as_mut().unwrap().alias_count = 1);
		});
	}
}
