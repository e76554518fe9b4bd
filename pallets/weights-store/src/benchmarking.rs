//! Benchmarks of the weights store's calls, each in its worst case.

use super::*;
use crate::pallet::{Call, Pallet};
use alloc::vec;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::traits::{fungible::Mutate, Get},
	frame_system::RawOrigin,
	sp_io::hashing::blake2_256,
};
use swarm_primitives::benchmark_balance;

fn funded<T: Config>() -> T::AccountId {
	let who: T::AccountId = whitelisted_caller();
	T::Currency::set_balance(&who, benchmark_balance());
	who
}

/// `len` bytes that do not compress or repeat.
fn data(len: u32) -> Vec<u8> {
	(0..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect()
}

/// Makes the calls below run as the first extrinsic of a block, as they do on chain.
fn in_extrinsic() {
	polkadot_sdk::frame_support::storage::unhashed::put(
		polkadot_sdk::sp_core::storage::well_known_keys::EXTRINSIC_INDEX,
		&0u32,
	);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn begin_upload() {
		let caller = funded::<T>();
		let size = u64::from(T::ChunkSize::get()) * u64::from(T::MaxChunks::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), H256::repeat_byte(1), size);

		assert!(Uploads::<T>::contains_key(H256::repeat_byte(1)));
	}

	/// Worst case: the last chunk of a file, `n` bytes long: the chunk is hashed twice (its own
	/// hash and the file's running hash), the file's hash is finalised and the file recorded.
	#[benchmark]
	fn upload_chunk(n: Linear<1, { T::ChunkSize::get() }>) {
		let caller = funded::<T>();
		let bytes = data(n);
		let file = H256(blake2_256(&bytes));
		Pallet::<T>::begin_upload(RawOrigin::Signed(caller.clone()).into(), file, u64::from(n))
			.expect("benchmark setup: the upload is valid and the caller funded");
		in_extrinsic();
		// The transaction being applied ends with the chunk, as `upload_chunk` checks.
		frame_system::Pallet::<T>::note_extrinsic(bytes.clone());
		let chunk = H256(blake2_256(&bytes));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), file, 0, chunk, bytes);

		assert!(Files::<T>::contains_key(file));
	}

	/// `c` chunks received before the upload is cancelled.
	#[benchmark]
	fn cancel_upload(c: Linear<0, { T::MaxChunks::get() - 1 }>) {
		let caller = funded::<T>();
		let chunk_size = T::ChunkSize::get();
		let size = u64::from(chunk_size) * u64::from(T::MaxChunks::get());
		let file = H256::repeat_byte(7);
		Pallet::<T>::begin_upload(RawOrigin::Signed(caller.clone()).into(), file, size)
			.expect("benchmark setup: the upload is valid and the caller funded");
		in_extrinsic();
		for index in 0..c {
			let bytes = vec![index as u8; chunk_size as usize];
			frame_system::Pallet::<T>::note_extrinsic(bytes.clone());
			let chunk = H256(blake2_256(&bytes));
			Pallet::<T>::upload_chunk(
				RawOrigin::Signed(caller.clone()).into(),
				file,
				index,
				chunk,
				bytes,
			)
			.expect("benchmark setup: chunks come in order with their hashes");
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), file);

		assert!(!Uploads::<T>::contains_key(file));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
