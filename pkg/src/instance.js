// Internal: the wasm exports as the JS layer calls them, and the restart after a trap.
//
// A trap (a bug: nothing that reads input traps) unwinds no Rust frame, so the recorder
// would stay borrowed and every later call trap too, in every later request of the
// isolate. So each export is guarded: after a `WebAssembly.RuntimeError`, or another
// exception that left the recorder borrowed (a stack overflow), the module is
// instantiated again (the glue's `__wbg_reset_state`, scripts/build), a new `epoch`
// begins, and the caller gets an Error with the exception as its `cause`. Before that,
// the exporters take the spans queued in the old instance, unless the failed call left
// its recorder borrowed (then they count them as dropped; `beforeRestart`, exporter.js).
// Live spans' records are lost with it: the modules that hold its addresses or ids
// renew them (`onRestart`), and spans begun before begin again when next used
// (logger.js). Ended spans and extracted contexts live in JS and carry on.
import * as glue from './spanwire.js';

/** How many times the module has been restarted; spans and loggers compare it with theirs. */
export let epoch = 0;

const beforeHooks = [];
const hooks = [];
let restarting = false;

/**
 * Runs `hook()` before every restart (after a trap, or an exception that left the
 * recorder borrowed), with the old instance still in place: it can still be called (a
 * call that traps again throws its RuntimeError and restarts nothing). A hook may
 * return a few words on what it kept or lost, for the warning and the Error. A hook
 * that throws does not stop the others.
 */
export function beforeRestart(hook) {
  beforeHooks.push(hook);
}

/**
 * Runs `hook()` after every restart, with the new instance in place. A hook that throws
 * does not stop the others.
 */
export function onRestart(hook) {
  hooks.push(hook);
}

/** Runs `list`'s hooks; returns the words they returned. */
function runHooks(list) {
  const words = [];
  for (const hook of list) {
    try {
      const said = hook();
      if (typeof said === 'string' && said) words.push(said);
    } catch { /* a hook's own failure shows when its module is next used */ }
  }
  return words;
}

/**
 * Whether the recorder is free, as it is between calls. An exception other than a trap
 * can stop a call half way too: a stack overflow is a RangeError, in wasm as in JS.
 * Asking may overflow again; then the answer is unknown, and a recorder left borrowed
 * traps at its next use, which restarts the module.
 */
function intact() {
  try {
    return glue.__intact();
  } catch {
    return true;
  }
}

/** How the module's error for a failed random draw begins (src/random.rs `RandomError`). */
const NO_RANDOM_SOURCE = 'no cryptographically secure random source is available';

/**
 * `error`, thrown by a call that failed to draw random bytes, with what
 * `crypto.getRandomValues` threw (src/js/random.rs): a `RangeError` (the stack ran out
 * on the way in, not a missing source) is thrown as itself; anything else (workerd's
 * refusal at module scope, say) becomes `error`'s `cause`. Any other error is returned
 * as it is.
 */
export function withRandomCause(error) {
  if (!(error instanceof Error) || typeof error.message !== 'string' || !error.message.startsWith(NO_RANDOM_SOURCE)) return error;
  let thrown;
  try {
    thrown = glue.__takeRandomCause();
  } catch {
    return error;
  }
  if (thrown === undefined) return error;
  if (thrown instanceof RangeError) return thrown;
  if (error.cause === undefined) error.cause = thrown;
  return error;
}

/**
 * What the guarded call throws for `error`: `error` itself (with a failed random
 * draw's cause), unless it is a trap, or left the module mid-call; then the module is
 * restarted and the Error says so.
 */
function afterThrow(error) {
  if (restarting) return error;
  let failed;
  if (error instanceof WebAssembly.RuntimeError) failed = `the WebAssembly module trapped (${error.message})`;
  else if (!intact()) failed = `a call into the WebAssembly module stopped half way (${error?.name}: ${error?.message})`;
  else return withRandomCause(error);
  restarting = true;
  let outcome;
  const old = memoryOf();
  try {
    outcome = [...runHooks(beforeHooks), 'spans in progress begin again with new ids'].join('; ');
    resetInstance();
  } catch (e) {
    if (memoryOf() !== old) {
      // The new instance is in place but did not start (the stack ran out in its start,
      // say): no handle of the old one may reach it, and a whole restart runs again
      // from the fresh stack of a microtask.
      epoch++;
      queueMicrotask(restartAgain);
    }
    return new Error(`spanwire: internal error: ${failed}, and it could not be restarted (${e?.message ?? e})`, { cause: error });
  } finally {
    restarting = false;
  }
  globalThis.console?.warn?.(`spanwire: ${failed}; it was restarted: ${outcome}`);
  return new Error(`spanwire: internal error: ${failed}; it was restarted: ${outcome}`, { cause: error });
}

