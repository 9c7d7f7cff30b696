// Worker bootstrap: register tsx in the worker thread, then load the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
