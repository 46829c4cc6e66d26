// Hashing worker for flockboard's uploads: SHA-256 of one File, streamed, off the page's
// thread. It runs the page's own WebAssembly (the module and wasm URLs come in the message;
// the app's entry point does nothing outside a window) and reports progress at each percent.
let bindings = null;

self.onmessage = async (event) => {
  const { glue, wasm, file } = event.data;
  try {
    if (!bindings) {
      bindings = await import(glue);
      await bindings.default({ module_or_path: wasm });
    }
    const hasher = new bindings.Sha256Stream();
    const reader = file.stream().getReader();
    let done = 0;
    let reported = 0;
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      hasher.update(value);
      done += value.length;
      const fraction = file.size ? done / file.size : 1;
      if (fraction - reported >= 0.01) {
        reported = fraction;
        self.postMessage({ progress: fraction });
      }
    }
    self.postMessage({ oid: hasher.finish() });
  } catch (error) {
    self.postMessage({ error: String(error && error.message ? error.message : error) });
  }
};
