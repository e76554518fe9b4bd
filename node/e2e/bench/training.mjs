// Training rounds on real nodes (see BENCHMARKS.md): wall time and blocks from the block that
// opens a round to the one that publishes its version, where the time goes (each phase), and
// the bytes a round puts on chain, with 4 (and, with `ROUND_NODES=4,8`, 8) worker nodes on this
// machine, each with its own non-IID Fashion-MNIST shard, on the 784-256-128-10 MLP.
//
// Run with `make bench` or `node bench/training.mjs`; prints figures, asserts nothing.

import { tempDir } from '../lib/node.mjs';
import { openRound, roundSpec, startTrainingNetwork } from '../lib/training.mjs';
import { report } from './common.mjs';

const COUNTS = (process.env.ROUND_NODES ?? '4').split(',').map(Number);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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
    report(`round, ${count} participants: open → published`, total.toFixed(1), 's', `${last.block - openedAt} blocks`);
    for (const p of phases) {
      report(`  ${p.name}`, p.seconds.toFixed(1), 's', `${p.blocks} blocks`);
    }
    const result = (await api.rpc.rounds.result(round)).toJSON();
    const updates = record.participants.length * result.weightsSize;
    report(`  bytes on chain: updates (${record.participants.length} × ${result.weightsSize})`, updates, 'B');
    report('  bytes on chain: the new weights', result.weightsSize, 'B');
    report('  bytes on chain per participant', Math.round((updates + result.weightsSize) / record.participants.length), 'B');
    report('  validation accuracy, base → new', `${(result.baseEvaluation.accuracyPpb / 1e7).toFixed(1)} → ${(result.evaluation.accuracyPpb / 1e7).toFixed(1)}`, '%');
  } finally {
    await network.stop();
    work.cleanup();
  }
}
process.exit(0);
