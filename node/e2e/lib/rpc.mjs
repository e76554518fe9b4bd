// The `rpc:` definitions a polkadot.js user passes to reach Swarmchain's custom JSON-RPC methods
// (`models_*`, `weights_*`, `jobs_*`, `rounds_*`, `nodes_*`, `rewards_*`, `worker_*`). The README shows the same object.
//
//   const api = await ApiPromise.create({ provider, rpc: swarmRpc });
//   const v = await api.rpc.models.version('mnist-mlp@production');   // a Json codec
//   v.toJSON().metrics                                                 // [{ name, value }]

const at = { name: 'at', type: 'BlockHash', isOptional: true };

export const swarmRpc = {
  models: {
    model: {
      description: 'A model by id or name.',
      params: [{ name: 'model', type: 'Text' }, at],
      type: 'Json'
    },
    version: {
      description: 'A version by id ("42") or reference ("mnist-mlp@production", "mnist-mlp@latest", "7@v3").',
      params: [{ name: 'version', type: 'Text' }, at],
      type: 'Json'
    },
    versions: {
      description: 'The versions of a model, by number from `start`, at most `limit`.',
      params: [{ name: 'model', type: 'Text' }, { name: 'start', type: 'u32', isOptional: true },
        { name: 'limit', type: 'u32', isOptional: true }, at],
      type: 'Json'
    },
    ancestors: {
      description: 'A version and its ancestors up to `depth` derivation steps (default 1000).',
      params: [{ name: 'version', type: 'Text' }, { name: 'depth', type: 'u32', isOptional: true }, at],
      type: 'Json'
    },
    descendants: {
      description: 'A version and its descendants up to `depth` derivation steps (default 1000).',
      params: [{ name: 'version', type: 'Text' }, { name: 'depth', type: 'u32', isOptional: true }, at],
      type: 'Json'
    },
    path: {
      description: 'The shortest derivation path between two versions, or null.',
      params: [{ name: 'from', type: 'Text' }, { name: 'to', type: 'Text' }, at],
      type: 'Json'
    },
    contributors: {
      description: 'Every account and training round that contributed to a version\'s ancestry.',
      params: [{ name: 'version', type: 'Text' }, at],
      type: 'Json'
    },
    card: {
      description: 'A version\'s Hugging Face model card: README.md text with YAML front matter.',
      params: [{ name: 'version', type: 'Text' }, at],
      type: 'Json'
    }
  },
  worker: {
    keys: {
      description: 'The worker keys (swrk) in the node\'s keystore.',
      params: [],
      type: 'Json'
    },
    registrationProof: {
      description: 'A proof that the node\'s worker key belongs to a node of `owner`.',
      params: [{ name: 'owner', type: 'Text' }, { name: 'key', type: 'Text', isOptional: true }],
      type: 'Json'
    }
  },
  jobs: {
    job: {
      description: 'An inference job: request, seats, phase and outcomes.',
      params: [{ name: 'id', type: 'u64' }, at],
      type: 'Json'
    },
    result: {
      description: 'The agreed result of a settled job: labels and Q15.16 scores.',
      params: [{ name: 'id', type: 'u64' }, at],
      type: 'Json'
    },
    recent: {
      description: 'The newest stored jobs (default 20, at most 100), newest first.',
      params: [{ name: 'limit', type: 'u32', isOptional: true }, at],
      type: 'Json'
    },
    assigned: {
      description: 'The stored jobs in which a compute node holds or held a seat.',
      params: [{ name: 'node', type: 'u64' }, at],
      type: 'Json'
    },
    quote: {
      description: 'What a request of a version with `replicas` replicas holds in escrow now.',
      params: [{ name: 'version', type: 'u64' }, { name: 'replicas', type: 'u32', isOptional: true }, at],
      type: 'Json'
    },
    disputeTerms: {
      description: 'What a challenge of a settled job holds now: the bond, the committee\'s size and fee.',
      params: [at],
      type: 'Json'
    }
  },
  rounds: {
    round: {
      description: 'A training round: spec, participants, committee and phase.',
      params: [{ name: 'id', type: 'u64' }, at],
      type: 'Json'
    },
    recent: {
      description: 'The newest stored rounds (default 20, at most 100), newest first.',
      params: [{ name: 'limit', type: 'u32', isOptional: true }, at],
      type: 'Json'
    },
    open: {
      description: 'The rounds compute nodes may join now.',
      params: [at],
      type: 'Json'
    },
    participants: {
      description: 'The participants of a round, with their updates and outcomes.',
      params: [{ name: 'id', type: 'u64' }, at],
      type: 'Json'
    },
    result: {
      description: 'The committee\'s agreed result of a decided round.',
      params: [{ name: 'id', type: 'u64' }, at],
      type: 'Json'
    },
    involved: {
      description: 'The stored rounds in which a compute node takes or took part.',
      params: [{ name: 'node', type: 'u64' }, at],
      type: 'Json'
    },
    disputeTerms: {
      description: 'What a challenge of a settled round holds now: bond, committee size and fee.',
      params: [at],
      type: 'Json'
    }
  },
  nodes: {
    node: {
      description: 'A compute node: owner, keys, status, reputation, bond, earnings and work.',
      params: [{ name: 'id', type: 'u64' }, at],
      type: 'Json'
    },
    list: {
      description: 'Registered compute nodes with an id of at least `start`, by id (at most 256).',
      params: [{ name: 'start', type: 'u64', isOptional: true }, { name: 'limit', type: 'u32', isOptional: true }, at],
      type: 'Json'
    }
  },
  rewards: {
    status: {
      description: 'The reward pot, the emission and the issuance accounting.',
      params: [at],
      type: 'Json'
    }
  },
  weights: {
    manifest: {
      description: 'The manifest (size, chunk hashes) of a stored weights file.',
      params: [{ name: 'file', type: 'H256' }, at],
      type: 'Json'
    },
    chunk: {
      description: 'The bytes of chunk `index` of a stored weights file.',
      params: [{ name: 'file', type: 'H256' }, { name: 'index', type: 'u32' }],
      type: 'Bytes'
    },
    upload: {
      description: 'The progress of an upload in progress.',
      params: [{ name: 'file', type: 'H256' }, at],
      type: 'Json'
    }
  }
};
