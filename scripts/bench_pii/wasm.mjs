// scripts/bench-pii-wasm: times pii::detect compiled to wasm32 under Node, one call at a time,
// on the prompts of the native bench (crates/engines/pii/benches/detect.rs); prints p50/p99.
import { readFileSync } from "node:fs";

const bytes = readFileSync(process.argv[2]);
const { instance } = await WebAssembly.instantiate(bytes, {});
const { select_prompt, detect_selected } = instance.exports;

function percentiles(label, kind) {
  const length = select_prompt(kind);
  for (let i = 0; i < 500; i++) detect_selected();
  const samples = new Float64Array(10000);
  for (let i = 0; i < samples.length; i++) {
    const started = process.hrtime.bigint();
    detect_selected();
    samples[i] = Number(process.hrtime.bigint() - started) / 1000;
  }
  samples.sort();
  const at = (q) => samples[Math.floor((samples.length - 1) * q)];
  console.log(`${label.padEnd(28)} ${String(length).padStart(8)} ${at(0.5).toFixed(2).padStart(10)} ${at(0.99).toFixed(2).padStart(10)}`);
}

console.log(`${"prompt (wasm32, Node " + process.version + ")".padEnd(0)}`.padEnd(28) + " " + "bytes".padStart(8) + " " + "p50 µs".padStart(10) + " " + "p99 µs".padStart(10));
percentiles("80-char (email, phone)", 0);
percentiles("1 KB mixed FR/EN", 1024);
percentiles("2 KB mixed FR/EN", 2048);
percentiles("80-char PII-free", 1);
