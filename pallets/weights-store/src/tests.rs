//! Tests of every call (success and each error) and of file manifests.

use crate::{mock::*, testing_utils::*, *};
use polkadot_sdk::frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use polkadot_sdk::sp_core::H256;
use swarm_primitives::ContentInspector;

fn held(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::FileDeposit.into(), &who)
}

/// Sends the first chunk (256 bytes) of `bytes`, announced as `hash`, as `who`.
fn send_first_chunk(
	who: u64,
	bytes: &[u8],
	hash: H256,
) -> polkadot_sdk::sp_runtime::DispatchResult {
	let first = &bytes[..256];
	upload_chunk(RuntimeOrigin::signed(who), hash, 0, chunk_hash(first), first.to_vec())
}

// BEGIN UPLOAD

#[test]
fn begin_upload_works() {
	build_and_execute(|| {
		let (_, hash) = file(600, 1);
		// An upload of 600 bytes in 3 chunks, none received yet, with its deposit held (all
		// checked by the helper, with the event).
		assert_begin_upload(ALICE, hash, 600);
		let upload = Uploads::<Test>::get(hash).unwrap();
		assert_eq!((upload.size, upload.chunks, upload.next_chunk), (600, 3, 0));
		assert_eq!(upload.deposit, 100 + 3 * 10);
		assert_eq!(held(ALICE), 130);
	});
}

#[test]
fn begin_upload_rejects_bad_sizes() {
	build_and_execute(|| {
		let (_, hash) = file(10, 1);
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 0),
			Error::<Test>::EmptyFile
		);
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 4 * CHUNK + 1),
			Error::<Test>::FileTooLarge
		);
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, u64::MAX),
			Error::<Test>::FileTooLarge
		);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 4 * CHUNK));
	});
}

#[test]
fn begin_upload_rejects_a_file_stored_or_in_progress() {
	build_and_execute(|| {
		let (bytes, hash) = file(300, 2);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 300));
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(BOB), hash, 300),
			Error::<Test>::UploadInProgress
		);
		assert_ok!(WeightsStore::cancel_upload(RuntimeOrigin::signed(ALICE), hash));
		upload(ALICE, &bytes, hash);
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(BOB), hash, 300),
			Error::<Test>::AlreadyStored
		);
	});
}

#[test]
fn begin_upload_rejects_an_account_that_cannot_pay() {
	build_and_execute(|| {
		let (_, hash) = file(300, 3);
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(PAUPER), hash, 300),
			Error::<Test>::InsufficientDeposit
		);
	});
}

// UPLOAD CHUNK

#[test]
fn upload_chunk_stores_a_file_in_several_chunks() {
	build_and_execute(|| {
		// given a file of three chunks: 256 + 256 + 88 bytes
		let (bytes, hash) = file(600, 4);
		assert_begin_upload(ALICE, hash, 600);
		// when the first two arrive (each recorded, hashed into the upload's state, and the
		// upload expecting the next)
		for index in 0..2 {
			assert_upload_chunk(ALICE, hash, index as u32, &bytes[index * 256..(index + 1) * 256]);
		}
		// then the file is not stored yet
		assert_eq!(Uploads::<Test>::get(hash).unwrap().next_chunk, 2);
		assert!(WeightsStore::stored_size(&hash).is_none());
		// when the last arrives (`ChunkStored`, then `FileStored`)
		assert_upload_chunk(ALICE, hash, 2, &bytes[512..]);
		// then it is
		assert!(Uploads::<Test>::get(hash).is_none());
		assert_eq!(WeightsStore::stored_size(&hash), Some(600));
		let manifest = WeightsStore::file(hash).unwrap();
		assert_eq!(manifest.info.chunks, 3);
		assert_eq!(manifest.chunks, bytes.chunks(256).map(chunk_hash).collect::<Vec<_>>());
		// The deposit stays held for the stored manifest.
		assert_eq!(held(ALICE), 130);
	});
}

