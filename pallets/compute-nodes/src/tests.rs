//! Tests of every call (success and each error), heartbeats through the pool and the offchain
//! worker, the inactivity sweep, and the traits other pallets use.

use crate::{mock::*, testing_utils::*, *};
use codec::Decode;
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok, assert_storage_noop,
		pallet_prelude::{
			InvalidTransaction, TransactionPriority, TransactionSource, TransactionValidityError,
		},
		traits::{
			fungible::{Inspect, InspectHold},
			Authorize, Hooks,
		},
	},
	frame_system::RawOrigin,
	sp_runtime::{traits::Dispatchable, DispatchError, Perbill, RuntimeAppPublic},
};
use swarm_primitives::{BondSlasher, NodeRegistry, Reputation};

fn bond_held(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::NodeBond.into(), &who)
}

fn authorized() -> RuntimeOrigin {
	RawOrigin::Authorized.into()
}

/// The pool's verdict on a heartbeat.
fn authorize(
	heartbeat: Heartbeat<u64>,
	signature: WorkerSignature,
) -> Result<(), TransactionValidityError> {
	let call = Call::<Test>::heartbeat { heartbeat, signature };
	call.authorize(TransactionSource::External)
		.expect("heartbeat is an authorized call")
		.map(|_| ())
}

fn rejected(code: HeartbeatRejection) -> Result<(), TransactionValidityError> {
	Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(code as u8)))
}

// REGISTER NODE

#[test]
fn register_node_works() {
	build_and_execute(|| {
		// given
		let key = worker_key(0);
		// when
		let node = assert_register_node(
			ALICE,
			&key,
			b"12D3KooWpeer",
			CapabilitiesInput { accelerator: Some(b"nvidia-h100".to_vec()), ..cpu_node() },
			700,
		);
		// then node 0 is Alice's, active, at half reputation, with its key indexed, 700 held
		// and Alice's key nonce at 1 (all checked by the helper, with the event)
		assert_eq!(node, 0);
	});
}

#[test]
fn one_account_registers_several_nodes() {
	build_and_execute(|| {
		let a = register(ALICE, 0);
		let b = register(ALICE, 1);
		assert_eq!(
			ComputeNodes::nodes_of(&ALICE).iter().map(|(id, _)| *id).collect::<Vec<_>>(),
			vec![a, b]
		);
		assert_eq!(bond_held(ALICE), 1_000);
	});
}

#[test]
fn register_node_rejects_a_bad_proof() {
	build_and_execute(|| {
		let key = worker_key(0);
		// Signed by another key.
		let wrong_signer =
			worker_key(1).sign(&ComputeNodes::key_proof_payload(&ALICE, &key)).unwrap();
		// Signed for another account.
		let wrong_owner = proof(BOB, &key);
		for bad in [wrong_signer, wrong_owner] {
			assert_noop!(
				ComputeNodes::register_node(
					RuntimeOrigin::signed(ALICE),
					key.clone(),
					bad,
					b"p".to_vec(),
					cpu_node(),
					500
				),
				Error::<Test>::BadProof
			);
		}
	});
}

#[test]
fn register_node_rejects_a_replayed_proof() {
	build_and_execute(|| {
		// given a proof for key 1 signed while Alice's nonce was 0
		let key = worker_key(1);
		let old_proof = proof(ALICE, &key);
		// when Alice registers another node, her nonce moves on
		register(ALICE, 0);
		// then the old proof no longer works
		assert_noop!(
			ComputeNodes::register_node(
				RuntimeOrigin::signed(ALICE),
				key.clone(),
				old_proof,
				b"p".to_vec(),
				cpu_node(),
				500
			),
			Error::<Test>::ProofReplayed
		);
		// and a fresh one does
		assert_ok!(ComputeNodes::register_node(
			RuntimeOrigin::signed(ALICE),
			key.clone(),
			proof(ALICE, &key),
			b"p".to_vec(),
			cpu_node(),
			500
		));
	});
}

#[test]
fn register_node_rejects_a_duplicate_worker_key() {
	build_and_execute(|| {
		register(ALICE, 0);
		let key = worker_key(0);
		assert_noop!(
			ComputeNodes::register_node(
				RuntimeOrigin::signed(BOB),
				key.clone(),
				proof(BOB, &key),
				b"p".to_vec(),
				cpu_node(),
				500
			),
			Error::<Test>::DuplicateWorkerKey
		);
	});
}

