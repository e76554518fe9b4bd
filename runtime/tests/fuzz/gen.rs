//! Random calls from the runtime's type information: a SCALE encoder that walks the type of
//! `RuntimeCall` (every pallet's calls, with their argument types as the metadata describes them)
//! and writes random values, biased towards the values that reach deep code; and a decoder that
//! walks events the same way to collect the ids, hashes and accounts the chain hands out, so that
//! later calls name them.

use codec::{Compact, Decode, Encode};
use polkadot_sdk::sp_core::crypto::AccountId32;
use scale_info::{
	form::PortableForm, meta_type, Field, PortableRegistry, Registry, Type, TypeDef,
	TypeDefPrimitive, Variant,
};
use std::collections::{BTreeMap, HashMap};
use swarm_runtime::{currency, RuntimeCall, RuntimeEvent};

/// A small, seeded random number generator (splitmix64): the same seed, the same run.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
	pub fn new(seed: u64) -> Self {
		Self(seed)
	}

	pub fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
		z ^ (z >> 31)
	}

	/// A number in `0..n` (0 if `n` is 0).
	pub fn below(&mut self, n: u64) -> u64 {
		if n == 0 {
			0
		} else {
			self.next() % n
		}
	}

	/// True `percent` times in a hundred.
	pub fn chance(&mut self, percent: u64) -> bool {
		self.below(100) < percent
	}

	pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
		items.get(self.below(items.len() as u64) as usize)
	}

	pub fn bytes(&mut self, len: usize) -> Vec<u8> {
		(0..len).map(|_| self.next() as u8).collect()
	}

	/// Random bytes, `min` to `min + extra - 1` of them.
	pub fn some_bytes(&mut self, min: usize, extra: u64) -> Vec<u8> {
		let len = min + self.below(extra) as usize;
		self.bytes(len)
	}

	pub fn hash(&mut self) -> [u8; 32] {
		self.bytes(32).try_into().unwrap()
	}
}

/// The values that later calls draw from: the signers' accounts, and what events announced.
pub struct Pools {
	/// Accounts to name in arguments: the signers first, then accounts seen in events.
	pub accounts: Vec<AccountId32>,
	/// How many of `accounts` are the signers' (never dropped).
	pub signers: usize,
	/// Hashes seen in events (files, versions' weights, commitments), the latest last.
	pub hashes: Vec<[u8; 32]>,
	/// Numbers seen in events, by the type name of their field (`ModelId`, `JobId`) and by
	/// their field's name (`.version`, `.round`).
	pub numbers: HashMap<String, Vec<u128>>,
	/// Byte strings worth sending again (a model configuration the engine runs).
	pub blobs: Vec<Vec<u8>>,
	/// The block being built.
	pub block: u32,
}

const MAX_SEEN: usize = 64;

impl Pools {
	pub fn new(signers: Vec<AccountId32>) -> Self {
		Self {
			signers: signers.len(),
			accounts: signers,
			hashes: vec![[0; 32]],
			numbers: HashMap::new(),
			blobs: Vec::new(),
			block: 0,
		}
	}

	pub fn note_hash(&mut self, hash: [u8; 32]) {
		if !self.hashes.contains(&hash) {
			if self.hashes.len() >= MAX_SEEN {
				self.hashes.remove(0);
			}
			self.hashes.push(hash);
		}
	}

	/// Notes an account that an event named, unless it is a pallet's (`modl…`, e.g. the reward
	/// pot): nobody holds its key, and named in root's `sudo_as` it would let root move a pallet's
	/// funds behind its back (`root_draining_the_reward_pot_lasts_a_block`), as the calls in
	/// [`EXCLUDED`] would.
	fn note_account(&mut self, account: AccountId32) {
		if AsRef::<[u8]>::as_ref(&account).starts_with(b"modl") {
			return;
		}
		if !self.accounts.contains(&account) {
			if self.accounts.len() >= self.signers + MAX_SEEN {
				self.accounts.remove(self.signers);
			}
			self.accounts.push(account);
		}
	}

