/** Table tests for guarded deletion: policy, limits, the mirror's current state, sibling tags. */
import { describe, expect, it } from '@jest/globals';
import type { Digest } from '../../../promoter/domain/digest.js';
import type { Policy } from '../../../promoter/domain/manifest-model.js';
import type { RepoInventory } from '../../../promoter/plan/inventory.js';
import { imageRemovals, planDeletions } from '../../../promoter/plan/plan-deletions.js';
import { D, dest, manifestSet, policy } from './plan-helpers.js';

const A = 'mirror-a.io/p/app';
const B = 'mirror-b.io/p/app';
const allow = (maxDeletes = 10): Partial<Policy> => ({ deletions: { allowed: true, maxDeletes } });

interface Case {
  name: string;
  before: Record<string, Record<string, string[]>>;
  after: Record<string, Record<string, string[]>>;
  afterDests?: string[];
  mirrors: Record<string, RepoInventory>;
  policy: Partial<Policy>;
  protect?: string[];
  want: string[];
  findings?: string[];
}

const cases: Case[] = [
  {
    name: 'deletes a removed digest (and its tags) when allowed',
    before: { app: { a: ['v1'], b: ['v2'] } },
    after: { app: { a: ['v1'] } },
    mirrors: { [A]: dest({ v1: 'a', v2: 'b' }), [B]: dest({ v1: 'a', v2: 'b' }) },
    policy: allow(),
    want: [`delete-manifest apply removed ${A}@b`, `delete-manifest apply removed ${B}@b`],
  },
  {
    name: 'refuses deletions that policy does not allow',
    before: { app: { a: ['v1'], b: ['v2'] } },
    after: { app: { a: ['v1'] } },
    mirrors: { [A]: dest({ v1: 'a', v2: 'b' }) },
    policy: {},
    want: [`delete-manifest refused deletions-not-allowed ${A}@b`],
    findings: ['delete-refused'],
  },
  {
    name: 'refuses the whole delete set over maxDeletes, counting entries not mirrors',
    before: { app: { a: ['v1'], b: ['v2'], c: ['v3'] } },
    after: { app: { a: ['v1'] } },
    mirrors: { [A]: dest({ v2: 'b', v3: 'c' }), [B]: dest({ v2: 'b', v3: 'c' }) },
    policy: allow(1),
    want: [
      `delete-manifest refused delete-limit ${A}@b`,
      `delete-manifest refused delete-limit ${A}@c`,
      `delete-manifest refused delete-limit ${B}@b`,
      `delete-manifest refused delete-limit ${B}@c`,
    ],
    findings: ['delete-limit-exceeded'],
  },
  {
    name: 'one entry on two mirrors is one deletion for maxDeletes',
    before: { app: { a: ['v1'], b: ['v2'] } },
    after: { app: { a: ['v1'] } },
    mirrors: { [A]: dest({ v2: 'b' }), [B]: dest({ v2: 'b' }) },
    policy: allow(1),
    want: [`delete-manifest apply removed ${A}@b`, `delete-manifest apply removed ${B}@b`],
  },
  {
    name: 'removes a tag alone when its digest keeps other tags',
    before: { app: { a: ['v1', 'latest'] } },
    after: { app: { a: ['v1'] } },
    mirrors: { [A]: dest({ v1: 'a', latest: 'a' }) },
    policy: allow(),
    want: [`delete-tag apply removed ${A}:latest@a`],
  },
  {
    name: 'leaves a removed tag the mirror has moved since',
    before: { app: { a: ['v1', 'latest'] } },
    after: { app: { a: ['v1'] } },
    mirrors: { [A]: dest({ v1: 'a', latest: 'b' }) },
    policy: allow(),
    want: [`delete-tag refused mirror-changed ${A}:latest@a`],
    findings: ['delete-refused'],
  },
  {
    name: 'does nothing for what the mirror no longer holds',
    before: { app: { a: ['v1'], b: ['v2'] } },
    after: { app: { a: ['v1'] } },
    mirrors: { [A]: dest({ v1: 'a' }) },
    policy: allow(),
    want: [],
  },
  {
    name: 'never deletes a digest a wanted index references',
    before: { app: { a: ['v1'], b: [] } },
    after: { app: { a: ['v1'] } },
    mirrors: { [A]: dest({ v1: 'a' }, ['b']) },
    policy: allow(),
    protect: ['b'],
    want: [`delete-manifest refused mirror-changed ${A}@b`],
    findings: ['delete-refused'],
  },
  {
    name: 'skips an unreadable mirror',
    before: { app: { a: ['v1'], b: ['v2'] } },
    after: { app: { a: ['v1'] } },
    mirrors: { [A]: { readable: false, error: '500' } },
    policy: allow(),
    want: [`delete-manifest skipped destination-unreadable ${A}@b`],
  },
  {
    name: 'deletes nothing when a destination is dropped from registries',
    before: { app: { a: ['v1'] } },
    after: { app: { a: ['v1'] } },
    afterDests: ['mirror-a.io/p'],
    mirrors: { [B]: dest({ v1: 'a' }) },
    policy: allow(),
    want: [],
  },
];

describe('guarded deletion', () => {
  it.each(cases)('$name', async (c) => {
    const dests = B in c.mirrors && !c.afterDests ? ['mirror-a.io/p', 'mirror-b.io/p'] : ['mirror-a.io/p'];
    const since = await manifestSet(c.before, c.afterDests ? ['mirror-a.io/p', 'mirror-b.io/p'] : dests);
    const head = await manifestSet(c.after, c.afterDests ?? dests);
    const protectedDigests = new Map<string, Set<Digest>>([[A, new Set((c.protect ?? []).map(D))]]);
    const { actions, findings } = planDeletions({
      removals: imageRemovals(since, head),
      destinations: new Map(Object.entries(c.mirrors)),
      protectedDigests,
      policy: policy(c.policy),
    });
    const names: Record<string, string> = { [D('a')]: 'a', [D('b')]: 'b', [D('c')]: 'c' };
    const got = actions.map(
      (a) => `${a.kind} ${a.outcome} ${a.reason} ${a.dest}${a.tag ? `:${a.tag}` : ''}@${names[a.digest]}`,
    );
    expect(got.sort()).toEqual([...c.want].sort());
    expect(findings.map((f) => f.code)).toEqual(c.findings ?? []);
  });
});
