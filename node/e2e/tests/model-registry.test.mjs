// The model registry end to end: a three-generation lineage published with polkadot.js, weights
// uploaded and downloaded by hash, every query method, and the errors a user can hit.
//
// Tests are independent: none relies on another having run or passed. The shared fixture is made
// in the `before` hook: the node, a 3.5 MiB weights file uploaded by Alice, and the lineage
// (base-mlp, bob-mlp, merged-mlp) that the query tests read and no test changes. A test that
// writes uses its own account and its own models (Charlie: inblock-mlp; Eve: owner-only-mlp;
// Dave: his own upload). The restart test runs last, as it restarts the shared node.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startNode, tempDir } from '../lib/node.mjs';
import { connect, devKeyring, submitFinalized } from '../lib/api.mjs';
import { swarmRpc } from '../lib/rpc.mjs';
import { u8aToHex } from '@polkadot/util';
import { blake2, CHUNK_SIZE, downloadWeights, uploadWeights, sendAll } from '../lib/weights.mjs';

/** A metric value for the chain: FixedI64 has nine decimals. */
const fixed = (value) => BigInt(Math.round(value * 1e9));

/** The size of the fixture's weights file: three and a half chunks. */
const WEIGHTS_SIZE = 3 * CHUNK_SIZE + CHUNK_SIZE / 2;

