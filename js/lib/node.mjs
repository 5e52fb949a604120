// Node entry point: the nodejs build of the wasm module loads synchronously, so no init call.
import raw from "../pkg/node/qitech_sim_wasm.cjs";
import { bindWasm } from "./core.js";

bindWasm(raw);
export * from "./api.js";
