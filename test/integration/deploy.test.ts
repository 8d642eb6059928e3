/** deploy/: objects valid against client-node's Kubernetes API types, kustomizations, wiring, Dockerfile. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers/cli.js';

const DEPLOY = join(ROOT, 'deploy');

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One entry of a client-node model's `attributeTypeMap` (the metadata its ObjectSerializer works from). */
interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

/** The client-node model class named `type` (e.g. `V1PodSpec`), if there is one. */
function model(type: string): Attribute[] | undefined {
  const m = (k8s as unknown as Record<string, unknown>)[type];
  const map = typeof m === 'function' ? (m as { attributeTypeMap?: unknown }).attributeTypeMap : undefined;
  return Array.isArray(map) ? (map as Attribute[]) : undefined;
}

/** The kinds deploy/ may hold: kind → apiVersion and client-node model. */
const KINDS: Record<string, { apiVersion: string; model: string }> = {
  Deployment: { apiVersion: 'apps/v1', model: 'V1Deployment' },
  Service: { apiVersion: 'v1', model: 'V1Service' },
  ServiceAccount: { apiVersion: 'v1', model: 'V1ServiceAccount' },
  ConfigMap: { apiVersion: 'v1', model: 'V1ConfigMap' },
  Namespace: { apiVersion: 'v1', model: 'V1Namespace' },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', model: 'V1Role' },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', model: 'V1RoleBinding' },
};

/** Checks `value` against the client-node type `type`, appending `path: problem` lines to `errors`. */
function checkValue(value: unknown, type: string, format: string, path: string, errors: string[]): void {
  const at = path || '(root)';
  if (value === null || value === undefined) {
    errors.push(`${at}: null where ${type} is expected`);
    return;
  }
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) errors.push(`${at}: expected a list (${type})`);
    else value.forEach((v, i) => checkValue(v, array[1]!, '', `${path}[${i}]`, errors));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!isRecord(value)) errors.push(`${at}: expected a mapping (${type})`);
    else for (const [k, v] of Object.entries(value)) checkValue(v, map[1]!, '', `${path}.${k}`, errors);
    return;
  }
  const integer = format === 'int32' || format === 'int64';
  switch (type) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') errors.push(`${at}: expected a string, got ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${at}: expected a boolean, got ${JSON.stringify(value)}`);
      return;
    case 'number':
      if (typeof value !== 'number' || (integer && !Number.isInteger(value)))
        errors.push(`${at}: expected ${integer ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}`);
      return;
    case 'Date':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
        errors.push(`${at}: expected a timestamp, got ${JSON.stringify(value)}`);
      return;
    case 'IntOrString':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value)))
        errors.push(`${at}: expected an integer or a string, got ${JSON.stringify(value)}`);
      return;
  }
  const attributes = model(type);
  if (!attributes) {
    errors.push(`${at}: no client-node model ${type}`);
    return;
  }
  if (!isRecord(value)) {
    errors.push(`${at}: expected a mapping (${type})`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const attr = attributes.find((a) => a.baseName === key);
    if (!attr) errors.push(`${path ? `${path}.` : ''}${key}: unknown field of ${type}`);
    else checkValue(v, attr.type, attr.format, path ? `${path}.${key}` : key, errors);
  }
}

/** Every problem of one Kubernetes object: unknown kind, wrong apiVersion, unknown fields, wrong types. */
function validate(obj: unknown): string[] {
  if (!isRecord(obj)) return ['not a mapping'];
  const kind = KINDS[String(obj.kind)];
  if (!kind) return [`kind ${String(obj.kind)}: not one of ${Object.keys(KINDS).join(', ')}`];
  const errors: string[] = [];
  if (obj.apiVersion !== kind.apiVersion)
    errors.push(`apiVersion: ${String(obj.kind)} is ${kind.apiVersion}, not ${String(obj.apiVersion)}`);
  checkValue(obj, kind.model, '', '', errors);
  return errors;
}

/** Every YAML file under `dir`, recursively. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

interface Doc {
  file: string;
  obj: Json;
}

/** Every document of every YAML file under deploy/base and deploy/overlays; parse errors fail the test. */
function loadAll(): Doc[] {
  const out: Doc[] = [];
  for (const file of [...yamlFiles(join(DEPLOY, 'base')), ...yamlFiles(join(DEPLOY, 'overlays'))]) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
      if (problems.length) throw new Error(`${relative(ROOT, file)}: ${problems.join('; ')}`);
      const obj: unknown = doc.toJS();
      if (obj === null) continue;
      if (!isRecord(obj)) throw new Error(`${relative(ROOT, file)}: a document is not a mapping`);
      out.push({ file, obj });
    }
  }
  return out;
}

