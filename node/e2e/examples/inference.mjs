// Paid inference on a dev chain, from a client's side. Run it against `make dev`:
//
//   node node/e2e/examples/inference.mjs            # or SWARM_WS=ws://host:port node ...
//
// 1. trains a Fashion-MNIST MLP with the engine (`swarm-ml train`, one epoch, a few seconds) or
//    loads the one it trained before;
// 2. uploads its weights to the weights store, publishes them as a version with the engine's
//    canonical configuration, and offers the model for a price (Alice is the owner);
// 3. puts a worker key in the dev node's keystore (if it has none) and registers the node as a
//    compute node of Alice, so that the node's offchain worker runs jobs;
// 4. Bob requests inference on 8 test images with k = 1 replica and waits for the result;
// 5. prints the predicted labels, the nodes that agreed, who was paid, and the model's lineage.

import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';
import {
  CLASS_NAMES, canonicalConfig, ensureDevComputeNode, publishModel, requestInference, testImages, trainMlp,
  waitClosed
} from '../lib/inference.mjs';
import { swarmRpc } from '../lib/rpc.mjs';

const url = process.env.SWARM_WS ?? 'ws://127.0.0.1:9944';
const WORKER_SURI = '//Alice//worker';
const SAMPLES = 8;

const api = await connect(url, { rpc: swarmRpc });
const { alice, bob } = await devKeyring();
const format = (planck) => `${(Number(planck) / Number(UNIT)).toFixed(4)} SWARM`;

try {
  // 1. A model: trained once, then reused.
  const weightsFile = path.join(os.tmpdir(), 'swarm-example-mlp-60k.safetensors');
  const weights = existsSync(weightsFile)
    ? new Uint8Array(readFileSync(weightsFile))
    : (console.log('training a Fashion-MNIST MLP (1 epoch on the 60,000 training images)...'), trainMlp(weightsFile));

  // 2. Published and offered for 0.01 SWARM per request.
  const name = `fashion-mlp-${Date.now()}`;
  const { model, version, weightsHash } = await publishModel(api, alice, {
    name, weights, config: canonicalConfig('mlp'), price: UNIT / 100n
  });
  console.log(`published ${name}: model ${model}, version ${version}, weights ${weightsHash}`);

  // 3. The dev node's worker key, registered as Alice's compute node.
  const { node: nodeId, workerKey } = await ensureDevComputeNode(api, alice, WORKER_SURI);
  console.log(`compute node ${nodeId} (worker key ${workerKey})`);

  // 4. Bob asks for inference on test images 0..8 with one replica.
  const { pixels, labels: truth } = testImages(0, SAMPLES);
  const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();
  const request = await requestInference(api, bob, { version, pixels, samples: SAMPLES, replicas: 1 });
  console.log(`job ${request.job} requested in block ${request.blockNumber}, seats: nodes ${request.nodes.join(', ')}; ` +
    `escrow ${format(BigInt(request.quote.total))}`);
  const job = await waitClosed(api, request.job);
  if (job.phase.name === 'failed') throw new Error(`job ${request.job} failed: ${job.phase.reason}`);

  // 5. What came back, and who was paid.
  const result = (await api.rpc.jobs.result(request.job)).toJSON();
  console.log(`\njob ${request.job} ${job.phase.name}; output hash ${result.outputHash}`);
  console.log('image  true label    predicted');
  result.labels.forEach((label, i) => {
    console.log(`${String(i).padStart(5)}  ${CLASS_NAMES[truth[i]].padEnd(12)}  ${CLASS_NAMES[label]}${label === truth[i] ? '' : '  (wrong)'}`);
  });
  const agreed = job.outcomes.filter((o) => o.outcome === 'agreed').map((o) => o.node);
  console.log(`nodes that agreed: ${agreed.join(', ')}; outcomes: ${job.outcomes.map((o) => `node ${o.node} ${o.outcome}`).join(', ')}`);
  const bobAfter = (await api.query.system.account(bob.address)).data.free.toBigInt();
  console.log(`Bob paid ${format(bobBefore - bobAfter)} (fees included); the owner Alice got the price ` +
    `${format(BigInt(job.price))}; the agreeing nodes share ${format(BigInt(job.nodeFee))}`);
  for (const node of agreed) {
    console.log(`node ${node} has earned ${format((await api.call.rewardsApi.nodeEarnings(node)).toBigInt())} so far`);
  }
  const lineage = (await api.rpc.models.ancestors(String(version))).toJSON();
  console.log(`lineage of version ${version}: ${JSON.stringify(lineage)}`);
} finally {
  await api.disconnect();
}
