//! A test runtime with balances and the model registry, and helpers to build state.

use crate::{self as pallet_model_registry, *};
use polkadot_sdk::{
	frame_support::{derive_impl, parameter_types, traits::ConstU32, weights::RuntimeDbWeight},
	frame_system, pallet_balances,
	sp_io::TestExternalities,
	sp_runtime::{BuildStorage, FixedI64},
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
	pub type ModelRegistry = pallet_model_registry;
}

parameter_types! {
	/// Reads and writes priced apart (1 and 1,000), so that a test of a migration's weight
	/// checks both counts.
	pub const MockDbWeight: RuntimeDbWeight = RuntimeDbWeight { read: 1, write: 1_000 };
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
	type DbWeight = MockDbWeight;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	pub static MaxLineageResults: u32 = 10_000;
	/// Sizes of files in the (simulated) weights store, set by tests.
	pub static StoredFiles: Vec<(H256, u64)> = Vec::new();
}

/// A weights store whose contents tests set through [`StoredFiles`].
pub struct MockContent;
impl swarm_primitives::ContentInspector for MockContent {
	fn stored_size(hash: &H256) -> Option<u64> {
		StoredFiles::get().into_iter().find(|(h, _)| h == hash).map(|(_, size)| size)
	}
}

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Content = MockContent;
	type DepositBase = ConstU64<10>;
	type DepositPerByte = ConstU64<1>;
	type MaxNameLen = ConstU32<32>;
	type MaxLicenceLen = ConstU32<16>;
	type MaxDescriptionLen = ConstU32<64>;
	type MaxConfigLen = ConstU32<64>;
	type MaxMetrics = ConstU32<4>;
	type MaxMetricNameLen = ConstU32<16>;
	type MaxParents = ConstU32<4>;
	type MaxAliasLen = ConstU32<16>;
	type MaxAliasesPerModel = ConstU32<3>;
	type MaxVersionsPerModel = ConstU32<5_000>;
	type MaxLineageResults = MaxLineageResults;
	type MaxContributors = ConstU32<3>;
	type WeightInfo = ();
}

use polkadot_sdk::frame_support::traits::ConstU64;

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
/// An account with too little to pay any deposit.
pub const PAUPER: u64 = 4;

/// Builds test state: ALICE, BOB and CHARLIE are funded, PAUPER holds the existential deposit.
#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build(self) -> TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![(ALICE, 1_000_000), (BOB, 1_000_000), (CHARLIE, 1_000_000), (PAUPER, 1)],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = TestExternalities::new(storage);
		// Go past genesis, so that events are deposited.
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then checks the pallet's storage invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		let mut ext = self.build();
		ext.execute_with(test);
		ext.execute_with(|| ModelRegistry::do_try_state().unwrap());
	}
}

/// A distinct weights hash per `n`.
pub fn weights(n: u8) -> H256 {
	H256::repeat_byte(n)
}

/// Creates an open model named `name` owned by `owner`; returns its id.
pub fn create_model(owner: u64, name: &str) -> ModelId {
	let id = NextModelId::<Test>::get();
	ModelRegistry::create_model(
		RuntimeOrigin::signed(owner),
		name.as_bytes().to_vec(),
		b"apache-2.0".to_vec(),
		b"a test model".to_vec(),
		DerivationPolicy::Open,
	)
	.unwrap();
	id
}

/// Publishes a version of `model` by its owner `owner` with weights `weights(w)` and `parents`;
/// returns its id.
pub fn publish(
	owner: u64,
	model: ModelId,
	w: u8,
	parents: Vec<(VersionId, Derivation)>,
) -> VersionId {
	let id = NextVersionId::<Test>::get();
	ModelRegistry::publish_version(
		RuntimeOrigin::signed(owner),
		model,
		weights(w),
		1_000,
		ConfigInput::Inline(b"{\"layers\":[784,10]}".to_vec()),
		vec![(b"accuracy".to_vec(), FixedI64::from_inner(881_200_000))],
		parents,
	)
	.unwrap();
	id
}
