//! # Model Registry Pallet
//!
//! An immutable, queryable record of every model version: its weights by content hash, its
//! configuration and metrics, and the versions it was derived from.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for the calls, storage, events and errors, and [`Config`] for the
//! bounds and deposits a runtime chooses. Queries (lineage, resolution of `model@alias`) are
//! functions of [`Pallet`] exposed through the `ModelRegistryApi` runtime API
//! (`pallet-model-registry-runtime-api`).
//!
//! ## Overview
//!
//! A **model** has a unique name (for instance `mnist-mlp`), an owner, a licence and a
//! description. Its owner publishes **versions**. A version records:
//!
//! - the blake2-256 hash and byte size of its weights file (safetensors); the file itself may be
//!   uploaded to the chain's weights store, or kept anywhere else: its hash identifies it;
//! - its configuration (the bytes when small, or their hash) and evaluation metrics as fixed-point
//!   numbers (`accuracy = 0.8812`);
//! - its **parents**, each with how it was derived from it: `finetune`, `merge`, `quantize`,
//!   `distill`, `adapter` or `federated_round`, as on Hugging Face's model tree;
//! - who produced it (an account, or a training round of the chain) and when it was published.
//!
//! A published version never changes. Owners point **aliases** (`production`, `staging`, ...)
//! at versions, deprecate versions, and transfer models. Anyone can then ask for a version by
//! `mnist-mlp@production`, `mnist-mlp@latest` or `mnist-mlp@v3`, walk its ancestors or
//! descendants, find the derivation path between two versions, and list every account and round
//! that contributed to a version's ancestry.
//!
//! Everything a call stores is paid for by a deposit held from the caller's balance
//! ([`Config::DepositBase`] plus [`Config::DepositPerByte`] for each byte of the record). The
//! deposit of an alias or a model comes back when it is removed; versions are never removed, so
//! their deposits stay held.
//!
//! ### Example
//!
//! ```ignore
//! // Alice creates a model and publishes a base version and a fine-tune of it.
//! ModelRegistry::create_model(alice, b"mnist-mlp".to_vec(), b"apache-2.0".to_vec(),
//!     b"784-256-128-10 MLP".to_vec(), DerivationPolicy::Open)?;
//! ModelRegistry::publish_version(alice, 0, weights_hash, 814_920, config, metrics, vec![])?;
//! ModelRegistry::publish_version(alice, 0, tuned_hash, 814_920, config, metrics,
//!     vec![(0, Derivation::Finetune)])?;
//! ModelRegistry::set_alias(alice, 0, b"production".to_vec(), 1)?;
//! ```
//!
//! ## Low Level / Implementation Details
//!
//! ### Design
//!
//! Versions have chain-wide ids ([`VersionId`]), so lineage crosses models: a fine-tune of
//! someone else's base model is a version of your model whose parent is a version of theirs.
//! Each version stores its parents; a second map, [`Children`], stores the reverse edges so that
//! descendants can be walked without scanning.
//!
//! **Who may derive from whom.** A version may name as parent any version of a model whose
//! [`DerivationPolicy`] is `Open`, and any version of a model the publisher owns. A model whose
//! policy is `OwnerOnly` can only be derived from by its owner. Deprecated versions remain valid
//! parents: deprecation advises, it does not rewrite history.
//!
//! **Within a model**, two versions may not share a weights hash: republishing the same weights
//! is a mistake, and an alias is the way to point at them again.
//!
//! Queries walk the lineage breadth-first and stop after [`Config::MaxLineageResults`] versions,
//! saying so with `truncated`.
//!
//! ### Storage versions
//!
//! The pallet is at storage version 1. Each change of what it stores comes with a versioned
//! migration in [`migrations`], which a runtime lists in its `Migrations`: [`migrations::v1`]
//! recounts every model's version and alias counters.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod lineage;
pub mod migrations;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod mock;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod testing_utils;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod tests;
pub mod types;
pub mod weights;

pub use lineage::*;
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{
		self,
		traits::{fungible::Inspect, tokens::Precision},
	},
	frame_system,
	sp_core::H256,
	sp_runtime::{DispatchError, FixedI64},
};
use swarm_primitives::{ModelPublisher, NewVersion};

/// The logging target of this pallet.
pub const LOG_TARGET: &str = "runtime::model-registry";

/// The balance type of the currency that holds deposits.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A version's configuration as a caller gives it: the bytes, or their hash.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	scale_info::TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
)]
pub enum ConfigInput {
	/// The configuration bytes, at most [`Config::MaxConfigLen`] of them.
	Inline(Vec<u8>),
	/// The blake2-256 hash of configuration bytes kept elsewhere.
	Hash(H256),
}

