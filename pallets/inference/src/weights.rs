
//! Weights for `pallet_inference`. First estimates, to be replaced by `make weights` (see
//! BENCHMARKS.md), which generates this file from the pallet's benchmarks.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use polkadot_sdk::frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_inference`.
pub trait WeightInfo {
	fn set_price() -> Weight;
	fn request(r: u32, b: u32, ) -> Weight;
	fn commit() -> Weight;
	fn reveal() -> Weight;
	fn set_timing() -> Weight;
	fn authorize_commit() -> Weight;
	fn authorize_reveal() -> Weight;
	fn on_initialize_idle() -> Weight;
	fn expire_commit(r: u32, ) -> Weight;
	fn expire_reveal(r: u32, ) -> Weight;
	fn payout(r: u32, ) -> Weight;
	fn remove_job(r: u32, ) -> Weight;
}

/// Weights for `pallet_inference` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_price() -> Weight {
		Weight::from_parts(20_000_000, 0)
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn request(r: u32, b: u32, ) -> Weight {
		Weight::from_parts(120_000_000, 0)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(Weight::from_parts(2_000, 0).saturating_mul(b.into()))
			.saturating_add(T::DbWeight::get().reads(10))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	fn commit() -> Weight {
		Weight::from_parts(60_000_000, 0)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn reveal() -> Weight {
		Weight::from_parts(400_000_000, 0)
			.saturating_add(T::DbWeight::get().reads(20))
			.saturating_add(T::DbWeight::get().writes(20))
	}
	fn set_timing() -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1))
	}
	fn authorize_commit() -> Weight {
		Weight::from_parts(55_000_000, 0)
			.saturating_add(T::DbWeight::get().reads(3))
	}
	fn authorize_reveal() -> Weight {
		Weight::from_parts(70_000_000, 0)
			.saturating_add(T::DbWeight::get().reads(3))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(5_000_000, 0)
			.saturating_add(T::DbWeight::get().reads(4))
	}
	fn expire_commit(r: u32, ) -> Weight {
		Weight::from_parts(150_000_000, 0)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(20))
			.saturating_add(T::DbWeight::get().writes(20))
	}
	fn expire_reveal(r: u32, ) -> Weight {
		Weight::from_parts(400_000_000, 0)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(30))
			.saturating_add(T::DbWeight::get().writes(30))
	}
	fn payout(r: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 0)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(20))
			.saturating_add(T::DbWeight::get().writes(10))
	}
	fn remove_job(r: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 0)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(20))
	}
}

/// The same weights with ParityDb's database weights, for tests.
impl WeightInfo for () {
	fn set_price() -> Weight {
		Weight::from_parts(20_000_000, 0)
			.saturating_add(ParityDbWeight::get().reads(3))
			.saturating_add(ParityDbWeight::get().writes(1))
	}
	fn request(r: u32, b: u32, ) -> Weight {
		Weight::from_parts(120_000_000, 0)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(Weight::from_parts(2_000, 0).saturating_mul(b.into()))
			.saturating_add(ParityDbWeight::get().reads(10))
			.saturating_add(ParityDbWeight::get().writes(8))
	}
	fn commit() -> Weight {
		Weight::from_parts(60_000_000, 0)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(1))
	}
	fn reveal() -> Weight {
		Weight::from_parts(400_000_000, 0)
			.saturating_add(ParityDbWeight::get().reads(20))
			.saturating_add(ParityDbWeight::get().writes(20))
	}
	fn set_timing() -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(ParityDbWeight::get().writes(1))
	}
	fn authorize_commit() -> Weight {
		Weight::from_parts(55_000_000, 0)
			.saturating_add(ParityDbWeight::get().reads(3))
	}
	fn authorize_reveal() -> Weight {
		Weight::from_parts(70_000_000, 0)
			.saturating_add(ParityDbWeight::get().reads(3))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(5_000_000, 0)
			.saturating_add(ParityDbWeight::get().reads(4))
	}
	fn expire_commit(r: u32, ) -> Weight {
		Weight::from_parts(150_000_000, 0)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(ParityDbWeight::get().reads(20))
			.saturating_add(ParityDbWeight::get().writes(20))
	}
	fn expire_reveal(r: u32, ) -> Weight {
		Weight::from_parts(400_000_000, 0)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(ParityDbWeight::get().reads(30))
			.saturating_add(ParityDbWeight::get().writes(30))
	}
	fn payout(r: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 0)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(ParityDbWeight::get().reads(20))
			.saturating_add(ParityDbWeight::get().writes(10))
	}
	fn remove_job(r: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 0)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(r.into()))
			.saturating_add(ParityDbWeight::get().reads(3))
			.saturating_add(ParityDbWeight::get().writes(20))
	}
}