const docs = loadAll();
const isKustomization = (d: Doc): boolean => d.obj.kind === 'Kustomization';
const kustomizations = docs.filter(isKustomization);
const objects = docs.filter((d) => !isKustomization(d));
/** Files that kustomizations name as patches: partial objects, not resources. */
const patchFiles = new Set(
  kustomizations.flatMap((k) =>
    ((k.obj.patches as Json[] | undefined) ?? []).flatMap((p) =>
      typeof p.path === 'string' ? [join(dirname(k.file), p.path)] : [],
    ),
  ),
);
/** The base's objects (what the semantic checks look at). */
const base = objects.filter((d) => d.file.startsWith(join(DEPLOY, 'base')) && !patchFiles.has(d.file));

function name(o: Json): string {
  return String((o.metadata as Json | undefined)?.name);
}

/** The one object of `kind` in the base. */
function one(kind: string): Json {
  const found = base.filter((d) => d.obj.kind === kind);
  if (found.length !== 1) throw new Error(`deploy/base has ${found.length} ${kind} objects, not 1`);
  return found[0]!.obj;
}

function get(o: unknown, ...path: (string | number)[]): unknown {
  let cur = o;
  for (const p of path) {
    if (Array.isArray(cur) && typeof p === 'number') cur = cur[p];
    else if (isRecord(cur) && typeof p === 'string') cur = cur[p];
    else return undefined;
  }
  return cur;
}

describe('deploy/ Kubernetes objects', () => {
  it('finds the base and the example overlay', () => {
    const files = new Set(docs.map((d) => relative(DEPLOY, d.file)));
    for (const f of [
      'base/kustomization.yaml',
      'base/deployment.yaml',
      'base/service.yaml',
      'base/serviceaccount.yaml',
      'base/role.yaml',
      'base/rolebinding.yaml',
      'base/configmap.yaml',
      'overlays/example/kustomization.yaml',
    ])
      expect(files).toContain(f);
    expect(objects.length).toBeGreaterThanOrEqual(7);
  });

  it('every object is valid against the Kubernetes API types', () => {
    const problems = objects.flatMap((d) => validate(d.obj).map((e) => `${relative(ROOT, d.file)}: ${e}`));
    expect(problems).toEqual([]);
  });

  it('every object has a name, and no Secret with values is shipped', () => {
    for (const d of objects) expect(typeof get(d.obj, 'metadata', 'name')).toBe('string');
    expect(objects.filter((d) => d.obj.kind === 'Secret')).toEqual([]);
  });

  it('the validator reports a typo, a wrong type, an unknown kind and a wrong apiVersion', () => {
    const deployment = structuredClone(one('Deployment'));
    expect(validate(deployment)).toEqual([]);
    const container = get(deployment, 'spec', 'template', 'spec', 'containers', 0) as Json;
    container.imagePullPolcy = 'Always';
    (deployment.spec as Json).replicas = 'one';
    (get(deployment, 'spec', 'template', 'spec') as Json).terminationGracePeriodSeconds = 1.5;
    (get(container, 'livenessProbe', 'httpGet') as Json).port = true;
    const errors = validate(deployment);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^spec\.template\.spec\.containers\[0\]\.imagePullPolcy: unknown field of V1Container/,
        ),
        expect.stringMatching(/^spec\.replicas: expected an integer, got "one"/),
        expect.stringMatching(/^spec\.template\.spec\.terminationGracePeriodSeconds: expected an integer/),
        expect.stringMatching(/livenessProbe\.httpGet\.port: expected an integer or a string, got true/),
      ]),
    );
    expect(errors).toHaveLength(4);
    expect(validate({ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'x' } })).toEqual([
      expect.stringMatching(/^kind Widget: not one of/),
    ]);
    expect(validate({ apiVersion: 'apps/v1', kind: 'Service', metadata: { name: 'x' } })).toEqual([
      expect.stringMatching(/^apiVersion: Service is v1, not apps\/v1/),
    ]);
    expect(validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { labels: { a: 1 } } })).toEqual([
      expect.stringMatching(/^metadata\.labels\.a: expected a string/),
    ]);
  });
});