// FRAME's macros expand to `expect`s carrying their proofs (e.g. the size of an encoded error);
// the code written in this module uses none.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{pallet_prelude::*, traits::fungible::MutateHold};
	use frame_system::pallet_prelude::*;
	use polkadot_sdk::sp_runtime::{
		traits::{Saturating, StaticLookup},
		FixedI64,
	};

	/// The in-code storage version: 1 since every model's counters were recounted
	/// ([`migrations::v1`]). A new chain starts at it; a chain at 0 reaches it with
	/// [`migrations::v1::MigrateV0ToV1`].
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the model registry: bounds, deposits and collaborators.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency that holds storage deposits.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ frame_support::traits::fungible::Mutate<Self::AccountId>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// What the chain stores of weights files, to check a version's declared size against
		/// an uploaded file.
		type Content: swarm_primitives::ContentInspector;

		/// The fixed part of every deposit, in the currency's smallest unit.
		#[pallet::constant]
		type DepositBase: Get<BalanceOf<Self>>;

		/// The deposit per byte of a stored record (its SCALE-encoded length).
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;

		/// The longest model name, in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// The longest licence, in bytes.
		#[pallet::constant]
		type MaxLicenceLen: Get<u32>;

		/// The longest model description, in bytes.
		#[pallet::constant]
		type MaxDescriptionLen: Get<u32>;

		/// The longest inline configuration, in bytes; larger ones are given by hash.
		#[pallet::constant]
		type MaxConfigLen: Get<u32>;

		/// The most metrics a version may carry.
		#[pallet::constant]
		type MaxMetrics: Get<u32>;

		/// The longest metric name, in bytes.
		#[pallet::constant]
		type MaxMetricNameLen: Get<u32>;

		/// The most parents a version may have (a merge has two or more).
		#[pallet::constant]
		type MaxParents: Get<u32>;

		/// The longest alias, in bytes.
		#[pallet::constant]
		type MaxAliasLen: Get<u32>;

		/// The most aliases a model may have.
		#[pallet::constant]
		type MaxAliasesPerModel: Get<u32>;

		/// The most versions a model may have.
		#[pallet::constant]
		type MaxVersionsPerModel: Get<u32>;

		/// The most versions a lineage query visits before it stops and reports `truncated`.
		#[pallet::constant]
		type MaxLineageResults: Get<u32>;

		/// The most contributors recorded with a version a pallet publishes (a training
		/// round's accepted participants' owners); more are not recorded.
		#[pallet::constant]
		type MaxContributors: Get<u32>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The storage deposit of a model, version or alias.
		#[codec(index = 0)]
		StorageDeposit,
	}

	/// The id the next created model gets.
	#[pallet::storage]
	pub type NextModelId<T> = StorageValue<_, ModelId, ValueQuery>;

	/// The id the next published version gets.
	#[pallet::storage]
	pub type NextVersionId<T> = StorageValue<_, VersionId, ValueQuery>;

	/// Every model, by id.
	// Hasher: Twox64Concat is safe, ids are assigned by the pallet in sequence.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Twox64Concat, ModelId, ModelInfo<T>>;

	/// The id of the model with each name.
	// Hasher: Blake2_128Concat, names are chosen by users.
	#[pallet::storage]
	pub type ModelIdByName<T: Config> =
		StorageMap<_, Blake2_128Concat, BoundedVec<u8, T::MaxNameLen>, ModelId>;

	/// Every version, by chain-wide id.
	// Hasher: Twox64Concat is safe, ids are assigned by the pallet in sequence.
	#[pallet::storage]
	pub type Versions<T: Config> = StorageMap<_, Twox64Concat, VersionId, VersionInfo<T>>;

	/// The versions of each model, by number (1, 2, ...).
	// Hasher: Twox64Concat is safe, both keys are assigned by the pallet.
	#[pallet::storage]
	pub type ModelVersions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, u32, VersionId>;

	/// Which version of a model has a given weights hash: keeps weights unique within a model.
	// Hasher: Blake2_128Concat for the hash, which users choose.
	#[pallet::storage]
	pub type WeightsInModel<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Blake2_128Concat, H256, VersionId>;

	/// The reverse lineage edges: `Children[parent][child]` is how `child` derives from
	/// `parent`.
	// Hasher: Twox64Concat is safe, both keys are assigned by the pallet.
	#[pallet::storage]
	pub type Children<T: Config> =
		StorageDoubleMap<_, Twox64Concat, VersionId, Twox64Concat, VersionId, Derivation>;

	/// The aliases of each model (`production`, `staging`, ...).
	// Hasher: Blake2_128Concat for the alias, which users choose.
	#[pallet::storage]
	pub type Aliases<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		ModelId,
		Blake2_128Concat,
		BoundedVec<u8, T::MaxAliasLen>,
		AliasInfo<T>,
	>;

	/// The accounts whose work went into a version a pallet published (a training round's
	/// accepted participants' owners), besides its publisher.
	// Hasher: Twox64Concat is safe, ids are assigned by the pallet.
	#[pallet::storage]
	pub type VersionContributors<T: Config> =
		StorageMap<_, Twox64Concat, VersionId, BoundedVec<T::AccountId, T::MaxContributors>>;

	/// The block in which each deprecated version was deprecated.
	// Hasher: Twox64Concat is safe, ids are assigned by the pallet.
	#[pallet::storage]
	pub type Deprecated<T: Config> = StorageMap<_, Twox64Concat, VersionId, BlockNumberFor<T>>;

	/// The versions a dispute overturned ([`swarm_primitives::ModelPublisher::mark_overturned`]).
	// Hasher: Twox64Concat is safe, ids are assigned by the pallet.
	#[pallet::storage]
	pub type Overturned<T: Config> =
		StorageMap<_, Twox64Concat, VersionId, Overturning<BlockNumberFor<T>>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was created.
		ModelCreated { model: ModelId, owner: T::AccountId, name: BoundedVec<u8, T::MaxNameLen> },
		/// A version of a model was published.
		VersionPublished {
			model: ModelId,
			version: VersionId,
			number: u32,
			weights_hash: H256,
			producer: Producer<T::AccountId>,
		},
		/// An alias was pointed at a version.
		AliasSet { model: ModelId, alias: BoundedVec<u8, T::MaxAliasLen>, version: VersionId },
		/// An alias was removed and its deposit returned.
		AliasRemoved { model: ModelId, alias: BoundedVec<u8, T::MaxAliasLen> },
		/// A version was deprecated.
		VersionDeprecated { model: ModelId, version: VersionId },
		/// A dispute overturned `version`, which `round` published; `corrected` replaces it, if
		/// one was published.
		VersionOverturned {
			model: ModelId,
			version: VersionId,
			round: u64,
			corrected: Option<VersionId>,
		},
		/// A model changed hands.
		ModelTransferred { model: ModelId, from: T::AccountId, to: T::AccountId },
		/// A model's derivation policy changed.
		DerivationPolicyChanged { model: ModelId, policy: DerivationPolicy },
		/// A model without versions was removed and its deposit returned.
		ModelRemoved { model: ModelId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No model has this id. Check the id, or look the model up by name.
		ModelNotFound,
		/// No version has this id. Check the id (`api.call.modelRegistryApi.version`).
		VersionNotFound,
		/// Only the model's owner may do this.
		NotModelOwner,
		/// Another model already has this name; names are unique chain-wide.
		NameTaken,
		/// A model name must be 1+ ASCII letters, digits, `-`, `_` or `.`, and not all digits.
		InvalidName,
		/// The name is longer than `MaxNameLen` bytes.
		NameTooLong,
		/// The licence is longer than `MaxLicenceLen` bytes.
		LicenceTooLong,
		/// The description is longer than `MaxDescriptionLen` bytes.
		DescriptionTooLong,
		/// The inline configuration is longer than `MaxConfigLen` bytes; give its hash instead.
		ConfigTooLong,
		/// More metrics than `MaxMetrics`.
		TooManyMetrics,
		/// A metric name is longer than `MaxMetricNameLen` bytes.
		MetricNameTooLong,
		/// A metric name must be 1+ ASCII letters, digits, `-`, `_`, `.` or `/`.
		InvalidMetricName,
		/// The same metric name appears twice.
		DuplicateMetric,
		/// More parents than `MaxParents`.
		TooManyParents,
		/// A parent version does not exist.
		UnknownParent,
		/// The same parent appears twice.
		DuplicateParent,
		/// A parent belongs to a model whose policy is `OwnerOnly` and whose owner you are not.
		ParentNotDerivable,
		/// Another version of this model already has these weights; point an alias at it.
		DuplicateWeights,
		/// A weights file cannot be empty: the size must be at least one byte.
		ZeroWeightsSize,
		/// The weights file with this hash is stored on chain with a different size.
		WeightsSizeMismatch,
		/// The model has `MaxVersionsPerModel` versions already.
		TooManyVersions,
		/// An alias must be 1+ ASCII letters, digits, `-`, `_` or `.`, not all digits, and not
		/// `latest` or `v<number>` (those always mean the latest and the numbered version).
		InvalidAlias,
		/// The alias is longer than `MaxAliasLen` bytes.
		AliasTooLong,
		/// The model has `MaxAliasesPerModel` aliases already; remove one first.
		TooManyAliases,
		/// The model has no alias with this name.
		AliasNotFound,
		/// The version belongs to another model than the one named.
		VersionNotInModel,
		/// The version is deprecated already.
		AlreadyDeprecated,
		/// The version was not published by this training round (only a round's own version can
		/// be marked overturned by its dispute).
		NotProducedByRound,
		/// The version is marked overturned already.
		AlreadyOverturned,
		/// The account already owns the model.
		AlreadyOwner,
		/// The model has versions and cannot be removed; versions are permanent.
		ModelHasVersions,
		/// The account cannot pay the storage deposit.
		InsufficientDeposit,
		/// An id counter is exhausted.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxNameLen::get() > 0, "MaxNameLen must be positive");
			assert!(T::MaxParents::get() >= 2, "MaxParents must allow a merge of two parents");
			assert!(T::MaxLineageResults::get() > 0, "MaxLineageResults must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Creates a model named `name`, owned by the caller.
		///
		/// ## Dispatch Origin
		/// Signed: the caller becomes the owner and pays the deposit.
		///
		/// ## Details
		/// The name is unique chain-wide. `derivation_policy` says who may derive versions
		/// from this model's versions. A deposit proportional to the record's size is held.
		///
		/// ## Errors
		/// - [`Error::InvalidName`], [`Error::NameTooLong`], [`Error::NameTaken`]
		/// - [`Error::LicenceTooLong`], [`Error::DescriptionTooLong`]
		/// - [`Error::InsufficientDeposit`], [`Error::Overflow`]
		///
		/// ## Events
		/// - [`Event::ModelCreated`]
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_model(
			(name.len() as u32).saturating_add(licence.len() as u32).saturating_add(description.len() as u32)
		))]
		pub fn create_model(
			origin: OriginFor<T>,
			name: Vec<u8>,
			licence: Vec<u8>,
			description: Vec<u8>,
			derivation_policy: DerivationPolicy,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let name: BoundedVec<u8, T::MaxNameLen> =
				name.try_into().map_err(|_| Error::<T>::NameTooLong)?;
			ensure!(is_valid_model_name(&name), Error::<T>::InvalidName);
			ensure!(!ModelIdByName::<T>::contains_key(&name), Error::<T>::NameTaken);
			let licence = licence.try_into().map_err(|_| Error::<T>::LicenceTooLong)?;
			let description = description.try_into().map_err(|_| Error::<T>::DescriptionTooLong)?;
			let id = NextModelId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;

			let mut info = ModelInfo::<T> {
				owner: who.clone(),
				name: name.clone(),
				licence,
				description,
				derivation_policy,
				created_at: frame_system::Pallet::<T>::block_number(),
				version_count: 0,
				alias_count: 0,
				depositor: who.clone(),
				deposit: Default::default(),
			};
			info.deposit = Self::deposit_for(info.encoded_size());
			Self::hold_deposit(&who, info.deposit)?;

			Models::<T>::insert(id, info);
			ModelIdByName::<T>::insert(&name, id);
			NextModelId::<T>::put(next);
			Self::deposit_event(Event::ModelCreated { model: id, owner: who, name });
			Ok(())
		}

		/// Publishes a new, immutable version of `model`.
		///
		/// ## Dispatch Origin
		/// Signed by the model's owner, who pays the deposit and is recorded as producer.
		///
		/// ## Details
		/// `weights_hash` is the blake2-256 hash of the weights file and `weights_size` its
		/// length in bytes; if the file is in the chain's weights store, the sizes must agree.
		/// `metrics` are `(name, value)` pairs with nine-decimal fixed-point values. Each
		/// parent is a version id with the way this version derives from it; see the crate
		/// docs for who may derive from whom. The version gets the next chain-wide id and the
		/// next number within the model.
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::NotModelOwner`], [`Error::TooManyVersions`]
		/// - [`Error::ZeroWeightsSize`], [`Error::WeightsSizeMismatch`],
		///   [`Error::DuplicateWeights`]
		/// - [`Error::ConfigTooLong`]
		/// - [`Error::TooManyMetrics`], [`Error::MetricNameTooLong`], [`Error::InvalidMetricName`],
		///   [`Error::DuplicateMetric`]
		/// - [`Error::TooManyParents`], [`Error::UnknownParent`], [`Error::DuplicateParent`],
		///   [`Error::ParentNotDerivable`]
		/// - [`Error::InsufficientDeposit`], [`Error::Overflow`]
		///
		/// ## Events
		/// - [`Event::VersionPublished`]
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::publish_version(
			parents.len() as u32,
			metrics.len() as u32,
			match config { ConfigInput::Inline(bytes) => bytes.len() as u32, ConfigInput::Hash(_) => 0 },
		))]
		pub fn publish_version(
			origin: OriginFor<T>,
			model: ModelId,
			weights_hash: H256,
			weights_size: u64,
			config: ConfigInput,
			metrics: Vec<(Vec<u8>, FixedI64)>,
			parents: Vec<(VersionId, Derivation)>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::owned_model(&who, model)?;
			let config = match config {
				ConfigInput::Inline(bytes) => {
					ConfigRef::Inline(bytes.try_into().map_err(|_| Error::<T>::ConfigTooLong)?)
				},
				ConfigInput::Hash(hash) => ConfigRef::Hash(hash),
			};
			Self::insert_version(NewVersionRecord {
				publisher: who.clone(),
				model,
				weights_hash,
				weights_size,
				config,
				metrics,
				parents,
				producer: Producer::Account(who),
			})
			.map(|_| ())
		}

		/// Points the alias `alias` of `model` at `version`, creating or moving it.
		///
		/// ## Dispatch Origin
		/// Signed by the model's owner, who pays the deposit of a new alias.
		///
		/// ## Details
		/// `latest` and `v<number>` are reserved: they always resolve to the latest and the
		/// numbered version. Moving an existing alias keeps its deposit.
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::NotModelOwner`]
		/// - [`Error::AliasTooLong`], [`Error::InvalidAlias`], [`Error::TooManyAliases`]
		/// - [`Error::VersionNotFound`], [`Error::VersionNotInModel`]
		/// - [`Error::InsufficientDeposit`]
		///
		/// ## Events
		/// - [`Event::AliasSet`]
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_alias())]
		pub fn set_alias(
			origin: OriginFor<T>,
			model: ModelId,
			alias: Vec<u8>,
			version: VersionId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Self::owned_model(&who, model)?;
			let alias: BoundedVec<u8, T::MaxAliasLen> =
				alias.try_into().map_err(|_| Error::<T>::AliasTooLong)?;
			ensure!(is_valid_alias(&alias), Error::<T>::InvalidAlias);
			let target = Versions::<T>::get(version).ok_or(Error::<T>::VersionNotFound)?;
			ensure!(target.model == model, Error::<T>::VersionNotInModel);

			match Aliases::<T>::get(model, &alias) {
				Some(mut existing) => {
					existing.version = version;
					Aliases::<T>::insert(model, &alias, existing);
				},
				None => {
					ensure!(
						info.alias_count < T::MaxAliasesPerModel::get(),
						Error::<T>::TooManyAliases
					);
					let mut entry = AliasInfo::<T> {
						version,
						depositor: who.clone(),
						deposit: Default::default(),
					};
					entry.deposit = Self::deposit_for(
						entry.encoded_size().saturating_add(alias.encoded_size()),
					);
					Self::hold_deposit(&who, entry.deposit)?;
					info.alias_count = info.alias_count.saturating_add(1);
					Models::<T>::insert(model, info);
					Aliases::<T>::insert(model, &alias, entry);
				},
			}
			Self::deposit_event(Event::AliasSet { model, alias, version });
			Ok(())
		}

		/// Removes the alias `alias` of `model` and returns its deposit.
		///
		/// ## Dispatch Origin
		/// Signed by the model's owner.
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::NotModelOwner`]
		/// - [`Error::AliasTooLong`], [`Error::AliasNotFound`]
		///
		/// ## Events
		/// - [`Event::AliasRemoved`]
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_alias())]
		pub fn remove_alias(
			origin: OriginFor<T>,
			model: ModelId,
			alias: Vec<u8>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Self::owned_model(&who, model)?;
			let alias: BoundedVec<u8, T::MaxAliasLen> =
				alias.try_into().map_err(|_| Error::<T>::AliasTooLong)?;
			let entry = Aliases::<T>::take(model, &alias).ok_or(Error::<T>::AliasNotFound)?;
			Self::release_deposit(&entry.depositor, entry.deposit);
			info.alias_count = info.alias_count.saturating_sub(1);
			Models::<T>::insert(model, info);
			Self::deposit_event(Event::AliasRemoved { model, alias });
			Ok(())
		}

		/// Marks `version` deprecated. The version stays valid and resolvable; clients show it
		/// as deprecated.
		///
		/// ## Dispatch Origin
		/// Signed by the owner of the version's model.
		///
		/// ## Errors
		/// - [`Error::VersionNotFound`], [`Error::NotModelOwner`], [`Error::AlreadyDeprecated`]
		///
		/// ## Events
		/// - [`Event::VersionDeprecated`]
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::deprecate_version())]
		pub fn deprecate_version(origin: OriginFor<T>, version: VersionId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let target = Versions::<T>::get(version).ok_or(Error::<T>::VersionNotFound)?;
			Self::owned_model(&who, target.model)?;
			ensure!(!Deprecated::<T>::contains_key(version), Error::<T>::AlreadyDeprecated);
			Deprecated::<T>::insert(version, frame_system::Pallet::<T>::block_number());
			Self::deposit_event(Event::VersionDeprecated { model: target.model, version });
			Ok(())
		}

		/// Makes `new_owner` the owner of `model`.
		///
		/// ## Dispatch Origin
		/// Signed by the model's owner.
		///
		/// ## Details
		/// Deposits stay with the accounts that paid them and come back to them.
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::NotModelOwner`], [`Error::AlreadyOwner`]
		///
		/// ## Events
		/// - [`Event::ModelTransferred`]
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::transfer_model())]
		pub fn transfer_model(
			origin: OriginFor<T>,
			model: ModelId,
			new_owner: <T::Lookup as StaticLookup>::Source,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let new_owner = T::Lookup::lookup(new_owner)?;
			let mut info = Self::owned_model(&who, model)?;
			ensure!(new_owner != who, Error::<T>::AlreadyOwner);
			info.owner = new_owner.clone();
			Models::<T>::insert(model, info);
			Self::deposit_event(Event::ModelTransferred { model, from: who, to: new_owner });
			Ok(())
		}

		/// Sets who may derive new versions from `model`'s versions.
		///
		/// ## Dispatch Origin
		/// Signed by the model's owner.
		///
		/// ## Details
		/// Versions already derived keep their parents; the policy applies to new versions.
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::NotModelOwner`]
		///
		/// ## Events
		/// - [`Event::DerivationPolicyChanged`]
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_derivation_policy())]
		pub fn set_derivation_policy(
			origin: OriginFor<T>,
			model: ModelId,
			policy: DerivationPolicy,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Self::owned_model(&who, model)?;
			info.derivation_policy = policy;
			Models::<T>::insert(model, info);
			Self::deposit_event(Event::DerivationPolicyChanged { model, policy });
			Ok(())
		}

		/// Removes a model that has no versions, freeing its name and returning its deposit.
		///
		/// ## Dispatch Origin
		/// Signed by the model's owner.
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::NotModelOwner`], [`Error::ModelHasVersions`]
		///
		/// ## Events
		/// - [`Event::ModelRemoved`]
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::remove_model())]
		pub fn remove_model(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Self::owned_model(&who, model)?;
			ensure!(info.version_count == 0, Error::<T>::ModelHasVersions);
			// A model without versions has no aliases: aliases point at versions.
			Models::<T>::remove(model);
			ModelIdByName::<T>::remove(&info.name);
			Self::release_deposit(&info.depositor, info.deposit);
			Self::deposit_event(Event::ModelRemoved { model });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Records a version on behalf of its publisher, who pays the deposit. Reads and updates
		/// the stored model itself (no caller-held copy can overwrite it). Checks everything
		/// [`Pallet::publish_version`] checks except ownership, which the caller has
		/// established (the call by signature, [`ModelPublisher`] by its caller's rules).
		pub(crate) fn insert_version(new: NewVersionRecord<T>) -> Result<VersionId, DispatchError> {
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
			let publisher = &publisher;
			let mut info = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
			ensure!(
				info.version_count < T::MaxVersionsPerModel::get(),
				Error::<T>::TooManyVersions
			);
			ensure!(weights_size > 0, Error::<T>::ZeroWeightsSize);
			if let Some(stored) =
				<T::Content as swarm_primitives::ContentInspector>::stored_size(&weights_hash)
			{
				ensure!(stored == weights_size, Error::<T>::WeightsSizeMismatch);
			}
			ensure!(
				!WeightsInModel::<T>::contains_key(model, weights_hash),
				Error::<T>::DuplicateWeights
			);
			let metrics = Self::check_metrics(metrics)?;
			let parents = Self::check_parents(publisher, parents)?;

			let id = NextVersionId::<T>::get();
			let next_id = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let number = info.version_count.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let mut version = VersionInfo::<T> {
				model,
				number,
				weights_hash,
				weights_size,
				config,
				metrics,
				parents,
				producer: producer.clone(),
				publisher: publisher.clone(),
				published_at: frame_system::Pallet::<T>::block_number(),
				deposit: Default::default(),
			};
			version.deposit = Self::deposit_for(version.encoded_size());
			Self::hold_deposit(publisher, version.deposit)?;

			for (parent, derivation) in version.parents.iter() {
				Children::<T>::insert(parent, id, derivation);
			}
			Versions::<T>::insert(id, version);
			ModelVersions::<T>::insert(model, number, id);
			WeightsInModel::<T>::insert(model, weights_hash, id);
			info.version_count = number;
			Models::<T>::insert(model, info);
			NextVersionId::<T>::put(next_id);
			Self::deposit_event(Event::VersionPublished {
				model,
				version: id,
				number,
				weights_hash,
				producer,
			});
			Ok(id)
		}

		/// The model `model` if `who` owns it.
		fn owned_model(who: &T::AccountId, model: ModelId) -> Result<ModelInfo<T>, DispatchError> {
			let info = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
			ensure!(&info.owner == who, Error::<T>::NotModelOwner);
			Ok(info)
		}

		/// Bounds and validates metrics.
		fn check_metrics(
			metrics: Vec<(Vec<u8>, FixedI64)>,
		) -> Result<BoundedVec<Metric<T>, T::MaxMetrics>, DispatchError> {
			ensure!(metrics.len() <= T::MaxMetrics::get() as usize, Error::<T>::TooManyMetrics);
			let mut bounded = BoundedVec::<Metric<T>, T::MaxMetrics>::new();
			for (name, value) in metrics {
				let name: BoundedVec<u8, T::MaxMetricNameLen> =
					name.try_into().map_err(|_| Error::<T>::MetricNameTooLong)?;
				ensure!(is_valid_metric_name(&name), Error::<T>::InvalidMetricName);
				ensure!(!bounded.iter().any(|m| m.name == name), Error::<T>::DuplicateMetric);
				bounded.try_push(Metric { name, value }).map_err(|_| Error::<T>::TooManyMetrics)?;
			}
			Ok(bounded)
		}

		/// Bounds parents and checks that each exists, appears once, and may be derived from
		/// by `publisher`.
		fn check_parents(
			publisher: &T::AccountId,
			parents: Vec<(VersionId, Derivation)>,
		) -> Result<BoundedVec<(VersionId, Derivation), T::MaxParents>, DispatchError> {
			let parents: BoundedVec<(VersionId, Derivation), T::MaxParents> =
				parents.try_into().map_err(|_| Error::<T>::TooManyParents)?;
			for (index, (parent, _)) in parents.iter().enumerate() {
				ensure!(
					!parents.iter().take(index).any(|(earlier, _)| earlier == parent),
					Error::<T>::DuplicateParent
				);
				let parent_info = Versions::<T>::get(parent).ok_or(Error::<T>::UnknownParent)?;
				let parent_model =
					Models::<T>::get(parent_info.model).ok_or(Error::<T>::UnknownParent)?;
				ensure!(
					parent_model.derivation_policy == DerivationPolicy::Open ||
						&parent_model.owner == publisher,
					Error::<T>::ParentNotDerivable
				);
			}
			Ok(parents)
		}

		/// The deposit for a record of `bytes` encoded bytes (records are bounded far below
		/// 4 GiB; a larger count would saturate, never wrap).
		pub fn deposit_for(bytes: usize) -> BalanceOf<T> {
			let bytes: BalanceOf<T> = u32::try_from(bytes).unwrap_or(u32::MAX).into();
			T::DepositBase::get().saturating_add(T::DepositPerByte::get().saturating_mul(bytes))
		}

		fn hold_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			T::Currency::hold(&HoldReason::StorageDeposit.into(), who, amount)
				.map_err(|_| Error::<T>::InsufficientDeposit.into())
		}

		fn release_deposit(who: &T::AccountId, amount: BalanceOf<T>) {
			// Releasing what this pallet held cannot fail; if it ever did, log it and keep the
			// funds held rather than stop the call.
			if let Err(error) = T::Currency::release(
				&HoldReason::StorageDeposit.into(),
				who,
				amount,
				Precision::BestEffort,
			) {
				log::error!(target: LOG_TARGET, "releasing a deposit of {who:?} failed: {error:?}");
			}
		}

		/// Checks the pallet's storage invariants:
		/// - every model's name maps back to it, and its version count matches its versions;
		/// - every version's parents exist and have the matching reverse edge;
		/// - every alias points at a version of its own model, and alias counts match.
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			for (id, model) in Models::<T>::iter() {
				ensure!(ModelIdByName::<T>::get(&model.name) == Some(id), "name index is stale");
				let versions = ModelVersions::<T>::iter_prefix(id).count() as u32;
				ensure!(versions == model.version_count, "version count is wrong");
				let aliases = Aliases::<T>::iter_prefix(id).count() as u32;
				ensure!(aliases == model.alias_count, "alias count is wrong");
				ensure!(id < NextModelId::<T>::get(), "model id beyond NextModelId");
			}
			for (id, version) in Versions::<T>::iter() {
				ensure!(id < NextVersionId::<T>::get(), "version id beyond NextVersionId");
				ensure!(
					ModelVersions::<T>::get(version.model, version.number) == Some(id),
					"version index is stale"
				);
				for (parent, derivation) in version.parents.iter() {
					ensure!(Versions::<T>::contains_key(parent), "a parent is missing");
					ensure!(
						Children::<T>::get(parent, id) == Some(*derivation),
						"a reverse edge is missing"
					);
				}
			}
			for (model, _, alias) in Aliases::<T>::iter() {
				let target = Versions::<T>::get(alias.version).ok_or("an alias points nowhere")?;
				ensure!(target.model == model, "an alias points into another model");
			}
			Ok(())
		}
	}
}

