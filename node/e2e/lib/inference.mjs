// Inference jobs from a client's side: a model trained with `swarm-ml`, uploaded and offered
// for a price, compute nodes registered, requests sent and results read. Shared by the
// end-to-end tests and the README's example (examples/inference.mjs).
//
// Also what an adversary needs (it is only a client holding a worker key): the commitment,
// the payloads a worker key signs, and general (unsigned, feeless) transactions carrying them.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Keyring } from '@polkadot/keyring';
import { base58Decode, blake2AsU8a } from '@polkadot/util-crypto';
import { compactAddLength, hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { connect, submitFinalized } from './api.mjs';
import { nodeKeyArgs, rpcCall, runNodeCommand, startNode, TARGET_DIR, tempDir, waitFor } from './node.mjs';
import { swarmRpc } from './rpc.mjs';
import { uploadWeights } from './weights.mjs';

/** The `swarm-ml` binary: `$SWARM_ML` or the release build in the shared target dir. */
export const SWARM_ML = process.env.SWARM_ML ?? path.join(TARGET_DIR, 'release', 'swarm-ml');

/** The folder of Debian's `dataset-fashion-mnist` (or `$SWARM_ML_FASHION_MNIST`). */
export const FASHION_MNIST = process.env.SWARM_ML_FASHION_MNIST ?? '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's class names, by label. */
export const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
  'Sneaker', 'Bag', 'Ankle boot'];

/** Compute-node capabilities that fit any model of these tests. */
export const CAPABILITIES = { cores: 2, memoryMib: 4096, accelerator: null, formats: ['Safetensors'] };

