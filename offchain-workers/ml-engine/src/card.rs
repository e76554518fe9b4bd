//! Hugging Face model cards: a `README.md` whose YAML front matter carries the fields the Hub and
//! the ML tools read (`license`, `library_name`, `tags`, `base_model`, `base_model_relation`,
//! `model-index`), then a short readable body.
//!
//! The node's `models_card` RPC writes one for a published version, with the lineage read from
//! the chain and a `swarmchain` section (version id, weights hash, block, producer); `swarm-ml
//! train --card` writes one next to the weights it trains, before they are published.
//!
//! Every string in the front matter is written as a double-quoted scalar (JSON's escaping, which
//! YAML 1.2 reads the same), so a model's name or description cannot break the YAML; metric
//! values are written as numbers when they are plain decimals.

use std::fmt::Write as _;

/// The licences the Hugging Face Hub names by identifier; any other goes in as `other`, with
/// its name in `license_name`.
const HUB_LICENCES: &[&str] = &[
	"apache-2.0",
	"mit",
	"openrail",
	"bigscience-openrail-m",
	"creativeml-openrail-m",
	"bigcode-openrail-m",
	"cc-by-4.0",
	"cc-by-sa-4.0",
	"cc-by-nc-4.0",
	"cc-by-nc-sa-4.0",
	"cc-by-nd-4.0",
	"cc-by-nc-nd-4.0",
	"cc0-1.0",
	"bsd",
	"bsd-2-clause",
	"bsd-3-clause",
	"gpl-2.0",
	"gpl-3.0",
	"lgpl-3.0",
	"agpl-3.0",
	"mpl-2.0",
	"epl-2.0",
	"bsl-1.0",
	"unlicense",
	"llama2",
	"llama3",
	"gemma",
];

/// A version this one derives from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseModel {
	/// How people name it: `mnist-mlp@v2` on the chain, a path or a Hub id elsewhere.
	pub reference: String,
	/// The registry's name of the derivation: `finetune`, `merge`, `quantize`, `distill`,
	/// `adapter` or `federated_round`.
	pub derivation: String,
}

/// A metric, its value as a decimal string (`0.871200000`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metric {
	/// As the chain records it: `accuracy`, `loss`.
	pub name: String,
	/// Exact, as the chain records it.
	pub value: String,
}

/// What the chain records of a published version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainRecord {
	/// The version's chain-wide id.
	pub version_id: u64,
	/// Its model's id.
	pub model_id: u64,
	/// The block that published it.
	pub block: u32,
	/// The account that sent the publication (SS58).
	pub publisher: String,
	/// The training round that produced it, if one did.
	pub round: Option<u64>,
	/// The accounts that contributed to its ancestry (SS58), as far as the chain walked.
	pub contributors: Vec<String>,
	/// The block a dispute overturned it in, if one did.
	pub overturned_at: Option<u32>,
	/// The block its owner deprecated it in, if they did.
	pub deprecated_at: Option<u32>,
	/// Its aliases (`production`, ...).
	pub aliases: Vec<String>,
}

/// A model card, as written by [`ModelCard::render`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelCard {
	/// The card's title and `model-index` name: `mnist-mlp@v3`.
	pub name: String,
	/// The model's description, the body's first paragraph.
	pub description: String,
	/// The licence as its owner wrote it (`Apache-2.0`, `MIT`, a name of their own).
	pub licence: Option<String>,
	/// The architecture's name (`mlp`, `cnn`), a tag.
	pub architecture: Option<String>,
	/// Whether the model is one of the engine's image classifiers (the card's task then).
	pub image_classification: bool,
	/// The versions it derives from, in the order of its parents.
	pub base_models: Vec<BaseModel>,
	/// Its evaluation.
	pub metrics: Vec<Metric>,
	/// What the metrics were measured on: `(type, name)`, e.g. `("fashion_mnist",
	/// "Fashion-MNIST test split")`.
	pub evaluated_on: Option<(String, String)>,
	/// The weights' blake2-256 hash, `0x` hex.
	pub weights_hash: String,
	/// The weights' size in bytes.
	pub weights_size: Option<u64>,
	/// The weights' file name, if the card sits next to them.
	pub weights_file: Option<String>,
	/// The chain's record, once published.
	pub chain: Option<ChainRecord>,
}

/// The Hub's `base_model_relation` for a version with these parents: `merge` for several, else
/// the one parent's (`finetune` for a fine-tune or a federated round, `quantized`, `adapter`);
/// none for a distillation, which the Hub has no relation for, or no parent.
pub fn hub_relation(base_models: &[BaseModel]) -> Option<&'static str> {
	match base_models {
		[] => None,
		[one] => match one.derivation.as_str() {
			"finetune" | "federated_round" => Some("finetune"),
			"merge" => Some("merge"),
			"quantize" => Some("quantized"),
			"adapter" => Some("adapter"),
			_ => None,
		},
		_ => Some("merge"),
	}
}