	fn note_number(&mut self, key: String, value: u128) {
		let seen = self.numbers.entry(key).or_default();
		if !seen.contains(&value) {
			if seen.len() >= MAX_SEEN {
				seen.remove(0);
			}
			seen.push(value);
		}
	}
}

/// What a field says about the value it holds: its name and its type's name in the source.
#[derive(Clone, Copy, Default)]
struct Hint<'a> {
	name: Option<&'a str>,
	type_name: Option<&'a str>,
}

impl<'a> Hint<'a> {
	fn of(field: &'a Field<PortableForm>) -> Self {
		Self { name: field.name.as_deref(), type_name: field.type_name.as_deref() }
	}

	/// The pool keys of a number in this field: its type's name unless that is a plain
	/// primitive, and its field's name.
	fn keys(&self) -> impl Iterator<Item = String> + '_ {
		let named_type = self
			.type_name
			.filter(|t| !matches!(*t, "u8" | "u16" | "u32" | "u64" | "u128" | "bool"))
			.map(|t| t.trim_start_matches("T::").to_string());
		named_type.into_iter().chain(self.name.map(|n| format!(".{n}")))
	}

	fn type_has(&self, part: &str) -> bool {
		self.type_name.is_some_and(|t| t.contains(part))
	}

	fn name_is(&self, names: &[&str]) -> bool {
		self.name.is_some_and(|n| names.contains(&n))
	}
}

/// The calls the fuzzer never makes: each legitimately changes state behind the pallets' backs
/// (no user or governance action does that on a live chain without a runtime upgrade's care), or
/// would end the run.
pub const EXCLUDED: &[(&str, &str, &str)] = &[
	(
		"Timestamp",
		"set",
		"an inherent, in every block already: root dispatching it again as `None` \
		 (`utility.dispatch_as`) panics by design (`root_setting_the_timestamp_again_panics`)",
	),
	("System", "set_code", "replaces the runtime: the rest of the run would test another one"),
	("System", "set_code_without_checks", "the same, unchecked"),
	("System", "authorize_upgrade", "only leads to apply_authorized_upgrade"),
	("System", "authorize_upgrade_without_checks", "the same"),
	("System", "apply_authorized_upgrade", "replaces the runtime"),
	("System", "set_storage", "writes raw storage behind every pallet's back"),
	("System", "kill_storage", "deletes raw storage behind every pallet's back"),
	("System", "kill_prefix", "deletes raw storage behind every pallet's back"),
	(
		"Balances",
		"force_set_balance",
		"mints or burns behind the rewards pallet's issuance accounting (root-only)",
	),
	(
		"Balances",
		"force_adjust_total_issuance",
		"changes issuance without changing any balance (root-only)",
	),
	(
		"Balances",
		"force_unreserve",
		"releases funds that pallets hold (holds are part of `reserved`) behind their backs \
		 (root-only)",
	),
	(
		"Balances",
		"burn",
		"refused to every origin by the runtime's call filter (`burn_is_refused` checks it), except \
		 to root's `sudo_as`, which bypasses filters",
	),
	("Sudo", "set_key", "would hand root to an account the fuzzer may not sign for"),
	("Sudo", "remove_key", "would end every root call of the run"),
];

/// Whether the fuzzer leaves out `pallet`'s `call` (see [`EXCLUDED`]).
pub fn excluded(pallet: &str, call: &str) -> bool {
	EXCLUDED.iter().any(|(p, c, _)| *p == pallet && *c == call)
}

/// How deep calls may nest in calls (`sudo(batch(...))`).
const MAX_CALL_DEPTH: u32 = 3;

