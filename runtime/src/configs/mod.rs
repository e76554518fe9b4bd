//! Configuration of every pallet in the runtime: one `impl pallet_x::Config for Runtime` each,
//! with the constants it uses declared next to it; the knobs root changes with a call are in
//! [`parameters`].

pub mod parameters;
pub use parameters::{dynamic_params, RuntimeParameters};

use crate::{
	currency::{EXISTENTIAL_DEPOSIT, MICRO_UNIT, MILLI_UNIT, UNIT},
	time::{DAYS, HOURS, MINUTES, SLOT_DURATION},
	AccountId, Aura, Balance, Balances, Block, BlockNumber, ComputeNodes, Hash, ModelRegistry,
	Nonce, OriginCaller, PalletInfo, Rewards, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, RuntimeTask, Session, System,
	TxExtension, UncheckedExtrinsic, ValidatorSet, WeightsStore, VERSION,
};
use polkadot_sdk::{
	frame_support::{
		derive_impl,
		dispatch::DispatchClass,
		parameter_types,
		traits::{
			ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, Contains, VariantCountOf,
		},
		weights::{
			constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
			ConstantMultiplier, IdentityFee, Weight,
		},
		PalletId,
	},
	frame_system::limits::{BlockLength, BlockWeights},
	pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment},
	sp_consensus_aura::sr25519::AuthorityId as AuraId,
	sp_runtime::{
		generic::Era,
		traits::{Bounded, ConvertInto, One, OpaqueKeys},
		FixedPointNumber, Perbill, Perquintill,
	},
	sp_version::RuntimeVersion,
	*,
};

/// The largest block, in bytes (10 MiB).
pub const MAX_BLOCK_LENGTH: u32 = 10 * 1024 * 1024;

/// The share of a block's weight and length that normal (non-operational) extrinsics may use.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// The most weight a block may take: a third of a second of compute, so that a 3-second slot
/// leaves room for import, gossip and finality.
const MAXIMUM_BLOCK_WEIGHT: Weight =
	Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND.saturating_div(3), u64::MAX);

parameter_types! {
	pub const Version: RuntimeVersion = VERSION;
	/// Blocks whose hashes the runtime remembers; bounds the age of a mortal transaction.
	pub const BlockHashCount: BlockNumber = 2400;

	pub RuntimeBlockWeights: BlockWeights =
		BlockWeights::with_sensible_defaults(MAXIMUM_BLOCK_WEIGHT, NORMAL_DISPATCH_RATIO);
	/// 10 MiB blocks, of which normal extrinsics may fill 75 %: seven 1 MiB chunks of a weights
	/// file per block. The node's block proposer uses the same limit.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO.mul_floor(*max)
		})
		.build();
	/// Generic Substrate address format (`5...`), as used by the dev accounts.
	pub const SS58Prefix: u16 = 42;
}

/// The calls that no transaction may make: `balances.burn`, which would take tokens out of the
/// total issuance behind the rewards pallet's accounting (`total issuance = genesis issuance +
/// minted − burnt`, which its `try_state` checks). Root's `sudo_as` bypasses call filters, as
/// root may. Found by the runtime's fuzzer (`runtime/tests/fuzz.rs`).
pub struct NoUnaccountedBurns;

impl Contains<RuntimeCall> for NoUnaccountedBurns {
	fn contains(call: &RuntimeCall) -> bool {
		!matches!(call, RuntimeCall::Balances(pallet_balances::Call::burn { .. }))
	}
}

/// The system pallet: accounts, nonces, events, block bookkeeping.
#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type BaseCallFilter = NoUnaccountedBurns;
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// ParityDb is the node's only database; its measured costs apply.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	/// The storage migrations of the next runtime upgrade (`Migrations`, in lib.rs).
	type SingleBlockMigrations = crate::Migrations;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// No equivocation reporting yet: it needs historical session proofs and an offences pallet
	// that slashes validator bonds (the validator set is `pallet-validator-set`'s).
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	/// Dust of reaped accounts goes into the reward pot (nothing is burnt).
	type DustRemoval = Rewards;
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// The fee multiplier aims at blocks a quarter full (of normal weight) ...
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	/// ... and moves by up to about 0.0075 % of itself per block for each percent it is off
	/// (Polkadot's setting: full blocks double the fees in about an hour of 6-second blocks) ...
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	/// ... never below 1, so a quiet chain charges the documented fees ...
	pub MinimumMultiplier: Multiplier = Multiplier::one();
	/// ... and without an upper bound.
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees and tips go into the reward pot, to pay for verified work.
	type OnChargeTransaction = FungibleAdapter<Balances, Rewards>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, dynamic_params::fees::TransactionByteFee>;
	/// Fees rise while blocks are fuller than `TargetBlockFullness` (the slow-adjusting
	/// multiplier of polkadot-sdk), so a spammer pays more the longer it fills blocks.
	type FeeMultiplierUpdate = TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