describe('deploy/ kustomizations', () => {
  it('are Kustomizations whose resources and patches exist, and that list every file beside them', () => {
    expect(kustomizations.map((k) => relative(DEPLOY, k.file)).sort()).toEqual([
      'base/kustomization.yaml',
      'overlays/example/kustomization.yaml',
    ]);
    const known = new Set([
      ...['apiVersion', 'kind', 'metadata', 'namespace', 'namePrefix', 'nameSuffix', 'resources'],
      ...['components', 'labels', 'commonLabels', 'commonAnnotations', 'images', 'patches', 'replicas'],
      ...['configMapGenerator', 'secretGenerator', 'generatorOptions'],
    ]);
    for (const k of kustomizations) {
      const dir = dirname(k.file);
      const where = relative(ROOT, k.file);
      expect({ where, apiVersion: k.obj.apiVersion }).toEqual({
        where,
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
      });
      expect({ where, unknown: Object.keys(k.obj).filter((key) => !known.has(key)) }).toEqual({
        where,
        unknown: [],
      });
      const resources = (k.obj.resources as unknown[] | undefined) ?? [];
      const patches = ((k.obj.patches as Json[] | undefined) ?? []).map((p) => p.path);
      const named = new Set<string>();
      for (const r of [...resources, ...patches]) {
        expect(typeof r).toBe('string');
        const p = join(dir, r as string);
        expect({ where, entry: r, exists: existsSync(p) }).toEqual({ where, entry: r, exists: true });
        if (statSync(p).isDirectory())
          expect({ where, entry: r, kustomization: existsSync(join(p, 'kustomization.yaml')) }).toEqual({
            where,
            entry: r,
            kustomization: true,
          });
        named.add(p);
      }
      const beside = yamlFiles(dir).filter((f) => dirname(f) === dir && f !== k.file);
      expect({ where, unlisted: beside.filter((f) => !named.has(f)).map((f) => relative(dir, f)) }).toEqual({
        where,
        unlisted: [],
      });
    }
  });

  it('the example overlay sets a namespace it creates, the image, and the repository', () => {
    const overlay = kustomizations.find((k) => k.file.includes(join('overlays', 'example')))!;
    const dir = dirname(overlay.file);
    expect(overlay.obj.resources).toContain('../../base');
    expect(overlay.obj.namespace).toBe('promoter-system');
    const ns = objects.find((d) => d.obj.kind === 'Namespace' && dirname(d.file) === dir);
    expect(ns && name(ns.obj)).toBe('promoter-system');

    const images = overlay.obj.images as Json[];
    const containerImages = (get(one('Deployment'), 'spec', 'template', 'spec', 'containers') as Json[]).map(
      (c) => c.image,
    );
    expect(images.length).toBeGreaterThan(0);
    for (const i of images) {
      expect(containerImages).toContain(i.name);
      expect(typeof i.newName).toBe('string');
      expect(typeof i.newTag).toBe('string');
    }

    // Each patch names an object of the base by kind and name.
    const patched = objects.filter((d) => patchFiles.has(d.file) && dirname(d.file) === dir);
    expect(patched.length).toBeGreaterThan(0);
    for (const p of patched)
      expect(base.map((b) => `${String(b.obj.kind)}/${name(b.obj)}`)).toContain(
        `${String(p.obj.kind)}/${name(p.obj)}`,
      );
    const cm = patched.find((p) => p.obj.kind === 'ConfigMap')!;
    expect(cm.obj.data).toEqual({
      PROMOTER_REPO: 'https://github.com/kubernetes/k8s.io',
      PROMOTER_BRANCH: 'main',
    });
  });
});

