// Something to look at in the explorer: run it against `make dev` (`make example` does), then open
// the page it prints.
//
//   node node/e2e/examples/explorer.mjs            # or SWARM_WS=ws://host:port node ...
//
// 1. trains a Fashion-MNIST MLP with the engine (`swarm-ml train`, seconds) and publishes it as
//    version 1 of the model `fashion-mlp` (Alice is the owner);
// 2. fine-tunes it twice, on two other slices of the training set, and publishes both as its
//    children (`finetune`);
// 3. merges the two fine-tunes (their average, `swarm-ml aggregate`) into generation 3
//    (`merge`, two parents) and points the alias `production` at it;
// 4. registers the dev node as a compute node of Alice (as examples/inference.mjs does) and has
//    Bob pay for inference on the merged model, which the node runs and settles.
// Each version carries its test accuracy and loss. Run again on the same chain, it only prints
// where to look.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';
import {
  canonicalConfig, ensureDevComputeNode, eventField, requestInference, swarmMl, testImages, waitClosed
} from '../lib/inference.mjs';
import { swarmRpc } from '../lib/rpc.mjs';
import { uploadWeights } from '../lib/weights.mjs';

const url = process.env.SWARM_WS ?? 'ws://127.0.0.1:9944';
const explorer = process.env.SWARM_EXPLORER ?? 'http://127.0.0.1:9955/';
const NAME = 'fashion-mlp';
const WORKER_SURI = '//Alice//worker';

const api = await connect(url, { rpc: swarmRpc });
const { alice, bob } = await devKeyring();
const dir = os.tmpdir();

/** Runs `swarm-ml` with `args` (a training), returns the weights written to `out` and their metrics. */
function trained (args, out) {
  const text = swarmMl([...args, '--out', out]);
  const [, accuracy, loss] = text.match(/metrics\s+accuracy (-?\d+), loss (-?\d+)/);
  return { weights: new Uint8Array(readFileSync(out)), metrics: [['accuracy', accuracy], ['loss', loss]], out };
}

/** Uploads `weights` and publishes them as a version of `model` with `parents`; returns its id. */
async function publish (model, { weights, metrics }, parents) {
  const hash = await uploadWeights(api, weights, alice);
  const { events } = await submitFinalized(api, api.tx.modelRegistry.publishVersion(
    model, hash, weights.length, { Inline: canonicalConfig('mlp') }, metrics, parents), alice);
  const version = eventField(events, api.events.modelRegistry.VersionPublished, 'version');
  console.log(`published version ${version} (${parents.map(([p, d]) => `${d.toLowerCase()} of ${p}`).join(', ') || 'a base'})`);
  return version;
}

try {
  const existing = await api.call.modelRegistryApi.modelByName(NAME);
  if (existing.isNone) {
    // 1. The base: one epoch on the first 20,000 training images.
    const file = (name) => path.join(dir, `swarm-explorer-${name}.safetensors`);
    const train = ['train', '--model', 'mlp', '--epochs', '1'];
    const base = trained([...train, '--limit', '20000', '--seed', '7'], file('base'));
    const { events } = await submitFinalized(api, api.tx.modelRegistry.createModel(NAME, 'Apache-2.0',
      'A Fashion-MNIST classifier (784-256-128-10 MLP), with a lineage to explore', 'Open'), alice);
    const model = eventField(events, api.events.modelRegistry.ModelCreated, 'model');
    const v1 = await publish(model, base, []);

    // 2. Two fine-tunes of the base on other data (the engine takes the first `--limit` images,
    //    so each fine-tune sees more of the training set) and with other seeds.
    const tuneA = trained([...train, '--init', base.out, '--limit', '40000', '--seed', '8'], file('finetune-a'));
    const tuneB = trained([...train, '--init', base.out, '--limit', '60000', '--seed', '9'], file('finetune-b'));
    const v2 = await publish(model, tuneA, [[v1, 'Finetune']]);
    const v3 = await publish(model, tuneB, [[v1, 'Finetune']]);

    // 3. Their merge: the average of the two fine-tunes, evaluated like the others.
    const mergedFile = file('merge');
    swarmMl(['aggregate', '--global', base.out, '--method', 'fedavg', '--out', mergedFile,
      '--update', `1:1:${tuneA.out}`, '--update', `2:1:${tuneB.out}`]);
    const evaluated = swarmMl(['eval', '--model', 'mlp', '--weights', mergedFile]);
    const [, accuracy, loss] = evaluated.match(/metrics\s+accuracy (-?\d+), loss (-?\d+)/);
    const merged = { weights: new Uint8Array(readFileSync(mergedFile)), metrics: [['accuracy', accuracy], ['loss', loss]] };
    const v4 = await publish(model, merged, [[v2, 'Merge'], [v3, 'Merge']]);
    await submitFinalized(api, api.tx.modelRegistry.setAlias(model, 'production', v4), alice);
    await submitFinalized(api, api.tx.inference.setPrice({ Model: model }, UNIT / 100n), alice);

    // 4. The dev node as a compute node, and a paid job on the merged model.
    const { node } = await ensureDevComputeNode(api, alice, WORKER_SURI);
    console.log(`compute node ${node}`);
    const { pixels } = testImages(0, 4);
    const request = await requestInference(api, bob, { version: v4, pixels, samples: 4, replicas: 1 });
    const job = await waitClosed(api, request.job);
    console.log(`inference job ${request.job}: ${job.phase.name}`);
  }
  const production = (await api.rpc.models.version(`${NAME}@production`)).toJSON();
  console.log(`\nopen ${explorer}#/version/${production.id} (the lineage of ${production.reference}, ` +
    `alias production) and ${explorer}#/network (the nodes and their work)`);
} finally {
  await api.disconnect();
}
