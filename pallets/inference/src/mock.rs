//! A test runtime with balances and the inference pallet; the model registry, weights store,
//! compute nodes and rewards are small stand-ins whose state the tests set and read.
//!
//! Model 1 (owner [`OWNER`]) has version 1: an MLP on 1 × 2 × 2 inputs with 3 classes, its
//! weights stored. Nodes 0 to 4 are eligible, nodes 5 to 7 registered but not eligible; node `i`
//! is owned by account `100 + i`; their worker keys ([`KEY_SEEDS`]) are in the test keystore.

use crate::{self as pallet_inference, *};
use polkadot_sdk::{
	frame_support::{
		derive_impl, parameter_types,
		traits::{fungible::Mutate as _, tokens::Preservation, ConstU32, ConstU64, Hooks},
	},
	frame_system, pallet_balances,
	sp_core::{sr25519, Pair},
	sp_io::TestExternalities,
	sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt},
	sp_runtime::{BuildStorage, DispatchError, Perbill, Weight},
};
use swarm_primitives::{commit_reveal, ServedVersion, WorkId, WorkNeeds, WORKER_KEY_TYPE};

type Block = frame_system::mocking::MockBlock<Test>;
/// The transactions of the test runtime (the offchain worker's commits and reveals).
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
	pub type Inference = pallet_inference;
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
	type ExistentialDeposit = ConstU64<5>;
}

swarm_pallet_testing::impl_authorized_transactions!(Test, RuntimeCall, Extrinsic);

pub const ALICE: u64 = 1;
/// Holds just enough to exist.
pub const PAUPER: u64 = 3;
/// Owns model 1.
pub const OWNER: u64 = 10;
/// The reward pot.
pub const POT: u64 = 999;
/// The owner's price for model 1.
pub const PRICE: u64 = 100;
/// Each replica's fee.
pub const NODE_FEE: u64 = 30;
/// A challenge's bond (a committee of three costs 90).
pub const DISPUTE_BOND: u64 = 200;
/// What the test keystore holds: the worker keys of nodes 0 to 4, one for a stranger, and those
/// of nodes 5 to 7.
pub const KEY_SEEDS: [&str; 9] = [
	"//Worker0",
	"//Worker1",
	"//Worker2",
	"//Worker3",
	"//Worker4",
	"//Stranger",
	"//Worker5",
	"//Worker6",
	"//Worker7",
];

/// A compute node as the stand-in registry keeps it.
#[derive(Clone, Debug)]
pub struct MockNode {
	pub owner: u64,
	pub key: usize,
	pub eligible: bool,
	pub memory_mib: u32,
	pub reputation: i32,
	pub jailed_for: u32,
	pub slashed: u64,
	/// The work it was credited with, in order, less what was revoked.
	pub credited: Vec<WorkId>,
}

parameter_types! {
	pub const RewardPot: u64 = POT;
	/// Versions by id.
	pub static Versions: Vec<(u64, ServedVersion<u64>)> = vec![(1, served(1))];
	/// Models' owners.
	pub static ModelOwners: Vec<(u64, u64)> = vec![(1, OWNER), (2, ALICE)];
	/// Stored files and their sizes.
	pub static Stored: Vec<(H256, u64)> = vec![(weights_hash(1), 2048)];
	/// Compute nodes by id: 0 to 4 eligible, 5 to 7 registered but not eligible until a test
	/// makes them so (fresh nodes for dispute committees).
	pub static MockNodes: Vec<MockNode> = (0..8)
		.map(|i| MockNode {
			owner: 100 + i as u64,
			key: if i < 5 { i } else { i + 1 },
			eligible: i < 5,
			memory_mib: 1024,
			reputation: 0,
			jailed_for: 0,
			slashed: 0,
			credited: vec![],
		})
		.collect();
	/// What `choose` was last asked to leave out.
	pub static LastExcluded: Vec<NodeId> = vec![];
}

/// The weights file of version `v`.
pub fn weights_hash(v: u8) -> H256 {
	H256::repeat_byte(v)
}

/// The engine's canonical bytes of an MLP on 1 × 2 × 2 inputs with 3 classes.
pub fn mlp_config() -> Vec<u8> {
	let mut bytes = vec![1u8, 1];
	for word in [1u32, 2, 2, 3, 0, 1, 8] {
		bytes.extend_from_slice(&word.to_le_bytes());
	}
	bytes
}