#[test]
fn register_node_rejects_a_low_or_unaffordable_bond() {
	build_and_execute(|| {
		let key = worker_key(0);
		assert_noop!(
			ComputeNodes::register_node(
				RuntimeOrigin::signed(ALICE),
				key.clone(),
				proof(ALICE, &key),
				b"p".to_vec(),
				cpu_node(),
				99
			),
			Error::<Test>::BondTooLow
		);
		assert_noop!(
			ComputeNodes::register_node(
				RuntimeOrigin::signed(PAUPER),
				key.clone(),
				proof(PAUPER, &key),
				b"p".to_vec(),
				cpu_node(),
				100
			),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn register_node_rejects_bad_descriptions() {
	build_and_execute(|| {
		let key = worker_key(0);
		let register_with = |peer: Vec<u8>, caps: CapabilitiesInput| {
			ComputeNodes::register_node(
				RuntimeOrigin::signed(ALICE),
				key.clone(),
				proof(ALICE, &key),
				peer,
				caps,
				500,
			)
		};
		assert_noop!(register_with(vec![], cpu_node()), Error::<Test>::BadPeerId);
		assert_noop!(register_with(vec![1; 65], cpu_node()), Error::<Test>::BadPeerId);
		assert_noop!(
			register_with(
				b"p".to_vec(),
				CapabilitiesInput { accelerator: Some(vec![b'g'; 17]), ..cpu_node() }
			),
			Error::<Test>::AcceleratorTooLong
		);
		let too_many = vec![
			ModelFormat::Safetensors,
			ModelFormat::Onnx,
			ModelFormat::Gguf,
			ModelFormat::PyTorch,
		];
		assert_noop!(
			register_with(b"p".to_vec(), CapabilitiesInput { formats: too_many, ..cpu_node() }),
			Error::<Test>::BadFormats
		);
		let twice = vec![ModelFormat::Onnx, ModelFormat::Onnx];
		assert_noop!(
			register_with(b"p".to_vec(), CapabilitiesInput { formats: twice, ..cpu_node() }),
			Error::<Test>::BadFormats
		);
	});
}

#[test]
fn register_node_enforces_node_limits() {
	build_and_execute(|| {
		for key in 0..3 {
			register(ALICE, key);
		}
		let key = worker_key(3);
		assert_noop!(
			ComputeNodes::register_node(
				RuntimeOrigin::signed(ALICE),
				key.clone(),
				proof(ALICE, &key),
				b"p".to_vec(),
				cpu_node(),
				500
			),
			Error::<Test>::TooManyNodes
		);
		MaxNodes::set(3);
		assert_noop!(
			ComputeNodes::register_node(
				RuntimeOrigin::signed(BOB),
				key.clone(),
				proof(BOB, &key),
				b"p".to_vec(),
				cpu_node(),
				500
			),
			Error::<Test>::NodeLimitReached
		);
		MaxNodes::set(100);
	});
}

#[test]
fn register_node_rejects_an_exhausted_id_counter() {
	build_and_execute(|| {
		NextNodeId::<Test>::put(u64::MAX);
		let key = worker_key(0);
		assert_noop!(
			ComputeNodes::register_node(
				RuntimeOrigin::signed(ALICE),
				key.clone(),
				proof(ALICE, &key),
				b"p".to_vec(),
				cpu_node(),
				500
			),
			Error::<Test>::Overflow
		);
		NextNodeId::<Test>::put(0);
	});
}

// HEARTBEAT

#[test]
fn heartbeat_is_authorized_and_recorded() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		run_to_block(11);
		let (heartbeat, signature) = signed_heartbeat(node, 0);
		assert_eq!(authorize(heartbeat, signature.clone()), Ok(()));
		// The node's last heartbeat is now block 11.
		assert_heartbeat(heartbeat, signature);
	});
}

#[test]
fn heartbeat_is_refused_by_the_pool_with_a_reason() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		run_to_block(11);
		// An unregistered node (or key).
		let (unknown, signature) = signed_heartbeat(7, 0);
		assert_eq!(authorize(unknown, signature), rejected(HeartbeatRejection::UnknownNode));
		// Signed by a key that is not the node's.
		let (heartbeat, forged) = signed_heartbeat(node, 1);
		assert_eq!(authorize(heartbeat, forged), rejected(HeartbeatRejection::BadSignature));
		// Signed too long ago, or for a future block.
		let (mut old, _) = signed_heartbeat(node, 0);
		old.at = 7;
		let old_signature = worker_key(0).sign(&ComputeNodes::heartbeat_payload(&old)).unwrap();
		assert_eq!(authorize(old, old_signature), rejected(HeartbeatRejection::Stale));
		let mut future = old;
		future.at = 12;
		let future_signature =
			worker_key(0).sign(&ComputeNodes::heartbeat_payload(&future)).unwrap();
		assert_eq!(authorize(future, future_signature), rejected(HeartbeatRejection::Stale));
		// Too soon after the last one.
		let (heartbeat, signature) = signed_heartbeat(node, 0);
		assert_ok!(ComputeNodes::heartbeat(authorized(), heartbeat, signature));
		run_to_block(14);
		let (again, signature) = signed_heartbeat(node, 0);
		assert_eq!(authorize(again, signature), rejected(HeartbeatRejection::TooSoon));
		// From an unbonding node.
		run_to_block(20);
		assert_ok!(ComputeNodes::deregister(RuntimeOrigin::signed(ALICE), node));
		let (late, signature) = signed_heartbeat(node, 0);
		assert_eq!(authorize(late, signature), rejected(HeartbeatRejection::Unbonding));
	});
}

