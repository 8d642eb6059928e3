/** Table tests for the file planner and guarded file deletion (pure: manifests + inventories → actions). */
import { describe, expect, it } from '@jest/globals';
import type { ManifestSet, Policy } from '../../../promoter/domain/manifest-model.js';
import type { PlannedAction } from '../../../promoter/domain/plan.js';
import { loadManifests } from '../../../promoter/manifest/load.js';
import { guardDeletions, mergeCandidates } from '../../../promoter/plan/deletion-guard.js';
import { desiredFiles } from '../../../promoter/plan/desired-files.js';
import type { FileEntry, FileInventory } from '../../../promoter/plan/file-inventory.js';
import { fileDeletionCandidates, fileRemovals } from '../../../promoter/plan/plan-file-deletions.js';
import { planFiles } from '../../../promoter/plan/plan-files.js';
import { imageDeletionCandidates, imageRemovals } from '../../../promoter/plan/plan-deletions.js';
import { MemoryTree } from '../../fakes/memory-tree.js';
import { fileProject, shaOf, thinProject } from '../../helpers/manifests.js';
import { dest, manifestSet, policy } from './plan-helpers.js';

const SRC = 'gs://staging/rel/';
const A = 's3://mirror-a/bin/';
const B = 'gs://mirror-b/';
const S = shaOf;

async function files(list: Record<string, string>, dests = [A, B], project = 'tool'): Promise<ManifestSet> {
  return (await loadManifests(new MemoryTree(fileProject(project, SRC, dests, list)))).set;
}

/** A readable inventory from `{ name: sha256 label | [label, 'listed'] }`: sha256 known, or only listed. */
function inv(entries: Record<string, string | [string, 'listed'] | [string, 'unreadable']>): FileInventory {
  const out = new Map<string, FileEntry>();
  for (const [name, v] of Object.entries(entries)) {
    if (typeof v === 'string') out.set(name, { size: 10, sha256: S(v), sha256From: 'metadata' });
    else if (v[1] === 'listed') out.set(name, { size: 10 });
    else out.set(name, { size: 10, hashError: 'read failed: 500' });
  }
  return { readable: true, files: out };
}

const brief = (a: PlannedAction) =>
  `${a.kind} ${a.outcome} ${a.reason} ${a.dest}${a.file}${a.detail ? ` (${a.detail.length === 64 ? 'sha' : a.detail})` : ''}`;

interface Case {
  name: string;
  files: Record<string, string>;
  source: FileInventory;
  mirrors: Record<string, FileInventory>;
  policy?: Partial<Policy>;
  want: string[];
  findings?: string[];
  unchanged?: Record<string, number>;
}

