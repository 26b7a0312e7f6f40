// Worker bootstrap used only when running from TypeScript sources (tests, `npm run dev`):
// worker threads do not inherit the parent's `--import tsx` loader, so register it here.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
