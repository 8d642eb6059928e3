/** Runs the validator on in-memory trees and reduces findings to what tests compare. */
import type { Finding } from '../../promoter/domain/finding.js';
import { validateTrees } from '../../promoter/manifest/validate.js';
import { type MemoryFile, MemoryTree } from '../fakes/memory-tree.js';

/** A finding as `code@file:line:col` (severity appended when not the catalogue default is asserted). */
export function brief(f: Finding): string {
  return `${f.code}@${f.file}:${f.line}:${f.column}`;
}

/** Validates `files` (and the change from `base` when given); returns every finding. */
export async function validateFiles(
  files: Record<string, MemoryFile>,
  base?: Record<string, MemoryFile>,
): Promise<Finding[]> {
  const result = await validateTrees(new MemoryTree(files), base ? new MemoryTree(base) : undefined);
  return result.findings;
}
