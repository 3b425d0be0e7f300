/**
 * The status page's session and CSRF tokens, signed with HMAC-SHA-256 (Web Crypto: Node, edge and
 * browsers alike) under a key derived from the page's secret. A session cookie is
 * `<expires>.<nonce>.<signature>`; a form's CSRF token is the signature of `csrf:<nonce>`, so it is
 * worth nothing without the session it belongs to, and a session is worth nothing after `expires`.
 */

const encoder = new TextEncoder();

/** A signing key (Web Crypto's CryptoKey, named without the DOM library's types). */
export type SigningKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** base64url of bytes, without padding (cookie- and form-safe). */
function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The HMAC key of a secret: the secret is never used as a key as it is. */
export async function signingKey(secret: string): Promise<SigningKey> {
  const material = await crypto.subtle.digest('SHA-256', encoder.encode(`msgqueue status page\u0000${secret}`));
  return crypto.subtle.importKey('raw', material, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

async function sign(key: SigningKey, text: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text))));
}

/** Equal strings, compared in time that does not depend on where they differ. */
function same(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** A new session, valid until `expiresAt` (epoch ms): the cookie's value. */
export async function newSession(key: SigningKey, expiresAt: number): Promise<string> {
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(18)));
  const body = `${Math.floor(expiresAt)}.${nonce}`;
  return `${body}.${await sign(key, body)}`;
}

/** The session's nonce if `value` is a session this key signed and it has not expired at `now`; else null. */
export async function readSession(key: SigningKey, value: string | null, now: number): Promise<string | null> {
  const m = value === null ? null : /^(\d{1,16})\.([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return null;
  if (!same(await sign(key, `${m[1]}.${m[2]}`), m[3]!)) return null;
  return Number(m[1]) > now ? m[2]! : null;
}

/** The CSRF token of a session: what every form of the page carries, and every POST must send back. */
export function csrfToken(key: SigningKey, nonce: string): Promise<string> {
  return sign(key, `csrf:${nonce}`);
}

/** Whether `given` is the CSRF token of the session `nonce`. */
export async function checkCsrf(key: SigningKey, nonce: string, given: string | null): Promise<boolean> {
  return given !== null && same(await csrfToken(key, nonce), given);
}

/** The value of cookie `name` in a Cookie header, or null. */
export function cookie(header: string | null, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