#[test]
fn an_accepted_heartbeat_cannot_be_replayed() {
	build_and_execute(|| {
		// Even with a validity longer than the rate limit, which alone would let a third party
		// re-submit an accepted heartbeat once `MinHeartbeatInterval` has passed.
		HeartbeatValidity::set(20);
		let node = register(ALICE, 0);
		run_to_block(11);
		let (heartbeat, signature) = signed_heartbeat(node, 0);
		assert_ok!(ComputeNodes::heartbeat(authorized(), heartbeat, signature.clone()));
		run_to_block(16);
		assert_eq!(authorize(heartbeat, signature.clone()), rejected(HeartbeatRejection::Replayed));
		assert_noop!(
			ComputeNodes::heartbeat(authorized(), heartbeat, signature),
			Error::<Test>::HeartbeatReplayed
		);
		// A heartbeat signed at the registration block is older than the registration.
		let fresh = register(BOB, 1);
		let (early, signature) = signed_heartbeat(fresh, 1);
		assert_eq!(authorize(early, signature), rejected(HeartbeatRejection::Replayed));
		// The node's next heartbeat goes through.
		let (next, signature) = signed_heartbeat(node, 0);
		assert_eq!(authorize(next, signature), Ok(()));
	});
}

#[test]
fn heartbeats_go_before_every_other_transaction() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		run_to_block(11);
		let (heartbeat, signature) = signed_heartbeat(node, 0);
		let call = Call::<Test>::heartbeat { heartbeat, signature };
		let (validity, _) = call.authorize(TransactionSource::External).unwrap().unwrap();
		assert_eq!(validity.priority, HEARTBEAT_PRIORITY);
		assert_eq!(
			HEARTBEAT_PRIORITY,
			TransactionPriority::MAX,
			"above every fee-paying transaction, whatever its tip"
		);
	});
}

#[test]
fn the_worst_case_heartbeat_load_fits_its_share_of_the_block() {
	build_and_execute(|| {
		let (worst, limit) = ComputeNodes::heartbeat_load();
		assert!(worst.all_lte(limit));
		ComputeNodes::integrity_test();
	});
}

#[test]
#[should_panic(expected = "more than MaxHeartbeatShare")]
fn integrity_test_refuses_more_heartbeats_than_the_share() {
	build_and_execute(|| {
		MaxHeartbeatShare::set(Perbill::from_parts(1));
		ComputeNodes::integrity_test();
	});
}

#[test]
fn heartbeat_dispatch_rechecks_and_names_each_error() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		run_to_block(11);
		let (heartbeat, signature) = signed_heartbeat(node, 0);
		// Only the authorization process may dispatch it.
		assert_noop!(
			ComputeNodes::heartbeat(RuntimeOrigin::signed(ALICE), heartbeat, signature.clone()),
			DispatchError::BadOrigin
		);
		let (unknown, s) = signed_heartbeat(5, 0);
		assert_noop!(ComputeNodes::heartbeat(authorized(), unknown, s), Error::<Test>::UnknownNode);
		let (h, forged) = signed_heartbeat(node, 2);
		assert_noop!(
			ComputeNodes::heartbeat(authorized(), h, forged),
			Error::<Test>::BadHeartbeatSignature
		);
		assert_ok!(ComputeNodes::heartbeat(authorized(), heartbeat, signature.clone()));
		run_to_block(13);
		let (soon, soon_signature) = signed_heartbeat(node, 0);
		assert_noop!(
			ComputeNodes::heartbeat(authorized(), soon, soon_signature),
			Error::<Test>::HeartbeatTooSoon
		);
		run_to_block(14);
		let (old, old_signature) = signed_heartbeat(node, 0);
		run_to_block(20);
		assert_noop!(
			ComputeNodes::heartbeat(authorized(), old, old_signature),
			Error::<Test>::StaleHeartbeat
		);
		assert_noop!(
			ComputeNodes::heartbeat(authorized(), heartbeat, signature),
			Error::<Test>::HeartbeatReplayed
		);
		assert_ok!(ComputeNodes::deregister(RuntimeOrigin::signed(ALICE), node));
		let (h, s) = signed_heartbeat(node, 0);
		assert_noop!(ComputeNodes::heartbeat(authorized(), h, s), Error::<Test>::NodeUnbonding);
	});
}

#[test]
fn the_offchain_worker_sends_due_heartbeats_once() {
	let (mut ext, pool) = new_test_ext();
	ext.execute_with(|| {
		let node = register(ALICE, 0);
		// Not due before `HeartbeatInterval` blocks.
		run_to_block(10);
		ComputeNodes::offchain_worker(10);
		assert!(pool.read().transactions.is_empty());
		// Due at block 11: one heartbeat, and only one while it may still be pending.
		run_to_block(11);
		ComputeNodes::offchain_worker(11);
		ComputeNodes::offchain_worker(11);
		run_to_block(12);
		ComputeNodes::offchain_worker(12);
		assert_eq!(pool.read().transactions.len(), 1);

		// The transaction is a heartbeat the pool accepts and the runtime records.
		let xt = Extrinsic::decode(&mut &pool.read().transactions[0][..]).unwrap();
		let RuntimeCall::ComputeNodes(call @ Call::heartbeat { .. }) = xt.function.clone() else {
			panic!("expected a heartbeat, got {:?}", xt.function);
		};
		assert!(call.authorize(TransactionSource::Local).unwrap().is_ok());
		assert_ok!(RuntimeCall::ComputeNodes(call).dispatch(authorized()));
		assert_eq!(Nodes::<Test>::get(node).unwrap().last_heartbeat, 12);

		// If a heartbeat is lost, the worker sends another after `HeartbeatValidity` blocks.
		run_to_block(25);
		ComputeNodes::offchain_worker(25);
		assert_eq!(pool.read().transactions.len(), 2);
	});
}