/// What [`Pallet::insert_version`] records: a version as the call or [`ModelPublisher`] gives it.
pub(crate) struct NewVersionRecord<T: Config> {
	pub publisher: T::AccountId,
	pub model: ModelId,
	pub weights_hash: H256,
	pub weights_size: u64,
	pub config: ConfigRef<T>,
	pub metrics: Vec<(Vec<u8>, FixedI64)>,
	pub parents: Vec<(VersionId, Derivation)>,
	pub producer: Producer<T::AccountId>,
}

/// What pallets that run models (inference, training) read of a version.
impl<T: Config> swarm_primitives::ModelCatalog<T::AccountId> for Pallet<T> {
	fn served_version(version: VersionId) -> Option<swarm_primitives::ServedVersion<T::AccountId>> {
		let info = Versions::<T>::get(version)?;
		let owner = Models::<T>::get(info.model)?.owner;
		Some(swarm_primitives::ServedVersion {
			model: info.model,
			owner,
			weights_hash: info.weights_hash,
			weights_size: info.weights_size,
			config: match info.config {
				ConfigRef::Inline(bytes) => Some(bytes.into_inner()),
				ConfigRef::Hash(_) => None,
			},
			deprecated: Deprecated::<T>::contains_key(version),
		})
	}

	fn model_owner(model: ModelId) -> Option<T::AccountId> {
		Models::<T>::get(model).map(|info| info.owner)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_version(
		owner: &T::AccountId,
		config: alloc::vec::Vec<u8>,
		weights_hash: H256,
		weights_size: u64,
	) -> VersionId {
		benchmarking::served_version::<T>(owner, config, weights_hash, weights_size)
	}
}

/// Publishing by other pallets (training rounds): the round's aggregate becomes a version of
/// `version.model` derived from `version.base` ([`Derivation::FederatedRound`]), with the base's
/// configuration, produced by the round ([`Producer::Round`]). The publisher pays the deposit
/// and must be allowed to derive from the base; ownership of the model is the caller's to check.
impl<T: Config> ModelPublisher<T::AccountId> for Pallet<T> {
	fn publish(version: NewVersion<T::AccountId>) -> Result<VersionId, DispatchError> {
		// All or nothing: a replaced version's weights are released before the insert.
		polkadot_sdk::frame_support::storage::with_storage_layer(|| Self::publish_round(version))
	}

