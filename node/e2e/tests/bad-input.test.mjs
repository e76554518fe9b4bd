// Mistakes an operator makes get one clear error line and a non-zero exit, never a panic.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, runNodeCommand, tempDir } from '../lib/node.mjs';

/** Asserts a failed run: non-zero exit, an `Error:` line matching `pattern`, no panic. */
function assertCleanFailure ({ status, stderr }, pattern) {
  assert.notEqual(status, 0, 'exit status is non-zero');
  assert.doesNotMatch(stderr, /panicked|RUST_BACKTRACE|stack backtrace/, `no panic:\n${stderr}`);
  assert.match(stderr, /Error: /, `an error line:\n${stderr}`);
  assert.match(stderr, pattern, `the error names the cause:\n${stderr}`);
}

/** Holds a TCP port on 127.0.0.1 and 0.0.0.0-compatible until `close()`. */
async function occupyPort () {
  const port = await freePort();
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, '0.0.0.0', resolve);
  });
  return { port, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('bad input', { timeout: 120_000 }, () => {
  const work = tempDir();
  after(() => work.cleanup());

  test('an unknown --chain name', () => {
    const result = runNodeCommand(['--chain', 'mainnet-that-does-not-exist', '--tmp']);
    assertCleanFailure(result, /unknown chain `mainnet-that-does-not-exist`/);
  });

  test('a chain spec file that is not a chain spec', () => {
    const specPath = path.join(work.dir, 'broken.json');
    writeFileSync(specPath, '{ "name": "half a spec", ');
    const result = runNodeCommand(['--chain', specPath, '--tmp']);
    assertCleanFailure(result, /cannot read the chain spec file/);
  });

  test('a chain spec path that is a directory', () => {
    const result = runNodeCommand(['export-chain-spec', '--chain', work.dir]);
    assertCleanFailure(result, /cannot read the chain spec file/);
  });

  test('an RPC port already in use', async () => {
    const held = await occupyPort();
    try {
      const result = runNodeCommand(['--dev', '--tmp', '--rpc-port', String(held.port),
        '--port', String(await freePort()), '--prometheus-port', String(await freePort()), '--no-telemetry']);
      assertCleanFailure(result, new RegExp(`${held.port}|[Aa]ddress already in use|in use`));
    } finally {
      await held.close();
    }
  });

  test('a p2p port already in use', async () => {
    const held = await occupyPort();
    try {
      const result = runNodeCommand(['--dev', '--tmp', '--port', String(held.port),
        '--rpc-port', String(await freePort()), '--prometheus-port', String(await freePort()), '--no-telemetry']);
      assertCleanFailure(result, new RegExp(`${held.port}|[Aa]ddress already in use|in use`));
    } finally {
      await held.close();
    }
  });

  test('an explorer port already in use', async () => {
    const held = await occupyPort();
    try {
      const result = runNodeCommand(['--dev', '--tmp', '--explorer-port', String(held.port),
        '--rpc-port', String(await freePort()), '--port', String(await freePort()),
        '--prometheus-port', String(await freePort()), '--no-telemetry']);
      assertCleanFailure(result, new RegExp(`port ${held.port} for the explorer is not available.*--explorer-port`));
    } finally {
      await held.close();
    }
  });

  test('a malformed key seed', () => {
    const base = tempDir();
    try {
      const result = runNodeCommand(['key', 'insert', '--base-path', base.dir, '--chain', 'dev',
        '--key-type', 'swrk', '--scheme', 'sr25519', '--suri', 'this is not a valid seed phrase']);
      assertCleanFailure(result, /[Ii]nvalid/);
    } finally {
      base.cleanup();
    }
  });

  test('a key type that is not four characters', () => {
    const base = tempDir();
    try {
      const result = runNodeCommand(['key', 'insert', '--base-path', base.dir, '--chain', 'dev',
        '--key-type', 'worker', '--scheme', 'sr25519', '--suri', '//Alice']);
      assert.notEqual(result.status, 0);
      assert.doesNotMatch(result.stderr, /panicked/);
    } finally {
      base.cleanup();
    }
  });
});
