//! A test runtime with balances and the training pallet; the model registry, weights store,
//! compute nodes and rewards are small stand-ins whose state the tests set and read.
//!
//! Model 1 (owner [`OWNER`]) has version 1: an MLP on 1 × 2 × 2 inputs with 3 classes, its
//! weights stored (2048 bytes), and a stored validation file of 10 labelled samples. Nodes 0 to
//! 5 are eligible, owned by accounts 100 to 105, with the worker keys of [`KEY_SEEDS`].

use crate::{self as pallet_training, *};
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
/// The transactions of the test runtime (the offchain worker's).
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
	pub type Training = pallet_training;
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

/// Owns model 1 and opens rounds.
pub const OWNER: u64 = 10;
/// Holds just enough to exist.
pub const PAUPER: u64 = 3;
/// The reward pot.
pub const POT: u64 = 999;
/// Each committee seat's fee.
pub const COMMITTEE_FEE: u64 = 20;
/// The base weights' size.
pub const BASE_SIZE: u64 = 2048;
/// What the test keystore holds: the worker keys of nodes 0 to 5, one for a stranger, and
/// those of nodes 6 to 8 (registered, not eligible until a test makes them so).
pub const KEY_SEEDS: [&str; 10] = [
	"//Worker0",
	"//Worker1",
	"//Worker2",
	"//Worker3",
	"//Worker4",
	"//Worker5",
	"//Stranger",
	"//Worker6",
	"//Worker7",
	"//Worker8",
];
/// The key of node `i` in [`KEY_SEEDS`].
pub const fn key_of(node: usize) -> usize {
	if node < 6 {
		node
	} else {
		node + 1
	}
}
/// Who challenges in the tests.
pub const CHALLENGER: u64 = 20;
/// The bond of a challenge.
pub const DISPUTE_BOND: u64 = 100;

/// A compute node as the stand-in registry keeps it.
#[derive(Clone, Debug)]
pub struct MockNode {
	pub owner: u64,
	pub key: usize,
	pub eligible: bool,
	pub reputation: i32,
	pub slashed: u64,
	/// The work it was credited with, in order, less what was revoked.
	pub credited: Vec<WorkId>,
}

/// A version published through the stand-in registry.
#[derive(Clone, Debug, PartialEq)]
pub struct Published {
	pub id: u64,
	pub version: NewVersion<u64>,
}

parameter_types! {
	pub const RewardPot: u64 = POT;
	/// Versions by id.
	pub static Versions: Vec<(u64, ServedVersion<u64>)> = vec![(1, served(weights_hash(1)))];
	/// Stored files and their sizes.
	pub static Stored: Vec<(H256, u64)> = vec![
		(weights_hash(1), BASE_SIZE),
		(validation_hash(), 10 * 5),
	];
	/// The committee fee per member, which root may change (a governed parameter in the runtime).
	pub static MemberFee: u64 = COMMITTEE_FEE;
	/// Compute nodes by id.
	pub static MockNodes: Vec<MockNode> = (0..9)
		.map(|i| MockNode {
			owner: 100 + i as u64,
			key: key_of(i),
			eligible: i < 6,
			reputation: 0,
			slashed: 0,
			credited: vec![],
		})
		.collect();
	/// Versions marked overturned: (version, round, corrected).
	pub static OverturnedVersions: Vec<(u64, u64, Option<u64>)> = vec![];
	/// Versions published by rounds.
	pub static PublishedVersions: Vec<Published> = vec![];
	/// When set, the registry refuses to publish.
	pub static RefusePublish: bool = false;
	/// When set, the pot refuses to pay.
	pub static RefusePay: bool = false;
	/// The emission share of a published round.
	pub static RoundEmission: u64 = 0;
}

/// A weights file's hash.
pub fn weights_hash(v: u8) -> H256 {
	H256::repeat_byte(v)
}

/// The stored validation file: 10 samples of 1 + 4 bytes.
pub fn validation_hash() -> H256 {
	H256::repeat_byte(0xee)
}

/// The engine's canonical bytes of an MLP on 1 × 2 × 2 inputs with 3 classes.
pub fn mlp_config() -> Vec<u8> {
	let mut bytes = vec![1u8, 1];
	for word in [1u32, 2, 2, 3, 0, 1, 8] {
		bytes.extend_from_slice(&word.to_le_bytes());
	}
	bytes
}

