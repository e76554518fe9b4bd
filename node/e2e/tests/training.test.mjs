// A federated training round end to end, on a network of four nodes on this machine (the dev
// validator and three full nodes), each with its own worker key registered as a compute node and
// its own non-IID Fashion-MNIST shard (`--training-data`, Dirichlet α = 0.5, made with
// `swarm-ml split`); the data never leaves the nodes.
//
// - The owner of a weak MLP opens a round with FedAvg and a clip bound. The four nodes join,
//   train, commit and reveal their updates; a committee of three aggregates and evaluates them
//   and agrees; the chain publishes a new version whose parent is the base (`FederatedRound`),
//   whose validation accuracy beats the base's, whose contributors are the four owners, and pays
//   them.
// - A fifth participant whose worker key the test holds (an adversary: only a client sending
//   transactions) reveals a sign-flipped ×10 update: it is invalid (over the clip bound),
//   slashed and unpaid, and the result is exactly that of the round without it.
// - The published weights equal, byte for byte, what the engine computes locally from the same
//   shards, seeds and spec (`swarm-ml train` on each shard, then `swarm-ml aggregate`).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a, randomAsU8a } from '@polkadot/util-crypto';
import { devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';
import { keyProof, registerKey, submitGeneral } from '../lib/inference.mjs';
import { tempDir } from '../lib/node.mjs';
import {
  aggregateLocally, joinPayload, openRound, participantSeed, roundCommitment, roundCommitPayload,
  roundRevealPayload, roundSpec, scaleUpdate, startTrainingNetwork, trainLocally, waitPhase
} from '../lib/training.mjs';

/** The participants' training, as `roundSpec` sets it on chain, for `swarm-ml train`. */
const SPEC = { epochs: 1, batchSize: 32, lr: '0.05', maxSamples: 20_000 };

describe('a federated training round on four workers', { timeout: 900_000 }, () => {
  const work = tempDir('swarm-e2e-round-');
  let network, api, genesis;
  let split, owners, nodes, modelOwner, base, baseFile, validation;
  let adversary, adversaryNode, adversaryOwner;

  before(async () => {
    ({ network, api, split, owners, nodes, modelOwner, base, baseFile, validation } =
      await startTrainingNetwork(work.dir));
    genesis = (await api.rpc.chain.getBlockHash(0)).toHex();
    const { alice } = await devKeyring();
    const keyring = new Keyring({ type: 'sr25519' });
    adversaryOwner = keyring.addFromUri('//RoundAdversaryOwner');
    adversary = keyring.addFromUri('//RoundAdversaryWorker');
    await submitFinalized(api, api.tx.balances.transferKeepAlive(adversaryOwner.address, 1_000n * UNIT), alice);
    adversaryNode = await registerKey(api, adversaryOwner, u8aToHex(adversary.publicKey),
      await keyProof(api, adversaryOwner, adversary));
  });

  after(async () => {
    await network?.stop();
    work.cleanup();
  });

  /** Trains shard `i` locally as node `nodes[i]` would in a round with seed `roundSeed`. */
  function honestUpdate (i, roundSeed, tag) {
    const file = path.join(work.dir, `update-${tag}-${i}.safetensors`);
    trainLocally(baseFile, split.shards[i], file, {
      ...SPEC, seed: participantSeed(roundSeed, nodes[i]), limit: SPEC.maxSamples
    });
    return file;
  }

  test('a round publishes a better version, pays the four owners and slashes a poisoned update', async () => {
    // A clip bound three times the largest honest update's distance from the base (estimated
    // with any seed), in millionths: honest updates pass it, a ×10 one does not.
    const probe = [0, 1, 2, 3].map((i) => ({ node: nodes[i], samples: split.samples[i], file: honestUpdate(i, u8aToHex(new Uint8Array(32)), 'probe') }));
    const { norms } = aggregateLocally(baseFile, probe, path.join(work.dir, 'probe.safetensors'));
    const clip = Math.ceil(3 * Math.max(...Object.values(norms)));
    const earnedBefore = await Promise.all(nodes.map(async (n) => (await api.query.rewards.nodeEarnings(n)).toBigInt()));
    const adversaryEarnedBefore = (await api.query.rewards.nodeEarnings(adversaryNode)).toBigInt();
    const bondBefore = (await api.query.computeNodes.nodes(adversaryNode)).unwrap().bond.toBigInt();
    const round = await openRound(api, modelOwner, roundSpec(base.version, validation, { clip }));

    // The adversary joins too, with a claim of 3,000 samples.
    const joinSignature = u8aToHex(adversary.sign(joinPayload(genesis, round, adversaryNode, 3_000)));
    await submitGeneral(api, api.tx.training.join(round, adversaryNode, 3_000, joinSignature));
    let record = await waitPhase(api, round, ['train', 'upload']);
    assert.equal(record.participants.length, 5, 'the four nodes and the adversary joined');
    assert.deepEqual(new Set(record.participants.map((p) => p.node)), new Set([...nodes, adversaryNode]));

    // Its update: node 0's, flipped and scaled ×10 away from the base.
    const flipped = scaleUpdate(new Uint8Array(readFileSync(baseFile)),
      new Uint8Array(readFileSync(honestUpdate(0, record.seed, 'adversary'))), -10);
    const hash = blake2AsU8a(flipped, 256);
    const salt = randomAsU8a(32);
    const task = { update: round };
    const c = roundCommitment(task, adversaryNode, hash, salt);
    await submitGeneral(api, api.tx.training.commitUpdate(round, adversaryNode, c,
      u8aToHex(adversary.sign(roundCommitPayload(genesis, task, adversaryNode, c)))));
    record = await waitPhase(api, round, ['upload']);
    await submitGeneral(api, api.tx.training.revealUpdate(round, adversaryNode, salt,
      u8aToHex(adversary.sign(roundRevealPayload(genesis, task, adversaryNode, hash, salt))), u8aToHex(flipped)));

    record = await waitPhase(api, round, [], { timeoutMs: 300_000 });
    assert.equal(record.phase.name, 'paid', JSON.stringify(record.phase));
    assert.equal(record.phase.end, 'published',
      `${JSON.stringify(record.participants)} ${JSON.stringify((await api.rpc.rounds.result(round)).toJSON())}`);
    const version = record.phase.version;
    const outcomes = Object.fromEntries(record.participants.map((p) => [p.node, p.outcome]));
    for (const node of nodes) assert.equal(outcomes[node], 'accepted', `node ${node}`);
    assert.equal(outcomes[adversaryNode], 'invalid');
    assert.equal(record.participants.find((p) => p.node === adversaryNode).invalid, 'aboveClip');

    // The new version: derived from the base by the round, better on the validation set.
    const result = (await api.rpc.rounds.result(round)).toJSON();
    assert.ok(result.evaluation.accuracyPpb > result.baseEvaluation.accuracyPpb,
      `accuracy ${result.evaluation.accuracyPpb} > base ${result.baseEvaluation.accuracyPpb}`);
    const ancestors = (await api.rpc.models.ancestors(version, 1)).toJSON();
    assert.deepEqual(ancestors.nodes[0].parents, [{ id: base.version, derivation: 'federated_round' }]);
    const contributors = (await api.rpc.models.contributors(version)).toJSON();
    for (const owner of owners) assert.ok(contributors.accounts.includes(owner.address), `${owner.address} contributed`);
    assert.ok(!contributors.accounts.includes(adversaryOwner.address), 'the adversary did not');
    assert.ok(contributors.rounds.includes(round));

    // Paid: every node got a share of the budget; the adversary nothing, and its bond was
    // slashed.
    const earned = await Promise.all(nodes.map((n) => api.query.rewards.nodeEarnings(n)));
    for (const [i, e] of earned.entries()) {
      assert.ok(e.toBigInt() > earnedBefore[i], `node ${nodes[i]} was paid`);
    }
    assert.equal((await api.query.rewards.nodeEarnings(adversaryNode)).toBigInt(), adversaryEarnedBefore);
    const bondAfter = (await api.query.computeNodes.nodes(adversaryNode)).unwrap().bond.toBigInt();
    assert.ok(bondAfter < bondBefore, `the adversary's bond ${bondAfter} < ${bondBefore}`);

    // The chain's weights are what the engine computes locally from the same shards and seeds:
    // the four honest updates (the adversary's is over the clip bound either way).
    const local = aggregateLocally(baseFile,
      // A node trains on, and is weighed by, at most the rule's `maxSamples`.
      [0, 1, 2, 3].map((i) => ({ node: nodes[i], samples: Math.min(split.samples[i], SPEC.maxSamples), file: honestUpdate(i, record.seed, 'check') })),
      path.join(work.dir, 'local.safetensors'), { clip });
    assert.equal(result.weights, local.hash, local.text);
  });
});