#[test]
fn upload_chunk_stores_a_single_chunk_file() {
	build_and_execute(|| {
		let (bytes, hash) = file(5, 5);
		assert_begin_upload(ALICE, hash, 5);
		assert_upload_chunk(ALICE, hash, 0, &bytes);
		assert_eq!(WeightsStore::stored_size(&hash), Some(5));
	});
}

#[test]
fn upload_chunk_rejects_an_unknown_upload_and_another_sender() {
	build_and_execute(|| {
		let (bytes, hash) = file(300, 6);
		let chunk = &bytes[..256];
		assert_noop!(
			upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				0,
				chunk_hash(chunk),
				chunk.to_vec()
			),
			Error::<Test>::UploadNotFound
		);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 300));
		assert_noop!(
			upload_chunk(
				RuntimeOrigin::signed(BOB),
				hash,
				0,
				chunk_hash(chunk),
				chunk.to_vec()
			),
			Error::<Test>::NotUploader
		);
	});
}

#[test]
fn upload_chunk_rejects_chunks_out_of_order() {
	build_and_execute(|| {
		let (bytes, hash) = file(600, 7);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 600));
		let second = &bytes[256..512];
		assert_noop!(
			upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				1,
				chunk_hash(second),
				second.to_vec()
			),
			Error::<Test>::ChunkOutOfOrder
		);
	});
}

#[test]
fn upload_chunk_rejects_a_chunk_of_the_wrong_size() {
	build_and_execute(|| {
		let (bytes, hash) = file(600, 8);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 600));
		let short = &bytes[..255];
		assert_noop!(
			upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				0,
				chunk_hash(short),
				short.to_vec()
			),
			Error::<Test>::ChunkSizeMismatch
		);
		let long = &bytes[..257];
		assert_noop!(
			upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				0,
				chunk_hash(long),
				long.to_vec()
			),
			Error::<Test>::ChunkSizeMismatch
		);
	});
}

#[test]
fn upload_chunk_rejects_a_chunk_that_does_not_match_its_hash_and_accepts_it_resent() {
	build_and_execute(|| {
		let (bytes, hash) = file(300, 9);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 300));
		let chunk = bytes[..256].to_vec();
		let mut corrupted = chunk.clone();
		corrupted[17] ^= 1;
		assert_noop!(
			upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				0,
				chunk_hash(&chunk),
				corrupted
			),
			Error::<Test>::ChunkHashMismatch
		);
		// Nothing changed, so the right chunk goes through.
		assert_ok!(upload_chunk(
			RuntimeOrigin::signed(ALICE),
			hash,
			0,
			chunk_hash(&chunk),
			chunk
		));
	});
}

#[test]
fn upload_chunk_rejects_chunks_that_are_not_the_announced_file() {
	build_and_execute(|| {
		let (_, hash) = file(300, 10);
		let (other, _) = file(300, 11);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 300));
		let first = &other[..256];
		assert_ok!(upload_chunk(
			RuntimeOrigin::signed(ALICE),
			hash,
			0,
			chunk_hash(first),
			first.to_vec()
		));
		let last = &other[256..];
		assert_noop!(
			upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				1,
				chunk_hash(last),
				last.to_vec()
			),
			Error::<Test>::FileHashMismatch
		);
		assert!(WeightsStore::stored_size(&hash).is_none());
	});
}

#[test]
fn upload_chunk_needs_a_transaction_to_index_into() {
	build_and_execute(|| {
		let (bytes, hash) = file(10, 12);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 10));
		polkadot_sdk::frame_support::storage::unhashed::kill(
			polkadot_sdk::sp_core::storage::well_known_keys::EXTRINSIC_INDEX,
		);
		assert_noop!(
			upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				0,
				chunk_hash(&bytes),
				bytes.clone()
			),
			Error::<Test>::NotInTransaction
		);
	});
}