/// The generator: the type registry, the random source and the pools.
pub struct Gen {
	registry: PortableRegistry,
	call_ty: u32,
	event_ty: u32,
	pub rng: Rng,
	pub pools: Pools,
	call_depth: u32,
	/// Whether a type mentions `RuntimeCall` (directly or inside), by type id.
	nests_calls: HashMap<u32, bool>,
	/// Every call the fuzzer makes (see [`Gen::calls`]).
	calls: Vec<(u8, String, Variant<PortableForm>)>,
}

impl Gen {
	/// A generator over the runtime's `RuntimeCall` and `RuntimeEvent` types, as the metadata
	/// describes them (the same scale-info registration that builds the metadata's registry).
	pub fn new(seed: u64, pools: Pools) -> Self {
		let mut registry = Registry::new();
		let call_ty = registry.register_type(&meta_type::<RuntimeCall>()).id;
		let event_ty = registry.register_type(&meta_type::<RuntimeEvent>()).id;
		Self {
			registry: registry.into(),
			call_ty,
			event_ty,
			rng: Rng::new(seed),
			pools,
			call_depth: 0,
			nests_calls: HashMap::new(),
			calls: Vec::new(),
		}
	}

	fn ty(&self, id: u32) -> &Type<PortableForm> {
		self.registry.resolve(id).expect("the registry holds every type it names")
	}

	/// Every pallet with calls, and the names of its calls that the fuzzer makes.
	pub fn pallets(&self) -> Vec<(String, Vec<String>)> {
		let TypeDef::Variant(pallets) = &self.ty(self.call_ty).type_def else { unreachable!() };
		pallets
			.variants
			.iter()
			.map(|pallet| {
				let calls = match &self.ty(pallet.fields[0].ty.id).type_def {
					TypeDef::Variant(calls) => calls
						.variants
						.iter()
						.map(|c| c.name.clone())
						.filter(|c| !excluded(&pallet.name, c))
						.collect(),
					_ => vec![],
				};
				(pallet.name.clone(), calls)
			})
			.collect()
	}

	/// The encoding of a random call (each call of each pallet as likely).
	pub fn call(&mut self) -> Vec<u8> {
		let mut out = Vec::new();
		self.call_ty_value(&mut out);
		out
	}

	/// Every call of every pallet: the pallet's index and name, and the call's variant.
	fn calls(&mut self) -> &[(u8, String, Variant<PortableForm>)] {
		if self.calls.is_empty() {
			let TypeDef::Variant(pallets) = &self.ty(self.call_ty).type_def else { unreachable!() };
			let mut calls = Vec::new();
			for pallet in &pallets.variants {
				if let TypeDef::Variant(pallet_calls) = &self.ty(pallet.fields[0].ty.id).type_def {
					for call in &pallet_calls.variants {
						if !excluded(&pallet.name, &call.name) {
							calls.push((pallet.index, pallet.name.clone(), call.clone()));
						}
					}
				}
			}
			self.calls = calls;
		}
		&self.calls
	}

	fn call_ty_value(&mut self, out: &mut Vec<u8>) {
		self.call_depth += 1;
		let count = self.calls().len() as u64;
		let mut chosen = None;
		for _ in 0..32 {
			let (pallet, _, call) = self.calls[self.rng.below(count) as usize].clone();
			let nests = call.fields.iter().any(|f| self.nests_calls(f.ty.id));
			if nests && self.call_depth >= MAX_CALL_DEPTH {
				continue;
			}
			chosen = Some((pallet, call));
			break;
		}
		match chosen {
			Some((pallet, call)) => {
				out.push(pallet);
				out.push(call.index);
				for field in &call.fields {
					self.value(field.ty.id, Hint::of(field), out);
				}
			},
			// Nothing found in 32 tries (unlikely): an empty remark.
			None => {
				RuntimeCall::System(polkadot_sdk::frame_system::Call::remark { remark: vec![] })
					.encode_to(out)
			},
		}
		self.call_depth -= 1;
	}