/** The live instance's memory (which instance is in place), or undefined. */
function memoryOf() {
  try {
    return glue.__memory();
  } catch {
    return undefined;
  }
}

/** A new instance in place of the old, and the hooks told: the restart itself. */
function resetInstance() {
  glue.__wbg_reset_state();
  epoch++;
  runHooks(hooks);
}

/** A restart whose new instance failed to start, done again (see afterThrow). */
function restartAgain() {
  if (restarting) return;
  restarting = true;
  try {
    resetInstance();
  } catch (e) {
    globalThis.console?.warn?.(`spanwire: the WebAssembly module could not be restarted (${e?.message ?? e})`);
  } finally {
    restarting = false;
  }
}

/**
 * `f` with a trap turned into a restart. One wrapper per arity, so a call passes its
 * arguments as written (no rest array, no `apply`).
 */
function guard(f) {
  switch (f.length) {
    case 0: return () => { try { return f(); } catch (e) { throw afterThrow(e); } };
    case 1: return (a) => { try { return f(a); } catch (e) { throw afterThrow(e); } };
    case 2: return (a, b) => { try { return f(a, b); } catch (e) { throw afterThrow(e); } };
    case 3: return (a, b, c) => { try { return f(a, b, c); } catch (e) { throw afterThrow(e); } };
    case 4: return (a, b, c, d) => { try { return f(a, b, c, d); } catch (e) { throw afterThrow(e); } };
    default: return (...args) => { try { return f(...args); } catch (e) { throw afterThrow(e); } };
  }
}

export const __extract = guard(glue.__extract);
export const __extractScratch = guard(glue.__extractScratch);
export const __forwardedBaggage = guard(glue.__forwardedBaggage);
export const __forwardedBaggageScratch = guard(glue.__forwardedBaggageScratch);
export const __idPoolBytes = guard(glue.__idPoolBytes);
export const __memory = guard(glue.__memory);
export const __randomErrorMessage = guard(glue.__randomErrorMessage);
export const __refillIdPool = guard(glue.__refillIdPool);
export const __relayBaggage = guard(glue.__relayBaggage);
/** For tests only (tests/{node,browser,workerd}): a trap, with the recorder borrowed or not. */
export const __trap = guard(glue.__trap);
/** For tests only: a stack overflow (a RangeError) with the recorder borrowed. */
export const __overflowInRecorder = guard(glue.__overflowInRecorder);
export const __wire = guard(glue.__wire);
export const logger_close = guard(glue.logger_close);
export const logger_create = guard(glue.logger_create);
export const logger_discard_queued = guard(glue.logger_discard_queued);
export const logger_dropped = guard(glue.logger_dropped);
export const logger_encode_queued = guard(glue.logger_encode_queued);
export const logger_holds_batch = guard(glue.logger_holds_batch);
export const logger_queued = guard(glue.logger_queued);
export const logger_queued_after_trap = guard(glue.logger_queued_after_trap);
export const logger_take_batch = guard(glue.logger_take_batch);
export const retryDelayMs = guard(glue.retryDelayMs);
export const slug_format = guard(glue.slug_format);
export const slug_parse = guard(glue.slug_parse);
export const snapshot_export = guard(glue.snapshot_export);
export const snapshot_field = guard(glue.snapshot_field);
export const snapshot_propagation = guard(glue.snapshot_propagation);
export const snapshot_stage = guard(glue.snapshot_stage);
export const span_add_event = guard(glue.span_add_event);
export const span_discard = guard(glue.span_discard);
export const span_end = guard(glue.span_end);
export const span_export = guard(glue.span_export);
export const span_field = guard(glue.span_field);
export const span_flags = guard(glue.span_flags);
export const span_log = guard(glue.span_log);
export const span_propagation = guard(glue.span_propagation);
export const span_rename = guard(glue.span_rename);
export const span_set_attributes = guard(glue.span_set_attributes);
export const span_set_json = guard(glue.span_set_json);
export const span_set_status = guard(glue.span_set_status);
export const span_set_row_id = guard(glue.span_set_row_id);
export const span_start_after = guard(glue.span_start_after);
export const span_start_child = guard(glue.span_start_child);
export const span_start_remote = guard(glue.span_start_remote);
export const span_start_remote_strings = guard(glue.span_start_remote_strings);
export const span_start_root = guard(glue.span_start_root);
export const span_start_slug = guard(glue.span_start_slug);
export const take_slug_error = guard(glue.take_slug_error);
