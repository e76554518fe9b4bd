// A forkless runtime upgrade end to end: a dev chain holding state in every AI pallet (a model
// with two versions, an alias and a price, a weights file, a compute node, an inference job in
// flight, a transfer) is upgraded through sudo to the same runtime one spec_version later, the
// wasm of `runtime/upgrade-test`. Before the upgrade the model registry's storage version is set
// back to 0, so that its v1 migration (pallets/model-registry/src/migrations/v1.rs) runs in the
// first block of the new runtime.
//
// The upgrade is made once, in `before`; the tests only read what it left: the new version, the
// migration, blocks finalized after it, every storage entry compared before and after, the
// custom RPCs answering as before. The last test sends a transaction to the new runtime.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { xxhashAsHex } from '@polkadot/util-crypto';
import { connect, devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';
import { canonicalConfig, eventField, keyProof, publishModel, registerKey, requestInference } from '../lib/inference.mjs';
import { blockHeights, rpcCall, startNode, TARGET_DIR, waitFor } from '../lib/node.mjs';
import { swarmRpc } from '../lib/rpc.mjs';
import { blake2, sendAll } from '../lib/weights.mjs';

/** The upgrade's wasm: `$SWARM_UPGRADE_WASM`, or where `make build` leaves it. */
const UPGRADE_WASM = process.env.SWARM_UPGRADE_WASM ?? path.join(TARGET_DIR, 'release', 'wbuild',
  'swarm-runtime-upgrade-test', 'swarm_runtime_upgrade_test.compact.compressed.wasm');

/** The spec versions of the node's runtime and of the upgrade (runtime/src/lib.rs, `VERSION`). */
const OLD_SPEC = 100;
const NEW_SPEC = 101;

/** Blocks that must be finalized after the upgrade's block. */
const BLOCKS_AFTER = 5;

/** The key of the runtime's code (`:code`). */
const CODE_KEY = '0x3a636f6465';

/** The key of a pallet's on-chain storage version (FRAME's `StorageVersion`, a u16). */
const storageVersionKey = (pallet) => xxhashAsHex(pallet, 128) + xxhashAsHex(':__STORAGE_VERSION__:', 128).slice(2);
const REGISTRY_VERSION_KEY = storageVersionKey('ModelRegistry');

describe('a forkless runtime upgrade', { timeout: 600_000 }, () => {
  let node;
  // A client connected before the upgrade, which makes it and sends the last test's transaction,
  // and one connected after it, which reads. (polkadot.js re-reads the metadata of an upgraded
  // runtime in its v14 form, without runtime APIs and with other type ids: a client connected
  // across an upgrade keeps sending transactions, but its `api.call` has only the standard
  // runtime APIs, and it may fail to decode the events of the upgrade's block or some storage of
  // older blocks, until it reconnects.)
  let api;
  let reader;
  let alice, bob, dave, eve;
  // The fixture, made in `before` and only read by the tests.
  let model, v1, v2, job, nodeId, recipient, pot;
  let upgradeEvents;
  /** Block hashes: the last of the old runtime's state, the upgrade's block, the next, a later one. */
  const at = {};
  /** Every storage entry at `at.before` and at `at.after`, by key (hex). */
  let stateBefore;
  let stateAfter;

  /** `pallet.item` of a storage key, for messages (the pallet's name where the item is not known). */
  const nameOf = (key) => {
    for (const [section, items] of Object.entries(reader.query)) {
      for (const [item, query] of Object.entries(items)) {
        if (query.keyPrefix && key.startsWith(query.keyPrefix())) return `${section}.${item}`;
      }
    }
    const pallet = reader.registry.metadata.pallets.find(({ name }) => key.startsWith(xxhashAsHex(name.toString(), 128)));
    return pallet ? `${pallet.name}.?` : '?';
  };

  /** Every storage entry of the chain at `hash`. */
  const pairsAt = async (hash) => new Map(await rpcCall(node.rpcPort, 'state_getPairs', ['0x', hash]));

  before(async () => {
    if (!existsSync(UPGRADE_WASM)) {
      throw new Error(`the upgrade runtime ${UPGRADE_WASM} is missing: build it with \`make build\` ` +
        '(or `cargo build --release -p swarm-runtime-upgrade-test`), or point SWARM_UPGRADE_WASM at it');
    }
    const wasm = readFileSync(UPGRADE_WASM);
    node = await startNode(['--dev', '--tmp'], { name: 'upgrade' });
    api = await connect(node.wsUrl, { rpc: swarmRpc });
    ({ alice, bob, dave, eve } = await devKeyring());
    const keyring = new Keyring({ type: 'sr25519' });
    recipient = keyring.addFromUri('//UpgradeRecipient');
    const worker = keyring.addFromUri('//Dave//UpgradeWorker');
    // Key proofs name the genesis hash, which the runtime knows from block 1 on.
    await waitFor(async () => (await api.rpc.chain.getHeader()).number.toNumber() >= 1, { what: 'block 1' });

    // State in every pallet, through the calls users make; one signer's calls one after another.
    const config = canonicalConfig('mlp');
    pot = (await api.call.rewardsApi.status()).pot.toString();
    const timing = (await api.query.inference.jobTiming()).toJSON();
    [{ model, version: v1 }, nodeId] = await Promise.all([
      publishModel(api, alice, { name: 'upgrade-mlp', weights: new Uint8Array(randomBytes(4096)), config, price: UNIT / 100n }),
      (async () => registerKey(api, dave, u8aToHex(worker.publicKey), await keyProof(api, dave, worker)))(),
      submitFinalized(api, api.tx.balances.transferKeepAlive(recipient.address, 42n * UNIT), bob)
    ]);
    const [tune] = await sendAll(api, [
      api.tx.modelRegistry.publishVersion(model, blake2(new Uint8Array([1])), 4096, { Inline: config },
        [['accuracy', 881_200_000n]], [[v1, 'Finetune']]),
      api.tx.modelRegistry.setAlias(model, 'production', v1),
      // Root: job windows longer than the test, so that Eve's job stays in its commit phase
      // across the upgrade (no worker holds the node's key); and the registry's storage version
      // back to 0, as on a chain that started before the v1 migration.
      api.tx.sudo.sudo(api.tx.utility.batchAll([
        api.tx.inference.setTiming({ ...timing, commitWindow: 10_000, jobTimeout: 10_000 }),
        api.tx.system.setStorage([[REGISTRY_VERSION_KEY, '0x0000']])
      ]))
    ], alice);
    v2 = eventField(tune.events, api.events.modelRegistry.VersionPublished, 'version');
    ({ job } = await requestInference(api, eve, { version: v1, pixels: new Uint8Array(784), samples: 1, replicas: 1 }));

    // The upgrade, as an operator makes it in polkadot.js Apps (Developer, Sudo).
    const upgrade = await submitFinalized(api, api.tx.sudo.sudo(api.tx.system.setCode(u8aToHex(wasm))), alice);
    at.upgrade = upgrade.blockHash;
    const upgradeHeader = await api.rpc.chain.getHeader(at.upgrade);
    at.before = upgradeHeader.parentHash.toHex();
    const upgradeNumber = upgradeHeader.number.toNumber();
    const { finalized } = await waitFor(async () => {
      const heights = await blockHeights(node.rpcPort);
      return heights.finalized >= upgradeNumber + BLOCKS_AFTER ? heights : null;
    }, { timeoutMs: 90_000, what: `block ${upgradeNumber + BLOCKS_AFTER} to be finalized` });
    at.next = (await api.rpc.chain.getBlockHash(upgradeNumber + 1)).toHex();
    at.after = (await api.rpc.chain.getBlockHash(finalized)).toHex();
    [stateBefore, stateAfter] = await Promise.all([pairsAt(at.before), pairsAt(at.after)]);
    reader = await connect(node.wsUrl, { rpc: swarmRpc });
    // Read with the client connected after the upgrade (see above).
    upgradeEvents = (await (await reader.at(at.upgrade)).query.system.events()).map(({ event }) => event);
  });

  after(async () => {
    await reader?.disconnect();
    await api?.disconnect();
    await node?.stop();
  });

  test('the chain runs the new runtime from the block after the upgrade', async () => {
    const named = (section, method) => upgradeEvents.find((event) => event.section === section && event.method === method);
    assert.ok(named('system', 'CodeUpdated'), 'system.CodeUpdated');
    const sudid = named('sudo', 'Sudid');
    assert.ok(sudid?.data.sudoResult.isOk, `setCode succeeded: ${sudid?.data.sudoResult.toString()}`);
    const version = (hash) => rpcCall(node.rpcPort, 'state_getRuntimeVersion', [hash]);
    assert.equal((await version(at.before)).specVersion, OLD_SPEC);
    assert.equal((await version(at.next)).specVersion, NEW_SPEC);
    assert.equal((await version(at.after)).specVersion, NEW_SPEC);
    assert.equal(await rpcCall(node.rpcPort, 'state_getStorage', [CODE_KEY, at.after]), u8aToHex(readFileSync(UPGRADE_WASM)),
      ':code is the upgrade\'s wasm');
    const lastUpgrade = (await (await reader.at(at.next)).query.system.lastRuntimeUpgrade()).unwrap();
    assert.equal(lastUpgrade.specVersion.toNumber(), NEW_SPEC);
  });

  test('the model registry\'s v1 migration runs in the first block of the new runtime', async () => {
    const versionAt = (hash) => rpcCall(node.rpcPort, 'state_getStorage', [REGISTRY_VERSION_KEY, hash]);
    assert.equal(await versionAt(at.before), '0x0000', 'set back to 0 before the upgrade');
    assert.equal(await versionAt(at.upgrade), '0x0000', 'the upgrade\'s own block runs the old runtime');
    assert.equal(await versionAt(at.next), '0x0100', 'version 1 after the migration');
    // The migration's log lines, from the runtime through the node's log.
    const log = node.log();
    assert.match(log, /Pallet "ModelRegistry" VersionedMigration migrating storage version from 0 to 1/);
    assert.match(log, /v1: recounted the models' counters \(models: 1, repaired: 0\)/);
    // What `post_upgrade` checks, on the chain itself: every pallet's invariants hold in the
    // first block of the new runtime and at the last block the test reads.
    for (const [name, hash] of [['the first block of the new runtime', at.next], ['the end', at.after]]) {
      const checked = await (await reader.at(hash)).call.invariantsApi.check();
      assert.ok(checked.isOk, `try_state at ${name}: ${checked.isErr ? checked.asErr.toUtf8() : ''}`);
    }
  });

  test('blocks are still authored and finalized after the upgrade', async () => {
    const upgradeNumber = (await api.rpc.chain.getHeader(at.upgrade)).number.toNumber();
    const afterNumber = (await api.rpc.chain.getHeader(at.after)).number.toNumber();
    assert.ok(afterNumber >= upgradeNumber + BLOCKS_AFTER, `block ${afterNumber} is finalized`);
    // The upgrade's block is on the finalized chain, and finality goes on.
    assert.equal((await api.rpc.chain.getBlockHash(upgradeNumber)).toHex(), at.upgrade);
    await waitFor(async () => (await blockHeights(node.rpcPort)).finalized > afterNumber,
      { timeoutMs: 30_000, what: `a block after ${afterNumber} to be finalized` });
  });

  test('every storage entry reads the same after the upgrade, but for what blocks and the upgrade change', async () => {
    const system = reader.query.system;
    const itemOf = (...queries) => (key) => queries.some((query) => key.startsWith(query.keyPrefix()));
    const accountOf = (...who) => (key) => who.some((address) => key === system.account.key(address));
    // What may differ between the two blocks, and why. Anything else that differs fails the test.
    const explained = [
      [(key) => key === CODE_KEY, 'the runtime itself: the upgrade replaced it'],
      [(key) => key === REGISTRY_VERSION_KEY, 'the model registry\'s storage version: the migration set it to 1'],
      [itemOf(system.number, system.parentHash, system.digest, system.events, system.eventCount,
        system.blockWeight), 'System\'s record of the latest block'],
      [(key, old) => itemOf(system.blockHash)(key) && old === undefined, 'System\'s hash of each new block'],
      [itemOf(system.lastRuntimeUpgrade), 'the spec version of the last upgrade: now 101'],
      [itemOf(reader.query.timestamp.now, reader.query.aura.currentSlot), 'the time and the slot of the latest block'],
      [itemOf(reader.query.balances.totalIssuance, reader.query.rewards.minted), 'every block mints the emission'],
      [accountOf(alice.address, pot), 'Alice pays the upgrade\'s fee and, as every block\'s author, gets the ' +
        'emission\'s author share; the pot gets the rest, and the fees'],
      [(key) => key === reader.query.rewards.accountEarnings.key(alice.address), 'the author share counts as Alice\'s earnings']
    ];
    const unexplained = [];
    const used = new Set();
    for (const key of new Set([...stateBefore.keys(), ...stateAfter.keys()])) {
      const old = stateBefore.get(key);
      const now = stateAfter.get(key);
      if (old === now) continue;
      const reason = explained.findIndex(([matches]) => matches(key, old, now));
      if (reason < 0) unexplained.push(`${nameOf(key)} ${key}: ${old?.slice(0, 80)} -> ${now?.slice(0, 80)}`);
      else used.add(reason);
    }
    assert.deepEqual(unexplained, [], 'storage the upgrade should have left alone changed');
    assert.ok(used.has(0) && used.has(1), 'the code and the storage version changed');

    // Alice's and the pot's accounts changed in their free balances (and Alice's nonce) only.
    const [old, now] = await Promise.all([reader.at(at.before), reader.at(at.after)]);
    for (const who of [alice.address, pot]) {
      const [a, b] = await Promise.all([old.query.system.account(who), now.query.system.account(who)]);
      for (const field of ['reserved', 'frozen', 'flags']) assert.equal(a.data[field].toString(), b.data[field].toString());
      assert.equal(a.providers.toNumber(), b.providers.toNumber());
      assert.equal(a.consumers.toNumber(), b.consumers.toNumber());
    }

    // The comparison covered the AI pallets' state: each holds entries, the same before and after.
    const entriesOf = (state, pallet) => [...state].filter(([key]) => key.startsWith(xxhashAsHex(pallet, 128)));
    for (const pallet of ['ModelRegistry', 'WeightsStore', 'ComputeNodes', 'Inference', 'Training', 'Rewards']) {
      assert.ok(entriesOf(stateBefore, pallet).length > 1, `${pallet} has state`);
    }
    for (const pallet of ['ModelRegistry', 'WeightsStore', 'ComputeNodes', 'Inference', 'Training']) {
      const same = (state) => entriesOf(state, pallet).filter(([key]) => key !== REGISTRY_VERSION_KEY);
      assert.deepEqual(same(stateAfter), same(stateBefore), `${pallet} reads the same`);
    }
    for (const who of [bob, dave, eve, recipient]) {
      assert.equal(stateAfter.get(system.account.key(who.address)), stateBefore.get(system.account.key(who.address)));
    }
  });

  test('the custom RPCs answer as before, through the new runtime', async () => {
    const queries = {
      model: (hash) => api.rpc.models.model('upgrade-mlp', hash),
      production: (hash) => api.rpc.models.version('upgrade-mlp@production', hash),
      versions: (hash) => api.rpc.models.versions('upgrade-mlp', 1, 10, hash),
      ancestors: (hash) => api.rpc.models.ancestors('upgrade-mlp@v2', 10, hash),
      descendants: (hash) => api.rpc.models.descendants(String(v1), 10, hash),
      path: (hash) => api.rpc.models.path(String(v1), String(v2), hash),
      job: (hash) => api.rpc.jobs.job(job, hash),
      assigned: (hash) => api.rpc.jobs.assigned(nodeId, hash)
    };
    const answers = {};
    for (const [name, query] of Object.entries(queries)) {
      const [old, now] = await Promise.all([query(at.before), query(at.after)]);
      assert.deepEqual(now.toJSON(), old.toJSON(), `${name} answers the same`);
      answers[name] = now.toJSON();
    }
    assert.equal(answers.production.id, v1);
    assert.deepEqual(answers.versions.versions.map((v) => v.id), [v1, v2]);
    assert.deepEqual(answers.ancestors.nodes.map((n) => n.id), [v2, v1], 'v2 is a fine-tune of v1');
    assert.deepEqual(answers.descendants.nodes.map((n) => n.id), [v1, v2]);
    assert.equal(answers.job.phase.name, 'commit', 'the job still waits for its commit');
    assert.deepEqual(answers.assigned.jobs, [job], 'the node holds the job\'s seat');
  });

  test('a client that connects after the upgrade gets the new runtime\'s APIs', async () => {
    assert.equal(reader.runtimeVersion.specVersion.toNumber(), NEW_SPEC);
    const version = (await reader.call.modelRegistryApi.version(v2)).unwrap();
    assert.equal(version.id.toNumber(), v2);
    assert.equal((await reader.call.rewardsApi.status()).pot.toString(), pot);
  });

  test('setCode and applyAuthorizedUpgrade fit in a block', async () => {
    // Their benchmarked weights (polkadot-sdk's, about 0.165 s, whatever the code) against what
    // one operational extrinsic may weigh here (0.3 s of a block's third of a second): both
    // routes of the README fit; the transaction then takes the rest of its block.
    const maxExtrinsic = reader.consts.system.blockWeights.perClass.operational.maxExtrinsic.unwrap().refTime.toBigInt();
    const weightOf = async (tx) => (await tx.paymentInfo(alice)).weight.refTime.toBigInt();
    const setCode = await weightOf(reader.tx.sudo.sudo(reader.tx.system.setCode('0x00')));
    const apply = await weightOf(reader.tx.system.applyAuthorizedUpgrade('0x00'));
    assert.ok(setCode < maxExtrinsic, `sudo(setCode) weighs ${setCode} of at most ${maxExtrinsic}`);
    assert.ok(apply < maxExtrinsic, `applyAuthorizedUpgrade weighs ${apply} of at most ${maxExtrinsic}`);
  });

  test('a client connected across the upgrade sends a transaction to the new runtime', async () => {
    assert.equal(api.runtimeVersion.specVersion.toNumber(), NEW_SPEC, 'polkadot.js follows the upgrade');
    const { events } = await submitFinalized(api, api.tx.modelRegistry.createModel('after-upgrade-mlp',
      'mit', 'created by the new runtime', 'Open'), bob);
    const created = eventField(events, api.events.modelRegistry.ModelCreated, 'model');
    assert.equal((await api.rpc.models.model('after-upgrade-mlp')).toJSON().id, created);
  });
});
