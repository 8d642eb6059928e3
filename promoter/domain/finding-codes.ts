/**
 * The catalogue of finding codes: each code's default severity and what it means. The README's table of
 * findings is checked against this list by a test, so the two cannot drift apart.
 */
import type { Severity } from './finding.js';

interface CodeInfo {
  severity: Severity;
  summary: string;
}

/** Every finding code the validator can report. */
export const FINDING_CODES = {
  // Reading files
  'file-unreadable': { severity: 'error', summary: 'a manifest file could not be read' },
  'file-too-large': { severity: 'error', summary: 'a manifest file is larger than the reader accepts' },
  'file-not-text': { severity: 'error', summary: 'a manifest file is binary or not UTF-8' },
  'symlink-ignored': {
    severity: 'warning',
    summary: 'a symbolic link where a manifest was expected is not followed',
  },
  'yaml-syntax': { severity: 'error', summary: 'the file is not valid YAML' },
  'yaml-duplicate-key': { severity: 'error', summary: 'a mapping has the same key twice' },
  'yaml-multiple-documents': {
    severity: 'error',
    summary: 'a manifest file holds more than one YAML document',
  },
  'yaml-alias-limit': { severity: 'error', summary: 'too many YAML aliases (a resource-exhaustion attack)' },
  'number-as-text': {
    severity: 'warning',
    summary: 'an unquoted number where text belongs (a tag `1.10`), read as its text as kpromo does',
  },
  'yaml-too-deep': { severity: 'error', summary: 'the YAML is nested too deeply to process' },
  // Structure (JSON Schema)
  'wrong-type': { severity: 'error', summary: 'a value has the wrong type' },
  'missing-field': { severity: 'error', summary: 'a required field is missing' },
  'unknown-field': { severity: 'error', summary: 'a field the format does not define (often a typo)' },
  'invalid-value': { severity: 'error', summary: 'a value is outside what the format allows' },
  'deprecated-field': { severity: 'info', summary: 'a field kpromo accepts but ignores' },
  // Image manifests
  'digest-invalid': { severity: 'error', summary: 'a digest is not `sha256:` and 64 lowercase hex digits' },
  'tag-invalid': { severity: 'error', summary: 'a tag does not match `^\\w[\\w.-]{0,127}$`' },
  'registry-name-invalid': { severity: 'error', summary: 'a registry name is not a valid host/path' },
  'image-name-invalid': { severity: 'error', summary: 'an image name is not a valid repository path' },
  'source-missing': { severity: 'error', summary: 'no registry or filestore is marked `src: true`' },
  'source-multiple': {
    severity: 'error',
    summary: 'more than one registry or filestore is marked `src: true`',
  },
  'destination-missing': { severity: 'error', summary: 'there is no destination registry or filestore' },
  'destination-duplicate': { severity: 'warning', summary: 'the same destination is listed twice' },
  'source-is-destination': { severity: 'error', summary: 'the source is also listed as a destination' },
  'images-file-missing': {
    severity: 'error',
    summary: 'a thin manifest has no `images/<project>/images.yaml`',
  },
  'images-orphaned': {
    severity: 'warning',
    summary: 'an `images/<project>` has no promoter manifest, so nothing promotes it',
  },
  'image-duplicate': {
    severity: 'warning',
    summary: 'the same image name is listed twice in one file (entries are merged)',
  },
  'image-without-digests': {
    severity: 'warning',
    summary: 'an image lists no digests, so it promotes nothing',
  },
  'tag-duplicate': { severity: 'warning', summary: 'the same tag is listed twice for one digest' },
  'tag-conflict': {
    severity: 'error',
    summary: 'one destination `registry/image:tag` is aimed at two digests (an overlapping edge)',
  },
  'provenance-unsupported': {
    severity: 'warning',
    summary: 'a kpromo provenance policy is present; promoter does not verify provenance',
  },
  // File manifests
  'sha256-invalid': { severity: 'error', summary: 'a file sha256 is not 64 hex digits' },
  'sha256-uppercase': {
    severity: 'warning',
    summary: 'a file sha256 uses uppercase hex (accepted, compared lowercase)',
  },
  'file-name-invalid': {
    severity: 'error',
    summary: 'a file name is absolute, has `..`, `.` or empty segments, backslashes or control characters',
  },
  'filestore-scheme-unknown': {
    severity: 'error',
    summary: 'a filestore base has a scheme other than gs://, s3:// or file://',
  },
  'filestore-base-invalid': { severity: 'error', summary: 'a filestore base has no bucket or path' },
  'file-duplicate': { severity: 'warning', summary: 'the same file is listed twice with the same sha256' },
  'file-conflict': {
    severity: 'error',
    summary: 'one destination file is aimed at two different sha256 values',
  },
  'files-without-filestores': {
    severity: 'error',
    summary: 'a `manifests/<project>` file list has no `filestores/<project>` manifest',
  },
  'filestores-without-files': {
    severity: 'warning',
    summary: 'a filestores manifest has no file lists, so it promotes nothing',
  },
  'files-empty': { severity: 'warning', summary: 'a file list holds no files' },
  // Policy (promoter.yaml)
  'destination-not-allowed': {
    severity: 'error',
    summary: 'a destination is outside the policy’s `allowedDestinations`',
  },
  'manifest-root-missing': {
    severity: 'error',
    summary: 'a manifest root named in promoter.yaml does not exist',
  },
  // Planning and promotion (what the registries hold)
  'digest-not-in-source': {
    severity: 'error',
    summary: 'a digest the manifests promote is not in its source registry',
  },
  'not-multi-arch': {
    severity: 'error',
    summary: 'a new digest is not a multi-platform index, and policy.requireMultiArch asks for one',
  },
  'source-unreadable': {
    severity: 'error',
    summary: 'a source repository, filestore or file could not be read',
  },
  'destination-unreadable': {
    severity: 'error',
    summary: 'a destination repository, filestore or file could not be read, so nothing is planned for it',
  },
  'file-not-in-source': {
    severity: 'error',
    summary: 'a file the manifests promote is not in its source filestore',
  },
  'file-source-corrupt': {
    severity: 'error',
    summary: 'a source file’s bytes (or the sha256 in its metadata) do not match the manifest’s sha256',
  },
  'file-overwrite-refused': {
    severity: 'error',
    summary:
      'a mirror holds a file with another sha256 than the manifests say, and policy forbids overwriting it',
  },
  'sha256-computed': {
    severity: 'info',
    summary: 'objects without sha256 metadata were read and hashed to plan (written by another tool)',
  },
  'tag-move-refused': {
    severity: 'error',
    summary: 'a mirror’s tag points at another digest than the manifests say, and policy forbids moving it',
  },
  'delete-refused': {
    severity: 'warning',
    summary: 'a removed entry is not deleted from a mirror (policy, limit, or the mirror changed)',
  },
  'action-failed': { severity: 'error', summary: 'a planned action failed while promoting' },
  // Changes against a base revision (--base)
  'tag-moved': {
    severity: 'error',
    summary: 'a tag now points at a different digest (allowed only by policy)',
  },
  'entry-removed': {
    severity: 'error',
    summary: 'a digest, tag or file was removed (a deletion; allowed only by policy)',
  },
  'delete-limit-exceeded': {
    severity: 'error',
    summary: 'more removals than the policy’s `deletions.maxDeletes`',
  },
  'file-changed': {
    severity: 'error',
    summary: 'a promoted file now has a different sha256 (allowed only by policy)',
  },
  'registries-changed': {
    severity: 'warning',
    summary: 'a `registries:` block changed or is new: needs owners’ review',
  },
  'filestores-changed': {
    severity: 'warning',
    summary: 'a `filestores:` block changed or is new: needs owners’ review',
  },
  'policy-changed': {
    severity: 'warning',
    summary: 'promoter.yaml changed: the base revision’s policy still applies to this change',
  },
} as const satisfies Record<string, CodeInfo>;

/** A finding code from the catalogue. */
export type FindingCode = keyof typeof FINDING_CODES;
