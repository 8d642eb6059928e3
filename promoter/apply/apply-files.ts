/**
 * The file side of applying a plan: each file is read once from its source for every destination that
 * lacks it (or may have it overwritten), deletions run as planned, and every written file is checked
 * afterwards — its size, and the sha256 its metadata (or the hash cache) records.
 */
import type pLimit from 'p-limit';
import type { FileCopier } from '../copy/file-copier.js';
import { errorCode, errorMessage, NotFoundError } from '../errors.js';
import { listAll, type ObjectInfo } from '../adapters/objectstore/object-store.js';
import type { FileLocation, LocateFiles } from '../observe/observe-files.js';
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

/** Fewest files written under one base for verification to list rather than stat each. */
const LIST_VERIFY_MIN = 8;

/** The longest common prefix of `keys`, cut back to a `/` boundary. */
function commonDir(keys: string[]): string {
  let p = keys[0] ?? '';
  for (const k of keys) while (!k.startsWith(p)) p = p.slice(0, -1);
  return p.slice(0, p.lastIndexOf('/') + 1);
}

/**
 * What a listing of the written keys' common directory says of them, or undefined when that directory
 * holds too much more than was written for a listing to be the cheaper check.
 */
async function listWritten(at: FileLocation, keys: string[]): Promise<Map<string, ObjectInfo> | undefined> {
  const wanted = new Set(keys);
  const found = new Map<string, ObjectInfo>();
  const budget = Math.max(1000, 4 * keys.length);
  let seen = 0;
  for await (const o of listAll(at.store, commonDir(keys))) {
    if (++seen > budget) return undefined;
    if (wanted.has(o.key)) found.set(o.key, o);
  }
  return found;
}

/**
 * Checks that every file copied is there with the size and sha256 planned: one listing of the directory
 * the files were written to where that is cheaper (it carries sha256 metadata, or the hash cache knows the
 * version written), else — and for anything the listing does not settle — a stat per file.
 */
export async function verifyFiles(
  actions: AppliedAction[],
  ctx: FileApplyContext,
  limit: Limit,
): Promise<void> {
  const byDest = new Map<string, AppliedAction[]>();
  for (const a of actions) byDest.set(a.dest, [...(byDest.get(a.dest) ?? []), a]);
  await Promise.all(
    [...byDest].map(async ([dest, group]) => {
      let at: FileLocation;
      try {
        at = ctx.locate(dest);
      } catch (err) {
        for (const a of group) fail(a, err);
        return;
      }
      const listed =
        group.length >= LIST_VERIFY_MIN
          ? await limit(() =>
              listWritten(
                at,
                group.map((a) => at.prefix + a.file!),
              ).catch(() => undefined),
            )
          : undefined;
      await Promise.all(
        group.map(async (a) => {
          try {
            let info = listed?.get(at.prefix + a.file!);
            if (info?.sha256 === undefined) info = await limit(() => at.store.stat(at.prefix + a.file!));
            if (info?.size !== a.size || info?.sha256 !== sha256Of(a)) {
              a.result = 'failed';
              a.error = `verification: ${a.dest}${a.file} holds ${info ? `${info.size} bytes with sha256 ${info.sha256 ?? 'unknown'}` : 'nothing'}, not ${a.size} bytes with ${sha256Of(a)}`;
            }
          } catch (err) {
            fail(a, err);
          }
        }),
      );
    }),
  );
}

function fail(a: AppliedAction, err: unknown): void {
  a.result = 'failed';
  a.error = `verification: ${errorMessage(err)}`;
  a.errorCode = errorCode(err);
}
