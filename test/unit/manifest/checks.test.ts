/**
 * Table tests for every validator check: each finding code has an invalid case (the finding, at its exact
 * place) and a valid case (no such finding). The last test proves every catalogued code is exercised.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { FINDING_CODES, type FindingCode } from '../../../promoter/domain/finding-codes.js';
import { MAX_MANIFEST_BYTES } from '../../../promoter/manifest/yaml-file.js';
import type { MemoryFile } from '../../fakes/memory-tree.js';
import {
  digestOf,
  fileProject,
  imagesYaml,
  registriesYaml,
  shaOf,
  thinProject,
} from '../../helpers/manifests.js';
import { brief, validateFiles } from '../../helpers/validate.js';

const SRC = 'gcr.io/k8s-staging-foo';
const DESTS = ['us-docker.pkg.dev/prod/images', 'eu-docker.pkg.dev/prod/images'];
const D = digestOf('a');
const D2 = digestOf('b');
const SHA = shaOf('x');
const SHA2 = shaOf('y');
const M = 'manifests/foo/promoter-manifest.yaml';
const I = 'images/foo/images.yaml';
const FS = 'filestores/bin/filepromoter-manifest.yaml';
const FL = 'manifests/bin/files.yaml';

/** A valid repository: one thin image project and one file project. */
function repo(over: Record<string, MemoryFile | undefined> = {}): Record<string, MemoryFile> {
  const files: Record<string, MemoryFile | undefined> = {
    ...thinProject('foo', SRC, DESTS, { app: { a: ['v1'] } }),
    ...fileProject('bin', 'gs://staging/bin/', ['gs://prod/bin/', 's3://mirror/bin/'], { 'v1/tool': SHA }),
    ...over,
  };
  return Object.fromEntries(
    Object.entries(files).filter((e): e is [string, MemoryFile] => e[1] !== undefined),
  );
}

const images = (y: string) => ({ [I]: y });
const regs = (y: string) => ({ [M]: y });

interface Case {
  name: string;
  files: Record<string, MemoryFile>;
  base?: Record<string, MemoryFile>;
  /** Findings (`code@file:line:col`) that must appear; for valid cases, exactly the findings (none errors). */
  expect: string[];
}

const covered = new Set<string>();

