//! Benchmarks of the rewards pallet's calls and its per-block emission, each in its worst case.

use super::*;
use crate::pallet::{Call, Pallet};
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::traits::{
		fungible::{Inspect, Mutate},
		Get,
	},
	frame_system::RawOrigin,
	sp_runtime::{traits::Bounded, Perbill},
};
use swarm_primitives::benchmark_balance;

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Worst case: an emission with an author share (two mints), the author found in the
	/// block's digest and its account created by the mint.
	#[benchmark]
	fn on_initialize() {
		EmissionPerBlock::<T>::put(BalanceOf::<T>::max_value() / 1_000_000u32.into());
		AuthorShare::<T>::put(Perbill::from_percent(20));
		let author: T::AccountId = account("author", 0, 0);
		T::BenchmarkHelper::set_author(&author);

		#[block]
		{
			Pallet::<T>::emit();
		}

		assert!(!AccountEarnings::<T>::get(&author).is_zero(), "the author was paid its share");
		assert!(!T::Currency::balance(&author).is_zero());
	}

	#[benchmark]
	fn set_emission() {
		#[extrinsic_call]
		_(RawOrigin::Root, 1_000u32.into());

		assert_eq!(EmissionPerBlock::<T>::get(), 1_000u32.into());
	}

	#[benchmark]
	fn set_author_share() {
		#[extrinsic_call]
		_(RawOrigin::Root, Perbill::from_percent(30));

		assert_eq!(AuthorShare::<T>::get(), Perbill::from_percent(30));
	}

	/// `n` nodes paid, each owned by a different account.
	#[benchmark]
	fn pay_work(n: Linear<1, { T::MaxShares::get() }>) {
		let pot = Pallet::<T>::pot();
		T::Currency::set_balance(&pot, benchmark_balance());
		let shares: Vec<(NodeId, u32)> = (0..n)
			.map(|i| {
				let owner: T::AccountId = account("owner", i, 0);
				(T::Nodes::benchmark_node(&owner), 1)
			})
			.collect();
		let amount: BalanceOf<T> = T::Currency::minimum_balance().saturating_mul(1_000u32.into());

		#[extrinsic_call]
		_(RawOrigin::Root, WorkId::Other(7), shares, amount);

		assert_eq!(NodeEarnings::<T>::iter().count() as u32, n);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