#[test]
fn an_upload_keeps_its_chunk_layout_when_the_chunk_size_changes() {
	build_and_execute(|| {
		let (bytes, hash) = file(600, 15);
		assert_begin_upload(ALICE, hash, 600);
		assert_eq!(Uploads::<Test>::get(hash).unwrap().chunk_size, 256);
		// A runtime upgrade halves the chunk size while the upload runs.
		ChunkSize::set(128);
		for (index, chunk) in bytes.chunks(256).enumerate() {
			assert_upload_chunk(ALICE, hash, index as u32, chunk);
		}
		let info = Files::<Test>::get(hash).unwrap();
		assert_eq!((info.chunk_size, info.chunks), (256, 3), "the layout the chunks came in");
		ChunkSize::set(256);
	});
}

// WRAPPED CALLS

fn chunk_call(hash: H256, index: u32, data: &[u8]) -> RuntimeCall {
	RuntimeCall::WeightsStore(Call::upload_chunk {
		file: hash,
		index,
		chunk: chunk_hash(data),
		data: data.to_vec(),
	})
}

fn remark() -> RuntimeCall {
	RuntimeCall::System(polkadot_sdk::frame_system::Call::remark { remark: vec![7; 40] })
}

#[test]
fn a_chunk_followed_by_other_bytes_in_its_transaction_is_refused() {
	use polkadot_sdk::pallet_utility::Call as UtilityCall;
	build_and_execute(|| {
		let (bytes, hash) = file(10, 16);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 10));
		// In a batch with a call after it, the transaction's last 10 bytes are the remark's:
		// the node would keep them under the chunk's hash.
		let batch = |calls| RuntimeCall::Utility(UtilityCall::batch_all { calls });
		assert_noop!(
			apply(RuntimeOrigin::signed(ALICE), batch(vec![chunk_call(hash, 0, &bytes), remark()])),
			Error::<Test>::ChunkNotAtEnd
		);
		assert_ok!(apply(
			RuntimeOrigin::signed(ALICE),
			RuntimeCall::Utility(UtilityCall::batch {
				calls: vec![chunk_call(hash, 0, &bytes), remark()]
			})
		));
		System::assert_has_event(
			polkadot_sdk::pallet_utility::Event::BatchInterrupted {
				index: 0,
				error: Error::<Test>::ChunkNotAtEnd.into(),
			}
			.into(),
		);
		assert!(Chunks::<Test>::get(hash, 0).is_none());
		assert!(!Files::<Test>::contains_key(hash));
		// As the last call of a batch the chunk is the transaction's tail, and is stored.
		assert_ok!(apply(
			RuntimeOrigin::signed(ALICE),
			batch(vec![remark(), chunk_call(hash, 0, &bytes)])
		));
		assert!(Files::<Test>::contains_key(hash));
	});
}

// CANCEL UPLOAD

#[test]
fn cancel_upload_forgets_chunks_and_returns_the_deposit() {
	build_and_execute(|| {
		let free = Balances::balance(&ALICE);
		let (bytes, hash) = file(600, 13);
		assert_begin_upload(ALICE, hash, 600);
		assert_upload_chunk(ALICE, hash, 0, &bytes[..256]);
		// The upload and its chunk hash are gone, its deposit released.
		assert_cancel_upload(ALICE, hash);
		assert_eq!(Chunks::<Test>::iter_prefix(hash).count(), 0);
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), free);
		// The same file can be uploaded again afterwards.
		upload(BOB, &bytes, hash);
	});
}

#[test]
fn cancel_upload_rejects_bad_input() {
	build_and_execute(|| {
		let (_, hash) = file(300, 14);
		assert_noop!(
			WeightsStore::cancel_upload(RuntimeOrigin::signed(ALICE), hash),
			Error::<Test>::UploadNotFound
		);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 300));
		assert_noop!(
			WeightsStore::cancel_upload(RuntimeOrigin::signed(BOB), hash),
			Error::<Test>::NotUploader
		);
	});
}

// REAP UPLOAD

