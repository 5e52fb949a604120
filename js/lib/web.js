// Browser (and bundler) entry point: the web build of the wasm module, fetched and instantiated
// once here (top-level await), so callers need no init call either.
import init, * as raw from "../pkg/web/qitech_sim_wasm.js";
import { bindWasm } from "./core.js";

await init({ module_or_path: new URL("../pkg/web/qitech_sim_wasm_bg.wasm", import.meta.url) });
bindWasm(raw);
export * from "./api.js";