describe('deploy/base wiring', () => {
  const deployment = one('Deployment');
  const pod = get(deployment, 'spec', 'template', 'spec') as Json;
  const containers = pod.containers as Json[];
  const container = containers[0]!;
  const args = (container.args as string[] | undefined) ?? [];
  const flag = (f: string): string | undefined => {
    const i = args.indexOf(f);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const ports = (container.ports as Json[] | undefined) ?? [];
  /** The containerPort a probe's or the Service's port (a number or a port name) resolves to. */
  const resolvePort = (p: unknown): number | undefined =>
    typeof p === 'number'
      ? (ports.find((x) => x.containerPort === p)?.containerPort as number | undefined)
      : (ports.find((x) => x.name === p)?.containerPort as number | undefined);

  it('runs one replica of `promoter serve`, replaced with Recreate', () => {
    expect(containers).toHaveLength(1);
    expect(get(deployment, 'spec', 'replicas')).toBe(1);
    expect(get(deployment, 'spec', 'strategy', 'type')).toBe('Recreate');
    expect(args[0]).toBe('serve');
    expect(flag('--listen')).toBe('0.0.0.0:8080');
    expect(flag('--repo')).toBe('$(PROMOTER_REPO)');
    expect(flag('--branch')).toBe('$(PROMOTER_BRANCH)');
  });

  it('the selector matches the pod labels, and the Service selects the pod', () => {
    const labels = get(deployment, 'spec', 'template', 'metadata', 'labels') as Json;
    expect(get(deployment, 'spec', 'selector', 'matchLabels')).toEqual(labels);
    const selector = get(one('Service'), 'spec', 'selector') as Json;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(selector)) expect(labels[k]).toBe(v);
  });

  it('probes hit /healthz and /readyz on the port the Service targets, which --listen opens', () => {
    const servicePorts = get(one('Service'), 'spec', 'ports') as Json[];
    expect(servicePorts).toHaveLength(1);
    const target = resolvePort(servicePorts[0]!.targetPort ?? servicePorts[0]!.port);
    expect(target).toBe(Number(flag('--listen')?.split(':').pop()));
    expect(get(container, 'livenessProbe', 'httpGet', 'path')).toBe('/healthz');
    expect(resolvePort(get(container, 'livenessProbe', 'httpGet', 'port'))).toBe(target);
    expect(get(container, 'readinessProbe', 'httpGet', 'path')).toBe('/readyz');
    expect(resolvePort(get(container, 'readinessProbe', 'httpGet', 'port'))).toBe(target);
  });

  it('runs as a non-root user on a read-only root filesystem, without privileges', () => {
    const sc = (container.securityContext ?? {}) as Json;
    const podSc = (pod.securityContext ?? {}) as Json;
    expect(sc.runAsNonRoot ?? podSc.runAsNonRoot).toBe(true);
    const uid = sc.runAsUser ?? podSc.runAsUser;
    expect(typeof uid === 'number' && uid > 0).toBe(true);
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(get(sc, 'capabilities', 'drop')).toEqual(['ALL']);
    expect(get(sc, 'seccompProfile', 'type') ?? get(podSc, 'seccompProfile', 'type')).toBe('RuntimeDefault');
    const resources = container.resources as Json;
    for (const r of ['cpu', 'memory']) {
      expect(typeof get(resources, 'requests', r)).toBe('string');
      expect(typeof get(resources, 'limits', r)).toBe('string');
    }
  });

  it('every volumeMount has a volume, and the state directory and /tmp are writable volumes', () => {
    const volumes = new Map(((pod.volumes as Json[] | undefined) ?? []).map((v) => [v.name, v]));
    const mounts = (container.volumeMounts as Json[] | undefined) ?? [];
    for (const m of mounts) expect([m.name, volumes.has(m.name)]).toEqual([m.name, true]);
    const byPath = new Map(mounts.map((m) => [m.mountPath, m]));
    for (const path of [flag('--state'), '/tmp']) {
      const m = byPath.get(path);
      expect([path, m !== undefined && m.readOnly !== true]).toEqual([path, true]);
      expect(volumes.get(m!.name)).toHaveProperty('emptyDir');
    }
    const env = new Map(((container.env as Json[] | undefined) ?? []).map((e) => [e.name, e.value]));
    for (const v of ['HOME', 'XDG_CACHE_HOME'])
      expect(String(env.get(v)).startsWith(String(flag('--state')))).toBe(true);
  });

  it('outlasts --shutdown-timeout on termination', () => {
    const timeout = flag('--shutdown-timeout') ?? '60s';
    expect(timeout).toMatch(/^\d+s$/);
    expect(pod.terminationGracePeriodSeconds as number).toBeGreaterThan(parseInt(timeout, 10));
  });

  it('runs as the ServiceAccount that the RoleBinding binds to the Role, which allows Leases', () => {
    const sa = one('ServiceAccount');
    const role = one('Role');
    const binding = one('RoleBinding');
    expect(pod.serviceAccountName).toBe(name(sa));
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: name(role),
    });
    expect(binding.subjects).toContainEqual({ kind: 'ServiceAccount', name: name(sa) });
    const rules = role.rules as Json[];
    const leases = rules.find(
      (r) =>
        (r.apiGroups as string[]).includes('coordination.k8s.io') &&
        (r.resources as string[]).includes('leases'),
    );
    expect(leases?.verbs).toEqual(expect.arrayContaining(['get', 'create', 'update']));
  });

  it('every ConfigMap and Secret reference names what the base uses, and $(VARS) in args are defined', () => {
    const configMaps = new Map(
      base.filter((d) => d.obj.kind === 'ConfigMap').map((d) => [name(d.obj), (d.obj.data ?? {}) as Json]),
    );
    const env = (container.env as Json[] | undefined) ?? [];
    const secretNames = new Set<string>();
    for (const e of env) {
      const cm = get(e, 'valueFrom', 'configMapKeyRef') as Json | undefined;
      if (cm) {
        const data = configMaps.get(String(cm.name));
        expect([e.name, cm.name, data !== undefined]).toEqual([e.name, cm.name, true]);
        if (cm.optional !== true)
          expect([e.name, cm.key, String(cm.key) in data!]).toEqual([e.name, cm.key, true]);
      }
      const secret = get(e, 'valueFrom', 'secretKeyRef') as Json | undefined;
      if (secret) {
        secretNames.add(String(secret.name));
        expect([e.name, secret.optional]).toEqual([e.name, true]);
      }
    }
    for (const v of (pod.volumes as Json[] | undefined) ?? []) {
      const secret = v.secret as Json | undefined;
      if (secret) {
        secretNames.add(String(secret.secretName));
        expect([v.name, secret.optional]).toEqual([v.name, true]);
      }
    }
    expect([...secretNames]).toEqual(['promoter-credentials']);
    expect(env.map((e) => e.name)).toContain('PROMOTER_WEBHOOK_SECRET');

    const defined = env.map((e) => e.name);
    for (const a of args) for (const m of a.matchAll(/\$\(([A-Z0-9_]+)\)/g)) expect(defined).toContain(m[1]);
  });
});

