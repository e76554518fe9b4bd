// Workers killed with SIGKILL in the middle of work (issue 14): during a federated training round
// a participant is killed once its log shows it training, and during an inference job a seated
// worker is killed once its log shows the job handed to its model (with 4 samples the run itself
// takes milliseconds, so the kill lands between the run and the commit). Each restarts on its
// database and keystore a few seconds later. The round and the job still settle; the restarted
// node commits at most once and is paid at most once per role; no escrow stays held; and every
// pallet's invariants hold on the final state (`InvariantsApi::check`, run by the node on its own
// state: the Swarmchain pallets' `try_state` and the runtime's checks of the balances).
//
// Four nodes (the dev validator and three full nodes), each a compute node with its own shard of
// 8,000 Fashion-MNIST images; the validator is never killed (it is the chain's only author).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { devKeyring, UNIT } from '../lib/api.mjs';
import { eventsOf, requestInference, testImages, waitClosed } from '../lib/inference.mjs';
import { tempDir, waitFor } from '../lib/node.mjs';
import { openRound, roundSpec, startTrainingNetwork, waitPhase } from '../lib/training.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many events of `method` name `node` (field `node`) among `events`. */
const count = (events, method, node) =>
  events.filter((e) => e.method === method && e.data.node?.toNumber() === node).length;

describe('workers killed with SIGKILL mid-work', { timeout: 900_000 }, () => {
  const work = tempDir('swarm-e2e-kill-');
  let network, api, nodes, modelOwner, base, validation;

  before(async () => {
    ({ network, api, nodes, modelOwner, base, validation } =
      await startTrainingNetwork(work.dir, { limit: 8_000, validation: 200 }));
  });

  after(async () => {
    await network?.stop();
    work.cleanup();
  });

  /** Every pallet's invariants on the node's best state. */
  async function invariantsHold () {
    const checked = await api.call.invariantsApi.check();
    assert.ok(checked.isOk, `try_state: ${checked.isErr ? checked.asErr.toUtf8() : ''}`);
  }

  /** No hold of `pallet` (e.g. `training`) on `account`. */
  async function holdsOf (account, pallet) {
    return (await api.query.balances.holds(account)).filter((h) => Object.keys(h.id.toJSON())[0] === pallet);
  }

  test('a round settles when a participant is killed while it trains', async () => {
    const from = (await api.rpc.chain.getHeader()).number.toNumber();
    const round = await openRound(api, modelOwner, roundSpec(base.version, validation, {
      participants: [3, 4], maxSamples: 2_000
    }));
    const logFrom = network.nodes[2].log().length;
    let record = await waitPhase(api, round, ['train']);
    // Node 2 (a full node) joined: kill it once its log shows that it trains.
    const killed = 2;
    assert.ok(record.participants.some((p) => p.node === nodes[killed]), JSON.stringify(record.participants));
    await waitFor(() => network.nodes[killed].log().slice(logFrom).includes('training epoch 1/'),
      { timeoutMs: 120_000, intervalMs: 50, what: `node ${nodes[killed]} training` });
    await network.kill(killed);
    await sleep(5_000);
    await network.restart(killed);

    record = await waitPhase(api, round, [], { timeoutMs: 400_000 });
    assert.equal(record.phase.name, 'paid', JSON.stringify(record.phase));
    const events = await eventsOf(api, 'training', 'round', round, from);
    for (const node of nodes) {
      assert.ok(count(events, 'UpdateCommitted', node) <= 1, `node ${node} committed its update at most once`);
      assert.ok(count(events, 'ResultCommitted', node) <= 1, `node ${node} committed a result at most once`);
    }
    assert.equal(events.filter((e) => e.method === 'ParticipantsPaid').length, 1, 'participants paid once');
    assert.ok(events.filter((e) => e.method === 'CommitteePaid').length <= 1, 'the committee paid at most once');
    const killedOutcome = events.find((e) => e.method === 'ParticipantOutcome' && e.data.node.toNumber() === nodes[killed]);
    assert.ok(killedOutcome, 'the killed participant has an outcome');
    // A participant is paid at most twice for the round (its share of the budget, then of the
    // round's emission when the pot pays it), a committee member at most once for its seat.
    const rewards = await eventsOf(api, 'rewards', 'node', nodes[killed], from);
    const paidFor = (kind) =>
      rewards.filter((e) => e.method === 'RewardPaid' && e.data.work.toJSON()[kind] === round).length;
    const participant = record.participants.some((p) => p.node === nodes[killed]);
    const member = (record.committee ?? []).some((m) => m.node === nodes[killed]);
    const emission = events.some((e) => e.method === 'EmissionPaid');
    const asParticipant = paidFor('round');
    const asMember = paidFor('committee');
    assert.ok(asParticipant <= (participant ? (emission ? 2 : 1) : 0),
      `the killed participant was paid ${asParticipant} times for the round (emission paid: ${emission})`);
    assert.ok(asMember <= (member ? 1 : 0), `the killed node was paid ${asMember} times for its committee seat`);
    assert.deepEqual(await holdsOf(modelOwner.address, 'training'), [], 'no round escrow is left');
    await invariantsHold();
  });

  test('a job settles when a seated worker is killed while it runs the model', async () => {
    const { bob } = await devKeyring();
    const { pixels } = testImages(0, 4);
    const request = await requestInference(api, bob, { version: base.version, pixels, samples: 4, replicas: 3 });
    // A seated full node (never the validator): kill it once its log shows the job handed to its model.
    const killed = [1, 2, 3].find((i) => request.nodes.includes(nodes[i]));
    assert.ok(killed !== undefined, `a full node is seated: ${request.nodes}`);
    await waitFor(() => network.nodes[killed].log().includes(`job ${request.job}: node ${nodes[killed]} runs version`),
      { timeoutMs: 60_000, intervalMs: 50, what: `node ${nodes[killed]} running job ${request.job}` });
    await network.kill(killed);
    await sleep(3_000);
    await network.restart(killed);

    const job = await waitClosed(api, request.job, { timeoutMs: 180_000 });
    assert.equal(job.phase.name, 'paid', JSON.stringify(job.phase));
    const events = await eventsOf(api, 'inference', 'job', request.job, request.blockNumber);
    for (const node of request.nodes) {
      assert.ok(count(events, 'Committed', node) <= 1, `node ${node} committed at most once`);
      assert.ok(count(events, 'Revealed', node) <= 1, `node ${node} revealed at most once`);
    }
    assert.equal(events.filter((e) => e.method === 'NodesPaid').length, 1, 'the seats are paid once');
    const paid = (await eventsOf(api, 'rewards', 'node', nodes[killed], request.blockNumber))
      .filter((e) => e.method === 'RewardPaid' && e.data.work.toJSON().job === request.job);
    assert.ok(paid.length <= 1, `the killed node was paid ${paid.length} times`);
    assert.deepEqual(await holdsOf(bob.address, 'inference'), [], 'no job escrow is left');
    assert.ok(UNIT > 0n);
    await invariantsHold();
  });
});
