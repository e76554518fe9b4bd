#!/usr/bin/env node
// Makes a chain spec for a new Swarmchain testnet from a small JSON description of its validators,
// endowed accounts and sudo key (see testnet.example.json and README.md).
//
//   node chain-spec/make-testnet.mjs <description.json> <output-prefix>
//
// writes <output-prefix>.plain.json (readable, reviewable) and <output-prefix>.raw.json (what nodes
// start from; its genesis storage defines the chain's genesis hash). The node binary is
// $SWARM_NODE, or the release build in $CARGO_TARGET_DIR (default ~/.cache/swarmchain/target).

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function fail (message) {
  console.error(`Error: ${message}`);
  process.exit(1);
}

const [descriptionPath, outputPrefix] = process.argv.slice(2);
if (!descriptionPath || !outputPrefix) {
  fail('usage: node chain-spec/make-testnet.mjs <description.json> <output-prefix>');
}

const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache', 'swarmchain', 'target');
const nodeBin = process.env.SWARM_NODE ?? path.join(targetDir, 'release', 'swarm-node');

let description;
try {
  description = JSON.parse(readFileSync(descriptionPath, 'utf8'));
} catch (error) {
  fail(`cannot read the testnet description ${descriptionPath}: ${error.message}`);
}

// Check the description's shape; the node checks the keys and addresses themselves.
const { name, id, protocolId, bootNodes = [], validators, endowed = [], sudo } = description;
for (const [field, value] of Object.entries({ name, id, sudo })) {
  if (typeof value !== 'string' || value.length === 0) fail(`"${field}" must be a non-empty string`);
}
if (!/^[a-z0-9_]+$/.test(id)) fail('"id" may only contain a-z, 0-9 and _ (it names the chain\'s directory)');
if (!Array.isArray(validators) || validators.length === 0) fail('"validators" must list at least one validator');
validators.forEach((v, i) => {
  if (typeof v.aura !== 'string' || typeof v.grandpa !== 'string') {
    fail(`validators[${i}] needs "aura" (sr25519) and "grandpa" (ed25519) SS58 addresses`);
  }
  if (v.account !== undefined && typeof v.account !== 'string') fail(`validators[${i}].account must be an SS58 address`);
  if (v.bond !== undefined && !/^[0-9]+$/.test(String(v.bond))) {
    fail(`validators[${i}].bond must be an integer in plancks, as a string`);
  }
});
endowed.forEach((e, i) => {
  if (typeof e.account !== 'string' || !/^[0-9]+$/.test(String(e.balance))) {
    fail(`endowed[${i}] needs "account" (SS58) and "balance" (an integer in plancks, as a string)`);
  }
});

// A validator's account (its validator id, which bonds) is its Aura address unless given; it
// bonds the minimum of the runtime's default validator terms (10,000 SWARM) unless given, and
// must be endowed with more than that.
const MIN_BOND = 10_000n * 10n ** 12n;
const accountOf = (v) => v.account ?? v.aura;
const bondOf = (v) => BigInt(v.bond ?? MIN_BOND);
validators.forEach((v, i) => {
  if (bondOf(v) < MIN_BOND) fail(`validators[${i}].bond is below the minimum bond of ${MIN_BOND} plancks (10,000 SWARM)`);
  const endowment = endowed.find((e) => e.account === accountOf(v));
  if (!endowment || BigInt(endowment.balance) <= bondOf(v)) {
    fail(`validators[${i}]'s account ${accountOf(v)} must be endowed with more than its bond (${bondOf(v)} plancks)`);
  }
});

function node (args) {
  try {
    return execFileSync(nodeBin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    fail(`${path.basename(nodeBin)} ${args.join(' ')} failed:\n${error.stderr || error.message}`);
  }
}

// Start from the local testnet's plain spec, so the runtime code and defaults come from this build.
const spec = JSON.parse(node(['export-chain-spec', '--chain', 'local']));
spec.name = name;
spec.id = id;
spec.chainType = 'Live';
spec.protocolId = protocolId ?? id;
spec.bootNodes = bootNodes;

// Balances are u128: keep them exact by writing the digits straight into the JSON text.
const balanceMarker = (digits) => `@@u128:${digits}@@`;
// The validators are bonded candidates of the validator set with their session keys; Aura's and
// GRANDPA's authorities come from the session keys at genesis.
spec.genesis.runtimeGenesis.patch = {
  session: { keys: validators.map((v) => [accountOf(v), accountOf(v), { aura: v.aura, grandpa: v.grandpa }]) },
  validatorSet: { candidates: validators.map((v) => [accountOf(v), balanceMarker(String(bondOf(v)))]) },
  balances: { balances: endowed.map((e) => [e.account, balanceMarker(String(e.balance))]) },
  sudo: { key: sudo }
};
const plainText = JSON.stringify(spec, null, 2).replace(/"@@u128:([0-9]+)@@"/g, '$1');

const plainPath = `${outputPrefix}.plain.json`;
const rawPath = `${outputPrefix}.raw.json`;
writeFileSync(plainPath, plainText + '\n');
node(['export-chain-spec', '--chain', plainPath, '--raw', '--output', rawPath]);
console.log(`wrote ${plainPath} and ${rawPath}`);
