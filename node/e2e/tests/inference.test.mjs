// Inference jobs end to end, on a network of three nodes on this machine: the dev validator and
// two full nodes, each with its own `key insert`ed worker key registered as a compute node, each
// running offchain workers and its own ML executor.
//
// - A request with k = 3 settles with the three agreeing; the result equals, bit for bit, what
//   `swarm-ml infer` prints locally for the same weights and images; the escrow pays the owner's
//   price and the three nodes.
// - A fourth "node" whose worker key the test holds (an adversary: only a client sending
//   transactions) joins; a request with k = 4 seats it, it commits and reveals a wrong result, is
//   outvoted by the three, slashed and loses reputation; the three are paid.
// - Forged commits are refused by the pool, costing the sender nothing; bad requests fail with
//   named errors and hold nothing; a model the engine cannot run is refunded.
//
// The tests of the 'three workers' block share the network and the model (made in `before`);
// each test makes its own requests. The refund runs last: its missed commits must not count
// against the nodes before the other tests have used them.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { randomAsU8a } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';
import {
  canonicalConfig, commitPayload, commitment, keyProof, outputHash, publishModel, registerKey,
  registerWorkers, requestInference, revealPayload, startWorkerNetwork, submitGeneral, swarmMl,
  testImages, trainMlp, waitClosed
} from '../lib/inference.mjs';
import { tempDir, waitFor } from '../lib/node.mjs';

const SAMPLES = 8;