#[test]
fn the_offchain_worker_ignores_keys_of_no_node() {
	let (mut ext, pool) = new_test_ext();
	ext.execute_with(|| {
		run_to_block(20);
		ComputeNodes::offchain_worker(20);
		assert!(pool.read().transactions.is_empty());
	});
}

// INACTIVITY

#[test]
fn nodes_that_stop_heartbeating_become_inactive_and_come_back() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		let other = register(BOB, 1);
		run_to_block(31);
		assert_eq!(Nodes::<Test>::get(node).unwrap().status, NodeStatus::Active);
		run_to_block(32);
		// The sweep marked both (it checks two nodes per block).
		assert_eq!(Nodes::<Test>::get(node).unwrap().status, NodeStatus::Inactive);
		assert_eq!(Nodes::<Test>::get(other).unwrap().status, NodeStatus::Inactive);
		System::assert_has_event(Event::NodeInactive { node }.into());
		assert!(ComputeNodes::active_nodes().is_empty());
		assert!(!ComputeNodes::is_eligible(node));

		let (heartbeat, signature) = signed_heartbeat(node, 0);
		// Reactivated, with `NodeReactivated` after `HeartbeatReceived`.
		assert_heartbeat(heartbeat, signature);
		assert_eq!(Nodes::<Test>::get(node).unwrap().status, NodeStatus::Active);
		assert_eq!(ComputeNodes::active_nodes().len(), 1);
	});
}

#[test]
fn the_node_list_pages_by_id_and_shows_every_status() {
	build_and_execute(|| {
		let (first, second, third) = (register(ALICE, 0), register(BOB, 1), register(ALICE, 2));
		assert_ok!(ComputeNodes::deregister(RuntimeOrigin::signed(BOB), second));
		let ids = |nodes: Vec<(NodeId, NodeInfo<Test>)>| {
			nodes.into_iter().map(|(id, _)| id).collect::<Vec<_>>()
		};
		assert_eq!(ids(ComputeNodes::nodes(0, 10)), vec![first, second, third]);
		assert_eq!(ids(ComputeNodes::nodes(0, 2)), vec![first, second]);
		assert_eq!(ids(ComputeNodes::nodes(second + 1, 10)), vec![third]);
		assert!(ComputeNodes::nodes(third + 1, 10).is_empty());
		assert!(ComputeNodes::nodes(0, 0).is_empty());
		assert!(matches!(ComputeNodes::nodes(second, 1)[0].1.status, NodeStatus::Unbonding { .. }));
		// Statuses are as of now, as `node` gives them.
		System::set_block_number(40);
		assert_eq!(ComputeNodes::nodes(first, 1)[0].1.status, NodeStatus::Inactive);
	});
}

#[test]
fn queries_see_inactivity_before_the_sweep_does() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		System::set_block_number(40);
		assert_eq!(Nodes::<Test>::get(node).unwrap().status, NodeStatus::Active);
		assert_eq!(ComputeNodes::node(node).unwrap().status, NodeStatus::Inactive);
	});
}

#[test]
fn the_sweep_stays_within_its_weight() {
	build_and_execute(|| {
		register(ALICE, 0);
		System::set_block_number(100);
		assert_eq!(
			ComputeNodes::on_idle(100, polkadot_sdk::frame_support::weights::Weight::zero())
				.ref_time(),
			0
		);
		assert_eq!(Nodes::<Test>::get(0).unwrap().status, NodeStatus::Active);
	});
}

#[test]
fn the_sweep_checks_as_many_nodes_as_its_weight_pays_for() {
	build_and_execute(|| {
		register(ALICE, 0);
		register(BOB, 1);
		System::set_block_number(100);
		// Enough weight for one node, not two.
		let one = <() as crate::WeightInfo>::sweep(1);
		assert_eq!(ComputeNodes::on_idle(100, one), one);
		assert_eq!(Nodes::<Test>::get(0).unwrap().status, NodeStatus::Inactive);
		assert_eq!(Nodes::<Test>::get(1).unwrap().status, NodeStatus::Active);
		assert_eq!(SweepCursor::<Test>::get(), 1);
		// The next block goes on from the cursor.
		assert_eq!(ComputeNodes::on_idle(100, one), one);
		assert_eq!(Nodes::<Test>::get(1).unwrap().status, NodeStatus::Inactive);
	});
}

// ROTATE WORKER KEY

