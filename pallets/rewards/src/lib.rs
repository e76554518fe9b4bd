//! # Rewards Pallet
//!
//! Issuance for Swarmchain: every block mints an emission, part to the block's author and the
//! rest into a reward pot, from which verified ML work is paid.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for calls, storage, events and errors. Other pallets pay work through
//! [`swarm_primitives::WorkRewards`], implemented by [`Pallet`]. The pallet is also the runtime's
//! sink for funds nobody owns any more ([`OnUnbalanced`]: transaction fees, dust, slashed bonds),
//! which it puts in the pot. Queries are in the `RewardsApi` runtime API.
//!
//! ## Overview
//!
//! - **Emission.** Each block mints [`EmissionPerBlock`]. [`AuthorShare`] of it goes to the account
//!   of the block's author; the rest goes to the pot. Root changes both.
//! - **Payment.** A pallet that verified a piece of work (an inference job, a training round) calls
//!   `WorkRewards::pay(work, shares, amount)`: `amount` leaves the pot, split between the nodes in
//!   proportion to their weights, each share paid to the node's owner. The pot never pays more than
//!   it holds above the existential deposit; a payment it cannot make fails whole, paying nothing
//!   (the transfers run in a storage layer). A node has at most one share per payment. Jailed,
//!   inactive or unbonding nodes are paid all the same: a jail stops a node from taking new work,
//!   it does not take back pay for work the calling pallet verified; a caller that withholds pay
//!   leaves the node out of the shares. Root can pay too, with [`Pallet::pay_work`].
//! - **Slashing** is the compute-nodes pallet's (it holds the bonds); slashed funds come here, into
//!   the pot, and are paid out again as rewards. Nothing this pallet handles is burnt, unless the
//!   pot cannot take it (it always can: it is kept above the existential deposit).
//! - **Accounting.** Every mint and burn is counted, so that at all times `total issuance = genesis
//!   issuance + minted − burnt`; `try_state` checks it, and the pot's balance, after every test.
//!
//! ## Low Level / Implementation Details
//!
//! The pot is the account of [`Config::PotId`]. It is endowed with the existential deposit at
//! genesis (recorded as minted) so that it always exists. A share is
//! `amount × weight / total weight`, rounded down; the remainders stay in the pot. Earnings are
//! recorded per node ([`NodeEarnings`]) and per account ([`AccountEarnings`]).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod mock;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod testing_utils;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{
		self,
		weights::Weight,
		traits::{
			fungible::{Balanced, Credit, Inspect, Mutate},
			tokens::{Fortitude, Preservation},
			Imbalance, OnUnbalanced,
		},
		PalletId,
	},
	frame_system,
	sp_runtime::{
		helpers_128bit::multiply_by_rational_with_rounding,
		traits::{AccountIdConversion, Saturating, UniqueSaturatedInto, Zero},
		DispatchError, Rounding,
	},
};
use swarm_primitives::{NodeId, NodeRegistry, WorkId, WorkRewards};

/// The logging target of this pallet.
pub const LOG_TARGET: &str = "runtime::rewards";

/// The balance type of the currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `author` the author of the current block, as [`Config::FindAuthor`] finds it in
	/// the block's digest.
	fn set_author(author: &AccountId);
}

