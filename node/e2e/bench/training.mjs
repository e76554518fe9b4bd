// Training rounds on real nodes (see BENCHMARKS.md): wall time and blocks from the block that
// opens a round to the one that publishes its version, where the time goes (each phase), and
// the bytes a round puts on chain, with 4 (and, with `ROUND_NODES=4,8`, 8) worker nodes on this
// machine, each with its own non-IID Fashion-MNIST shard, on the 784-256-128-10 MLP.
//
// With the first count, also P13 for rounds: `ROUND_DISPUTES` (3) rounds of one participant and
// a committee of one, each settled, challenged by an account that owns no node, and re-run by a
// dispute committee of two: blocks and seconds from the challenge to the resolution, and what a
// dispute costs against the round it checks.
//
// Run with `make bench` or `node bench/training.mjs`; prints figures, asserts nothing.

import { devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';
import { tempDir } from '../lib/node.mjs';
import { openRound, roundSpec, startTrainingNetwork, waitPhase } from '../lib/training.mjs';
import { quantile, report } from './common.mjs';

const COUNTS = (process.env.ROUND_NODES ?? '4').split(',').map(Number);
const DISPUTES = Number(process.env.ROUND_DISPUTES ?? 3);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const blockTime = async (api, hash) => (await (await api.at(hash)).query.timestamp.now()).toNumber();
const swarm = (planck) => `${(Number(planck) / Number(UNIT)).toFixed(4)} SWARM`;
const feeOf = (api, events) => events
  .filter(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event))
  .reduce((sum, { event }) => sum + event.data.actualFee.toBigInt(), 0n);

/** P13 for rounds on the running network (each node can be a participant, member or re-runner). */
async function disputes (api, base, modelOwner, validation) {
  const { alice, ferdie } = await devKeyring();
  const timing = (await api.query.training.roundTiming()).toJSON();
  await submitFinalized(api, api.tx.sudo.sudo(api.tx.utility.batchAll([
    api.tx.training.setTiming({ ...timing, challengeWindow: 20 }),
    api.tx.training.setDisputeTerms({ bond: UNIT, replicas: 2 })
  ])), alice);
  const runs = [];
  for (let i = 0; i < DISPUTES; i++) {
    const spec = { ...roundSpec(base.version, validation, { participants: [1, 1] }), committee: 1 };
    const round = await openRound(api, modelOwner, spec);
    const settled = await waitPhase(api, round, ['settled'], { timeoutMs: 300_000 });
    if (settled.phase.name !== 'settled') throw new Error(`round ${round}: ${JSON.stringify(settled.phase)}`);
    const challenged = await submitFinalized(api, api.tx.training.challenge(round, null), ferdie, { inBlock: true });
    const record = await waitPhase(api, round, [], { timeoutMs: 300_000 });
    if (record.dispute?.verdict !== 'confirmed') throw new Error(`round ${round}: ${JSON.stringify(record.dispute)}`);
    const at = (await api.rpc.chain.getHeader(challenged.blockHash)).number.toNumber();
    const resolvedHash = await api.rpc.chain.getBlockHash(record.dispute.resolvedAt);
    const [t0, t1] = await Promise.all([blockTime(api, challenged.blockHash), blockTime(api, resolvedHash)]);
    runs.push({
      blocks: record.dispute.resolvedAt - at,
      ms: t1 - t0,
      challengeFee: feeOf(api, challenged.events),
      roundCost: BigInt(spec.budget) + BigInt(record.committeeFee)
    });
  }
  const stat = (key) => `${quantile(runs.map((r) => r[key]), 0)} / ${quantile(runs.map((r) => r[key]), 0.5)} / ${quantile(runs.map((r) => r[key]), 1)}`;
  const committeeFee = api.consts.training.committeeFee.toBigInt() * 2n;
  report('P13 round dispute (k=1, committee of 2): blocks challenge → resolved (min/med/max)', stat('blocks'), 'blocks', `${DISPUTES} disputes`);
  report('P13 round dispute: seconds challenge → resolved (min/med/max)', stat('ms'), 'ms', 'block timestamps');
  report('P13 round dispute: the round\'s cost (budget + committee fee)', swarm(runs[0].roundCost), '');
  report('P13 round dispute: the challenge transaction\'s fee', swarm(runs[0].challengeFee), '');
  report('P13 round dispute: bond forfeited when the result stands (pays the committee ' + swarm(committeeFee) + ')', swarm(UNIT), '');
}

for (const count of COUNTS) {
  const work = tempDir('swarm-bench-round-');
  const { network, api, base, modelOwner, validation } = await startTrainingNetwork(work.dir, {
    count, limit: 2_000 * count
  });
  try {
    const opened = Date.now();
    const round = await openRound(api, modelOwner, roundSpec(base.version, validation, { participants: [count, count] }));
    const openedAt = (await api.rpc.rounds.round(round)).toJSON().openedAt;
    const phases = [];
    let last = { name: 'join', at: opened, block: openedAt };
    let record;
    for (;;) {
      record = (await api.rpc.rounds.round(round)).toJSON();
      if (record.phase.name !== last.name) {
        const block = (await api.rpc.chain.getHeader()).number.toNumber();
        phases.push({ name: last.name, seconds: (Date.now() - last.at) / 1000, blocks: block - last.block });
        last = { name: record.phase.name, at: Date.now(), block };
      }
      if (['paid', 'failed'].includes(record.phase.name)) break;
      await sleep(200);
    }
    if (record.phase.name === 'failed') throw new Error(`round ${round} failed: ${record.phase.reason}`);
    const total = (Date.now() - opened) / 1000;
    report(`round, ${count} participants: open → paid`, total.toFixed(1), 's', `${last.block - openedAt} blocks, the challenge window (settled) included`);
    for (const p of phases) {
      report(`  ${p.name}`, p.seconds.toFixed(1), 's', `${p.blocks} blocks`);
    }
    const result = (await api.rpc.rounds.result(round)).toJSON();
    const updates = record.participants.length * result.weightsSize;
    report(`  bytes on chain: updates (${record.participants.length} × ${result.weightsSize})`, updates, 'B');
    report('  bytes on chain: the new weights', result.weightsSize, 'B');
    report('  bytes on chain per participant', Math.round((updates + result.weightsSize) / record.participants.length), 'B');
    report('  validation accuracy, base → new', `${(result.baseEvaluation.accuracyPpb / 1e7).toFixed(1)} → ${(result.evaluation.accuracyPpb / 1e7).toFixed(1)}`, '%');
    if (count === COUNTS[0] && DISPUTES > 0) await disputes(api, base, modelOwner, validation);
  } finally {
    await network.stop();
    work.cleanup();
  }
}
process.exit(0);
