// JS<->JS side of the p2p benchmark (run from the js-peer directory so its node_modules resolve;
// P2pBench copies this file there). One JSON object per line on stdout.
//   node p2p-bench.mjs server
//   node p2p-bench.mjs client <multiaddr> <totalBytes> <streams> <connSetups> [warmupSeconds] [warmupSetups]
// (warm-up, untimed, in the same process first: echo runs of totalBytes with 1 and 64 streams alternately for
// warmupSeconds, as the Java side does; warmupSetups dials before the timed setups)
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddr } from '@multiformats/multiaddr'

const BENCH = '/bench/echo/1.0.0'
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')

async function node (listen) {
  return createLibp2p({
    addresses: { listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: 100000, inboundConnectionThreshold: 1000000, maxIncomingPendingConnections: 10000, allow: ['/ip4/127.0.0.1'] }
  })
}

async function server () {
  const n = await node(true)
  await n.handle(BENCH, (stream) => {
    // js yamux keeps granting window while the stream is paused; allow the echo to lag behind
    stream.maxReadBufferLength = 256 * 1024 * 1024
    stream.addEventListener('message', (evt) => {
      if (!stream.send(evt.data)) {
        stream.pause()
        stream.onDrain().then(() => stream.resume(), () => {})
      }
    })
    stream.addEventListener('remoteCloseWrite', () => { stream.close().catch(() => {}) })
  }, { maxInboundStreams: 1024, maxOutboundStreams: 1024 })
  out({ event: 'listening', addr: n.getMultiaddrs()[0].toString() })
  process.on('SIGTERM', async () => { await n.stop(); process.exit(0) })
}

async function oneStream (conn, bytes) {
  const stream = await conn.newStream(BENCH, { maxOutboundStreams: 1024 })
  const chunk = new Uint8Array(64 * 1024)
  let received = 0
  const done = new Promise((resolve, reject) => {
    stream.addEventListener('message', (evt) => {
      received += evt.data.byteLength
      if (received >= bytes) resolve()
    })
    stream.addEventListener('close', (evt) => { if (received < bytes) reject(evt.error ?? new Error('closed early')) })
  })
  let sent = 0
  while (sent < bytes) {
    const n = Math.min(chunk.length, bytes - sent)
    sent += n
    if (!stream.send(n === chunk.length ? chunk : chunk.subarray(0, n))) await stream.onDrain()
  }
  await done
  await stream.close()
}

async function client (addr, totalBytes, streams, setups, warmupSeconds, warmupSetups) {
  const n = await node(false)
  const ma = multiaddr(addr)
  const conn = await n.dial(ma)
  const until = process.hrtime.bigint() + BigInt(Math.round(warmupSeconds * 1e9))
  while (process.hrtime.bigint() < until) {
    for (const k of [1, 64]) {
      const w = Math.floor(totalBytes / k)
      await Promise.all(Array.from({ length: k }, () => oneStream(conn, w)))
    }
  }
  const per = Math.floor(totalBytes / streams)
  const t0 = process.hrtime.bigint()
  await Promise.all(Array.from({ length: streams }, () => oneStream(conn, per)))
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  out({ event: 'throughput', streams, bytes: per * streams, seconds: secs, mibPerSec: per * streams / secs / 1048576 })
  await conn.close()
  if (setups > 0) {
    for (let i = 0; i < warmupSetups; i++) {
      const c = await n.dial(ma, { force: true })
      await c.close()
    }
    const t1 = process.hrtime.bigint()
    for (let i = 0; i < setups; i++) {
      const c = await n.dial(ma, { force: true })
      await c.close()
    }
    const s = Number(process.hrtime.bigint() - t1) / 1e9
    out({ event: 'setups', count: setups, seconds: s, perSec: setups / s })
  }
  await n.stop()
}

const [mode, ...args] = process.argv.slice(2)
if (mode === 'server') await server()
else await client(args[0], Number(args[1]), Number(args[2]), Number(args[3]), Number(args[4] ?? 0), Number(args[5] ?? 0))
if (mode !== 'server') process.exit(0)
