/** Plan estimates and the pull-request comment. */
import { describe, expect, it } from '@jest/globals';
import type { Digest } from '../../../promoter/domain/digest.js';
import type { PlannedAction } from '../../../promoter/domain/plan.js';
import { estimatePlan } from '../../../promoter/plan/estimate.js';
import { formatPlanMarkdown } from '../../../promoter/report/plan-format.js';
import { D } from './plan-helpers.js';

const copy = (dest: string, digest: Digest): PlannedAction => ({
  kind: 'copy',
  outcome: 'apply',
  reason: 'missing',
  dest,
  source: 'staging.io/p/app',
  digest,
  role: 'image',
});
const actions: PlannedAction[] = [
  copy('a.io/p/app', D('x')),
  copy('b.io/p/app', D('x')),
  {
    kind: 'tag',
    outcome: 'apply',
    reason: 'tag-missing',
    dest: 'a.io/p/app',
    source: 'staging.io/p/app',
    digest: D('x'),
    tag: 'v1',
    role: 'image',
  },
  {
    kind: 'tag',
    outcome: 'refused',
    reason: 'tag-move-refused',
    dest: 'b.io/p/app',
    source: 'staging.io/p/app',
    digest: D('x'),
    tag: 'v1',
    role: 'image',
    detail: D('y'),
  },
];
const graph = {
  manifests: 1,
  blobs: new Map([
    [D('c'), 1000],
    [D('l'), 5000],
  ]),
};

describe('estimatePlan', () => {
  it('counts per store, sizes copies, and charges the source once per image', () => {
    const e = estimatePlan(
      actions,
      (p) => `registry ${p.split('/')[0]}`,
      () => graph,
    );
    expect(e.totalBytes).toBe(12_000);
    expect(e.stores.get('registry a.io')).toEqual({
      copies: 1,
      tags: 1,
      deletes: 0,
      refused: 0,
      skipped: 0,
      bytes: 6000,
      requests: 2 + 6 + 1 + 2,
    });
    expect(e.stores.get('registry b.io')).toMatchObject({ copies: 1, refused: 1 });
    expect(e.stores.get('registry staging.io')!.requests).toBe(3);
  });
});

describe('the pull-request comment', () => {
  it('has a table per store and the actions per repository', () => {
    const md = formatPlanMarkdown({
      plan: { actions, findings: [], unchanged: new Map() },
      estimate: estimatePlan(
        actions,
        (p) => `registry ${p.split('/')[0]}`,
        () => graph,
      ),
      findings: [],
    });
    expect(md).toContain('**3 actions** would run');
    expect(md).toContain('| registry a.io | 1 | 1 | 0 | 0 | 0 | 5.9 KiB | 11 |');
    expect(md).toContain('<details><summary><code>b.io/p/app</code>: 2 actions</summary>');
    expect(md).toContain('**refused** (tag-move-refused): tag v1 →');
  });
});