const cases: Case[] = [
  {
    name: 'copies a missing file to every mirror',
    files: { 'v1/tool': S('t') },
    source: inv({ 'v1/tool': 't' }),
    mirrors: { [A]: inv({}), [B]: inv({}) },
    want: [`copy-file apply missing ${A}v1/tool`, `copy-file apply missing ${B}v1/tool`],
  },
  {
    name: 'keeps a file a mirror holds with the same sha256',
    files: { 'v1/tool': S('t') },
    source: inv({ 'v1/tool': 't' }),
    mirrors: { [A]: inv({ 'v1/tool': 't' }), [B]: inv({}) },
    want: [`copy-file apply missing ${B}v1/tool`],
    unchanged: { [A]: 1 },
  },
  {
    name: 'copies a source that was only listed (its bytes are verified while copying)',
    files: { 'v1/tool': S('t') },
    source: inv({ 'v1/tool': ['t', 'listed'] }),
    mirrors: { [A]: inv({}), [B]: inv({ 'v1/tool': 't' }) },
    want: [`copy-file apply missing ${A}v1/tool`],
  },
  {
    name: 'refuses to overwrite a mirror file with another sha256',
    files: { 'v1/tool': S('t') },
    source: inv({ 'v1/tool': 't' }),
    mirrors: { [A]: inv({ 'v1/tool': 'other' }), [B]: inv({ 'v1/tool': 't' }) },
    want: [`copy-file refused overwrite-refused ${A}v1/tool (sha)`],
    findings: ['file-overwrite-refused'],
  },
  {
    name: 'overwrites when policy allows, saying what was there',
    files: { 'v1/tool': S('t') },
    source: inv({ 'v1/tool': 't' }),
    mirrors: { [A]: inv({ 'v1/tool': 'other' }), [B]: inv({ 'v1/tool': 't' }) },
    policy: { allowFileOverwrite: true },
    want: [`copy-file apply overwrite-allowed ${A}v1/tool (sha)`],
  },
  {
    name: 'refuses a file that is not in the source, once per file',
    files: { 'v1/tool': S('t') },
    source: inv({}),
    mirrors: { [A]: inv({}), [B]: inv({}) },
    want: [`copy-file refused source-missing ${A}v1/tool`, `copy-file refused source-missing ${B}v1/tool`],
    findings: ['file-not-in-source'],
  },
  {
    name: 'refuses a corrupt source (its sha256 is not the manifest’s)',
    files: { 'v1/tool': S('t') },
    source: inv({ 'v1/tool': 'tampered' }),
    mirrors: { [A]: inv({}), [B]: inv({ 'v1/tool': 't' }) },
    want: [`copy-file refused source-corrupt ${A}v1/tool (sha)`],
    findings: ['file-source-corrupt'],
  },
  {
    name: 'skips files of an unreadable source',
    files: { 'v1/tool': S('t') },
    source: { readable: false, error: 'AccessDenied' },
    mirrors: { [A]: inv({}), [B]: inv({}) },
    want: [
      `copy-file skipped source-unreadable ${A}v1/tool (AccessDenied)`,
      `copy-file skipped source-unreadable ${B}v1/tool (AccessDenied)`,
    ],
    findings: ['source-unreadable'],
  },
  {
    name: 'skips a source file that could not be hashed',
    files: { 'v1/tool': S('t') },
    source: inv({ 'v1/tool': ['t', 'unreadable'] }),
    mirrors: { [A]: inv({}), [B]: inv({ 'v1/tool': 't' }) },
    want: [`copy-file skipped source-unreadable ${A}v1/tool (read failed: 500)`],
    findings: ['source-unreadable'],
  },
  {
    name: 'plans nothing for an unreadable mirror, and says so',
    files: { 'v1/tool': S('t'), 'v1/tool.sha256': S('s') },
    source: inv({ 'v1/tool': 't', 'v1/tool.sha256': 's' }),
    mirrors: {
      [A]: { readable: false, error: 'timeout' },
      [B]: inv({ 'v1/tool': 't', 'v1/tool.sha256': 's' }),
    },
    want: [
      `copy-file skipped destination-unreadable ${A}v1/tool (timeout)`,
      `copy-file skipped destination-unreadable ${A}v1/tool.sha256 (timeout)`,
    ],
    findings: ['destination-unreadable'],
    unchanged: { [B]: 2 },
  },
  {
    name: 'skips a mirror file whose sha256 could not be learnt',
    files: { 'v1/tool': S('t') },
    source: inv({ 'v1/tool': 't' }),
    mirrors: { [A]: inv({ 'v1/tool': ['x', 'unreadable'] }), [B]: inv({ 'v1/tool': 't' }) },
    want: [`copy-file skipped destination-unreadable ${A}v1/tool (read failed: 500)`],
    findings: ['destination-unreadable'],
  },
];

describe('planFiles', () => {
  it.each(cases)('$name', async (c) => {
    const set = await files(c.files);
    const plan = planFiles({
      desired: desiredFiles(set),
      sources: new Map([[SRC, c.source]]),
      destinations: new Map(Object.entries(c.mirrors)),
      policy: policy(c.policy),
    });
    expect(plan.actions.map(brief).sort()).toEqual([...c.want].sort());
    expect(plan.findings.map((f) => f.code)).toEqual(c.findings ?? []);
    for (const [base, n] of Object.entries(c.unchanged ?? {}))
      expect(plan.unchanged.get(base)?.files).toBe(n);
    for (const a of plan.actions) {
      expect(a.pos?.file).toBe('manifests/tool/files.yaml');
      if (a.outcome === 'apply') expect(a).toMatchObject({ source: SRC, size: 10, role: 'file' });
    }
  });

  it('ignores a destination that is the source itself', async () => {
    const set = await files({ x: S('x') }, [SRC, A]);
    expect([...desiredFiles(set).keys()]).toEqual([A]);
  });
});

