//! Tests of the runtime as a whole: the genesis presets, and the wiring between pallets (fees and
//! dust into the reward pot, issuance accounting, the weights store behind the registry).

// A test: a panic here is a failing test.
#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

mod common;

use common::{preset_ext, signed};
use polkadot_sdk::{
	frame_support::traits::{fungible::Inspect, OnInitialize},
	frame_system, pallet_session, pallet_transaction_payment,
	sp_core::H256,
	sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET},
	sp_keyring::Sr25519Keyring,
	sp_runtime::traits::{Hash as _, Header as _},
	*,
};
use swarm_runtime::{
	currency::UNIT, genesis_config_presets, AccountId, Balances, ComputeNodes, Executive, Header,
	ModelRegistry, Rewards, Runtime, RuntimeCall, RuntimeOrigin, System, UncheckedExtrinsic,
	ValidatorSet,
};

#[test]
fn the_presets_are_the_ones_documented() {
	let names = genesis_config_presets::preset_names();
	assert_eq!(
		names,
		vec![DEV_RUNTIME_PRESET.to_string(), LOCAL_TESTNET_RUNTIME_PRESET.to_string()]
	);
	assert!(genesis_config_presets::get_preset(&"mainnet".into()).is_none());

	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
		use Sr25519Keyring::*;
		for account in [Alice, Bob, Charlie, Dave, Eve, Ferdie] {
			assert_eq!(Balances::total_balance(&account.to_account_id()), 1_000_000 * UNIT);
		}
		// Alice validates: a bonded candidate with session keys, the session's only validator.
		let alice = Alice.to_account_id();
		assert_eq!(ValidatorSet::bond_of(&alice), Some(genesis_config_presets::VALIDATOR_BOND));
		assert_eq!(pallet_session::Validators::<Runtime>::get(), vec![alice.clone()]);
		assert_eq!(
			pallet_aura::Authorities::<Runtime>::get().into_inner(),
			vec![Alice.public().into()]
		);
		ValidatorSet::do_try_state().unwrap();
		assert_eq!(Balances::balance(&AliceStash.to_account_id()), 0);
		assert_eq!(pallet_rewards::EmissionPerBlock::<Runtime>::get(), UNIT);
		assert!(Balances::balance(&Rewards::pot()) > 0, "the pot exists from genesis");
		Rewards::do_try_state().unwrap();
	});
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 2);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 2);
		assert_eq!(
			pallet_session::Validators::<Runtime>::get(),
			vec![Sr25519Keyring::Alice.to_account_id(), Sr25519Keyring::Bob.to_account_id()]
		);
	});
}

/// A transfer signed by `signer`, as polkadot.js makes it.
fn signed_transfer(
	signer: Sr25519Keyring,
	to: AccountId,
	amount: u128,
	nonce: u32,
) -> UncheckedExtrinsic {
	let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: to.into(),
		value: amount,
	});
	signed(signer, call, nonce)
}

#[test]
fn fees_go_into_the_reward_pot_and_issuance_adds_up() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let pot_before = Balances::balance(&Rewards::pot());
		let header =
			Header::new(1, H256::zero(), H256::zero(), System::block_hash(0), Default::default());
		Executive::initialize_block(&header);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let alice_before = Balances::balance(&alice);

		let xt =
			signed_transfer(Sr25519Keyring::Alice, Sr25519Keyring::Bob.to_account_id(), UNIT, 0);
		Executive::apply_extrinsic(xt).unwrap().unwrap();

		let fee = alice_before - UNIT - Balances::balance(&alice);
		assert!(fee > 0);
		// This block's emission (no author digest: all of it) and the fee went into the pot.
		let emission = pallet_rewards::EmissionPerBlock::<Runtime>::get();
		assert_eq!(Balances::balance(&Rewards::pot()), pot_before + emission + fee);
		Rewards::do_try_state().unwrap();
	});
}

/// Stores `bytes` in the weights store as Alice (one chunk) and creates her model `name`;
/// returns the file's hash and the model's id. In block 1, with the reward pot's first block run.
fn store_file_and_create_model(bytes: &[u8], name: &[u8]) -> (H256, u64) {
	let alice = RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id());
	let file = <Runtime as frame_system::Config>::Hashing::hash(bytes);
	polkadot_sdk::frame_support::storage::unhashed::put(
		polkadot_sdk::sp_core::storage::well_known_keys::EXTRINSIC_INDEX,
		&0u32,
	);
	swarm_runtime::WeightsStore::begin_upload(alice.clone(), file, bytes.len() as u64).unwrap();
	// The transaction being applied ends with the chunk, as `upload_chunk` checks.
	polkadot_sdk::frame_system::Pallet::<Runtime>::note_extrinsic(bytes.to_vec());
	swarm_runtime::WeightsStore::upload_chunk(alice.clone(), file, 0, file, bytes.to_vec())
		.unwrap();
	let model = pallet_model_registry::NextModelId::<Runtime>::get();
	ModelRegistry::create_model(
		alice,
		name.to_vec(),
		vec![],
		vec![],
		pallet_model_registry::DerivationPolicy::Open,
	)
	.unwrap();
	(file, model)
}

