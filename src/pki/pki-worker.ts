import { parentPort, workerData } from 'node:worker_threads';
import { generatePkiParts, type PkiRequest } from './key-material.js';

// The worker thread of `prepareKeyMaterial`: generates the requested certificates and posts them back.
parentPort!.postMessage(await generatePkiParts(workerData as PkiRequest));
