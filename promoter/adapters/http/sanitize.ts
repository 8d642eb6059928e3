/** Keeps secrets out of messages and logs: URLs lose credentials and query strings (signed URLs). */

/** A URL safe to print: no user:password, no query string or fragment. */
export function sanitizeUrl(url: string | URL): string {
  try {
    const u = new URL(url.toString());
    const hadQuery = u.search !== '';
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return hadQuery ? `${u.toString()}?…` : u.toString();
  } catch {
    return '<invalid URL>';
  }
}

/** Replaces anything that looks like a bearer token or basic credentials in free text. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 <redacted>')
    .replace(
      /([?&](?:X-Amz-[A-Za-z-]+|Signature|token|access_token|sig|se|sp|sv|Expires|GoogleAccessId)=)[^&\s]+/gi,
      '$1<redacted>',
    )
    .replace(/\/\/[^/@\s:]+:[^/@\s]+@/g, '//<redacted>@');
}
