//! # Weights Store Pallet
//!
//! Stores model weights files on chain, chunk by chunk, addressed by the blake2-256 hash of the
//! whole file, so that any full node can serve them back byte for byte.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for calls, storage, events and errors. Nodes read files back with
//! [`Pallet::file`] (the manifest: size and chunk hashes) and their block database (the chunk
//! bytes); the node's `weights_*` JSON-RPC methods do both and check every hash.
//!
//! ## Overview
//!
//! A weights file of up to [`Config::MaxChunks`] × [`Config::ChunkSize`] bytes (256 MiB with
//! the runtime's 1 MiB chunks) is uploaded in three steps:
//!
//! 1. [`Pallet::begin_upload`] announces the file's blake2-256 hash and size, and holds a deposit.
//! 2. [`Pallet::upload_chunk`] sends the chunks in order, one transaction each, every chunk with
//!    its own blake2-256 hash. A chunk that does not match its hash or the expected size is
//!    rejected with nothing changed, so the uploader can simply send it again.
//! 3. With the last chunk the pallet checks that the chunks hash to the announced file hash and
//!    records the file: from then on it is stored, and the model registry accepts versions whose
//!    weights have that hash only with the matching size.
//!
//! An upload in progress can be cancelled ([`Pallet::cancel_upload`]), which returns the
//! deposit. An upload that makes no progress for [`Config::UploadTimeout`] blocks has expired:
//! anyone may reap it ([`Pallet::reap_upload`]; the deposit goes back to the uploader) and begin
//! the file anew, so nobody can block a file by beginning its upload and never finishing it. A
//! stored file is permanent, like the model versions that refer to it.
//!
//! ## Low Level / Implementation Details
//!
//! ### Design
//!
//! Chunk bytes never enter the runtime's state. Each `upload_chunk` asks the node, through
//! `sp_io::transaction_index::index`, to keep the transaction's last `len(chunk)` bytes in its
//! block database under the chunk's hash. Those bytes are the call's last argument, the chunk,
//! only when nothing follows the call in the transaction, so the pallet checks that they are
//! (against `frame_system`'s record of the transaction being applied) and refuses a chunk
//! inside a wrapper that puts bytes after it ([`Error::ChunkNotAtEnd`]). The state keeps only
//! the file's manifest: size, chunk size and the chunk hashes. Every full node that imports the
//! block stores the chunk, and keeps it as long as it keeps block bodies
//! (`--blocks-pruning archive-canonical`, the default). This is the design of the Polkadot Bulletin chain, chosen over off-chain hosting (IPFS, HTTP) so that
//! the chain alone guarantees the weights are retrievable, and over runtime storage because
//! megabytes of weights in the state trie would slow every node for every block.
//!
//! To check that the chunks make up the announced file without ever holding the file, the
//! pallet hashes the chunks as they arrive and keeps the BLAKE2b state between blocks
//! ([`blake2b::Blake2b256`]); that is why chunks come in order. Chunks are [`Config::ChunkSize`]
//! bytes except the last, and the chunk size is a multiple of the BLAKE2b block size.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod blake2b;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod mock;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod testing_utils;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod tests;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{self, traits::fungible::Inspect},
	frame_system,
	sp_core::H256,
};

/// The logging target of this pallet.
pub const LOG_TARGET: &str = "runtime::weights-store";

/// The balance type of the currency that holds deposits.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

