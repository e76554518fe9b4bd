use swarm_ml::{data::{partition::{partition, Partition}, Dataset}, federated::{simulate, FederationSpec}, *};
#[test]
fn scratch() {
	let input = InputShape { channels: 1, height: 6, width: 6 };
	let data = Dataset::synthetic(&Seed::from(1), 400, input, 4).unwrap();
	let test = Dataset::synthetic(&Seed::from(1), 600, input, 4).unwrap().subset(&(400..600).collect::<Vec<_>>()).unwrap();
	let model = ModelConfig::Mlp(MlpConfig { input, hidden: vec![8], classes: 4, dropout_permille: 0 });
	for epochs in [1,3,6] {
		let spec = TrainSpec { model: model.clone(), optimizer: OptimizerConfig::sgd(0.1, 0.5), epochs, batch_size: 16, seed: Seed::from(3), mode: Mode::Deterministic };
		let r = train(&spec, None, &data).unwrap();
		let m = Model::new(&model, &r.weights).unwrap();
		println!("central {epochs}: train {:?} test {}", r.metrics.epochs.iter().map(|e| e.accuracy_ppb()).collect::<Vec<_>>(), evaluate(&m, &test, Mode::Deterministic, 100).unwrap().accuracy());
		let m2 = Model::new(&model, &r.weights).unwrap();
		println!("  fast eval {}", evaluate(&m2, &test, Mode::Fast, 100).unwrap().accuracy());
		let specf = TrainSpec { mode: Mode::Fast, ..spec.clone() };
		let rf = train(&specf, None, &data).unwrap();
		println!("  fast train {:?}", rf.metrics.epochs.iter().map(|e| e.accuracy_ppb()).collect::<Vec<_>>());
	}
	println!("{:?}", data.class_counts());
	let parts = partition(data.labels(), 4, 4, Partition::Iid, &Seed::from(2)).unwrap();
	let spec = FederationSpec { model, optimizer: OptimizerConfig::sgd(0.1, 0.5), rounds: 6, local_epochs: 1, batch_size: 16, seed: Seed::from(3), mode: Mode::Deterministic, method: Method::FedAvg, clip_norm: None, poisoned: vec![] };
	let result = simulate(&spec, &data, &parts, &test, &mut |_| {}).unwrap();
	println!("{:?}", result.rounds.iter().map(|r| r.test.accuracy()).collect::<Vec<_>>());
}
