//! Lineage queries: versions by reference, ancestors, descendants, the derivation path between
//! two versions, and the contributors to a version's ancestry.
//!
//! These run off-chain, through the `ModelRegistryApi` runtime API, and never in a block. Each
//! walk is breadth-first, visits a version at most once, and stops after
//! [`Config::MaxLineageResults`] versions with `truncated = true`.

use crate::{
	pallet::{
		Aliases, Children, Config, Deprecated, ModelIdByName, ModelVersions, Models, Overturned,
		Pallet, VersionContributors, Versions,
	},
	types::*,
};
use alloc::{
	collections::{BTreeMap, BTreeSet, VecDeque},
	vec::Vec,
};
use codec::{Decode, DecodeWithMemTracking, Encode};
use polkadot_sdk::{
	frame_support::{
		traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
	},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_core::H256,
};
use scale_info::TypeInfo;

/// A model with its id, as queries return it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct ModelDetails<T: Config> {
	/// The model's id.
	pub id: ModelId,
	/// The stored record.
	pub info: ModelInfo<T>,
}

/// A version with its id, deprecation status and aliases, as queries return it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct VersionDetails<T: Config> {
	/// The version's chain-wide id.
	pub id: VersionId,
	/// The name of the version's model.
	pub model_name: BoundedVec<u8, T::MaxNameLen>,
	/// The stored record.
	pub info: VersionInfo<T>,
	/// The block the version was deprecated in, if it was.
	pub deprecated_at: Option<BlockNumberFor<T>>,
	/// Whether a dispute overturned it, and what replaced it.
	pub overturned: Option<Overturning<BlockNumberFor<T>>>,
	/// The aliases of its model that point at it.
	pub aliases: Vec<BoundedVec<u8, T::MaxAliasLen>>,
}

/// One version in a lineage walk: where it is, and its edges.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct LineageNode {
	/// The version's id.
	pub id: VersionId,
	/// Its model.
	pub model: ModelId,
	/// Its number within the model.
	pub number: u32,
	/// The hash of its weights.
	pub weights_hash: H256,
	/// How many derivation steps away from the version the walk started at (0 for itself).
	pub depth: u32,
	/// Its parents, each with how it derives from it.
	pub parents: Vec<(VersionId, Derivation)>,
}

/// The result of an ancestors or descendants walk.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Lineage {
	/// The versions found, in breadth-first order, starting with the version asked about.
	pub nodes: Vec<LineageNode>,
	/// Whether the walk stopped at `MaxLineageResults` before reaching the depth asked for.
	pub truncated: bool,
}

/// One derivation step: `child` was derived from `parent` by `derivation`.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct DerivationStep {
	/// The earlier version.
	pub parent: VersionId,
	/// The version derived from it.
	pub child: VersionId,
	/// How.
	pub derivation: Derivation,
}

/// The shortest chain of derivations from an ancestor to a descendant.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct DerivationPath {
	/// Where the path starts.
	pub ancestor: VersionId,
	/// Where it ends.
	pub descendant: VersionId,
	/// The steps, from `ancestor` to `descendant`.
	pub steps: Vec<DerivationStep>,
}

/// Every account and round that contributed to a version's ancestry (the version included):
/// publishers, producing accounts, producing training rounds and the owners of the rounds'
/// accepted participants.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Contributors<AccountId> {
	/// Accounts, sorted, each once.
	pub accounts: Vec<AccountId>,
	/// Training rounds, sorted, each once.
	pub rounds: Vec<RoundId>,
	/// How many versions the ancestry has (as far as it was walked).
	pub versions: u32,
	/// Whether the walk stopped at `MaxLineageResults`.
	pub truncated: bool,
}

/// Which way a walk goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
	Up,
	Down,
}

impl<T: Config> Pallet<T> {
	/// The model with id `id`.
	pub fn model(id: ModelId) -> Option<ModelDetails<T>> {
		Models::<T>::get(id).map(|info| ModelDetails { id, info })
	}

	/// The model named `name`.
	pub fn model_by_name(name: &[u8]) -> Option<ModelDetails<T>> {
		let name: BoundedVec<u8, T::MaxNameLen> = name.to_vec().try_into().ok()?;
		ModelIdByName::<T>::get(name).and_then(Self::model)
	}