/// Batches (`utility.batch`, `batchAll`, `forceBatch`) and derivative accounts, as polkadot.js
/// users expect them. The weights store refuses a chunk that a batch puts anything after.
impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// 0.01 SWARM for any record, plus 0.00001 SWARM per byte of it.
	pub const RegistryDepositBase: Balance = 10 * MILLI_UNIT;
	pub const RegistryDepositPerByte: Balance = 10 * MICRO_UNIT;
}

/// The model registry: versions by content hash and their lineage.
impl pallet_model_registry::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Content = WeightsStore;
	type DepositBase = RegistryDepositBase;
	type DepositPerByte = RegistryDepositPerByte;
	type MaxNameLen = ConstU32<64>;
	type MaxLicenceLen = ConstU32<64>;
	type MaxDescriptionLen = ConstU32<1024>;
	type MaxConfigLen = ConstU32<2048>;
	type MaxMetrics = ConstU32<16>;
	type MaxMetricNameLen = ConstU32<32>;
	type MaxParents = ConstU32<8>;
	type MaxAliasLen = ConstU32<32>;
	type MaxAliasesPerModel = ConstU32<16>;
	type MaxVersionsPerModel = ConstU32<100_000>;
	type MaxLineageResults = ConstU32<10_000>;
	type MaxContributors = ConstU32<64>;
	type WeightInfo = pallet_model_registry::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// 1 MiB chunks: a chunk in a JSON-RPC request is 2 MiB of hex, well under the 15 MB limit.
	pub const WeightsChunkSize: u32 = 1024 * 1024;
	pub const WeightsDepositBase: Balance = 10 * MILLI_UNIT;
	pub const WeightsDepositPerChunk: Balance = MILLI_UNIT;
}

/// The weights store: model weights files on chain, by content hash.
impl pallet_weights_store::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ChunkSize = WeightsChunkSize;
	/// 256 chunks of 1 MiB: files up to 256 MiB.
	type MaxChunks = ConstU32<256>;
	type DepositBase = WeightsDepositBase;
	type DepositPerChunk = WeightsDepositPerChunk;
	/// An upload with no chunk for 30 minutes has expired: anyone may reap it (the deposit goes
	/// back to the uploader) and store the file. The largest file takes under 40 blocks.
	type UploadTimeout = ConstU32<{ 30 * MINUTES }>;
	type WeightInfo = pallet_weights_store::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Heartbeats (free) may take at most a fifth of a block's normal weight, even if every
	/// node heartbeats as fast as the rate limit allows; fee-paying transactions go first.
	pub const MaxHeartbeatShare: Perbill = Perbill::from_percent(20);
}

/// Compute nodes: bonded identities with worker keys, heartbeats and reputation.
impl pallet_compute_nodes::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Slashed bonds go into the reward pot.
	type OnSlash = Rewards;
	type MinBond = dynamic_params::compute_nodes::MinBond;
	/// A heartbeat every 45 seconds ...
	type HeartbeatInterval = ConstU32<15>;
	/// ... at most one per 45 seconds ...
	type MinHeartbeatInterval = ConstU32<15>;
	/// ... valid for 15 seconds after signing ...
	type HeartbeatValidity = ConstU32<5>;
	/// ... and five minutes without one make a node inactive (a parameter).
	type HeartbeatTimeout = dynamic_params::compute_nodes::HeartbeatTimeout;
	type UnbondingPeriod = dynamic_params::compute_nodes::UnbondingPeriod;
	type MaxNodesPerOwner = ConstU32<32>;
	/// 2,000 nodes heartbeating every 15 blocks send 134 heartbeats a block, 46.8 ms of weight
	/// (349 µs each: the benchmarked dispatch and authorization, 241 µs with their reads and
	/// writes, and the 108 µs base weight of every transaction): 18.7 % of a block's normal
	/// weight, within `MaxHeartbeatShare` (checked by `integrity_test`). More nodes need a longer
	/// heartbeat interval.
	type MaxNodes = ConstU32<2_000>;
	type MaxPeerIdLen = ConstU32<64>;
	type MaxAcceleratorLen = ConstU32<64>;
	type MaxFormats = ConstU32<4>;
	type MaxSweepPerBlock = ConstU32<100>;
	type MaxHeartbeatShare = MaxHeartbeatShare;
	type WeightInfo = pallet_compute_nodes::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const RewardPotId: PalletId = PalletId(*b"swm/rwrd");
}

