// A training round's result challenged and overturned end to end, on a network of four nodes on
// this machine (the dev validator and three full nodes, each with its own worker key, offchain
// workers and ML executor) and two compute nodes whose worker keys this test holds (the
// colluders: clients sending transactions, nothing in any node).
//
// 1. The validator's worker (with a Fashion-MNIST shard as its training data) and the two
//    colluders are the only eligible nodes: the validator's worker is the round's one
//    participant, and the three are its committee. The colluders commit to and reveal one
//    made-up result (other weights, whose accuracy they overstate), and one of them stores those
//    weights; the honest member reveals the engine's aggregation. Two of three agree: the round
//    publishes the colluders' version, its payments held for the challenge window.
// 2. The other three nodes register once the committee is chosen, so they take no part in the
//    round. A challenger (any account) places the bond; the three are the dispute committee.
//    Their offchain workers re-run the aggregation and evaluation over the revealed update (the
//    participant's training is not re-run: its data is private) and commit and reveal.
// 3. They agree on the engine's result: the result is overturned. The colluders lose half their
//    bonds and are jailed; the published version is marked overturned and the corrected one is
//    published with the same lineage; the honest member and the participant are paid; the
//    challenger gets its bond back and a reward from the slashed bonds.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { blake2AsU8a, randomAsU8a } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';
import {
  canonicalConfig, eventsOf, feePaid, nodeEarned, nodeInfo as nodeInfoOf, peerIdOf, publishModel,
  registerHonestAndColluders, registerNodeWorker, startWorkerNetwork, submitGeneral, trainMlp
} from '../lib/inference.mjs';
import { tempDir } from '../lib/node.mjs';
import {
  openRound, roundCommitment, roundCommitPayload, roundResultHash, roundRevealPayload, roundSpec,
  roundStorePayload, splitShards, storeValidation, waitPhase
} from '../lib/training.mjs';