	/// Whether values of type `id` may hold a call.
	fn nests_calls(&mut self, id: u32) -> bool {
		fn walk(gen: &Gen, id: u32, seen: &mut Vec<u32>) -> bool {
			if id == gen.call_ty {
				return true;
			}
			if seen.contains(&id) {
				return false;
			}
			seen.push(id);
			match &gen.ty(id).type_def {
				TypeDef::Composite(c) => c.fields.iter().any(|f| walk(gen, f.ty.id, seen)),
				TypeDef::Variant(v) => v
					.variants
					.iter()
					.any(|v| v.fields.iter().any(|f| walk(gen, f.ty.id, seen))),
				TypeDef::Sequence(s) => walk(gen, s.type_param.id, seen),
				TypeDef::Array(a) => walk(gen, a.type_param.id, seen),
				TypeDef::Tuple(t) => t.fields.iter().any(|f| walk(gen, f.id, seen)),
				TypeDef::Compact(c) => walk(gen, c.type_param.id, seen),
				TypeDef::Primitive(_) | TypeDef::BitSequence(_) => false,
			}
		}
		if let Some(known) = self.nests_calls.get(&id) {
			return *known;
		}
		let nests = walk(self, id, &mut Vec::new());
		self.nests_calls.insert(id, nests);
		nests
	}

	/// Writes a random value of type `id`.
	fn value(&mut self, id: u32, hint: Hint, out: &mut Vec<u8>) {
		if id == self.call_ty {
			return self.call_ty_value(out);
		}
		let ty = self.ty(id).clone();
		let path = ty.path.segments.join("::");
		match path.as_str() {
			"sp_core::crypto::AccountId32" => return out.extend_from_slice(self.account().as_ref()),
			"primitive_types::H256" => return out.extend_from_slice(&self.hash32()),
			"sp_runtime::multiaddress::MultiAddress" if self.rng.chance(90) => {
				out.push(0);
				return out.extend_from_slice(self.account().as_ref());
			},
			"sp_arithmetic::per_things::Perbill" => return self.per_thing(1_000_000_000, 4, out),
			"sp_arithmetic::per_things::Permill" => return self.per_thing(1_000_000, 4, out),
			"sp_arithmetic::per_things::Percent" => return self.per_thing(100, 1, out),
			"sp_arithmetic::per_things::Perquintill" => {
				return self.per_thing(1_000_000_000_000_000_000, 8, out)
			},
			_ => {},
		}
		match &ty.type_def {
			TypeDef::Composite(c) => {
				for field in &c.fields {
					self.value(field.ty.id, Hint::of(field), out);
				}
			},
			TypeDef::Variant(v) => {
				// An enum without variants (`Void`) has no value: its byte makes the call
				// undecodable, which the fuzzer counts.
				let Some(variant) = self.rng.pick(&v.variants) else { return out.push(0) };
				out.push(variant.index);
				for field in &variant.fields {
					self.value(field.ty.id, Hint::of(field), out);
				}
			},
			TypeDef::Sequence(s) => {
				let elem = s.type_param.id;
				if matches!(self.ty(elem).type_def, TypeDef::Primitive(TypeDefPrimitive::U8)) {
					let bytes = self.bytes(hint);
					return bytes.encode_to(out);
				}
				let len = self.len();
				Compact(len as u32).encode_to(out);
				for _ in 0..len {
					self.value(elem, hint, out);
				}
			},
			TypeDef::Array(a) => {
				let elem = a.type_param.id;
				let bytes =
					matches!(self.ty(elem).type_def, TypeDef::Primitive(TypeDefPrimitive::U8));
				if bytes && a.len == 32 {
					return out.extend_from_slice(&self.hash32());
				}
				for _ in 0..a.len {
					self.value(elem, hint, out);
				}
			},
			TypeDef::Tuple(t) => {
				for field in &t.fields {
					self.value(field.id, Hint::default(), out);
				}
			},
			TypeDef::Primitive(p) => self.primitive(p, hint, out),
			TypeDef::Compact(c) => {
				let value = self.compact_inner(c.type_param.id, hint);
				Compact(value).encode_to(out);
			},
			TypeDef::BitSequence(_) => Compact(0u32).encode_to(out),
		}
	}