/** Runs `swarm-ml <args>`; returns its stdout, or throws with its output. */
export function swarmMl (args) {
  const result = spawnSync(SWARM_ML, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`swarm-ml ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/**
 * Trains the 784-256-128-10 MLP for one epoch on the first `limit` Fashion-MNIST training images
 * (all 60,000 by default: about 3 s on 2 cores, 80 % test accuracy) and writes it to `file`;
 * returns the weights' bytes.
 */
export function trainMlp (file, { limit = 60_000, seed = 7 } = {}) {
  swarmMl(['train', '--model', 'mlp', '--epochs', '1', '--limit', String(limit), '--seed', String(seed),
    '--out', file, '--no-eval']);
  return new Uint8Array(readFileSync(file));
}

/** The engine's canonical configuration bytes of a preset (`mlp`, `cnn`), as 0x hex. */
export function canonicalConfig (model = 'mlp') {
  const line = swarmMl(['hash', '--model', model]).split('\n').find((l) => l.includes('canonical bytes'));
  return line.trim().split(/\s+/)[0];
}

/** Test images `from..to` of Fashion-MNIST as raw bytes (784 per image), and their labels. */
export function testImages (from, to) {
  const images = gunzipSync(readFileSync(path.join(FASHION_MNIST, 't10k-images-idx3-ubyte.gz')));
  const labels = gunzipSync(readFileSync(path.join(FASHION_MNIST, 't10k-labels-idx1-ubyte.gz')));
  return {
    pixels: new Uint8Array(images.subarray(16 + from * 784, 16 + to * 784)),
    labels: [...labels.subarray(8 + from, 8 + to)]
  };
}

/** The id in the first event of `eventType` in `events`, read from `field`. */
export function eventField (events, eventType, field) {
  const found = events.find(({ event }) => eventType.is(event));
  if (!found) throw new Error(`no ${eventType.meta.name} event`);
  return found.event.data[field].toNumber();
}

/**
 * Creates a model named `name` owned by `owner`, uploads `weights`, publishes them as a version
 * with the configuration `config` (canonical bytes, hex) and offers the model for `price`.
 * Returns `{ model, version, weightsHash }`.
 */
export async function publishModel (api, owner, { name, weights, config, price }) {
  let { events } = await submitFinalized(api,
    api.tx.modelRegistry.createModel(name, 'Apache-2.0', `${name}: a Fashion-MNIST classifier`, 'Open'), owner);
  const model = eventField(events, api.events.modelRegistry.ModelCreated, 'model');
  const weightsHash = await uploadWeights(api, weights, owner);
  ({ events } = await submitFinalized(api, api.tx.modelRegistry.publishVersion(
    model, weightsHash, weights.length, { Inline: config }, [], []), owner));
  const version = eventField(events, api.events.modelRegistry.VersionPublished, 'version');
  await submitFinalized(api, api.tx.inference.setPrice({ Model: model }, price), owner);
  return { model, version, weightsHash };
}

/**
 * Registers the worker key of the node serving `nodeApi` (over its `worker_registrationProof`)
 * as a compute node of `owner`, with the minimum bond. Returns the node id.
 */
export async function registerNodeWorker (api, nodeApi, owner, peerId) {
  const { workerKey, proof } = (await nodeApi.rpc.worker.registrationProof(owner.address)).toJSON();
  return registerKey(api, owner, workerKey, proof, peerId);
}

/**
 * The compute node of the node `api` is connected to (a dev node, in the examples): puts the
 * worker key `suri` in its keystore if it has none, and registers that key as a compute node of
 * `owner` unless it already is one. Returns `{ node, workerKey }`.
 */
export async function ensureDevComputeNode (api, owner, suri) {
  if ((await api.rpc.worker.keys()).toJSON().keys.length === 0) {
    const key = new Keyring({ type: 'sr25519' }).addFromUri(suri);
    await api.rpc.author.insertKey('swrk', suri, u8aToHex(key.publicKey));
  }
  const [workerKey] = (await api.rpc.worker.keys()).toJSON().keys;
  const known = await api.call.computeNodesApi.nodeByKey(workerKey);
  const node = known.isSome
    ? known.unwrap()[0].toNumber()
    : await registerNodeWorker(api, api, owner, u8aToHex(base58Decode((await api.rpc.system.localPeerId()).toString())));
  return { node, workerKey };
}

/** Registers `workerKey` with `proof` as a compute node of `owner`; returns the node id. */
export async function registerKey (api, owner, workerKey, proof, peerId = '0x0024080112205f') {
  const bond = api.consts.computeNodes.minBond.toBigInt();
  const { events } = await submitFinalized(api,
    api.tx.computeNodes.registerNode(workerKey, proof, peerId, CAPABILITIES, bond), owner);
  return eventField(events, api.events.computeNodes.NodeRegistered, 'node');
}

/** A proof by the sr25519 `pair` (a worker key the caller holds) that it is a node of `owner`. */
export async function keyProof (api, owner, pair) {
  const payload = (await api.call.computeNodesApi.keyProofPayload(owner.address, pair.publicKey)).unwrap();
  return u8aToHex(pair.sign(payload.payload.toU8a(true)));
}

/**
 * Requests inference of `version` on `pixels` (whole images) with `replicas` replicas, paying at
 * most the quoted fee. Resolves with `{ job, blockHash, blockNumber, nodes }` once it is in a
 * block.
 */
export async function requestInference (api, requester, { version, pixels, samples, replicas }) {
  const quote = (await api.rpc.jobs.quote(version, replicas)).toJSON();
  const input = { Inline: { samples, data: u8aToHex(pixels) } };
  const { events, blockHash } = await submitFinalized(api,
    api.tx.inference.request(version, input, replicas, quote.total), requester, { inBlock: true });
  const requested = events.find(({ event }) => api.events.inference.JobRequested.is(event)).event.data;
  const blockNumber = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
  return {
    job: requested.job.toNumber(),
    blockHash,
    blockNumber,
    nodes: requested.nodes.map((n) => n.toNumber()),
    quote
  };
}

/**
 * Waits for `job` to reach one of `phases`: by default until its payments are final (paid, or
 * failed), after the challenge window. Returns its `jobs_job` JSON.
 */
export async function waitClosed (api, job, { timeoutMs = 120_000, phases = ['paid', 'failed'] } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const record = (await api.rpc.jobs.job(job)).toJSON();
    if (phases.includes(record.phase.name)) return record;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`job ${job} did not reach ${phases.join(' or ')} within ${timeoutMs} ms`);
}

/** The transaction fee paid in `events` (those of one extrinsic), in planck. */
export function feePaid (api, events) {
  const paid = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
  return paid ? paid.event.data.actualFee.toBigInt() : 0n;
}

// --- What a worker key signs, for clients that hold one (an adversary in the tests). ---

const utf8 = (text) => new TextEncoder().encode(text);
const u64 = (n) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
};
const blake2 = (bytes) => blake2AsU8a(bytes, 256);

/** The hash nodes commit to: blake2-256 of the labels (u32 LE) then the Q15.16 scores (i32 LE). */
export function outputHash (labels, logits) {
  const bytes = new Uint8Array(4 * (labels.length + logits.length));
  const view = new DataView(bytes.buffer);
  labels.forEach((y, i) => view.setUint32(4 * i, y, true));
  logits.forEach((q, i) => view.setInt32(4 * (labels.length + i), q, true));
  return blake2(bytes);
}

/** `blake2_256("swarm/commit" ‖ job ‖ node ‖ result ‖ salt)`, u64s little-endian. */
export function commitment (job, node, result, salt) {
  return blake2(u8aConcat(utf8('swarm/commit'), u64(job), u64(node), result, salt));
}

/** What a worker key signs to commit. */
export function commitPayload (genesis, job, node, commit) {
  return u8aConcat(utf8('swarm/inference/commit'), hexToU8a(genesis), u64(job), u64(node), commit);
}

/** What a worker key signs to reveal. */
export function revealPayload (genesis, job, node, result, salt) {
  return u8aConcat(utf8('swarm/inference/reveal'), hexToU8a(genesis), u64(job), u64(node), result, salt);
}

/**
 * A call as a v5 general transaction (no signer, no fee: the pallet authorizes it from the worker
 * key's signature in its arguments), hex, for `author_submitExtrinsic`. Version byte 0x45,
 * extension version 0, then the explicit parts of the extensions (immortal era, nonce 0, tip 0,
 * metadata-hash mode 0), then the call.
 */
export function generalTransaction (call) {
  return u8aToHex(compactAddLength(u8aConcat(new Uint8Array([0x45, 0, 0, 0, 0, 0]), call.method.toU8a())));
}

/** Submits a general transaction; resolves with its hash or rejects with the pool's reason. */
export function submitGeneral (api, call) {
  return api._rpcCore.provider.send('author_submitExtrinsic', [generalTransaction(call)]);
}

/**
 * A network of `count` nodes on this machine, each with its own worker key (`//Worker<i>`,
 * `key insert`ed before it starts) and running offchain workers: the dev validator (Alice) and
 * `count - 1` full nodes. Resolves once every node answers and has imported block 1, with the
 * nodes, their APIs (`api` is the validator's), `stop()`, and `halt(i)` / `restart(i)` to stop a
 * node and start it again on its base path. `extraArgs` go to every node, `nodeArgs(i)` to node
 * `i` (e.g. its own `--training-data`).
 */
export async function startWorkerNetwork (count, { extraArgs = [], nodeArgs = () => [] } = {}) {
  const dirs = Array.from({ length: count }, () => tempDir());
  const nodes = [];
  const apis = [];
  const args = [];
  const network = {
    nodes,
    apis,
    get api () { return apis[0]; },
    async stop () {
      for (const a of apis) await a?.disconnect();
      for (const node of [...nodes].reverse()) await node?.stop();
      for (const d of dirs) d.cleanup();
    },
    /** Stops node `i` (SIGINT), then `restart(i)` starts it again on the same base path. */
    async halt (i) {
      await apis[i].disconnect();
      await nodes[i].stop();
    },
    /** Kills node `i` with SIGKILL (no shutdown at all); `restart(i)` starts it again. */
    async kill (i) {
      await apis[i].disconnect();
      nodes[i].process.kill('SIGKILL');
      await nodes[i].stop();
    },
    async restart (i) {
      nodes[i] = await startNode(args[i], { name: nodes[i].name });
      apis[i] = await connect(nodes[i].wsUrl, { rpc: swarmRpc });
    }
  };
  try {
    for (const [i, { dir }] of dirs.entries()) {
      const inserted = runNodeCommand(['key', 'insert', '--base-path', dir, '--chain', 'dev',
        '--key-type', 'swrk', '--scheme', 'sr25519', '--suri', `//Worker${i}`]);
      if (inserted.status !== 0) throw new Error(inserted.stderr);
    }
    args.push(['--dev', '--base-path', dirs[0].dir, ...nodeKeyArgs(), ...extraArgs, ...nodeArgs(0)]);
    nodes.push(await startNode(args[0], { name: 'validator' }));
    const bootnode = `/ip4/127.0.0.1/tcp/${nodes[0].p2pPort}/p2p/${await rpcCall(nodes[0].rpcPort, 'system_localPeerId')}`;
    for (let i = 1; i < count; i++) {
      args.push(['--chain', 'dev', '--base-path', dirs[i].dir, ...nodeKeyArgs(),
        '--bootnodes', bootnode, '--offchain-worker', 'always', ...extraArgs, ...nodeArgs(i)]);
      nodes.push(await startNode(args[i], { name: `worker${i}` }));
    }
    for (const node of nodes) apis.push(await connect(node.wsUrl, { rpc: swarmRpc }));
    for (const [i, a] of apis.entries()) {
      await waitFor(async () => (await a.rpc.chain.getHeader()).number.toNumber() >= 1, { what: `node ${i} at block 1` });
    }
  } catch (error) {
    await network.stop();
    throw error;
  }
  return network;
}

/** Registers the worker key of every node of `network`, node i by `owners[i]`; returns the ids. */
export async function registerWorkers (network, owners) {
  return Promise.all(network.nodes.map(async (_, i) =>
    registerNodeWorker(network.api, network.apis[i], owners[i], await peerIdOf(network, i))));
}

/** Every `section` event whose numeric `field` is `id`, from block `from` to the best block. */
export async function eventsOf (api, section, field, id, from) {
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const found = [];
  for (let n = from; n <= best; n++) {
    const at = await api.at(await api.rpc.chain.getBlockHash(n));
    for (const { event } of await at.query.system.events()) {
      if (event.section === section && event.data[field]?.toNumber() === id) found.push(event);
    }
  }
  return found;
}

/** The libp2p peer id of node `i` of `network`, as 0x hex (what `registerNode` takes). */
export async function peerIdOf (network, i) {
  return u8aToHex(base58Decode(await rpcCall(network.nodes[i].rpcPort, 'system_localPeerId')));
}

/**
 * Registers the worker of node 0 of `network` (by `honestOwner`) and the worker keys `colluders`
 * (sr25519 pairs the caller holds; colluder i by `colluderOwners[i]`), each with the minimum
 * bond. Resolves with `{ honestId, colluderIds }`.
 */
export async function registerHonestAndColluders (network, honestOwner, colluders, colluderOwners) {
  const { api } = network;
  const [honestId, ...colluderIds] = await Promise.all([
    registerNodeWorker(api, network.apis[0], honestOwner, await peerIdOf(network, 0)),
    ...colluders.map(async (pair, i) => registerKey(api, colluderOwners[i], u8aToHex(pair.publicKey),
      await keyProof(api, colluderOwners[i], pair)))
  ]);
  return { honestId, colluderIds };
}

/** A compute node's record (`ComputeNodesApi::node`). */
export async function nodeInfo (api, id) {
  return (await api.call.computeNodesApi.node(id)).unwrap();
}

/** What a compute node has earned so far (`RewardsApi::node_earnings`). */
export async function nodeEarned (api, id) {
  return (await api.call.rewardsApi.nodeEarnings(id)).toBigInt();
}
