// preflightInflux against REAL stores started here on loopback (InfluxDB 1.6.7 without and with
// authentication, VictoriaMetrics), a dead port, and FAKE endpoints for what is not installed here
// (InfluxDB 2's answers) or cannot be made to happen otherwise (a server that never answers).
// A wrong database, bucket, token or URL must be found before any load: the run refuses it (exit 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxSink, preflightInflux, type InfluxOptions } from '../metrics/sinks/influx.ts';
import { fakeEndpoint, freePort, influxAdmin, influxQuery, startInfluxdb1, startVictoriaMetrics, type Influxdb1Store, type MetricStore } from './helpers/metric-stores.ts';

async function timed(options: InfluxOptions): Promise<{ problems: string[]; ms: number }> {
  const t0 = Date.now();
  const problems = await preflightInflux(options);
  return { problems, ms: Date.now() - t0 };
}

describe('InfluxDB 1.6.7, v1 API', () => {
  let store: Influxdb1Store;
  beforeAll(async () => {
    store = await startInfluxdb1({ db: null });
  });
  afterAll(async () => {
    await store?.stop();
  });

  it('creates a missing database (as k6 does), after which the sink delivers every point', async () => {
    expect(await influxQuery(store, 'SHOW DATABASES').then((s) => (s[0]?.values ?? []).flat())).not.toContain('nodb');
    expect(await preflightInflux({ api: 'v1', url: store.url, db: 'nodb' })).toEqual([]);
    expect(await influxQuery(store, 'SHOW DATABASES').then((s) => (s[0]?.values ?? []).flat())).toContain('nodb');
    expect(await preflightInflux({ api: 'v1', url: store.url, db: 'nodb' })).toEqual([]); // idempotent
    const sink = new InfluxSink({ api: 'v1', url: store.url, db: 'nodb' });
    for (let i = 0; i < 3; i++) sink.writeEvent({ timeMs: Date.now(), type: 'user_start', message: `u${i}` });
    expect(await sink.close(Date.now() + 5000)).toMatchObject({ generated: 3, delivered: 3, dropped: 0 });
  });

  it('names a retention policy that does not exist', async () => {
    const problems = await preflightInflux({ api: 'v1', url: store.url, db: 'nodb', rp: 'forever' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/retention policy "forever" does not exist on database "nodb".*--influx-rp/);
  });

  it('the v2 API against InfluxDB 1.x says to use --influx-api v1', async () => {
    const problems = await preflightInflux({ api: 'v2', url: store.url, token: 'some-token-123', org: 'o', bucket: 'b' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/has no \/api\/v2\/write .*--influx-api v1 --influx-db NAME/);
  });
});

describe('InfluxDB 1.6.7 with authentication, v1 API', () => {
  const admin = { user: 'admin', password: 'adm1n-s3cret' };
  const writer = { user: 'writer', password: 'wr1ter-s3cret' };
  let store: Influxdb1Store;
  beforeAll(async () => {
    store = await startInfluxdb1({ admin });
    await influxAdmin(store, `CREATE USER "${writer.user}" WITH PASSWORD '${writer.password}'`);
    await influxAdmin(store, `GRANT WRITE ON "waddle" TO "${writer.user}"`);
  });
  afterAll(async () => {
    await store?.stop();
  });

  it('an admin may create the database', async () => {
    expect(await preflightInflux({ api: 'v1', url: store.url, db: 'created_by_admin', ...admin })).toEqual([]);
  });

  it('a writer without admin rights may not create, but may write to an existing database: fine', async () => {
    expect(await preflightInflux({ api: 'v1', url: store.url, db: 'waddle', ...writer })).toEqual([]);
  });

  it('a writer on a missing database: it does not exist and could not be created', async () => {
    const problems = await preflightInflux({ api: 'v1', url: store.url, db: 'missing', ...writer });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/database "missing" does not exist and could not be created \(CREATE DATABASE answered HTTP 403/);
  });

  it('a wrong password is refused, and the password never appears (given as an option or in the URL)', async () => {
    for (const options of [
      { api: 'v1', url: store.url, db: 'waddle', user: 'writer', password: 'wrong-passw0rd' },
      { api: 'v1', url: store.url.replace('http://', 'http://writer:wrong-passw0rd@'), db: 'waddle' },
    ] as InfluxOptions[]) {
      const problems = await preflightInflux(options);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/refused the credentials for database "waddle" \(HTTP 401.*--influx-user and --influx-password/);
      expect(problems[0]).not.toContain('wrong-passw0rd');
    }
  });
});

describe('VictoriaMetrics (accepts any database or bucket)', () => {
  let store: MetricStore;
  beforeAll(async () => {
    store = await startVictoriaMetrics();
  });
  afterAll(async () => {
    await store?.stop();
  });

  it('passes through the v2 and the v1 API', async () => {
    expect(await preflightInflux({ api: 'v2', url: store.url, token: 'vm-token', org: 'waddle', bucket: 'fleet' })).toEqual([]);
    expect(await preflightInflux({ api: 'v1', url: store.url, db: 'fleet' })).toEqual([]);
  });
});

describe('a store that is not there', () => {
  it('a dead port: could not be reached, at once, for both APIs', async () => {
    const port = await freePort();
    for (const options of [
      { api: 'v1', url: `http://127.0.0.1:${port}`, db: 'waddle' },
      { api: 'v2', url: `http://127.0.0.1:${port}`, token: 'tok-123456', org: 'o', bucket: 'b' },
    ] as InfluxOptions[]) {
      const { problems, ms } = await timed(options);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`InfluxDB at http://127.0.0.1:${port} could not be reached \\(.*ECONNREFUSED.*check --influx-url`));
      expect(ms).toBeLessThan(2000);
    }
  });

  it('a server that never answers (FAKE): bounded by writeTimeoutMs', async () => {
    const hang = await fakeEndpoint(() => {});
    try {
      for (const options of [
        { api: 'v1', url: hang.url, db: 'waddle', writeTimeoutMs: 300 },
        { api: 'v2', url: hang.url, token: 'tok-123456', org: 'o', bucket: 'b', writeTimeoutMs: 300 },
      ] as InfluxOptions[]) {
        const { problems, ms } = await timed(options);
        expect(problems).toEqual([`InfluxDB at ${hang.url} did not answer within 300 ms: check --influx-url and that InfluxDB is up (or raise its timeout)`]);
        expect(ms).toBeGreaterThanOrEqual(290);
        expect(ms).toBeLessThan(1500);
      }
    } finally {
      await hang.close();
    }
  });

  it('a URL that does not parse: said so, without the password in it', async () => {
    expect(await preflightInflux({ api: 'v1', url: 'http://fleet:pa55word@[::1', db: 'x' })).toEqual([
      'InfluxDB url "http://fleet:***@[::1" is not a valid URL; write it like http://127.0.0.1:8086',
    ]);
  });
});

