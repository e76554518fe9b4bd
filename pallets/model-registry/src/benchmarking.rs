//! Benchmarks of the model registry's calls, each in its worst case.

use super::*;
use crate::pallet::{Call, Pallet};
use alloc::vec;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::traits::{fungible::Mutate, Get},
	frame_system::RawOrigin,
	sp_runtime::{traits::StaticLookup, FixedI64},
};
use swarm_primitives::benchmark_balance;

/// An account with plenty of funds for deposits.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, benchmark_balance());
	who
}

/// A valid name of `len` bytes (at least 1).
fn name_of(len: u32, tag: u8) -> Vec<u8> {
	let mut name = vec![b'a'; len.max(1) as usize];
	name[0] = b'a' + (tag % 26);
	name
}

/// Creates a model owned by `owner` with the longest fields; returns its id.
fn model_of<T: Config>(owner: &T::AccountId, tag: u8) -> ModelId {
	let id = NextModelId::<T>::get();
	Pallet::<T>::create_model(
		RawOrigin::Signed(owner.clone()).into(),
		name_of(T::MaxNameLen::get(), tag),
		vec![b'l'; T::MaxLicenceLen::get() as usize],
		vec![b'd'; T::MaxDescriptionLen::get() as usize],
		DerivationPolicy::Open,
	)
	.expect("benchmark setup: the model is valid and its owner funded");
	id
}

/// The weights hash numbered `n` (its low eight bytes, big-endian; `H256::from_low_u64_be` needs
/// `std`).
fn weights_hash(n: u64) -> H256 {
	let mut bytes = [0u8; 32];
	bytes[24..].copy_from_slice(&n.to_be_bytes());
	H256(bytes)
}

/// Publishes the largest version of `model` with weights hash `n`; returns its id.
fn version_of<T: Config>(owner: &T::AccountId, model: ModelId, n: u64) -> VersionId {
	let id = NextVersionId::<T>::get();
	Pallet::<T>::publish_version(
		RawOrigin::Signed(owner.clone()).into(),
		model,
		weights_hash(n),
		1 << 20,
		ConfigInput::Inline(vec![b'c'; T::MaxConfigLen::get() as usize]),
		vec![],
		vec![],
	)
	.expect("benchmark setup: the version is valid and its owner funded");
	id
}

