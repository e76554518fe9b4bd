// P6: inference jobs from request to settlement, on real nodes (see BENCHMARKS.md).
//
// - Latency, k = 1 (one dev node) and k = 3 (the dev validator and two full nodes, each a
//   registered worker): blocks and seconds from the block that includes the request to the block
//   with its `JobSettled` event, and to that block's finality; the MLP on 8 test images.
// - Load: many single-replica requests in flight at once on the three workers: jobs settled per
//   block, the block interval meanwhile (the chain's 3 s), and the engine's busy share of it.
// - Disputes: a settled k = 1 job challenged, re-executed by a committee of the two other
//   workers: blocks and seconds from the block that includes the challenge to the block with its
//   `DisputeResolved`, and what a dispute costs the challenger against what the job cost.
//
// Run with `make bench` or `node bench/inference.mjs`; prints figures, asserts nothing.

import path from 'node:path';
import { devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';
import {
  canonicalConfig, publishModel, registerWorkers, startWorkerNetwork, testImages, trainMlp
} from '../lib/inference.mjs';
import { tempDir } from '../lib/node.mjs';
import { sendAll } from '../lib/weights.mjs';
import { quantile, report } from './common.mjs';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';

const SAMPLES = 8;
const ROUNDS = Number(process.env.P6_ROUNDS ?? 5);
const LOAD_JOBS = Number(process.env.P6_LOAD_JOBS ?? 30);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const work = tempDir('swarm-bench-model-');
const weights = trainMlp(path.join(work.dir, 'mlp.safetensors'));
const accounts = await devKeyring();
const keyring = new Keyring({ type: 'sr25519' });

/** A network of `count` workers with the model published; returns it and the version. */
async function setUp (count) {
  const network = await startWorkerNetwork(count, { extraArgs: ['--pool-limit', '20000'] });
  const { api } = network;
  const owner = keyring.addFromUri('//BenchOwner');
  await submitFinalized(api, api.tx.balances.transferKeepAlive(owner.address, 1_000n * UNIT), accounts.alice);
  const [{ version }] = await Promise.all([
    publishModel(api, owner, { name: 'bench-mlp', weights, config: canonicalConfig('mlp'), price: UNIT / 100n }),
    registerWorkers(network, [accounts.bob, accounts.charlie, accounts.dave].slice(0, count))
  ]);
  return { network, version };
}

/**
 * The block (number, hash) holding the first event of `job` named in `methods`, and the event's
 * name, scanning forward from `from`.
 */
async function findEvent (api, from, job, methods) {
  for (let n = from; n < from + 200; n++) {
    while ((await api.rpc.chain.getHeader()).number.toNumber() < n) await sleep(100);
    const hash = await api.rpc.chain.getBlockHash(n);
    const events = await (await api.at(hash)).query.system.events();
    const found = events.find(({ event }) => event.section === 'inference' && methods.includes(event.method) &&
      event.data.job.toNumber() === job);
    if (found) return { number: n, hash, method: found.event.method };
  }
  throw new Error(`no ${methods.join(' or ')} of job ${job} in the 200 blocks from ${from}`);
}

const blockTime = async (api, hash) => (await (await api.at(hash)).query.timestamp.now()).toNumber();

/** One request of `replicas` replicas: blocks and milliseconds to settlement and to finality. */
async function measureOne (api, version, replicas, requester) {
  const quote = (await api.rpc.jobs.quote(version, replicas)).toJSON();
  const { pixels } = testImages(0, SAMPLES);
  const input = { Inline: { samples: SAMPLES, data: u8aToHex(pixels) } };
  const { events, blockHash } = await submitFinalized(api,
    api.tx.inference.request(version, input, replicas, quote.total), requester, { inBlock: true });
  const job = events.find(({ event }) => api.events.inference.JobRequested.is(event)).event.data.job.toNumber();
  const requested = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
  const settled = await findEvent(api, requested, job, ['JobSettled']);
  while ((await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber() < settled.number) {
    await sleep(100);
  }
  const finalizedAt = Date.now();
  const [t0, t1] = await Promise.all([blockTime(api, blockHash), blockTime(api, settled.hash)]);
  return { blocks: settled.number - requested, settleMs: t1 - t0, finalMs: finalizedAt - t0 };
}

async function latency (count, replicas) {
  const { network, version } = await setUp(count);
  try {
    const runs = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await measureOne(network.api, version, replicas, accounts.eve));
    const stat = (key) => `${quantile(runs.map((r) => r[key]), 0)} / ${quantile(runs.map((r) => r[key]), 0.5)} / ${quantile(runs.map((r) => r[key]), 1)}`;
    report(`P6 k=${replicas}: blocks request → settled (min/med/max)`, stat('blocks'), 'blocks', `${ROUNDS} jobs, ${SAMPLES} images`);
    report(`P6 k=${replicas}: seconds request → settled (min/med/max)`, stat('settleMs'), 'ms', 'block timestamps');
    report(`P6 k=${replicas}: seconds request → finalized (min/med/max)`, stat('finalMs'), 'ms', 'request block timestamp to the client seeing finality');
  } finally {
    await network.stop();
  }
}

/** The sum of `swarm_worker_task_seconds` over a node's Prometheus endpoint. */
async function engineSeconds (node) {
  const text = await (await fetch(`http://127.0.0.1:${node.prometheusPort}/metrics`)).text();
  const match = text.match(/^(?:substrate_)?swarm_worker_task_seconds_sum\{[^}]*\} ([0-9.e+-]+)$/m);
  return match ? Number(match[1]) : 0;
}

