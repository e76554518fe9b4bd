//! The traits through which other pallets use compute nodes.

use crate::{BalanceOf, Config, Event, NodeStatus, Nodes, Pallet};
use polkadot_sdk::{
	frame_system,
	sp_runtime::{DispatchError, Perbill, Saturating},
};
use swarm_primitives::{
	worker, BondSlasher, NodeId, NodeRegistry, Reputation, WorkId, WorkNeeds, WorkerDirectory,
};

/// The most nodes [`WorkerDirectory::choose`] reads in one choice: it stops there even when it
/// has found fewer than asked for.
pub const MAX_CHOOSE_DRAWS: u32 = 64;

impl<T: Config> NodeRegistry<T::AccountId> for Pallet<T> {
	fn owner_of(node: NodeId) -> Option<T::AccountId> {
		Nodes::<T>::get(node).map(|info| info.owner)
	}

	fn is_eligible(node: NodeId) -> bool {
		let now = frame_system::Pallet::<T>::block_number();
		Nodes::<T>::get(node).is_some_and(|info| Pallet::<T>::eligible(&info, now))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_node(owner: &T::AccountId) -> NodeId {
		crate::benchmarking::registered::<T>(owner).0
	}
}

impl<T: Config> WorkerDirectory for Pallet<T> {
	fn worker_key(node: NodeId) -> Option<worker::Public> {
		Nodes::<T>::get(node).map(|info| info.worker_key)
	}

	fn node_of(key: &worker::Public) -> Option<NodeId> {
		crate::NodeByKey::<T>::get(key)
	}

	/// Draws from [`Candidates`](crate::Candidates) without replacement, each draw uniform
	/// over the candidates left (`blake2_256(seed ‖ draw)`), and keeps the nodes that are
	/// eligible, load safetensors and have the memory; at most [`MAX_CHOOSE_DRAWS`] nodes are
	/// read.
	fn choose(
		seed: &[u8; 32],
		count: u32,
		exclude: &[NodeId],
		needs: &WorkNeeds,
	) -> alloc::vec::Vec<NodeId> {
		use codec::Encode;
		let mut pool = crate::Candidates::<T>::get().into_inner();
		pool.retain(|node| !exclude.contains(node));
		let mut chosen = alloc::vec::Vec::new();
		let mut draw = 0u32;
		while (chosen.len() as u64) < u64::from(count) &&
			!pool.is_empty() &&
			draw < MAX_CHOOSE_DRAWS
		{
			let random = polkadot_sdk::sp_io::hashing::blake2_256(&(seed, draw).encode());
			let mut head = [0u8; 8];
			head.copy_from_slice(random.get(..8).unwrap_or(&[0; 8]));
			let index = u64::from_le_bytes(head).checked_rem(pool.len() as u64).unwrap_or(0);
			let node = pool.swap_remove(usize::try_from(index).unwrap_or(0));
			draw = draw.saturating_add(1);
			if Pallet::<T>::fits(node, needs) {
				chosen.push(node);
			}
		}
		chosen
	}
}

impl<T: Config> Reputation for Pallet<T> {
	fn credit(node: NodeId, work: WorkId, by: Perbill) {
		Nodes::<T>::mutate(node, |info| {
			if let Some(info) = info {
				info.work_done.add(work);
				let gain = by.saturating_mul(Perbill::one().saturating_sub(info.reputation));
				info.reputation = info.reputation.saturating_add(gain);
				Pallet::<T>::deposit_event(Event::ReputationChanged {
					node,
					reputation: info.reputation,
				});
			}
		});
	}

	fn revoke(node: NodeId, work: WorkId) {
		Nodes::<T>::mutate(node, |info| {
			if let Some(info) = info {
				info.work_done.remove(work);
			}
		});
	}

	fn lower(node: NodeId, by: Perbill) {
		Nodes::<T>::mutate(node, |info| {
			if let Some(info) = info {
				let loss = by.saturating_mul(info.reputation);
				info.reputation = info.reputation.saturating_sub(loss);
				Pallet::<T>::deposit_event(Event::ReputationChanged {
					node,
					reputation: info.reputation,
				});
			}
		});
	}

	fn jail(node: NodeId, blocks: u32) {
		if let Some(info) = Nodes::<T>::get(node) {
			if !matches!(info.status, NodeStatus::Unbonding { .. }) {
				Pallet::<T>::do_jail(node, info, blocks);
			}
		}
	}
}

impl<T: Config> BondSlasher<BalanceOf<T>> for Pallet<T> {
	fn slash(node: NodeId, share: Perbill) -> Result<BalanceOf<T>, DispatchError> {
		Pallet::<T>::do_slash(node, share)
	}
}