/// A model of `owner` (funded) with one version: the weights `weights_hash` of `weights_size`
/// bytes (stored in the weights store) and the inline configuration `config`. Other pallets'
/// benchmarks reach it through `ModelCatalog::benchmark_version`.
pub(crate) fn served_version<T: Config>(
	owner: &T::AccountId,
	config: Vec<u8>,
	weights_hash: H256,
	weights_size: u64,
) -> VersionId {
	use swarm_primitives::ContentInspector;
	T::Currency::set_balance(owner, benchmark_balance());
	T::Content::benchmark_store(weights_hash, weights_size);
	let model = model_of::<T>(owner, NextModelId::<T>::get() as u8);
	let id = NextVersionId::<T>::get();
	Pallet::<T>::publish_version(
		RawOrigin::Signed(owner.clone()).into(),
		model,
		weights_hash,
		weights_size,
		ConfigInput::Inline(config),
		vec![],
		vec![],
	)
	.expect("benchmark setup: the version is valid and its owner funded");
	id
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `n` bytes of name, licence and description together.
	#[benchmark]
	fn create_model(
		n: Linear<
			1,
			{ T::MaxNameLen::get() + T::MaxLicenceLen::get() + T::MaxDescriptionLen::get() },
		>,
	) {
		let caller = funded::<T>("caller", 0);
		let name_len = n.min(T::MaxNameLen::get());
		let rest = n - name_len;
		let licence_len = rest.min(T::MaxLicenceLen::get());
		let description_len = rest - licence_len;

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			name_of(name_len, 0),
			vec![b'l'; licence_len as usize],
			vec![b'd'; description_len as usize],
			DerivationPolicy::Open,
		);

		assert_eq!(Models::<T>::get(0).map(|m| m.owner), Some(caller));
	}

	/// Worst case: `p` parents, each a version of a different model owned by someone else (so
	/// each parent's model is read), `m` metrics with the longest names, `c` bytes of inline
	/// config.
	#[benchmark]
	fn publish_version(
		p: Linear<0, { T::MaxParents::get() }>,
		m: Linear<0, { T::MaxMetrics::get() }>,
		c: Linear<0, { T::MaxConfigLen::get() }>,
	) {
		let other = funded::<T>("other", 0);
		let parents: Vec<(VersionId, Derivation)> = (0..p)
			.map(|i| {
				let model = model_of::<T>(&other, i as u8);
				(version_of::<T>(&other, model, i as u64), Derivation::Merge)
			})
			.collect();
		let caller = funded::<T>("caller", 0);
		let model = model_of::<T>(&caller, 200);
		let metrics: Vec<(Vec<u8>, FixedI64)> = (0..m)
			.map(|i| {
				let mut name = vec![b'm'; T::MaxMetricNameLen::get() as usize];
				name[0] = b'a' + (i % 26) as u8;
				name[1] = b'a' + (i / 26 % 26) as u8;
				(name, FixedI64::from_inner(i as i64))
			})
			.collect();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller),
			model,
			H256::repeat_byte(0xab),
			1 << 20,
			ConfigInput::Inline(vec![b'c'; c as usize]),
			metrics,
			parents,
		);

		assert_eq!(Models::<T>::get(model).map(|m| m.version_count), Some(1));
	}

	/// Worst case: a new alias (a deposit is held).
	#[benchmark]
	fn set_alias() {
		let caller = funded::<T>("caller", 0);
		let model = model_of::<T>(&caller, 0);
		let version = version_of::<T>(&caller, model, 1);
		let alias = name_of(T::MaxAliasLen::get(), 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), model, alias, version);

		assert_eq!(Models::<T>::get(model).map(|m| m.alias_count), Some(1));
	}

	#[benchmark]
	fn remove_alias() {
		let caller = funded::<T>("caller", 0);
		let model = model_of::<T>(&caller, 0);
		let version = version_of::<T>(&caller, model, 1);
		let alias = name_of(T::MaxAliasLen::get(), 1);
		Pallet::<T>::set_alias(
			RawOrigin::Signed(caller.clone()).into(),
			model,
			alias.clone(),
			version,
		)
		.expect("benchmark setup: the alias is valid");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), model, alias);

		assert_eq!(Models::<T>::get(model).map(|m| m.alias_count), Some(0));
	}

	#[benchmark]
	fn deprecate_version() {
		let caller = funded::<T>("caller", 0);
		let model = model_of::<T>(&caller, 0);
		let version = version_of::<T>(&caller, model, 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), version);

		assert!(Deprecated::<T>::contains_key(version));
	}

	#[benchmark]
	fn transfer_model() {
		let caller = funded::<T>("caller", 0);
		let model = model_of::<T>(&caller, 0);
		let receiver: T::AccountId = account("receiver", 0, 0);
		let lookup = T::Lookup::unlookup(receiver.clone());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), model, lookup);

		assert_eq!(Models::<T>::get(model).map(|m| m.owner), Some(receiver));
	}

	#[benchmark]
	fn set_derivation_policy() {
		let caller = funded::<T>("caller", 0);
		let model = model_of::<T>(&caller, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), model, DerivationPolicy::OwnerOnly);

		assert_eq!(
			Models::<T>::get(model).map(|m| m.derivation_policy),
			Some(DerivationPolicy::OwnerOnly)
		);
	}

	#[benchmark]
	fn remove_model() {
		let caller = funded::<T>("caller", 0);
		let model = model_of::<T>(&caller, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), model);

		assert!(Models::<T>::get(model).is_none());
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder.build(),
		crate::mock::Test
	);
}
