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

/// Fills the list of candidates up to `MaxCandidates - free`, each with the minimum bond.
fn fill<T: Config>(free: u32) {
	let min = Terms::<T>::get().min_bond;
	let mut list = Candidates::<T>::get();
	for i in 0..T::MaxCandidates::get().saturating_sub(free) {
		let who = funded::<T>("candidate", i);
		T::Currency::hold(&HoldReason::ValidatorBond.into(), &who, min).expect("funded");
		list.try_push(Candidate { who, bond: min }).expect("below the bound");
	}
	Candidates::<T>::put(list);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A last candidate joins a full list straight at its front.
	#[benchmark]
	fn bond() {
		fill::<T>(1);
		let caller = funded::<T>("caller", 0);
		let amount = Terms::<T>::get().min_bond.saturating_mul(2u32.into());

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
		Pallet::<T>::bond(RawOrigin::Signed(caller.clone()).into(), min.saturating_mul(2u32.into()))
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
