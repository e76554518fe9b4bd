//! The types the model registry stores and returns.
//!
//! - [`ModelInfo`]: a model: its unique name, owner, licence, description and derivation policy.
//! - [`VersionInfo`]: one immutable version of a model: the content hash and size of its weights,
//!   its configuration, metrics, parents (each with a [`Derivation`]) and [`Producer`].
//! - [`Derivation`], [`DerivationPolicy`], [`Producer`], [`ConfigRef`], [`Metric`]: their parts.
//! - [`VersionRef`]: a parsed reference such as `mnist-mlp@production`, `7@latest` or `mnist@v3`.
//!
//! Every type is bounded ([`MaxEncodedLen`]) and has no floating point: metric values are
//! [`FixedI64`] (nine decimals).

use crate::{BalanceOf, Config};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_core::H256,
	sp_runtime::FixedI64,
};
use scale_info::TypeInfo;

/// Identifies a model. Assigned in order of creation, starting at 0.
pub type ModelId = u64;
/// Identifies a version of any model, chain-wide. Assigned in order of publication, from 0.
pub type VersionId = u64;
/// Identifies a training round (of the rounds pallet, when it produced a version).
pub type RoundId = u64;

/// How a version was derived from one of its parents (the kinds of Hugging Face's model tree).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum Derivation {
	/// Further training of the parent on new data.
	Finetune,
	/// Combination of several parents' weights into one model.
	Merge,
	/// The parent at lower numeric precision.
	Quantize,
	/// A (usually smaller) model trained to imitate the parent.
	Distill,
	/// An adapter (e.g. LoRA) trained on top of the frozen parent.
	Adapter,
	/// The aggregate of a federated training round started from the parent.
	FederatedRound,
}

impl Derivation {
	/// The lower-case name used in JSON and on Hugging Face (`finetune`, `federated_round`, ...).
	pub fn as_str(&self) -> &'static str {
		match self {
			Derivation::Finetune => "finetune",
			Derivation::Merge => "merge",
			Derivation::Quantize => "quantize",
			Derivation::Distill => "distill",
			Derivation::Adapter => "adapter",
			Derivation::FederatedRound => "federated_round",
		}
	}
}

/// Who may publish versions derived from a model's versions.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum DerivationPolicy {
	/// Anyone may derive from the model (the default; open weights).
	Open,
	/// Only the model's owner may derive from it.
	OwnerOnly,
}

/// Who or what produced a version.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub enum Producer<AccountId> {
	/// An account, which signed the publication.
	Account(AccountId),
	/// A training round of the chain (federated training); its participants are recorded by the
	/// rounds pallet.
	Round(RoundId),
}

/// A model's architecture and hyper-parameters: the bytes themselves when small, or their
/// blake2-256 hash when the configuration is kept elsewhere (for instance next to the weights).
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
pub enum ConfigRef<T: Config> {
	/// The configuration bytes (e.g. a small JSON document).
	Inline(BoundedVec<u8, T::MaxConfigLen>),
	/// The blake2-256 hash of the configuration bytes.
	Hash(H256),
}

/// One evaluation metric: a name (e.g. `accuracy`) and a fixed-point value (e.g. 0.8812).
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
pub struct Metric<T: Config> {
	/// The metric's name: ASCII letters, digits, `-`, `_`, `.`, `/`.
	pub name: BoundedVec<u8, T::MaxMetricNameLen>,
	/// The value, with nine decimals (`FixedI64`'s inner value is the value × 10^9).
	pub value: FixedI64,
}

/// A metric value as exact decimal text, as the `models_*` RPC returns it: `0.8812` for an inner
/// value of 881_200_000, `-1.5`, `2`; every digit kept, no trailing zeros, no rounding.
pub fn metric_to_decimal(value: FixedI64) -> alloc::string::String {
	swarm_primitives::metrics::to_decimal(value.into_inner())
}

/// A model: the unit that owns versions, aliases and a name.
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
pub struct ModelInfo<T: Config> {
	/// The account that may publish versions, set aliases, deprecate and transfer.
	pub owner: T::AccountId,
	/// The unique name (also the key of `ModelIdByName`).
	pub name: BoundedVec<u8, T::MaxNameLen>,
	/// The licence, as an SPDX identifier or short text (e.g. `apache-2.0`).
	pub licence: BoundedVec<u8, T::MaxLicenceLen>,
	/// Free text describing the model.
	pub description: BoundedVec<u8, T::MaxDescriptionLen>,
	/// Who may derive from the model's versions.
	pub derivation_policy: DerivationPolicy,
	/// The block the model was created in.
	pub created_at: BlockNumberFor<T>,
	/// How many versions the model has; versions are numbered 1, 2, ...
	pub version_count: u32,
	/// How many aliases point into the model.
	pub alias_count: u32,
	/// The account whose deposit backs this record (the creator).
	pub depositor: T::AccountId,
	/// The deposit held from `depositor`, returned when the model is removed.
	pub deposit: BalanceOf<T>,
}