describe('the model registry', { timeout: 600_000 }, () => {
  let node;
  let api;
  let alice;
  let bob;
  let charlie;
  let dave;
  let eve;
  // The fixture, made in `before` and only read by the tests.
  const ids = {};
  let weightsFile;
  let weightsBytes;
  const lineageEvents = [];
  const base = tempDir();
  const nodeArgs = ['--dev', '--base-path', base.dir];

  /** Resolves with the id in the first event matching `eventType`'s `field`. */
  const eventField = (events, eventType, field) =>
    events.find(({ event }) => eventType.is(event)).event.data[field].toNumber();

  const createModel = (name, licence) =>
    api.tx.modelRegistry.createModel(name, licence, `${name}, an e2e test model`, 'Open');

  const publish = (model, weightsHash, size, parents, accuracy) => api.tx.modelRegistry.publishVersion(
    model, weightsHash, size, { Inline: '{"layers":[784,256,128,10]}' },
    [['accuracy', fixed(accuracy)], ['loss', fixed(0.352)]], parents);

  before(async () => {
    node = await startNode(nodeArgs, { name: 'registry' });
    api = await connect(node.wsUrl, { rpc: swarmRpc });
    ({ alice, bob, charlie, dave, eve } = await devKeyring());

    // Transactions of different signers go out together; one signer's go one after another.
    const record = (results) => {
      for (const { events } of [results].flat()) lineageEvents.push(...events.map(({ event }) => event));
      return results;
    };
    // The weights file (Alice) and the three models (Alice's two, Bob's one).
    weightsBytes = new Uint8Array(randomBytes(WEIGHTS_SIZE));
    const [aliceModels, bobModel] = await Promise.all([
      (async () => {
        weightsFile = await uploadWeights(api, weightsBytes, alice);
        return record(await sendAll(api, [createModel('base-mlp', 'apache-2.0'), createModel('merged-mlp', 'apache-2.0')], alice));
      })(),
      submitFinalized(api, createModel('bob-mlp', 'mit'), bob).then(record)
    ]);
    ids.base = eventField(aliceModels[0].events, api.events.modelRegistry.ModelCreated, 'model');
    ids.merged = eventField(aliceModels[1].events, api.events.modelRegistry.ModelCreated, 'model');
    ids.bobModel = eventField(bobModel.events, api.events.modelRegistry.ModelCreated, 'model');

    // Generation 1: Alice's base, with the uploaded weights; its `production` alias.
    let result = record(await submitFinalized(api, publish(ids.base, weightsFile, WEIGHTS_SIZE, [], 0.8812), alice));
    ids.v1 = eventField(result.events, api.events.modelRegistry.VersionPublished, 'version');
    // Generation 2: Bob fine-tunes Alice's base in his own model; Alice quantizes hers.
    const [bobTune] = await Promise.all([
      submitFinalized(api, publish(ids.bobModel, blake2(new Uint8Array([2])), 1000, [[ids.v1, 'Finetune']], 0.90), bob),
      sendAll(api, [api.tx.modelRegistry.setAlias(ids.base, 'production', ids.v1)], alice)
    ].map((p) => p.then(record)));
    ids.bobTune = eventField(bobTune.events, api.events.modelRegistry.VersionPublished, 'version');
    result = record(await submitFinalized(api, publish(ids.base, blake2(new Uint8Array([3])), 500, [[ids.v1, 'Quantize']], 0.87), alice));
    ids.quantized = eventField(result.events, api.events.modelRegistry.VersionPublished, 'version');
    // Generation 3: a merge of both; then Alice deprecates her quantized version.
    const [merge] = record(await sendAll(api, [
      publish(ids.merged, blake2(new Uint8Array([4])), 1000, [[ids.bobTune, 'Merge'], [ids.quantized, 'Merge']], 0.91),
      api.tx.modelRegistry.deprecateVersion(ids.quantized)
    ], alice));
    ids.merge = eventField(merge.events, api.events.modelRegistry.VersionPublished, 'version');
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
    base.cleanup();
  });

  test('a 3.5 MiB weights file uploaded in chunks downloads by hash from the node', async () => {
    const manifest = (await api.rpc.weights.manifest(weightsFile)).toJSON();
    assert.equal(manifest.size, weightsBytes.length);
    assert.equal(manifest.chunkSize, CHUNK_SIZE);
    assert.equal(manifest.chunks.length, 4);
    assert.equal(manifest.uploader, alice.address);
    const downloaded = await downloadWeights(api, weightsFile);
    assert.deepEqual(Buffer.from(downloaded), Buffer.from(weightsBytes));
  });

  test('publishes a three-generation lineage with a merge', () => {
    const of = (eventType) => lineageEvents.filter((event) => eventType.is(event)).map((event) => event.data);
    const created = of(api.events.modelRegistry.ModelCreated)
      .map((d) => [d.name.toUtf8(), d.model.toNumber(), d.owner.toString()])
      .sort(([a], [b]) => a.localeCompare(b));
    assert.deepEqual(created, [
      ['base-mlp', ids.base, alice.address], ['bob-mlp', ids.bobModel, bob.address], ['merged-mlp', ids.merged, alice.address]
    ]);
    const published = of(api.events.modelRegistry.VersionPublished)
      .map((d) => [d.version.toNumber(), d.model.toNumber(), d.number.toNumber(), d.producer.asAccount.toString()]);
    assert.deepEqual(published, [
      [ids.v1, ids.base, 1, alice.address],
      [ids.bobTune, ids.bobModel, 1, bob.address],
      [ids.quantized, ids.base, 2, alice.address],
      [ids.merge, ids.merged, 1, alice.address]
    ]);
    assert.deepEqual(of(api.events.modelRegistry.AliasSet).map((d) => [d.model.toNumber(), d.alias.toUtf8(), d.version.toNumber()]),
      [[ids.base, 'production', ids.v1]]);
    assert.deepEqual(of(api.events.modelRegistry.VersionDeprecated).map((d) => [d.model.toNumber(), d.version.toNumber()]),
      [[ids.base, ids.quantized]]);
  });

  test('models_model and models_versions list a model and its versions', async () => {
    const model = (await api.rpc.models.model('base-mlp')).toJSON();
    assert.equal(model.id, ids.base);
    assert.equal(model.owner, alice.address);
    assert.equal(model.licence, 'apache-2.0');
    assert.equal(model.versionCount, 2);
    assert.equal(model.derivationPolicy, 'open');
    assert.equal((await api.rpc.models.model(String(ids.base))).toJSON().name, 'base-mlp');

    const { versions, versionCount } = (await api.rpc.models.versions('base-mlp')).toJSON();
    assert.equal(versionCount, 2);
    assert.deepEqual(versions.map((v) => v.id), [ids.v1, ids.quantized]);
    assert.deepEqual(versions.map((v) => v.reference), ['base-mlp@v1', 'base-mlp@v2']);
  });

  test('models_version returns readable JSON by id and by model@alias', async () => {
    const byAlias = (await api.rpc.models.version('base-mlp@production')).toJSON();
    assert.equal(byAlias.id, ids.v1);
    assert.equal(byAlias.weightsHash, weightsFile);
    assert.deepEqual(byAlias.metrics, [{ name: 'accuracy', value: '0.8812' }, { name: 'loss', value: '0.352' }]);
    assert.deepEqual(byAlias.config, { kind: 'inline', bytes: byAlias.config.bytes, text: '{"layers":[784,256,128,10]}' });
    assert.deepEqual(byAlias.producer, { account: alice.address });
    assert.deepEqual(byAlias.aliases, ['production']);
    assert.equal(byAlias.deprecatedAt, null);
    assert.deepEqual((await api.rpc.models.version(String(ids.v1))).toJSON(), byAlias);
    assert.equal((await api.rpc.models.version('base-mlp@latest')).toJSON().id, ids.quantized);
    assert.ok((await api.rpc.models.version('base-mlp@v2')).toJSON().deprecatedAt > 0);
  });

  test('models_ancestors and models_descendants walk the lineage', async () => {
    const ancestors = (await api.rpc.models.ancestors('merged-mlp@latest', 10)).toJSON();
    assert.deepEqual(ancestors.nodes.map((n) => [n.id, n.depth]),
      [[ids.merge, 0], [ids.bobTune, 1], [ids.quantized, 1], [ids.v1, 2]]);
    assert.deepEqual(ancestors.nodes[0].parents,
      [{ id: ids.bobTune, derivation: 'merge' }, { id: ids.quantized, derivation: 'merge' }]);
    assert.equal(ancestors.truncated, false);
    const oneStep = (await api.rpc.models.ancestors(String(ids.merge), 1)).toJSON();
    assert.equal(oneStep.nodes.length, 3);

    const descendants = (await api.rpc.models.descendants('base-mlp@production')).toJSON();
    assert.deepEqual(descendants.nodes.map((n) => n.id).sort(),
      [ids.v1, ids.bobTune, ids.quantized, ids.merge].sort());
  });

  test('models_path gives the derivation path between two versions', async () => {
    const path = (await api.rpc.models.path('merged-mlp@v1', 'base-mlp@production')).toJSON();
    assert.equal(path.related, true);
    assert.equal(path.ancestor, ids.v1);
    assert.equal(path.descendant, ids.merge);
    assert.equal(path.steps.length, 2);
    assert.deepEqual(path.steps[0].parent, ids.v1);
    assert.deepEqual(path.steps.at(-1).child, ids.merge);
    const unrelated = (await api.rpc.models.path(String(ids.bobTune), String(ids.quantized))).toJSON();
    assert.deepEqual(unrelated, { related: false, ancestor: null, descendant: null, steps: [] });
  });

  test('models_contributors lists every account in the ancestry', async () => {
    const contributors = (await api.rpc.models.contributors(String(ids.merge))).toJSON();
    assert.deepEqual(contributors.accounts.sort(), [alice.address, bob.address].sort());
    assert.equal(contributors.versions, 4);
    assert.deepEqual(contributors.rounds, []);
  });

  test('models_card gives a Hugging Face model card whose base models are the parents', async () => {
    const { version, reference, fileName, card } = (await api.rpc.models.card('merged-mlp@latest')).toJSON();
    assert.deepEqual([version, reference, fileName], [ids.merge, 'merged-mlp@v1', 'README.md']);
    const [before, front, body] = card.split(/^---$/m);
    assert.equal(before, '', 'the card opens with its front matter');
    assert.match(front, /^license: "apache-2.0"$/m);
    assert.match(front, /^base_model:\n- "bob-mlp@v1"\n- "base-mlp@v2"$/m);
    assert.match(front, /^base_model_relation: "merge"$/m);
    assert.match(front, /^- name: "merged-mlp@v1"$/m);
    assert.match(front, /^    - type: "accuracy"\n      name: "accuracy"\n      value: 0.91$/m);
    assert.match(front, new RegExp(`^  version_id: ${ids.merge}$`, 'm'));
    assert.match(front, /^  weights_hash: "0x[0-9a-f]{64}"$/m);
    assert.match(body, /^# merged-mlp@v1$/m);
    // A fine-tune has one base model and the Hub's `finetune` relation; a quantization, `quantized`.
    const tune = (await api.rpc.models.card(String(ids.bobTune))).toJSON().card;
    assert.match(tune, /^base_model:\n- "base-mlp@v1"\nbase_model_relation: "finetune"$/m);
    const quantized = (await api.rpc.models.card('base-mlp@v2')).toJSON().card;
    assert.match(quantized, /^base_model_relation: "quantized"$/m);
    assert.match(quantized, /^\*\*Deprecated\*\* by its owner at block \d+\.$/m);
    await assert.rejects(api.rpc.models.card('nobody@latest'), /no such model/);
  });

  test('the same queries are a runtime API that polkadot.js decorates from metadata', async () => {
    const resolved = await api.call.modelRegistryApi.resolve('merged-mlp@latest');
    assert.equal(resolved.asOk.toNumber(), ids.merge);
    const lineage = await api.call.modelRegistryApi.ancestors(ids.merge, 10);
    assert.equal(lineage.unwrap().nodes.length, 4);
    const unknown = await api.call.modelRegistryApi.resolve('nope@latest');
    assert.equal(unknown.asErr.toString(), 'UnknownModel');
  });

  test('unknown and malformed references are clear RPC errors', async () => {
    await assert.rejects(api.rpc.models.version('base-mlp@staging'), /no such version/);
    await assert.rejects(api.rpc.models.version('nobody@latest'), /no such model/);
    await assert.rejects(api.rpc.models.version('not a reference'), /not a version reference/);
    await assert.rejects(api.rpc.models.model('missing-model'), /no such model/);
    await assert.rejects(api.rpc.weights.manifest(blake2(new Uint8Array([9]))), /no stored file/);
    await assert.rejects(api.rpc.weights.chunk(weightsFile, 99), /there is no chunk 99/);
  });

  test('every query answers about a version as soon as it is in a block, and names a missing one', async () => {
    // Charlie's own model and root version, so that the shared lineage stays as it is.
    const inBlock = { inBlock: true };
    let result = await submitFinalized(api, createModel('inblock-mlp', 'mit'), charlie, inBlock);
    const model = eventField(result.events, api.events.modelRegistry.ModelCreated, 'model');
    result = await submitFinalized(api, publish(model, blake2(randomBytes(32)), 1_000, [], 0.5), charlie, inBlock);
    const root = eventField(result.events, api.events.modelRegistry.VersionPublished, 'version');

    const tx = api.tx.modelRegistry.publishVersion(model, blake2(randomBytes(32)), 1_000,
      { Inline: '{"layers":[784,10]}' }, [], [[root, 'Finetune']]);
    const { events } = await submitFinalized(api, tx, charlie, inBlock);
    const id = eventField(events, api.events.modelRegistry.VersionPublished, 'version');
    // Asked at once (the best block, not yet finalized), without naming a block.
    assert.equal((await api.rpc.models.version(String(id))).toJSON().id, id);
    assert.deepEqual((await api.rpc.models.ancestors(String(id), 5)).toJSON().nodes.map((n) => n.id).slice(0, 2), [id, root]);
    assert.deepEqual((await api.rpc.models.descendants(String(id))).toJSON().nodes.map((n) => n.id), [id]);
    assert.equal((await api.rpc.models.path(String(id), String(root))).toJSON().related, true);
    assert.ok((await api.rpc.models.contributors(String(id))).toJSON().accounts.includes(charlie.address));
    assert.ok((await api.rpc.models.versions('inblock-mlp')).toJSON().versions.some((v) => v.id === id));
    // A version id that does not exist is a named error from every method, never a runtime error.
    const missing = '999999';
    for (const call of [
      () => api.rpc.models.version(missing),
      () => api.rpc.models.ancestors(missing, 5),
      () => api.rpc.models.descendants(missing),
      () => api.rpc.models.path(missing, String(root)),
      () => api.rpc.models.contributors(missing)
    ]) {
      await assert.rejects(call(), /no such version/);
    }
    await assert.rejects(api.rpc.models.versions('999999'), /no such model/);
  });

  test('bad extrinsics fail with named errors and change nothing', async () => {
    // Eve's own model and version, which she closes to derivation below; the shared lineage
    // stays open.
    const inBlock = { inBlock: true };
    let result = await submitFinalized(api, createModel('owner-only-mlp', 'mit'), eve, inBlock);
    const closed = eventField(result.events, api.events.modelRegistry.ModelCreated, 'model');
    result = await submitFinalized(api, publish(closed, blake2(randomBytes(32)), 1_000, [], 0.5), eve, inBlock);
    const closedVersion = eventField(result.events, api.events.modelRegistry.VersionPublished, 'version');

    const versionsBefore = (await api.query.modelRegistry.nextVersionId()).toNumber();
    const cases = [
      [api.tx.modelRegistry.createModel('base-mlp', 'mit', '', 'Open'), alice, 'modelRegistry.NameTaken'],
      [api.tx.modelRegistry.publishVersion(ids.base, blake2(new Uint8Array([7])), 1, { Hash: blake2(new Uint8Array([1])) }, [], [[9999, 'Finetune']]),
        alice, 'modelRegistry.UnknownParent'],
      [api.tx.modelRegistry.publishVersion(ids.base, weightsFile, WEIGHTS_SIZE, { Hash: blake2(new Uint8Array([1])) }, [], []),
        alice, 'modelRegistry.DuplicateWeights'],
      [api.tx.modelRegistry.publishVersion(ids.merged, blake2(new Uint8Array([8])), 12, { Hash: blake2(new Uint8Array([1])) }, [], []),
        bob, 'modelRegistry.NotModelOwner'],
      [api.tx.modelRegistry.publishVersion(ids.base, blake2(new Uint8Array([8])), 12, { Hash: blake2(new Uint8Array([1])) }, [],
        Array.from({ length: 9 }, () => [ids.v1, 'Merge'])), alice, 'modelRegistry.TooManyParents'],
      [api.tx.modelRegistry.setAlias(ids.base, 'staging', ids.merge), alice, 'modelRegistry.VersionNotInModel'],
      [api.tx.modelRegistry.createModel('x'.repeat(65), 'mit', '', 'Open'), alice, 'modelRegistry.NameTooLong']
    ];
    for (const [tx, signer, expected] of cases) {
      await assert.rejects(submitFinalized(api, tx, signer), (error) => error.message === expected, expected);
    }
    // A parent from a model the publisher may not derive from.
    await submitFinalized(api, api.tx.modelRegistry.setDerivationPolicy(closed, 'OwnerOnly'), eve, inBlock);
    await assert.rejects(submitFinalized(api,
      api.tx.modelRegistry.publishVersion(ids.bobModel, blake2(new Uint8Array([5])), 1, { Hash: blake2(new Uint8Array([1])) }, [], [[closedVersion, 'Distill']]),
      bob), /modelRegistry.ParentNotDerivable/);
    assert.equal((await api.query.modelRegistry.nextVersionId()).toNumber(), versionsBefore);
  });

  test('chunks that do not match their hash or size are rejected, and the upload goes on', async () => {
    const bytes = new Uint8Array(randomBytes(CHUNK_SIZE + 1000));
    const file = blake2(bytes);
    await sendAll(api, [api.tx.weightsStore.beginUpload(file, bytes.length)], dave);
    const first = bytes.subarray(0, CHUNK_SIZE);
    const corrupted = Uint8Array.from(first);
    corrupted[12345] ^= 0xff;
    await assert.rejects(sendAll(api, [api.tx.weightsStore.uploadChunk(file, 0, blake2(first), u8aToHex(corrupted))], dave),
      /weightsStore.ChunkHashMismatch/);
    const short = first.subarray(0, CHUNK_SIZE - 1);
    await assert.rejects(sendAll(api, [api.tx.weightsStore.uploadChunk(file, 0, blake2(short), u8aToHex(short))], dave),
      /weightsStore.ChunkSizeMismatch/);
    assert.equal((await api.rpc.weights.upload(file)).toJSON().nextChunk, 0);
    const rest = bytes.subarray(CHUNK_SIZE);
    await sendAll(api, [
      api.tx.weightsStore.uploadChunk(file, 0, blake2(first), u8aToHex(first)),
      api.tx.weightsStore.uploadChunk(file, 1, blake2(rest), u8aToHex(rest))
    ], dave);
    assert.deepEqual(Buffer.from(await downloadWeights(api, file)), Buffer.from(bytes));
  });

  // Last: it restarts the shared node (the tests above would also run against the restarted one).
  test('a restarted node still serves the weights and the lineage', async () => {
    await api.disconnect();
    await node.stop();
    node = await startNode(nodeArgs, { name: 'registry-restarted' });
    api = await connect(node.wsUrl, { rpc: swarmRpc });
    assert.deepEqual(Buffer.from(await downloadWeights(api, weightsFile)), Buffer.from(weightsBytes));
    assert.equal((await api.rpc.models.ancestors('merged-mlp@latest')).toJSON().nodes.length, 4);
  });
});