/// The account of the current block's author: the session validator at the Aura author's index
/// (a validator's Aura key is a session key, not its account).
pub type AuraAuthorAccount = pallet_session::FindAccountFromAuthorIndex<Runtime, Aura>;

/// Rewards: per-block emission into the pot and to authors; payment of verified work.
impl pallet_rewards::Config for Runtime {
	type Currency = Balances;
	type PotId = RewardPotId;
	type FindAuthor = AuraAuthorAccount;
	type Nodes = ComputeNodes;
	type MaxShares = ConstU32<256>;
	type WeightInfo = pallet_rewards::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkAuthor;
}

parameter_types! {
	/// The reward pot's account, where the nodes' fees of inference jobs go before payout.
	pub RewardPotAccount: AccountId = Rewards::pot();
}

/// Inference jobs: k nodes run a model on a request's samples and a quorum settles the result.
/// Up to 64 Fashion-MNIST-sized samples (784 bytes each) inline, 16 classes each; up to 16
/// replicas. The windows are in `JobTiming` (genesis, or root's `set_timing`); a challenge's bond
/// and committee size in `ChallengeTerms` (genesis, or root's `set_dispute_terms`), 1 SWARM and
/// five nodes by default.
impl pallet_inference::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = ModelRegistry;
	type Content = WeightsStore;
	type Nodes = ComputeNodes;
	type Rewards = Rewards;
	type RewardPot = RewardPotAccount;
	type NodeFee = dynamic_params::inference::NodeFee;
	type DefaultReplicas = dynamic_params::inference::DefaultReplicas;
	type MaxReplicas = ConstU32<16>;
	type MaxOutcomes = ConstU32<32>;
	type Quorum = parameters::Quorum;
	type MaxSamples = ConstU32<64>;
	type MaxInputBytes = ConstU32<{ 64 * 784 }>;
	type MaxLogits = ConstU32<{ 64 * 16 }>;
	type MaxOpenJobs = ConstU32<1024>;
	type MaxExpiriesPerBlock = ConstU32<16>;
	type SlashShare = dynamic_params::work::SlashShare;
	type AgreedReputation = dynamic_params::work::AgreedReputation;
	type OutvotedReputation = dynamic_params::work::OutvotedReputation;
	type MissedReputation = dynamic_params::work::MissedReputation;
	type MaxMisses = ConstU32<3>;
	type MissJail = dynamic_params::inference::MissJail;
	type DisputeBond = ConstU128<{ UNIT }>;
	type DisputeReplicas = ConstU32<5>;
	type FraudSlashShare = dynamic_params::work::FraudSlashShare;
	type FraudJail = dynamic_params::work::FraudJail;
	type ChallengerReward = dynamic_params::work::ChallengerReward;
	type WeightInfo = pallet_inference::weights::SubstrateWeight<Runtime>;
}

/// Federated training rounds: up to 32 participants, committees of up to 16, campaigns of up to
/// 100 rounds. The windows are in `RoundTiming` (genesis, or root's `set_timing`); a challenge's
/// bond and committee size in `ChallengeTerms` (genesis, or root's `set_dispute_terms`), as for
/// inference jobs: 1 SWARM and five nodes by default, the same fraud penalties.
impl pallet_training::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = ModelRegistry;
	type Content = WeightsStore;
	type Nodes = ComputeNodes;
	type Rewards = Rewards;
	type RewardPot = RewardPotAccount;
	type CommitteeFee = dynamic_params::training::CommitteeFee;
	// Two blocks' emission (a block mints 1 SWARM, four fifths into the pot) for every round
	// that publishes a version, on top of the opener's budget.
	type RoundEmission = dynamic_params::training::RoundEmission;
	type MaxParticipants = ConstU32<32>;
	type MaxCommittee = ConstU32<16>;
	type MaxCampaign = ConstU32<100>;
	type MaxOpenRounds = ConstU32<256>;
	type MaxConfigLen = ConstU32<256>;
	type MaxExpiriesPerBlock = ConstU32<8>;
	type Quorum = parameters::Quorum;
	type SlashShare = dynamic_params::work::SlashShare;
	type ReputationGain = dynamic_params::work::AgreedReputation;
	type ReputationLoss = dynamic_params::work::MissedReputation;
	type DisputeBond = ConstU128<{ UNIT }>;
	type DisputeReplicas = ConstU32<5>;
	type FraudSlashShare = dynamic_params::work::FraudSlashShare;
	type FraudJail = dynamic_params::work::FraudJail;
	type ChallengerReward = dynamic_params::work::ChallengerReward;
	type WeightInfo = pallet_training::weights::SubstrateWeight<Runtime>;
}

