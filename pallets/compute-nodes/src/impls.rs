//! The traits through which other pallets use compute nodes.

use crate::{BalanceOf, Config, Event, NodeStatus, Nodes, Pallet};
use polkadot_sdk::{
	frame_support::traits::Get,
	frame_system,
	sp_runtime::{DispatchError, Perbill, Saturating},
};
use swarm_primitives::{BondSlasher, NodeId, NodeRegistry, Reputation};

impl<T: Config> NodeRegistry<T::AccountId> for Pallet<T> {
	fn owner_of(node: NodeId) -> Option<T::AccountId> {
		Nodes::<T>::get(node).map(|info| info.owner)
	}

	fn is_eligible(node: NodeId) -> bool {
		let now = frame_system::Pallet::<T>::block_number();
		Nodes::<T>::get(node).is_some_and(|info| {
			info.bond >= T::MinBond::get() &&
				Pallet::<T>::effective_status(&info, now) == NodeStatus::Active
		})
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_node(owner: &T::AccountId) -> NodeId {
		crate::benchmarking::registered::<T>(owner).0
	}
}

impl<T: Config> Reputation for Pallet<T> {
	fn raise(node: NodeId, by: Perbill) {
		Nodes::<T>::mutate(node, |info| {
			if let Some(info) = info {
				let gain = by * (Perbill::one().saturating_sub(info.reputation));
				info.reputation = info.reputation.saturating_add(gain);
				Pallet::<T>::deposit_event(Event::ReputationChanged {
					node,
					reputation: info.reputation,
				});
			}
		});
	}

	fn lower(node: NodeId, by: Perbill) {
		Nodes::<T>::mutate(node, |info| {
			if let Some(info) = info {
				let loss = by * info.reputation;
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
