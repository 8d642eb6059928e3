/** Table tests for every decision of the image planner. */
import { describe, expect, it } from '@jest/globals';
import type { PlannedAction } from '../../../promoter/domain/plan.js';
import { desiredImages } from '../../../promoter/plan/desired-images.js';
import type { RepoInventory, SourceInventory } from '../../../promoter/plan/inventory.js';
import { planImages } from '../../../promoter/plan/plan-images.js';
import { D, dest, manifestSet, policy, source } from './plan-helpers.js';

const A = 'mirror-a.io/p/app';
const SRC = 'staging.io/p/app';

/** Actions as `kind outcome reason [tag] @digest-label`, for readable expectations. */
function brief(actions: PlannedAction[], labels: Record<string, string>): string[] {
  const name = (d: string) => Object.entries(labels).find(([, v]) => v === d)?.[0] ?? d;
  return actions
    .map((a) => `${a.kind} ${a.outcome} ${a.reason}${a.tag ? ` ${a.tag}` : ''} @${name(a.digest)}`)
    .sort();
}

const labels = { a: D('a'), b: D('b'), sig: D('sig'), sig2: D('sig2'), ref: D('ref') };

interface Case {
  name: string;
  images?: Record<string, Record<string, string[]>>;
  dest: RepoInventory;
  source: SourceInventory;
  allowTagMoves?: boolean;
  want: string[];
  findings?: string[];
  unchanged?: { digests: number; tags: number; files: number };
}

const cases: Case[] = [
  {
    name: 'copies a missing digest and adds its tag',
    dest: dest(),
    source: source(['a']),
    want: ['copy apply missing @a', 'tag apply tag-missing v1 @a'],
  },
  {
    name: 'does nothing when digest and tag are there',
    dest: dest({ v1: 'a' }),
    source: source(['a']),
    want: [],
    unchanged: { digests: 1, tags: 1, files: 0 },
  },
  {
    name: 'adds a tag to a present digest (manifest-only)',
    dest: dest({}, ['a']),
    source: source(['a']),
    want: ['tag apply tag-missing v1 @a'],
  },
  {
    name: 'refuses to move a tag',
    dest: dest({ v1: 'b' }, ['a']),
    source: source(['a']),
    want: ['tag refused tag-move-refused v1 @a'],
    findings: ['tag-move-refused'],
  },
  {
    name: 'moves a tag when policy allows',
    dest: dest({ v1: 'b' }, ['a']),
    source: source(['a']),
    allowTagMoves: true,
    want: ['tag apply tag-move-allowed v1 @a'],
  },
  {
    name: 'reports a digest missing from the source, and skips its tag',
    dest: dest(),
    source: source([]),
    want: ['copy refused source-missing @a', 'tag skipped source-missing v1 @a'],
    findings: ['digest-not-in-source'],
  },
  {
    name: 'skips what needs an unreadable source',
    dest: dest(),
    source: { readable: false, error: '503' },
    want: ['copy skipped source-unreadable @a', 'tag skipped source-unreadable v1 @a'],
    findings: ['source-unreadable'],
  },
  {
    name: 'skips an unreadable destination, never guesses',
    dest: { readable: false, error: 'connection refused' },
    source: source(['a']),
    want: ['copy skipped destination-unreadable @a'],
    findings: ['destination-unreadable'],
  },
  {
    name: 'refuses conflicting edges but copies the digests',
    images: { app: { a: ['v1'], b: ['v1'] } },
    dest: dest(),
    source: source(['a', 'b']),
    want: [
      'copy apply missing @a',
      'copy apply missing @b',
      'tag refused conflicting-edges v1 @a',
      'tag refused conflicting-edges v1 @b',
    ],
  },
  {
    name: 'promotes by digest only',
    images: { app: { a: [] } },
    dest: dest(),
    source: source(['a']),
    want: ['copy apply missing @a'],
  },
  {
    name: 'carries a cosign signature along',
    dest: dest(),
    source: source(['a'], {
      a: [{ tag: `${D('a').replace(':', '-')}.sig`, digest: D('sig'), role: 'signature' }],
    }),
    want: [
      'copy apply missing @a',
      'copy apply missing @sig',
      `tag apply tag-missing ${D('a').replace(':', '-')}.sig @sig`,
      'tag apply tag-missing v1 @a',
    ],
  },
  {
    name: 'follows an updated signature tag',
    dest: dest({ v1: 'a', [`${D('a').replace(':', '-')}.sig`]: 'sig' }),
    source: source(['a'], {
      a: [{ tag: `${D('a').replace(':', '-')}.sig`, digest: D('sig2'), role: 'signature' }],
    }),
    want: ['copy apply missing @sig2', `tag apply artifact-updated ${D('a').replace(':', '-')}.sig @sig2`],
  },
  {
    name: 'leaves a signature that is already there',
    dest: dest({ v1: 'a', [`${D('a').replace(':', '-')}.sig`]: 'sig' }),
    source: source(['a'], {
      a: [{ tag: `${D('a').replace(':', '-')}.sig`, digest: D('sig'), role: 'signature' }],
    }),
    want: [],
    unchanged: { digests: 1, tags: 2, files: 0 },
  },
  {
    name: 'copies referrers found through the API',
    dest: dest({ v1: 'a' }),
    source: source(['a'], {}, { a: ['ref'] }),
    want: ['copy apply missing @ref'],
  },
  {
    name: 'leaves referrers that are there',
    dest: dest({ v1: 'a' }, ['ref']),
    source: source(['a'], {}, { a: ['ref'] }),
    want: [],
  },
];

describe('planImages', () => {
  it.each(cases)('$name', async (c) => {
    const set = await manifestSet(c.images ?? { app: { a: ['v1'] } }, ['mirror-a.io/p']);
    const plan = planImages({
      desired: desiredImages(set),
      destinations: new Map([[A, c.dest]]),
      sources: new Map([[SRC, c.source]]),
      policy: policy({ allowTagMoves: c.allowTagMoves === true }),
    });
    expect(brief(plan.actions, labels)).toEqual([...c.want].sort());
    expect(plan.findings.map((f) => f.code)).toEqual(c.findings ?? []);
    if (c.unchanged) expect(plan.unchanged.get(A)).toEqual(c.unchanged);
    for (const a of plan.actions) expect([A]).toContain(a.dest);
  });

  it('plans each mirror on its own, and a source finding once', async () => {
    const set = await manifestSet({ app: { a: ['v1'] } });
    const plan = planImages({
      desired: desiredImages(set),
      destinations: new Map([
        [A, dest({ v1: 'a' })],
        ['mirror-b.io/p/app', dest()],
      ]),
      sources: new Map([[SRC, source(['a'])]]),
      policy: policy(),
    });
    expect(plan.actions.map((a) => `${a.dest} ${a.kind}`).sort()).toEqual([
      'mirror-b.io/p/app copy',
      'mirror-b.io/p/app tag',
    ]);
  });
});
