// The explorer (issue 15): the page a node serves (`--explorer-port`), driven in headless
// Chromium (Debian's package) with playwright-core, against a real network of four compute nodes
// with a three-generation lineage: a base model; a federated training round on it and a
// fine-tune of it; a merge of the two. A paid inference job runs beside it. Also the JSON-RPC
// methods behind the network view (`nodes_*`, `rewards_status`, `jobs_recent`, `rounds_recent`).
//
// The test saves screenshots of each view in `$CARGO_TARGET_DIR/explorer-screenshots/`.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { blake2AsHex } from '@polkadot/util-crypto';
import { devKeyring, submitFinalized } from '../lib/api.mjs';
import { canonicalConfig, eventField, requestInference, testImages, waitClosed } from '../lib/inference.mjs';
import { TARGET_DIR, tempDir } from '../lib/node.mjs';
import { openRound, roundSpec, startTrainingNetwork, waitPhase } from '../lib/training.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(TARGET_DIR, 'explorer-screenshots');
const CHAIN = 40;

describe('the explorer', { timeout: 900_000 }, () => {
  const work = tempDir('swarm-e2e-explorer-');
  let network, api, nodes, modelOwner, base, round, federated, finetuned, merged, job, browser;

  before(async () => {
    let validation;
    ({ network, api, nodes, modelOwner, base, validation } =
      await startTrainingNetwork(work.dir, { limit: 8_000, validation: 200 }));
    // Generation 2: a federated round on the base, and a fine-tune of it. A tolerance of 10 points:
    // one round of non-IID FedAvg on 2,000 images a node does not improve the base in every run,
    // and this test needs the round's version in the lineage, not a better one.
    round = await openRound(api, modelOwner, roundSpec(base.version, validation, {
      participants: [3, 4], maxSamples: 2_000, tolerancePpb: 100_000_000
    }));
    const config = canonicalConfig('mlp');
    const publish = async (parents, seed) => {
      const tx = api.tx.modelRegistry.publishVersion(base.model, blake2AsHex(`explorer ${seed}`), 1_000,
        { Inline: config }, [['accuracy', 800_000_000 + seed]], parents);
      const { events } = await submitFinalized(api, tx, modelOwner);
      return eventField(events, api.events.modelRegistry.VersionPublished, 'version');
    };
    finetuned = await publish([[base.version, 'Finetune']], 1);
    const record = await waitPhase(api, round, [], { timeoutMs: 400_000 });
    assert.equal(record.phase.name, 'paid', JSON.stringify(record.phase));
    assert.equal(record.phase.end, 'published', JSON.stringify(record.phase));
    federated = record.phase.version;
    // Generation 3: a merge of the round's version and the fine-tune.
    merged = await publish([[federated, 'Merge'], [finetuned, 'Merge']], 2);
    // Below the merge, a chain of CHAIN fine-tunes, each of the one before (ids are given in order).
    await submitFinalized(api, api.tx.utility.batchAll(Array.from({ length: CHAIN }, (_, i) =>
      api.tx.modelRegistry.publishVersion(base.model, blake2AsHex(`chain ${i}`), 1_000, { Inline: config }, [],
        [[merged + i, 'Finetune']]))), modelOwner);
    // A paid inference job on the base.
    const { bob } = await devKeyring();
    const { pixels } = testImages(0, 2);
    const request = await requestInference(api, bob, { version: base.version, pixels, samples: 2, replicas: 3 });
    job = request.job;
    assert.equal((await waitClosed(api, job, { timeoutMs: 180_000 })).phase.name, 'paid');

    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']
    });
  });

  after(async () => {
    await browser?.close();
    await network?.stop();
    work.cleanup();
  });

  /** A new page on the validator's explorer at `hash`, collecting console errors and failed requests. */
  async function open (hash) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    await page.goto(`${network.nodes[0].explorerUrl}${hash}`);
    return { page, problems };
  }

  const versionNode = (version) => `svg#graph g.node[data-version="${version}"]`;

  test('the JSON-RPC methods behind the network view', async () => {
    const listed = (await api.rpc.nodes.list()).toJSON().nodes;
    assert.deepEqual(listed.map((n) => n.id), [...nodes].sort((a, b) => a - b));
    for (const node of listed) {
      assert.equal(node.status.name, 'active', JSON.stringify(node));
      assert.match(node.peerId, /^12D3Koo/);
      assert.ok(BigInt(node.bond) > 0n);
      assert.ok(Number(node.reputation) > 0 && Number(node.reputation) <= 1, node.reputation);
    }
    assert.ok(listed.some((n) => BigInt(n.earnings) > 0n), 'some node earned');
    assert.ok(listed.some((n) => n.jobs.includes(job)), 'a node holds the job');
    assert.ok(listed.some((n) => n.rounds.includes(round)), 'a node took part in the round');
    // The chain credits verified work: the job's agreeing seats (a quorum of its 3), the round's
    // accepted participants and its agreeing committee.
    const done = (kind) => listed.reduce((sum, n) => sum + n.workDone[kind], 0);
    assert.ok(done('jobs') >= 2, JSON.stringify(listed.map((n) => n.workDone)));
    assert.ok(done('rounds') >= 1 && done('committees') >= 1, JSON.stringify(listed.map((n) => n.workDone)));
    const paged = (await api.rpc.nodes.list(listed[1].id, 1)).toJSON().nodes;
    assert.deepEqual(paged.map((n) => n.id), [listed[1].id]);
    assert.deepEqual((await api.rpc.nodes.node(listed[0].id)).toJSON(), listed[0]);
    await assert.rejects(api.rpc.nodes.node(9_999), /no compute node has id 9999/);

    const rewards = (await api.rpc.rewards.status()).toJSON();
    assert.equal(rewards.authorShare, '0.2');
    assert.ok(BigInt(rewards.minted) > 0n && BigInt(rewards.potBalance) > 0n, JSON.stringify(rewards));

    const jobs = (await api.rpc.jobs.recent()).toJSON().jobs;
    assert.equal(jobs[0].id, job, 'the newest job first');
    assert.equal(jobs[0].phase.name, 'paid');
    assert.deepEqual((await api.rpc.jobs.recent(0)).toJSON().jobs, []);
    const rounds = (await api.rpc.rounds.recent(5)).toJSON().rounds;
    assert.equal(rounds[0].id, round);
    assert.equal(rounds[0].phase.version, federated);
  });

  test('the lineage view draws the graph, opens a parent and highlights a path', async () => {
    const { page, problems } = await open(`#/version/${merged}`);
    await page.waitForSelector(`${versionNode(merged)}.selected`);
    for (const version of [base.version, finetuned, federated]) await page.waitForSelector(versionNode(version));
    const labels = await page.locator('svg#graph text.edge-label').allTextContents();
    for (const label of ['merge', 'finetune', 'federated round']) {
      assert.ok(labels.some((text) => text.includes(label)), `an edge labelled ${label}: ${labels}`);
    }
    await page.waitForSelector(`svg#graph g.round-node[data-round="${round}"]`);
    const rows = await page.locator('#versions tbody tr[data-version]').count();
    assert.ok(rows >= 4, `${rows} versions listed`);
    // The chain below the merge is folded into one node, which opens on a click.
    const folded = page.locator('svg#graph g.collapsed');
    await folded.first().waitFor();
    const drawn = await page.locator('svg#graph g.node').count();
    assert.ok(drawn < CHAIN, `${drawn} versions drawn with the chain folded`);
    await folded.first().click();
    await page.waitForFunction((n) => document.querySelectorAll('svg#graph g.node').length > n, drawn);
    const card = page.locator('#card-download');
    await card.waitFor();
    assert.equal(await card.getAttribute('download'), 'README.md');
    assert.match(await card.getAttribute('href'), /^blob:/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lineage.png'), fullPage: true });

    // Clicking a parent opens it.
    await page.locator(versionNode(finetuned)).click();
    await page.waitForFunction((v) => location.hash === `#/version/${v}`, finetuned);
    await page.waitForSelector(`${versionNode(finetuned)}.selected`);
    await page.waitForFunction((v) => document.querySelector('#version-details')?.textContent.includes(`v${v}`),
      (await api.rpc.models.version(String(finetuned))).toJSON().number);

    // The path from the merge back to the base.
    await page.goto(`${network.nodes[0].explorerUrl}#/version/${merged}`);
    await page.waitForSelector(`${versionNode(merged)}.selected`);
    await page.fill('#path-to', String(base.version));
    await page.click('#path-go');
    await page.waitForSelector(`${versionNode(base.version)}.on-path`);
    const onPath = await page.locator('svg#graph g.node.on-path').evaluateAll(
      (elements) => elements.map((e) => Number(e.dataset.version)));
    const expected = (await api.rpc.models.path(String(merged), String(base.version))).toJSON();
    const steps = new Set(expected.steps.flatMap((s) => [s.parent, s.child]));
    assert.deepEqual(new Set(onPath), steps, 'the highlighted versions are the path models_path gives');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'path.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no console errors');
    await page.close();
  });

  test('the network view lists the compute nodes, the pot and a settled job', async () => {
    const { page, problems } = await open('#/network');
    for (const node of nodes) await page.waitForSelector(`#nodes tbody tr[data-node="${node}"]`);
    // The view shows the finalized state, a block or two behind the best block that paid the job.
    await page.waitForFunction((j) => document.querySelector(`#jobs tbody tr[data-job="${j}"] td.phase`)
      ?.textContent.trim() === 'paid', job, { timeout: 30_000 });
    await page.waitForSelector(`#rounds tbody tr[data-round="${round}"]`);
    const workDone = await page.locator('#nodes td.work-done').allTextContents();
    assert.ok(workDone.every((text) => /^\d+ jobs? · \d+ rounds? · \d+ committees?$/.test(text)), workDone.join(' | '));
    assert.ok(workDone.some((text) => /^[1-9]\d* jobs?/.test(text)), workDone.join(' | '));
    assert.match(await page.locator('#pot').textContent(), /SWARM/);
    // Live: the finalized head moves on.
    const number = '#chain-head [data-field="number"]';
    await page.waitForFunction((selector) => /#\d+/.test(document.querySelector(selector)?.textContent ?? ''), number);
    const first = Number((await page.locator(number).textContent()).slice(1));
    await page.waitForFunction(([selector, n]) => Number(document.querySelector(selector).textContent.slice(1)) > n,
      [number, first], { timeout: 30_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'network.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no console errors');
    await page.close();
  });
});
