// The state writer's thread: durable writes (each an fsync or two) happen here, off the bot's
// event loop. Messages that queued up while a burst was being written are taken together, and each
// file is written once for all of them; journal results go back first, then the others, each in order.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { StoreWrite } from '../domain/store.ts';
import { journalFirst, StoreDriver } from './storeDriver.ts';

export type ToWorker = { write: StoreWrite } | { taking: number } | { flush: true };

const port = parentPort!;
const driver = new StoreDriver((workerData as { sessionsDir: string }).sessionsDir, (line) => port.postMessage({ log: line }));

port.on('message', (first: ToWorker) => {
  const batch: ToWorker[] = [first];
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) batch.push(m.message as ToWorker);
  const writes: StoreWrite[] = [];
  for (const m of batch) {
    if ('taking' in m) driver.taking(m.taking);
    else if ('write' in m) writes.push(m.write);
    else driver.flushIfUnhealthy();
  }
  for (const group of journalFirst(writes)) port.postMessage({ results: driver.writeAll(group) });
});