	/// The number under a `Compact`: an unsigned integer, or the one inside a wrapper.
	fn compact_inner(&mut self, id: u32, hint: Hint) -> u128 {
		match &self.ty(id).type_def {
			TypeDef::Primitive(p) => {
				let bits = match p {
					TypeDefPrimitive::U8 => 8,
					TypeDefPrimitive::U16 => 16,
					TypeDefPrimitive::U32 => 32,
					TypeDefPrimitive::U64 => 64,
					_ => 128,
				};
				self.int(bits, hint)
			},
			TypeDef::Composite(c) if c.fields.len() == 1 => {
				let field = c.fields[0].clone();
				self.compact_inner(field.ty.id, hint)
			},
			_ => 0,
		}
	}

	fn primitive(&mut self, p: &TypeDefPrimitive, hint: Hint, out: &mut Vec<u8>) {
		match p {
			TypeDefPrimitive::Bool => out.push(self.rng.chance(50) as u8),
			TypeDefPrimitive::Char => (b'a' as u32 + self.rng.below(26) as u32).encode_to(out),
			TypeDefPrimitive::Str => {
				let len = self.len();
				let s: String = (0..len).map(|_| (b'a' + self.rng.below(26) as u8) as char).collect();
				s.encode_to(out)
			},
			TypeDefPrimitive::U8 => out.push(self.int(8, hint) as u8),
			TypeDefPrimitive::U16 => (self.int(16, hint) as u16).encode_to(out),
			TypeDefPrimitive::U32 => (self.int(32, hint) as u32).encode_to(out),
			TypeDefPrimitive::U64 => (self.int(64, hint) as u64).encode_to(out),
			TypeDefPrimitive::U128 => self.int(128, hint).encode_to(out),
			TypeDefPrimitive::I8 => out.push(self.int(8, hint) as u8),
			TypeDefPrimitive::I16 => (self.int(16, hint) as u16).encode_to(out),
			TypeDefPrimitive::I32 => (self.int(32, hint) as u32).encode_to(out),
			TypeDefPrimitive::I64 => (self.int(64, hint) as u64).encode_to(out),
			TypeDefPrimitive::I128 => self.int(128, hint).encode_to(out),
			TypeDefPrimitive::U256 | TypeDefPrimitive::I256 => {
				out.extend_from_slice(&self.rng.bytes(32))
			},
		}
	}

	/// A random unsigned number of `bits` bits: from the pool of its field when there is one,
	/// a balance for balances, near the current block for block numbers, else mostly small,
	/// sometimes an edge value, sometimes anything.
	fn int(&mut self, bits: u32, hint: Hint) -> u128 {
		let max = if bits >= 128 { u128::MAX } else { (1u128 << bits) - 1 };
		if hint.name_is(&["delay"]) {
			// `grandpa.note_stalled`'s, which pallet-grandpa doubles unchecked: above 2^31
			// blocks it overflows (`root_noting_a_stall_with_an_overflowing_delay_overflows`).
			// Before the pools, whose block numbers (a `BlockNumberFor` seen in an event) may be
			// any.
			return u128::from(self.rng.below(1 << 30));
		}
		if self.rng.chance(60) {
			let keys: Vec<String> = hint.keys().collect();
			for key in keys {
				if let Some(seen) = self.pools.numbers.get(&key) {
					if let Some(value) = self.rng.pick(seen).copied() {
						// Now and then the id after it: the next one handed out.
						let value = if self.rng.chance(10) { value.saturating_add(1) } else { value };
						return value.min(max);
					}
				}
			}
		}
		if bits == 128 || hint.type_has("Balance") {
			const BALANCES: [u128; 7] = [
				0,
				1,
				currency::EXISTENTIAL_DEPOSIT,
				currency::UNIT,
				100 * currency::UNIT,
				1_000_000 * currency::UNIT,
				u128::MAX,
			];
			let value = match self.rng.below(10) {
				0..=6 => BALANCES[self.rng.below(BALANCES.len() as u64) as usize],
				7 | 8 => u128::from(self.rng.below(1_000)) * currency::MILLI_UNIT,
				_ => u128::from(self.rng.next()),
			};
			return value.min(max);
		}
		if hint.type_has("BlockNumber") && self.rng.chance(70) {
			let now = u128::from(self.pools.block);
			let offset = u128::from(self.rng.below(20));
			return if self.rng.chance(50) { now + offset } else { now.saturating_sub(offset) };
		}
		let value = match self.rng.below(100) {
			0..=54 => u128::from(self.rng.below(8)),
			55..=69 => {
				let edges = [0, 1, max, max - 1, 1u128 << (bits - 1)];
				edges[self.rng.below(edges.len() as u64) as usize]
			},
			70..=84 => u128::from(self.rng.below(1_000)),
			_ => u128::from(self.rng.next()) | (u128::from(self.rng.next()) << 64),
		};
		value & max
	}

