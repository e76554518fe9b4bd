// P3 on chain (see BENCHMARKS.md): a campaign of 10 federated rounds on real nodes, 4 worker
// nodes each holding a Dirichlet(α = 0.5) shard of Fashion-MNIST's 60,000 training images,
// against centralised training of the same base on all of them for the same number of epochs
// (`swarm-ml train`). Both are evaluated on the first 10,000 test images: the chain's figure is
// the committee's agreed accuracy on the round's validation set, stored with the version.
//
// The rounds train as the engine's P3 simulation does (1 local epoch of SGD, learning rate
// 0.05, momentum 0.9, batch 64), with FedAvg, and server momentum (FedAvgM) unless
// `P3_SERVER=none`; `P3_SERVER=LR,MOMENTUM` sets its factors (default 1,0.7: the best of the
// engine's simulation, BENCHMARKS.md). `P3_ROUNDS`, `P3_LIMIT` and `P3_VALIDATION` shrink the
// run.
//
// Run with `node bench/p3.mjs` (about 5 minutes on 2 cores); prints figures, asserts nothing.

import path from 'node:path';
import { tempDir } from '../lib/node.mjs';
import { swarmMl } from '../lib/inference.mjs';
import { openRound, roundSpec, startTrainingNetwork, waitPhase } from '../lib/training.mjs';
import { UNIT } from '../lib/api.mjs';
import { report } from './common.mjs';

const ROUNDS = Number(process.env.P3_ROUNDS ?? 10);
const LIMIT = Number(process.env.P3_LIMIT ?? 60_000);
const VALIDATION = Number(process.env.P3_VALIDATION ?? 10_000);
const SERVER_FACTORS = process.env.P3_SERVER ?? '1,0.7';
const SERVER = SERVER_FACTORS === 'none'
  ? undefined
  : (([lr, momentum]) => ({ lr: Number(lr), momentum: Number(momentum) }))(SERVER_FACTORS.split(','));
const TRAINING = { batchSize: 64, lr: 0.05, momentum: 0.9 };

const work = tempDir('swarm-bench-p3-');
const { network, api, base, baseFile, modelOwner, validation, split } =
  await startTrainingNetwork(work.dir, { count: 4, limit: LIMIT, validation: VALIDATION });
try {
  report('shards (Dirichlet α = 0.5)', split.samples.join(' / '), 'samples');
  const spec = roundSpec(base.version, validation, {
    ...TRAINING,
    participants: [4, 4],
    maxSamples: LIMIT,
    budget: 10n * UNIT,
    // A round of non-IID FedAvg can lose a little accuracy; the campaign goes on unless it
    // loses more than 5 points.
    tolerancePpb: 50_000_000,
    rounds: ROUNDS,
    server: SERVER
  });
  const started = Date.now();
  const first = await openRound(api, modelOwner, spec);
  let accuracy = 0;
  for (let round = first; round < first + ROUNDS; round++) {
    const record = await waitPhase(api, round, ['paid'], { timeoutMs: 600_000 });
    if (record.phase.name !== 'paid') throw new Error(`round ${round} failed: ${record.phase.reason}`);
    const result = (await api.rpc.rounds.result(round)).toJSON();
    accuracy = result.evaluation.accuracyPpb / 1e9;
    report(`  round ${round - first + 1}: ${record.phase.end}, validation accuracy`,
      (100 * accuracy).toFixed(2), '%', `${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (record.phase.end !== 'published') throw new Error(`round ${round} ended ${record.phase.end}`);
  }
  const chainSeconds = (Date.now() - started) / 1000;

  const centralStarted = Date.now();
  const central = path.join(work.dir, 'central.safetensors');
  swarmMl(['train', '--model', 'mlp', '--init', baseFile, '--limit', String(LIMIT), '--epochs', String(ROUNDS),
    '--batch-size', String(TRAINING.batchSize), '--optimizer', 'sgd', '--lr', String(TRAINING.lr),
    '--momentum', String(TRAINING.momentum), '--weight-decay', '0', '--out', central, '--no-eval']);
  const evaluated = swarmMl(['eval', '--model', 'mlp', '--weights', central, '--limit', String(VALIDATION)]);
  const correct = Number(evaluated.split('\n').find((l) => l.startsWith('correct')).trim().split(/\s+/)[1]);
  const centralAccuracy = correct / VALIDATION;
  const centralSeconds = (Date.now() - centralStarted) / 1000;

  const method = SERVER ? `FedAvgM (server lr ${SERVER.lr}, momentum ${SERVER.momentum})` : 'FedAvg';
  report(`on chain, ${method}, ${ROUNDS} rounds × 1 epoch`, (100 * accuracy).toFixed(2), '%', `${chainSeconds.toFixed(0)} s`);
  report(`centralised (swarm-ml train), ${ROUNDS} epochs`, (100 * centralAccuracy).toFixed(2), '%', `${centralSeconds.toFixed(0)} s`);
  report('P3: on chain ÷ centralised', (accuracy / centralAccuracy).toFixed(3), '', 'goal ≥ 0.98');
} finally {
  await network.stop();
  work.cleanup();
}
process.exit(0);
