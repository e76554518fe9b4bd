//! A test runtime with balances and compute nodes, a keystore holding worker keys, and an
//! offchain environment whose transaction pool tests can inspect.

use crate::{self as pallet_compute_nodes, *};
use polkadot_sdk::{
	frame_support::{
		derive_impl, parameter_types,
		traits::{fungible::Credit, ConstU32, ConstU64, OnUnbalanced},
	},
	frame_system, pallet_balances,
	sp_core::{
		offchain::{testing, OffchainDbExt, OffchainWorkerExt, TransactionPoolExt},
		sr25519,
	},
	sp_io::TestExternalities,
	sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt},
	sp_runtime::{BuildStorage, Perbill, RuntimeAppPublic},
};
use std::sync::Arc;
use swarm_primitives::WORKER_KEY_TYPE;

type Block = frame_system::mocking::MockBlock<Test>;
pub type Extrinsic = frame_system::mocking::MockUncheckedExtrinsic<Test>;

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
	pub type ComputeNodes = pallet_compute_nodes;
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

swarm_pallet_testing::impl_authorized_transactions!(Test, RuntimeCall, Extrinsic);

/// The account that receives slashed bonds in tests.
pub const POT: u64 = 99;

/// Sends slashed funds to [`POT`].
pub struct ToPot;
impl OnUnbalanced<Credit<u64, Balances>> for ToPot {
	fn on_nonzero_unbalanced(credit: Credit<u64, Balances>) {
		use polkadot_sdk::frame_support::traits::fungible::Balanced;
		let _ = Balances::resolve(&POT, credit);
	}
}

parameter_types! {
	pub static MaxNodes: u32 = 100;
	pub static HeartbeatValidity: u64 = 3;
	pub static MaxHeartbeatShare: Perbill = Perbill::from_percent(20);
}

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type OnSlash = ToPot;
	type MinBond = ConstU64<100>;
	type HeartbeatInterval = ConstU64<10>;
	type MinHeartbeatInterval = ConstU64<5>;
	type HeartbeatValidity = HeartbeatValidity;
	type HeartbeatTimeout = ConstU64<30>;
	type UnbondingPeriod = ConstU64<50>;
	type MaxNodesPerOwner = ConstU32<3>;
	type MaxNodes = MaxNodes;
	type MaxPeerIdLen = ConstU32<64>;
	type MaxAcceleratorLen = ConstU32<16>;
	type MaxFormats = ConstU32<3>;
	type MaxSweepPerBlock = ConstU32<2>;
	type MaxHeartbeatShare = MaxHeartbeatShare;
	type WeightInfo = ();
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
/// Holds just enough to exist: cannot bond.
pub const PAUPER: u64 = 3;

/// The seeds of worker keys the test keystore holds.
pub const KEY_SEEDS: [&str; 4] = ["//Worker0", "//Worker1", "//Worker2", "//Worker3"];

/// A test environment: funded accounts, a keystore with the worker keys of [`KEY_SEEDS`], and
/// offchain extensions; also returns the pool's state to inspect submitted transactions.
pub fn new_test_ext() -> (TestExternalities, Arc<parking_lot::RwLock<testing::PoolState>>) {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 10_000), (BOB, 10_000), (PAUPER, 1), (POT, 1)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = TestExternalities::new(storage);

	let keystore = MemoryKeystore::new();
	for seed in KEY_SEEDS {
		keystore.sr25519_generate_new(WORKER_KEY_TYPE, Some(seed)).unwrap();
	}
	ext.register_extension(KeystoreExt::new(keystore));
	let (offchain, _) = testing::TestOffchainExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	ext.register_extension(TransactionPoolExt::new(pool));

	ext.execute_with(|| System::set_block_number(1));
	(ext, pool_state)
}

/// Runs `test`, then checks the pallet's storage invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	let (mut ext, _) = new_test_ext();
	ext.execute_with(test);
	ext.execute_with(|| ComputeNodes::do_try_state().unwrap());
}

/// The worker key made from `KEY_SEEDS[i]`.
pub fn worker_key(i: usize) -> WorkerKey {
	let public = sr25519::Pair::from_string(KEY_SEEDS[i], None).unwrap().public();
	WorkerKey::from(public)
}

use polkadot_sdk::sp_core::Pair;

/// A proof that `key` belongs to a node of `owner`, signed through the keystore.
pub fn proof(owner: u64, key: &WorkerKey) -> WorkerSignature {
	key.sign(&ComputeNodes::key_proof_payload(&owner, key)).unwrap()
}

/// Capabilities of a typical CPU node.
pub fn cpu_node() -> CapabilitiesInput {
	CapabilitiesInput {
		cores: 8,
		memory_mib: 16_384,
		accelerator: None,
		formats: vec![ModelFormat::Safetensors, ModelFormat::Onnx],
	}
}

/// Registers a node of `owner` with `KEY_SEEDS[key]` and a bond of 500; returns its id.
pub fn register(owner: u64, key: usize) -> NodeId {
	let id = NextNodeId::<Test>::get();
	let worker = worker_key(key);
	ComputeNodes::register_node(
		RuntimeOrigin::signed(owner),
		worker.clone(),
		proof(owner, &worker),
		b"12D3KooWtestpeer".to_vec(),
		cpu_node(),
		500,
	)
	.unwrap();
	id
}

/// A heartbeat of `node` at the current block, signed with `KEY_SEEDS[key]`.
pub fn signed_heartbeat(node: NodeId, key: usize) -> (Heartbeat<u64>, WorkerSignature) {
	let heartbeat = Heartbeat { node, at: System::block_number() };
	let signature = worker_key(key).sign(&ComputeNodes::heartbeat_payload(&heartbeat)).unwrap();
	(heartbeat, signature)
}

/// Moves to block `n`, running `on_idle` with plenty of weight at each block.
pub fn run_to_block(n: u64) {
	use polkadot_sdk::frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		ComputeNodes::on_idle(next, polkadot_sdk::frame_support::weights::Weight::MAX);
	}
}