describe('guarded file deletion', () => {
  const allow = (maxDeletes = 10): Partial<Policy> => ({ deletions: { allowed: true, maxDeletes } });
  const run = async (
    before: Record<string, string>,
    after: Record<string, string>,
    mirrors: Record<string, FileInventory>,
    p: Partial<Policy>,
    afterDests = [A, B],
  ) => {
    const since = await files(before);
    const head = await files(after, afterDests);
    const out = guardDeletions(
      fileDeletionCandidates(fileRemovals(since, head), new Map(Object.entries(mirrors))),
      policy(p),
    );
    return { actions: out.actions.map(brief).sort(), findings: out.findings.map((f) => f.code) };
  };

  it.each([
    {
      name: 'deletes a removed file from every mirror that holds what was promoted',
      mirrors: { [A]: inv({ old: 'o', keep: 'k' }), [B]: inv({ old: 'o' }) },
      policy: allow(),
      want: [`delete-file apply removed ${A}old`, `delete-file apply removed ${B}old`],
      findings: [],
    },
    {
      name: 'refuses when deletions are not allowed',
      mirrors: { [A]: inv({ old: 'o' }), [B]: inv({}) },
      policy: {},
      want: [`delete-file refused deletions-not-allowed ${A}old`],
      findings: ['delete-refused'],
    },
    {
      name: 'leaves a file the mirror holds with another sha256',
      mirrors: { [A]: inv({ old: 'changed' }), [B]: inv({ old: 'o' }) },
      policy: allow(),
      want: [`delete-file apply removed ${B}old`, `delete-file refused mirror-changed ${A}old (sha)`],
      findings: ['delete-refused'],
    },
    {
      name: 'skips an unreadable mirror',
      mirrors: { [A]: { readable: false, error: '503' } as FileInventory, [B]: inv({}) },
      policy: allow(),
      want: [`delete-file skipped destination-unreadable ${A}old (503)`],
      findings: [],
    },
  ])('$name', async (c) => {
    const got = await run({ old: S('o'), keep: S('k') }, { keep: S('k') }, c.mirrors, c.policy);
    expect(got.actions).toEqual([...c.want].sort());
    expect(got.findings).toEqual(c.findings);
  });

  it('a changed sha256 is an overwrite, not a deletion', async () => {
    const got = await run(
      { f: S('1') },
      { f: S('2') },
      { [A]: inv({ f: '1' }), [B]: inv({ f: '1' }) },
      allow(),
    );
    expect(got.actions).toEqual([]);
  });

  it('deletes nothing from a destination the project no longer lists', async () => {
    const got = await run({ old: S('o') }, {}, { [A]: inv({ old: 'o' }), [B]: inv({ old: 'o' }) }, allow(), [
      A,
    ]);
    expect(got.actions).toEqual([`delete-file apply removed ${A}old`]);
  });

  it('counts image and file removals together against maxDeletes', async () => {
    const imgSince = await manifestSet({ app: { a: ['v1'], b: ['v2'] } }, ['mirror-a.io/p']);
    const imgHead = await manifestSet({ app: { a: ['v1'] } }, ['mirror-a.io/p']);
    const fileSince = await files({ old: S('o') });
    const fileHead = await files({});
    // Fresh candidates per guard: the guard marks the actions it refuses.
    const candidates = () =>
      mergeCandidates(
        imageDeletionCandidates({
          removals: imageRemovals(imgSince, imgHead),
          destinations: new Map([['mirror-a.io/p/app', dest({ v1: 'a', v2: 'b' })]]),
          protectedDigests: new Map(),
          policy: policy(allow(1)),
        }),
        fileDeletionCandidates(
          fileRemovals(fileSince, fileHead),
          new Map([
            [A, inv({ old: 'o' })],
            [B, inv({})],
          ]),
        ),
      );
    const out = guardDeletions(candidates(), policy(allow(1)));
    expect(out.actions.map((a) => `${a.kind} ${a.outcome} ${a.reason}`).sort()).toEqual([
      'delete-file refused delete-limit',
      'delete-manifest refused delete-limit',
    ]);
    expect(out.findings.map((f) => f.code)).toEqual(['delete-limit-exceeded']);
    const within = guardDeletions(candidates(), policy(allow(2)));
    expect(within.actions.every((a) => a.outcome === 'apply')).toBe(true);
  });

  it('a project removed from the manifests stops being managed (nothing deleted)', async () => {
    const since = (
      await loadManifests(
        new MemoryTree({
          ...fileProject('tool', SRC, [A], { old: S('o') }),
          ...thinProject('p', 's.io/p', ['m.io/p'], {}),
        }),
      )
    ).set;
    const head = (await loadManifests(new MemoryTree(thinProject('p', 's.io/p', ['m.io/p'], {})))).set;
    expect(fileRemovals(since, head)).toEqual([]);
  });
});