	/// A per-thing of `accuracy` parts: mostly within range (an out-of-range one does not
	/// decode).
	fn per_thing(&mut self, accuracy: u128, width: usize, out: &mut Vec<u8>) {
		let value = match self.rng.below(10) {
			0 => 0,
			1 => accuracy,
			2 => accuracy + 1,
			_ => u128::from(self.rng.next()) % (accuracy + 1),
		};
		out.extend_from_slice(&value.to_le_bytes()[..width]);
	}

	/// A sequence's length: mostly up to 3, sometimes up to 16.
	fn len(&mut self) -> usize {
		if self.rng.chance(90) {
			self.rng.below(4) as usize
		} else {
			self.rng.below(17) as usize
		}
	}

	/// Bytes: a name for names, a known blob now and then, else random bytes of a random
	/// length (now and then long).
	fn bytes(&mut self, hint: Hint) -> Vec<u8> {
		if hint.name_is(&["name", "alias", "licence", "description", "remark"]) &&
			self.rng.chance(80)
		{
			let len = 1 + self.rng.below(12) as usize;
			return (0..len).map(|_| b'a' + self.rng.below(26) as u8).collect();
		}
		if self.rng.chance(10) {
			if let Some(blob) = self.rng.pick(&self.pools.blobs).cloned() {
				return blob;
			}
		}
		let len = match self.rng.below(100) {
			0..=79 => self.rng.below(8),
			80..=97 => self.rng.below(256),
			_ => self.rng.below(4096),
		};
		self.rng.bytes(len as usize)
	}

	fn account(&mut self) -> AccountId32 {
		// Mostly a signer, so that what the call does to the account is seen by its owner.
		let pool = if self.rng.chance(80) {
			&self.pools.accounts[..self.pools.signers]
		} else {
			&self.pools.accounts[..]
		};
		match self.rng.pick(pool) {
			Some(account) if self.rng.chance(95) => account.clone(),
			_ => AccountId32::new(self.rng.hash()),
		}
	}

	fn hash32(&mut self) -> [u8; 32] {
		match self.rng.below(10) {
			0..=6 => self.rng.pick(&self.pools.hashes).copied().unwrap_or_default(),
			7 => [0; 32],
			_ => self.rng.hash(),
		}
	}

	/// Collects what `event` names into the pools.
	pub fn harvest(&mut self, event: &RuntimeEvent) {
		let bytes = event.encode();
		let mut input = &bytes[..];
		let _ = self.read(self.event_ty, Hint::default(), &mut input);
	}

