//! A test runtime with balances and the validator set; session keys are a list the tests edit.

use crate::{self as pallet_validator_set, *};
use polkadot_sdk::{
	frame_support::{
		derive_impl, parameter_types,
		traits::{ConstU32, ConstU64, ValidatorRegistration},
	},
	frame_system, pallet_balances,
	sp_io::TestExternalities,
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
	pub type ValidatorSet = pallet_validator_set;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type ExistentialDeposit = ConstU64<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// The smallest bond in tests.
pub const MIN_BOND: u64 = 100;
/// What every test account holds.
pub const ENDOWMENT: u64 = 10_000;
/// Blocks of the unbonding period in tests.
pub const UNBONDING: u64 = 10;

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
pub const DAVE: u64 = 4;
pub const EVE: u64 = 5;
/// An account with no session keys.
pub const NOKEYS: u64 = 9;
/// An account with keys and almost no balance.
pub const POOR: u64 = 10;

parameter_types! {
	/// Accounts with session keys.
	pub static Registered: Vec<u64> = vec![ALICE, BOB, CHARLIE, DAVE, EVE, POOR];
	pub const DefaultTerms: TermsOf<Test> = ValidatorTerms {
		min_bond: MIN_BOND,
		max_validators: 3,
		session_length: 5,
		unbonding_period: UNBONDING,
	};
}

/// Session keys as [`Registered`] lists them.
pub struct TestRegistration;
impl ValidatorRegistration<u64> for TestRegistration {
	fn is_registered(who: &u64) -> bool {
		Registered::get().contains(who)
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper<u64> for TestRegistration {
	fn set_keys(who: &u64) {
		Registered::mutate(|list| list.push(*who));
	}
}

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registration = TestRegistration;
	/// Six candidates at most, so that tests can fill the list.
	type MaxCandidates = ConstU32<6>;
	type MaxValidators = ConstU32<4>;
	type DefaultTerms = DefaultTerms;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestRegistration;
}

/// Test state: accounts 1 to 10 funded (POOR with 50), no candidates (for the benchmarks).
#[cfg_attr(not(feature = "runtime-benchmarks"), allow(dead_code))]
pub fn new_test_ext() -> TestExternalities {
	new_test_ext_with(vec![])
}

/// Test state with the given genesis candidates.
pub fn new_test_ext_with(candidates: Vec<(u64, u64)>) -> TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=9).map(|who| (who, ENDOWMENT)).chain([(POOR, 50)]).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_validator_set::GenesisConfig::<Test> { candidates, terms: None }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` in fresh test state, then checks the pallet's invariants.
pub fn build_and_execute(candidates: Vec<(u64, u64)>, test: impl FnOnce()) {
	new_test_ext_with(candidates).execute_with(|| {
		test();
		ValidatorSet::do_try_state().unwrap();
	});
}