	/// The version with id `id`, with its model's name, deprecation and aliases.
	pub fn version(id: VersionId) -> Option<VersionDetails<T>> {
		let info = Versions::<T>::get(id)?;
		let model = Models::<T>::get(info.model)?;
		let aliases = if model.alias_count == 0 {
			Vec::new()
		} else {
			Aliases::<T>::iter_prefix(info.model)
				.filter(|(_, alias)| alias.version == id)
				.map(|(name, _)| name)
				.collect()
		};
		Some(VersionDetails {
			id,
			model_name: model.name,
			deprecated_at: Deprecated::<T>::get(id),
			overturned: Overturned::<T>::get(id),
			aliases,
			info,
		})
	}

	/// The id of the version `reference` names: `42`, `mnist-mlp@production`, `7@latest`,
	/// `mnist-mlp@v3`.
	pub fn resolve(reference: &[u8]) -> Result<VersionId, ResolveError> {
		match VersionRef::parse(reference)? {
			VersionRef::Id(id) => {
				if Versions::<T>::contains_key(id) {
					Ok(id)
				} else {
					Err(ResolveError::UnknownVersion)
				}
			},
			VersionRef::Tagged { model, tag } => {
				let model_id = match model {
					ModelKey::Id(id) => id,
					ModelKey::Name(name) => {
						let name: BoundedVec<u8, T::MaxNameLen> =
							name.to_vec().try_into().map_err(|_| ResolveError::UnknownModel)?;
						ModelIdByName::<T>::get(name).ok_or(ResolveError::UnknownModel)?
					},
				};
				let info = Models::<T>::get(model_id).ok_or(ResolveError::UnknownModel)?;
				let found = match tag {
					Tag::Latest => ModelVersions::<T>::get(model_id, info.version_count),
					Tag::Number(number) => ModelVersions::<T>::get(model_id, number),
					Tag::Alias(alias) => {
						let alias: BoundedVec<u8, T::MaxAliasLen> =
							alias.to_vec().try_into().map_err(|_| ResolveError::UnknownVersion)?;
						Aliases::<T>::get(model_id, alias).map(|a| a.version)
					},
				};
				found.ok_or(ResolveError::UnknownVersion)
			},
		}
	}

	/// The versions of `model`, by number, from `start` (1-based), at most `limit` of them.
	pub fn versions_of(model: ModelId, start: u32, limit: u32) -> Vec<VersionDetails<T>> {
		let Some(info) = Models::<T>::get(model) else { return Vec::new() };
		let limit = limit.min(T::MaxLineageResults::get());
		(start.max(1)..=info.version_count)
			.take(limit as usize)
			.filter_map(|number| ModelVersions::<T>::get(model, number))
			.filter_map(Self::version)
			.collect()
	}

	/// The ancestors of `version` up to `max_depth` derivation steps, the version itself first.
	/// `None` if the version does not exist.
	pub fn ancestors(version: VersionId, max_depth: u32) -> Option<Lineage> {
		Self::walk(version, max_depth, Direction::Up)
	}

	/// The descendants of `version` up to `max_depth` derivation steps, the version itself
	/// first. `None` if the version does not exist.
	pub fn descendants(version: VersionId, max_depth: u32) -> Option<Lineage> {
		Self::walk(version, max_depth, Direction::Down)
	}

	/// The shortest derivation path between `a` and `b`, whichever is the ancestor. `None` if
	/// either does not exist or neither descends from the other (within `MaxLineageResults`).
	pub fn derivation_path(a: VersionId, b: VersionId) -> Option<DerivationPath> {
		if !Versions::<T>::contains_key(a) || !Versions::<T>::contains_key(b) {
			return None;
		}
		Self::path_up(b, a).or_else(|| Self::path_up(a, b))
	}

