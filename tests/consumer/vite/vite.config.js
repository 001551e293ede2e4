import { defineConfig } from "vite";

// The package is ESM with a separate .wasm file fetched by URL: nothing to configure but the
// browser condition, which Vite uses for client builds by default.
export default defineConfig({ build: { target: "es2022", outDir: "dist", emptyOutDir: true } });
