/** Builders for small kpromo manifests, so tests state only what they are about. */

/** A digest made from a short label: `sha256:` and 64 hex digits, stable per label. */
export function digestOf(label: string): string {
  let hex = '';
  for (let i = 0; hex.length < 64; i++)
    hex += ((label.charCodeAt(i % label.length) * (i + 7)) % 256).toString(16).padStart(2, '0');
  return `sha256:${hex.slice(0, 64)}`;
}

/** A file sha256 (64 hex digits) made from a short label. */
export function shaOf(label: string): string {
  return digestOf(`file:${label}`).slice('sha256:'.length);
}

/** A thin manifest's registries: the first is the source. */
export function registriesYaml(src: string, dests: string[]): string {
  return `${['registries:', `- name: ${src}`, '  src: true', ...dests.map((d) => `- name: ${d}`)].join('\n')}\n`;
}

/** An images.yaml from `{ image: { digestLabel: [tags] } }`. */
export function imagesYaml(images: Record<string, Record<string, string[]>>): string {
  const lines: string[] = [];
  for (const [name, dmap] of Object.entries(images)) {
    lines.push(`- name: ${name}`, '  dmap:');
    for (const [label, tags] of Object.entries(dmap)) {
      const d = label.startsWith('sha256:') ? label : digestOf(label);
      lines.push(`    "${d}": [${tags.map((t) => JSON.stringify(t)).join(', ')}]`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A thin project: the two files keyed by their tree paths. */
export function thinProject(
  project: string,
  src: string,
  dests: string[],
  images: Record<string, Record<string, string[]>>,
): Record<string, string> {
  return {
    [`manifests/${project}/promoter-manifest.yaml`]: registriesYaml(src, dests),
    [`images/${project}/images.yaml`]: imagesYaml(images),
  };
}

/** A file project: filestores manifest and one file list. */
export function fileProject(
  project: string,
  src: string,
  dests: string[],
  files: Record<string, string>,
): Record<string, string> {
  const stores = ['filestores:', `- base: ${src}`, '  src: true', ...dests.map((d) => `- base: ${d}`)].join(
    '\n',
  );
  const list = [
    'files:',
    ...Object.entries(files).flatMap(([name, sha]) => [`- name: ${name}`, `  sha256: ${sha}`]),
  ].join('\n');
  return {
    [`filestores/${project}/filepromoter-manifest.yaml`]: `${stores}\n`,
    [`manifests/${project}/files.yaml`]: `${list}\n`,
  };
}
