// What the cold-start section imports: the package's Node entry, which reads the
// .wasm and instantiates it.
import '../pkg/dist/entry-node.js';
