// Where fetch resolves a relative URL, for the exporter's URL and for the requests
// tracedFetch checks against propagateTo: both must resolve it as fetch will.

/**
 * The page's base URL (`document.baseURI`: a `<base href>` moves it) or a web
 * worker's location; undefined in Node and Cloudflare Workers, which have neither.
 */
export function fetchBase() {
  try {
    const href = globalThis.document?.baseURI ?? globalThis.location?.href;
    return typeof href === 'string' ? href : undefined;
  } catch {
    return undefined; // a detached or cross-origin location
  }
}
