#!/usr/bin/env bash
# Builds the package: the crate for wasm32, the JS glue of the pinned wasm-bindgen-cli for Node and
# for the browser, then wasm-opt -Oz when Debian's binaryen is installed. Run from anywhere:
# `npm --prefix js run build`. wasm-bindgen-cli of the pinned version is taken from PATH, else from
# $QITECH_SIM_TOOLS/bin (default target/tools/bin), where cargo installs it when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
JS_DIR="$PWD"
ROOT="$(cd .. && pwd)"
# The pinned version, read from Cargo.toml (`wasm-bindgen = "=X.Y.Z"`): the CLI must match it.
VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)"
TOOLS="${QITECH_SIM_TOOLS:-$ROOT/target/tools}"
# Its own build directory: target/ here, or js/ under a CARGO_TARGET_DIR the caller set (as python/).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR/js}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$JS_DIR/target}"
BINDGEN="$TOOLS/bin/wasm-bindgen"

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
if command -v wasm-bindgen >/dev/null && [ "$(wasm-bindgen --version | cut -d' ' -f2)" = "$VERSION" ]; then
  BINDGEN="$(command -v wasm-bindgen)"
elif ! [ -x "$BINDGEN" ] || [ "$("$BINDGEN" --version | cut -d' ' -f2)" != "$VERSION" ]; then
  echo "build: installing wasm-bindgen-cli $VERSION into $TOOLS (a few minutes, once)"
  cargo install --locked -q wasm-bindgen-cli --version "$VERSION" --root "$TOOLS"
fi

cargo build --release -q --target wasm32-unknown-unknown
WASM="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/qitech_sim_wasm.wasm"
rm -rf pkg
"$BINDGEN" --target nodejs --out-dir pkg/node "$WASM"
# CommonJS in a "type": "module" package: the .cjs name says so to Node.
mv pkg/node/qitech_sim_wasm.js pkg/node/qitech_sim_wasm.cjs
"$BINDGEN" --target web --out-dir pkg/web "$WASM"
if command -v wasm-opt >/dev/null; then
  for f in pkg/node/qitech_sim_wasm_bg.wasm pkg/web/qitech_sim_wasm_bg.wasm; do
    wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
      --enable-mutable-globals -o "$f.opt" "$f" && mv "$f.opt" "$f"
  done
else
  echo "build: wasm-opt not found (Debian: apt-get install binaryen); the .wasm is not post-optimised"
fi
# The generated typings are replaced by the hand-written index.d.ts.
rm -f pkg/*/*.d.ts pkg/node/package.json pkg/web/package.json pkg/*/.gitignore
echo "build: $(wc -c < pkg/web/qitech_sim_wasm_bg.wasm) bytes of wasm ($(gzip -9c pkg/web/qitech_sim_wasm_bg.wasm | wc -c) gzipped)"
