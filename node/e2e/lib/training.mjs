// Federated training rounds from a client's side: shards and a validation set made with
// `swarm-ml split`, a round opened and watched, and what the engine computes locally for the
// same shards (to compare with the chain's result).
//
// Also what an adversary needs (it is only a client holding a worker key): the payloads a
// worker key signs in a round, the commitments, and weights files it can tamper with.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { devKeyring, submitFinalized, UNIT } from './api.mjs';
import {
  canonicalConfig, publishModel, registerWorkers, startWorkerNetwork, swarmMl, trainMlp
} from './inference.mjs';
import { uploadWeights } from './weights.mjs';

const utf8 = (text) => new TextEncoder().encode(text);
const u64 = (n) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
};
const blake2 = (bytes) => blake2AsU8a(bytes, 256);

/**
 * Splits the first `limit` Fashion-MNIST training images between `nodes` shards (Dirichlet
 * α = `alpha`) into `dir/node-<i>/`, and writes the first `validation` test images as
 * `dir/validation.bin`. Returns the shard folders, the validation file's bytes and each shard's
 * sample count.
 */
export function splitShards (dir, { nodes, limit, validation, alpha = 0.5, seed = 11 }) {
  const out = swarmMl(['split', '--nodes', String(nodes), '--partition', `dirichlet:${alpha}`,
    '--seed', String(seed), '--limit', String(limit), '--validation', String(validation), '--out', dir]);
  const shards = Array.from({ length: nodes }, (_, i) => path.join(dir, `node-${i + 1}`));
  const samples = out.split('\n').filter((l) => l.includes('samples, per class'))
    .map((l) => Number(l.trim().split(/\s+/)[1]));
  return { shards, samples, validation: new Uint8Array(readFileSync(path.join(dir, 'validation.bin'))) };
}

/**
 * A network of `count` worker nodes on this machine, node `i` with shard `i` of the first
 * `limit` Fashion-MNIST training images (all 60,000 by default: with fewer, one round of
 * non-IID FedAvg from the weak base improves the validation accuracy only in most runs, not in
 * all) as its `--training-data`, each registered as a compute
 * node of its own funded owner (`//RoundOwner<i>`); and a weak base model (one epoch on 1,000
 * images) published by `//RoundModelOwner`, with the first `validation` test images stored as
 * its validation set. Returns everything a round needs.
 */
export async function startTrainingNetwork (dir, { count = 4, limit = 60_000, validation = 500 } = {}) {
  const split = splitShards(path.join(dir, 'shards'), { nodes: count, limit, validation });
  const network = await startWorkerNetwork(count, {
    extraArgs: ['--ml-threads', '1'],
    nodeArgs: (i) => ['--training-data', split.shards[i]]
  });
  try {
    const { api } = network;
    const { alice } = await devKeyring();
    const keyring = new Keyring({ type: 'sr25519' });
    const owners = Array.from({ length: count }, (_, i) => keyring.addFromUri(`//RoundOwner${i}`));
    const modelOwner = keyring.addFromUri('//RoundModelOwner');
    await submitFinalized(api, api.tx.utility.batchAll(
      [...owners, modelOwner].map((o) => api.tx.balances.transferKeepAlive(o.address, 1_000n * UNIT))
    ), alice);
    const nodes = await registerWorkers(network, owners);
    const baseFile = path.join(dir, 'base.safetensors');
    const weights = trainMlp(baseFile, { limit: 1_000 });
    const base = await publishModel(api, modelOwner, {
      name: `federated-mlp-${Date.now()}`, weights, config: canonicalConfig('mlp'), price: UNIT / 100n
    });
    const stored = await storeValidation(api, modelOwner, split.validation, validation);
    return { network, api, split, owners, nodes, modelOwner, base, baseFile, validation: stored };
  } catch (error) {
    await network.stop();
    throw error;
  }
}

/**
 * The spec of a round on `version`: by default one epoch of SGD (batch 32, learning rate 0.05,
 * no momentum) on at most 20,000 samples a node, FedAvg with a clip bound of `clip` (L2, a whole number; none if not given),
 * 4 to 5 participants, a committee of 3, a budget of 100 SWARM, the `validation` set, no
 * tolerance, one round. `server` (`{ lr, momentum }`, decimals) adds server momentum (FedAvgM);
 * the other options override the defaults.
 */
export function roundSpec (version, validation, {
  clip, participants = [4, 5], batchSize = 32, lr = 0.05, momentum = 0, maxSamples = 20_000,
  budget = 100n * UNIT, tolerancePpb = 0, rounds = 1, server
} = {}) {
  const millionths = (x) => Math.round(x * 1_000_000);
  return {
    base: version,
    training: {
      epochs: 1,
      batchSize,
      optimizer: { Sgd: { lr: millionths(lr), momentum: millionths(momentum), weightDecay: 0 } }
    },
    rule: {
      method: 'FedAvg',
      clip: clip === undefined ? null : clip * 1_000_000,
      maxSamples,
      server: server ? { learningRate: millionths(server.lr), momentum: millionths(server.momentum) } : null
    },
    minParticipants: participants[0],
    maxParticipants: participants[1],
    committee: 3,
    budget,
    validation: { hash: validation.hash, samples: validation.samples },
    tolerance: tolerancePpb,
    rounds
  };
}

/** Uploads the validation set; returns `{ hash, samples }` for a round spec. */
export async function storeValidation (api, owner, bytes, samples) {
  return { hash: await uploadWeights(api, bytes, owner), samples };
}