#[test]
fn rotate_worker_key_works_without_the_old_key() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		let new_key = worker_key(1);
		// The node has the new key, indexed instead of the old one (key 0), and nothing else
		// about it changed.
		assert_rotate_worker_key(ALICE, node, &new_key);
		// The node keeps its history: same id, bond, reputation; the new key heartbeats.
		run_to_block(11);
		let (heartbeat, signature) = signed_heartbeat(node, 1);
		assert_heartbeat(heartbeat, signature);
		let (heartbeat, old) = signed_heartbeat(node, 0);
		assert_eq!(authorize(heartbeat, old), rejected(HeartbeatRejection::BadSignature));
	});
}

#[test]
fn rotate_worker_key_rejects_bad_input() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		register(BOB, 2);
		let new_key = worker_key(1);
		let rotate = |who, node, key: WorkerKey, proof| {
			ComputeNodes::rotate_worker_key(RuntimeOrigin::signed(who), node, key, proof)
		};
		assert_noop!(
			rotate(ALICE, 9, new_key.clone(), proof(ALICE, &new_key)),
			Error::<Test>::UnknownNode
		);
		assert_noop!(
			rotate(BOB, node, new_key.clone(), proof(BOB, &new_key)),
			Error::<Test>::NotNodeOwner
		);
		assert_noop!(
			rotate(ALICE, node, worker_key(2), proof(ALICE, &worker_key(2))),
			Error::<Test>::DuplicateWorkerKey
		);
		// No proof from the new key: a signature by the old one.
		let by_old =
			worker_key(0).sign(&ComputeNodes::key_proof_payload(&ALICE, &new_key)).unwrap();
		assert_noop!(rotate(ALICE, node, new_key.clone(), by_old), Error::<Test>::BadProof);
		// A proof made before Alice's last registration.
		let stale = {
			let payload = (b"swarm/node-key", System::block_hash(0), ALICE, 0u32, new_key.clone());
			new_key.sign(&codec::Encode::encode(&payload)).unwrap()
		};
		assert_noop!(rotate(ALICE, node, new_key.clone(), stale), Error::<Test>::ProofReplayed);
		assert_ok!(ComputeNodes::deregister(RuntimeOrigin::signed(ALICE), node));
		assert_noop!(
			rotate(ALICE, node, new_key.clone(), proof(ALICE, &new_key)),
			Error::<Test>::NodeUnbonding
		);
	});
}

// UPDATE NODE, BOND EXTRA

#[test]
fn update_node_works() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		let caps = CapabilitiesInput { cores: 64, formats: vec![ModelFormat::Gguf], ..cpu_node() };
		assert_update_node(ALICE, node, Some(b"new-peer".to_vec()), Some(caps));
		// Only the peer id changes; the capabilities stay.
		assert_update_node(ALICE, node, Some(b"only-peer".to_vec()), None);
		assert_eq!(Nodes::<Test>::get(node).unwrap().capabilities.cores, 64);
	});
}

#[test]
fn update_node_rejects_bad_input() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		let update = |who, node, peer, caps| {
			ComputeNodes::update_node(RuntimeOrigin::signed(who), node, peer, caps)
		};
		assert_noop!(update(ALICE, node, None, None), Error::<Test>::NothingToUpdate);
		assert_noop!(update(ALICE, 4, Some(b"p".to_vec()), None), Error::<Test>::UnknownNode);
		assert_noop!(update(BOB, node, Some(b"p".to_vec()), None), Error::<Test>::NotNodeOwner);
		assert_noop!(update(ALICE, node, Some(vec![]), None), Error::<Test>::BadPeerId);
		assert_noop!(
			update(
				ALICE,
				node,
				None,
				Some(CapabilitiesInput { accelerator: Some(vec![1; 17]), ..cpu_node() })
			),
			Error::<Test>::AcceleratorTooLong
		);
		assert_noop!(
			update(
				ALICE,
				node,
				None,
				Some(CapabilitiesInput { formats: vec![ModelFormat::Gguf; 2], ..cpu_node() })
			),
			Error::<Test>::BadFormats
		);
		assert_ok!(ComputeNodes::deregister(RuntimeOrigin::signed(ALICE), node));
		assert_noop!(update(ALICE, node, Some(b"p".to_vec()), None), Error::<Test>::NodeUnbonding);
	});
}

#[test]
fn bond_extra_works_and_checks_input() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		// The bond is 750, all of it held.
		assert_bond_extra(ALICE, node, 250);
		assert_eq!(bond_held(ALICE), 750);
		assert_noop!(
			ComputeNodes::bond_extra(RuntimeOrigin::signed(ALICE), node, 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			ComputeNodes::bond_extra(RuntimeOrigin::signed(ALICE), node, 1_000_000),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			ComputeNodes::bond_extra(RuntimeOrigin::signed(BOB), node, 1),
			Error::<Test>::NotNodeOwner
		);
		assert_noop!(
			ComputeNodes::bond_extra(RuntimeOrigin::signed(ALICE), 8, 1),
			Error::<Test>::UnknownNode
		);
	});
}

// DEREGISTER, WITHDRAW

