
//! Weights for `pallet_training`: ESTIMATES written by hand before the pallet's first
//! `frame-omni-bencher` run (about twice the inference pallet's measured figures for calls of the
//! same shape). Regenerate with `make weights` (see BENCHMARKS.md), which overwrites this file.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use polkadot_sdk::frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_training`.
pub trait WeightInfo {
	fn open_round() -> Weight;
	fn join() -> Weight;
	fn commit_update() -> Weight;
	fn reveal_update(d: u32, ) -> Weight;
	fn commit_result() -> Weight;
	fn reveal_result(p: u32, ) -> Weight;
	fn upload_result(d: u32, ) -> Weight;
	fn cancel_round() -> Weight;
	fn set_timing() -> Weight;
	fn authorize_join() -> Weight;
	fn authorize_commit_update() -> Weight;
	fn authorize_reveal_update(d: u32, ) -> Weight;
	fn authorize_commit_result() -> Weight;
	fn authorize_reveal_result() -> Weight;
	fn authorize_upload_result(d: u32, ) -> Weight;
	fn on_initialize_idle() -> Weight;
	fn end_phase(p: u32, ) -> Weight;
	fn payout(p: u32, ) -> Weight;
	fn remove_round(p: u32, ) -> Weight;
}

/// Weights for `pallet_training` with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn open_round() -> Weight {
		Weight::from_parts(120_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(12_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn join() -> Weight {
		Weight::from_parts(90_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn commit_update() -> Weight {
		Weight::from_parts(90_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn reveal_update(d: u32, ) -> Weight {
		Weight::from_parts(150_000_000, 4000)
			.saturating_add(Weight::from_parts(3_000, 0).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn commit_result() -> Weight {
		Weight::from_parts(90_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn reveal_result(p: u32, ) -> Weight {
		Weight::from_parts(400_000_000, 4000)
			.saturating_add(Weight::from_parts(60_000_000, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(16_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes(14_u64))
			.saturating_add(T::DbWeight::get().writes((3_u64).saturating_mul(p.into())))
	}
	fn upload_result(d: u32, ) -> Weight {
		Weight::from_parts(400_000_000, 4000)
			.saturating_add(Weight::from_parts(3_000, 0).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(20_u64))
			.saturating_add(T::DbWeight::get().writes(16_u64))
	}
	fn cancel_round() -> Weight {
		Weight::from_parts(60_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn set_timing() -> Weight {
		Weight::from_parts(10_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(0_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn authorize_join() -> Weight {
		Weight::from_parts(70_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	fn authorize_commit_update() -> Weight {
		Weight::from_parts(70_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	fn authorize_reveal_update(d: u32, ) -> Weight {
		Weight::from_parts(80_000_000, 4000)
			.saturating_add(Weight::from_parts(3_000, 0).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	fn authorize_commit_result() -> Weight {
		Weight::from_parts(70_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	fn authorize_reveal_result() -> Weight {
		Weight::from_parts(80_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	fn authorize_upload_result(d: u32, ) -> Weight {
		Weight::from_parts(80_000_000, 4000)
			.saturating_add(Weight::from_parts(3_000, 0).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(20_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	fn end_phase(p: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(70_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(p.into())))
	}
	fn payout(p: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 4000)
			.saturating_add(Weight::from_parts(40_000_000, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(p.into())))
			.saturating_add(T::DbWeight::get().writes(8_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(p.into())))
	}
	fn remove_round(p: u32, ) -> Weight {
		Weight::from_parts(80_000_000, 4000)
			.saturating_add(Weight::from_parts(10_000_000, 0).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(p.into())))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn open_round() -> Weight {
		Weight::from_parts(120_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(12_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn join() -> Weight {
		Weight::from_parts(90_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn commit_update() -> Weight {
		Weight::from_parts(90_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn reveal_update(d: u32, ) -> Weight {
		Weight::from_parts(150_000_000, 4000)
			.saturating_add(Weight::from_parts(3_000, 0).saturating_mul(d.into()))
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn commit_result() -> Weight {
		Weight::from_parts(90_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn reveal_result(p: u32, ) -> Weight {
		Weight::from_parts(400_000_000, 4000)
			.saturating_add(Weight::from_parts(60_000_000, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(16_u64))
			.saturating_add(ParityDbWeight::get().reads((3_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes(14_u64))
			.saturating_add(ParityDbWeight::get().writes((3_u64).saturating_mul(p.into())))
	}
	fn upload_result(d: u32, ) -> Weight {
		Weight::from_parts(400_000_000, 4000)
			.saturating_add(Weight::from_parts(3_000, 0).saturating_mul(d.into()))
			.saturating_add(ParityDbWeight::get().reads(20_u64))
			.saturating_add(ParityDbWeight::get().writes(16_u64))
	}
	fn cancel_round() -> Weight {
		Weight::from_parts(60_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn set_timing() -> Weight {
		Weight::from_parts(10_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(0_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn authorize_join() -> Weight {
		Weight::from_parts(70_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn authorize_commit_update() -> Weight {
		Weight::from_parts(70_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn authorize_reveal_update(d: u32, ) -> Weight {
		Weight::from_parts(80_000_000, 4000)
			.saturating_add(Weight::from_parts(3_000, 0).saturating_mul(d.into()))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn authorize_commit_result() -> Weight {
		Weight::from_parts(70_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn authorize_reveal_result() -> Weight {
		Weight::from_parts(80_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn authorize_upload_result(d: u32, ) -> Weight {
		Weight::from_parts(80_000_000, 4000)
			.saturating_add(Weight::from_parts(3_000, 0).saturating_mul(d.into()))
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(20_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(8_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn end_phase(p: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 4000)
			.saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(70_u64))
			.saturating_add(ParityDbWeight::get().writes(8_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(p.into())))
	}
	fn payout(p: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 4000)
			.saturating_add(Weight::from_parts(40_000_000, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(8_u64))
			.saturating_add(ParityDbWeight::get().reads((2_u64).saturating_mul(p.into())))
			.saturating_add(ParityDbWeight::get().writes(8_u64))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(p.into())))
	}
	fn remove_round(p: u32, ) -> Weight {
		Weight::from_parts(80_000_000, 4000)
			.saturating_add(Weight::from_parts(10_000_000, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(p.into())))
	}
}
