//! The pallets whose extrinsics are benchmarked to produce their `weights.rs`.

polkadot_sdk::frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_utility, Utility]
	[pallet_model_registry, ModelRegistry]
	[pallet_weights_store, WeightsStore]
	[pallet_compute_nodes, ComputeNodes]
	[pallet_rewards, Rewards]
	[pallet_inference, Inference]
	[pallet_training, Training]
	[pallet_validator_set, ValidatorSet]
);
