// kafkajs scenarios against a Herald server. Usage: node scenarios.js <scenario> <host:port> [security JSON]
// The security JSON is { ssl: { ca, cert, key } (PEM file paths), sasl: { mechanism, username, password } }.
// Prints one JSON line with what it observed; exits 1 with the error on failure.
const fs = require('fs');
const { Kafka, logLevel, CompressionTypes } = require('kafkajs');

const [scenario, broker, securityJson] = process.argv.slice(2);
const security = securityJson ? JSON.parse(securityJson) : {};
const ssl = security.ssl && {
  ca: [fs.readFileSync(security.ssl.ca, 'utf8')],
  ...(security.ssl.cert ? { cert: fs.readFileSync(security.ssl.cert, 'utf8'), key: fs.readFileSync(security.ssl.key, 'utf8') } : {}),
};
const kafka = new Kafka({
  clientId: 'herald-compat',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  retry: { retries: security.sasl || security.ssl ? 1 : 5 },
  connectionTimeout: 5000,
  ...(ssl ? { ssl } : {}),
  ...(security.sasl ? { sasl: security.sasl } : {}),
});

const scenarios = {
  // Over the configured security: produce one message and read it back with a group.
  async secure() {
    const topic = 'js-secure';
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'PaymentProcessed' }] });
    await producer.disconnect();
    const received = await consume('js-secure-group', topic, 1);
    return { values: received.map(r => r.value) };
  },

  // Create a topic, produce keyed messages with headers (gzip too), read them back with a group that commits.
  async produce() {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'js-orders', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    const sent = [];
    for (let i = 0; i < 20; i++) {
      const [meta] = await producer.send({
        topic: 'js-orders',
        compression: i % 2 ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: [{ key: `k${i}`, value: `OrderPlaced ${i}`, headers: { trace: `t${i}` } }],
      });
      sent.push(Number(meta.baseOffset));
    }
    await producer.disconnect();
    const received = await consume('js-group', 'js-orders', 20);
    const offsets = await admin.fetchOffsets({ groupId: 'js-group', topics: ['js-orders'] });
    await admin.disconnect();
    return { sent, received, committed: offsets[0].partitions.map(p => Number(p.offset)) };
  },

  // An idempotent producer (acks=all): every message once, in order.
  async idempotent() {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'js-idempotent', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let batch = 0; batch < 10; batch++) {
      const messages = Array.from({ length: 100 }, (_, i) => ({ key: 'same', value: String(batch * 100 + i) }));
      await producer.send({ topic: 'js-idempotent', acks: -1, messages });
    }
    await producer.disconnect();
    const received = await consume('js-idempotent-reader', 'js-idempotent', 1000);
    return { values: received.map(r => Number(r.value)) };
  },

  // Two consumers in one group share a two-partition topic; both commit.
  async group() {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'js-shared', numPartitions: 2 }] });
    const groupId = 'js-pair';
    const assigned = [[], []];
    const received = [[], []];
    const consumers = [kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500 }), kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500 })];
    for (const [i, consumer] of consumers.entries()) {
      consumer.on(consumer.events.GROUP_JOIN, e => { assigned[i] = e.payload.memberAssignment['js-shared'] || []; });
      await consumer.connect();
      await consumer.subscribe({ topic: 'js-shared', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ partition, message }) => { received[i].push({ partition, value: message.value.toString() }); } });
    }
    await waitFor(() => assigned[0].length === 1 && assigned[1].length === 1, 30000, 'both members to get one partition');
    const shared = assigned.map(a => [...a]); // disconnecting later rebalances again
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 40; i++) {
      await producer.send({ topic: 'js-shared', messages: [{ partition: i % 2, value: `e${i}` }] });
    }
    await producer.disconnect();
    await waitFor(() => received[0].length + received[1].length >= 40, 30000, 'all 40 messages');
    for (const consumer of consumers) {
      await consumer.disconnect();
    }
    const offsets = await admin.fetchOffsets({ groupId, topics: ['js-shared'] });
    await admin.disconnect();
    return {
      assigned: shared,
      counts: received.map(r => r.length),
      partitionsSeen: received.map(r => [...new Set(r.map(m => m.partition))]),
      committed: offsets[0].partitions.sort((a, b) => a.partition - b.partition).map(p => Number(p.offset)),
    };
  },
};

async function consume(groupId, topic, count) {
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push({
        key: message.key && message.key.toString(),
        value: message.value && message.value.toString(),
        trace: message.headers.trace && message.headers.trace.toString(),
        offset: Number(message.offset),
      });
    },
  });
  await waitFor(() => received.length >= count, 30000, `${count} messages`);
  await consumer.disconnect();
  return received;
}

async function waitFor(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

scenarios[scenario]()
  .then(result => { console.log(JSON.stringify(result)); process.exit(0); })
  .catch(error => { console.error(`${error && error.name}: ${error && error.stack || error}`); process.exit(1); });