	/// Reads a value of type `id` from `input`, noting what it names; `None` where the bytes end
	/// early (nothing the runtime encodes does).
	fn read(&mut self, id: u32, hint: Hint, input: &mut &[u8]) -> Option<()> {
		let ty = self.ty(id).clone();
		let path = ty.path.segments.join("::");
		if path == "sp_core::crypto::AccountId32" {
			let account = <[u8; 32]>::decode(input).ok()?;
			self.pools.note_account(AccountId32::new(account));
			return Some(());
		}
		if path == "primitive_types::H256" {
			let hash = <[u8; 32]>::decode(input).ok()?;
			self.pools.note_hash(hash);
			return Some(());
		}
		match &ty.type_def {
			TypeDef::Composite(c) => {
				for field in &c.fields {
					self.read(field.ty.id, Hint::of(field), input)?;
				}
			},
			TypeDef::Variant(v) => {
				let index = u8::decode(input).ok()?;
				let variant = v.variants.iter().find(|v| v.index == index)?;
				for field in &variant.fields {
					self.read(field.ty.id, Hint::of(field), input)?;
				}
			},
			TypeDef::Sequence(s) => {
				let Compact(len) = Compact::<u32>::decode(input).ok()?;
				if len as usize > input.len() {
					return None;
				}
				for _ in 0..len {
					self.read(s.type_param.id, hint, input)?;
				}
			},
			TypeDef::Array(a) => {
				let bytes =
					matches!(self.ty(a.type_param.id).type_def, TypeDef::Primitive(TypeDefPrimitive::U8));
				if bytes && a.len == 32 {
					let hash = <[u8; 32]>::decode(input).ok()?;
					self.pools.note_hash(hash);
					return Some(());
				}
				for _ in 0..a.len {
					self.read(a.type_param.id, hint, input)?;
				}
			},
			TypeDef::Tuple(t) => {
				for field in &t.fields {
					self.read(field.id, Hint::default(), input)?;
				}
			},
			TypeDef::Primitive(p) => {
				let value: u128 = match p {
					TypeDefPrimitive::Bool | TypeDefPrimitive::U8 | TypeDefPrimitive::I8 => {
						u8::decode(input).ok()?.into()
					},
					TypeDefPrimitive::U16 | TypeDefPrimitive::I16 => u16::decode(input).ok()?.into(),
					TypeDefPrimitive::U32 | TypeDefPrimitive::I32 | TypeDefPrimitive::Char => {
						u32::decode(input).ok()?.into()
					},
					TypeDefPrimitive::U64 | TypeDefPrimitive::I64 => u64::decode(input).ok()?.into(),
					TypeDefPrimitive::U128 | TypeDefPrimitive::I128 => u128::decode(input).ok()?,
					TypeDefPrimitive::Str => {
						String::decode(input).ok()?;
						return Some(());
					},
					TypeDefPrimitive::U256 | TypeDefPrimitive::I256 => {
						<[u8; 32]>::decode(input).ok()?;
						return Some(());
					},
				};
				self.note_number(hint, value);
			},
			TypeDef::Compact(_) => {
				let Compact(value) = Compact::<u128>::decode(input).ok()?;
				self.note_number(hint, value);
			},
			// No event of the runtime carries one.
			TypeDef::BitSequence(_) => return None,
		}
		Some(())
	}

	fn note_number(&mut self, hint: Hint, value: u128) {
		let keys: Vec<String> = hint.keys().collect();
		for key in keys {
			self.pools.note_number(key, value);
		}
	}
}

/// What the generator made, by outcome: for the figures the run prints.
#[derive(Default)]
pub struct Tally(pub BTreeMap<String, u64>);

impl Tally {
	pub fn add(&mut self, what: impl Into<String>) {
		*self.0.entry(what.into()).or_default() += 1;
	}

	pub fn total(&self) -> u64 {
		self.0.values().sum()
	}

	/// The `n` most frequent entries, as `name ×count`.
	pub fn top(&self, n: usize) -> String {
		let mut entries: Vec<_> = self.0.iter().collect();
		entries.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
		entries
			.iter()
			.take(n)
			.map(|(name, count)| format!("{name} ×{count}"))
			.collect::<Vec<_>>()
			.join(", ")
	}
}
