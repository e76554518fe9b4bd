// Zombienet js-script for 0002-node-loss.zndsl: checks on finality and authorship, run on one
// node. `args[0]` picks the check, `args[1]` is its parameter (zombienet splits `with "a,b"` at
// the comma); each returns a number the DSL compares, and polls until its condition holds
// (zombienet's `within` bounds it).
//
//   record       records the node's finalized block hashes (once at least 3 are final)
//   advance,N    waits until finality advances by N blocks, recording the new hashes
//   caught-up    waits until the node's best and finalized blocks reach Alice's
//   authors      waits until a block authored by this node (by its session validator account)
//                is finalized after the node's current finalized block
//   no-revert    checks every hash recorded in this run is still the finalized chain's block at
//                its number
const fs = require('node:fs');
const path = require('node:path');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function finalizedNumber (api) {
  const head = await api.rpc.chain.getFinalizedHead();
  return (await api.rpc.chain.getHeader(head)).number.toNumber();
}

/**
 * The file of recorded hashes, `{ number: hash }`, in the network's own folder: every run of the
 * network starts without one.
 */
function recordFile (networkInfo) {
  return path.join(networkInfo.tmpDir, 'finalized-hashes.json');
}

/** Records the hashes of blocks `from..=to`, added to those recorded before in this run. */
async function record (api, networkInfo, from, to) {
  const file = recordFile(networkInfo);
  const recorded = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  for (let n = from; n <= to; n++) recorded[n] = (await api.rpc.chain.getBlockHash(n)).toHex();
  fs.writeFileSync(file, JSON.stringify(recorded));
  return recorded;
}

async function run (nodeName, networkInfo, args) {
  const [check, param] = args;
  const api = await zombie.connect(networkInfo.nodesByName[nodeName].wsUri);
  try {
    switch (check) {
      case 'record': {
        let final;
        while ((final = await finalizedNumber(api)) < 3) await sleep(1000);
        return Object.keys(await record(api, networkInfo, 1, final)).length;
      }
      case 'advance': {
        const start = await finalizedNumber(api);
        let final;
        while ((final = await finalizedNumber(api)) < start + Number(param)) await sleep(1000);
        await record(api, networkInfo, start, final);
        return final - start;
      }
      case 'caught-up': {
        const alice = await zombie.connect(networkInfo.nodesByName.alice.wsUri);
        try {
          const target = await alice.rpc.chain.getHeader();
          const targetFinal = await finalizedNumber(alice);
          for (;;) {
            const best = (await api.rpc.chain.getHeader()).number.toNumber();
            if (best >= target.number.toNumber() && await finalizedNumber(api) >= targetFinal) return 1;
            await sleep(1000);
          }
        } finally {
          await alice.disconnect();
        }
      }
      case 'authors': {
        const keyring = new zombie.Keyring({ type: 'sr25519' });
        const account = keyring.addFromUri(`//${nodeName[0].toUpperCase()}${nodeName.slice(1)}`).address;
        let checked = await finalizedNumber(api);
        for (;;) {
          const final = await finalizedNumber(api);
          for (let n = checked + 1; n <= final; n++) {
            const header = await api.derive.chain.getHeader(await api.rpc.chain.getBlockHash(n));
            if (header.author?.toString() === account) {
              console.log(`${nodeName} authored finalized block #${n}`);
              return 1;
            }
          }
          checked = final;
          await sleep(1000);
        }
      }
      case 'no-revert': {
        const recorded = JSON.parse(fs.readFileSync(recordFile(networkInfo), 'utf8'));
        const final = await finalizedNumber(api);
        let same = 0;
        for (const [n, hash] of Object.entries(recorded)) {
          if (Number(n) > final) throw new Error(`${nodeName} has not finalized #${n} (finalized: #${final})`);
          const now = (await api.rpc.chain.getBlockHash(Number(n))).toHex();
          if (now !== hash) throw new Error(`${nodeName}: finalized block #${n} was ${hash}, now ${now}`);
          same += 1;
        }
        console.log(`${nodeName}: all ${same} recorded finalized blocks are unchanged`);
        return same > 0 ? 1 : 0;
      }
      default:
        throw new Error(`unknown check ${check}`);
    }
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