/// Alice publishes a version of `model` with the weights `file` of `size` bytes.
fn publish(model: u64, file: H256, size: u64) -> polkadot_sdk::sp_runtime::DispatchResult {
	ModelRegistry::publish_version(
		RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()),
		model,
		file,
		size,
		pallet_model_registry::ConfigInput::Hash(H256::zero()),
		vec![],
		vec![],
	)
}

#[test]
fn the_registry_checks_sizes_against_the_weights_store() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		Rewards::on_initialize(1);
		let bytes = b"tiny weights";
		let (file, model) = store_file_and_create_model(bytes, b"tiny");
		assert_eq!(
			publish(model, file, 99),
			Err(pallet_model_registry::Error::<Runtime>::WeightsSizeMismatch.into())
		);
		publish(model, file, bytes.len() as u64).unwrap();
		ModelRegistry::do_try_state().unwrap();
		swarm_runtime::WeightsStore::do_try_state().unwrap();
	});
}

/// The SDK's own checks of every pallet (`integrity_test`), with the runtime's production
/// constants: e.g. that the worst-case heartbeat load fits its share of a block.
#[test]
fn every_pallet_passes_its_integrity_test_with_the_production_constants() {
	use polkadot_sdk::frame_support::traits::IntegrityTest;
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		swarm_runtime::AllPalletsWithSystem::integrity_test();
	});
	let (worst, limit) = swarm_runtime::ComputeNodes::heartbeat_load();
	println!(
		"worst-case heartbeats per block: {} ms of weight, limit {} ms",
		worst.ref_time() / 1_000_000_000,
		limit.ref_time() / 1_000_000_000
	);
}

/// Starts block `n` as a block author would.
fn start_block(n: u32) {
	let parent = if n == 1 { System::block_hash(0) } else { System::parent_hash() };
	let header = Header::new(n, H256::zero(), H256::zero(), parent, Default::default());
	Executive::initialize_block(&header);
}

/// A real signed transaction, applied by the executive: the weights store reads the bytes that
/// `frame_system` noted for it, and a batch that puts a call after a chunk is refused.
#[test]
fn chunks_are_indexed_only_when_they_end_their_transaction() {
	use polkadot_sdk::pallet_utility;
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		start_block(1);
		let bytes = b"tiny weights".to_vec();
		let file = <Runtime as frame_system::Config>::Hashing::hash(&bytes);
		let begin =
			RuntimeCall::WeightsStore(pallet_weights_store::Call::begin_upload { file, size: 12 });
		Executive::apply_extrinsic(signed(Sr25519Keyring::Alice, begin, 0)).unwrap().unwrap();
		let chunk = RuntimeCall::WeightsStore(pallet_weights_store::Call::upload_chunk {
			file,
			index: 0,
			chunk: file,
			data: bytes.clone(),
		});
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![1; 12] });
		let wrapped = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![chunk.clone(), remark],
		});
		let outcome =
			Executive::apply_extrinsic(signed(Sr25519Keyring::Alice, wrapped, 1)).unwrap();
		let refused = outcome.unwrap_err();
		assert_eq!(
			refused,
			pallet_weights_store::Error::<Runtime>::ChunkNotAtEnd.into(),
			"{refused:?}"
		);
		assert!(pallet_weights_store::Files::<Runtime>::get(file).is_none());
		// Sent as the transaction's own call, its bytes end the transaction and it is stored.
		Executive::apply_extrinsic(signed(Sr25519Keyring::Alice, chunk, 2)).unwrap().unwrap();
		assert!(pallet_weights_store::Files::<Runtime>::get(file).is_some());
		swarm_runtime::WeightsStore::do_try_state().unwrap();
	});
}

