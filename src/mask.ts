/**
 * Secret masking, shared by every layer that builds messages (config, http, activities). Secrets show up
 * in more than their raw form: percent-encoded in a query string, form-encoded, JSON-escaped in a body
 * the API echoes back, so each form is masked.
 */

export const MASK = '***';

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function variants(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(encodeURIComponent(secret));
  forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  forms.add(formEncode(secret));
  forms.add(encodeURI(secret));
  forms.add(JSON.stringify(secret).slice(1, -1));
  // Lower-case percent escapes are valid too (some servers echo them that way).
  forms.add(encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  return [...forms].filter((f) => f.length > 0);
}

// Every request masks its URL and summary with the same few secrets: their forms are worked out once.
const formsOf = new Map<string, string[]>();
const FORMS_CACHED = 256;

function cachedVariants(secret: string): string[] {
  let forms = formsOf.get(secret);
  if (!forms) {
    if (formsOf.size >= FORMS_CACHED) formsOf.clear(); // rotated tokens must not pile up
    forms = variants(secret);
    formsOf.set(secret, forms);
  }
  return forms;
}

export function maskSecrets(text: string, secrets: readonly string[]): string {
  const all = secrets.filter((s) => typeof s === 'string' && s.length > 0).flatMap(cachedVariants);
  // Longest first, so a secret that contains another secret is masked whole.
  all.sort((a, b) => b.length - a.length);
  let out = text;
  for (const form of all) out = out.split(form).join(MASK);
  return out;
}
