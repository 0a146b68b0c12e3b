// @ts-check
// Type-checked by tests/node/types.test.mjs (`--allowJs --checkJs --module nodenext`):
// plain CommonJS JavaScript that calls `require('spanwire')`. Never run.
const spanwire = require('spanwire');

/**
 * @param {Request} request
 * @returns {string}
 */
function job(request) {
  const span = spanwire.startSpan({ name: 'job', parent: request.headers.get('x-bt-parent') });
  /** @type {string} */
  const id = span.spanId;
  span.end();
  return id;
}

module.exports = { job };