#[test]
fn a_squatted_upload_expires_and_the_file_can_be_stored() {
	build_and_execute(|| {
		let (bytes, hash) = file(600, 17);
		// Bob sees the hash (in the pool, say) and begins its upload, meaning never to finish.
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(BOB), hash, 600));
		assert_ok!(send_first_chunk(BOB, &bytes, hash));
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 600),
			Error::<Test>::UploadInProgress
		);
		// Progress (the chunk at block 1) keeps it alive for UploadTimeout (20) blocks.
		System::set_block_number(20);
		assert_noop!(
			WeightsStore::reap_upload(RuntimeOrigin::signed(ALICE), hash),
			Error::<Test>::UploadNotExpired
		);
		System::set_block_number(21);
		let bob_free = Balances::balance(&BOB);
		// The upload and its chunk hash are gone (`UploadExpired`, uploader Bob, reaper Alice).
		assert_reap_upload(ALICE, hash);
		assert_eq!(Chunks::<Test>::iter_prefix(hash).count(), 0);
		assert_eq!(held(BOB), 0);
		assert_eq!(Balances::balance(&BOB), bob_free + 130, "the deposit goes back to Bob");
		// Now Alice stores the file.
		upload(ALICE, &bytes, hash);
		assert!(Files::<Test>::contains_key(hash));
	});
}

#[test]
fn each_chunk_restarts_the_timeout() {
	build_and_execute(|| {
		let (bytes, hash) = file(600, 18);
		assert_begin_upload(ALICE, hash, 600);
		System::set_block_number(15);
		assert_upload_chunk(ALICE, hash, 0, &bytes[..256]);
		assert_eq!(Uploads::<Test>::get(hash).unwrap().last_progress, 15);
		System::set_block_number(34);
		assert_noop!(
			WeightsStore::reap_upload(RuntimeOrigin::signed(BOB), hash),
			Error::<Test>::UploadNotExpired
		);
		System::set_block_number(35);
		assert_reap_upload(BOB, hash);
	});
}

#[test]
fn reap_upload_rejects_an_unknown_upload() {
	build_and_execute(|| {
		let (_, hash) = file(300, 19);
		assert_noop!(
			WeightsStore::reap_upload(RuntimeOrigin::signed(ALICE), hash),
			Error::<Test>::UploadNotFound
		);
	});
}

#[test]
fn chunk_arithmetic() {
	build_and_execute(|| {
		assert_eq!(WeightsStore::chunk_count(1), Some(1));
		assert_eq!(WeightsStore::chunk_count(256), Some(1));
		assert_eq!(WeightsStore::chunk_count(257), Some(2));
		assert_eq!(WeightsStore::chunk_count(1024), Some(4));
		assert_eq!(WeightsStore::chunk_count(1025), None);
		assert_eq!(WeightsStore::chunk_len(600, 0), 256);
		assert_eq!(WeightsStore::chunk_len(600, 2), 88);
		assert_eq!(WeightsStore::chunk_len(600, 3), 0);
	});
}

// TESTING UTILITIES

#[test]
fn the_snapshot_catches_a_collateral_write() {
	build_and_execute(|| {
		// given two uploads, and the state Alice's first chunk must leave: her chunk recorded
		// and her upload moved on, nothing else changed
		let (alices_bytes, alices) = file(600, 20);
		let (_, bobs) = file(600, 21);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), alices, 600));
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(BOB), bobs, 600));
		System::set_block_number(10);
		let first = &alices_bytes[..256];
		let mut expected = MemorySnapshot::new();
		expected.chunks.insert((alices, 0), chunk_hash(first));
		let upload = expected.upload_mut(alices);
		upload.hasher.update(first);
		upload.next_chunk = 1;
		upload.last_progress = 10;
		assert_ok!(send_first_chunk(ALICE, &alices_bytes, alices));
		assert_eq!(expected.diff(&MemorySnapshot::new()), Vec::<String>::new());
		// when a write the call should not make lands as well: Bob's idle upload is kept alive
		Uploads::<Test>::mutate(bobs, |upload| upload.as_mut().unwrap().last_progress = 10);
		// then the comparison reports that entry, and only it
		let post = MemorySnapshot::new();
		let diff = expected.diff(&post);
		assert_eq!(diff.len(), 1, "{diff:#?}");
		assert!(diff[0].starts_with(&format!("Uploads[{bobs:?}]: expected ")), "{diff:#?}");
		assert!(std::panic::catch_unwind(|| expected.assert_matches(&post)).is_err());
	});
}

