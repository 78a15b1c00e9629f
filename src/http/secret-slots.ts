/**
 * A value the API hands back (a next link, a cursor) may carry a secret anywhere: in a URL's path
 * (`/bot<token>/items`), in a query value, percent-encoded in any way. Such a value becomes a page token,
 * and page tokens live in workflow history, so each secret in it is replaced by a numbered slot before it
 * is stored, and filled in again from the worker's own secrets when the request is made.
 *
 * A secret is found in every form the masker knows (src/mask.ts: raw, any character percent-encoded in
 * either hex case, `+` for a space), not in a fixed list of encodings. A slot records which form to fill
 * in: one of the exact encodings when the API used one, else, in a URL, the secret percent-encoded as
 * RFC 3986 normalises it (unreserved characters raw, every other one encoded), which a server decodes to
 * the same characters as whatever mix the API wrote.
 */
import { SluiceError } from '../errors';
import { secretPattern } from '../mask';

const SLOT = /__sluice_secret_(\d+)_(\d+)__/g;

/** Every character outside RFC 3986's unreserved set percent-encoded: what any encoding of it decodes to. */
function normalEncoding(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The forms a slot is filled with, by number: the number is stored in page tokens, so an entry is never
 * removed or reordered (tokens of running syncs name them).
 */
const FORMS: readonly ((secret: string) => string)[] = [
  (s) => s,
  encodeURIComponent,
  encodeURI,
  (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  normalEncoding,
];
const EXACT_FORMS = 4;
const NORMAL_FORM = 4;

/** True when a value (from the API) already contains slot text: it cannot be told apart from ours. */
export function hasSecretSlotText(value: string): boolean {
  return new RegExp(SLOT.source).test(value);
}

/** The exact form `found` is of `secret`, if it is one of those a slot can reproduce byte for byte. */
function exactForm(found: string, secret: string): number | undefined {
  const index = FORMS.slice(0, EXACT_FORMS).findIndex((encode) => encode(secret) === found);
  return index < 0 ? undefined : index;
}

/**
 * `text` with each secret, in any form, replaced by `slotForm`'s verdict: a slot naming the secret's index
 * in `secrets` (the order `fillSecretSlots` gets) and the form to fill in.
 */
function replaceSecrets(text: string, secrets: readonly string[], slotForm: (found: string, secret: string, at: number) => number): string {
  // Longest first, so a secret that contains another is replaced whole; one capturing group per secret.
  const order = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  if (order.length === 0) return text;
  const re = new RegExp(order.map((s) => `(${secretPattern(s)})`).join('|'), 'g');
  return text.replace(re, (found: string, ...rest: unknown[]) => {
    const group = rest.slice(0, order.length).findIndex((g) => g !== undefined);
    const secret = order[group]!;
    const at = rest[order.length] as number;
    return `__sluice_secret_${secrets.indexOf(secret)}_${slotForm(found, secret, at)}__`;
  });
}

/** What the text of a URL decodes to: `+` is a space only in the query (form encoding). */
function decodedUrlText(text: string, inQuery: boolean): string | undefined {
  try {
    return decodeURIComponent(inQuery ? text.replace(/\+/g, ' ') : text);
  } catch {
    return undefined;
  }
}

/** `url` with every form of every secret replaced by its slot; `secrets` is the order `fillSecretSlots` gets. */
export function withSecretSlots(url: string, secrets: readonly string[]): string {
  const query = url.indexOf('?');
  const fragment = url.indexOf('#');
  return replaceSecrets(url, secrets, (found, secret, at) => {
    const exact = exactForm(found, secret);
    if (exact !== undefined) return exact;
    const inQuery = query >= 0 && at > query && (fragment < 0 || at < fragment);
    if (decodedUrlText(found, inQuery) === secret) return NORMAL_FORM;
    // Text that reads as the secret (a `+` for its space in a path) but is not it for a server: neither
    // storable as is nor fillable.
    throw new SluiceError('response_shape', 'a next link holds a form of a secret that sluice can neither store in the page token nor reproduce; refusing to follow it');
  });
}

/**
 * A value the API hands back to be sent as is (a cursor) with each secret in it replaced by its slot.
 * It must be filled in byte for byte, so only the exact forms are slotted; any other encoding of a
 * secret in it is refused.
 */
export function withSecretSlotsInValue(value: string, secrets: readonly string[], what: string): string {
  if (hasSecretSlotText(value)) {
    throw new SluiceError('response_shape', `${what} contains sluice's secret slot text (__sluice_secret_…); refusing to store it`);
  }
  return replaceSecrets(value, secrets, (found, secret) => {
    const exact = exactForm(found, secret);
    if (exact !== undefined) return exact;
    throw new SluiceError('response_shape', `${what} holds a secret in an encoding sluice cannot reproduce; refusing to store it in the page token`);
  });
}

/** The text with each slot filled from `secrets`; an error when a slot names a secret this worker lacks. */
export function fillSecretSlots(text: string, secrets: readonly string[]): string {
  return text.replace(SLOT, (_whole, index: string, form: string) => {
    const secret = secrets[Number(index)];
    const encode = FORMS[Number(form)];
    if (secret === undefined || encode === undefined) {
      throw new SluiceError(
        'config',
        "the page token refers to a secret this worker does not resolve (was the config or the worker's secrets changed mid-run?); restart the sync",
      );
    }
    return encode(secret);
  });
}