/// An immutable version of a model.
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
pub struct VersionInfo<T: Config> {
	/// The model this version belongs to.
	pub model: ModelId,
	/// The version's number within its model: 1 for the first.
	pub number: u32,
	/// The blake2-256 hash of the weights file (safetensors).
	pub weights_hash: H256,
	/// The size of the weights file in bytes.
	pub weights_size: u64,
	/// The architecture and hyper-parameters.
	pub config: ConfigRef<T>,
	/// Evaluation metrics.
	pub metrics: BoundedVec<Metric<T>, T::MaxMetrics>,
	/// The versions this one was derived from, each with how.
	pub parents: BoundedVec<(VersionId, Derivation), T::MaxParents>,
	/// Who or what produced the weights.
	pub producer: Producer<T::AccountId>,
	/// The account that published the version (signed the transaction).
	pub publisher: T::AccountId,
	/// The block the version was published in.
	pub published_at: BlockNumberFor<T>,
	/// The deposit held from `publisher` for this record.
	pub deposit: BalanceOf<T>,
}

/// A version that a dispute overturned: its round's aggregation was found wrong by
/// re-execution. The version stays as it was (versions are immutable) and is deprecated.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct Overturning<BlockNumber> {
	/// The training round that published it.
	pub round: u64,
	/// The version published in its place from the corrected result, if one was.
	pub corrected: Option<VersionId>,
	/// The block in which it was overturned.
	pub at: BlockNumber,
}

/// An alias of a model: the version it points at, and the deposit that backs it.
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
pub struct AliasInfo<T: Config> {
	/// The version the alias resolves to.
	pub version: VersionId,
	/// The account whose deposit backs the alias.
	pub depositor: T::AccountId,
	/// The deposit held from `depositor`, returned when the alias is removed.
	pub deposit: BalanceOf<T>,
}

/// A parsed reference to a version, as users write it.
///
/// Grammar: `<version-id>` | `<model>@<tag>`, where `<model>` is a model's name or numeric id
/// and `<tag>` is an alias, `latest`, or `v<number>`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum VersionRef<'a> {
	/// A version by its chain-wide id: `42`.
	Id(VersionId),
	/// A version by model and tag: `mnist-mlp@production`.
	Tagged {
		/// The model: a name, or an id when all digits.
		model: ModelKey<'a>,
		/// What to pick within the model.
		tag: Tag<'a>,
	},
}

/// A model, by id or by name.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ModelKey<'a> {
	/// `7`
	Id(ModelId),
	/// `mnist-mlp`
	Name(&'a [u8]),
}

/// The part after `@` in a [`VersionRef`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Tag<'a> {
	/// `latest`: the highest version number.
	Latest,
	/// `v3`: the version with that number.
	Number(u32),
	/// Any other alias set by the owner.
	Alias(&'a [u8]),
}

/// Why a version reference did not resolve.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum ResolveError {
	/// The text is not `<id>` or `<model>@<tag>`.
	Malformed,
	/// No model has that name or id.
	UnknownModel,
	/// No version with that id, number or alias.
	UnknownVersion,
}

/// Parses the digits of `bytes` as a number, or `None` if they are not all ASCII digits or
/// overflow.
pub fn parse_number<N: TryFrom<u64>>(bytes: &[u8]) -> Option<N> {
	if bytes.is_empty() || bytes.len() > 20 {
		return None;
	}
	let mut value: u64 = 0;
	for b in bytes {
		if !b.is_ascii_digit() {
			return None;
		}
		value = value.checked_mul(10)?.checked_add(u64::from(b.checked_sub(b'0')?))?;
	}
	N::try_from(value).ok()
}

impl<'a> VersionRef<'a> {
	/// Parses a reference; see [`VersionRef`] for the grammar.
	pub fn parse(text: &'a [u8]) -> Result<Self, ResolveError> {
		let Some(at) = text.iter().position(|b| *b == b'@') else {
			return parse_number(text).map(VersionRef::Id).ok_or(ResolveError::Malformed);
		};
		let (model, tag) = text.split_at(at);
		let tag = tag.get(1..).unwrap_or_default();
		if model.is_empty() || tag.is_empty() {
			return Err(ResolveError::Malformed);
		}
		let model = match parse_number(model) {
			Some(id) => ModelKey::Id(id),
			None => ModelKey::Name(model),
		};
		let tag = if tag == b"latest" {
			Tag::Latest
		} else if let Some(number) = tag.strip_prefix(b"v").and_then(parse_number) {
			Tag::Number(number)
		} else {
			Tag::Alias(tag)
		};
		Ok(VersionRef::Tagged { model, tag })
	}
}

/// Whether `name` may name a model: 1+ characters of ASCII letters, digits, `-`, `_`, `.`, and
/// not all digits (so that `<model>@<tag>` can tell names from ids).
pub fn is_valid_model_name(name: &[u8]) -> bool {
	!name.is_empty() &&
		name.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) &&
		!name.iter().all(u8::is_ascii_digit)
}

/// Whether `alias` may be set as an alias: 1+ characters of ASCII letters, digits, `-`, `_`,
/// `.`, and not one of the reserved tags (`latest`, `v<number>`).
pub fn is_valid_alias(alias: &[u8]) -> bool {
	is_valid_model_name(alias) &&
		alias != b"latest" &&
		alias.strip_prefix(b"v").is_none_or(|rest| parse_number::<u32>(rest).is_none())
}

/// Whether `name` may name a metric: 1+ characters of ASCII letters, digits, `-`, `_`, `.`, `/`.
pub fn is_valid_metric_name(name: &[u8]) -> bool {
	!name.is_empty() &&
		name.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
}
