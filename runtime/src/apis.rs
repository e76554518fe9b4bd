//! The runtime APIs: what the node and clients (polkadot.js, the RPC layer) may ask the runtime.
//!
//! Every query the project offers lives here or in a pallet's view functions; the node's JSON-RPC
//! methods are thin adapters over these.

use crate::{
	opaque::SessionKeys, AccountId, Aura, Balance, Balances, Block, ComputeNodes, Executive,
	Grandpa, Inference, InherentDataExt, ModelRegistry, Nonce, Rewards, Runtime, RuntimeCall,
	RuntimeGenesisConfig, System, Training, TransactionPayment, ValidatorSet, WeightsStore,
	VERSION,
};
use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{
		genesis_builder_helper::{build_state, get_preset},
		view_functions::ViewFunctionDispatchError,
		weights::Weight,
	},
	pallet_grandpa::AuthorityId as GrandpaId,
	sp_api::impl_runtime_apis,
	sp_consensus_aura::sr25519::AuthorityId as AuraId,
	sp_core::{crypto::KeyTypeId, OpaqueMetadata},
	sp_runtime::{
		traits::{Block as BlockT, NumberFor},
		transaction_validity::{TransactionSource, TransactionValidity},
		ApplyExtrinsicResult, ExtrinsicInclusionMode,
	},
	sp_version::RuntimeVersion,
	*,
};

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Checks of the whole state, for tests and operators: the invariants every Swarmchain
	/// pallet's `try_state` checks (holds equal escrows and bonds, issuance adds up, queues and
	/// records agree) and the balances' (the accounts add up to the total issuance, holds are
	/// reserved), run on the state of the block it is called at. Off-chain only: it reads
	/// every record of the pallets, so it is never part of a block.
	pub trait InvariantsApi {
		/// `Ok` if every invariant holds; otherwise the first that does not, as text
		/// (`pallet: what`).
		fn check() -> Result<(), Vec<u8>>;
	}
}

/// Every Swarmchain pallet's invariants (their `do_try_state`), in runtime order, then the
/// balances' ([`balances_invariants`]); the first broken one as `pallet: what`.
pub fn check_invariants() -> Result<(), Vec<u8>> {
	use polkadot_sdk::sp_runtime::DispatchError;
	type Check = fn() -> Result<(), DispatchError>;
	let checks: [(&str, Check); 7] = [
		("model-registry", ModelRegistry::do_try_state),
		("weights-store", WeightsStore::do_try_state),
		("compute-nodes", ComputeNodes::do_try_state),
		("rewards", Rewards::do_try_state),
		("inference", Inference::do_try_state),
		("training", Training::do_try_state),
		("validator-set", ValidatorSet::do_try_state),
	];
	for (pallet, check) in checks {
		if let Err(error) = check() {
			let what = match error {
				DispatchError::Other(text) => alloc::string::String::from(text),
				other => alloc::format!("{other:?}"),
			};
			return Err(alloc::format!("{pallet}: {what}").into_bytes());
		}
	}
	balances_invariants().map_err(|what| alloc::format!("balances: {what}").into_bytes())
}

/// The runtime's checks of the balances that every pallet's holds and transfers rely on (not
/// `pallet-balances`' own `try_state`, which runs only under `try-runtime` and checks other
/// things): the accounts' free and reserved balances add up to the total issuance, and no
/// account holds more than it has reserved.
fn balances_invariants() -> Result<(), alloc::string::String> {
	let mut total: Balance = 0;
	for (_, account) in frame_system::Account::<Runtime>::iter() {
		total = total
			.checked_add(account.data.free)
			.and_then(|t| t.checked_add(account.data.reserved))
			.ok_or("the accounts' balances overflow")?;
	}
	let issuance = pallet_balances::TotalIssuance::<Runtime>::get();
	if total != issuance {
		return Err(alloc::format!("the accounts hold {total}, the total issuance is {issuance}"));
	}
	for (who, holds) in pallet_balances::Holds::<Runtime>::iter() {
		let held = holds
			.iter()
			.try_fold(0, |sum: Balance, hold| sum.checked_add(hold.amount))
			.ok_or("an account's holds overflow")?;
		let reserved = frame_system::Account::<Runtime>::get(&who).data.reserved;
		if held > reserved {
			return Err(alloc::format!("{who:?} holds {held} but has {reserved} reserved"));
		}
	}
	Ok(())
}

