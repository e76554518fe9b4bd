//! The records the weights store keeps: [`UploadInfo`] while a file arrives, [`FileInfo`] once
//! it is stored, and [`FileManifest`], the view nodes use to serve a file.

use crate::{blake2b::Blake2b256, BalanceOf, Config};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_core::H256,
};
use scale_info::TypeInfo;

/// An upload in progress.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct UploadInfo<T: Config> {
	/// The account that began the upload and sends the chunks.
	pub uploader: T::AccountId,
	/// The file's size in bytes.
	pub size: u64,
	/// How many chunks the file has.
	pub chunks: u32,
	/// The index of the chunk expected next (= how many arrived).
	pub next_chunk: u32,
	/// The hash state over the chunks received so far.
	pub hasher: Blake2b256,
	/// The size of every chunk but the last, fixed when the upload began (a runtime upgrade that
	/// changes `ChunkSize` does not change the layout of an upload in progress).
	pub chunk_size: u32,
	/// The block the upload began in.
	pub started_at: BlockNumberFor<T>,
	/// The block of the upload's last progress (its start or its last chunk): after
	/// `UploadTimeout` blocks without progress anyone may reap it.
	pub last_progress: BlockNumberFor<T>,
	/// The deposit held from the uploader.
	pub deposit: BalanceOf<T>,
}

/// A stored file.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct FileInfo<T: Config> {
	/// The file's size in bytes.
	pub size: u64,
	/// The size of every chunk but the last.
	pub chunk_size: u32,
	/// How many chunks the file has.
	pub chunks: u32,
	/// The account that uploaded it.
	pub uploader: T::AccountId,
	/// The block in which the last chunk arrived.
	pub stored_at: BlockNumberFor<T>,
	/// The deposit held from the uploader.
	pub deposit: BalanceOf<T>,
}

/// A stored file and the hashes of its chunks, in order: what a node needs to serve it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct FileManifest<T: Config> {
	/// The file's blake2-256 hash.
	pub hash: H256,
	/// The stored record.
	pub info: FileInfo<T>,
	/// The blake2-256 hash of each chunk; nodes keep the chunk's bytes under it.
	pub chunks: Vec<H256>,
}