/// Session keys for benchmark accounts: the account's own public key as its Aura and GRANDPA key.
#[cfg(feature = "runtime-benchmarks")]
impl pallet_validator_set::BenchmarkHelper<AccountId> for BenchmarkAuthor {
	fn set_keys(who: &AccountId) {
		use polkadot_sdk::sp_core::{ed25519, sr25519};
		let raw: [u8; 32] = who.clone().into();
		let keys = crate::opaque::SessionKeys {
			aura: AuraId::from(sr25519::Public::from_raw(raw)),
			grandpa: polkadot_sdk::sp_consensus_grandpa::AuthorityId::from(
				ed25519::Public::from_raw(raw),
			),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}

/// Makes an account the author of the block being benchmarked: the only validator and Aura
/// authority, named by the slot in the block's pre-runtime digest.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkAuthor;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_rewards::BenchmarkHelper<AccountId> for BenchmarkAuthor {
	fn set_author(author: &AccountId) {
		use polkadot_sdk::{
			sp_consensus_aura::{Slot, AURA_ENGINE_ID},
			sp_core::sr25519,
			sp_runtime::{BoundedVec, DigestItem},
		};
		let key = AuraId::from(sr25519::Public::from_raw(author.clone().into()));
		pallet_aura::Authorities::<Runtime>::put(BoundedVec::truncate_from(alloc::vec![key]));
		pallet_session::Validators::<Runtime>::put(alloc::vec![author.clone()]);
		let slot = codec::Encode::encode(&Slot::from(0u64));
		System::deposit_log(DigestItem::PreRuntime(AURA_ENGINE_ID, slot));
	}
}

parameter_types! {
	/// Until root sets others: validators bond at least 10,000 SWARM, the top 32 validate (the
	/// consensus pallets' `MaxAuthorities`), sessions last an hour and unbonding two days.
	pub const DefaultValidatorTerms: pallet_validator_set::TermsOf<Runtime> =
		pallet_validator_set::ValidatorTerms {
			min_bond: 10_000 * UNIT,
			max_validators: 32,
			session_length: HOURS,
			unbonding_period: 2 * DAYS,
		};
	/// What `session.setKeys` holds while keys are set: 1 SWARM.
	pub const SessionKeyDeposit: Balance = UNIT;
}

/// The open validator set: candidates bond, the top ones by bond validate each session.
impl pallet_validator_set::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Registration = Session;
	type MaxCandidates = ConstU32<100>;
	type MaxValidators = ConstU32<32>;
	type DefaultTerms = DefaultValidatorTerms;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkAuthor;
}

/// Sessions of `ValidatorTerms::session_length` blocks; at each, the validator set's choice
/// becomes the Aura and GRANDPA authorities. A validator's id is its account.
impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = ValidatorSessions;
	type NextSessionRotation = ValidatorSessions;
	type SessionManager = ValidatorSet;
	type SessionHandler = <crate::opaque::SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = crate::opaque::SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

/// Sessions start every `session_length` blocks of the validator set's terms.
pub type ValidatorSessions = pallet_session::PeriodicSessions<
	pallet_validator_set::SessionLength<Runtime>,
	ConstU32<0>,
>;

// Transactions the runtime creates itself: the compute nodes' heartbeats, sent by their
// offchain workers as general transactions authorized by the pallet (no signer, no fee).
impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_extension() -> TxExtension {
		(
			frame_system::AuthorizeCall::<Runtime>::new(),
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(Era::Immortal),
			// Without a signer there is no nonce (nor fee) to check.
			frame_system::CheckNonce::<Runtime>::from(0),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
			frame_system::WeightReclaim::<Runtime>::new(),
		)
	}
}
