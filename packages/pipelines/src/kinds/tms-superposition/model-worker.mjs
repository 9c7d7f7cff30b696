// Worker bootstrap for the toy-model jobs: worker threads do not inherit tsx's loader hook,
// so register it here before loading the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import(new URL("./model-worker.ts", import.meta.url).href);
