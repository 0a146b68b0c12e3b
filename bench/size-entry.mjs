// What the size section bundles as 'full package': the browser entry and everything it
// pulls in, the whole public API kept (nothing for esbuild to drop). The issue's
// size target is judged on this one.
export * from '../pkg/dist/entry-browser.js';