impl_runtime_apis! {
	impl self::InvariantsApi<Block> for Runtime {
		fn check() -> Result<(), Vec<u8>> {
			check_invariants()
		}
	}

	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(
			id: frame_support::view_functions::ViewFunctionId,
			input: Vec<u8>,
		) -> Result<Vec<u8>, ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			// Proving who owned a key at a past session needs `pallet-session`'s historical
			// proofs, and punishing it an offences pallet that slashes validator bonds; neither
			// is in the runtime yet, so equivocation reports are not accepted.
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			None
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}

		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}

		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_model_registry_runtime_api::ModelRegistryApi<
		Block,
		AccountId,
		pallet_model_registry::ModelDetails<Runtime>,
		pallet_model_registry::VersionDetails<Runtime>,
	> for Runtime {
		fn model(id: pallet_model_registry::ModelId) -> Option<pallet_model_registry::ModelDetails<Runtime>> {
			ModelRegistry::model(id)
		}

		fn model_by_name(name: Vec<u8>) -> Option<pallet_model_registry::ModelDetails<Runtime>> {
			ModelRegistry::model_by_name(&name)
		}

		fn version(id: pallet_model_registry::VersionId) -> Option<pallet_model_registry::VersionDetails<Runtime>> {
			ModelRegistry::version(id)
		}

		fn resolve(reference: Vec<u8>) -> Result<pallet_model_registry::VersionId, pallet_model_registry::ResolveError> {
			ModelRegistry::resolve(&reference)
		}

		fn versions(
			model: pallet_model_registry::ModelId,
			start: u32,
			limit: u32,
		) -> Vec<pallet_model_registry::VersionDetails<Runtime>> {
			ModelRegistry::versions_of(model, start, limit)
		}

		fn ancestors(version: pallet_model_registry::VersionId, max_depth: u32) -> Option<pallet_model_registry::Lineage> {
			ModelRegistry::ancestors(version, max_depth)
		}

		fn descendants(version: pallet_model_registry::VersionId, max_depth: u32) -> Option<pallet_model_registry::Lineage> {
			ModelRegistry::descendants(version, max_depth)
		}

		fn derivation_path(
			a: pallet_model_registry::VersionId,
			b: pallet_model_registry::VersionId,
		) -> Option<pallet_model_registry::DerivationPath> {
			ModelRegistry::derivation_path(a, b)
		}

		fn contributors(version: pallet_model_registry::VersionId) -> Option<pallet_model_registry::Contributors<AccountId>> {
			ModelRegistry::contributors(version)
		}
	}

	impl pallet_weights_store_runtime_api::WeightsStoreApi<
		Block,
		pallet_weights_store::FileManifest<Runtime>,
		pallet_weights_store::UploadInfo<Runtime>,
	> for Runtime {
		fn file(hash: sp_core::H256) -> Option<pallet_weights_store::FileManifest<Runtime>> {
			WeightsStore::file(hash)
		}

		fn upload(hash: sp_core::H256) -> Option<pallet_weights_store::UploadInfo<Runtime>> {
			WeightsStore::upload(hash)
		}
	}

	impl pallet_inference_runtime_api::InferenceApi<
		Block,
		Balance,
		pallet_inference::Job<Runtime>,
		pallet_inference::InferenceOutput<Runtime>,
	> for Runtime {
		fn job(id: u64) -> Option<pallet_inference::Job<Runtime>> {
			pallet_inference::Jobs::<Runtime>::get(id)
		}

		fn result(id: u64) -> Option<pallet_inference::InferenceOutput<Runtime>> {
			Inference::result(id)
		}

		fn recent_jobs(limit: u32) -> Vec<u64> {
			Inference::recent_jobs(limit)
		}

		fn assigned(node: pallet_inference::NodeId) -> Vec<u64> {
			Inference::assigned(node)
		}

		fn quote(version: u64, replicas: Option<u32>) -> Option<(Balance, Balance, u32)> {
			Inference::quote(version, replicas)
		}

		fn dispute_terms() -> (Balance, u32, Balance) {
			use polkadot_sdk::sp_core::Get;
			let terms = pallet_inference::ChallengeTerms::<Runtime>::get();
			let fee = <Runtime as pallet_inference::Config>::NodeFee::get();
			(terms.bond, terms.replicas, fee)
		}
	}

	impl pallet_training_runtime_api::TrainingApi<
		Block,
		Balance,
		pallet_training::Round<Runtime>,
		pallet_training::RoundResult<Runtime>,
	> for Runtime {
		fn round(id: u64) -> Option<pallet_training::Round<Runtime>> {
			pallet_training::Rounds::<Runtime>::get(id)
		}

		fn result(id: u64) -> Option<pallet_training::RoundResult<Runtime>> {
			Training::result(id)
		}

		fn recent_rounds(limit: u32) -> Vec<u64> {
			Training::recent_rounds(limit)
		}

		fn open_rounds() -> Vec<u64> {
			Training::open_rounds()
		}

		fn involved(node: pallet_training::NodeId) -> Vec<u64> {
			Training::involved(node)
		}

		fn dispute_terms() -> (Balance, u32, Balance) {
			use polkadot_sdk::sp_core::Get;
			let terms = pallet_training::ChallengeTerms::<Runtime>::get();
			let fee = <Runtime as pallet_training::Config>::CommitteeFee::get();
			(terms.bond, terms.replicas, fee)
		}
	}

	impl pallet_compute_nodes_runtime_api::ComputeNodesApi<
		Block,
		AccountId,
		pallet_compute_nodes::NodeInfo<Runtime>,
	> for Runtime {
		fn node(id: pallet_compute_nodes::NodeId) -> Option<pallet_compute_nodes::NodeInfo<Runtime>> {
			ComputeNodes::node(id)
		}

		fn node_by_key(
			key: pallet_compute_nodes::WorkerKey,
		) -> Option<(pallet_compute_nodes::NodeId, pallet_compute_nodes::NodeInfo<Runtime>)> {
			ComputeNodes::node_by_key(&key)
		}

		fn nodes_of(owner: AccountId) -> Vec<(pallet_compute_nodes::NodeId, pallet_compute_nodes::NodeInfo<Runtime>)> {
			ComputeNodes::nodes_of(&owner)
		}

		fn nodes(
			start: pallet_compute_nodes::NodeId,
			limit: u32,
		) -> Vec<(pallet_compute_nodes::NodeId, pallet_compute_nodes::NodeInfo<Runtime>)> {
			ComputeNodes::nodes(start, limit)
		}

		fn active_nodes() -> Vec<(pallet_compute_nodes::NodeId, pallet_compute_nodes::NodeInfo<Runtime>)> {
			ComputeNodes::active_nodes()
		}

		fn key_proof_payload(
			owner: AccountId,
			worker_key: pallet_compute_nodes::WorkerKey,
		) -> Option<pallet_compute_nodes_runtime_api::KeyProofPayload> {
			// In the genesis state `BlockHash[0]` is a placeholder: the real genesis hash is
			// recorded when block 1 starts.
			if System::block_number() == 0 {
				return None;
			}
			Some(pallet_compute_nodes_runtime_api::KeyProofPayload {
				nonce: pallet_compute_nodes::KeyNonce::<Runtime>::get(&owner),
				payload: ComputeNodes::key_proof_payload(&owner, &worker_key),
			})
		}
	}

	impl pallet_rewards_runtime_api::RewardsApi<Block, AccountId, Balance> for Runtime {
		fn status() -> pallet_rewards_runtime_api::RewardsStatus<AccountId, Balance> {
			use polkadot_sdk::frame_support::traits::fungible::Inspect;
			let pot = Rewards::pot();
			pallet_rewards_runtime_api::RewardsStatus {
				pot_balance: Balances::balance(&pot),
				pot_available: Rewards::pot_available(),
				pot,
				emission_per_block: pallet_rewards::EmissionPerBlock::<Runtime>::get(),
				author_share: pallet_rewards::AuthorShare::<Runtime>::get(),
				genesis_issuance: pallet_rewards::GenesisIssuance::<Runtime>::get(),
				minted: pallet_rewards::Minted::<Runtime>::get(),
				burnt: pallet_rewards::Burnt::<Runtime>::get(),
				total_issuance: Balances::total_issuance(),
			}
		}

		fn node_earnings(node: pallet_compute_nodes::NodeId) -> Balance {
			pallet_rewards::NodeEarnings::<Runtime>::get(node)
		}

		fn account_earnings(account: AccountId) -> Balance {
			pallet_rewards::AccountEarnings::<Runtime>::get(account)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_config_presets::preset_names()
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<polkadot_sdk::frame_support::traits::StorageInfo>,
		) {
			use crate::{Sudo, Timestamp, Utility};
			use frame_benchmarking::BenchmarkList;
			use frame_system_benchmarking::Pallet as SystemBench;
			use polkadot_sdk::frame_support::traits::StorageInfoTrait;

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);

			let storage_info = crate::AllPalletsWithSystem::storage_info();
			(list, storage_info)
		}

		#[allow(non_local_definitions)]
		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use crate::{Sudo, Timestamp, Utility};
			use frame_benchmarking::BenchmarkBatch;
			use frame_system_benchmarking::Pallet as SystemBench;
			use polkadot_sdk::frame_support::traits::WhitelistedStorageKeys;

			impl frame_system_benchmarking::Config for Runtime {}

			let whitelist = crate::AllPalletsWithSystem::whitelisted_storage_keys();
			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}
}