const invalid: Case[] = [
  // YAML and files
  { name: 'syntax error', files: repo(images('- name: app\n  dmap: [\n')), expect: [`yaml-syntax@${I}:3:1`] },
  {
    name: 'duplicate digest key',
    files: repo(images(`- name: app\n  dmap:\n    "${D}": ["v1"]\n    "${D}": ["v2"]\n`)),
    expect: [`yaml-duplicate-key@${I}:4:5`],
  },
  {
    name: 'two documents',
    files: repo(regs(`${registriesYaml(SRC, DESTS)}---\nregistries: []\n`)),
    expect: [`yaml-multiple-documents@${M}:6:1`],
  },
  {
    name: 'binary file',
    files: repo({ [I]: Buffer.from([0x2d, 0x20, 0x00, 0x01]) }),
    expect: [`file-not-text@${I}:1:1`],
  },
  {
    name: 'invalid UTF-8',
    files: repo({ [I]: Buffer.from([0x2d, 0x20, 0xc3, 0x28]) }),
    expect: [`file-not-text@${I}:1:1`],
  },
  { name: 'unreadable file', files: repo({ [I]: { error: 'EIO' } }), expect: [`file-unreadable@${I}:1:1`] },
  {
    name: 'symlinked manifest',
    files: repo({ [M]: { symlink: '/etc/passwd' } }),
    expect: [`symlink-ignored@${M}:1:1`],
  },
  {
    name: 'unquoted number as a tag',
    files: repo(images(`- name: app\n  dmap:\n    "${D}": [1.10]\n`)),
    expect: [`number-as-text@${I}:3:81`],
  },
  // Structure
  {
    name: 'unknown field (typo)',
    files: repo(regs(`registries:\n- name: ${SRC}\n  srcc: true\n`)),
    expect: [`unknown-field@${M}:3:3`],
  },
  { name: 'missing dmap', files: repo(images('- name: app\n')), expect: [`missing-field@${I}:1:3`] },
  {
    name: 'wrong type: src as string',
    files: repo(regs(`registries:\n- name: ${SRC}\n  src: "yes"\n- name: ${DESTS[0]}\n`)),
    expect: [`wrong-type@${M}:3:8`],
  },
  {
    name: 'provenance mode outside the enum',
    files: repo(regs(`${registriesYaml(SRC, DESTS)}provenance:\n  mode: maybe\n`)),
    expect: [`invalid-value@${M}:7:9`],
  },
  {
    name: 'deprecated imagesPath',
    files: repo(regs(`${registriesYaml(SRC, DESTS)}imagesPath: "../../images/foo/images.yaml"\n`)),
    expect: [`deprecated-field@${M}:6:1`],
  },
  {
    name: 'provenance policy not enforced',
    files: repo(regs(`${registriesYaml(SRC, DESTS)}provenance:\n  mode: require\n  signers: ["x"]\n`)),
    expect: [`provenance-unsupported@${M}:6:1`],
  },
  // Image manifests
  {
    name: 'digest with 63 hex digits',
    files: repo(images(`- name: app\n  dmap:\n    "${D2}": ["v2"]\n    "${D.slice(0, -1)}": ["v1"]\n`)),
    expect: [`digest-invalid@${I}:4:5`],
  },
  {
    name: 'digest with uppercase hex',
    files: repo(
      images(`- name: app\n  dmap:\n    "${D.toUpperCase().replace('SHA256', 'sha256')}": ["v1"]\n`),
    ),
    expect: [`digest-invalid@${I}:3:5`],
  },
  {
    name: 'tag with a plus',
    files: repo(images(`- name: app\n  dmap:\n    "${D}": ["v1+build"]\n`)),
    expect: [`tag-invalid@${I}:3:81`],
  },
  {
    name: 'tag starting with a dot',
    files: repo(images(`- name: app\n  dmap:\n    "${D}": [".v1"]\n`)),
    expect: [`tag-invalid@${I}:3:81`],
  },
  {
    name: 'registry name with spaces',
    files: repo(regs(registriesYaml(SRC, ['us-docker.pkg.dev/prod /images']))),
    expect: [`registry-name-invalid@${M}:4:9`],
  },
  {
    name: 'image name with uppercase',
    files: repo(images(imagesYaml({ App: { a: ['v1'] } }))),
    expect: [`image-name-invalid@${I}:1:9`],
  },
  {
    name: 'no source registry',
    files: repo(regs(`registries:\n- name: ${DESTS[0]}\n`)),
    expect: [`source-missing@${M}:1:1`],
  },
  {
    name: 'two source registries',
    files: repo(
      regs(
        `registries:\n- name: ${SRC}\n  src: true\n- name: gcr.io/other\n  src: true\n- name: ${DESTS[0]}\n`,
      ),
    ),
    expect: [`source-multiple@${M}:4:9`],
  },
  {
    name: 'no destination registry',
    files: repo(regs(`registries:\n- name: ${SRC}\n  src: true\n`)),
    expect: [`destination-missing@${M}:1:1`],
  },
  {
    name: 'destination listed twice',
    files: repo(regs(registriesYaml(SRC, [DESTS[0]!, `${DESTS[0]}/`]))),
    expect: [`destination-duplicate@${M}:5:9`],
  },
  {
    name: 'source listed as destination',
    files: repo(regs(registriesYaml(SRC, [SRC]))),
    expect: [`source-is-destination@${M}:4:9`],
  },
  {
    name: 'thin manifest without images list',
    files: repo({ [I]: undefined }),
    expect: [`images-file-missing@${M}:1:1`],
  },
  {
    name: 'images list without manifest',
    files: repo({ 'images/orphan/images.yaml': imagesYaml({ x: { a: [] } }) }),
    expect: ['images-orphaned@images/orphan/images.yaml:1:1'],
  },
  {
    name: 'same image listed twice',
    files: repo(images(imagesYaml({ app: { a: ['v1'] } }) + imagesYaml({ app: { b: ['v2'] } }))),
    expect: [`image-duplicate@${I}:4:9`],
  },
  {
    name: 'image with an empty dmap',
    files: repo(images('- name: app\n  dmap: {}\n')),
    expect: [`image-without-digests@${I}:1:9`],
  },
  {
    name: 'tag listed twice for one digest',
    files: repo(images(imagesYaml({ app: { a: ['v1', 'v1'] } }))),
    expect: [`tag-duplicate@${I}:3:87`],
  },
  {
    name: 'tag aimed at two digests in one file',
    files: repo(images(imagesYaml({ app: { a: ['v1'], b: ['v1'] } }))),
    expect: [`tag-conflict@${I}:3:81`, `tag-conflict@${I}:4:81`],
  },
  {
    name: 'tag aimed at two digests by two projects (overlapping edge)',
    files: repo(thinProject('zzz', 'gcr.io/k8s-staging-zzz', [DESTS[1]!], { app: { b: ['v1'] } })),
    expect: ['tag-conflict@images/zzz/images.yaml:3:81', `tag-conflict@${I}:3:81`],
  },
  {
    name: 'overlapping edge through registry/name spelling (images + kubernetes/app = images/kubernetes + app)',
    files: repo({
      ...thinProject('k1', 'gcr.io/s1', ['r.io/p/images'], { 'kubernetes/app': { a: ['v1'] } }),
      ...thinProject('k2', 'gcr.io/s2', ['r.io/p/images/kubernetes'], { app: { b: ['v1'] } }),
    }),
    expect: ['tag-conflict@images/k2/images.yaml:3:81'],
  },
  // File manifests
  {
    name: 'sha256 too short',
    files: repo({ [FL]: `files:\n- name: v1/tool\n  sha256: ${SHA.slice(1)}\n` }),
    expect: [`sha256-invalid@${FL}:3:11`],
  },
  {
    name: 'sha256 in uppercase',
    files: repo({ [FL]: `files:\n- name: v1/tool\n  sha256: ${SHA.toUpperCase()}\n` }),
    expect: [`sha256-uppercase@${FL}:3:11`],
  },
  ...['/etc/passwd', 'a/../../b', 'a\\b', 'a/\u0007b', 'a//b', 'dir/', './a'].map((name) => ({
    name: `file name ${JSON.stringify(name)}`,
    files: repo({ [FL]: `files:\n- name: ${JSON.stringify(name)}\n  sha256: ${SHA}\n` }),
    expect: [`file-name-invalid@${FL}:2:9`],
  })),
  {
    name: 'unknown filestore scheme',
    files: repo({
      [FS]: 'filestores:\n- base: gs://staging/bin/\n  src: true\n- base: https://example.com/bin/\n',
    }),
    expect: [`filestore-scheme-unknown@${FS}:4:9`],
  },
  {
    name: 'filestore without bucket',
    files: repo({ [FS]: 'filestores:\n- base: gs://staging/bin/\n  src: true\n- base: s3:///bin/\n' }),
    expect: [`filestore-base-invalid@${FS}:4:9`],
  },
  {
    name: 'file listed twice, same sha256',
    files: repo({ [FL]: `files:\n- name: a\n  sha256: ${SHA}\n- name: a\n  sha256: ${SHA}\n` }),
    expect: [`file-duplicate@${FL}:4:9`],
  },
  {
    name: 'file listed twice, different sha256',
    files: repo({ [FL]: `files:\n- name: a\n  sha256: ${SHA}\n- name: a\n  sha256: ${SHA2}\n` }),
    expect: [`file-conflict@${FL}:4:9`],
  },
  {
    name: 'one destination file aimed at two sha256 by two projects',
    files: repo(fileProject('other', 'gs://staging2/', ['gs://prod/bin/'], { 'v1/tool': SHA2 })),
    expect: ['file-conflict@manifests/other/files.yaml:2:9'],
  },
  {
    name: 'file list without filestores',
    files: repo({
      [FS]: undefined,
      'filestores/x/filepromoter-manifest.yaml':
        'filestores:\n- base: gs://a/\n  src: true\n- base: gs://b/\n',
    }),
    expect: [`files-without-filestores@${FL}:1:1`],
  },
  {
    name: 'filestores without file lists',
    files: repo({ [FL]: undefined }),
    expect: [`filestores-without-files@${FS}:1:1`],
  },
  {
    name: 'empty file list',
    files: repo({ 'manifests/bin/empty.yaml': 'files: []\n' }),
    expect: ['files-empty@manifests/bin/empty.yaml:1:1'],
  },
  {
    name: 'file list that is null',
    files: repo({ 'manifests/bin/empty.yaml': 'files:\n' }),
    expect: ['files-empty@manifests/bin/empty.yaml:1:1'],
  },
  // Policy
  {
    name: 'destination registry outside the allow-list',
    files: repo({
      'promoter.yaml':
        'policy:\n  allowedDestinations: ["us-docker.pkg.dev/prod/", "gs://prod/", "s3://mirror/"]\n',
    }),
    expect: [`destination-not-allowed@${M}:5:9`],
  },
  {
    name: 'image outside an allow-list entry deeper than its registry',
    files: repo({
      'promoter.yaml':
        'policy:\n  allowedDestinations: ["*-docker.pkg.dev/prod/images/other", "gs://prod/", "s3://mirror/"]\n',
    }),
    expect: [`destination-not-allowed@${I}:1:9`, `destination-not-allowed@${I}:1:9`],
  },
  {
    name: 'filestore outside the allow-list',
    files: repo({
      'promoter.yaml': 'policy:\n  allowedDestinations: ["*-docker.pkg.dev/prod/", "gs://prod/"]\n',
    }),
    expect: [`destination-not-allowed@${FS}:5:9`],
  },
  {
    name: 'allow-list prefix only on segment boundaries',
    files: repo({
      'promoter.yaml':
        'policy:\n  allowedDestinations: ["us-docker.pkg.dev/pro", "eu-docker.pkg.dev/prod", "gs://prod/", "s3://mirror/"]\n',
    }),
    expect: [`destination-not-allowed@${M}:4:9`],
  },
  {
    name: 'manifest root named in promoter.yaml is missing',
    files: repo({ 'promoter.yaml': 'manifests: [".", "nowhere"]\n' }),
    expect: ['manifest-root-missing@promoter.yaml:1:18'],
  },
  {
    name: 'unknown policy field',
    files: repo({ 'promoter.yaml': 'policy:\n  allowDeletes: true\n' }),
    expect: ['unknown-field@promoter.yaml:2:3'],
  },
];

