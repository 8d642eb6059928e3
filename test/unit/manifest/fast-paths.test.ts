/**
 * Differential tests: the fast readers for images lists and thin manifests must produce exactly what the
 * full YAML parser produces (data, model and positions), or decline. Checked on the whole real corpus and on
 * variants that probe the edges of the canonical shape.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readImagesFast } from '../../../promoter/manifest/images-fast-path.js';
import { readImages, readRegistries } from '../../../promoter/manifest/read-image-parts.js';
import { readRegistriesFast } from '../../../promoter/manifest/registries-fast-path.js';
import { matchesSchema } from '../../../promoter/manifest/schema-check.js';
import { parseYamlFile } from '../../../promoter/manifest/yaml-file.js';
import { mapEntry, posOf } from '../../../promoter/manifest/yaml-nodes.js';
import { ROOT } from '../../helpers/cli.js';
import { digestOf } from '../../helpers/manifests.js';

const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'k8s.io', 'registry.k8s.io');

function fullImages(text: string) {
  const { yaml } = parseYamlFile('f.yaml', text);
  if (!yaml) return undefined;
  return { data: yaml.data, images: readImages(yaml, yaml.doc.contents, '') };
}

function fullRegistries(text: string) {
  const { yaml } = parseYamlFile('f.yaml', text);
  if (!yaml) return undefined;
  const entry = mapEntry(yaml, yaml.doc.contents, 'registries');
  const imagesPath = mapEntry(yaml, yaml.doc.contents, 'imagesPath');
  return {
    data: yaml.data,
    registries: readRegistries(yaml, entry?.value, '/registries'),
    registriesPos: posOf(yaml, entry?.keyNode, '/registries'),
    imagesPathPos: imagesPath ? posOf(yaml, imagesPath.keyNode, '/imagesPath') : undefined,
  };
}

/**
 * The fast result is used only when its data passes the schema; otherwise the full parser runs. So the
 * data must always equal the full parser's (the schema then decides alike), and the model must be equal
 * whenever the schema passes.
 */
function expectSameImages(text: string): void {
  const fast = readImagesFast('f.yaml', text);
  if (!fast) return;
  const full = fullImages(text);
  expect(fast.data).toEqual(full?.data);
  if (matchesSchema('images', fast.data)) expect(fast.images).toEqual(full?.images);
}

const projects = readdirSync(join(CORPUS, 'images')).sort();

describe('images fast path', () => {
  it('reads every corpus images list (the corpus is canonical)', () => {
    const declined = projects.filter(
      (p) => !readImagesFast('f.yaml', readFileSync(join(CORPUS, 'images', p, 'images.yaml'), 'utf8')),
    );
    expect(declined).toEqual([]);
  });

  it.each(projects)('matches the full parser on images/%s/images.yaml', (project) => {
    const text = readFileSync(join(CORPUS, 'images', project, 'images.yaml'), 'utf8');
    expectSameImages(text);
  });

  const d = digestOf('x');
  const variants: [string, string][] = [
    ['trailing comments', `- name: app # c\n  dmap: # c\n    "${d}": ["v1"] # c\n`],
    ['CRLF line ends', `- name: app\r\n  dmap:\r\n    "${d}": ["v1", "v2"]\r\n`],
    ['quoted name and spaced list', `- name: "app"\n  dmap:\n    "${d}": [ "v1" ,"v2" ]\n`],
    ['plain digest key and plain tags', `- name: app\n  dmap:\n    ${d}: [v1, latest]\n`],
    ['empty tag list', `- name: app\n  dmap:\n    "${d}": []\n`],
    ['comment-only file', '# nothing yet\n\n'],
    ['empty file', ''],
    ['plain tag that YAML reads as a boolean', `- name: app\n  dmap:\n    "${d}": [true]\n`],
    ['plain tag that YAML reads as a number', `- name: app\n  dmap:\n    "${d}": [1.10]\n`],
    ['null tag list', `- name: app\n  dmap:\n    "${d}":\n`],
    ['block tag list', `- name: app\n  dmap:\n    "${d}":\n    - v1\n`],
    ['indented sequence', `  - name: app\n    dmap:\n      "${d}": ["v1"]\n`],
    ['duplicate digest', `- name: app\n  dmap:\n    "${d}": ["v1"]\n    "${d}": ["v2"]\n`],
    ['name after dmap', `- dmap:\n    "${d}": ["v1"]\n  name: app\n`],
    ['dmap without entries', '- name: app\n  dmap:\n'],
    ['escape in a quoted tag', `- name: app\n  dmap:\n    "${d}": ["v\\u0031"]\n`],
    ['single-quoted tag', `- name: app\n  dmap:\n    "${d}": ['v1']\n`],
    ['hash inside a plain tag', `- name: app\n  dmap:\n    "${d}": [v1#x]\n`],
    ['document marker', `---\n- name: app\n  dmap:\n    "${d}": ["v1"]\n`],
    ['name null', `- name: null\n  dmap:\n    "${d}": ["v1"]\n`],
    ['tab in a line', `- name: app\n  dmap:\n    "${d}":\t["v1"]\n`],
  ];

  it.each(variants)('agrees with the full parser or declines: %s', (_name, text) => {
    expectSameImages(text);
  });

  it('takes the canonical variants (the fast path is not vacuous)', () => {
    const taken = variants.filter(([, t]) => readImagesFast('f.yaml', t)).map(([n]) => n);
    expect(taken).toEqual(
      expect.arrayContaining([
        'trailing comments',
        'CRLF line ends',
        'quoted name and spaced list',
        'plain digest key and plain tags',
        'comment-only file',
      ]),
    );
    expect(taken).not.toContain('plain tag that YAML reads as a boolean');
    expect(taken).not.toContain('duplicate digest');
  });
});