/// `text` as a YAML double-quoted scalar.
fn quoted(text: &str) -> String {
	serde_json::Value::String(text.to_owned()).to_string()
}

/// `value` as written in the front matter: a number if it is a plain decimal, else quoted.
fn number_or_quoted(value: &str) -> String {
	let digits = value.strip_prefix('-').unwrap_or(value);
	let plain = match digits.split_once('.') {
		Some((int, frac)) => {
			!int.is_empty() &&
				!frac.is_empty() &&
				int.bytes().all(|b| b.is_ascii_digit()) &&
				frac.bytes().all(|b| b.is_ascii_digit())
		},
		None => !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
	};
	if plain {
		value.to_owned()
	} else {
		quoted(value)
	}
}

/// A tag of the Hub's form: lower case, words joined by `-`.
fn tag(text: &str) -> String {
	text.trim().to_lowercase().replace(['_', ' '], "-")
}

impl ModelCard {
	/// The card's tags: `swarmchain`, the architecture, `federated-learning` if a round produced
	/// it or one of its parents is a federated round, and each derivation.
	pub fn tags(&self) -> Vec<String> {
		let mut tags = vec!["swarmchain".to_owned()];
		let mut add = |t: String| {
			if !t.is_empty() && !tags.contains(&t) {
				tags.push(t);
			}
		};
		if let Some(architecture) = &self.architecture {
			add(tag(architecture));
		}
		if self.image_classification {
			add("image-classification".into());
		}
		let federated = self.chain.as_ref().is_some_and(|c| c.round.is_some()) ||
			self.base_models.iter().any(|b| b.derivation == "federated_round");
		if federated {
			add("federated-learning".into());
		}
		for base in &self.base_models {
			add(tag(&base.derivation));
		}
		tags
	}

	/// The `README.md`: YAML front matter, then the body.
	pub fn render(&self) -> String {
		let mut out = String::from("---\n");
		self.front_matter(&mut out);
		out.push_str("---\n\n");
		self.body(&mut out);
		out
	}

	fn front_matter(&self, out: &mut String) {
		// Writing to a `String` cannot fail.
		let _ = self.try_front_matter(out);
	}

