//! Benchmarks of the validator-set pallet's calls, each in its worst case: a full list of
//! candidates, the caller moving from its end to its front.

use super::*;
use crate::pallet::{Call, Pallet};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		pallet_prelude::*,
		traits::fungible::{Mutate, MutateHold},
	},
	frame_system::{self, RawOrigin},
	sp_runtime::traits::Saturating,
};

/// A funded account with session keys.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let min = Terms::<T>::get().min_bond;
	T::Currency::set_balance(&who, min.saturating_mul(1_000u32.into()));
	T::BenchmarkHelper::set_keys(&who);
	who
}

/// Fills the list of candidates up to `MaxCandidates - free`, each new one with the minimum bond
/// (the list may already hold candidates from genesis, as the runtime's does).
fn fill<T: Config>(free: u32) {
	let min = Terms::<T>::get().min_bond;
	let mut list = Candidates::<T>::get();
	let existing = u32::try_from(list.len()).unwrap_or(u32::MAX);
	for i in 0..T::MaxCandidates::get().saturating_sub(free).saturating_sub(existing) {
		let who = funded::<T>("candidate", i);
		T::Currency::hold(&HoldReason::ValidatorBond.into(), &who, min).expect("funded");
		list.try_push(Candidate { who, bond: min }).expect("below the bound");
	}
	Candidates::<T>::put(list);
}

/// A bond above every candidate's, which puts its holder at the front of the list.
fn above_all<T: Config>() -> BalanceOf<T> {
	let top = Candidates::<T>::get().iter().map(|c| c.bond).max().unwrap_or_default();
	top.saturating_add(Terms::<T>::get().min_bond)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A last candidate joins a full list straight at its front.
	#[benchmark]
	fn bond() {
		fill::<T>(1);
		let caller = funded::<T>("caller", 0);
		let amount = above_all::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), amount);

		assert_eq!(Candidates::<T>::get().first().map(|c| c.who.clone()), Some(caller));
	}

	/// The front candidate of a full list unbonds down to the minimum, moving to its end.
	#[benchmark]
	fn unbond() {
		fill::<T>(1);
		let caller = funded::<T>("caller", 0);
		let min = Terms::<T>::get().min_bond;
		Pallet::<T>::bond(RawOrigin::Signed(caller.clone()).into(), above_all::<T>())
			.expect("it can bond");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), min);

		assert_eq!(Candidates::<T>::get().last().map(|c| c.who.clone()), Some(caller));
	}

	/// The last candidate of a full list leaves.
	#[benchmark]
	fn leave() {
		fill::<T>(1);
		let caller = funded::<T>("caller", 0);
		Pallet::<T>::bond(RawOrigin::Signed(caller.clone()).into(), Terms::<T>::get().min_bond)
			.expect("it can bond");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(Pallet::<T>::bond_of(&caller).is_none());
	}

	#[benchmark]
	fn withdraw_unbonded() {
		let caller = funded::<T>("caller", 0);
		Pallet::<T>::bond(RawOrigin::Signed(caller.clone()).into(), Terms::<T>::get().min_bond)
			.expect("it can bond");
		Pallet::<T>::leave(RawOrigin::Signed(caller.clone()).into()).expect("it can leave");
		let unlock_at = Unbondings::<T>::get(&caller).expect("unbonding").unlock_at;
		frame_system::Pallet::<T>::set_block_number(unlock_at);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(Unbondings::<T>::get(&caller).is_none());
	}

	#[benchmark]
	fn set_terms() {
		let mut terms = Terms::<T>::get();
		terms.max_validators = 1;

		#[extrinsic_call]
		_(RawOrigin::Root, terms);

		assert_eq!(Terms::<T>::get().max_validators, 1);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
