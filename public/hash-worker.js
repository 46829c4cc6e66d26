// Hashing worker for flockboard's uploads: SHA-256 of the Files it is given, streamed, off the
// page's thread. It runs the WebAssembly module the page names in the message: where the
// browser has SIMD, the hashing module (src/bin/hash_worker.rs), which hashes up to four files
// at once in the lanes of 128-bit SIMD words (src/hub/sha256x4.rs), or one or two files one
// after the other (a lone lane runs scalar code); elsewhere the page's own module (its entry
// point does nothing outside a window), whose lanes are scalar: then one file at a time
// (`lanes: 1`), so the first file's hash comes first.
// In: {glue, wasm, files, lanes}. Out: {index, progress} at each percent, {index, oid} as each
// file ends, {error} if reading or hashing fails.
let bindings = null;

self.onmessage = async (event) => {
  const { glue, wasm, files, lanes: most } = event.data;
  try {
    if (!bindings) {
      bindings = await import(glue);
      await bindings.default({ module_or_path: wasm });
    }
    const hasher = new bindings.Sha256Lanes();
    const queue = files.map((file, index) => ({ file, index }));
    const lanes = [null, null, null, null];
    const take = (k) => {
      const next = queue.shift();
      lanes[k] = next ? { ...next, reader: next.file.stream().getReader(), read: 0, ended: false, reported: 0 } : null;
      if (next) hasher.start(k);
    };
    // SIMD lanes pay from three files on; one or two go one after the other, the first done
    // soonest.
    const width = files.length >= 3 ? Math.min(most || 1, lanes.length) : 1;
    for (let k = 0; k < width; k++) take(k);
    while (lanes.some(Boolean)) {
      // The lanes move in lockstep: read more for every lane that has less than a block.
      await Promise.all(lanes.map(async (lane, k) => {
        if (!lane || lane.ended || hasher.pending(k) >= 64) return;
        const { done, value } = await lane.reader.read();
        if (done) lane.ended = true;
        else {
          hasher.push(k, value);
          lane.read += value.length;
        }
      }));
      hasher.run();
      lanes.forEach((lane, k) => {
        if (!lane) return;
        const fraction = lane.file.size ? lane.read / lane.file.size : 1;
        if (fraction - lane.reported >= 0.01) {
          lane.reported = fraction;
          self.postMessage({ index: lane.index, progress: fraction });
        }
        if (lane.ended) {
          self.postMessage({ index: lane.index, oid: hasher.finish(k) });
          take(k);
        }
      });
    }
  } catch (error) {
    self.postMessage({ error: String(error && error.message ? error.message : error) });
  }
};
