//! Benchmarks of the compute-nodes calls, each in its worst case.

use super::*;
use crate::pallet::{Call, Pallet};
use alloc::vec;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		pallet_prelude::TransactionSource,
		traits::{
			fungible::{Inspect, Mutate},
			Authorize, Get,
		},
	},
	frame_system::RawOrigin,
	sp_runtime::{
		traits::{One, Saturating},
		RuntimeAppPublic,
	},
};
use swarm_primitives::benchmark_balance;

fn funded<T: Config>(index: u32) -> T::AccountId {
	let who: T::AccountId = account("owner", index, 0);
	T::Currency::set_balance(&who, benchmark_balance());
	who
}

/// The largest capabilities a node may declare.
fn largest_capabilities<T: Config>() -> CapabilitiesInput {
	let formats =
		[ModelFormat::Safetensors, ModelFormat::Onnx, ModelFormat::Gguf, ModelFormat::PyTorch];
	CapabilitiesInput {
		cores: u32::MAX,
		memory_mib: u32::MAX,
		accelerator: Some(vec![b'a'; T::MaxAcceleratorLen::get() as usize]),
		formats: formats.into_iter().take(T::MaxFormats::get() as usize).collect(),
	}
}

/// Registers a node of `owner` (funding its bond) with a fresh worker key; returns its id and
/// key. Other pallets' benchmarks reach it through `NodeRegistry::benchmark_node`.
pub(crate) fn registered<T: Config>(owner: &T::AccountId) -> (NodeId, WorkerKey) {
	if T::Currency::balance(owner) < T::MinBond::get().saturating_mul(2u32.into()) {
		T::Currency::set_balance(owner, benchmark_balance());
	}
	let key = WorkerKey::generate_pair(None);
	let proof = key
		.sign(&Pallet::<T>::key_proof_payload(owner, &key))
		.expect("benchmark setup: the key was generated in the keystore");
	let id = NextNodeId::<T>::get();
	Pallet::<T>::register_node(
		RawOrigin::Signed(owner.clone()).into(),
		key.clone(),
		proof,
		vec![b'p'; T::MaxPeerIdLen::get() as usize],
		largest_capabilities::<T>(),
		T::MinBond::get(),
	)
	.expect("benchmark setup: the registration is valid");
	(id, key)
}

/// A heartbeat of `node` signed by `key` at the current block, after moving past the rate limit.
fn due_heartbeat<T: Config>(
	node: NodeId,
	key: &WorkerKey,
) -> (Heartbeat<BlockNumberFor<T>>, WorkerSignature) {
	let now = frame_system::Pallet::<T>::block_number().saturating_add(T::HeartbeatInterval::get());
	frame_system::Pallet::<T>::set_block_number(now);
	let beat = Heartbeat { node, at: now };
	let signature = key
		.sign(&Pallet::<T>::heartbeat_payload(&beat))
		.expect("benchmark setup: the key was generated in the keystore");
	(beat, signature)
}

use polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor;

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Worst case: longest peer id and capabilities.
	#[benchmark]
	fn register_node() {
		let owner = funded::<T>(0);
		let key = WorkerKey::generate_pair(None);
		let proof =
			key.sign(&Pallet::<T>::key_proof_payload(&owner, &key)).expect("key in keystore");

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner.clone()),
			key,
			proof,
			vec![b'p'; T::MaxPeerIdLen::get() as usize],
			largest_capabilities::<T>(),
			T::MinBond::get(),
		);

		assert_eq!(Nodes::<T>::get(0).map(|n| n.owner), Some(owner));
	}

	/// Worst case: the node was inactive and is reactivated.
	#[benchmark]
	fn heartbeat() {
		let owner = funded::<T>(0);
		let (node, key) = registered::<T>(&owner);
		Nodes::<T>::mutate(node, |n| {
			if let Some(n) = n {
				n.status = NodeStatus::Inactive;
			}
		});
		let (beat, signature) = due_heartbeat::<T>(node, &key);

		#[extrinsic_call]
		_(RawOrigin::Authorized, beat, signature);

		assert_eq!(Nodes::<T>::get(node).map(|n| n.status), Some(NodeStatus::Active));
	}

	#[benchmark]
	fn authorize_heartbeat() -> Result<(), BenchmarkError> {
		let owner = funded::<T>(0);
		let (node, key) = registered::<T>(&owner);
		let (beat, signature) = due_heartbeat::<T>(node, &key);
		let call = Call::<T>::heartbeat { heartbeat: beat, signature };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("heartbeat is an authorized call")?
				.map_err(|_| "the heartbeat is valid")?;
		}

		Ok(())
	}

	#[benchmark]
	fn rotate_worker_key() {
		let owner = funded::<T>(0);
		let (node, _) = registered::<T>(&owner);
		let new_key = WorkerKey::generate_pair(None);
		let proof = new_key
			.sign(&Pallet::<T>::key_proof_payload(&owner, &new_key))
			.expect("key in keystore");

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node, new_key.clone(), proof);

		assert_eq!(NodeByKey::<T>::get(&new_key), Some(node));
	}

	/// The failing path of a key proof, which `register_node` and `rotate_worker_key` may take
	/// instead of their success path: a proof for neither the owner's current nonce nor the
	/// previous one is checked against both, two signature verifications.
	#[benchmark]
	fn reject_key_proof() {
		let owner = funded::<T>(0);
		registered::<T>(&owner);
		let key = WorkerKey::generate_pair(None);
		let proof = key.sign(&b"not a key proof payload".to_vec()).expect("key in keystore");
		let result;

		#[block]
		{
			result = Pallet::<T>::check_key_proof(&owner, &key, &proof);
		}

		assert_eq!(result, Err(Error::<T>::BadProof.into()));
	}

	/// Worst case: both the peer id and the capabilities change, at their longest.
	#[benchmark]
	fn update_node() {
		let owner = funded::<T>(0);
		let (node, _) = registered::<T>(&owner);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner),
			node,
			Some(vec![b'q'; T::MaxPeerIdLen::get() as usize]),
			Some(largest_capabilities::<T>()),
		);

		assert_eq!(Nodes::<T>::get(node).map(|n| n.peer_id[0]), Some(b'q'));
	}

	#[benchmark]
	fn bond_extra() {
		let owner = funded::<T>(0);
		let (node, _) = registered::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node, T::MinBond::get());

		assert_eq!(
			Nodes::<T>::get(node).map(|n| n.bond),
			Some(T::MinBond::get().saturating_mul(2u32.into()))
		);
	}

	#[benchmark]
	fn deregister() {
		let owner = funded::<T>(0);
		let (node, _) = registered::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node);

		assert!(matches!(
			Nodes::<T>::get(node).map(|n| n.status),
			Some(NodeStatus::Unbonding { .. })
		));
	}

	#[benchmark]
	fn withdraw_bond() {
		let owner = funded::<T>(0);
		let (node, _) = registered::<T>(&owner);
		Pallet::<T>::deregister(RawOrigin::Signed(owner.clone()).into(), node)
			.expect("setup: registered");
		let later =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		frame_system::Pallet::<T>::set_block_number(later);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node);

		assert!(Nodes::<T>::get(node).is_none());
	}

	#[benchmark]
	fn unjail() {
		let owner = funded::<T>(0);
		let (node, _) = registered::<T>(&owner);
		Pallet::<T>::force_jail(RawOrigin::Root.into(), node, 1).expect("setup: registered");
		let later = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(later);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), node);

		assert!(!matches!(
			Nodes::<T>::get(node).map(|n| n.status),
			Some(NodeStatus::Jailed { .. })
		));
	}

	#[benchmark]
	fn force_jail() {
		let owner = funded::<T>(0);
		let (node, _) = registered::<T>(&owner);

		#[extrinsic_call]
		_(RawOrigin::Root, node, 100);

		assert!(matches!(Nodes::<T>::get(node).map(|n| n.status), Some(NodeStatus::Jailed { .. })));
	}

	/// `n` nodes checked, each found timed out and marked inactive (the worst case).
	#[benchmark]
	fn sweep(n: Linear<0, { T::MaxSweepPerBlock::get() }>) {
		for i in 0..n {
			let owner = funded::<T>(i);
			registered::<T>(&owner);
		}
		let later = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::HeartbeatTimeout::get())
			.saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(later);

		#[block]
		{
			Pallet::<T>::sweep(later, polkadot_sdk::frame_support::weights::Weight::MAX);
		}

		if n > 0 {
			assert_eq!(Nodes::<T>::get(0).map(|node| node.status), Some(NodeStatus::Inactive));
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext().0, crate::mock::Test);
}
