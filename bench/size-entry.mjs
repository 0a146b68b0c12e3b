// What the size section bundles: the browser entry and everything it pulls in.
export * from '../pkg/dist/entry-browser.js';