const changes: Case[] = [
  {
    name: 'tag moved to another digest',
    base: repo(),
    files: repo(images(imagesYaml({ app: { a: [], b: ['v1'] } }))),
    expect: [`tag-moved@${I}:4:81`],
  },
  {
    name: 'digest removed',
    base: repo(images(imagesYaml({ app: { a: ['v1'], b: ['v2'] } }))),
    files: repo(),
    expect: [`entry-removed@${I}:1:9`],
  },
  {
    name: 'tag removed, digest kept',
    base: repo(images(imagesYaml({ app: { a: ['v1', 'v0'] } }))),
    files: repo(),
    expect: [`entry-removed@${I}:1:9`],
  },
  {
    name: 'whole image removed',
    base: repo(images(imagesYaml({ app: { a: ['v1'] }, gone: { b: ['v9'] } }))),
    files: repo(),
    expect: [`entry-removed@${I}:1:1`],
  },
  {
    name: 'file removed',
    base: repo({ [FL]: `files:\n- name: v1/tool\n  sha256: ${SHA}\n- name: v1/old\n  sha256: ${SHA2}\n` }),
    files: repo(),
    expect: [`entry-removed@${FL}:1:1`],
  },
  {
    name: 'more removals than maxDeletes',
    base: repo({
      'promoter.yaml': 'policy:\n  deletions: {allowed: true, maxDeletes: 1}\n',
      ...images(imagesYaml({ app: { a: ['v1'], b: ['v2'], c: ['v3'] } })),
    }),
    files: repo({ 'promoter.yaml': 'policy:\n  deletions: {allowed: true, maxDeletes: 1}\n' }),
    expect: [`delete-limit-exceeded@${I}:1:9`],
  },
  {
    name: 'file sha256 changed',
    base: repo(),
    files: repo({ [FL]: `files:\n- name: v1/tool\n  sha256: ${SHA2}\n` }),
    expect: [`file-changed@${FL}:2:9`],
  },
  {
    name: 'destination registry added',
    base: repo(),
    files: repo(regs(registriesYaml(SRC, [...DESTS, 'asia-docker.pkg.dev/prod/images']))),
    expect: [`registries-changed@${M}:1:1`],
  },
  {
    name: 'new project',
    base: repo(),
    files: repo(thinProject('new', 'gcr.io/s-new', ['r.io/new'], { x: { c: ['v1'] } })),
    expect: ['registries-changed@manifests/new/promoter-manifest.yaml:1:1'],
  },
  {
    name: 'filestore changed',
    base: repo(),
    files: repo({ [FS]: 'filestores:\n- base: gs://staging/bin/\n  src: true\n- base: gs://prod/bin2/\n' }),
    expect: [`filestores-changed@${FS}:1:1`],
  },
  {
    name: 'policy loosened in the same change',
    base: repo(),
    files: repo({ 'promoter.yaml': 'policy:\n  allowTagMoves: true\n' }),
    expect: ['policy-changed@promoter.yaml:1:1'],
  },
  {
    name: 'project removed',
    base: repo(thinProject('gone', 'gcr.io/s-gone', ['r.io/gone'], { x: { c: ['v1'] } })),
    files: repo(),
    expect: ['registries-changed@manifests/gone/promoter-manifest.yaml:1:1'],
  },
  {
    name: 'file project removed',
    base: repo(fileProject('gone', 'gs://s-gone/', ['gs://d-gone/'], { x: SHA })),
    files: repo(),
    expect: ['filestores-changed@filestores/gone/filepromoter-manifest.yaml:1:1'],
  },
];

