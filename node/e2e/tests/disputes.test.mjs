// Disputes end to end: a colluding majority is caught, on a network of four nodes on this machine
// (the dev validator and three full nodes, each with its own worker key, offchain workers and ML
// executor) and two compute nodes whose worker keys this test holds (the colluders: clients
// sending transactions, nothing in any node).
//
// 1. The honest node (the validator's worker) and the two colluders are the only eligible nodes
//    when a job with k = 3 is requested, so they hold its seats. The colluders commit to and
//    reveal the same made-up output; the honest node reveals the engine's. Two of three agree:
//    the job settles on the wrong output, its nodes' fee held for the challenge window.
// 2. The other three nodes register after the request. A challenger (any account) places the
//    bond within the window, claiming the engine's output; the three are the only eligible nodes
//    that were not seated, so they are the committee. Their offchain workers re-execute the job
//    and commit and reveal like any seat.
// 3. The committee agrees on the engine's output: the result is overturned. The colluders lose
//    half their bonds and are jailed; the honest node is not punished and is paid; the requester
//    gets the nodes' fee back and keeps the corrected result; the challenger gets its bond back
//    and a reward from the slashed bonds.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { randomAsU8a } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';
import {
  canonicalConfig, commitPayload, commitment, eventsOf, feePaid, nodeEarned, nodeInfo as nodeInfoOf,
  outputHash, peerIdOf, publishModel, registerHonestAndColluders, registerNodeWorker, requestInference,
  revealPayload, startWorkerNetwork, submitGeneral, swarmMl, testImages, trainMlp, waitClosed
} from '../lib/inference.mjs';
import { tempDir, waitFor } from '../lib/node.mjs';

const SAMPLES = 8;

