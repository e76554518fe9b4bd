//! Tests of emission, payments, the pot as a sink, every call and error, and the issuance
//! invariant (checked after every test).

use crate::{mock::*, testing_utils::*, *};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::{
			fungible::{Balanced, Inspect, Mutate},
			tokens::{Fortitude, Precision, Preservation},
		},
	},
	sp_runtime::{DispatchError, Perbill},
};

#[test]
fn genesis_endows_the_pot_and_records_issuance() {
	build_and_execute(|| {
		assert_eq!(pot_balance(), 10, "the pot holds the existential deposit");
		assert_eq!(GenesisIssuance::<Test>::get(), 3_000);
		assert_eq!(Minted::<Test>::get(), 10);
		assert_eq!(Balances::total_issuance(), 3_010);
	});
}

#[test]
fn each_block_mints_the_emission_into_the_pot_and_to_the_author() {
	build_and_execute(|| {
		Author::set(Some(CHARLIE));
		run_to_block(4);
		assert_eq!(Balances::balance(&CHARLIE), 1_000 + 3 * 20);
		assert_eq!(pot_balance(), 10 + 3 * 80);
		assert_eq!(AccountEarnings::<Test>::get(CHARLIE), 60);
		assert_eq!(Minted::<Test>::get(), 10 + 300);
		System::assert_last_event(
			Event::Emitted { author: Some(CHARLIE), to_author: 20, to_pot: 80 }.into(),
		);
		Author::set(None);
	});
}

#[test]
fn without_an_author_the_whole_emission_goes_to_the_pot() {
	build_and_execute(|| {
		run_to_block(2);
		assert_eq!(pot_balance(), 110);
		System::assert_last_event(
			Event::Emitted { author: None, to_author: 0, to_pot: 100 }.into(),
		);
	});
}

#[test]
fn an_author_share_too_small_to_exist_goes_to_the_pot() {
	build_and_execute(|| {
		// A new account cannot receive 2 (below the existential deposit of 10).
		Author::set(Some(77));
		assert_set_author_share(Perbill::from_percent(2));
		run_to_block(2);
		assert_eq!(Balances::balance(&77), 0);
		assert_eq!(pot_balance(), 110);
		Author::set(None);
	});
}

#[test]
fn set_emission_works_and_needs_root() {
	build_and_execute(|| {
		assert_set_emission(7);
		run_to_block(2);
		assert_eq!(pot_balance(), 17);
		assert_noop!(
			Rewards::set_emission(RuntimeOrigin::signed(ALICE), 1),
			DispatchError::BadOrigin
		);
		assert_set_emission(0);
		run_to_block(3);
		assert_eq!(pot_balance(), 17, "no emission, no mint");
	});
}