const valid: Case[] = [
  { name: 'the baseline repository', files: repo(), expect: [] },
  {
    name: 'digest by digest only (no tags)',
    files: repo(images(imagesYaml({ app: { a: [] } }))),
    expect: [],
  },
  {
    name: 'a tag on two images is no conflict',
    files: repo(images(imagesYaml({ app: { a: ['v1'] }, lib: { b: ['v1'] } }))),
    expect: [],
  },
  {
    name: 'two projects promoting the same digest under the same tag',
    files: repo(thinProject('zzz', 'gcr.io/k8s-staging-zzz', [DESTS[1]!], { app: { a: ['v1'] } })),
    expect: [],
  },
  {
    name: 'two projects, same tag, different destinations',
    files: repo(
      thinProject('zzz', 'gcr.io/k8s-staging-zzz', ['asia-docker.pkg.dev/prod/images'], {
        app: { b: ['v1'] },
      }),
    ),
    expect: [],
  },
  {
    name: 'allow-list with wildcard segment covers everything',
    files: repo({
      'promoter.yaml':
        'policy:\n  allowedDestinations: ["*-docker.pkg.dev/prod/", "gs://prod/", "s3://mirror/bin/"]\n',
    }),
    expect: [],
  },
  { name: 'empty images list (comments only)', files: repo(images('# TODO: add images\n')), expect: [] },
  {
    name: 'indented registries style',
    files: repo(regs(`registries:\n  - name: ${SRC}\n    src: true\n  - name: ${DESTS[0]}\n`)),
    expect: [],
  },
  {
    name: 'kpromo provenance mode off',
    files: repo(regs(`${registriesYaml(SRC, DESTS)}provenance:\n  mode: "off"\n`)),
    expect: [],
  },
  {
    name: 'file:// filestore',
    files: repo({
      [FS]: 'filestores:\n- base: file:///srv/staging/\n  src: true\n- base: file:///srv/prod/\n',
    }),
    expect: [],
  },
  { name: 'unchanged against its base', base: repo(), files: repo(), expect: [] },
  {
    name: 'tag move allowed by the base policy',
    base: repo({ 'promoter.yaml': 'policy:\n  allowTagMoves: true\n' }),
    files: repo({
      'promoter.yaml': 'policy:\n  allowTagMoves: true\n',
      ...images(imagesYaml({ app: { a: [], b: ['v1'] } })),
    }),
    expect: [`tag-moved@${I}:4:81`],
  },
  {
    name: 'removal within maxDeletes',
    base: repo({
      'promoter.yaml': 'policy:\n  deletions: {allowed: true, maxDeletes: 2}\n',
      ...images(imagesYaml({ app: { a: ['v1'], b: ['v2'] } })),
    }),
    files: repo({ 'promoter.yaml': 'policy:\n  deletions: {allowed: true, maxDeletes: 2}\n' }),
    expect: [`entry-removed@${I}:1:9`],
  },
  {
    name: 'dropping a destination registry is not a deletion',
    base: repo(),
    files: repo(regs(registriesYaml(SRC, [DESTS[0]!]))),
    expect: [`registries-changed@${M}:1:1`],
  },
  {
    name: 'moving an image between projects with the same destinations is not a deletion',
    base: repo(images(imagesYaml({ app: { a: ['v1'] }, lib: { b: ['v2'] } }))),
    files: repo(thinProject('foo2', 'gcr.io/k8s-staging-foo2', DESTS, { lib: { b: ['v2'] } })),
    expect: ['registries-changed@manifests/foo2/promoter-manifest.yaml:1:1'],
  },
];