describe("InfluxDB 2's answers to an empty write (FAKE endpoint: no InfluxDB 2 on these machines)", () => {
  const answers: Record<string, [number, string]> = {
    ok: [400, '{"code":"invalid","message":"writing requires points"}'],
    nobucket: [404, '{"code":"not found","message":"bucket \\"nobucket\\" not found"}'],
    badtoken: [401, '{"code":"unauthorized","message":"unauthorized access"}'],
    readonly: [403, '{"code":"forbidden","message":"insufficient permissions for write"}'],
  };
  let influx2: Awaited<ReturnType<typeof fakeEndpoint>>;
  beforeAll(async () => {
    influx2 = await fakeEndpoint((req, res) => {
      const bucket = new URL(req.url ?? '/', 'http://x').searchParams.get('bucket') ?? '';
      const [status, body] = answers[bucket] ?? [500, 'unexpected'];
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  afterAll(async () => {
    await influx2?.close();
  });
  const check = (bucket: string) => preflightInflux({ api: 'v2', url: influx2.url, token: 'secret-token-42', org: 'waddle', bucket });

  it('"writing requires points" means org, bucket and write permission are fine; nothing was written', async () => {
    expect(await check('ok')).toEqual([]);
    const sent = influx2.seen.at(-1)!;
    expect(sent).toMatchObject({ method: 'POST', body: '' });
    expect(sent.url).toMatch(/^\/api\/v2\/write\?org=waddle&bucket=ok/);
  });

  it('a missing bucket, a bad token and a read-only token each get their sentence', async () => {
    expect((await check('nobucket'))[0]).toMatch(/bucket "nobucket" of org "waddle" not found .*influx bucket create --name nobucket --org waddle/);
    expect((await check('badtoken'))[0]).toMatch(/refused the token \(HTTP 401.*--influx-token/);
    expect((await check('readonly'))[0]).toMatch(/the token may not write to bucket "readonly" of org "waddle" \(HTTP 403/);
    expect(JSON.stringify(await check('badtoken'))).not.toContain('secret-token-42');
  });
});