/// Fees follow congestion: full blocks raise the fee multiplier, empty ones bring it back, never
/// below 1.
#[test]
fn fees_rise_when_blocks_are_full_and_fall_back_when_they_are_not() {
	use polkadot_sdk::{
		frame_support::{dispatch::DispatchClass, traits::OnFinalize},
		sp_runtime::traits::One,
	};
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let one = pallet_transaction_payment::Multiplier::one();
		assert_eq!(pallet_transaction_payment::NextFeeMultiplier::<Runtime>::get(), one);
		let normal = <Runtime as frame_system::Config>::BlockWeights::get()
			.get(DispatchClass::Normal)
			.max_total
			.unwrap();
		for n in 1..=10 {
			System::set_block_number(n);
			System::register_extra_weight_unchecked(normal, DispatchClass::Normal);
			swarm_runtime::TransactionPayment::on_finalize(n);
			System::reset_events();
			frame_system::BlockWeight::<Runtime>::kill();
		}
		let raised = pallet_transaction_payment::NextFeeMultiplier::<Runtime>::get();
		assert!(raised > one, "ten full blocks raise fees: {raised:?}");
		for n in 11..=1_000 {
			System::set_block_number(n);
			swarm_runtime::TransactionPayment::on_finalize(n);
		}
		assert_eq!(pallet_transaction_payment::NextFeeMultiplier::<Runtime>::get(), one);
		println!("multiplier after ten full blocks: {}", raised.into_inner() as f64 / 1e18);
	});
}

#[test]
fn root_changes_a_governed_parameter_with_a_call_and_it_takes_effect() {
	use polkadot_sdk::{
		frame_support::{assert_noop, assert_ok, traits::Get},
		sp_runtime::{DispatchError, Perbill},
	};
	use swarm_runtime::{
		configs::{
			dynamic_params::{compute_nodes, fees, work},
			RuntimeParameters,
		},
		Parameters, RuntimeOrigin, TransactionPayment,
	};
	type MinBond = <Runtime as pallet_compute_nodes::Config>::MinBond;
	type Quorum = <Runtime as pallet_inference::Config>::Quorum;

	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let min_bond = |value| {
			RuntimeParameters::ComputeNodes(compute_nodes::Parameters::MinBond(
				compute_nodes::MinBond,
				value,
			))
		};
		assert_eq!(MinBond::get(), 100 * UNIT);
		assert_noop!(
			Parameters::set_parameter(
				RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()),
				min_bond(Some(5 * UNIT))
			),
			DispatchError::BadOrigin
		);
		assert_ok!(Parameters::set_parameter(RuntimeOrigin::root(), min_bond(Some(5 * UNIT))));
		assert_eq!(MinBond::get(), 5 * UNIT, "the compute-nodes pallet reads the new bond");
		assert_ok!(Parameters::set_parameter(RuntimeOrigin::root(), min_bond(None)));
		assert_eq!(MinBond::get(), 100 * UNIT, "removing the value restores the default");

		// Fees per byte change what a transaction costs.
		let before = TransactionPayment::length_to_fee(1_000);
		assert_ok!(Parameters::set_parameter(
			RuntimeOrigin::root(),
			RuntimeParameters::Fees(fees::Parameters::TransactionByteFee(
				fees::TransactionByteFee,
				Some(2 * swarm_runtime::currency::MICRO_UNIT)
			))
		));
		assert_eq!(TransactionPayment::length_to_fee(1_000), 2 * before);

		// A quorum below a majority reads as a majority.
		assert_eq!(Quorum::get(), Perbill::from_rational(2u32, 3u32));
		assert_ok!(Parameters::set_parameter(
			RuntimeOrigin::root(),
			RuntimeParameters::Work(work::Parameters::Quorum(
				work::Quorum,
				Some(Perbill::from_percent(10))
			))
		));
		assert_eq!(Quorum::get(), Perbill::from_parts(500_000_001));
	});
}