/** For every check, the closest valid input: the check must stay silent and nothing may be an error. */
const nearMisses: {
  for: FindingCode;
  name: string;
  files: Record<string, MemoryFile>;
  base?: Record<string, MemoryFile>;
}[] = [
  { for: 'file-unreadable', name: 'every file readable', files: repo() },
  {
    for: 'file-too-large',
    name: 'an images list just under the size limit',
    files: repo(images(imagesYaml({ app: { a: ['v1'] } }) + '#'.repeat(MAX_MANIFEST_BYTES - 200))),
  },
  {
    for: 'file-not-text',
    name: 'UTF-8 text with non-ASCII comments and a BOM',
    files: repo(images(`\ufeff# café ✓\n${imagesYaml({ app: { a: ['v1'] } })}`)),
  },
  { for: 'symlink-ignored', name: 'regular files', files: repo() },
  {
    for: 'yaml-syntax',
    name: 'flow-style dmap',
    files: repo(images(`- {name: app, dmap: {"${D}": [v1]}}\n`)),
  },
  {
    for: 'yaml-duplicate-key',
    name: 'the same digest under two images',
    files: repo(images(imagesYaml({ app: { a: ['v1'] }, lib: { a: ['v1'] } }))),
  },
  {
    for: 'yaml-multiple-documents',
    name: 'a leading document marker',
    files: repo(regs(`---\n${registriesYaml(SRC, DESTS)}`)),
  },
  {
    for: 'yaml-alias-limit',
    name: 'a few anchors and aliases',
    files: repo(
      images(`- name: app\n  dmap:\n    "${D}": &t ["v1"]\n- name: lib\n  dmap:\n    "${D2}": *t\n`),
    ),
  },
  {
    for: 'number-as-text',
    name: 'a quoted numeric tag',
    files: repo(images(imagesYaml({ app: { a: ['1.10'] } }))),
  },
  {
    for: 'yaml-too-deep',
    name: 'flow nesting at the limit inside a quoted tag',
    files: repo(images(imagesYaml({ app: { a: ['v1'] } }) + `# ${'['.repeat(200)}\n`)),
  },
  {
    for: 'wrong-type',
    name: 'src: false written out',
    files: repo(regs(`registries:\n- name: ${SRC}\n  src: true\n- name: ${DESTS[0]}\n  src: false\n`)),
  },
  { for: 'missing-field', name: 'service-account is optional', files: repo() },
  {
    for: 'unknown-field',
    name: 'service-account spelt right',
    files: repo(
      regs(
        `${registriesYaml(SRC, DESTS)}`.replace(
          `- name: ${DESTS[0]}`,
          `- name: ${DESTS[0]}\n  service-account: sa@x.iam.gserviceaccount.com`,
        ),
      ),
    ),
  },
  {
    for: 'invalid-value',
    name: 'provenance mode off',
    files: repo(regs(`${registriesYaml(SRC, DESTS)}provenance:\n  mode: "off"\n`)),
  },
  { for: 'deprecated-field', name: 'no imagesPath', files: repo() },
  {
    for: 'digest-invalid',
    name: 'a plain (unquoted) digest key',
    files: repo(images(`- name: app\n  dmap:\n    ${D}: ["v1"]\n`)),
  },
  {
    for: 'tag-invalid',
    name: 'tags at the edges of the syntax',
    files: repo(images(imagesYaml({ app: { a: ['_x', '1.10', 'a'.repeat(128), 'v1.0-rc.1_b'] } }))),
  },
  {
    for: 'registry-name-invalid',
    name: 'a registry with a port and a nested path',
    files: repo(regs(registriesYaml(SRC, ['localhost:5000/prod/images']))),
  },
  {
    for: 'image-name-invalid',
    name: 'an image name with nested path and separators',
    files: repo(images(imagesYaml({ 'a/b-c_d.e/f__g': { a: ['v1'] } }))),
  },
  {
    for: 'source-missing',
    name: 'src: true on the last registry',
    files: repo(regs(`registries:\n- name: ${DESTS[0]}\n- name: ${SRC}\n  src: true\n`)),
  },
  {
    for: 'source-multiple',
    name: 'one source per project, two projects',
    files: repo(thinProject('two', SRC, ['asia-docker.pkg.dev/prod/images'], { x: { c: ['v1'] } })),
  },
  {
    for: 'destination-missing',
    name: 'one destination',
    files: repo(regs(registriesYaml(SRC, [DESTS[0]!]))),
  },
  {
    for: 'destination-duplicate',
    name: 'the same destination in two projects',
    files: repo(thinProject('two', 'gcr.io/s2', DESTS, { other: { c: ['v1'] } })),
  },
  {
    for: 'source-is-destination',
    name: 'a destination below the source’s host',
    files: repo(regs(registriesYaml(SRC, [`${SRC}-prod`]))),
  },
  { for: 'images-file-missing', name: 'an empty images list', files: repo(images('')) },
  { for: 'images-orphaned', name: 'every images list has its manifest', files: repo() },
  {
    for: 'image-duplicate',
    name: 'two images in one file',
    files: repo(images(imagesYaml({ app: { a: ['v1'] }, lib: { b: ['v2'] } }))),
  },
  {
    for: 'image-without-digests',
    name: 'a digest promoted by digest only',
    files: repo(images(imagesYaml({ app: { a: [] } }))),
  },
  {
    for: 'tag-duplicate',
    name: 'the same tag on two images',
    files: repo(images(imagesYaml({ app: { a: ['v1'] }, lib: { b: ['v1'] } }))),
  },
  {
    for: 'tag-conflict',
    name: 'the same digest and tag from two projects',
    files: repo(thinProject('zzz', 'gcr.io/k8s-staging-zzz', DESTS, { app: { a: ['v1'] } })),
  },
  {
    for: 'provenance-unsupported',
    name: 'provenance off',
    files: repo(regs(`${registriesYaml(SRC, DESTS)}provenance:\n  mode: "off"\n`)),
  },
  { for: 'sha256-invalid', name: 'a lowercase sha256', files: repo() },
  {
    for: 'sha256-uppercase',
    name: 'digits only sha256',
    files: repo({ [FL]: `files:\n- name: a\n  sha256: ${'0123456789'.repeat(6)}0123\n` }),
  },
  {
    for: 'file-name-invalid',
    name: 'names with dots inside segments',
    files: repo({ [FL]: `files:\n- name: a/b..c/.hidden/x-1.2.tar.gz\n  sha256: ${SHA}\n` }),
  },
  {
    for: 'filestore-scheme-unknown',
    name: 'gs, s3 and file schemes',
    files: repo({
      [FS]: 'filestores:\n- base: file:///srv/s/\n  src: true\n- base: gs://a/b/\n- base: s3://c/\n',
    }),
  },
  {
    for: 'filestore-base-invalid',
    name: 'a bucket without a path',
    files: repo({ [FS]: 'filestores:\n- base: gs://staging\n  src: true\n- base: s3://mirror\n' }),
  },
  {
    for: 'file-duplicate',
    name: 'two files in one list',
    files: repo({ [FL]: `files:\n- name: a\n  sha256: ${SHA}\n- name: b\n  sha256: ${SHA}\n` }),
  },
  {
    for: 'file-conflict',
    name: 'the same name with another sha256 to another destination',
    files: repo(fileProject('other', 'gs://s2/', ['gs://prod/other/'], { 'v1/tool': SHA2 })),
  },
  { for: 'files-without-filestores', name: 'lists with filestores', files: repo() },
  { for: 'filestores-without-files', name: 'filestores with lists', files: repo() },
  { for: 'files-empty', name: 'a list with one file', files: repo() },
  {
    for: 'destination-not-allowed',
    name: 'an allow-list covering every destination',
    files: repo({
      'promoter.yaml':
        'policy:\n  allowedDestinations: ["*-docker.pkg.dev/prod", "gs://prod/bin/", "s3://mirror"]\n',
    }),
  },
  {
    for: 'manifest-root-missing',
    name: 'promoter.yaml naming the root',
    files: repo({ 'promoter.yaml': 'manifests: ["."]\n' }),
  },
  {
    for: 'tag-moved',
    name: 'a new tag on a new digest',
    base: repo(),
    files: repo(images(imagesYaml({ app: { a: ['v1'], b: ['v2'] } }))),
  },
  {
    for: 'entry-removed',
    name: 'a tag added to a promoted digest',
    base: repo(),
    files: repo(images(imagesYaml({ app: { a: ['v1', 'v1.0'] } }))),
  },
  {
    for: 'delete-limit-exceeded',
    name: 'removals within maxDeletes',
    base: repo({
      'promoter.yaml': 'policy:\n  deletions: {allowed: true, maxDeletes: 1}\n',
      ...images(imagesYaml({ app: { a: ['v1'], b: ['v2'] } })),
    }),
    files: repo({ 'promoter.yaml': 'policy:\n  deletions: {allowed: true, maxDeletes: 1}\n' }),
  },
  {
    for: 'file-changed',
    name: 'a new file beside a promoted one',
    base: repo(),
    files: repo({ [FL]: `files:\n- name: v1/tool\n  sha256: ${SHA}\n- name: v2/tool\n  sha256: ${SHA2}\n` }),
  },
  {
    for: 'registries-changed',
    name: 'registries reordered',
    base: repo(),
    files: repo(regs(registriesYaml(SRC, [...DESTS].reverse()))),
  },
  {
    for: 'filestores-changed',
    name: 'a base spelt without its trailing slash',
    base: repo(),
    files: repo({
      [FS]: 'filestores:\n- base: gs://staging/bin\n  src: true\n- base: gs://prod/bin\n- base: s3://mirror/bin\n',
    }),
  },
  {
    for: 'policy-changed',
    name: 'promoter.yaml reformatted, same policy',
    base: repo({ 'promoter.yaml': 'policy:\n  allowTagMoves: false\n' }),
    files: repo({ 'promoter.yaml': '# reviewed\npolicy: {allowTagMoves: false}\n' }),
  },
];