// FRAME's macros expand to `expect`s carrying their proofs (e.g. the size of an encoded error);
// the code written in this module uses none.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{pallet_prelude::*, traits::FindAuthor};
	use frame_system::pallet_prelude::*;
	use polkadot_sdk::sp_runtime::Perbill;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the rewards pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency minted and paid.
		type Currency: Mutate<Self::AccountId> + Balanced<Self::AccountId>;

		/// The id whose account is the reward pot.
		#[pallet::constant]
		type PotId: Get<PalletId>;

		/// Finds the account of the current block's author.
		type FindAuthor: FindAuthor<Self::AccountId>;

		/// Compute nodes: who owns the node a share is for.
		type Nodes: NodeRegistry<Self::AccountId>;

		/// The most nodes one payment may be split between.
		#[pallet::constant]
		type MaxShares: Get<u32>;

		/// Weights of this pallet's calls and hooks, from its benchmarks.
		type WeightInfo: WeightInfo;

		/// Makes a block author that [`Config::FindAuthor`] finds, so that the emission's
		/// benchmark measures the author's share (a mint into a new account) too.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// How much each block mints, in the currency's smallest unit.
	#[pallet::storage]
	pub type EmissionPerBlock<T> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// The share of each block's emission paid to its author; the rest goes to the pot.
	#[pallet::storage]
	pub type AuthorShare<T> = StorageValue<_, Perbill, ValueQuery>;

	/// The total issuance when the chain started.
	#[pallet::storage]
	pub type GenesisIssuance<T> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Everything this pallet minted since genesis.
	#[pallet::storage]
	pub type Minted<T> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Everything burnt since genesis (funds the pot could not take).
	#[pallet::storage]
	pub type Burnt<T> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// What each node has earned from work payments.
	// Hasher: Twox64Concat is safe, node ids are assigned by the compute-nodes pallet.
	#[pallet::storage]
	pub type NodeEarnings<T: Config> =
		StorageMap<_, Twox64Concat, NodeId, BalanceOf<T>, ValueQuery>;

	/// What each account has earned: work payments to its nodes and author rewards.
	// Hasher: Blake2_128Concat, accounts are chosen by users.
	#[pallet::storage]
	pub type AccountEarnings<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// How much each block mints.
		pub emission_per_block: BalanceOf<T>,
		/// The share of each block's emission paid to its author.
		pub author_share: Perbill,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			EmissionPerBlock::<T>::put(self.emission_per_block);
			AuthorShare::<T>::put(self.author_share);
			let pot = Pallet::<T>::pot();
			let minimum = T::Currency::minimum_balance();
			let balance = T::Currency::balance(&pot);
			if balance < minimum {
				let endowed = T::Currency::mint_into(&pot, minimum.saturating_sub(balance))
					.unwrap_or_else(|_| Zero::zero());
				Minted::<T>::put(endowed);
			}
			GenesisIssuance::<T>::put(
				T::Currency::total_issuance().saturating_sub(Minted::<T>::get()),
			);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A block's emission was minted: `to_author` to its author, `to_pot` into the pot.
		Emitted { author: Option<T::AccountId>, to_author: BalanceOf<T>, to_pot: BalanceOf<T> },
		/// A node's share of a work payment was paid to its owner.
		RewardPaid { work: WorkId, node: NodeId, owner: T::AccountId, amount: BalanceOf<T> },
		/// A work item was paid for, in total.
		WorkPaid { work: WorkId, amount: BalanceOf<T> },
		/// Funds without an owner (fees, dust, a slashed bond) went into the pot.
		PotFunded { amount: BalanceOf<T> },
		/// Funds could not go into the pot and were burnt.
		Burned { amount: BalanceOf<T> },
		/// Root changed the emission per block.
		EmissionChanged { per_block: BalanceOf<T> },
		/// Root changed the author's share of the emission.
		AuthorShareChanged { share: Perbill },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The pot holds less than the payment (above its existential deposit).
		InsufficientPot,
		/// A payment needs at least one node.
		NoShares,
		/// More nodes than `MaxShares` in one payment.
		TooManyShares,
		/// The shares' weights add up to zero (or overflow).
		ZeroWeights,
		/// A share is for a node that is not registered.
		UnknownNode,
		/// A payment must be positive.
		ZeroAmount,
		/// The same node has two shares in one payment.
		DuplicateShare,
		/// A share could not be paid (e.g. a share below the existential deposit for an owner
		/// account that does not exist); nothing was paid.
		TransferFailed,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::emit();
			T::WeightInfo::on_initialize()
		}

		fn integrity_test() {
			assert!(T::MaxShares::get() > 0, "MaxShares must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_n: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Sets how much each block mints.
		///
		/// ## Dispatch Origin
		/// Root.
		///
		/// ## Events
		/// - [`Event::EmissionChanged`]
		#[pallet::call_index(0)]
		pub fn set_emission(origin: OriginFor<T>, per_block: BalanceOf<T>) -> DispatchResult {
			ensure_root(origin)?;
			EmissionPerBlock::<T>::put(per_block);
			Self::deposit_event(Event::EmissionChanged { per_block });
			Ok(())
		}

		/// Sets the share of each block's emission paid to its author.
		///
		/// ## Dispatch Origin
		/// Root.
		///
		/// ## Events
		/// - [`Event::AuthorShareChanged`]
		#[pallet::call_index(1)]
		pub fn set_author_share(origin: OriginFor<T>, share: Perbill) -> DispatchResult {
			ensure_root(origin)?;
			AuthorShare::<T>::put(share);
			Self::deposit_event(Event::AuthorShareChanged { share });
			Ok(())
		}

		/// Pays `amount` from the pot for `work`, split between nodes by weight.
		///
		/// ## Dispatch Origin
		/// Root (for payments governance approves; pallets call the `WorkRewards` trait).
		///
		/// ## Errors
		/// - [`Error::NoShares`], [`Error::TooManyShares`], [`Error::ZeroWeights`]
		/// - [`Error::UnknownNode`], [`Error::ZeroAmount`], [`Error::InsufficientPot`]
		/// - [`Error::DuplicateShare`], [`Error::TransferFailed`]
		///
		/// ## Events
		/// - [`Event::RewardPaid`] per node, then [`Event::WorkPaid`]
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::pay_work(shares.len() as u32))]
		pub fn pay_work(
			origin: OriginFor<T>,
			work: WorkId,
			shares: Vec<(NodeId, u32)>,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_pay(work, &shares, amount).map(|_| ())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The pot's account.
		pub fn pot() -> T::AccountId {
			T::PotId::get().into_account_truncating()
		}

		/// What the pot can pay: its balance above the existential deposit.
		pub fn pot_available() -> BalanceOf<T> {
			T::Currency::reducible_balance(&Self::pot(), Preservation::Preserve, Fortitude::Polite)
		}

		/// Mints this block's emission: the author's share to the author, the rest to the pot.
		pub(crate) fn emit() {
			let emission = EmissionPerBlock::<T>::get();
			if emission.is_zero() {
				return;
			}
			let digest = frame_system::Pallet::<T>::digest();
			let author =
				T::FindAuthor::find_author(digest.logs.iter().filter_map(|d| d.as_pre_runtime()));
			// A share of the emission is at most the emission: the product cannot overflow.
			#[allow(clippy::arithmetic_side_effects)]
			let mut to_author = match author {
				Some(_) => AuthorShare::<T>::get() * emission,
				None => Zero::zero(),
			};
			if let Some(author) = &author {
				match T::Currency::mint_into(author, to_author) {
					Ok(minted) => {
						to_author = minted;
						AccountEarnings::<T>::mutate(author, |e| *e = e.saturating_add(minted));
					},
					// An author account below the existential deposit cannot receive a small
					// share; it goes to the pot instead.
					Err(_) => to_author = Zero::zero(),
				}
			}
			let to_pot = emission.saturating_sub(to_author);
			let to_pot = T::Currency::mint_into(&Self::pot(), to_pot).unwrap_or_else(|error| {
				log::error!(target: LOG_TARGET, "minting into the pot failed: {error:?}");
				Zero::zero()
			});
			Minted::<T>::mutate(|m| *m = m.saturating_add(to_author).saturating_add(to_pot));
			Self::deposit_event(Event::Emitted { author, to_author, to_pot });
		}

		/// Pays for `work`: see [`WorkRewards::pay`].
		pub fn do_pay(
			work: WorkId,
			shares: &[(NodeId, u32)],
			amount: BalanceOf<T>,
		) -> Result<BalanceOf<T>, DispatchError> {
			ensure!(!shares.is_empty(), Error::<T>::NoShares);
			ensure!(shares.len() <= T::MaxShares::get() as usize, Error::<T>::TooManyShares);
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut nodes = alloc::collections::BTreeSet::new();
			for (node, _) in shares {
				ensure!(nodes.insert(*node), Error::<T>::DuplicateShare);
			}
			// At most `MaxShares` (a u32) weights of at most u32::MAX each: no u64 overflow, but
			// checked all the same.
			let total = shares
				.iter()
				.try_fold(0u64, |sum, (_, w)| sum.checked_add(u64::from(*w)))
				.ok_or(Error::<T>::ZeroWeights)?;
			ensure!(total > 0, Error::<T>::ZeroWeights);
			ensure!(amount <= Self::pot_available(), Error::<T>::InsufficientPot);
			let owners = shares
				.iter()
				.map(|(node, _)| T::Nodes::owner_of(*node).ok_or(Error::<T>::UnknownNode))
				.collect::<Result<Vec<_>, _>>()?;

			// Every share is paid or none is: the transfers run in a storage layer that a
			// failed transfer rolls back (events included), whether the caller is a
			// transactional call or a hook.
			frame_support::storage::with_storage_layer(|| {
				let pot = Self::pot();
				let amount_128: u128 = amount.unique_saturated_into();
				let mut paid: BalanceOf<T> = Zero::zero();
				for ((node, weight), owner) in shares.iter().zip(owners) {
					let part_128 = multiply_by_rational_with_rounding(
						amount_128,
						u128::from(*weight),
						u128::from(total),
						Rounding::Down,
					)
					.unwrap_or(0);
					let part: BalanceOf<T> = part_128.unique_saturated_into();
					if part.is_zero() {
						continue;
					}
					T::Currency::transfer(&pot, &owner, part, Preservation::Preserve)
						.map_err(|_| Error::<T>::TransferFailed)?;
					paid = paid.saturating_add(part);
					NodeEarnings::<T>::mutate(node, |e| *e = e.saturating_add(part));
					AccountEarnings::<T>::mutate(&owner, |e| *e = e.saturating_add(part));
					Self::deposit_event(Event::RewardPaid { work, node: *node, owner, amount: part });
				}
				Self::deposit_event(Event::WorkPaid { work, amount: paid });
				Ok(paid)
			})
		}

		/// Checks that `total issuance = genesis issuance + minted − burnt`, and that the pot
		/// still holds its existential deposit.
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			let expected = GenesisIssuance::<T>::get()
				.saturating_add(Minted::<T>::get())
				.saturating_sub(Burnt::<T>::get());
			ensure!(T::Currency::total_issuance() == expected, "issuance does not add up");
			ensure!(
				T::Currency::balance(&Self::pot()) >= T::Currency::minimum_balance(),
				"the pot paid out its existential deposit"
			);
			Ok(())
		}
	}
}

impl<T: Config> WorkRewards<BalanceOf<T>> for Pallet<T> {
	fn pay(
		work: WorkId,
		shares: &[(NodeId, u32)],
		amount: BalanceOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		Pallet::<T>::do_pay(work, shares, amount)
	}

	fn pay_weight(shares: u32) -> Weight {
		T::WeightInfo::pay_work(shares)
	}
}

/// Funds without an owner (fees, dust, slashed bonds) go into the pot.
impl<T: Config> OnUnbalanced<Credit<T::AccountId, T::Currency>> for Pallet<T> {
	fn on_nonzero_unbalanced(credit: Credit<T::AccountId, T::Currency>) {
		let amount = credit.peek();
		match T::Currency::resolve(&Pallet::<T>::pot(), credit) {
			Ok(()) => Pallet::<T>::deposit_event(Event::PotFunded { amount }),
			Err(unresolved) => {
				// Dropping the credit burns it: count it, so that issuance still adds up.
				let burnt = unresolved.peek();
				Burnt::<T>::mutate(|b| *b = b.saturating_add(burnt));
				Pallet::<T>::deposit_event(Event::Burned { amount: burnt });
			},
		}
	}
}