/// The runtime's migrations on a chain from before them that holds records (a model with a
/// version and an alias; a compute node stored in its version-0 layout): each migration's own
/// `pre_upgrade`/`post_upgrade` checks (what `try-runtime` runs around it) pass around the
/// runtime's upgrade, the node's record is rewritten in the new layout with its fields kept, and
/// every invariant holds after.
#[test]
fn the_migrations_keep_a_populated_chain_and_pass_their_own_checks() {
	use codec::{Decode, Encode};
	use pallet_compute_nodes::migrations::v1 as nodes_v1;
	use pallet_model_registry::migrations::v1 as registry_v1;
	use polkadot_sdk::{
		frame_support::{storage::unhashed, traits::StorageVersion},
		sp_core::{sr25519, Pair},
	};
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		Rewards::on_initialize(1);
		let bytes = b"weights of a model from before the upgrade";
		let (file, model) = store_file_and_create_model(bytes, b"old-model");
		publish(model, file, bytes.len() as u64).unwrap();
		let version = pallet_model_registry::ModelVersions::<Runtime>::get(model, 1).unwrap();
		let alice = RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id());
		ModelRegistry::set_alias(alice, model, b"production".to_vec(), version).unwrap();

		let bob = Sr25519Keyring::Bob.to_account_id();
		let pair = sr25519::Pair::from_seed(&[7; 32]);
		let key = swarm_primitives::worker::Public::from(pair.public());
		let proof = pair.sign(&ComputeNodes::key_proof_payload(&bob, &key));
		ComputeNodes::register_node(
			RuntimeOrigin::signed(bob.clone()),
			key,
			proof.into(),
			b"12D3KooWOldNode".to_vec(),
			pallet_compute_nodes::CapabilitiesInput {
				cores: 8,
				memory_mib: 16_384,
				accelerator: None,
				formats: vec![pallet_compute_nodes::ModelFormat::Safetensors],
			},
			500 * UNIT,
		)
		.unwrap();
		let (id, node) = pallet_compute_nodes::Nodes::<Runtime>::iter().next().unwrap();

		// The chain as it was at storage version 0: the node's record without its last field.
		let mut old = node.encode();
		old.truncate(old.len() - node.work_done.encode().len());
		unhashed::put_raw(&pallet_compute_nodes::Nodes::<Runtime>::hashed_key_for(id), &old);
		assert!(pallet_compute_nodes::Nodes::<Runtime>::get(id).is_none(), "not readable as v1");
		// And a model whose counters went out of step with its indexes, which the registry's
		// migration recounts.
		let model_before = pallet_model_registry::Models::<Runtime>::get(model).unwrap();
		pallet_model_registry::Models::<Runtime>::mutate(model, |info| {
			let info = info.as_mut().unwrap();
			info.version_count = 7;
			info.alias_count = 0;
		});
		StorageVersion::new(0).put::<ModelRegistry>();
		StorageVersion::new(0).put::<ComputeNodes>();

		let registry = registry_v1::pre_check::<Runtime>();
		let nodes = nodes_v1::pre_check::<Runtime>();
		// The nodes' check read the v0 record (an empty list would compare equal to an empty one).
		let kept = <Vec<(u64, AccountId, u128, polkadot_sdk::sp_runtime::Perbill)>>::decode(
			&mut &nodes[..],
		)
		.unwrap();
		assert_eq!(kept.len(), 1, "the v0 node is seen before the upgrade");
		Executive::execute_on_runtime_upgrade();
		registry_v1::post_check::<Runtime>(registry).unwrap();
		nodes_v1::post_check::<Runtime>(nodes).unwrap();

		assert_eq!(pallet_compute_nodes::Nodes::<Runtime>::get(id), Some(node));
		assert_eq!(pallet_model_registry::Models::<Runtime>::get(model), Some(model_before));
		assert_eq!(pallet_model_registry::Aliases::<Runtime>::iter_prefix(model).count(), 1);
		swarm_runtime::apis::check_invariants().unwrap();
	});
}

#[test]
fn the_first_block_of_a_new_runtime_runs_the_migrations_that_are_due() {
	use polkadot_sdk::frame_support::traits::{GetStorageVersion, StorageVersion};
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		// A new chain starts at the registry's in-code storage version: no migration is due.
		assert_eq!(ModelRegistry::in_code_storage_version(), 1);
		assert_eq!(ModelRegistry::on_chain_storage_version(), 1);
		// A chain from before the registry's v1 migration: the runtime's `Migrations` run it.
		StorageVersion::new(0).put::<ModelRegistry>();
		let weight = Executive::execute_on_runtime_upgrade();
		assert_eq!(ModelRegistry::on_chain_storage_version(), 1);
		assert!(weight.ref_time() > 0);
		// Once run, it is a no-op that reads the version.
		let again = Executive::execute_on_runtime_upgrade();
		assert!(again.ref_time() < weight.ref_time());
		assert_eq!(ModelRegistry::on_chain_storage_version(), 1);
		// The same for the compute nodes' v1 migration (each node counts its work done).
		assert_eq!(ComputeNodes::in_code_storage_version(), 1);
		assert_eq!(ComputeNodes::on_chain_storage_version(), 1);
		StorageVersion::new(0).put::<ComputeNodes>();
		let weight = Executive::execute_on_runtime_upgrade();
		assert_eq!(ComputeNodes::on_chain_storage_version(), 1);
		assert!(weight.ref_time() > again.ref_time());
	});
}