	fn mark_overturned(
		version: VersionId,
		round: u64,
		corrected: Option<VersionId>,
	) -> Result<(), DispatchError> {
		let info = Versions::<T>::get(version).ok_or(Error::<T>::VersionNotFound)?;
		use polkadot_sdk::frame_support::ensure;
		ensure!(info.producer == Producer::Round(round), Error::<T>::NotProducedByRound);
		ensure!(!Overturned::<T>::contains_key(version), Error::<T>::AlreadyOverturned);
		let at = frame_system::Pallet::<T>::block_number();
		Overturned::<T>::insert(version, Overturning { round, corrected, at });
		if !Deprecated::<T>::contains_key(version) {
			Deprecated::<T>::insert(version, at);
			Self::deposit_event(Event::VersionDeprecated { model: info.model, version });
		}
		Self::deposit_event(Event::VersionOverturned {
			model: info.model,
			version,
			round,
			corrected,
		});
		Ok(())
	}
}

impl<T: Config> Pallet<T> {
	/// [`ModelPublisher::publish`], in a storage layer of the caller's.
	fn publish_round(version: NewVersion<T::AccountId>) -> Result<VersionId, DispatchError> {
		use polkadot_sdk::frame_support::ensure;
		let base = Versions::<T>::get(version.base).ok_or(Error::<T>::UnknownParent)?;
		if let Some(replaced) = version.replaces {
			let old = Versions::<T>::get(replaced).ok_or(Error::<T>::VersionNotFound)?;
			ensure!(
				old.producer == Producer::Round(version.round) && old.model == version.model,
				Error::<T>::NotProducedByRound
			);
			ensure!(!Overturned::<T>::contains_key(replaced), Error::<T>::AlreadyOverturned);
			// The corrected version may keep the overturned one's weights.
			if WeightsInModel::<T>::get(version.model, version.weights_hash) == Some(replaced) {
				WeightsInModel::<T>::remove(version.model, version.weights_hash);
			}
		}
		let id = Self::insert_version(NewVersionRecord {
			publisher: version.publisher,
			model: version.model,
			weights_hash: version.weights_hash,
			weights_size: version.weights_size,
			config: base.config,
			metrics: version.metrics,
			parents: alloc::vec![(version.base, Derivation::FederatedRound)],
			producer: Producer::Round(version.round),
		})?;
		let mut contributors = version.contributors;
		contributors.sort();
		contributors.dedup();
		let bound = <T::MaxContributors as polkadot_sdk::frame_support::traits::Get<u32>>::get();
		contributors.truncate(bound as usize);
		if !contributors.is_empty() {
			VersionContributors::<T>::insert(
				id,
				polkadot_sdk::frame_support::BoundedVec::truncate_from(contributors),
			);
		}
		if let Some(replaced) = version.replaces {
			<Self as ModelPublisher<T::AccountId>>::mark_overturned(
				replaced,
				version.round,
				Some(id),
			)?;
		}
		Ok(id)
	}
}