/// A version of model 1 with the weights `hash`, stored, and the MLP configuration.
pub fn served(hash: H256) -> ServedVersion<u64> {
	ServedVersion {
		model: 1,
		owner: OWNER,
		weights_hash: hash,
		weights_size: BASE_SIZE,
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
		(model == 1).then_some(OWNER)
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_version(owner: &u64, config: Vec<u8>, weights_hash: H256, size: u64) -> u64 {
		let id = Versions::get().len() as u64 + 1;
		Versions::mutate(|v| {
			v.push((
				id,
				ServedVersion {
					model: 1,
					owner: *owner,
					weights_hash,
					weights_size: size,
					config: Some(config),
					deprecated: false,
				},
			))
		});
		id
	}
}

/// Publishes as the registry would: a new version of the same model, with the base's
/// configuration and the published weights.
impl ModelPublisher<u64> for TestModels {
	fn publish(version: NewVersion<u64>) -> Result<u64, DispatchError> {
		if RefusePublish::get() {
			return Err(DispatchError::Other("refused"));
		}
		let id = Versions::get().iter().map(|(id, _)| *id).max().unwrap_or(0) + 1;
		let mut served = served(version.weights_hash);
		served.weights_size = version.weights_size;
		Versions::mutate(|v| v.push((id, served)));
		if let Some(old) = version.replaces {
			OverturnedVersions::mutate(|o| o.push((old, version.round, Some(id))));
		}
		PublishedVersions::mutate(|p| p.push(Published { id, version }));
		Ok(id)
	}
	fn mark_overturned(
		version: u64,
		round: u64,
		corrected: Option<u64>,
	) -> Result<(), DispatchError> {
		OverturnedVersions::mutate(|o| o.push((version, round, corrected)));
		Ok(())
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

/// Stores files of up to 4096 bytes (the weights store's check that they are the
/// transaction's tail has its own tests).
impl ContentWriter<u64> for TestContent {
	fn max_tail_file() -> u32 {
		4096
	}
	fn store_tail(_uploader: &u64, data: &[u8]) -> Result<H256, DispatchError> {
		let hash = H256(polkadot_sdk::sp_io::hashing::blake2_256(data));
		if Self::stored_size(&hash).is_none() {
			Stored::mutate(|stored| stored.push((hash, data.len() as u64)));
		}
		Ok(hash)
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
				key: nodes.len() % 6,
				eligible: true,
				reputation: 0,
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
	/// The eligible nodes in id order, from the highest down (so that committees of the tests
	/// are the nodes 5, 4, 3, ...).
	fn choose(_seed: &[u8; 32], count: u32, exclude: &[NodeId], _needs: &WorkNeeds) -> Vec<NodeId> {
		MockNodes::get()
			.iter()
			.enumerate()
			.rev()
			.filter(|(id, n)| n.eligible && !exclude.contains(&(*id as u64)))
			.map(|(id, _)| id as u64)
			.take(count as usize)
			.collect()
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
	fn jail(node: NodeId, _blocks: u32) {
		MockNodes::mutate(|nodes| nodes[node as usize].eligible = false);
	}
}

/// Slashes take `share` of a bond of 400: 40 for `SlashShare`, 200 for `FraudSlashShare`.
impl BondSlasher<u64> for TestNodes {
	fn slash(node: NodeId, share: Perbill) -> Result<u64, DispatchError> {
		let amount = share.mul_floor(400u64);
		MockNodes::mutate(|nodes| nodes[node as usize].slashed += amount);
		Ok(amount)
	}
}

/// Pays from the pot: each share's part of `amount` to the node's owner.
pub struct TestRewards;
impl WorkRewards<u64> for TestRewards {
	fn pay(_work: WorkId, shares: &[(NodeId, u32)], amount: u64) -> Result<u64, DispatchError> {
		if RefusePay::get() {
			return Err(DispatchError::Other("refused"));
		}
		let total: u64 = shares.iter().map(|(_, w)| *w as u64).sum();
		let mut paid = 0;
		for (node, weight) in shares {
			let part = amount * *weight as u64 / total;
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
	type CommitteeFee = MemberFee;
	type RoundEmission = RoundEmission;
	type MaxParticipants = ConstU32<5>;
	type MaxCommittee = ConstU32<4>;
	type MaxCampaign = ConstU32<3>;
	type MaxOpenRounds = ConstU32<4>;
	type MaxConfigLen = ConstU32<64>;
	type MaxExpiriesPerBlock = ConstU32<4>;
	type Quorum = TwoThirds;
	type SlashShare = Tenth;
	type ReputationGain = Tenth;
	type ReputationLoss = Tenth;
	type DisputeBond = ConstU64<DISPUTE_BOND>;
	type DisputeReplicas = ConstU32<3>;
	type FraudSlashShare = Half;
	type FraudJail = ConstU32<100>;
	type ChallengerReward = Half;
	type WeightInfo = ();
}

parameter_types! {
	pub TwoThirds: Perbill = commit_reveal::two_thirds();
	pub const Tenth: Perbill = Perbill::from_percent(10);
	pub const Half: Perbill = Perbill::from_percent(50);
}

/// Short windows of 2 blocks each, payouts at once, rounds kept 10 blocks.
pub fn short_timing() -> Timing<u64> {
	Timing {
		join_window: 2,
		train_window: 2,
		upload_window: 2,
		commit_window: 2,
		reveal_window: 2,
		publish_window: 2,
		challenge_window: 0,
		retention: 10,
	}
}

/// A test environment at block 1 with funded accounts and the keystore of [`KEY_SEEDS`] (for
/// the benchmarks, which sign with the nodes' keys from it).
pub fn new_test_ext() -> TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(OWNER, 100_000), (PAUPER, 5), (POT, 5), (CHALLENGER, 1_000)]
			.into_iter()
			.chain((100..109).map(|owner| (owner, 5)))
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_training::GenesisConfig::<Test> { timing: Some(short_timing()), dispute_terms: None }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = TestExternalities::new(storage);
	let keystore = MemoryKeystore::new();
	for seed in KEY_SEEDS {
		keystore.sr25519_generate_new(WORKER_KEY_TYPE, Some(seed)).unwrap();
	}
	ext.register_extension(KeystoreExt::new(keystore));
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test`, then checks the pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	let mut ext = new_test_ext();
	ext.execute_with(test);
	ext.execute_with(|| Training::do_try_state().unwrap());
}

/// The worker key made from `KEY_SEEDS[i]`.
pub fn worker_key(i: usize) -> WorkerKey {
	WorkerKey::from(key_pair(i).public())
}

/// The key pair of `KEY_SEEDS[i]`.
pub fn key_pair(i: usize) -> sr25519::Pair {
	sr25519::Pair::from_string(KEY_SEEDS[i], None).unwrap()
}

/// Moves to block `n`, running the pallet's hook at each block.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Training::on_initialize(next);
	}
}
