/**
 * Runs a plan in phases: every copy (digests first, each read once for all the mirrors that lack it),
 * then every tag — only where its digest is present, so no tag ever points at an incomplete image — then
 * the guarded deletions, then a verification HEAD of what was written. Each action fails alone; the others
 * proceed. Bounded concurrency here; per-host limits and retries live in the HTTP layer.
 */
import pLimit from 'p-limit';
import type { CopySession } from '../copy/copy-session.js';
import type { PlannedAction } from '../domain/plan.js';
import { errorCode, errorMessage, NotFoundError } from '../errors.js';
import { copyFiles, deleteFiles, type FileApplyContext, verifyFiles } from './apply-files.js';
import type { Locate } from '../observe/observe-images.js';

/** How an action ended. */
export type ActionResult = 'done' | 'failed' | 'not-run';

/** A planned action and what became of it. */
export interface AppliedAction extends PlannedAction {
  result: ActionResult;
  error?: string;
  /** The error catalogue's code for the failure (INTEGRITY, NOT_FOUND, AUTH…). */
  errorCode?: string;
}

/** Hears of progress: actions finished and bytes uploaded. */
export interface ProgressSink {
  actionDone(a: AppliedAction): void;
}

/** What applying needs. */
export interface ApplyContext {
  locate: Locate;
  session: CopySession;
  /** Images copied, tags written, deletions run at once. */
  concurrency: number;
  progress?: ProgressSink;
  /** HEAD each written tag and digest afterwards (default true). */
  verify?: boolean;
  /** Where filestores are and how files are copied (needed when the plan has file actions). */
  files?: FileApplyContext;
}

const key = (dest: string, digest: string) => `${dest}\0${digest}`;

/** Applies every `apply` action of `actions`; other actions are returned as not run. */
export async function applyActions(actions: PlannedAction[], ctx: ApplyContext): Promise<AppliedAction[]> {
  const out: AppliedAction[] = actions.map((a) => ({ ...a, result: 'not-run' }));
  const limit = pLimit(ctx.concurrency);
  const finish = (a: AppliedAction, err?: unknown) => {
    a.result = err === undefined ? 'done' : 'failed';
    if (err !== undefined) {
      a.error = errorMessage(err);
      a.errorCode = errorCode(err);
    }
    ctx.progress?.actionDone(a);
  };
  const todo = (kind: PlannedAction['kind']) => out.filter((a) => a.kind === kind && a.outcome === 'apply');

  // 1. Digests: one copy per (source, digest) to every destination that lacks it.
  const groups = new Map<string, AppliedAction[]>();
  for (const a of todo('copy'))
    groups.set(key(a.source!, a.digest), [...(groups.get(key(a.source!, a.digest)) ?? []), a]);
  const missing = new Set<string>();
  const files = ctx.files;
  if (!files && out.some((a) => a.kind.endsWith('-file') && a.outcome === 'apply'))
    throw new Error('applyActions: the plan has file actions but no filestores were given');
  const fileCopies = files ? copyFiles(todo('copy-file'), files, limit, finish) : Promise.resolve();
  await Promise.all(
    [...groups.values()].map((group) =>
      limit(async () => {
        const first = group[0]!;
        try {
          const report = await ctx.session.copyImage(
            ctx.locate(first.source!),
            first.digest,
            group.map((a) => ctx.locate(a.dest)),
            [],
          );
          report.targets.forEach((t, i) => {
            const a = group[i]!;
            if (t.status === 'failed') missing.add(key(a.dest, a.digest));
            finish(a, t.status === 'failed' ? new Error(t.error) : undefined);
          });
        } catch (err) {
          for (const a of group) {
            missing.add(key(a.dest, a.digest));
            finish(a, err);
          }
        }
      }),
    ),
  );

  await fileCopies;

  // 2. Tags, only where the digest is now present.
  await Promise.all(
    todo('tag').map((a) =>
      limit(async () => {
        if (missing.has(key(a.dest, a.digest))) {
          a.error = 'its digest could not be copied';
          ctx.progress?.actionDone(a);
          return;
        }
        try {
          const m = await ctx.session.manifest(ctx.locate(a.source!), a.digest);
          const at = ctx.locate(a.dest);
          await at.store.putManifest(at.repo, a.tag!, m);
          finish(a);
        } catch (err) {
          finish(a, err);
        }
      }),
    ),
  );

  // 3. Guarded deletions (already gone counts as done).
  await Promise.all(
    [...todo('delete-manifest'), ...todo('delete-tag')].map((a) =>
      limit(async () => {
        const at = ctx.locate(a.dest);
        try {
          if (a.kind === 'delete-tag') await at.store.deleteTag(at.repo, a.tag!);
          else await at.store.deleteManifest(at.repo, a.digest);
          finish(a);
        } catch (err) {
          finish(a, err instanceof NotFoundError ? undefined : err);
        }
      }),
    ),
  );

  if (files) await deleteFiles(todo('delete-file'), files, limit, finish);

  if (ctx.verify !== false) {
    await verify(out, ctx, limit);
    if (files)
      await verifyFiles(
        out.filter((a) => a.kind === 'copy-file' && a.result === 'done'),
        files,
        limit,
      );
  }
  return out;
}

/** Checks with HEAD that every written tag and copied digest is there with the digest planned. */
async function verify(
  actions: AppliedAction[],
  ctx: ApplyContext,
  limit: ReturnType<typeof pLimit>,
): Promise<void> {
  await Promise.all(
    actions
      .filter((a) => a.result === 'done' && (a.kind === 'copy' || a.kind === 'tag'))
      .map((a) =>
        limit(async () => {
          const at = ctx.locate(a.dest);
          try {
            const head = await at.store.headManifest(at.repo, a.kind === 'tag' ? a.tag! : a.digest);
            if (head?.digest !== a.digest) {
              a.result = 'failed';
              a.error = `verification: ${a.dest}${a.kind === 'tag' ? `:${a.tag}` : ''} holds ${head?.digest ?? 'nothing'}, not ${a.digest}`;
            }
          } catch (err) {
            a.result = 'failed';
            a.error = `verification: ${errorMessage(err)}`;
          }
        }),
      ),
  );
}