const nearMissCovered = new Set<string>();

describe('validator findings', () => {
  it.each(invalid)('reports $name', async ({ files, base, expect: want }) => {
    const found = (await validateFiles(files, base)).map(brief);
    for (const w of want) covered.add(w.split('@')[0]!);
    expect(found).toEqual(expect.arrayContaining(want));
  });

  it.each(changes)('against a base revision, reports $name', async ({ files, base, expect: want }) => {
    const found = (await validateFiles(files, base)).map(brief);
    for (const w of want) covered.add(w.split('@')[0]!);
    expect(found).toEqual(expect.arrayContaining(want));
  });

  it.each(valid)('accepts $name', async ({ files, base, expect: want }) => {
    const found = await validateFiles(files, base);
    expect(found.filter((f) => f.severity === 'error').map(brief)).toEqual([]);
    expect(found.map(brief).sort()).toEqual([...want].sort());
  });

  it.each(nearMisses)('stays silent on the near miss for $for: $name', async (c) => {
    nearMissCovered.add(c.for);
    const found = await validateFiles(c.files, c.base);
    expect(found.filter((f) => f.code === c.for || f.severity === 'error').map(brief)).toEqual([]);
  });

  afterAll(() => {
    // Codes about what registries and filestores hold are tested with the planners and promotion
    // (test/unit/plan, test/integration/promote, test/integration/files), not here.
    const registryCodes = new Set([
      'file-not-in-source',
      'file-source-corrupt',
      'file-overwrite-refused',
      'sha256-computed',
      'digest-not-in-source',
      'not-multi-arch',
      'source-unreadable',
      'destination-unreadable',
      'tag-move-refused',
      'delete-refused',
      'action-failed',
    ]);
    expect(
      Object.keys(FINDING_CODES).filter((c) => !nearMissCovered.has(c) && !registryCodes.has(c)),
    ).toEqual([]);
    // Hostile-input codes (file-too-large, yaml-alias-limit, yaml-too-deep) are covered by hostile-input.test.ts.
    const elsewhere = new Set(['file-too-large', 'yaml-alias-limit', 'yaml-too-deep', ...registryCodes]);
    const missing = Object.keys(FINDING_CODES).filter((c) => !covered.has(c) && !elsewhere.has(c));
    expect(missing).toEqual([]);
  });
});

