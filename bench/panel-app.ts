// The app exactly as production starts it (src/main.ts: migrations, createApp, listen), compiled
// into dist/bench so the panel benchmarks can run it in a child process of their own: the app then
// has its own event loop (the load generator does not steal its turns) and its own memory figures
// (/proc/<pid>/status VmHWM is the app's peak RSS, nothing else's).
import '../src/main.js';