/** Opens a round of `spec` as `owner`; returns its id. */
export async function openRound (api, owner, spec) {
  const { events } = await submitFinalized(api, api.tx.training.openRound(spec), owner, { inBlock: true });
  const opened = events.find(({ event }) => api.events.training.RoundOpened.is(event));
  if (!opened) throw new Error('no RoundOpened event');
  return opened.event.data.round.toNumber();
}

/** Waits until `round` is in a phase of `names` (or closed); returns its `rounds_round` JSON. */
export async function waitPhase (api, round, names, { timeoutMs = 240_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let record;
  while (Date.now() < deadline) {
    record = (await api.rpc.rounds.round(round)).toJSON();
    if (names.includes(record.phase.name) || ['paid', 'failed'].includes(record.phase.name)) return record;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`round ${round} is still ${record?.phase.name} after ${timeoutMs} ms`);
}

/** The training seed of `node` in a round whose seed is `roundSeed` (hex), as 0x hex. */
export function participantSeed (roundSeed, node) {
  return u8aToHex(blake2(u8aConcat(utf8('swarm/training/participant'), hexToU8a(roundSeed), u64(node))));
}

/**
 * Trains `base` (a file) on `shard` with the round's SGD spec and `seed` (hex), as a participant
 * does, into `out`; returns the weights' bytes.
 */
export function trainLocally (base, shard, out, { epochs, batchSize, lr, seed, limit }) {
  swarmMl(['train', '--model', 'mlp', '--init', base, '--data-dir', shard, '--epochs', String(epochs),
    '--batch-size', String(batchSize), '--optimizer', 'sgd', '--lr', lr, '--momentum', '0',
    '--weight-decay', '0', '--seed', seed, '--limit', String(limit), '--out', out, '--no-eval']);
  return new Uint8Array(readFileSync(out));
}

/**
 * Aggregates `updates` (`{ node, samples, file }`) into `base` with FedAvg as a committee does,
 * into `out`; returns `{ hash, norms }` (the weights' blake2-256 hash and each update's L2
 * distance from the base, by node).
 */
export function aggregateLocally (base, updates, out, { clip } = {}) {
  const args = ['aggregate', '--global', base, '--method', 'fedavg', '--out', out];
  // A node's client id is its number in the last 8 bytes, as `swarm-ml` reads a u64 id.
  for (const u of updates) args.push('--update', `${u.node}:${u.samples}:${u.file}`);
  if (clip !== undefined) args.push('--clip', String(clip));
  const text = swarmMl(args);
  const norms = {};
  const line = text.split('\n').find((l) => l.startsWith('norms'));
  for (const part of line.slice('norms'.length).trim().split(', ').filter(Boolean)) {
    const [client, norm] = part.split(':');
    norms[Number(client)] = Number(norm);
  }
  return { hash: u8aToHex(blake2(readFileSync(out))), norms, text };
}

/**
 * A safetensors file whose values are `base + factor · (update − base)`, tensor by tensor (a
 * sign-flipped, scaled update for `factor = -10`): same header, other values.
 */
export function scaleUpdate (baseBytes, updateBytes, factor) {
  const headerLength = Number(new DataView(updateBytes.buffer, updateBytes.byteOffset).getBigUint64(0, true));
  const start = 8 + headerLength;
  const out = new Uint8Array(updateBytes);
  const base = new DataView(baseBytes.buffer, baseBytes.byteOffset);
  const update = new DataView(updateBytes.buffer, updateBytes.byteOffset);
  const result = new DataView(out.buffer);
  for (let offset = start; offset + 4 <= out.length; offset += 4) {
    const b = base.getFloat32(offset, true);
    result.setFloat32(offset, b + factor * (update.getFloat32(offset, true) - b), true);
  }
  return out;
}

/** `blake2_256("swarm/commit" ‖ task ‖ node ‖ hash ‖ salt)`; `task` is `{ update: round }` or `{ result: round }`. */
export function roundCommitment (task, node, hash, salt) {
  return blake2(u8aConcat(utf8('swarm/commit'), taskBytes(task), u64(node), hash, salt));
}

function taskBytes (task) {
  return 'update' in task ? u8aConcat([0], u64(task.update)) : u8aConcat([1], u64(task.result));
}

/** What a worker key signs to join `round` with `samples`. */
export function joinPayload (genesis, round, node, samples) {
  return u8aConcat(utf8('swarm/training'), [0], hexToU8a(genesis), u64(round), u64(node), u64(samples));
}

/** What a worker key signs to commit to `commit` for `task`. */
export function roundCommitPayload (genesis, task, node, commit) {
  return u8aConcat(utf8('swarm/training'), [1], hexToU8a(genesis), taskBytes(task), u64(node), commit);
}

/** What a worker key signs to reveal `hash` with `salt` for `task`. */
export function roundRevealPayload (genesis, task, node, hash, salt) {
  return u8aConcat(utf8('swarm/training'), [2], hexToU8a(genesis), taskBytes(task), u64(node), hash, salt);
}

/** What a worker key signs to store the agreed weights, whose hash is `hash`, of `round`. */
export function roundStorePayload (genesis, round, node, hash) {
  return u8aConcat(utf8('swarm/training'), [3], hexToU8a(genesis), u64(round), u64(node), hash);
}

/**
 * The hash a committee member commits to for `result` (`{ weights, base, verdicts }`, as the
 * `reveal_result` call takes it): blake2-256 of its SCALE encoding.
 */
export function roundResultHash (api, result) {
  return blake2(api.createType('PalletTrainingRoundResult', result).toU8a());
}