describe('inference jobs on three workers', { timeout: 900_000 }, () => {
  const work = tempDir('swarm-e2e-model-');
  let network;
  let api;
  let keyring;
  let alice, bob, charlie, dave, eve, ferdie, owner;
  let genesis;
  let modelInfo;
  let broken;
  let weightsFile;
  let workerIds;

  before(async () => {
    ({ alice, bob, charlie, dave, eve, ferdie } = await devKeyring());
    keyring = new Keyring({ type: 'sr25519' });
    network = await startWorkerNetwork(3, { extraArgs: ['--ml-threads', '1'] });
    api = network.api;
    genesis = (await api.rpc.chain.getBlockHash(0)).toHex();

    // A model trained with the engine, published by an owner of its own (Alice authors blocks,
    // so her balance moves every block) and offered for 0.01 SWARM.
    owner = keyring.addFromUri('//ModelOwner');
    await submitFinalized(api, api.tx.balances.transferKeepAlive(owner.address, 1_000n * UNIT), alice);
    weightsFile = path.join(work.dir, 'mlp.safetensors');
    const weights = trainMlp(weightsFile);
    // Different signers, so all at once: the model, a model whose weights are not a model (for
    // the refund), and the three nodes' worker keys, registered by Bob, Charlie and Dave.
    [modelInfo, broken, workerIds] = await Promise.all([
      publishModel(api, owner, { name: 'e2e-fashion-mlp', weights, config: canonicalConfig('mlp'), price: UNIT / 100n }),
      publishModel(api, ferdie, { name: 'e2e-broken', weights: randomAsU8a(4096), config: canonicalConfig('mlp'), price: UNIT / 100n }),
      registerWorkers(network, [bob, charlie, dave])
    ]);
  });

  after(async () => {
    await network?.stop();
    work.cleanup();
  });

  /** The engine's local output for the images: `swarm-ml infer --input`. */
  const localInference = (pixels) => {
    const file = path.join(work.dir, `pixels-${Date.now()}.bin`);
    writeFileSync(file, pixels);
    return JSON.parse(swarmMl(['infer', '--model', 'mlp', '--weights', weightsFile, '--input', file, '--json']));
  };

  const free = async (who) => (await api.query.system.account(who.address)).data.free.toBigInt();
  const eventsAt = async (hash) => (await api.at(hash)).query.system.events();

  /** Every event of `job` from the request's block to the current best block. */
  const jobEvents = async (job, fromBlock) => {
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    const found = [];
    for (let n = fromBlock; n <= best; n++) {
      const hash = await api.rpc.chain.getBlockHash(n);
      for (const { event } of await eventsAt(hash)) {
        if (event.section === 'inference' && event.data.job?.toNumber() === job) found.push({ block: n, event });
      }
    }
    return found;
  };

  test('k = 3: the three workers agree, the result is the engine\'s, the escrow is paid out', async () => {
    const { pixels } = testImages(0, SAMPLES);
    const ownerBefore = await free(owner);
    const earnedBefore = await Promise.all(workerIds.map(async (id) => (await api.call.rewardsApi.nodeEarnings(id)).toBigInt()));
    const request = await requestInference(api, eve, { version: modelInfo.version, pixels, samples: SAMPLES, replicas: 3 });
    assert.deepEqual([...request.nodes].sort(), [...workerIds].sort(), 'the three registered workers are seated');

    const job = await waitClosed(api, request.job);
    assert.equal(job.phase.name, 'paid', JSON.stringify(job.phase));
    assert.deepEqual(job.outcomes.map((o) => o.outcome), ['agreed', 'agreed', 'agreed']);

    // The result, bit for bit the engine's.
    const result = (await api.rpc.jobs.result(request.job)).toJSON();
    const local = localInference(pixels);
    assert.deepEqual(result.labels, local.labels);
    assert.deepEqual(result.logitsFixed, local.logits_fixed);
    assert.equal(result.outputHash, local.output_hash);
    assert.equal(result.logitScale, 65536);

    // The owner got the price; each node a third of the nodes' fee; nothing is held any more.
    assert.equal(await free(owner) - ownerBefore, BigInt(job.price));
    for (const [i, id] of workerIds.entries()) {
      const earned = (await api.call.rewardsApi.nodeEarnings(id)).toBigInt() - earnedBefore[i];
      assert.equal(earned, BigInt(job.nodeFee) / 3n, `node ${id}'s share`);
    }
    const holds = await api.query.balances.holds(eve.address);
    assert.equal(holds.length, 0, 'no escrow left');

    // Every seat's outcome is an event; the job is queryable per node.
    const events = await jobEvents(request.job, request.blockNumber);
    const settled = events.find(({ event }) => event.method === 'JobSettled');
    assert.ok(settled, 'a JobSettled event');
    assert.equal(events.filter(({ event }) => event.method === 'NodeOutcome').length, 3);
    for (const id of workerIds) {
      assert.ok((await api.rpc.jobs.assigned(id)).toJSON().jobs.includes(request.job));
    }

    // Each worker's Prometheus endpoint counts the task and its duration.
    for (const node of network.nodes) {
      const metrics = await (await fetch(`http://127.0.0.1:${node.prometheusPort}/metrics`)).text();
      const value = (name) => Number((metrics.match(new RegExp(`^(?:substrate_)?${name}\\{[^}]*kind="inference"[^}]*\\} (\\d+)`, 'm')) ?? [])[1]);
      assert.ok(value('swarm_worker_tasks_started_total') >= 1, `${node.name} started a task`);
      assert.ok(value('swarm_worker_tasks_finished_total') >= 1, `${node.name} finished a task`);
      assert.ok(value('swarm_worker_task_seconds_count') >= 1, `${node.name} timed a task`);
      assert.match(metrics, /^(substrate_)?swarm_worker_queue_length(\{[^}]*\})? 0$/m);
    }
  });

  test('k = 4 with an adversary: its wrong result is outvoted and slashed, the three are paid', async () => {
    // The adversary: a worker key this test holds, registered by Ferdie with a bond.
    const mallory = keyring.addFromUri('//Mallory//worker');
    const malloryId = await registerKey(api, ferdie, u8aToHex(mallory.publicKey), await keyProof(api, ferdie, mallory));
    const bondBefore = (await api.call.computeNodesApi.node(malloryId)).unwrap().bond.toBigInt();
    const reputationBefore = (await api.call.computeNodesApi.node(malloryId)).unwrap().reputation.toNumber();

    const { pixels } = testImages(8, 8 + SAMPLES);
    const request = await requestInference(api, eve, { version: modelInfo.version, pixels, samples: SAMPLES, replicas: 4 });
    assert.ok(request.nodes.includes(malloryId), 'with k = 4 every node is seated');

    // Forged: a commit for an honest seat signed by Mallory's key; the pool refuses it (code 5,
    // BadSignature) and nobody pays for it.
    const honest = request.nodes.find((n) => n !== malloryId);
    const forgedCommit = commitment(request.job, honest, new Uint8Array(32), new Uint8Array(32));
    const forged = api.tx.inference.commit(request.job, honest, forgedCommit,
      mallory.sign(commitPayload(genesis, request.job, honest, forgedCommit)));
    await assert.rejects(submitGeneral(api, forged), /Custom error: 5/);

    // Mallory commits to a made-up output of the right shape, then reveals it.
    const wrong = { labels: Array(SAMPLES).fill(0), logits: Array(SAMPLES * 10).fill(0) };
    const result = outputHash(wrong.labels, wrong.logits);
    const salt = randomAsU8a(32);
    const commit = commitment(request.job, malloryId, result, salt);
    await submitGeneral(api, api.tx.inference.commit(request.job, malloryId, commit,
      mallory.sign(commitPayload(genesis, request.job, malloryId, commit))));
    await waitFor(async () => (await api.rpc.jobs.job(request.job)).toJSON().phase.name !== 'commit',
      { timeoutMs: 60_000, what: 'the reveal window' });
    await submitGeneral(api, api.tx.inference.reveal(request.job, malloryId, wrong, salt,
      mallory.sign(revealPayload(genesis, request.job, malloryId, result, salt))));

    const job = await waitClosed(api, request.job);
    assert.equal(job.phase.name, 'paid', JSON.stringify(job.phase));
    const outcome = Object.fromEntries(job.outcomes.map((o) => [o.node, o.outcome]));
    assert.equal(outcome[malloryId], 'outvoted');
    for (const id of workerIds) assert.equal(outcome[id], 'agreed');
    assert.equal(job.phase.result, (await api.rpc.jobs.result(request.job)).toJSON().outputHash);
    assert.equal((await api.rpc.jobs.result(request.job)).toJSON().outputHash, localInference(pixels).output_hash);

    // Slashed: a share of its bond, and its reputation fell.
    const after = (await api.call.computeNodesApi.node(malloryId)).unwrap();
    assert.ok(after.bond.toBigInt() < bondBefore, 'the bond was slashed');
    assert.ok(after.reputation.toNumber() < reputationBefore, 'the reputation fell');
    const events = await jobEvents(request.job, request.blockNumber);
    const slashed = events.find(({ event }) => event.method === 'NodeSlashed');
    assert.equal(slashed.event.data.node.toNumber(), malloryId);
    const paid = events.find(({ event }) => event.method === 'NodesPaid');
    assert.equal(paid.event.data.nodes.toNumber(), 3, 'the three honest nodes are paid');
  });

  test('bad requests fail with named errors and hold nothing', async () => {
    const { pixels } = testImages(0, 1);
    const input = (data, samples = 1) => ({ Inline: { samples, data: u8aToHex(data) } });
    const request = (version, inp, replicas, maxFee = 10n * UNIT) => api.tx.inference.request(version, inp, replicas, maxFee);
    const cases = [
      [request(9_999, input(pixels), 1), /inference.UnknownVersion/],
      [request(modelInfo.version, input(pixels), 0), /inference.BadReplicas/],
      [request(modelInfo.version, input(pixels), 17), /inference.BadReplicas/],
      [request(modelInfo.version, input(pixels.subarray(0, 700)), 1), /inference.InputSizeMismatch/],
      [request(modelInfo.version, input(pixels), 1, 1n), /inference.FeeAboveMax/],
      [request(modelInfo.version, input(pixels), 9), /inference.NotEnoughNodes/]
    ];
    for (const [tx, error] of cases) {
      await assert.rejects(submitFinalized(api, tx, eve, { inBlock: true }), error);
    }
    assert.equal((await api.query.balances.holds(eve.address)).length, 0, 'nothing held');
  });

  test('a worker stopped between its commit and its reveal reveals after a restart, and never commits again', async () => {
    // A fourth seat held by the test (Trent), so that the reveal window opens only when the test
    // commits for it: after the worker has committed and been stopped. Trent commits to the
    // engine's own output, so every seat agrees.
    const trent = keyring.addFromUri('//Trent//worker');
    const trentId = await registerKey(api, alice, u8aToHex(trent.publicKey), await keyProof(api, alice, trent));
    const { pixels } = testImages(16, 16 + SAMPLES);
    const local = localInference(pixels);
    const request = await requestInference(api, eve, { version: modelInfo.version, pixels, samples: SAMPLES, replicas: 4 });
    const stopped = 2;
    const stoppedId = workerIds[stopped];
    assert.ok(request.nodes.includes(stoppedId) && request.nodes.includes(trentId));

    const vote = async (node) => (await api.rpc.jobs.job(request.job)).toJSON().seats.find((s) => s.node === node).vote;
    await waitFor(async () => await vote(stoppedId) === 'committed', { timeoutMs: 60_000, what: 'the worker\'s commit' });
    await network.halt(stopped);

    const labels = local.labels;
    const logits = local.logits_fixed;
    const result = outputHash(labels, logits);
    const salt = randomAsU8a(32);
    const commit = commitment(request.job, trentId, result, salt);
    await submitGeneral(api, api.tx.inference.commit(request.job, trentId, commit,
      trent.sign(commitPayload(genesis, request.job, trentId, commit))));
    await waitFor(async () => (await api.rpc.jobs.job(request.job)).toJSON().phase.name === 'reveal',
      { timeoutMs: 60_000, what: 'the reveal window' });
    await submitGeneral(api, api.tx.inference.reveal(request.job, trentId, { labels, logits }, salt,
      trent.sign(revealPayload(genesis, request.job, trentId, result, salt))));

    // The restarted worker reveals what it committed to before it stopped.
    await network.restart(stopped);
    const job = await waitClosed(api, request.job);
    assert.equal(job.phase.name, 'paid', JSON.stringify(job.phase));
    assert.deepEqual(job.outcomes.map((o) => o.outcome), ['agreed', 'agreed', 'agreed', 'agreed']);
    assert.equal(job.phase.result, local.output_hash);
    const log = network.nodes[stopped].log();
    assert.match(log, new RegExp(`job ${request.job}: node ${stoppedId} reveals`));
    assert.doesNotMatch(log, new RegExp(`job ${request.job}: node ${stoppedId} (runs|commits)`));
  });

  test('a model the engine cannot run: no commits, the requester is refunded', async () => {
    // `broken`'s weights are not a safetensors file of its configuration: every executor fails.
    // Short windows (root may set them), so that the job times out in a few blocks.
    const timing = (await api.query.inference.jobTiming()).toJSON();
    const setTiming = (t) => submitFinalized(api, api.tx.sudo.sudo(api.tx.inference.setTiming(t)), alice, { inBlock: true });
    await setTiming({ ...timing, commitWindow: 3, jobTimeout: 4 });
    const { pixels } = testImages(0, 1);
    const before = await free(eve);
    let request, job;
    try {
      request = await requestInference(api, eve, { version: broken.version, pixels, samples: 1, replicas: 1 });
      job = await waitClosed(api, request.job, { timeoutMs: 120_000 });
    } finally {
      await setTiming(timing);
    }
    assert.equal(job.phase.name, 'failed');
    assert.equal(job.phase.reason, 'tooFewCommits');
    assert.ok(job.outcomes.every((o) => o.outcome === 'missedCommit'));
    assert.equal((await api.query.balances.holds(eve.address)).length, 0, 'the escrow is released');
    // Only the request's transaction fee is gone.
    assert.ok(before - await free(eve) < UNIT / 100n, 'refunded, less the transaction fee');
    const events = await jobEvents(request.job, request.blockNumber);
    assert.ok(events.some(({ event }) => event.method === 'JobFailed'));
  });
});