// FRAME's macros expand to `expect`s carrying their proofs (e.g. the size of an encoded error);
// the code written in this module uses none.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Mutate, MutateHold},
			tokens::Precision,
		},
	};
	use frame_system::pallet_prelude::*;
	use polkadot_sdk::sp_runtime::traits::Saturating;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the weights store.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency that holds deposits.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// The size of every chunk but the last, in bytes. A multiple of 128 (the BLAKE2b block
		/// size), small enough that a chunk fits a block and a JSON-RPC message.
		#[pallet::constant]
		type ChunkSize: Get<u32>;

		/// The most chunks a file may have; with [`Config::ChunkSize`] it bounds a file's size.
		#[pallet::constant]
		type MaxChunks: Get<u32>;

		/// The fixed part of an upload's deposit.
		#[pallet::constant]
		type DepositBase: Get<BalanceOf<Self>>;

		/// Blocks without progress after which an upload has expired: anyone may then reap it
		/// ([`Pallet::reap_upload`]; the deposit goes back to the uploader) and begin the same
		/// file anew. This is what stops a squatter who begins the upload of a file it has
		/// no intention of finishing from blocking that file forever.
		#[pallet::constant]
		type UploadTimeout: Get<BlockNumberFor<Self>>;

		/// The deposit per chunk of the file (its manifest entry).
		#[pallet::constant]
		type DepositPerChunk: Get<BalanceOf<Self>>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for a file's manifest (kept while the upload runs and after it completes).
		#[codec(index = 0)]
		FileDeposit,
	}

	/// Uploads in progress, by the announced file hash.
	// Hasher: Blake2_128Concat, the hash is chosen by users.
	#[pallet::storage]
	pub type Uploads<T: Config> = StorageMap<_, Blake2_128Concat, H256, UploadInfo<T>>;

	/// Stored files, by file hash.
	// Hasher: Blake2_128Concat, the hash is chosen by users.
	#[pallet::storage]
	pub type Files<T: Config> = StorageMap<_, Blake2_128Concat, H256, FileInfo<T>>;

	/// The hash of each chunk received, by file hash and chunk index: the key under which nodes
	/// keep the chunk's bytes.
	// Hasher: Blake2_128Concat for the user-chosen file hash; Twox64Concat for the index, which
	// the pallet bounds.
	#[pallet::storage]
	pub type Chunks<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, H256, Twox64Concat, u32, H256>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An upload was announced.
		UploadStarted { file: H256, size: u64, chunks: u32, uploader: T::AccountId },
		/// A chunk was received and indexed.
		ChunkStored { file: H256, index: u32, chunk: H256 },
		/// All chunks arrived and hash to the file's hash: the file is stored.
		FileStored { file: H256, size: u64 },
		/// An upload was cancelled and its deposit returned.
		UploadCancelled { file: H256 },
		/// An upload made no progress for `UploadTimeout` blocks and was removed; its deposit
		/// went back to the uploader.
		UploadExpired { file: H256, uploader: T::AccountId, reaper: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A file must have at least one byte.
		EmptyFile,
		/// The file is larger than `MaxChunks` × `ChunkSize` bytes.
		FileTooLarge,
		/// A file with this hash is stored already: there is nothing to upload.
		AlreadyStored,
		/// An upload of this file is in progress: continue it, or cancel it first.
		UploadInProgress,
		/// No upload of this file is in progress: call `begin_upload` first.
		UploadNotFound,
		/// Only the account that began the upload may continue or cancel it.
		NotUploader,
		/// Chunks must come in order; this is not the next one (see `Uploads`'s `next_chunk`).
		ChunkOutOfOrder,
		/// The chunk does not have the expected length: `ChunkSize` bytes, except the last
		/// chunk, which has the rest of the file.
		ChunkSizeMismatch,
		/// The chunk's bytes do not hash to the chunk hash given with them (corrupted in
		/// transit?). Send the chunk again.
		ChunkHashMismatch,
		/// The chunks do not hash to the announced file hash: the file announced and the file
		/// sent differ. Cancel the upload and begin again.
		FileHashMismatch,
		/// The account cannot pay the deposit.
		InsufficientDeposit,
		/// The chunk is not part of a transaction, so the node cannot index it.
		NotInTransaction,
		/// The chunk's bytes are not the end of the transaction (the call is wrapped in a batch
		/// or another call that puts bytes after it), so the node would index the wrong bytes.
		/// Send `upload_chunk` as the transaction's own call, or as the last call of a batch.
		ChunkNotAtEnd,
		/// The upload has made progress in the last `UploadTimeout` blocks: only its uploader
		/// may cancel it.
		UploadNotExpired,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			let chunk = T::ChunkSize::get() as usize;
			assert!(chunk > 0, "ChunkSize must be positive");
			assert!(chunk.is_multiple_of(blake2b::BLOCK_LEN), "ChunkSize must be a multiple of 128");
			assert!(T::MaxChunks::get() > 0, "MaxChunks must be positive");
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
		/// Announces a file of `size` bytes whose blake2-256 hash is `file`.
		///
		/// ## Dispatch Origin
		/// Signed: the uploader, who pays the deposit and sends the chunks.
		///
		/// ## Details
		/// The file will come as `ceil(size / ChunkSize)` chunks through
		/// [`Pallet::upload_chunk`]. A deposit for its manifest is held until the upload is
		/// cancelled; a stored file keeps it.
		///
		/// ## Errors
		/// - [`Error::EmptyFile`], [`Error::FileTooLarge`]
		/// - [`Error::AlreadyStored`], [`Error::UploadInProgress`] (an upload that has not
		///   expired; reap an expired one with [`Pallet::reap_upload`] first)
		/// - [`Error::InsufficientDeposit`]
		///
		/// ## Events
		/// - [`Event::UploadStarted`]
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::begin_upload())]
		pub fn begin_upload(origin: OriginFor<T>, file: H256, size: u64) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(size > 0, Error::<T>::EmptyFile);
			let chunks = Self::chunk_count(size).ok_or(Error::<T>::FileTooLarge)?;
			ensure!(!Files::<T>::contains_key(file), Error::<T>::AlreadyStored);
			ensure!(!Uploads::<T>::contains_key(file), Error::<T>::UploadInProgress);

			let deposit = T::DepositBase::get()
				.saturating_add(T::DepositPerChunk::get().saturating_mul(chunks.into()));
			let now = frame_system::Pallet::<T>::block_number();
			T::Currency::hold(&HoldReason::FileDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientDeposit)?;
			Uploads::<T>::insert(
				file,
				UploadInfo {
					uploader: who.clone(),
					size,
					chunks,
					next_chunk: 0,
					hasher: blake2b::Blake2b256::new(),
					chunk_size: T::ChunkSize::get(),
					started_at: now,
					last_progress: now,
					deposit,
				},
			);
			Self::deposit_event(Event::UploadStarted { file, size, chunks, uploader: who });
			Ok(())
		}

		/// Sends chunk number `index` (from 0) of `file`, whose blake2-256 hash is `chunk`.
		///
		/// ## Dispatch Origin
		/// Signed by the uploader.
		///
		/// ## Details
		/// `data` must be the last argument: the node keeps exactly the transaction's last
		/// `len(data)` bytes under the chunk's hash, so nothing may follow the call in its
		/// transaction (it may be a batch's last call). Chunks come in order and are the
		/// upload's chunk size (`ChunkSize` when it began) except the last. With the last chunk
		/// the file's hash is checked and the file is stored.
		/// The transaction fee grows with the chunk's length.
		///
		/// ## Errors
		/// - [`Error::UploadNotFound`], [`Error::NotUploader`]
		/// - [`Error::ChunkOutOfOrder`], [`Error::ChunkSizeMismatch`], [`Error::ChunkHashMismatch`]
		/// - [`Error::FileHashMismatch`] (last chunk only)
		/// - [`Error::NotInTransaction`], [`Error::ChunkNotAtEnd`]
		///
		/// ## Events
		/// - [`Event::ChunkStored`]; with the last chunk also [`Event::FileStored`]
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::upload_chunk(data.len() as u32))]
		pub fn upload_chunk(
			origin: OriginFor<T>,
			file: H256,
			index: u32,
			chunk: H256,
			data: Vec<u8>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut upload = Uploads::<T>::get(file).ok_or(Error::<T>::UploadNotFound)?;
			ensure!(upload.uploader == who, Error::<T>::NotUploader);
			ensure!(index == upload.next_chunk, Error::<T>::ChunkOutOfOrder);
			ensure!(
				data.len() as u64 == chunk_len(upload.size, upload.chunk_size, index),
				Error::<T>::ChunkSizeMismatch
			);
			ensure!(
				H256(polkadot_sdk::sp_io::hashing::blake2_256(&data)) == chunk,
				Error::<T>::ChunkHashMismatch
			);
			upload.hasher.update(&data);
			let last = index.saturating_add(1) == upload.chunks;
			let finished = if last {
				let hash = H256(upload.hasher.clone().finalize());
				ensure!(hash == file, Error::<T>::FileHashMismatch);
				true
			} else {
				false
			};
			Self::index_tail(&data, chunk)?;
			Chunks::<T>::insert(file, index, chunk);
			Self::deposit_event(Event::ChunkStored { file, index, chunk });
			if finished {
				Uploads::<T>::remove(file);
				Files::<T>::insert(
					file,
					FileInfo {
						size: upload.size,
						chunk_size: upload.chunk_size,
						chunks: upload.chunks,
						uploader: upload.uploader,
						stored_at: frame_system::Pallet::<T>::block_number(),
						deposit: upload.deposit,
					},
				);
				Self::deposit_event(Event::FileStored { file, size: upload.size });
			} else {
				upload.next_chunk = upload.next_chunk.saturating_add(1);
				upload.last_progress = frame_system::Pallet::<T>::block_number();
				Uploads::<T>::insert(file, upload);
			}
			Ok(())
		}

		/// Cancels the upload of `file`, forgetting its chunks and returning the deposit.
		///
		/// ## Dispatch Origin
		/// Signed by the uploader.
		///
		/// ## Errors
		/// - [`Error::UploadNotFound`], [`Error::NotUploader`]
		///
		/// ## Events
		/// - [`Event::UploadCancelled`]
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::cancel_upload(T::MaxChunks::get()))]
		pub fn cancel_upload(origin: OriginFor<T>, file: H256) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let upload = Uploads::<T>::get(file).ok_or(Error::<T>::UploadNotFound)?;
			ensure!(upload.uploader == who, Error::<T>::NotUploader);
			let received = Self::remove_upload(file, upload);
			Self::deposit_event(Event::UploadCancelled { file });
			Ok(Some(T::WeightInfo::cancel_upload(received)).into())
		}

		/// Removes the upload of `file` once it has made no progress for `UploadTimeout`
		/// blocks, returning the deposit to its uploader.
		///
		/// ## Dispatch Origin
		/// Signed: anyone (typically whoever wants to upload the same file).
		///
		/// ## Details
		/// The same work as [`Pallet::cancel_upload`]; afterwards the file can be begun anew.
		///
		/// ## Errors
		/// - [`Error::UploadNotFound`], [`Error::UploadNotExpired`]
		///
		/// ## Events
		/// - [`Event::UploadExpired`]
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::cancel_upload(T::MaxChunks::get()))]
		pub fn reap_upload(origin: OriginFor<T>, file: H256) -> DispatchResultWithPostInfo {
			let reaper = ensure_signed(origin)?;
			let upload = Uploads::<T>::get(file).ok_or(Error::<T>::UploadNotFound)?;
			ensure!(
				frame_system::Pallet::<T>::block_number() >= Self::expires_at(&upload),
				Error::<T>::UploadNotExpired
			);
			let uploader = upload.uploader.clone();
			let received = Self::remove_upload(file, upload);
			Self::deposit_event(Event::UploadExpired { file, uploader, reaper });
			Ok(Some(T::WeightInfo::cancel_upload(received)).into())
		}
	}

	impl<T: Config> Pallet<T> {
		/// How many chunks a file of `size` bytes has, or `None` if it is too large.
		pub fn chunk_count(size: u64) -> Option<u32> {
			let chunk = u64::from(T::ChunkSize::get());
			let count = size.div_ceil(chunk);
			let count = u32::try_from(count).ok()?;
			(count <= T::MaxChunks::get()).then_some(count)
		}

		/// The length of chunk `index` of a file of `size` bytes.
		pub fn chunk_len(size: u64, index: u32) -> u64 {
			chunk_len(size, T::ChunkSize::get(), index)
		}

		/// The first block at which `upload` may be reaped: `UploadTimeout` blocks after its
		/// last progress.
		pub fn expires_at(upload: &UploadInfo<T>) -> BlockNumberFor<T> {
			upload.last_progress.saturating_add(T::UploadTimeout::get())
		}

		/// Removes an upload and the chunk hashes it received, and returns its deposit to the
		/// uploader; returns how many chunks it had received.
		pub(crate) fn remove_upload(file: H256, upload: UploadInfo<T>) -> u32 {
			let received = upload.next_chunk;
			let _ = Chunks::<T>::clear_prefix(file, received, None);
			Uploads::<T>::remove(file);
			if let Err(error) = T::Currency::release(
				&HoldReason::FileDeposit.into(),
				&upload.uploader,
				upload.deposit,
				Precision::BestEffort,
			) {
				log::error!(
					target: LOG_TARGET,
					"releasing the deposit of {:?} failed: {error:?}",
					upload.uploader
				);
			}
			received
		}

		/// Asks the node to keep `data`, the last bytes of the transaction being applied, under
		/// the chunk hash `chunk`. They are the caller's last argument when the call is the
		/// transaction's own call (or the last of a batch, the inner call of a proxy, ...); a
		/// call that wraps it and puts bytes after it would make the node keep the wrong bytes,
		/// so it is refused.
		pub(crate) fn index_tail(data: &[u8], chunk: H256) -> DispatchResult {
			let extrinsic =
				frame_system::Pallet::<T>::extrinsic_index().ok_or(Error::<T>::NotInTransaction)?;
			#[allow(deprecated)]
			let transaction = frame_system::Pallet::<T>::extrinsic_data(extrinsic);
			ensure!(transaction.ends_with(data), Error::<T>::ChunkNotAtEnd);
			polkadot_sdk::sp_io::transaction_index::index(extrinsic, data.len() as u32, chunk.0);
			Ok(())
		}

		/// The manifest of a stored file: its record and its chunk hashes in order.
		pub fn file(file: H256) -> Option<FileManifest<T>> {
			let info = Files::<T>::get(file)?;
			let chunks =
				(0..info.chunks).map(|i| Chunks::<T>::get(file, i)).collect::<Option<Vec<_>>>()?;
			Some(FileManifest { hash: file, info, chunks })
		}

		/// The state of an upload in progress.
		pub fn upload(file: H256) -> Option<UploadInfo<T>> {
			Uploads::<T>::get(file)
		}

		/// Checks the storage invariants: every stored file has all its chunk hashes, and every
		/// upload in progress has exactly the chunks it received.
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			for (file, info) in Files::<T>::iter() {
				ensure!(!Uploads::<T>::contains_key(file), "a stored file is also uploading");
				let count = Chunks::<T>::iter_prefix(file).count() as u32;
				ensure!(count == info.chunks, "a stored file misses chunk hashes");
			}
			for (file, upload) in Uploads::<T>::iter() {
				let count = Chunks::<T>::iter_prefix(file).count() as u32;
				ensure!(count == upload.next_chunk, "an upload has the wrong chunk count");
				ensure!(upload.next_chunk < upload.chunks, "an upload is complete but not stored");
			}
			Ok(())
		}
	}
}