#[test]
fn deregister_then_withdraw_returns_the_bond() {
	build_and_execute(|| {
		let free = Balances::balance(&ALICE);
		let node = register(ALICE, 0);
		// Unbonding until block 51.
		assert_deregister(ALICE, node);
		assert_eq!(Nodes::<Test>::get(node).unwrap().status, NodeStatus::Unbonding { until: 51 });
		assert!(!ComputeNodes::is_eligible(node));
		assert_noop!(
			ComputeNodes::withdraw_bond(RuntimeOrigin::signed(ALICE), node),
			Error::<Test>::StillUnbonding
		);
		run_to_block(51);
		// The node and its index entries are gone, the whole bond (500) is released.
		assert_withdraw_bond(ALICE, node);
		assert_eq!(bond_held(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), free);
		// The key is free again.
		register(BOB, 0);
	});
}

#[test]
fn deregister_and_withdraw_reject_bad_input() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		assert_noop!(
			ComputeNodes::deregister(RuntimeOrigin::signed(BOB), node),
			Error::<Test>::NotNodeOwner
		);
		assert_noop!(
			ComputeNodes::deregister(RuntimeOrigin::signed(ALICE), 3),
			Error::<Test>::UnknownNode
		);
		assert_noop!(
			ComputeNodes::withdraw_bond(RuntimeOrigin::signed(ALICE), node),
			Error::<Test>::NotUnbonding
		);
		assert_noop!(
			ComputeNodes::withdraw_bond(RuntimeOrigin::signed(ALICE), 3),
			Error::<Test>::UnknownNode
		);
		assert_ok!(ComputeNodes::force_jail(RuntimeOrigin::root(), node, 10));
		assert_noop!(
			ComputeNodes::deregister(RuntimeOrigin::signed(ALICE), node),
			Error::<Test>::StillJailed
		);
		run_to_block(11);
		assert_ok!(ComputeNodes::deregister(RuntimeOrigin::signed(ALICE), node));
		assert_noop!(
			ComputeNodes::deregister(RuntimeOrigin::signed(ALICE), node),
			Error::<Test>::NodeUnbonding
		);
		assert_noop!(
			ComputeNodes::withdraw_bond(RuntimeOrigin::signed(BOB), node),
			Error::<Test>::NotNodeOwner
		);
	});
}

// JAIL

#[test]
fn force_jail_and_unjail_work() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		assert_force_jail(node, 10);
		assert_eq!(Nodes::<Test>::get(node).unwrap().status, NodeStatus::Jailed { until: 11 });
		assert!(!ComputeNodes::is_eligible(node));
		assert_noop!(
			ComputeNodes::unjail(RuntimeOrigin::signed(ALICE), node),
			Error::<Test>::StillJailed
		);
		run_to_block(11);
		// Active again: its last heartbeat (block 1) is within the timeout.
		assert_unjail(ALICE, node);
		assert_eq!(Nodes::<Test>::get(node).unwrap().status, NodeStatus::Active);
		assert!(ComputeNodes::is_eligible(node));
	});
}

#[test]
fn jail_calls_reject_bad_input() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		assert_noop!(
			ComputeNodes::force_jail(RuntimeOrigin::signed(ALICE), node, 1),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ComputeNodes::force_jail(RuntimeOrigin::root(), 6, 1),
			Error::<Test>::UnknownNode
		);
		assert_noop!(
			ComputeNodes::unjail(RuntimeOrigin::signed(ALICE), node),
			Error::<Test>::NotJailed
		);
		assert_noop!(
			ComputeNodes::unjail(RuntimeOrigin::signed(BOB), node),
			Error::<Test>::NotNodeOwner
		);
		assert_noop!(
			ComputeNodes::unjail(RuntimeOrigin::signed(ALICE), 6),
			Error::<Test>::UnknownNode
		);
		assert_ok!(ComputeNodes::deregister(RuntimeOrigin::signed(ALICE), node));
		assert_noop!(
			ComputeNodes::force_jail(RuntimeOrigin::root(), node, 1),
			Error::<Test>::NodeUnbonding
		);
		assert_noop!(
			ComputeNodes::unjail(RuntimeOrigin::signed(ALICE), node),
			Error::<Test>::NodeUnbonding
		);
	});
}

// TRAITS FOR OTHER PALLETS

#[test]
fn credited_work_is_counted_by_kind_and_a_revoked_credit_taken_back() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		let other = register(BOB, 1);
		let work = |node| Nodes::<Test>::get(node).unwrap().work_done;
		assert_eq!(work(node), WorkDone::default());
		for credited in [
			WorkId::Job(0),
			WorkId::Job(1),
			WorkId::Dispute(1),
			WorkId::Round(0),
			WorkId::Committee(0),
			WorkId::RoundDispute(0),
			// Root's payments for other work are not work the chain verified.
			WorkId::Other(0),
		] {
			ComputeNodes::credit(node, credited, Perbill::zero());
		}
		assert_eq!(work(node), WorkDone { jobs: 3, rounds: 1, committees: 2 });
		ComputeNodes::revoke(node, WorkId::Job(1));
		assert_eq!(work(node), WorkDone { jobs: 2, rounds: 1, committees: 2 });
		// Each node has its own counts, and they never go below zero.
		assert_eq!(work(other), WorkDone::default());
		ComputeNodes::revoke(other, WorkId::Round(0));
		assert_eq!(work(other), WorkDone::default());
		// The counts are part of what queries return.
		assert_eq!(ComputeNodes::nodes(0, 2)[0].1.work_done, work(node));
	});
}