describe('registries fast path', () => {
  it.each(projects)('matches the full parser on manifests/%s/promoter-manifest.yaml', (project) => {
    const text = readFileSync(join(CORPUS, 'manifests', project, 'promoter-manifest.yaml'), 'utf8');
    const fast = readRegistriesFast('f.yaml', text);
    expect(fast).toBeDefined();
    expect(fast).toEqual(fullRegistries(text));
  });

  const variants: [string, string][] = [
    [
      'src false and service account',
      'registries:\n- name: gcr.io/a\n  src: true\n- name: gcr.io/b\n  src: false\n  service-account: sa@x.iam\n',
    ],
    ['indented items', 'registries:\n  - name: gcr.io/a\n    src: true\n  - name: gcr.io/b\n'],
    ['imagesPath before registries', 'imagesPath: "x"\nregistries:\n- name: gcr.io/a\n  src: true\n'],
    ['src as a string', 'registries:\n- name: gcr.io/a\n  src: "true"\n'],
    ['src yes (YAML 1.1 boolean)', 'registries:\n- name: gcr.io/a\n  src: yes\n'],
    ['registry with a port', 'registries:\n- name: localhost:5000/a\n  src: true\n'],
    ['empty registries', 'registries:\n'],
    ['item after imagesPath', 'registries:\n- name: gcr.io/a\nimagesPath: "x"\n- name: gcr.io/b\n'],
    ['provenance block', 'registries:\n- name: gcr.io/a\n  src: true\nprovenance:\n  mode: "off"\n'],
    ['mixed indentation', 'registries:\n- name: gcr.io/a\n    src: true\n'],
    ['duplicate field', 'registries:\n- name: gcr.io/a\n  name: gcr.io/b\n'],
  ];

  it.each(variants)('agrees with the full parser or declines: %s', (_name, text) => {
    const fast = readRegistriesFast('f.yaml', text);
    if (!fast) return;
    const full = fullRegistries(text);
    expect(fast.data).toEqual(full?.data);
    if (matchesSchema('promoter-manifest', fast.data)) expect(fast).toEqual(full);
  });

  it('takes the canonical variants and declines the ambiguous ones', () => {
    const taken = variants.filter(([, t]) => readRegistriesFast('f.yaml', t)).map(([n]) => n);
    expect(taken).toEqual([
      'src false and service account',
      'indented items',
      'imagesPath before registries',
    ]);
  });
});
