// Starting and stopping real `swarm-node` processes for end-to-end tests.
//
// Every node gets free local ports and its own base path, so tests never collide with each other
// or with a node the developer is running on the default ports.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Cargo's target dir: `$CARGO_TARGET_DIR` or the shared one the Makefile uses. */
export const TARGET_DIR = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache', 'swarmchain', 'target');

/** The node binary under test: `$SWARM_NODE` or the release build in the shared target dir. */
export const NODE_BIN = process.env.SWARM_NODE ?? path.join(TARGET_DIR, 'release', 'swarm-node');

const cacheDir = path.join(os.homedir(), '.cache', 'swarmchain');

/**
 * The environment of the nodes the tests start: wasmtime keeps the runtimes it compiles in one
 * folder (`SWARM_WASMTIME_CACHE`), so that only the first node of a build compiles the runtime.
 */
const nodeEnv = {
  ...process.env,
  SWARM_WASMTIME_CACHE: process.env.SWARM_WASMTIME_CACHE ?? path.join(cacheDir, 'wasmtime')
};

/**
 * The dev chain's raw chain spec, made once per node binary and shared by every test process.
 * A node started on it (the same chain, the same genesis) loads the genesis storage instead of
 * building it with the runtime: together with the wasmtime cache, a node answers RPC after about
 * 1 s instead of 7 s.
 */
export function devChainSpec () {
  const { size, mtimeMs } = statSync(NODE_BIN);
  const dir = path.join(cacheDir, 'e2e');
  const name = `dev-raw-${size}-${Math.floor(mtimeMs)}.json`;
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const built = runNodeCommand(['export-chain-spec', '--chain', 'dev', '--raw']);
    if (built.status !== 0) throw new Error(`export-chain-spec --chain dev --raw failed:\n${built.stderr}`);
    // Written whole, then renamed: another test process never reads half a file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, built.stdout);
    renameSync(partial, file);
    for (const old of readdirSync(dir).filter((f) => f.startsWith('dev-raw-') && f !== name && f.endsWith('.json'))) {
      rmSync(path.join(dir, old), { force: true });
    }
  }
  return file;
}

/** `args` with the dev chain (`--dev`, `--chain dev`) given as its cached raw spec. */
function onDevSpec (args) {
  const chain = args.indexOf('--chain');
  if (chain >= 0) {
    return args[chain + 1] === 'dev' ? args.with(chain + 1, devChainSpec()) : args;
  }
  return args.includes('--dev') ? [...args, '--chain', devChainSpec()] : args;
}

/**
 * A free TCP port on 127.0.0.1 for a node to listen on. Test files run in parallel, one process
 * each: every process takes ports from its own block of 100 (by its pid), below the kernel's
 * ephemeral range, so that no two files (and no outgoing connection) are handed the same port
 * between this check and the node's bind.
 */
let nextPort = 10_000 + (process.pid % 220) * 100;
export async function freePort () {
  for (let tries = 0; tries < 100; tries++) {
    const port = nextPort++;
    const free = await new Promise((resolve) => {
      const server = net.createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in this test process\'s block');
}

/**
 * `--node-key <random>`: a validator outside `--dev` must have a network key (a stable p2p
 * identity); tests give each node a fresh one.
 */
export function nodeKeyArgs () {
  return ['--node-key', randomBytes(32).toString('hex')];
}

/** A fresh temporary directory, removed by `cleanup()`. */
export function tempDir (prefix = 'swarm-e2e-') {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `swarm-node <args>` to completion: `{ status, stdout, stderr }`. */
export function runNodeCommand (args, { timeoutMs = 60_000 } = {}) {
  const result = spawnSync(NODE_BIN, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls a JSON-RPC method over HTTP; the node serves HTTP and WebSocket on the same port. */
export async function rpcCall (rpcPort, method, params = []) {
  const response = await fetch(`http://127.0.0.1:${rpcPort}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/**
 * Starts `swarm-node` with `args` plus free RPC, p2p and Prometheus ports, and waits until its
 * RPC server answers. Returns a handle with the ports, the WebSocket URL, the log and `stop()`.
 */
export async function startNode (args, { name = 'node', readyTimeoutMs = 120_000 } = {}) {
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const prometheusPort = await freePort();
  // Every node serves its explorer on a port of its own (`--dev` would take 9955).
  const explorer = args.includes('--no-explorer') || args.includes('--explorer-port') ? null : await freePort();
  const fullArgs = [
    ...onDevSpec(args),
    '--rpc-port', String(rpcPort),
    '--port', String(p2pPort),
    '--prometheus-port', String(prometheusPort),
    ...(explorer === null ? [] : ['--explorer-port', String(explorer)]),
    '--no-telemetry',
    '--no-mdns',
    '--name', name
  ];
  const child = spawn(NODE_BIN, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: nodeEnv });
  let log = '';
  const append = (chunk) => {
    log += chunk.toString();
    // Keep the last megabyte: enough to diagnose a failure.
    if (log.length > 2_000_000) log = log.slice(-1_000_000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let exited = null;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }));

  const handle = {
    name,
    rpcPort,
    p2pPort,
    prometheusPort,
    explorerUrl: explorer === null ? null : `http://127.0.0.1:${explorer}/`,
    wsUrl: `ws://127.0.0.1:${rpcPort}`,
    process: child,
    log: () => log,
    /** Stops the node (SIGINT, then SIGKILL after 20 s) and resolves once it has exited. */
    async stop () {
      if (exited) return exited;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const result = await exitPromise;
      clearTimeout(timer);
      return result;
    }
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`${name} exited early (${JSON.stringify(exited)}):\n${log.slice(-4000)}`);
    }
    try {
      await rpcCall(rpcPort, 'system_health');
      return handle;
    } catch {
      await sleep(250);
    }
  }
  await handle.stop();
  throw new Error(`${name} did not answer RPC within ${readyTimeoutMs} ms:\n${log.slice(-4000)}`);
}

/** Waits until `predicate()` resolves truthy, polling every `intervalMs`; returns its value. */
export async function waitFor (predicate, { timeoutMs = 60_000, intervalMs = 500, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}

/** The best and finalized block numbers of a node, over RPC. */
export async function blockHeights (rpcPort) {
  const best = await rpcCall(rpcPort, 'chain_getHeader');
  const finalizedHash = await rpcCall(rpcPort, 'chain_getFinalizedHead');
  const finalized = await rpcCall(rpcPort, 'chain_getHeader', [finalizedHash]);
  return { best: parseInt(best.number, 16), finalized: parseInt(finalized.number, 16) };
}