describe('a colluding committee majority is caught by a challenge', { timeout: 900_000 }, () => {
  const work = tempDir('swarm-e2e-round-dispute-');
  let network, api, keyring, genesis, split;
  let alice, bob, charlie, dave, eve, ferdie;
  let modelOwner, challenger, base, baseFile, validation;

  before(async () => {
    ({ alice, bob, charlie, dave, eve, ferdie } = await devKeyring());
    keyring = new Keyring({ type: 'sr25519' });
    // One shard, for the validator's worker: the round's only participant.
    split = splitShards(path.join(work.dir, 'shards'), { nodes: 1, limit: 4_000, validation: 200 });
    network = await startWorkerNetwork(4, {
      extraArgs: ['--ml-threads', '1'],
      nodeArgs: (i) => (i === 0 ? ['--training-data', split.shards[0]] : [])
    });
    api = network.api;
    genesis = (await api.rpc.chain.getBlockHash(0)).toHex();
    modelOwner = keyring.addFromUri('//DisputedRoundModelOwner');
    challenger = keyring.addFromUri('//RoundChallenger');
    await submitFinalized(api, api.tx.utility.batchAll([modelOwner, challenger].map((who) =>
      api.tx.balances.transferKeepAlive(who.address, 1_000n * UNIT))), alice);
    // A challenge window of 30 blocks (root may set it), so that the test challenges in time
    // even on a loaded machine; dispute committees of three.
    const timing = (await api.query.training.roundTiming()).toJSON();
    await submitFinalized(api, api.tx.sudo.sudo(api.tx.utility.batchAll([
      api.tx.training.setTiming({ ...timing, challengeWindow: 30 }),
      api.tx.training.setDisputeTerms({ bond: UNIT, replicas: 3 })
    ])), alice);
    baseFile = path.join(work.dir, 'base.safetensors');
    base = await publishModel(api, modelOwner, {
      name: `disputed-round-mlp-${Date.now()}`, weights: trainMlp(baseFile, { limit: 1_000 }),
      config: canonicalConfig('mlp'), price: UNIT / 100n
    });
    validation = await storeValidation(api, modelOwner, split.validation, 200);
  });

  after(async () => {
    await network?.stop();
    work.cleanup();
  });

  const free = async (who) => (await api.query.system.account(who.address)).data.free.toBigInt();
  const nodeInfo = (id) => nodeInfoOf(api, id);
  const earned = (id) => nodeEarned(api, id);

  test('the round publishes the colluders\' version; a fresh committee overturns it', async () => {
    const colluders = [keyring.addFromUri('//RoundColluder1//worker'), keyring.addFromUri('//RoundColluder2//worker')];
    const { honestId, colluderIds } = await registerHonestAndColluders(network, bob, colluders, [ferdie, dave]);
    const bondsBefore = await Promise.all(colluderIds.map(async (id) => (await nodeInfo(id)).bond.toBigInt()));
    const honestBond = (await nodeInfo(honestId)).bond.toBigInt();
    const honestEarned = await earned(honestId);
    const openedAt = (await api.rpc.chain.getHeader()).number.toNumber();

    // 1. One participant (the honest node), a committee of three; a tolerance of 10 points, so
    // that the corrected result is published however one participant's epoch does.
    const round = await openRound(api, modelOwner, roundSpec(base.version, validation,
      { participants: [1, 1], maxSamples: 4_000, tolerancePpb: 100_000_000 }));
    let record = await waitPhase(api, round, ['commit'], { timeoutMs: 300_000 });
    assert.equal(record.phase.name, 'commit', JSON.stringify(record.phase));
    assert.deepEqual(record.participants.map((p) => p.node), [honestId]);
    assert.deepEqual(record.committee.map((m) => m.node).sort(), [honestId, ...colluderIds].sort(),
      'the honest node and the colluders are the committee');

    // The other three register now: they take no part in the round.
    const fresh = Promise.all([charlie, eve, alice].map(async (who, i) =>
      registerNodeWorker(api, network.apis[i + 1], who, await peerIdOf(network, i + 1))));

    // The colluders' result: the base with one value changed, said to score 99 %.
    const baseBytes = new Uint8Array(readFileSync(baseFile));
    const wrongWeights = new Uint8Array(baseBytes);
    wrongWeights[wrongWeights.length - 1] ^= 1;
    const wrong = {
      weights: { hash: blake2AsU8a(wrongWeights, 256), size: wrongWeights.length, evaluation: { accuracy: 990_000_000, loss: 1_000 } },
      base: { accuracy: 500_000_000, loss: 2_000_000 },
      verdicts: ['Accepted']
    };
    const wrongHash = roundResultHash(api, wrong);
    const task = { result: round };
    const salts = colluders.map(() => randomAsU8a(32));
    for (const [i, pair] of colluders.entries()) {
      const c = roundCommitment(task, colluderIds[i], wrongHash, salts[i]);
      await submitGeneral(api, api.tx.training.commitResult(round, colluderIds[i], c,
        u8aToHex(pair.sign(roundCommitPayload(genesis, task, colluderIds[i], c)))));
    }
    record = await waitPhase(api, round, ['reveal', 'publish', 'settled'], { timeoutMs: 90_000 });
    assert.equal(record.phase.name, 'reveal', JSON.stringify(record.phase));
    for (const [i, pair] of colluders.entries()) {
      await submitGeneral(api, api.tx.training.revealResult(round, colluderIds[i], wrong, salts[i],
        u8aToHex(pair.sign(roundRevealPayload(genesis, task, colluderIds[i], wrongHash, salts[i])))));
    }
    record = await waitPhase(api, round, ['publish', 'settled'], { timeoutMs: 90_000 });
    assert.equal(record.phase.name, 'publish', JSON.stringify(record.phase));
    assert.equal(record.phase.result, u8aToHex(wrongHash), 'the colluders\' result won the vote');
    await submitGeneral(api, api.tx.training.uploadResult(round, colluderIds[0],
      u8aToHex(colluders[0].sign(roundStorePayload(genesis, round, colluderIds[0], blake2AsU8a(wrongWeights, 256)))),
      u8aToHex(wrongWeights)));
    record = await waitPhase(api, round, ['settled'], { timeoutMs: 90_000 });
    assert.equal(record.phase.name, 'settled', JSON.stringify(record.phase));
    assert.equal(record.phase.end, 'published');
    const wrongVersion = record.phase.version;
    const honestResult = record.committee.find((m) => m.node === honestId).result;
    assert.ok(honestResult && honestResult !== u8aToHex(wrongHash), 'the honest member revealed another result');
    assert.equal(record.committee.find((m) => m.node === honestId).outcome, 'outvoted');

    // 2. The challenge, claiming the honest member's result.
    const terms = (await api.rpc.rounds.disputeTerms()).toJSON();
    assert.deepEqual(terms, { bond: String(UNIT), replicas: 3, committeeFee: String(3n * api.consts.training.committeeFee.toBigInt()) });
    const freshIds = await fresh;
    const challengerBefore = await free(challenger);
    const { events: challengeEvents } = await submitFinalized(api,
      api.tx.training.challenge(round, honestResult), challenger, { inBlock: true });
    const challenged = challengeEvents.find(({ event }) => api.events.training.Challenged.is(event)).event.data;
    assert.deepEqual(challenged.nodes.map((n) => n.toNumber()).sort(), [...freshIds].sort(), 'the fresh nodes re-run it');
    record = (await api.rpc.rounds.round(round)).toJSON();
    assert.equal(record.phase.name, 'disputed');
    assert.equal(record.dispute.level, 1);

    // 3. The dispute committee re-runs the aggregation and overturns the result; one of them
    // stores the corrected weights, published in place of the colluders' version.
    record = await waitPhase(api, round, [], { timeoutMs: 240_000 });
    assert.equal(record.phase.name, 'paid', JSON.stringify({ phase: record.phase, dispute: record.dispute }));
    assert.equal(record.dispute.verdict, 'overturned', JSON.stringify(record.dispute));
    assert.equal(record.dispute.corrected, honestResult);
    assert.deepEqual(record.dispute.outcomes.map((o) => o.outcome), ['agreed', 'agreed', 'agreed']);
    assert.equal(record.phase.result, honestResult);
    assert.equal(record.phase.end, 'published');
    const corrected = record.phase.version;
    assert.notEqual(corrected, wrongVersion);
    const old = (await api.rpc.models.version(wrongVersion)).toJSON();
    assert.equal(old.overturned.round, round);
    assert.equal(old.overturned.corrected, corrected);
    assert.ok(old.deprecatedAt, 'the overturned version is deprecated');
    const lineage = (await api.rpc.models.ancestors(corrected, 1)).toJSON();
    assert.deepEqual(lineage.nodes[0].parents, [{ id: base.version, derivation: 'federated_round' }]);
    const result = (await api.rpc.rounds.result(round)).toJSON();
    assert.equal(result.resultHash, honestResult);
    assert.equal((await api.rpc.models.version(corrected)).toJSON().weightsHash, result.weights);

    // Outcomes against the corrected result: the honest member agreed, the colluders outvoted.
    const outcome = Object.fromEntries(record.committee.map((m) => [m.node, m.outcome]));
    assert.equal(outcome[honestId], 'agreed');
    for (const id of colluderIds) assert.equal(outcome[id], 'outvoted');
    assert.equal(record.participants[0].outcome, 'accepted');

    // The colluders: half their bonds gone, jailed.
    const events = await eventsOf(api, 'training', 'round', round, openedAt);
    let slashed = 0n;
    for (const [i, id] of colluderIds.entries()) {
      const info = await nodeInfo(id);
      assert.equal(info.bond.toBigInt(), bondsBefore[i] - bondsBefore[i] / 2n, `node ${id} lost half its bond`);
      assert.equal(info.status.type, 'Jailed', `node ${id} is jailed`);
      const convicted = events.find((e) => e.method === 'NodeConvicted' && e.data.node.toNumber() === id);
      assert.ok(convicted, `a NodeConvicted event for node ${id}`);
      slashed += convicted.data.slashed.toBigInt();
    }
    // The honest node: its bond whole, paid as the participant and as the agreeing member.
    assert.equal((await nodeInfo(honestId)).bond.toBigInt(), honestBond, 'the honest node is not slashed');
    assert.equal((await nodeInfo(honestId)).status.type, 'Active');
    const committeeFee = BigInt(record.committeeFee);
    assert.ok(await earned(honestId) - honestEarned >= BigInt(record.budget) + committeeFee, 'the honest node is paid');
    // The dispute committee shares its fee.
    const seatFee = api.consts.training.committeeFee.toBigInt();
    for (const id of freshIds) assert.equal(await earned(id), seatFee, `dispute member ${id} is paid`);

    // The challenger: its bond back and half of what the colluders lost, less the transaction fee.
    assert.equal((await api.query.balances.holds(challenger.address)).length, 0, 'the bond is released');
    const paid = events.find((e) => e.method === 'ChallengerPaid');
    assert.equal(paid.data.bond.toBigInt(), UNIT);
    assert.ok(slashed > 0n);
    assert.equal(paid.data.reward.toBigInt(), slashed / 2n);
    assert.equal(await free(challenger), challengerBefore - feePaid(api, challengeEvents) + slashed / 2n,
      'the challenger is made whole and rewarded');
    assert.ok(events.some((e) => e.method === 'VersionOverturned'));
    const escrow = (await api.query.balances.holds(modelOwner.address)).filter((h) => h.id.isTraining);
    assert.equal(escrow.length, 0, 'no round escrow left');
  });
});
