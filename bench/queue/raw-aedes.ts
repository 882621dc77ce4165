/**
 * The baseline broker of bench/queue.ts: plain aedes on a net server, no authentication, no
 * job queue, nothing but MQTT routing. Prints `{"mqttPort":N}` and, when started with an IPC
 * channel (the harness launcher, harness/stack/process.ts), reports it as ready the way the
 * services do. Run alone: `node --import tsx bench/queue/raw-aedes.ts`.
 */
import net from 'node:net';
import { Aedes } from 'aedes';

const broker = await Aedes.createBroker();
const server = net.createServer(broker.handle);
// As the real broker (system/broker/app.ts): Nagle off, so both write the same packets.
server.on('connection', (socket) => socket.setNoDelay(true));
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(process.env.RAW_AEDES_PORT ?? 0), '127.0.0.1', () => resolve());
});
const mqttPort = (server.address() as net.AddressInfo).port;
console.log(JSON.stringify({ mqttPort }));
process.send?.({ type: 'ready', mqttPort });

const close = () => broker.close(() => server.close(() => process.exit(0)));
process.on('SIGTERM', close);
process.on('SIGINT', close);
// Started by a bench: do not outlive it.
process.on('disconnect', close);
