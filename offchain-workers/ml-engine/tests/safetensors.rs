//! Canonical safetensors bytes: the same weights always serialise to the same bytes, which are a
//! standard safetensors file (candle writes and reads the very same bytes).

use std::collections::HashMap;

use candle_core::{Device, Tensor};
use swarm_ml::{Mode, Model, ModelConfig, Seed, Weights};

fn preset_weights() -> Weights {
	Weights::init(&ModelConfig::fashion_mnist_cnn(), &Seed::from(9)).unwrap()
}

fn candle_tensors(w: &Weights) -> HashMap<String, Tensor> {
	w.iter()
		.map(|(name, p)| {
			(name.to_string(), Tensor::from_slice(p.data(), p.shape(), &Device::Cpu).unwrap())
		})
		.collect()
}

#[test]
fn insertion_order_does_not_change_the_bytes() {
	let w = preset_weights();
	let mut forward = Weights::new();
	let mut backward = Weights::new();
	let params: Vec<_> = w.iter().collect();
	for (name, p) in &params {
		forward.insert(*name, p.shape().to_vec(), p.data().to_vec()).unwrap();
	}
	for (name, p) in params.iter().rev() {
		backward.insert(*name, p.shape().to_vec(), p.data().to_vec()).unwrap();
	}
	assert_eq!(forward.to_safetensors().unwrap(), backward.to_safetensors().unwrap());
	assert_eq!(forward.hash().unwrap(), w.hash().unwrap());
}

#[test]
fn bytes_equal_candles_own_safetensors_file() {
	let w = preset_weights();
	let tensors = candle_tensors(&w);
	let path =
		std::env::temp_dir().join(format!("swarm-ml-canonical-{}.safetensors", std::process::id()));
	candle_core::safetensors::save(&tensors, &path).unwrap();
	let candle_bytes = std::fs::read(&path).unwrap();
	std::fs::remove_file(&path).unwrap();
	assert_eq!(candle_bytes, w.to_safetensors().unwrap());

	let loaded =
		candle_core::safetensors::load_buffer(&w.to_safetensors().unwrap(), &Device::Cpu).unwrap();
	for (name, p) in w.iter() {
		assert_eq!(loaded[name].flatten_all().unwrap().to_vec1::<f32>().unwrap(), p.data());
		assert_eq!(loaded[name].dims(), p.shape());
	}
}

#[test]
fn header_is_sorted_padded_and_has_no_metadata() {
	let bytes = preset_weights().to_safetensors().unwrap();
	let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
	assert_eq!(n % 8, 0, "header length is padded to 8 bytes");
	let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap();
	assert!(!header.contains("__metadata__"));
	let json: serde_json::Value = serde_json::from_str(header.trim_end()).unwrap();
	let names: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
	let mut sorted = names.clone();
	sorted.sort();
	assert_eq!(names, sorted);
	// Offsets follow name order.
	let mut end = 0;
	for name in names {
		let offsets = &json[name]["data_offsets"];
		assert_eq!(offsets[0].as_u64().unwrap() as usize, end, "{name}");
		end = offsets[1].as_u64().unwrap() as usize;
		assert_eq!(json[name]["dtype"], "F32");
	}
	assert_eq!(bytes.len(), 8 + n + end);
}

#[test]
fn metadata_from_other_tools_is_dropped_by_the_canonical_form() {
	let w = preset_weights();
	let tensors = candle_tensors(&w);
	let metadata: HashMap<String, String> =
		[("format".to_string(), "pt".to_string()), ("author".to_string(), "someone".to_string())]
			.into();
	let with_metadata = safetensors::serialize(&tensors, Some(metadata)).unwrap();
	let reread = Weights::from_safetensors(&with_metadata).unwrap();
	assert_eq!(reread, w);
	assert_eq!(reread.hash().unwrap(), w.hash().unwrap());
}

#[test]
fn reloaded_weights_give_the_same_logits_bit_for_bit() {
	let config = ModelConfig::fashion_mnist_cnn();
	let w = preset_weights();
	let again = Weights::from_safetensors(&w.to_safetensors().unwrap()).unwrap();
	let xs: Vec<f32> = (0..2 * 784).map(|i| (i % 255) as f32 / 255.0).collect();
	let a = Model::new(&config, &w).unwrap().logits(&xs, 2, Mode::Deterministic).unwrap();
	let b = Model::new(&config, &again).unwrap().logits(&xs, 2, Mode::Deterministic).unwrap();
	assert_eq!(
		a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
		b.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
	);
}
