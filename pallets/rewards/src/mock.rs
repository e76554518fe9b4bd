//! A test runtime with balances and rewards, a settable block author and a fixed set of nodes.

use crate::{self as pallet_rewards, *};
use polkadot_sdk::{
	frame_support::{
		derive_impl, parameter_types,
		traits::{ConstU32, FindAuthor, Hooks},
		ConsensusEngineId, PalletId,
	},
	frame_system, pallet_balances,
	sp_io::TestExternalities,
	sp_runtime::{BuildStorage, Perbill},
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
	pub type Rewards = pallet_rewards;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type ExistentialDeposit = polkadot_sdk::frame_support::traits::ConstU64<10>;
	// Dust goes to the pot, like in the runtime.
	type DustRemoval = Rewards;
}

parameter_types! {
	pub const PotId: PalletId = PalletId(*b"swm/rwrd");
	/// The author of the current block in tests.
	pub static Author: Option<u64> = None;
	/// Registered nodes in tests: (node, owner).
	pub static NodeOwners: Vec<(NodeId, u64)> = vec![(0, ALICE), (1, BOB), (2, ALICE), (3, NOBODY)];
}

/// Finds the author set in [`Author`].
pub struct TestAuthor;
impl FindAuthor<u64> for TestAuthor {
	fn find_author<'a, I>(_digests: I) -> Option<u64>
	where
		I: 'a + IntoIterator<Item = (ConsensusEngineId, &'a [u8])>,
	{
		Author::get()
	}
}

/// The nodes of [`NodeOwners`].
pub struct TestNodes;
impl NodeRegistry<u64> for TestNodes {
	fn owner_of(node: NodeId) -> Option<u64> {
		NodeOwners::get().into_iter().find(|(n, _)| *n == node).map(|(_, owner)| owner)
	}
	fn is_eligible(node: NodeId) -> bool {
		Self::owner_of(node).is_some()
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_node(owner: &u64) -> NodeId {
		let mut owners = NodeOwners::get();
		let id = owners.iter().map(|(n, _)| n + 1).max().unwrap_or(0);
		owners.push((id, *owner));
		NodeOwners::set(owners);
		id
	}
}

impl Config for Test {
	type Currency = Balances;
	type PotId = PotId;
	type FindAuthor = TestAuthor;
	type Nodes = TestNodes;
	type MaxShares = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestAuthor;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for TestAuthor {
	fn set_author(author: &u64) {
		Author::set(Some(*author));
	}
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
/// Owns node 3 and has no account: a share below the existential deposit cannot reach it.
pub const NOBODY: u64 = 4;

/// Genesis: Alice, Bob and Charlie hold 1,000 each; the emission is 100 per block, 20 % to the
/// author.
pub fn new_test_ext() -> TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 1_000), (BOB, 1_000), (CHARLIE, 1_000)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_rewards::GenesisConfig::<Test> {
		emission_per_block: 100,
		author_share: Perbill::from_percent(20),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test`, then checks the issuance invariant.
pub fn build_and_execute(test: impl FnOnce()) {
	let mut ext = new_test_ext();
	ext.execute_with(test);
	ext.execute_with(|| Rewards::do_try_state().unwrap());
}

/// Runs the blocks up to `n`, minting each block's emission.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Rewards::on_initialize(next);
	}
}

/// The pot's free balance.
pub fn pot_balance() -> u64 {
	use polkadot_sdk::frame_support::traits::fungible::Inspect;
	Balances::balance(&Rewards::pot())
}