async function load () {
  const { network, version } = await setUp(3);
  const { api } = network;
  try {
    const quote = (await api.rpc.jobs.quote(version, 1)).toJSON();
    const { pixels } = testImages(0, SAMPLES);
    const input = { Inline: { samples: SAMPLES, data: u8aToHex(pixels) } };
    const busyBefore = await Promise.all(network.nodes.map(engineSeconds));
    const first = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
    // Three requesters, a third of the jobs each, all sent at once.
    const requesters = [accounts.eve, accounts.ferdie, accounts.alice];
    const per = Math.ceil(LOAD_JOBS / requesters.length);
    const results = (await Promise.all(requesters.map((who) => sendAll(api,
      Array.from({ length: per }, () => api.tx.inference.request(version, input, 1, quote.total)), who)))).flat();
    const jobs = results.flatMap(({ events }) => events.filter(({ event }) => api.events.inference.JobRequested.is(event))
      .map(({ event }) => event.data.job.toNumber()));
    let last = first;
    let failed = 0;
    for (const job of jobs) {
      const end = await findEvent(api, first, job, ['JobSettled', 'JobFailed']);
      last = Math.max(last, end.number);
      if (end.method === 'JobFailed') failed++;
    }
    const [t0, t1] = await Promise.all([blockTime(api, await api.rpc.chain.getBlockHash(first - 1)),
      blockTime(api, await api.rpc.chain.getBlockHash(last))]);
    const busyAfter = await Promise.all(network.nodes.map(engineSeconds));
    const busy = busyAfter.reduce((sum, s, i) => sum + s - busyBefore[i], 0);
    const span = last - first + 1;
    report('P6 load: jobs requested at once (k=1, 3 workers)', jobs.length, 'jobs', `${SAMPLES} images each`);
    report('P6 load: jobs that failed (no commit in time)', failed, 'jobs');
    report('P6 load: blocks from the first request to the last settlement', span, 'blocks');
    report('P6 load: jobs closed per block', (jobs.length / span).toFixed(2), 'jobs/block');
    report('P6 load: mean block interval meanwhile', ((t1 - t0) / span / 1000).toFixed(2), 's', 'target 3 s');
    report('P6 load: engine busy share of each worker\'s time', `${(100 * busy / 3 / ((t1 - t0) / 1000)).toFixed(2)}`, '%');
  } finally {
    await network.stop();
  }
}

/** The transaction fee in `events` (those of one extrinsic). */
const feeOf = (api, events) => events
  .filter(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event))
  .reduce((sum, { event }) => sum + event.data.actualFee.toBigInt(), 0n);

async function disputes () {
  const { network, version } = await setUp(3);
  const { api } = network;
  try {
    const timing = (await api.query.inference.jobTiming()).toJSON();
    await submitFinalized(api, api.tx.sudo.sudo(api.tx.utility.batchAll([
      api.tx.inference.setTiming({ ...timing, challengeWindow: 20 }),
      api.tx.inference.setDisputeTerms({ bond: UNIT, replicas: 2 })
    ])), accounts.alice);
    const quote = (await api.rpc.jobs.quote(version, 1)).toJSON();
    const { pixels } = testImages(0, SAMPLES);
    const input = { Inline: { samples: SAMPLES, data: u8aToHex(pixels) } };
    const runs = [];
    for (let i = 0; i < ROUNDS; i++) {
      const requested = await submitFinalized(api, api.tx.inference.request(version, input, 1, quote.total),
        accounts.eve, { inBlock: true });
      const job = requested.events.find(({ event }) => api.events.inference.JobRequested.is(event)).event.data.job.toNumber();
      const from = (await api.rpc.chain.getHeader(requested.blockHash)).number.toNumber();
      await findEvent(api, from, job, ['JobSettled']);
      // Ferdie owns no node: any account may challenge.
      const challenged = await submitFinalized(api, api.tx.inference.challenge(job, null), accounts.ferdie, { inBlock: true });
      const at = (await api.rpc.chain.getHeader(challenged.blockHash)).number.toNumber();
      const resolved = await findEvent(api, at, job, ['DisputeResolved']);
      const [t0, t1] = await Promise.all([blockTime(api, challenged.blockHash), blockTime(api, resolved.hash)]);
      runs.push({
        blocks: resolved.number - at,
        ms: t1 - t0,
        challengeFee: feeOf(api, challenged.events),
        jobCost: feeOf(api, requested.events) + BigInt(quote.total)
      });
    }
    const stat = (key) => `${quantile(runs.map((r) => r[key]), 0)} / ${quantile(runs.map((r) => r[key]), 0.5)} / ${quantile(runs.map((r) => r[key]), 1)}`;
    const swarm = (planck) => `${(Number(planck) / Number(UNIT)).toFixed(4)} SWARM`;
    const committeeFee = api.consts.inference.nodeFee.toBigInt() * 2n;
    report('P13 dispute (k=1, committee of 2): blocks challenge → resolved (min/med/max)', stat('blocks'), 'blocks', `${ROUNDS} disputes, ${SAMPLES} images`);
    report('P13 dispute: seconds challenge → resolved (min/med/max)', stat('ms'), 'ms', 'block timestamps');
    report('P13 dispute: the job\'s cost (request fee + price + node fee)', swarm(runs[0].jobCost), '');
    report('P13 dispute: the challenge transaction\'s fee', swarm(runs[0].challengeFee), '');
    report('P13 dispute: bond forfeited when the result stands (pays the committee ' + swarm(committeeFee) + ')', swarm(UNIT), '');
  } finally {
    await network.stop();
  }
}

const only = process.env.P6_ONLY;
try {
  if (!only || only === 'latency') {
    await latency(1, 1);
    await latency(3, 3);
  }
  if (!only || only === 'load') await load();
  if (!only || only === 'disputes') await disputes();
} finally {
  work.cleanup();
}
process.exit(0);