/// Version `v` of model 1 with stored weights and the MLP configuration.
pub fn served(v: u8) -> ServedVersion<u64> {
	ServedVersion {
		model: 1,
		owner: OWNER,
		weights_hash: weights_hash(v),
		weights_size: 2048,
		config: Some(mlp_config()),
		deprecated: false,
	}
}

pub struct TestModels;
impl ModelCatalog<u64> for TestModels {
	fn served_version(version: u64) -> Option<ServedVersion<u64>> {
		Versions::get().into_iter().find(|(id, _)| *id == version).map(|(_, v)| v)
	}
	fn model_owner(model: u64) -> Option<u64> {
		ModelOwners::get().into_iter().find(|(id, _)| *id == model).map(|(_, owner)| owner)
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_version(owner: &u64, config: Vec<u8>, weights_hash: H256, size: u64) -> u64 {
		let id = Versions::get().len() as u64 + 1;
		let model = 100 + id;
		Versions::mutate(|v| {
			v.push((
				id,
				ServedVersion {
					model,
					owner: *owner,
					weights_hash,
					weights_size: size,
					config: Some(config),
					deprecated: false,
				},
			))
		});
		ModelOwners::mutate(|o| o.push((model, *owner)));
		id
	}
}

pub struct TestContent;
impl ContentInspector for TestContent {
	fn stored_size(hash: &H256) -> Option<u64> {
		Stored::get().into_iter().find(|(h, _)| h == hash).map(|(_, size)| size)
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_store(hash: H256, size: u64) {
		Stored::mutate(|stored| stored.push((hash, size)));
	}
}

pub struct TestNodes;
impl NodeRegistry<u64> for TestNodes {
	fn owner_of(node: NodeId) -> Option<u64> {
		MockNodes::get().get(node as usize).map(|n| n.owner)
	}
	fn is_eligible(node: NodeId) -> bool {
		MockNodes::get().get(node as usize).is_some_and(|n| n.eligible)
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_node(owner: &u64) -> NodeId {
		MockNodes::mutate(|nodes| {
			nodes.push(MockNode {
				owner: *owner,
				key: nodes.len() % 5,
				eligible: true,
				memory_mib: 1024,
				reputation: 0,
				jailed_for: 0,
				slashed: 0,
				credited: vec![],
			});
			nodes.len() as u64 - 1
		})
	}
}

impl WorkerDirectory for TestNodes {
	fn worker_key(node: NodeId) -> Option<WorkerKey> {
		MockNodes::get().get(node as usize).map(|n| worker_key(n.key))
	}
	fn node_of(key: &WorkerKey) -> Option<NodeId> {
		MockNodes::get().iter().position(|n| worker_key(n.key) == *key).map(|i| i as NodeId)
	}
	/// The qualifying nodes in id order, starting from `seed[0]` modulo their number.
	fn choose(seed: &[u8; 32], count: u32, exclude: &[NodeId], needs: &WorkNeeds) -> Vec<NodeId> {
		LastExcluded::set(exclude.to_vec());
		let fit: Vec<NodeId> = MockNodes::get()
			.iter()
			.enumerate()
			.filter(|(id, n)| {
				n.eligible && n.memory_mib >= needs.memory_mib && !exclude.contains(&(*id as u64))
			})
			.map(|(id, _)| id as u64)
			.collect();
		if fit.is_empty() {
			return vec![];
		}
		let start = seed[0] as usize % fit.len();
		fit.iter().cycle().skip(start).take(fit.len().min(count as usize)).copied().collect()
	}
}

impl Reputation for TestNodes {
	fn credit(node: NodeId, work: WorkId, _by: Perbill) {
		MockNodes::mutate(|nodes| {
			nodes[node as usize].reputation += 1;
			nodes[node as usize].credited.push(work);
		});
	}
	fn revoke(node: NodeId, work: WorkId) {
		MockNodes::mutate(|nodes| nodes[node as usize].credited.retain(|w| *w != work));
	}
	fn lower(node: NodeId, _by: Perbill) {
		MockNodes::mutate(|nodes| nodes[node as usize].reputation -= 1);
	}
	fn jail(node: NodeId, blocks: u32) {
		MockNodes::mutate(|nodes| {
			nodes[node as usize].jailed_for = blocks;
			nodes[node as usize].eligible = false;
		});
	}
}

/// Slashes take 40 from the bond, into the pot.
impl BondSlasher<u64> for TestNodes {
	fn slash(node: NodeId, _share: Perbill) -> Result<u64, DispatchError> {
		MockNodes::mutate(|nodes| nodes[node as usize].slashed += 40);
		Ok(40)
	}
}

/// Pays from the pot: each share's part of `amount` to the node's owner.
pub struct TestRewards;
impl WorkRewards<u64> for TestRewards {
	fn pay(_work: WorkId, shares: &[(NodeId, u32)], amount: u64) -> Result<u64, DispatchError> {
		let total: u32 = shares.iter().map(|(_, w)| w).sum();
		let mut paid = 0;
		for (node, weight) in shares {
			let part = amount * *weight as u64 / total as u64;
			let owner = TestNodes::owner_of(*node).ok_or(DispatchError::Other("no owner"))?;
			Balances::transfer(&POT, &owner, part, Preservation::Preserve)?;
			paid += part;
		}
		Ok(paid)
	}
	fn pay_weight(_shares: u32) -> Weight {
		Weight::zero()
	}
}

impl Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = TestModels;
	type Content = TestContent;
	type Nodes = TestNodes;
	type Rewards = TestRewards;
	type RewardPot = RewardPot;
	type NodeFee = ConstU64<NODE_FEE>;
	type DefaultReplicas = ConstU32<3>;
	type MaxReplicas = ConstU32<5>;
	type MaxOutcomes = ConstU32<10>;
	type Quorum = TwoThirds;
	type MaxSamples = ConstU32<4>;
	type MaxInputBytes = ConstU32<16>;
	type MaxLogits = ConstU32<12>;
	type MaxOpenJobs = ConstU32<8>;
	type MaxExpiriesPerBlock = ConstU32<4>;
	type SlashShare = SlashShare;
	type AgreedReputation = Tenth;
	type OutvotedReputation = Tenth;
	type MissedReputation = Tenth;
	type MaxMisses = ConstU32<3>;
	type MissJail = ConstU32<50>;
	type DisputeBond = ConstU64<DISPUTE_BOND>;
	type DisputeReplicas = ConstU32<3>;
	type FraudSlashShare = Half;
	type FraudJail = ConstU32<500>;
	type ChallengerReward = Half;
	type WeightInfo = ();
}

parameter_types! {
	pub TwoThirds: Perbill = commit_reveal::two_thirds();
	pub const SlashShare: Perbill = Perbill::from_percent(10);
	pub const Tenth: Perbill = Perbill::from_percent(10);
	pub const Half: Perbill = Perbill::from_percent(50);
}

/// Short windows: commit 3 blocks, reveal 3, a replacement's window ending by block 8 after the
/// request, payout at once, kept 10.
pub fn short_timing() -> Timing<u64> {
	Timing {
		commit_window: 3,
		reveal_window: 3,
		job_timeout: 8,
		challenge_window: 0,
		retention: 10,
	}
}

/// A test environment at block 1: funded accounts and the keystore of [`KEY_SEEDS`].
pub fn new_test_ext() -> TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 10_000), (PAUPER, 5), (OWNER, 10), (POT, 5)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_inference::GenesisConfig::<Test> { timing: Some(short_timing()), dispute_terms: None }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = TestExternalities::new(storage);
	let keystore = MemoryKeystore::new();
	for seed in KEY_SEEDS {
		keystore.sr25519_generate_new(WORKER_KEY_TYPE, Some(seed)).unwrap();
	}
	ext.register_extension(KeystoreExt::new(keystore));
	ext.execute_with(|| {
		System::set_block_number(1);
		Prices::<Test>::insert(PriceTarget::Model(1), PRICE);
	});
	ext
}

/// Runs `test`, then checks the pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	let mut ext = new_test_ext();
	ext.execute_with(test);
	ext.execute_with(|| Inference::do_try_state().unwrap());
}

/// The worker key made from `KEY_SEEDS[i]`.
pub fn worker_key(i: usize) -> WorkerKey {
	WorkerKey::from(sr25519::Pair::from_string(KEY_SEEDS[i], None).unwrap().public())
}

/// Moves to block `n`, running the pallet's hook at each block.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Inference::on_initialize(next);
	}
}