describe('severity follows the base policy', () => {
  it('makes a removal an error without deletions.allowed and info with it', async () => {
    const base = repo(images(imagesYaml({ app: { a: ['v1'], b: ['v2'] } })));
    const denied = await validateFiles(repo(), base);
    expect(denied.find((f) => f.code === 'entry-removed')?.severity).toBe('error');
    const policy = { 'promoter.yaml': 'policy:\n  deletions: {allowed: true}\n' };
    const allowed = await validateFiles(repo(policy), { ...base, ...policy });
    expect(allowed.find((f) => f.code === 'entry-removed')?.severity).toBe('info');
  });

  it('judges a change by the base policy, not by a policy the change loosens', async () => {
    const head = repo({
      'promoter.yaml': 'policy:\n  allowTagMoves: true\n',
      ...images(imagesYaml({ app: { a: [], b: ['v1'] } })),
    });
    const found = await validateFiles(head, repo());
    expect(found.find((f) => f.code === 'tag-moved')?.severity).toBe('error');
  });

  it('reports a tag conflict once per side, however many destinations share it', async () => {
    const many = Array.from({ length: 20 }, (_, i) => `r${i}.example.com/prod`);
    const files = {
      ...thinProject('p1', 'gcr.io/s1', many, { app: { [D]: ['v1'] } }),
      ...thinProject('p2', 'gcr.io/s2', many, { app: { [D2]: ['v1'] } }),
    };
    const conflicts = (await validateFiles(files)).filter((f) => f.code === 'tag-conflict');
    expect(conflicts.map(brief).sort()).toEqual([
      'tag-conflict@images/p1/images.yaml:3:81',
      'tag-conflict@images/p2/images.yaml:3:81',
    ]);
    for (const c of conflicts) expect(c.message).toContain('and 19 more destinations');
  });
});