// FILES CARRIED BY ANOTHER PALLET'S TRANSACTION (ContentWriter)

/// Stores `bytes` through the trait, as a pallet's call would with `bytes` as its last
/// argument; `after` bytes follow them in the transaction.
fn store_tail(bytes: &[u8], after: &[u8]) -> Result<H256, polkadot_sdk::sp_runtime::DispatchError> {
	use swarm_primitives::ContentWriter;
	polkadot_sdk::frame_support::storage::with_storage_layer(|| {
		let mut transaction = b"signature and extensions, call index".to_vec();
		transaction.extend(bytes);
		transaction.extend(after);
		frame_system::Pallet::<Test>::note_extrinsic(transaction);
		<WeightsStore as ContentWriter<u64>>::store_tail(&BOB, bytes)
	})
}

#[test]
fn a_file_carried_whole_is_stored_without_a_deposit() {
	build_and_execute(|| {
		let (bytes, hash) = file(200, 21);
		let before = MemorySnapshot::new();
		assert_eq!(store_tail(&bytes, &[]), Ok(hash));
		let info = Files::<Test>::get(hash).unwrap();
		assert_eq!((info.size, info.chunks, info.uploader, info.deposit), (200, 1, BOB, 0));
		assert_eq!(Chunks::<Test>::get(hash, 0), Some(hash), "one chunk: the file");
		assert_eq!(WeightsStore::file(hash).unwrap().chunks, vec![hash]);
		System::assert_last_event(Event::FileStored { file: hash, size: 200 }.into());
		assert_eq!(MemorySnapshot::new().balances, before.balances, "no deposit, no fee");
		// Again: already stored, nothing changes.
		let stored = MemorySnapshot::new();
		assert_eq!(store_tail(&bytes, &[]), Ok(hash));
		stored.assert_matches(&MemorySnapshot::new());
		assert_eq!(<WeightsStore as swarm_primitives::ContentWriter<u64>>::max_tail_file(), 256);
	});
}

#[test]
fn a_file_carried_whole_replaces_an_upload_of_it_in_progress() {
	build_and_execute(|| {
		let (bytes, hash) = file(100, 22);
		// Someone saw the hash and began its upload first, to block it.
		assert_begin_upload(ALICE, hash, 100);
		assert_eq!(store_tail(&bytes, &[]), Ok(hash));
		assert!(Uploads::<Test>::get(hash).is_none());
		assert_eq!(Files::<Test>::get(hash).unwrap().uploader, BOB);
		assert_eq!(Balances::balance_on_hold(&HoldReason::FileDeposit.into(), &ALICE), 0);
	});
}

#[test]
fn a_file_carried_whole_must_be_the_transactions_tail_and_fit_a_chunk() {
	build_and_execute(|| {
		let (bytes, _) = file(100, 23);
		let before = MemorySnapshot::new();
		assert_eq!(store_tail(&bytes, &[1, 2]), Err(Error::<Test>::ChunkNotAtEnd.into()));
		assert_eq!(store_tail(&[], &[]), Err(Error::<Test>::EmptyFile.into()));
		let (large, _) = file(257, 24);
		assert_eq!(store_tail(&large, &[]), Err(Error::<Test>::FileTooLarge.into()));
		before.assert_matches(&MemorySnapshot::new());
		use swarm_primitives::ContentWriter;
		polkadot_sdk::frame_support::storage::unhashed::kill(
			polkadot_sdk::sp_core::storage::well_known_keys::EXTRINSIC_INDEX,
		);
		assert_eq!(
			<WeightsStore as ContentWriter<u64>>::store_tail(&BOB, &bytes),
			Err(Error::<Test>::NotInTransaction.into()),
			"outside a transaction"
		);
	});
}