#[test]
fn set_author_share_works_and_needs_root() {
	build_and_execute(|| {
		assert_set_author_share(Perbill::from_percent(50));
		Author::set(Some(BOB));
		run_to_block(2);
		assert_eq!(Balances::balance(&BOB), 1_050);
		Author::set(None);
		assert_noop!(
			Rewards::set_author_share(RuntimeOrigin::signed(BOB), Perbill::one()),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn pay_work_splits_by_weight_and_pays_owners() {
	build_and_execute(|| {
		run_to_block(11);
		assert_eq!(pot_balance(), 1_010);
		// when node 0 (Alice) and node 1 (Bob) are paid 301 in a 2 : 1 split
		let paid = assert_pay_work(WorkId::Other(5), vec![(0, 2), (1, 1)], 301);
		// then Alice gets 200, Bob 100, and the remainder of the division stays in the pot
		// (the helper also checked the earnings, `RewardPaid` for each node and `WorkPaid`)
		assert_eq!(paid, 300);
		assert_eq!(Balances::balance(&ALICE), 1_200);
		assert_eq!(Balances::balance(&BOB), 1_100);
		assert_eq!(pot_balance(), 1_010 - 300);
		assert_eq!(NodeEarnings::<Test>::get(0), 200);
		assert_eq!(AccountEarnings::<Test>::get(BOB), 100);
	});
}

#[test]
fn pay_through_the_trait_counts_per_node_and_per_account() {
	build_and_execute(|| {
		run_to_block(11);
		let paid =
			<Rewards as WorkRewards<u64>>::pay(WorkId::Job(9), &[(0, 1), (2, 1)], 100).unwrap();
		assert_eq!(paid, 100);
		assert_eq!(NodeEarnings::<Test>::get(0), 50);
		assert_eq!(NodeEarnings::<Test>::get(2), 50);
		assert_eq!(AccountEarnings::<Test>::get(ALICE), 100, "both nodes are Alice's");
	});
}

#[test]
fn a_payment_that_fails_midway_pays_nobody() {
	build_and_execute(|| {
		run_to_block(11);
		// Alice's share (5) is paid first; the share of node 3 (5, below the existential
		// deposit of 10) cannot be: called from a hook, outside any transactional call, the
		// whole payment must still leave no trace.
		assert_noop!(
			<Rewards as WorkRewards<u64>>::pay(WorkId::Job(7), &[(0, 1), (3, 1)], 10),
			Error::<Test>::TransferFailed
		);
		assert_eq!(NodeEarnings::<Test>::get(0), 0);
	});
}

#[test]
fn pay_reports_its_weight() {
	assert_eq!(<Rewards as WorkRewards<u64>>::pay_weight(3), <() as WeightInfo>::pay_work(3));
	assert!(
		<Rewards as WorkRewards<u64>>::pay_weight(4).all_gte(<Rewards as WorkRewards<u64>>::pay_weight(1))
	);
}

#[test]
fn pay_work_never_pays_more_than_the_pot_holds() {
	build_and_execute(|| {
		run_to_block(2);
		// The pot holds 110, of which 10 must stay.
		assert_noop!(
			Rewards::pay_work(RuntimeOrigin::root(), WorkId::Other(1), vec![(0, 1)], 101),
			Error::<Test>::InsufficientPot
		);
		assert_ok!(Rewards::pay_work(RuntimeOrigin::root(), WorkId::Other(1), vec![(0, 1)], 100));
		assert_eq!(pot_balance(), 10);
	});
}

#[test]
fn pay_work_rejects_bad_input() {
	build_and_execute(|| {
		run_to_block(11);
		let pay = |shares: Vec<(NodeId, u32)>, amount| {
			Rewards::pay_work(RuntimeOrigin::root(), WorkId::Other(1), shares, amount)
		};
		assert_noop!(pay(vec![], 10), Error::<Test>::NoShares);
		assert_noop!(pay(vec![(0, 1); 5], 10), Error::<Test>::TooManyShares);
		assert_noop!(pay(vec![(0, 0), (1, 0)], 10), Error::<Test>::ZeroWeights);
		assert_noop!(pay(vec![(0, 1), (42, 1)], 10), Error::<Test>::UnknownNode);
		assert_noop!(pay(vec![(0, 1)], 0), Error::<Test>::ZeroAmount);
		assert_noop!(pay(vec![(0, 1), (1, 1), (0, 2)], 10), Error::<Test>::DuplicateShare);
		assert_noop!(pay(vec![(0, 1), (3, 1)], 10), Error::<Test>::TransferFailed);
		assert_noop!(
			Rewards::pay_work(RuntimeOrigin::signed(ALICE), WorkId::Other(1), vec![(0, 1)], 10),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn ownerless_funds_go_into_the_pot() {
	build_and_execute(|| {
		// A fee-like credit: withdrawn from Alice, handed to the pallet.
		let credit = <Balances as Balanced<u64>>::withdraw(
			&ALICE,
			25,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Polite,
		)
		.unwrap();
		Rewards::on_unbalanced(credit);
		assert_eq!(pot_balance(), 35);
		System::assert_last_event(Event::PotFunded { amount: 25 }.into());
		// Dust of a reaped account goes there too.
		assert_ok!(<Balances as Mutate<u64>>::transfer(
			&CHARLIE,
			&ALICE,
			995,
			Preservation::Expendable
		));
		assert_eq!(pot_balance(), 40);
	});
}

#[test]
fn the_issuance_invariant_catches_untracked_minting() {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		assert_ok!(Rewards::do_try_state());
		let _ = <Balances as Mutate<u64>>::mint_into(&ALICE, 1);
		assert!(Rewards::do_try_state().is_err());
	});
}

// TESTING UTILITIES

#[test]
fn the_snapshot_catches_a_collateral_write() {
	build_and_execute(|| {
		// given the state a payment of 100 to node 0 (Alice's) must leave: 100 from the pot to
		// Alice, on her and her node's earnings, nothing else changed
		run_to_block(11);
		let mut expected = MemorySnapshot::new();
		expected.balances.transfer(Rewards::pot(), ALICE, 100);
		expected.node_earnings.insert(0, 100);
		expected.account_earnings.insert(ALICE, 100);
		assert_ok!(Rewards::pay_work(RuntimeOrigin::root(), WorkId::Other(1), vec![(0, 1)], 100));
		assert_eq!(expected.diff(&MemorySnapshot::new()), Vec::<String>::new());
		// when a write the call should not make lands as well: Bob's node is credited too
		NodeEarnings::<Test>::insert(1, 100);
		// then the comparison reports that entry, and only it
		let post = MemorySnapshot::new();
		let diff = expected.diff(&post);
		assert_eq!(diff, vec!["NodeEarnings[1]: expected nothing, found 100".to_string()]);
		assert!(std::panic::catch_unwind(|| expected.assert_matches(&post)).is_err());
	});
}