	fn try_front_matter(&self, out: &mut String) -> std::fmt::Result {
		if let Some(licence) = self.licence.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
			let id = licence.to_lowercase();
			if HUB_LICENCES.contains(&id.as_str()) {
				writeln!(out, "license: {}", quoted(&id))?;
			} else {
				writeln!(out, "license: \"other\"")?;
				writeln!(out, "license_name: {}", quoted(licence))?;
			}
		}
		writeln!(out, "library_name: \"candle\"")?;
		if self.image_classification {
			writeln!(out, "pipeline_tag: \"image-classification\"")?;
		}
		writeln!(out, "tags:")?;
		for t in self.tags() {
			writeln!(out, "- {}", quoted(&t))?;
		}
		if !self.base_models.is_empty() {
			writeln!(out, "base_model:")?;
			for base in &self.base_models {
				writeln!(out, "- {}", quoted(&base.reference))?;
			}
			if let Some(relation) = hub_relation(&self.base_models) {
				writeln!(out, "base_model_relation: {}", quoted(relation))?;
			}
		}
		if !self.metrics.is_empty() {
			writeln!(out, "model-index:")?;
			writeln!(out, "- name: {}", quoted(&self.name))?;
			writeln!(out, "  results:")?;
			writeln!(out, "  - task:")?;
			let task = if self.image_classification { "image-classification" } else { "other" };
			writeln!(out, "      type: {}", quoted(task))?;
			let (dataset_type, dataset_name) = self
				.evaluated_on
				.clone()
				.unwrap_or_else(|| ("custom".into(), "reported by the publisher".into()));
			writeln!(out, "    dataset:")?;
			writeln!(out, "      type: {}", quoted(&dataset_type))?;
			writeln!(out, "      name: {}", quoted(&dataset_name))?;
			writeln!(out, "    metrics:")?;
			for metric in &self.metrics {
				writeln!(out, "    - type: {}", quoted(&tag(&metric.name)))?;
				writeln!(out, "      name: {}", quoted(&metric.name))?;
				writeln!(out, "      value: {}", number_or_quoted(&metric.value))?;
			}
		}
		writeln!(out, "swarmchain:")?;
		writeln!(out, "  weights_hash: {}", quoted(&self.weights_hash))?;
		if let Some(size) = self.weights_size {
			writeln!(out, "  weights_size: {size}")?;
		}
		if let Some(file) = &self.weights_file {
			writeln!(out, "  weights_file: {}", quoted(file))?;
		}
		if !self.base_models.is_empty() {
			writeln!(out, "  parents:")?;
			for base in &self.base_models {
				writeln!(out, "  - reference: {}", quoted(&base.reference))?;
				writeln!(out, "    derivation: {}", quoted(&base.derivation))?;
			}
		}
		let Some(chain) = &self.chain else {
			return writeln!(out, "  published: false");
		};
		writeln!(out, "  published: true")?;
		writeln!(out, "  version_id: {}", chain.version_id)?;
		writeln!(out, "  model_id: {}", chain.model_id)?;
		writeln!(out, "  block: {}", chain.block)?;
		writeln!(out, "  publisher: {}", quoted(&chain.publisher))?;
		if let Some(round) = chain.round {
			writeln!(out, "  round: {round}")?;
		}
		if !chain.aliases.is_empty() {
			writeln!(out, "  aliases:")?;
			for alias in &chain.aliases {
				writeln!(out, "  - {}", quoted(alias))?;
			}
		}
		if !chain.contributors.is_empty() {
			writeln!(out, "  contributors:")?;
			for account in &chain.contributors {
				writeln!(out, "  - {}", quoted(account))?;
			}
		}
		if let Some(at) = chain.deprecated_at {
			writeln!(out, "  deprecated_at: {at}")?;
		}
		if let Some(at) = chain.overturned_at {
			writeln!(out, "  overturned_at: {at}")?;
		}
		Ok(())
	}

	fn body(&self, out: &mut String) {
		let _ = self.try_body(out);
	}

	fn try_body(&self, out: &mut String) -> std::fmt::Result {
		writeln!(out, "# {}\n", self.name)?;
		if !self.description.trim().is_empty() {
			writeln!(out, "{}\n", self.description.trim())?;
		}
		if let Some(chain) = &self.chain {
			if let Some(at) = chain.overturned_at {
				writeln!(
					out,
					"**Overturned** at block {at}: a dispute found the round that produced it \
					 wrong. Do not use these weights.\n"
				)?;
			} else if let Some(at) = chain.deprecated_at {
				writeln!(out, "**Deprecated** by its owner at block {at}.\n")?;
			}
		}
		writeln!(out, "## Weights\n")?;
		let file = self.weights_file.as_deref().unwrap_or("the weights");
		writeln!(
			out,
			"- {file}: canonical safetensors, blake2-256 `{}`{}",
			self.weights_hash,
			self.weights_size.map(|s| format!(", {s} bytes")).unwrap_or_default()
		)?;
		if let Some(architecture) = &self.architecture {
			writeln!(out, "- architecture: {architecture} (Swarmchain's ML engine, candle)")?;
		}
		match &self.chain {
			Some(chain) => writeln!(
				out,
				"- on Swarmchain: version {} of model {}, published in block {} by `{}`; any \
				 full node serves the weights by hash (`weights_get`)",
				chain.version_id, chain.model_id, chain.block, chain.publisher
			)?,
			None => writeln!(out, "- not yet published on Swarmchain")?,
		}
		if !self.base_models.is_empty() {
			writeln!(out, "\n## Lineage\n")?;
			for base in &self.base_models {
				writeln!(out, "- {} of `{}`", base.derivation.replace('_', " "), base.reference)?;
			}
			if let Some(round) = self.chain.as_ref().and_then(|c| c.round) {
				writeln!(out, "- produced by federated training round {round}")?;
			}
		}
		if !self.metrics.is_empty() {
			writeln!(out, "\n## Evaluation\n")?;
			if let Some((_, name)) = &self.evaluated_on {
				writeln!(out, "On {name}:\n")?;
			}
			writeln!(out, "| metric | value |\n|---|---|")?;
			for metric in &self.metrics {
				writeln!(out, "| {} | {} |", metric.name, metric.value)?;
			}
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The front matter of a rendered card, parsed as YAML.
	fn front_matter(card: &str) -> serde_yaml::Value {
		let rest = card.strip_prefix("---\n").expect("the card opens its front matter");
		let (yaml, _) = rest.split_once("\n---\n").expect("the front matter ends");
		serde_yaml::from_str(yaml).expect("the front matter is YAML")
	}

	fn merged() -> ModelCard {
		ModelCard {
			name: "mnist-merged@v1".into(),
			description: "A merge: of \"two\" models\n# not a heading".into(),
			licence: Some("Apache-2.0".into()),
			architecture: Some("mlp".into()),
			image_classification: true,
			base_models: vec![
				BaseModel { reference: "mnist-mlp@v2".into(), derivation: "finetune".into() },
				BaseModel { reference: "mnist-cnn@v1".into(), derivation: "merge".into() },
			],
			metrics: vec![
				Metric { name: "accuracy".into(), value: "0.871200000".into() },
				Metric { name: "loss".into(), value: "0.35".into() },
			],
			evaluated_on: None,
			weights_hash: format!("0x{}", "ab".repeat(32)),
			weights_size: Some(1_024),
			weights_file: None,
			chain: Some(ChainRecord {
				version_id: 7,
				model_id: 3,
				block: 42,
				publisher: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into(),
				round: None,
				contributors: vec!["5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".into()],
				overturned_at: None,
				deprecated_at: None,
				aliases: vec!["production".into()],
			}),
		}
	}

	#[test]
	fn a_merge_names_both_bases_and_parses_as_yaml() {
		let yaml = front_matter(&merged().render());
		assert_eq!(yaml["license"], "apache-2.0");
		assert_eq!(yaml["library_name"], "candle");
		let bases: Vec<&str> =
			yaml["base_model"].as_sequence().unwrap().iter().map(|b| b.as_str().unwrap()).collect();
		assert_eq!(bases, ["mnist-mlp@v2", "mnist-cnn@v1"]);
		assert_eq!(yaml["base_model_relation"], "merge");
		let result = &yaml["model-index"][0]["results"][0];
		assert_eq!(result["task"]["type"], "image-classification");
		assert_eq!(result["metrics"][0]["type"], "accuracy");
		assert_eq!(result["metrics"][0]["value"].as_f64(), Some(0.8712));
		assert_eq!(yaml["swarmchain"]["version_id"], 7);
		assert_eq!(yaml["swarmchain"]["block"], 42);
		assert_eq!(yaml["swarmchain"]["weights_hash"].as_str(), Some(&*format!("0x{}", "ab".repeat(32))));
		assert_eq!(yaml["swarmchain"]["aliases"][0], "production");
		let tags: Vec<&str> =
			yaml["tags"].as_sequence().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
		assert_eq!(tags, ["swarmchain", "mlp", "image-classification", "finetune", "merge"]);
	}

	#[test]
	fn one_parent_gives_its_relation_and_a_round_is_federated() {
		let mut card = merged();
		card.base_models.truncate(1);
		card.base_models[0].derivation = "federated_round".into();
		card.chain.as_mut().unwrap().round = Some(4);
		let yaml = front_matter(&card.render());
		assert_eq!(yaml["base_model"][0], "mnist-mlp@v2");
		assert_eq!(yaml["base_model_relation"], "finetune");
		assert_eq!(yaml["swarmchain"]["round"], 4);
		assert!(yaml["tags"].as_sequence().unwrap().iter().any(|t| t == "federated-learning"));
		for (derivation, relation) in [
			("quantize", Some("quantized")),
			("adapter", Some("adapter")),
			("distill", None),
			("finetune", Some("finetune")),
		] {
			card.base_models[0].derivation = derivation.into();
			assert_eq!(hub_relation(&card.base_models), relation, "{derivation}");
		}
	}

	#[test]
	fn an_unknown_licence_is_other_with_its_name_and_odd_text_stays_text() {
		let mut card = merged();
		card.licence = Some("Research only: \"no\" commercial use\n".into());
		card.name = "weird: name # [x]".into();
		card.metrics.push(Metric { name: "note: odd".into(), value: "n/a".into() });
		card.base_models.clear();
		let yaml = front_matter(&card.render());
		assert_eq!(yaml["license"], "other");
		assert_eq!(yaml["license_name"], "Research only: \"no\" commercial use");
		assert_eq!(yaml["model-index"][0]["name"], "weird: name # [x]");
		assert_eq!(yaml["model-index"][0]["results"][0]["metrics"][2]["value"], "n/a");
		assert!(yaml.get("base_model").is_none());
		assert!(yaml.get("base_model_relation").is_none());
	}

	#[test]
	fn an_unpublished_card_says_so_and_has_no_chain_fields() {
		let mut card = merged();
		card.chain = None;
		card.weights_file = Some("model.safetensors".into());
		card.evaluated_on = Some(("fashion_mnist".into(), "Fashion-MNIST test split".into()));
		let text = card.render();
		let yaml = front_matter(&text);
		assert_eq!(yaml["swarmchain"]["published"], false);
		assert!(yaml["swarmchain"].get("version_id").is_none());
		assert_eq!(yaml["model-index"][0]["results"][0]["dataset"]["type"], "fashion_mnist");
		assert!(text.contains("not yet published on Swarmchain"));
		assert!(text.contains("# mnist-merged@v1\n"));
	}
}