	/// Every account and round that contributed to `version`'s ancestry. `None` if the version
	/// does not exist.
	pub fn contributors(version: VersionId) -> Option<Contributors<T::AccountId>> {
		let mut accounts = BTreeSet::new();
		let mut rounds = BTreeSet::new();
		let limit = T::MaxLineageResults::get() as usize;
		let mut seen = BTreeSet::new();
		let mut queue = VecDeque::new();
		seen.insert(version);
		queue.push_back((version, Versions::<T>::get(version)?));
		let mut truncated = false;
		while let Some((id, info)) = queue.pop_front() {
			accounts.insert(info.publisher.clone());
			accounts.extend(VersionContributors::<T>::get(id).unwrap_or_default());
			match &info.producer {
				Producer::Account(who) => {
					accounts.insert(who.clone());
				},
				Producer::Round(round) => {
					rounds.insert(*round);
				},
			}
			for (parent, _) in info.parents.iter() {
				if seen.len() >= limit {
					truncated = true;
					break;
				}
				if seen.insert(*parent) {
					if let Some(parent_info) = Versions::<T>::get(parent) {
						queue.push_back((*parent, parent_info));
					}
				}
			}
		}
		Some(Contributors {
			accounts: accounts.into_iter().collect(),
			rounds: rounds.into_iter().collect(),
			versions: seen.len() as u32,
			truncated,
		})
	}

	/// Breadth-first walk from `start` along parents (`Up`) or children (`Down`).
	fn walk(start: VersionId, max_depth: u32, direction: Direction) -> Option<Lineage> {
		let limit = T::MaxLineageResults::get() as usize;
		let first = Versions::<T>::get(start)?;
		let mut nodes = Vec::new();
		let mut seen = BTreeSet::new();
		let mut queue = VecDeque::new();
		let mut truncated = false;
		seen.insert(start);
		queue.push_back((start, first, 0u32));
		while let Some((id, info, depth)) = queue.pop_front() {
			if depth < max_depth {
				// Children are read one at a time and no further than the limit: a popular
				// version may have more children than any answer holds.
				let next: alloc::boxed::Box<dyn Iterator<Item = VersionId>> = match direction {
					Direction::Up => alloc::boxed::Box::new(
						info.parents.clone().into_iter().map(|(parent, _)| parent),
					),
					Direction::Down => alloc::boxed::Box::new(Children::<T>::iter_key_prefix(id)),
				};
				for next_id in next {
					if seen.contains(&next_id) {
						continue;
					}
					if seen.len() >= limit {
						truncated = true;
						break;
					}
					if let Some(next_info) = Versions::<T>::get(next_id) {
						seen.insert(next_id);
						queue.push_back((next_id, next_info, depth.saturating_add(1)));
					}
				}
			}
			nodes.push(LineageNode {
				id,
				model: info.model,
				number: info.number,
				weights_hash: info.weights_hash,
				depth,
				parents: info.parents.into_inner(),
			});
		}
		Some(Lineage { nodes, truncated })
	}

	/// The path from `ancestor` down to `descendant`, found by walking up from `descendant`.
	fn path_up(descendant: VersionId, ancestor: VersionId) -> Option<DerivationPath> {
		let limit = T::MaxLineageResults::get() as usize;
		// `reached_from[v] = (child, derivation)`: the walk reached `v` as a parent of `child`.
		let mut reached_from: BTreeMap<VersionId, (VersionId, Derivation)> = BTreeMap::new();
		let mut queue = VecDeque::from([descendant]);
		let mut found = descendant == ancestor;
		while let Some(id) = queue.pop_front() {
			if found || reached_from.len() >= limit {
				break;
			}
			let Some(info) = Versions::<T>::get(id) else { continue };
			for (parent, derivation) in info.parents.iter() {
				if *parent == descendant || reached_from.contains_key(parent) {
					continue;
				}
				reached_from.insert(*parent, (id, *derivation));
				if *parent == ancestor {
					found = true;
					break;
				}
				queue.push_back(*parent);
			}
		}
		if !found {
			return None;
		}
		let mut steps = Vec::new();
		let mut at = ancestor;
		while at != descendant {
			let (child, derivation) = *reached_from.get(&at)?;
			steps.push(DerivationStep { parent: at, child, derivation });
			at = child;
		}
		Some(DerivationPath { ancestor, descendant, steps })
	}
}