#[test]
fn reputation_moves_in_fixed_point_towards_its_bounds() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		ComputeNodes::credit(node, WorkId::Job(0), Perbill::from_percent(50));
		assert_eq!(Nodes::<Test>::get(node).unwrap().reputation, Perbill::from_percent(75));
		System::assert_last_event(
			Event::ReputationChanged { node, reputation: Perbill::from_percent(75) }.into(),
		);
		ComputeNodes::lower(node, Perbill::from_percent(20));
		assert_eq!(Nodes::<Test>::get(node).unwrap().reputation, Perbill::from_percent(60));
		ComputeNodes::credit(node, WorkId::Job(1), Perbill::one());
		assert_eq!(Nodes::<Test>::get(node).unwrap().reputation, Perbill::one());
		ComputeNodes::lower(node, Perbill::one());
		assert_eq!(Nodes::<Test>::get(node).unwrap().reputation, Perbill::zero());
		// Unknown nodes are ignored: no storage change, no event.
		let events = System::events().len();
		assert_storage_noop!(ComputeNodes::credit(42, WorkId::Job(0), Perbill::one()));
		assert_storage_noop!(ComputeNodes::revoke(42, WorkId::Job(0)));
		assert_storage_noop!(ComputeNodes::lower(42, Perbill::one()));
		assert_storage_noop!(<ComputeNodes as Reputation>::jail(42, 10));
		assert_eq!(System::events().len(), events);
	});
}

#[test]
fn jail_through_the_trait() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		<ComputeNodes as Reputation>::jail(node, 5);
		assert_eq!(Nodes::<Test>::get(node).unwrap().status, NodeStatus::Jailed { until: 6 });
	});
}

#[test]
fn a_jail_only_extends() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		assert_force_jail(node, 100);
		let events = System::events().len();
		// A later, shorter jail (from a pallet, or from root) leaves the longer one in place.
		<ComputeNodes as Reputation>::jail(node, 10);
		assert_force_jail(node, 5);
		assert_eq!(Nodes::<Test>::get(node).unwrap().status, NodeStatus::Jailed { until: 101 });
		assert_eq!(System::events().len(), events, "an unchanged jail emits nothing");
		// A longer one extends it.
		run_to_block(50);
		<ComputeNodes as Reputation>::jail(node, 100);
		assert_eq!(Nodes::<Test>::get(node).unwrap().status, NodeStatus::Jailed { until: 150 });
		System::assert_last_event(Event::NodeJailed { node, until: 150 }.into());
	});
}

#[test]
fn slashing_moves_a_share_of_the_bond_to_the_pot() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		let total = Balances::total_issuance();
		let taken = ComputeNodes::slash(node, Perbill::from_percent(90)).unwrap();
		assert_eq!(taken, 450);
		assert_eq!(Nodes::<Test>::get(node).unwrap().bond, 50);
		assert_eq!(bond_held(ALICE), 50);
		assert_eq!(Balances::balance(&POT), 451);
		assert_eq!(Balances::total_issuance(), total, "slashed funds go to the pot, not burnt");
		System::assert_last_event(Event::NodeSlashed { node, amount: 450 }.into());
		// Below MinBond the node may not work until topped up.
		assert!(!ComputeNodes::is_eligible(node));
		assert_bond_extra(ALICE, node, 50);
		assert!(ComputeNodes::is_eligible(node));
		assert_eq!(ComputeNodes::slash(9, Perbill::one()), Err(Error::<Test>::UnknownNode.into()));
	});
}

#[test]
fn node_registry_answers_for_other_pallets() {
	build_and_execute(|| {
		let node = register(ALICE, 0);
		assert_eq!(ComputeNodes::owner_of(node), Some(ALICE));
		assert_eq!(ComputeNodes::owner_of(5), None);
		assert!(ComputeNodes::is_eligible(node));
		assert!(!ComputeNodes::is_eligible(5));
		let (id, info) = ComputeNodes::node_by_key(&worker_key(0)).unwrap();
		assert_eq!((id, info.owner), (node, ALICE));
	});
}

#[test]
fn worker_key_names_the_key_a_node_signs_with() {
	use swarm_primitives::WorkerDirectory;
	build_and_execute(|| {
		let node = register(ALICE, 0);
		assert_eq!(ComputeNodes::worker_key(node), Some(worker_key(0)));
		assert_eq!(ComputeNodes::worker_key(99), None);
	});
}

