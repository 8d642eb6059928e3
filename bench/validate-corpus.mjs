// Times `promoter validate` on the real k8s.io corpus (../shared/corpus/k8s.io), whole process included,
// the way a presubmit runs it. Prints the figures; asserts nothing (see README: Performance).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = process.argv[2] ?? join(root, '..', 'shared', 'corpus', 'k8s.io');
const runs = Number(process.env.RUNS ?? 7);
const bin = join(root, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin.promoter);
if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);

const times = [];
let summary;
for (let i = 0; i < runs; i++) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'validate', corpus, '--format', 'json'], { encoding: 'utf8' });
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
  if (r.status !== 0 && r.status !== 1) throw new Error(`validate failed (${r.status}): ${r.stderr}`);
  summary = JSON.parse(r.stdout).summary;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`validate ${corpus}`);
console.log(
  `  ${summary.files} files, ${summary.errors} errors, ${summary.warnings} warnings, ${summary.infos} info`,
);
console.log(
  `  wall time over ${runs} runs: min ${times[0].toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms`,
);
console.log(`  target: well under 1500 ms → median is ${((median / 1500) * 100).toFixed(0)}% of it`);
