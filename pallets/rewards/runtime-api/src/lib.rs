//! The `RewardsApi` runtime API: the reward pot, the emission, the issuance accounting and the
//! earnings of nodes and accounts.

#![cfg_attr(not(feature = "std"), no_std)]

use codec::{Codec, Decode, Encode};
use polkadot_sdk::sp_runtime::Perbill;
use scale_info::TypeInfo;
use swarm_primitives::NodeId;

/// The state of issuance and the pot.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct RewardsStatus<AccountId, Balance> {
	/// The pot's account.
	pub pot: AccountId,
	/// What the pot holds.
	pub pot_balance: Balance,
	/// What the pot can pay (its balance above the existential deposit).
	pub pot_available: Balance,
	/// What each block mints.
	pub emission_per_block: Balance,
	/// The share of the emission that goes to the block's author.
	pub author_share: Perbill,
	/// The total issuance at genesis.
	pub genesis_issuance: Balance,
	/// Minted since genesis.
	pub minted: Balance,
	/// Burnt since genesis.
	pub burnt: Balance,
	/// The total issuance now (= genesis + minted − burnt).
	pub total_issuance: Balance,
}

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries of rewards.
	#[api_version(1)]
	pub trait RewardsApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// The pot, the emission and the issuance accounting.
		fn status() -> RewardsStatus<AccountId, Balance>;

		/// What a node has earned from work payments.
		fn node_earnings(node: NodeId) -> Balance;

		/// What an account has earned: payments to its nodes and author rewards.
		fn account_earnings(account: AccountId) -> Balance;
	}
}
