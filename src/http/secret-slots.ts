/**
 * A URL the API hands back (a next link) may carry a secret anywhere: in its path (`/bot<token>/items`),
 * in a query value, percent-encoded. Such a URL becomes a page token, and page tokens live in workflow
 * history, so each secret in it is replaced by a numbered slot before it is stored, and filled in again
 * from the worker's own secrets when the request is made.
 */
import { SluiceError } from '../errors';

const SLOT = /__sluice_secret_(\d+)_(\d+)__/g;

/** The ways a secret appears in a URL: as is, percent-encoded whole, percent-encoded as a URL would be. */
const FORMS: readonly ((secret: string) => string)[] = [
  (s) => s,
  encodeURIComponent,
  encodeURI,
  (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
];

/** True when a URL (from the API) already contains slot text: it cannot be told apart from ours. */
export function hasSecretSlotText(url: string): boolean {
  return new RegExp(SLOT.source).test(url);
}

/** `url` with every form of every secret replaced by its slot; `secrets` is the order `fillSecretSlots` gets. */
export function withSecretSlots(url: string, secrets: readonly string[]): string {
  const found: { text: string; slot: string }[] = [];
  secrets.forEach((secret, index) => {
    if (secret.length === 0) return;
    FORMS.forEach((form, f) => found.push({ text: form(secret), slot: `__sluice_secret_${index}_${f}__` }));
  });
  // Longest first, so a secret that contains another is replaced whole.
  found.sort((a, b) => b.text.length - a.text.length);
  let out = url;
  for (const { text, slot } of found) out = out.split(text).join(slot);
  return out;
}

/** The URL with each slot filled from `secrets`; an error when a slot names a secret this worker lacks. */
export function fillSecretSlots(url: string, secrets: readonly string[]): string {
  return url.replace(SLOT, (_whole, index: string, form: string) => {
    const secret = secrets[Number(index)];
    const encode = FORMS[Number(form)];
    if (secret === undefined || encode === undefined) {
      throw new SluiceError('config', 'the page token refers to a secret this worker does not resolve (was the config or the worker\'s secrets changed mid-run?); restart the sync');
    }
    return encode(secret);
  });
}