describe('a colluding majority is caught by a challenge', { timeout: 600_000 }, () => {
  const work = tempDir('swarm-e2e-dispute-');
  let network, api, keyring, genesis;
  let alice, bob, charlie, dave, eve, ferdie;
  let owner, requester, challenger;
  let modelInfo, weightsFile;

  before(async () => {
    ({ alice, bob, charlie, dave, eve, ferdie } = await devKeyring());
    keyring = new Keyring({ type: 'sr25519' });
    network = await startWorkerNetwork(4, { extraArgs: ['--ml-threads', '1'] });
    api = network.api;
    genesis = (await api.rpc.chain.getBlockHash(0)).toHex();
    owner = keyring.addFromUri('//ModelOwner');
    requester = keyring.addFromUri('//Requester');
    challenger = keyring.addFromUri('//Challenger');
    await submitFinalized(api, api.tx.utility.batchAll([owner, requester, challenger].map((who) =>
      api.tx.balances.transferKeepAlive(who.address, 100n * UNIT))), alice);
    // A challenge window of a minute (root may set it), so that the test challenges in time
    // even on a loaded machine; committees of three.
    const timing = (await api.query.inference.jobTiming()).toJSON();
    await submitFinalized(api, api.tx.sudo.sudo(api.tx.utility.batchAll([
      api.tx.inference.setTiming({ ...timing, challengeWindow: 20 }),
      api.tx.inference.setDisputeTerms({ bond: UNIT, replicas: 3 })
    ])), alice);
    weightsFile = path.join(work.dir, 'mlp.safetensors');
    modelInfo = await publishModel(api, owner, {
      name: 'e2e-dispute-mlp', weights: trainMlp(weightsFile), config: canonicalConfig('mlp'), price: UNIT / 100n
    });
  });

  after(async () => {
    await network?.stop();
    work.cleanup();
  });

  const free = async (who) => (await api.query.system.account(who.address)).data.free.toBigInt();
  const nodeInfo = (id) => nodeInfoOf(api, id);
  const earned = (id) => nodeEarned(api, id);

  test('the job settles on the colluders\' output; a fresh committee overturns it', async () => {
    // The honest node: the validator's worker, registered by Bob. The colluders: two keys this
    // test holds, registered by Ferdie with the minimum bond.
    const colluders = [keyring.addFromUri('//Colluder1//worker'), keyring.addFromUri('//Colluder2//worker')];
    const { honestId, colluderIds } = await registerHonestAndColluders(network, bob, colluders, [ferdie, dave]);
    const bondsBefore = await Promise.all(colluderIds.map(async (id) => (await nodeInfo(id)).bond.toBigInt()));
    const honestBond = (await nodeInfo(honestId)).bond.toBigInt();
    const honestEarned = await earned(honestId);

    // 1. The request: the three are the only eligible nodes, so they are seated.
    const { pixels } = testImages(0, SAMPLES);
    const pixelsFile = path.join(work.dir, 'pixels.bin');
    writeFileSync(pixelsFile, pixels);
    const local = JSON.parse(swarmMl(['infer', '--model', 'mlp', '--weights', weightsFile, '--input', pixelsFile, '--json']));
    const requesterBefore = await free(requester);
    const request = await requestInference(api, requester, { version: modelInfo.version, pixels, samples: SAMPLES, replicas: 3 });
    assert.deepEqual([...request.nodes].sort(), [honestId, ...colluderIds].sort(), 'the honest node and the colluders are seated');

    // The colluders commit to one made-up output of the right shape, and reveal it.
    const wrong = { labels: Array(SAMPLES).fill(0), logits: Array(SAMPLES * 10).fill(0) };
    const wrongHash = outputHash(wrong.labels, wrong.logits);
    const salts = colluders.map(() => randomAsU8a(32));
    for (const [i, pair] of colluders.entries()) {
      const commit = commitment(request.job, colluderIds[i], wrongHash, salts[i]);
      await submitGeneral(api, api.tx.inference.commit(request.job, colluderIds[i], commit,
        pair.sign(commitPayload(genesis, request.job, colluderIds[i], commit))));
    }
    // The other three register while the job runs: after the request, so they are not seated.
    const freshIds = await Promise.all([charlie, eve, alice].map(async (who, i) =>
      registerNodeWorker(api, network.apis[i + 1], who, await peerIdOf(network, i + 1))));
    await waitFor(async () => (await api.rpc.jobs.job(request.job)).toJSON().phase.name !== 'commit',
      { timeoutMs: 90_000, what: 'the reveal window' });
    for (const [i, pair] of colluders.entries()) {
      await submitGeneral(api, api.tx.inference.reveal(request.job, colluderIds[i], wrong, salts[i],
        pair.sign(revealPayload(genesis, request.job, colluderIds[i], wrongHash, salts[i]))));
    }
    const settled = await waitClosed(api, request.job, { phases: ['settled', 'paid', 'failed'], timeoutMs: 90_000 });
    assert.equal(settled.phase.name, 'settled', JSON.stringify(settled.phase));
    assert.equal(settled.phase.result, u8aToHex(wrongHash), 'the colluders\' output won the vote');
    const outvoted = Object.fromEntries(settled.outcomes.map((o) => [o.node, o.outcome]));
    assert.equal(outvoted[honestId], 'outvoted');

    // 2. The challenge, claiming the engine's output.
    const terms = (await api.rpc.jobs.disputeTerms()).toJSON();
    assert.deepEqual(terms, { bond: String(UNIT), replicas: 3, committeeFee: String(3n * api.consts.inference.nodeFee.toBigInt()) });
    const challengerBefore = await free(challenger);
    const { events: challengeEvents } = await submitFinalized(api,
      api.tx.inference.challenge(request.job, local.output_hash), challenger, { inBlock: true });
    const challenged = challengeEvents.find(({ event }) => api.events.inference.Challenged.is(event)).event.data;
    assert.deepEqual(challenged.nodes.map((n) => n.toNumber()).sort(), [...freshIds].sort(), 'the fresh nodes re-execute');
    assert.equal((await api.rpc.jobs.job(request.job)).toJSON().phase.name, 'disputed');

    // 3. The committee re-executes and overturns the result.
    const job = await waitClosed(api, request.job, { timeoutMs: 120_000 });
    assert.equal(job.phase.name, 'paid', JSON.stringify(job.phase));
    assert.equal(job.dispute.verdict, 'overturned', JSON.stringify(job.dispute));
    assert.equal(job.dispute.corrected, local.output_hash);
    assert.equal(job.phase.result, local.output_hash);
    assert.deepEqual(job.dispute.outcomes.map((o) => o.outcome), ['agreed', 'agreed', 'agreed']);
    const result = (await api.rpc.jobs.result(request.job)).toJSON();
    assert.deepEqual(result.labels, local.labels, 'the requester has the engine\'s result');
    assert.deepEqual(result.logitsFixed, local.logits_fixed);
    const outcome = Object.fromEntries(job.outcomes.map((o) => [o.node, o.outcome]));
    assert.equal(outcome[honestId], 'agreed');
    for (const id of colluderIds) assert.equal(outcome[id], 'outvoted');

    // The colluders: half their bonds gone, jailed.
    const events = await eventsOf(api, 'inference', 'job', request.job, request.blockNumber);
    let slashed = 0n;
    for (const [i, id] of colluderIds.entries()) {
      const info = await nodeInfo(id);
      assert.equal(info.bond.toBigInt(), bondsBefore[i] - bondsBefore[i] / 2n, `node ${id} lost half its bond`);
      assert.equal(info.status.type, 'Jailed', `node ${id} is jailed`);
      const convicted = events.find((e) => e.method === 'NodeConvicted' && e.data.node.toNumber() === id);
      assert.ok(convicted, `a NodeConvicted event for node ${id}`);
      slashed += convicted.data.slashed.toBigInt();
    }
    // The honest node: its bond whole, paid a replica's fee.
    assert.equal((await nodeInfo(honestId)).bond.toBigInt(), honestBond, 'the honest node is not slashed');
    assert.equal((await nodeInfo(honestId)).status.type, 'Active');
    const nodeFee = api.consts.inference.nodeFee.toBigInt();
    assert.equal(await earned(honestId) - honestEarned, nodeFee, 'the honest node is paid');
    // The committee shares its fee.
    for (const id of freshIds) assert.equal(await earned(id), nodeFee, `committee node ${id} is paid`);

    // The requester: only the owner's price and the request's fee are gone.
    assert.equal((await api.query.balances.holds(requester.address)).length, 0, 'no escrow left');
    const refunded = events.find((e) => e.method === 'RequesterRefunded');
    assert.equal(refunded.data.amount.toBigInt(), BigInt(job.nodeFee));
    const requestFees = (await (await api.at(request.blockHash)).query.system.events())
      .filter(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event) &&
        event.data.who.toString() === requester.address);
    const fee = requestFees.reduce((sum, { event }) => sum + event.data.actualFee.toBigInt(), 0n);
    assert.equal(await free(requester), requesterBefore - BigInt(job.price) - fee, 'the requester is made whole');

    // The challenger: its bond back and half of what the colluders lost, less the transaction fee.
    assert.equal((await api.query.balances.holds(challenger.address)).length, 0, 'the bond is released');
    const paid = events.find((e) => e.method === 'ChallengerPaid');
    assert.equal(paid.data.bond.toBigInt(), UNIT);
    assert.equal(paid.data.reward.toBigInt(), slashed / 2n);
    assert.ok(slashed > 0n);
    assert.equal(await free(challenger), challengerBefore - feePaid(api, challengeEvents) + slashed / 2n,
      'the challenger is made whole and rewarded');
    assert.ok(events.some((e) => e.method === 'DisputeResolved' && e.data.verdict.isOverturned));
  });
});
