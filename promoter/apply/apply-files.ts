/**
 * The file side of applying a plan: each file is read once from its source for every destination that
 * lacks it (or may have it overwritten), deletions run as planned, and every written file is checked
 * afterwards by a stat — its size, and the sha256 its metadata (or the local hash cache) records.
 */
import type pLimit from 'p-limit';
import type { FileCopier } from '../copy/file-copier.js';
import { errorCode, errorMessage, NotFoundError } from '../errors.js';
import type { LocateFiles } from '../observe/observe-files.js';
import type { AppliedAction } from './apply-plan.js';

/** What applying files needs. */
export interface FileApplyContext {
  locate: LocateFiles;
  copier: FileCopier;
}

type Finish = (a: AppliedAction, err?: unknown) => void;
type Limit = ReturnType<typeof pLimit>;

const sha256Of = (a: AppliedAction) => a.digest.slice('sha256:'.length);

/** Copies every `copy-file` action: one read of each (source, file, sha256) for all its destinations. */
export async function copyFiles(
  actions: AppliedAction[],
  ctx: FileApplyContext,
  limit: Limit,
  finish: Finish,
): Promise<void> {
  const groups = new Map<string, AppliedAction[]>();
  for (const a of actions) {
    const key = `${a.source}\0${a.file}\0${a.digest}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  await Promise.all(
    [...groups.values()].map((group) =>
      limit(async () => {
        const first = group[0]!;
        try {
          const outcomes = await ctx.copier.copy(
            {
              at: ctx.locate(first.source!),
              name: first.file!,
              size: first.size ?? 0,
              sha256: sha256Of(first),
            },
            group.map((a) => ({
              id: a.dest,
              at: ctx.locate(a.dest),
              overwrite: a.reason === 'overwrite-allowed',
            })),
          );
          outcomes.forEach((o, i) => finish(group[i]!, o.error));
        } catch (err) {
          for (const a of group) finish(a, err);
        }
      }),
    ),
  );
}

/** Deletes every `delete-file` action (already gone counts as done). */
export async function deleteFiles(
  actions: AppliedAction[],
  ctx: FileApplyContext,
  limit: Limit,
  finish: Finish,
): Promise<void> {
  await Promise.all(
    actions.map((a) =>
      limit(async () => {
        try {
          const at = ctx.locate(a.dest);
          await at.store.delete(at.prefix + a.file!);
          finish(a);
        } catch (err) {
          finish(a, err instanceof NotFoundError ? undefined : err);
        }
      }),
    ),
  );
}

/** Checks that every file copied is there with the size and sha256 planned. */
export async function verifyFiles(
  actions: AppliedAction[],
  ctx: FileApplyContext,
  limit: Limit,
): Promise<void> {
  await Promise.all(
    actions.map((a) =>
      limit(async () => {
        try {
          const at = ctx.locate(a.dest);
          const info = await at.store.stat(at.prefix + a.file!);
          if (info?.size !== a.size || info?.sha256 !== sha256Of(a)) {
            a.result = 'failed';
            a.error = `verification: ${a.dest}${a.file} holds ${info ? `${info.size} bytes with sha256 ${info.sha256 ?? 'unknown'}` : 'nothing'}, not ${a.size} bytes with ${sha256Of(a)}`;
          }
        } catch (err) {
          a.result = 'failed';
          a.error = `verification: ${errorMessage(err)}`;
          a.errorCode = errorCode(err);
        }
      }),
    ),
  );
}