/// The length of chunk `index` of a file of `size` bytes cut in chunks of `chunk_size`.
fn chunk_len(size: u64, chunk_size: u32, index: u32) -> u64 {
	let chunk = u64::from(chunk_size);
	let start = u64::from(index).saturating_mul(chunk);
	size.saturating_sub(start).min(chunk)
}

/// Files of one chunk that another pallet's transaction carries whole (a training round's
/// updates and results). No deposit is held: the calling pallet decides who may store them and
/// bounds how many. An upload of the same file in progress (begun by anyone, e.g. someone who saw
/// the transaction in the pool) is removed, its deposit returned, since the file is now stored.
impl<T: Config> swarm_primitives::ContentWriter<T::AccountId> for Pallet<T> {
	fn max_tail_file() -> u32 {
		<T::ChunkSize as polkadot_sdk::frame_support::traits::Get<u32>>::get()
	}

	fn store_tail(
		uploader: &T::AccountId,
		data: &[u8],
	) -> Result<H256, polkadot_sdk::sp_runtime::DispatchError> {
		use polkadot_sdk::{frame_support::traits::Get, sp_runtime::traits::Zero};
		let size = data.len() as u64;
		polkadot_sdk::frame_support::ensure!(size > 0, Error::<T>::EmptyFile);
		polkadot_sdk::frame_support::ensure!(
			size <= u64::from(T::ChunkSize::get()),
			Error::<T>::FileTooLarge
		);
		let file = H256(polkadot_sdk::sp_io::hashing::blake2_256(data));
		if Files::<T>::contains_key(file) {
			return Ok(file);
		}
		Self::index_tail(data, file)?;
		if let Some(upload) = Uploads::<T>::get(file) {
			Self::remove_upload(file, upload);
			Self::deposit_event(Event::UploadCancelled { file });
		}
		Chunks::<T>::insert(file, 0, file);
		Files::<T>::insert(
			file,
			FileInfo {
				size,
				chunk_size: T::ChunkSize::get(),
				chunks: 1,
				uploader: uploader.clone(),
				stored_at: frame_system::Pallet::<T>::block_number(),
				deposit: Zero::zero(),
			},
		);
		Self::deposit_event(Event::FileStored { file, size });
		Ok(file)
	}
}

impl<T: Config> swarm_primitives::ContentInspector for Pallet<T> {
	fn stored_size(hash: &H256) -> Option<u64> {
		Files::<T>::get(hash).map(|file| file.size)
	}

	/// A manifest without chunks: enough for pallets that only ask whether a file is stored.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_store(hash: H256, size: u64) {
		use polkadot_sdk::{frame_support::traits::Get, sp_runtime::traits::Zero};
		Files::<T>::insert(
			hash,
			FileInfo {
				size,
				chunk_size: T::ChunkSize::get(),
				chunks: 0,
				uploader: polkadot_sdk::frame_benchmarking::account("uploader", 0, 0),
				stored_at: frame_system::Pallet::<T>::block_number(),
				deposit: Zero::zero(),
			},
		);
	}
}
