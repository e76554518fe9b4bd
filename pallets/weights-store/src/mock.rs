//! A test runtime with balances and the weights store (chunks of 256 bytes, at most 4).

use crate::{self as pallet_weights_store, *};
use codec::Encode;
use polkadot_sdk::sp_runtime::DispatchResult;
use polkadot_sdk::{
	frame_support::{
		derive_impl,
		traits::{ConstU32, ConstU64},
	},
	frame_system, pallet_balances, pallet_utility,
	sp_io::{hashing::blake2_256, TestExternalities},
	sp_runtime::BuildStorage,
};

type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(2)]
	pub type WeightsStore = pallet_weights_store;
	#[runtime::pallet_index(3)]
	pub type Utility = pallet_utility;
}

impl pallet_utility::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = ();
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// Chunks of 256 bytes, so that tests exercise several chunks with small files.
pub const CHUNK: u64 = 256;

polkadot_sdk::frame_support::parameter_types! {
	/// `CHUNK`, changeable to test an upgrade that changes the chunk size.
	pub static ChunkSize: u32 = CHUNK as u32;
}

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ChunkSize = ChunkSize;
	type MaxChunks = ConstU32<4>;
	type DepositBase = ConstU64<100>;
	type DepositPerChunk = ConstU64<10>;
	type UploadTimeout = ConstU64<20>;
	type WeightInfo = ();
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const PAUPER: u64 = 3;

pub fn new_test_ext() -> TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 1_000_000), (BOB, 1_000_000), (PAUPER, 50)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		// Calls run as the first extrinsic of the block, as in a real block.
		polkadot_sdk::frame_support::storage::unhashed::put(
			polkadot_sdk::sp_core::storage::well_known_keys::EXTRINSIC_INDEX,
			&0u32,
		);
	});
	ext
}

/// Runs `test`, then checks the pallet's storage invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	let mut ext = new_test_ext();
	ext.execute_with(test);
	ext.execute_with(|| WeightsStore::do_try_state().unwrap());
}

/// A file of `len` deterministic bytes, with its hash.
pub fn file(len: usize, seed: u8) -> (Vec<u8>, H256) {
	let bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(13).wrapping_add(seed)).collect();
	let hash = H256(blake2_256(&bytes));
	(bytes, hash)
}

/// The chunk hash of `data`.
pub fn chunk_hash(data: &[u8]) -> H256 {
	H256(blake2_256(data))
}

/// Applies `call` as the block's first transaction does: `frame_system` notes the
/// transaction's bytes (here a stand-in for its signature part, then the call) before the call
/// runs. A failed call leaves no trace, as a failed transaction would not.
pub fn apply(origin: RuntimeOrigin, call: RuntimeCall) -> DispatchResult {
	use polkadot_sdk::sp_runtime::traits::Dispatchable;
	polkadot_sdk::frame_support::storage::with_storage_layer(|| {
		let mut transaction = b"signature and extensions".to_vec();
		transaction.extend(call.encode());
		frame_system::Pallet::<Test>::note_extrinsic(transaction);
		call.dispatch(origin).map(|_| ()).map_err(|e| e.error)
	})
}

/// Sends a chunk as the transaction's own call.
pub fn upload_chunk(
	origin: RuntimeOrigin,
	file: H256,
	index: u32,
	chunk: H256,
	data: Vec<u8>,
) -> DispatchResult {
	apply(origin, RuntimeCall::WeightsStore(Call::upload_chunk { file, index, chunk, data }))
}

/// Uploads `bytes` (announced as `hash`) as `who`, chunk by chunk.
pub fn upload(who: u64, bytes: &[u8], hash: H256) {
	WeightsStore::begin_upload(RuntimeOrigin::signed(who), hash, bytes.len() as u64).unwrap();
	for (index, chunk) in bytes.chunks(CHUNK as usize).enumerate() {
		upload_chunk(
			RuntimeOrigin::signed(who),
			hash,
			index as u32,
			chunk_hash(chunk),
			chunk.to_vec(),
		)
		.unwrap();
	}
}
