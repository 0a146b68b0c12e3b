// Catches the WebAssembly.Instance the package's glue creates, so a test or benchmark
// can read the module's memory and raw exports (the glue keeps them internal). Call it
// before the package is first imported; `restore()` puts WebAssembly.Instance back.
//
//   const caught = catchWasmInstance();
//   await import('spanwire');
//   caught.instance.exports.memory.buffer.byteLength;
export function catchWasmInstance() {
  const Instance = WebAssembly.Instance;
  const caught = {
    instance: undefined,
    restore() {
      WebAssembly.Instance = Instance;
    },
  };
  WebAssembly.Instance = function (...args) {
    const instance = new Instance(...args);
    if (instance.exports.memory instanceof WebAssembly.Memory) caught.instance = instance;
    return instance;
  };
  WebAssembly.Instance.prototype = Instance.prototype;
  return caught;
}
