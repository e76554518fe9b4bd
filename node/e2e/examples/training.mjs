// A federated training round on a local network of four worker nodes, from a client's side:
//
//   node node/e2e/examples/training.mjs
//
// 1. splits Fashion-MNIST's training images between four nodes (`swarm-ml split`, non-IID:
//    Dirichlet α = 0.5) and writes a validation set;
// 2. starts four nodes on this machine (a dev validator and three full nodes), each with its own
//    shard as `--training-data` and its own worker key, registered as compute nodes of four
//    owners; the data never leaves the nodes;
// 3. publishes a weak base model (one epoch on 1,000 images) and stores the validation set;
// 4. opens a round (FedAvg, 4 participants, a committee of 3, a budget of 100 SWARM) and prints
//    its phases as the nodes join, train, reveal their updates, and the committee aggregates and
//    agrees;
// 5. prints the new version, its accuracy against the base's, its lineage and contributors, and
//    what each node was paid; then stops the nodes.

import path from 'node:path';
import { UNIT } from '../lib/api.mjs';
import { tempDir } from '../lib/node.mjs';
import { openRound, roundSpec, startTrainingNetwork, waitPhase } from '../lib/training.mjs';

const work = tempDir('swarm-example-round-');
const percent = (ppb) => `${(ppb / 1e7).toFixed(2)} %`;
const format = (planck) => `${(Number(planck) / Number(UNIT)).toFixed(4)} SWARM`;
let network;

try {
  console.log('splitting Fashion-MNIST between four nodes and starting them (a minute)...');
  const started = await startTrainingNetwork(path.join(work.dir));
  network = started.network;
  const { api, split, nodes, owners, modelOwner, base, validation } = started;
  nodes.forEach((node, i) => console.log(`node ${node}: ${split.samples[i]} images of its own, owner ${owners[i].address}`));
  console.log(`base: version ${base.version} of model ${base.model}; validation set ${validation.hash} (${validation.samples} images)`);

  const earned = await Promise.all(nodes.map(async (n) => (await api.query.rewards.nodeEarnings(n)).toBigInt()));
  const round = await openRound(api, modelOwner, roundSpec(base.version, validation, { participants: [4, 4] }));
  console.log(`round ${round} opened`);
  let phase = 'join';
  let record;
  for (;;) {
    record = (await api.rpc.rounds.round(round)).toJSON();
    if (record.phase.name !== phase) {
      phase = record.phase.name;
      const who = phase === 'commit' ? ` (committee: nodes ${record.committee.map((m) => m.node).join(', ')})` : '';
      console.log(`  ${phase}${who}`);
    }
    if (['paid', 'failed'].includes(phase)) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  record = await waitPhase(api, round, []);
  if (record.phase.name === 'failed') throw new Error(`round ${round} failed: ${record.phase.reason}`);

  const result = (await api.rpc.rounds.result(round)).toJSON();
  console.log(`round ${round} ${record.phase.end}: version ${record.phase.version}`);
  console.log(`validation accuracy ${percent(result.evaluation.accuracyPpb)} (base ${percent(result.baseEvaluation.accuracyPpb)})`);
  for (const p of record.participants) console.log(`  node ${p.node}: ${p.samples} samples, ${p.outcome}`);
  const lineage = (await api.rpc.models.ancestors(record.phase.version, 1)).toJSON();
  for (const v of lineage.nodes) {
    const parents = v.parents.map((p) => `${p.derivation} of version ${p.id}`).join(', ') || 'the base';
    console.log(`  version ${v.id} (number ${v.number}): ${parents}`);
  }
  const contributors = (await api.rpc.models.contributors(record.phase.version)).toJSON();
  console.log(`contributors: ${contributors.accounts.join(', ')}; rounds ${contributors.rounds.join(', ')}`);
  for (const [i, node] of nodes.entries()) {
    const now = (await api.query.rewards.nodeEarnings(node)).toBigInt();
    console.log(`node ${node} was paid ${format(now - earned[i])}`);
  }
} finally {
  await network?.stop();
  work.cleanup();
}
process.exit(0);