#[test]
fn choose_draws_distinct_eligible_nodes_by_seed() {
	use swarm_primitives::{WorkNeeds, WorkerDirectory};
	build_and_execute(|| {
		let nodes: Vec<NodeId> =
			(0..4).map(|key| register(if key < 2 { ALICE } else { BOB }, key)).collect();
		let needs = WorkNeeds { memory_mib: 1024 };
		let chosen = ComputeNodes::choose(&[1; 32], 3, &[], &needs);
		assert_eq!(chosen.len(), 3);
		assert!(chosen.iter().all(|n| nodes.contains(n)));
		assert_eq!(chosen.iter().collect::<std::collections::BTreeSet<_>>().len(), 3);
		// The same seed gives the same nodes; other seeds spread the choice over all nodes.
		assert_eq!(ComputeNodes::choose(&[1; 32], 3, &[], &needs), chosen);
		let mut seen = std::collections::BTreeSet::new();
		for seed in 0..16u8 {
			seen.extend(ComputeNodes::choose(&[seed; 32], 1, &[], &needs));
		}
		assert_eq!(seen.len(), 4);
		// Asking for more than there are gives all of them; excluded nodes are left out.
		assert_eq!(ComputeNodes::choose(&[1; 32], 9, &[], &needs).len(), 4);
		let rest = ComputeNodes::choose(&[1; 32], 4, &nodes[..2], &needs);
		assert_eq!(
			rest.iter().collect::<std::collections::BTreeSet<_>>(),
			nodes[2..].iter().collect()
		);
	});
}

#[test]
fn choose_leaves_out_nodes_that_cannot_take_the_work() {
	use swarm_primitives::{WorkNeeds, WorkerDirectory};
	build_and_execute(|| {
		let jailed = register(ALICE, 0);
		let unbonding = register(ALICE, 1);
		let fit = register(BOB, 2);
		assert_ok!(ComputeNodes::force_jail(RawOrigin::Root.into(), jailed, 10));
		assert_ok!(ComputeNodes::deregister(RuntimeOrigin::signed(ALICE), unbonding));
		assert_eq!(Candidates::<Test>::get().into_inner(), vec![jailed, fit]);
		let needs = WorkNeeds { memory_mib: 16_384 };
		for seed in 0..8u8 {
			assert_eq!(ComputeNodes::choose(&[seed; 32], 3, &[], &needs), vec![fit]);
		}
		// Too little memory, or no safetensors: not chosen.
		assert!(
			ComputeNodes::choose(&[0; 32], 3, &[], &WorkNeeds { memory_mib: 16_385 }).is_empty()
		);
		let onnx_only = CapabilitiesInput { formats: vec![ModelFormat::Onnx], ..cpu_node() };
		assert_ok!(ComputeNodes::update_node(
			RuntimeOrigin::signed(BOB),
			fit,
			None,
			Some(onnx_only)
		));
		assert!(ComputeNodes::choose(&[0; 32], 3, &[], &needs).is_empty());
	});
}

#[test]
fn calls_that_check_a_key_proof_declare_its_failing_path() {
	use polkadot_sdk::frame_support::dispatch::GetDispatchInfo;
	build_and_execute(|| {
		let reject = <() as WeightInfo>::reject_key_proof();
		let key = worker_key(0);
		let register = Call::<Test>::register_node {
			worker_key: key.clone(),
			proof: proof(ALICE, &key),
			peer_id: vec![],
			capabilities: cpu_node(),
			bond: 500,
		};
		let rotate = Call::<Test>::rotate_worker_key {
			node: 0,
			new_key: key.clone(),
			proof: proof(ALICE, &key),
		};
		assert_eq!(
			register.get_dispatch_info().call_weight,
			<() as WeightInfo>::register_node().max(reject)
		);
		assert_eq!(
			rotate.get_dispatch_info().call_weight,
			<() as WeightInfo>::rotate_worker_key().max(reject)
		);
	});
}

// TESTING UTILITIES

#[test]
fn the_snapshot_catches_a_collateral_write() {
	build_and_execute(|| {
		// given two nodes, and the state Bob's `bond_extra` of 100 must leave: his node's bond
		// and his hold 100 higher, nothing else changed
		let alices = register(ALICE, 0);
		let bobs = register(BOB, 1);
		let mut expected = MemorySnapshot::new();
		expected.node_mut(bobs).bond += 100;
		expected.balances.hold(BOB, 100);
		assert_ok!(ComputeNodes::bond_extra(RuntimeOrigin::signed(BOB), bobs, 100));
		assert_eq!(expected.diff(&MemorySnapshot::new()), Vec::<String>::new());
		// when a write the call should not make lands as well: Alice's node loses its
		// reputation
		Nodes::<Test>::mutate(alices, |info| info.as_mut().unwrap().reputation = Perbill::zero());
		// then the comparison reports that entry, and only it
		let post = MemorySnapshot::new();
		let diff = expected.diff(&post);
		assert_eq!(diff.len(), 1, "{diff:#?}");
		assert!(diff[0].starts_with(&format!("Nodes[{alices}]: expected ")), "{diff:#?}");
		assert!(std::panic::catch_unwind(|| expected.assert_matches(&post)).is_err());
	});
}