describe('deploy/Dockerfile', () => {
  const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
  /** Instructions, continuation lines joined, comments dropped. */
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: string[][] = [];
  for (const l of lines) {
    if (/^FROM\s/i.test(l)) stages.push([l]);
    else stages[stages.length - 1]?.push(l);
  }
  const final = stages[stages.length - 1] ?? [];

  it('is multi-stage: a build stage and a runtime stage, each FROM node:20-bookworm-slim', () => {
    expect(lines[0]).toMatch(/^FROM\s/i);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s[0]).toMatch(/^FROM\s+node:20-bookworm-slim(\s+AS\s+\w+)?$/i);
    expect(stages[0]!.join('\n')).toMatch(/npm ci/);
    expect(stages[0]!.join('\n')).toMatch(/npm run build/);
    expect(stages[0]!.join('\n')).toMatch(/npm prune --omit=dev/);
  });

  it('the runtime stage installs git, runs as a numeric non-root USER and starts the CLI', () => {
    const body = final.join('\n');
    expect(body).toMatch(/apt-get install[^\n]*--no-install-recommends[^\n]*\bgit\b/);
    expect(body).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
    const users = final.filter((l) => /^USER\s/i.test(l));
    expect(users).toHaveLength(1);
    const uid = /^USER\s+(\d+)(?::\d+)?$/i.exec(users[0]!);
    expect(uid).not.toBeNull();
    expect(Number(uid![1])).toBeGreaterThan(0);
    expect(final.indexOf(users[0]!)).toBeGreaterThan(final.findIndex((l) => /^RUN\s/i.test(l)));

    const entrypoint = final.find((l) => /^ENTRYPOINT\s/i.test(l));
    const argv = JSON.parse(entrypoint!.replace(/^ENTRYPOINT\s+/i, '')) as string[];
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { promoter: string } };
    expect(pkg.bin.promoter).toBe('dist/promoter/cli/bin.js');
    expect(argv).toEqual(['node', `/app/${pkg.bin.promoter}`]);
    expect(final.some((l) => /^WORKDIR\s+\/app$/i.test(l))).toBe(true);
  });

  it('the runtime stage copies only built output from the build stage, never the context', () => {
    const copies = final.filter((l) => /^(COPY|ADD)\s/i.test(l));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      expect(c).not.toMatch(/^(COPY|ADD)(\s+--\S+)*\s+\.\/?\s+\S+$/i);
      expect(c).toMatch(/^COPY\s+--from=\w+\s/i);
    }
    const copied = copies.map((c) => c.split(/\s+/)[2]);
    for (const p of ['dist/', 'schemas/', 'node_modules/', 'package.json'])
      expect(copied.some((c) => c?.endsWith(`/${p}`))).toBe(true);
  });

  it('the build context (the repository root) leaves out node_modules, dist and .git', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['node_modules', 'dist', 'dist-bench', '.git', 'coverage']) expect(ignored).toContain(p);
  });
});
